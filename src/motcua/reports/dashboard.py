"""What one dashboard page or export shows: the period and the engine's figures for it.

Shared by the pages (``views``) and the Excel and PDF files (``exports``), so neither has to
import the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from motcua.centers.models import Center
from motcua.queue import reports as queue_reports
from motcua.reports import kpi
from motcua.reports.kpi import VIETNAM


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    preset: str = ""

    def query(self) -> dict[str, str]:
        return {"tu": f"{self.date_from:%d/%m/%Y}", "den": f"{self.date_to:%d/%m/%Y}"}


def period_text(date_from: date, date_to: date) -> str:
    return f"Từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"


@dataclass
class Dashboard:
    """Everything one page (or export) shows, from a fixed number of engine calls."""

    scope: str  # "center" or "province"
    subject: str  # the center's name or the province
    code: str  # for file names: the agency code, or the province's slug
    center: Center | None
    province: str
    period: Period
    report: kpi.KpiReport
    months: list[kpi.BreakdownRow]
    sectors: list[kpi.BreakdownRow]
    officers: list[kpi.BreakdownRow] | None  # None: not shown to this viewer
    ranking: list[kpi.RankRow]
    # The counter's queue (issue 11); None where no queue is set up.
    queue: queue_reports.QueueReport | None = None

    @property
    def date_from(self) -> date:
        return self.period.date_from

    @property
    def date_to(self) -> date:
        return self.period.date_to

    @property
    def period_text(self) -> str:
        return period_text(self.date_from, self.date_to)

    @property
    def judged_text(self) -> str:
        moment = self.report.judged_at.astimezone(VIETNAM)
        if moment.time() == datetime.min.time():
            # A closed period is judged at midnight after its last day: say "the end of" it.
            day = moment.date() - timedelta(days=1)
            return _("Số liệu tính đến hết ngày %(day)s, từ nhật ký xử lý hồ sơ.") % {
                "day": f"{day:%d/%m/%Y}"
            }
        return _("Số liệu tính đến %(time)s ngày %(day)s, từ nhật ký xử lý hồ sơ.") % {
            "time": f"{moment:%H:%M}",
            "day": f"{moment:%d/%m/%Y}",
        }

    @property
    def position(self) -> kpi.RankRow | None:
        """This center's row in the province ranking (center page only)."""
        if self.center is None:
            return None
        return next((r for r in self.ranking if r.center_code == self.center.agency_code), None)


def load(
    period: Period,
    now: datetime,
    *,
    center: Center | None = None,
    province: str = "",
    officers: bool = False,
    queue: bool = True,
    queue_detail: bool | None = None,
) -> Dashboard:
    """The engine's figures for one center or one province: five calls, whatever the size.

    ``queue``: the queue section too, when the center (or a center of the province) has one;
    ``queue_detail``: its per-counter and per-officer tables (by default with ``officers``)."""
    if center is not None:
        scope, subject, code, province = "center", center.name, center.agency_code, center.province
        slice_ = kpi.Slice(center=center.agency_code)
    else:
        scope, subject = "province", province
        code = _slug(province)
        slice_ = kpi.Slice(province=province)
    args = (period.date_from, period.date_to)
    report = kpi.compute(*args, slice=slice_, now=now)
    months = kpi.breakdown(*args, "month", slice=slice_, now=now)
    sectors = kpi.breakdown(*args, "sector", slice=slice_, now=now)
    officer_rows = kpi.breakdown(*args, "officer", slice=slice_, now=now) if officers else None
    ranking = kpi.ranking(province, *args, now=now) if province else []
    queue_report = None
    where = {"center": center} if center is not None else {"province": province}
    if queue and queue_reports.uses_queue(**where):
        detail = officers if queue_detail is None else queue_detail
        queue_report = queue_reports.queue_report(
            *args, detail=detail and center is not None, **where
        )
    return Dashboard(
        scope=scope,
        subject=subject,
        code=code,
        center=center,
        province=province,
        period=period,
        report=report,
        months=months,
        sectors=sectors,
        officers=officer_rows,
        ranking=ranking,
        queue=queue_report,
    )


def _slug(text: str) -> str:
    from django.utils.text import slugify
    from vn_text import fold

    return slugify(fold(text)) or "tinh"
