"""The KPI engine: every dossier count and Decision 766 sub-index, defined once, from the event log.

Sources cited below:
- [766] Quyết định 766/QĐ-TTg ngày 23/6/2022 of the Prime Minister, "Bộ chỉ số chỉ đạo, điều hành
  và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện TTHC, DVC theo thời
  gian thực trên môi trường điện tử" (100 points, six groups).
- [CT] "Mô tả công thức tính chỉ số 766" — the portal's formula document (public reproduction
  ``formula-document.js``), summarised in domain.md §3.3 and §4: the end states and their
  priority, the on-time rule, the supplement pause, the formulas and full-score thresholds.

The population of a report is the dossiers *received* in the period [date_from, date_to]
(Vietnam local dates, inclusive) and in the slice. Each one is judged on its own event log as it
stood at the judgement moment: the end of the period, or ``now`` when that comes first. Events
after that moment are ignored, so a report on a closed period never changes.

Choices that the sources leave open, written down once:
- A dossier *ends* at its first "Đã xử lý xong" (processed); without one, at "Đã trả kết quả"
  (returned); without one, at "Dừng xử lý" / "Từ chối" (stopped / not accepted) [CT]. Refused
  and stopped dossiers are therefore resolved and judged on time or late like the others; they
  are also counted on their own. A withdrawn dossier (the citizen's request) has no end time in
  [CT]: it is counted as withdrawn and left out of the on-time index.
- *On time* is end ≤ due time [CT], where the due time is the one fixed at receipt moved by the
  working time each supplement paused the clock. A reschedule (Mẫu 04 apology) does not move it:
  the letter is written because the dossier will be late. More than one supplement request makes
  the dossier late whatever its end time [CT].
- *Early* is finished on a day before the due day (local dates); finished on the due day, not
  after the due time, is *on time*. This is how the portal reports "trước hạn / đúng hạn".
- A dossier still open at the judgement moment is *in progress within time* when that moment is
  not past its due time (with the clock paused by a pending supplement, the moment of the
  request is used, as [CT] ends a dossier whose last state is "Yêu cầu bổ sung" there), and
  *overdue* otherwise. Index 2.1 counts the former with the on-time dossiers, as [CT] judges an
  unfinished dossier at the end of the reporting period.
- Rates are percentages rounded to 2 decimals [CT]; a zero denominator gives None (N/A), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.dossiers.states import Channel, DossierStatus, EventAction
from motcua.workcalendar.services import OfficeHours, WorkCalendar

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

# [CT]: end states in priority order; the first one found gives NgayKetThucXuLy.
END_PRIORITY = (
    (DossierStatus.PROCESSED,),
    (DossierStatus.RETURNED,),
    (DossierStatus.STOPPED, DossierStatus.NOT_ACCEPTED),
)
RESULT_STATUSES = frozenset({DossierStatus.PROCESSED, DossierStatus.RETURNED})


@dataclass(frozen=True)
class Indicator:
    """One sub-index of Decision 766: its number, Vietnamese name, formula and source."""

    code: str
    name: str
    formula: str
    source: str
    full_score_at: float | None = None  # the rate (%) from which the full points are given


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "2.1",
            "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
            "(trước hạn + đúng hạn + đang xử lý trong hạn) / (đã giải quyết + đang xử lý); "
            "không tính thời gian bổ sung; yêu cầu bổ sung từ lần thứ hai tính là trễ hạn",
            "QĐ 766/QĐ-TTg nhóm 2; Mô tả công thức tính chỉ số 766, chỉ số 2.1",
        ),
        Indicator(
            "3.3",
            "Tỷ lệ hồ sơ trực tuyến",
            "hồ sơ nộp trực tuyến (KenhThucHien = 2) / hồ sơ tiếp nhận",
            "QĐ 766/QĐ-TTg nhóm 3; Mô tả công thức tính chỉ số 766, chỉ số 3.3",
            full_score_at=50.0,
        ),
        Indicator(
            "3.6",
            "Tỷ lệ hồ sơ thanh toán trực tuyến",
            "hồ sơ thanh toán trực tuyến / hồ sơ của TTHC có phí, lệ phí (trừ hồ sơ phí bằng 0)",
            "QĐ 766/QĐ-TTg nhóm thanh toán trực tuyến; Mô tả công thức tính chỉ số 766, chỉ số 3.6",
        ),
        Indicator(
            "4.1",
            "Tỷ lệ hồ sơ cấp kết quả điện tử",
            "hồ sơ có kết quả điện tử đã ký số / hồ sơ đã có kết quả (đã xử lý xong, đã trả)",
            "QĐ 766/QĐ-TTg nhóm 4; Mô tả công thức tính chỉ số 766, chỉ số 4.1",
        ),
        Indicator(
            "4.2",
            "Tỷ lệ số hóa hồ sơ",
            "hồ sơ có mọi thành phần đã số hóa / hồ sơ tiếp nhận",
            "QĐ 766/QĐ-TTg nhóm 4; Mô tả công thức tính chỉ số 766, chỉ số 4.2",
            full_score_at=80.0,
        ),
        Indicator(
            "4.3",
            "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
            "hồ sơ có ít nhất một thành phần dùng lại từ kho dữ liệu / hồ sơ tiếp nhận",
            "QĐ 766/QĐ-TTg nhóm 4; Mô tả công thức tính chỉ số 766, chỉ số 4.3",
            full_score_at=80.0,
        ),
        Indicator(
            "5.4",
            "Mức độ hài lòng trong tiếp nhận, giải quyết TTHC",
            "100% − (tỷ lệ trễ hạn + tỷ lệ hồ sơ có phản ánh hoặc đánh giá không hài lòng)",
            "QĐ 766/QĐ-TTg nhóm 5; Mô tả công thức tính chỉ số 766, chỉ số 5.4",
            full_score_at=90.0,
        ),
    )
}


class KpiError(ValueError):
    """Bad report parameters (a period that ends before it starts, an unknown channel)."""


@dataclass(frozen=True)
class Slice:
    """Which dossiers a report covers; an empty field means "all"."""

    center: str = ""  # Center.agency_code
    sector: str = ""  # Sector.code
    procedure: str = ""  # Procedure.code, e.g. "1.001193"
    channel: str = ""  # Channel value: kiosk / counter / online / postal

    def filter(self, dossiers):
        if self.center:
            dossiers = dossiers.filter(center__agency_code=self.center)
        if self.sector:
            dossiers = dossiers.filter(procedure__sector__code=self.sector)
        if self.procedure:
            dossiers = dossiers.filter(procedure__code=self.procedure)
        if self.channel:
            if self.channel not in Channel.values:
                raise KpiError(f"Kênh tiếp nhận không hợp lệ: {self.channel}.")
            dossiers = dossiers.filter(channel=self.channel)
        return dossiers


@dataclass
class IndexValue:
    code: str
    name: str
    numerator: int | None
    denominator: int | None
    rate: float | None  # percent, 2 decimals; None when the denominator is 0 or data is missing
    full_score_at: float | None
    source: str
    note: str = ""


@dataclass
class KpiReport:
    date_from: date
    date_to: date
    judged_at: datetime
    slice: Slice
    received: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_within_time: int = 0
    in_progress_overdue: int = 0
    refused: int = 0
    stopped: int = 0
    withdrawn: int = 0
    online: int = 0
    average_processing_days: float | None = None
    indices: dict[str, IndexValue] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat()
        data["date_to"] = self.date_to.isoformat()
        data["judged_at"] = self.judged_at.astimezone(VIETNAM).isoformat()
        return data


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage rounded half-up to 2 decimals [CT]; None for a zero denominator."""
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start, end) in aware datetimes: from 00:00 of the first day to 00:00 after the last."""
    if date_to < date_from:
        raise KpiError("Ngày kết thúc kỳ báo cáo phải không trước ngày bắt đầu.")
    start = datetime.combine(date_from, time.min, tzinfo=VIETNAM)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=VIETNAM)
    return start, end


@dataclass
class Judgement:
    """How one dossier stands at the judgement moment (see the module docstring)."""

    status: str
    end_at: datetime | None
    due_at: datetime | None
    paused_at: datetime | None
    supplement_requests: int
    paused: timedelta

    @property
    def resolved(self) -> bool:
        return self.end_at is not None

    def timeliness(self, judged_at: datetime) -> str:
        """early / on_time / late for a resolved dossier; within / overdue for an open one."""
        if self.resolved:
            if self.supplement_requests > 1:
                return "late"
            if self.due_at is None:
                return "on_time"  # no legal time limit ("Theo quy định"): cannot be late
            if self.end_at > self.due_at:
                return "late"
            if self.end_at.astimezone(VIETNAM).date() < self.due_at.astimezone(VIETNAM).date():
                return "early"
            return "on_time"
        if self.supplement_requests > 1:
            return "overdue"
        moment = self.paused_at or judged_at
        if self.due_at is not None and moment > self.due_at:
            return "overdue"
        return "within"


def judge(
    dossier: Dossier,
    events: list[DossierEvent],
    judged_at: datetime,
    calendar: WorkCalendar,
) -> Judgement:
    """Replay the dossier's events up to ``judged_at`` (events sorted by seq)."""
    hours = OfficeHours.from_center(dossier.center)
    status = DossierStatus.RECEIVED
    due = dossier.due_at
    reached: dict[str, datetime] = {}
    paused_at: datetime | None = None
    requests = 0
    paused = timedelta()
    for event in events:
        if event.at >= judged_at:
            continue
        status = event.to_status
        reached.setdefault(event.to_status, event.at)
        if event.action == EventAction.RECEIVE and "due_at" in event.data:
            due = datetime.fromisoformat(event.data["due_at"]) if event.data["due_at"] else None
        elif event.action == EventAction.REQUEST_SUPPLEMENT:
            requests += 1
            paused_at = event.at
        elif event.action == EventAction.SUBMIT_SUPPLEMENT:
            # The clock stops while the citizen supplements [CT]: the due time moves by the
            # working time paused, exactly as the action moved it (motcua.dossiers.actions).
            seconds = event.data.get("paused_seconds")
            if seconds and due is not None:
                delta = timedelta(seconds=seconds)
                due = calendar.add_working_time(due, delta, hours=hours)
                paused += delta
            paused_at = None
    end_at = None
    for statuses in END_PRIORITY:
        moments = [reached[s] for s in statuses if s in reached]
        if moments:
            end_at = min(moments)
            break
    if status == DossierStatus.WITHDRAWN:
        end_at = None
    return Judgement(status, end_at, due, paused_at, requests, paused)


