"""What the KPI engine reads: one fact row per dossier and monthly cells of settled facts.

Both tables are derived data, rebuilt from the event log at any time (``motcua kpi-rebuild``)
and kept current by ``motcua.reports.rollups`` in the transaction of every event. They never
hold a number typed by hand.

A fact stores each milestone of its dossier as a moment (end, withdrawal, result, electronic
result, digitization, reuse, online payment, rating) and the moment from which an unfinished
dossier counts as overdue. Every count "as of" a judgement moment T is then a comparison of
those moments with T, which is what lets a closed period be reported exactly long after it
closed (see ``motcua.reports.kpi``).

A cell adds up, per center, receipt month, field and channel, the facts that are *closed*
(finished or withdrawn) as they stand today. ``settled_at`` of a fact is its latest milestone:
for a judgement moment after it, the fact counts in its cell exactly as it would counted alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, Sector
from motcua.centers.models import Center
from motcua.dossiers.models import Dossier


class Outcome(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Trễ hạn")


class DossierFact(models.Model):
    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField()
    received_month = models.DateField()  # the first day of the local (Vietnam) month
    due_at = models.DateTimeField(null=True, blank=True)  # after the supplement pauses

    # Finished: the first end state by the priority of the 766 formula, and how it was judged.
    end_at = models.DateTimeField(null=True, blank=True)
    end_status = models.CharField(max_length=30, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    processing_days = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Unfinished at T: overdue when late_since < T (None: never, as the log stands).
    late_since = models.DateTimeField(null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    # The supplement clock as the log left it: the pending request's moment (the clock stopped
    # there) and the working time every supplement paused. They are what the next event needs
    # to be folded into this fact without reading the log back (``rollups.fold_event``, issue
    # 10). ``paused`` None: a fact written before these existed, re-derived by its next event.
    paused_since = models.DateTimeField(null=True, blank=True)
    paused = models.DurationField(null=True, blank=True)

    result_at = models.DateTimeField(null=True, blank=True)  # processed or returned
    e_result_at = models.DateTimeField(null=True, blank=True)  # signed electronic result
    digitized_at = models.DateTimeField(null=True, blank=True)  # every component digitized
    reused_at = models.DateTimeField(null=True, blank=True)
    fee_bearing = models.BooleanField(default=False)
    paid_online_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(max_length=20, blank=True)
    complaint = models.BooleanField(default=False)

    is_closed = models.BooleanField(default=False)  # finished or withdrawn
    settled_at = models.DateTimeField(null=True, blank=True)  # the latest milestone, if closed

    class Meta:
        verbose_name = _("số liệu chỉ số của hồ sơ")
        verbose_name_plural = _("số liệu chỉ số của hồ sơ")
        indexes = [
            models.Index(fields=["center", "received_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["center", "received_month", "sector", "channel"]),
            models.Index(
                fields=["center", "received_at"],
                condition=models.Q(is_closed=False),
                name="fact_open_by_center",
            ),
            models.Index(fields=["settled_at"]),
        ]

    def __str__(self) -> str:
        return str(self.dossier_id)


class KpiCell(models.Model):
    """Sums over the closed facts of one center, receipt month, field and channel."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)

    received = models.PositiveIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_early = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolved_late = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    stopped = models.PositiveIntegerField(default=0)
    with_result = models.PositiveIntegerField(default=0)
    e_results = models.PositiveIntegerField(default=0)
    digitized = models.PositiveIntegerField(default=0)
    reused = models.PositiveIntegerField(default=0)
    fee_bearing = models.PositiveIntegerField(default=0)
    paid_online = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    unhappy = models.PositiveIntegerField(default=0)
    processing_days = models.DecimalField(max_digits=18, decimal_places=6, default=0)

    class Meta:
        verbose_name = _("ô tổng hợp chỉ số theo tháng")
        verbose_name_plural = _("ô tổng hợp chỉ số theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "month", "sector", "channel"],
                name="kpi_cell_once",
            )
        ]
        indexes = [models.Index(fields=["month", "center"])]

    def __str__(self) -> str:
        return f"{self.center_id} {self.month:%Y-%m} {self.sector_id} {self.channel}"
