"""The counter's queue: service areas, counters, tickets with their event log, appointments.

Numbers are per (center, area, day) and come from ``TicketSequence`` rows counted up in one
statement (``core.sequences``), never from a count of tickets: two kiosks taking a number at the
same moment must get two numbers, and the count restarts each day in Vietnam's time zone.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Sector
from motcua.centers.models import Center
from motcua.queue.states import (
    AppointmentStatus,
    Priority,
    Source,
    TicketAction,
    TicketStatus,
)


class ServiceArea(models.Model):
    """A group of counters that serve some fields (Hộ tịch – Chứng thực, Đất đai, Cư trú…)."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="service_areas", verbose_name=_("trung tâm")
    )
    code = models.SlugField(_("mã khu vực"), max_length=40)
    name = models.CharField(_("tên khu vực"), max_length=200)
    # Areas of one center count in separate ranges (1001…, 2001…) so a number says its area.
    first_number = models.PositiveIntegerField(
        _("số đầu tiên mỗi ngày"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(9000)],
        help_text=_("Ví dụ 1001 cho khu vực 1, 2001 cho khu vực 2."),
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="service_areas", verbose_name=_("lĩnh vực phục vụ")
    )
    position = models.PositiveSmallIntegerField(_("thứ tự hiển thị"), default=0)
    is_active = models.BooleanField(_("đang phục vụ"), default=True)
    appointment_slot_minutes = models.PositiveSmallIntegerField(
        _("độ dài một khung giờ hẹn (phút)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    appointments_per_counter = models.PositiveSmallIntegerField(
        _("số lịch hẹn mỗi quầy trong một khung giờ"),
        default=2,
        validators=[MaxValueValidator(50)],
        help_text=_("0 để không nhận đặt lịch hẹn cho khu vực này."),
    )

    class Meta:
        verbose_name = _("khu vực phục vụ")
        verbose_name_plural = _("khu vực phục vụ")
        ordering = ["center", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="area_code_per_center")
        ]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A counter (quầy) where an officer calls numbers of the areas it serves."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="counters", verbose_name=_("trung tâm")
    )
    number = models.PositiveSmallIntegerField(
        _("số quầy"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    name = models.CharField(_("tên quầy"), max_length=200, blank=True)
    areas = models.ManyToManyField(
        ServiceArea, related_name="counters", verbose_name=_("khu vực phục vụ")
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    # Who staffs the counter today: set when an officer opens it on the counter screen; a
    # staffing from another day does not count.
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ đang trực"),
    )
    staffed_on = models.DateField(_("ngày trực"), null=True, blank=True)
    paused = models.BooleanField(_("tạm dừng"), default=False)

    class Meta:
        verbose_name = _("quầy")
        verbose_name_plural = _("quầy")
        ordering = ["center", "number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="counter_number_per_center")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or _("Quầy số %(number)s") % {"number": self.number}


class QueueSettings(models.Model):
    """A center's queue rules; a center without a row uses the defaults."""

    center = models.OneToOneField(
        Center, on_delete=models.CASCADE, related_name="queue_settings", verbose_name=_("trung tâm")
    )
    # A priority ticket is ordered as if taken this many minutes earlier: 0 serves strictly by
    # arrival, a large weight serves priority tickets first (Vietnamese practice).
    priority_minutes = models.PositiveSmallIntegerField(
        _("ưu tiên (phút được tính sớm hơn)"),
        default=60,
        validators=[MaxValueValidator(600)],
    )
    appointment_minutes = models.PositiveSmallIntegerField(
        _("lịch hẹn đến đúng giờ (phút được tính sớm hơn)"),
        default=60,
        validators=[MaxValueValidator(600)],
    )
    no_show_grace_minutes = models.PositiveSmallIntegerField(
        _("giữ lịch hẹn sau giờ hẹn (phút)"), default=15, validators=[MaxValueValidator(240)]
    )
    open_before_minutes = models.PositiveSmallIntegerField(
        _("cấp số trước giờ làm việc (phút)"), default=30, validators=[MaxValueValidator(180)]
    )
    open_on_days_off = models.BooleanField(
        _("cấp số cả ngày nghỉ"),
        default=False,
        help_text=_("Ví dụ trung tâm tiếp nhận sáng thứ Bảy."),
    )
    display_notice = models.CharField(_("dòng chữ chạy trên màn hình"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("cài đặt xếp hàng")
        verbose_name_plural = _("cài đặt xếp hàng")

    def __str__(self) -> str:
        return str(self.center)

    @classmethod
    def for_center(cls, center: Center) -> QueueSettings:
        found = cls.objects.filter(center=center).first()
        return found if found is not None else cls(center=center)


class TicketSequence(models.Model):
    """The last number handed out by an area on a day (the row is locked to count)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["center", "area", "day"], name="ticket_sequence_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day:%Y-%m-%d}: {self.last_number}"


def _token() -> str:
    return secrets.token_urlsafe(12)


class Ticket(models.Model):
    """A queue number. Holds no personal data: the TV, the phone page and the slip show it."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("trung tâm")
    )
    area = models.ForeignKey(
        ServiceArea, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("khu vực")
    )
    # The area the number was taken for: a transfer moves ``area``, never the number's range.
    issued_area = models.ForeignKey(
        ServiceArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("khu vực cấp số")
    )
    day = models.DateField(_("ngày"))
    # sequence counts 1, 2, 3… per (center, area of issue, day); number is what people see.
    sequence = models.PositiveIntegerField(_("thứ tự trong ngày"))
    number = models.PositiveIntegerField(_("số thứ tự"))
    priority = models.CharField(
        _("ưu tiên"), max_length=20, choices=Priority.choices, blank=True, default=""
    )
    source = models.CharField(_("nơi lấy số"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    issued_at = models.DateTimeField(_("lấy số lúc"))
    # The calling order: issue time, moved earlier by the priority or appointment weight.
    order_at = models.DateTimeField(_("thứ tự gọi"))
    called_at = models.DateTimeField(_("gọi lúc"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu phục vụ"), null=True, blank=True)
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("quầy"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ"),
    )
    recalls = models.PositiveSmallIntegerField(_("số lần gọi lại"), default=0)
    # The phone page's address: random, so a ticket cannot be guessed from its number.
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hồ sơ đã tiếp nhận"),
    )

    class Meta:
        verbose_name = _("số thứ tự")
        verbose_name_plural = _("số thứ tự")
        ordering = ["-day", "order_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "issued_area", "day", "sequence"], name="ticket_sequence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["area", "day", "status", "order_at"], name="ticket_calling"),
            models.Index(fields=["center", "day", "status"], name="ticket_center_day"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.area})"

    @property
    def is_priority(self) -> bool:
        return bool(self.priority)


class TicketEvent(models.Model):
    """One action on a ticket, appended in the transaction that changes it; never edited."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=TicketAction.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    counter = models.ForeignKey(
        Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        ServiceArea, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("thao tác trên số thứ tự")
        verbose_name_plural = _("thao tác trên số thứ tự")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.at:%H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Nhật ký gọi số không được sửa."))
        super().save(*args, **kwargs)


class Appointment(models.Model):
    """A booked time slot (đặt lịch hẹn) for an area; becomes a ticket on arrival.

    The citizen checks in with the code or their ID number; the number is kept only as a keyed
    hash (Nghị định 13/2023/NĐ-CP: no more personal data than the check-in needs).
    """

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("trung tâm")
    )
    area = models.ForeignKey(
        ServiceArea,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("khu vực"),
    )
    starts_at = models.DateTimeField(_("giờ hẹn"))
    code = models.CharField(_("mã lịch hẹn"), max_length=12)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_at = models.DateTimeField(_("đặt lúc"))
    checked_in_at = models.DateTimeField(_("đến lúc"), null=True, blank=True)
    ticket = models.OneToOneField(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
        verbose_name=_("số thứ tự"),
    )
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="appointment_code_per_center")
        ]
        indexes = [models.Index(fields=["area", "starts_at", "status"], name="appointment_slot")]

    def __str__(self) -> str:
        return f"{self.code} {self.starts_at:%d/%m/%Y %H:%M}"