def compute(
    date_from: date,
    date_to: date,
    *,
    slice: Slice | None = None,
    now: datetime | None = None,
) -> KpiReport:
    """All counts and sub-indices for the dossiers received in the period and the slice."""
    slice = slice or Slice()
    start, end = period_bounds(date_from, date_to)
    judged_at = min(end, now) if now is not None else end
    dossiers = list(
        slice.filter(Dossier.objects.filter(received_at__gte=start, received_at__lt=end))
        .select_related("center", "procedure")
        .order_by("pk")
    )
    report = KpiReport(date_from, date_to, judged_at, slice, received=len(dossiers))
    ids = [d.pk for d in dossiers]
    events: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in DossierEvent.objects.filter(dossier_id__in=ids).order_by("dossier_id", "seq"):
        events[event.dossier_id].append(event)
    calendar = WorkCalendar.from_db(start.date(), end.date())

    with_result: list[int] = []
    processing_days: list[Decimal] = []
    for dossier in dossiers:
        j = judge(dossier, events[dossier.pk], judged_at, calendar)
        if dossier.channel == Channel.ONLINE:
            report.online += 1
        if j.status == DossierStatus.WITHDRAWN:
            report.withdrawn += 1
            continue
        if j.status == DossierStatus.NOT_ACCEPTED:
            report.refused += 1
        elif j.status == DossierStatus.STOPPED:
            report.stopped += 1
        verdict = j.timeliness(judged_at)
        if j.resolved:
            report.resolved += 1
            setattr(report, f"resolved_{verdict}", getattr(report, f"resolved_{verdict}") + 1)
            if j.status in RESULT_STATUSES:
                with_result.append(dossier.pk)
            hours = OfficeHours.from_center(dossier.center)
            worked = calendar.working_time_between(dossier.received_at, j.end_at, hours=hours)
            worked = max(worked - j.paused, timedelta())
            processing_days.append(
                Decimal(worked.total_seconds()) / Decimal(hours.day_length.total_seconds())
            )
        elif verdict == "within":
            report.in_progress_within_time += 1
        else:
            report.in_progress_overdue += 1
    if processing_days:
        average = sum(processing_days, Decimal(0)) / len(processing_days)
        report.average_processing_days = float(average.quantize(Decimal("0.01"), ROUND_HALF_UP))

    timely = report.resolved_early + report.resolved_on_time + report.in_progress_within_time
    judged = report.resolved + report.in_progress_within_time + report.in_progress_overdue
    report.indices["2.1"] = _index("2.1", timely, judged)
    report.indices["3.3"] = _index("3.3", report.online, report.received)
    fee_bearing = sum(1 for d in dossiers if d.fee_vnd)
    report.indices["3.6"] = _index(
        "3.6",
        None,
        fee_bearing,
        note="Chưa có dữ liệu thanh toán trực tuyến (DuocThanhToanTrucTuyen) trong hệ thống.",
    )
    signed = _signed_dossiers(with_result, judged_at)
    report.indices["4.1"] = _index("4.1", signed, len(with_result))
    digitized, reused = _document_counts(ids, judged_at)
    report.indices["4.2"] = _index("4.2", digitized, report.received)
    report.indices["4.3"] = _index("4.3", reused, report.received)
    report.indices["5.4"] = _index(
        "5.4", None, None, note="Chưa có dữ liệu đánh giá, phản ánh của người dân."
    )
    return report


def _index(code: str, numerator: int | None, denominator: int | None, note: str = "") -> IndexValue:
    indicator = INDICATORS[code]
    value = rate(numerator, denominator) if numerator is not None and denominator else None
    if not note and not denominator:
        note = "Không có hồ sơ để tính (mẫu số bằng 0)."
    return IndexValue(
        code=code,
        name=indicator.name,
        numerator=numerator,
        denominator=denominator,
        rate=value,
        full_score_at=indicator.full_score_at,
        source=indicator.source,
        note=note,
    )


def _signed_dossiers(dossier_ids: list[int], judged_at: datetime) -> int:
    from motcua.signing.models import SignedResult

    return (
        SignedResult.objects.filter(dossier_id__in=dossier_ids, signed_at__lt=judged_at)
        .values("dossier_id")
        .distinct()
        .count()
    )


def _document_counts(dossier_ids: list[int], judged_at: datetime) -> tuple[int, int]:
    """(dossiers whose every component was digitized by then, dossiers reusing ≥ 1 component)."""
    rows = (
        DossierDocument.objects.filter(dossier_id__in=dossier_ids)
        .values("dossier_id")
        .annotate(
            total=Count("pk"),
            digitized=Count("pk", filter=Q(digitized=True, digitized_at__lt=judged_at)),
            reused=Count("pk", filter=Q(reused_from__isnull=False)),
        )
    )
    digitized = sum(1 for row in rows if row["total"] and row["digitized"] == row["total"])
    reused = sum(1 for row in rows if row["reused"])
    return digitized, reused
