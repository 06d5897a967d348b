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

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from motcua.dossiers.states import Channel, DossierStatus
from motcua.reports.models import DossierFact, KpiCell, Outcome

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


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
            full_score_at=100.0,  # not published: proportional up to 100% (docs/kpi.md)
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
            full_score_at=100.0,  # not published: proportional up to 100% (docs/kpi.md)
        ),
        Indicator(
            "4.1",
            "Tỷ lệ hồ sơ cấp kết quả điện tử",
            "hồ sơ có kết quả điện tử đã ký số / hồ sơ đã có kết quả (đã xử lý xong, đã trả)",
            "QĐ 766/QĐ-TTg nhóm 4; Mô tả công thức tính chỉ số 766, chỉ số 4.1",
            full_score_at=100.0,  # not published: proportional up to 100% (docs/kpi.md)
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


# How the groups of QĐ 766 are scored from the sub-indices this system can compute. The group
# maxima are the decision's (domain.md §4: 18 / 20 / 12 + 10 / 22 / 18 = 100); group 1
# (publication of procedures, sync to the portal) is not measurable from dossiers and is left
# out, so the total is given over the points that could be measured. The split of group 4's 22
# points between 4.1, 4.2 and 4.3 and the thresholds of 2.1, 3.6 and 4.1 are not published in
# the sources we have: they are this project's assumption (docs/kpi.md), kept in one place here.
# Points = max × min(rate / full_score_at, 1) [766 formula: "below the threshold, points =
# rate × max / threshold"].
@dataclass(frozen=True)
class GroupRule:
    code: str
    name: str
    parts: tuple[tuple[str, float], ...]  # (index, points); thresholds in INDICATORS


GROUPS: tuple[GroupRule, ...] = (
    GroupRule("2", "Tiến độ, kết quả giải quyết", (("2.1", 20.0),)),
    GroupRule(
        "3",
        "Cung cấp dịch vụ trực tuyến và thanh toán trực tuyến",
        (("3.3", 12.0), ("3.6", 10.0)),
    ),
    GroupRule("4", "Số hóa hồ sơ", (("4.1", 6.0), ("4.2", 8.0), ("4.3", 8.0))),
    GroupRule("5", "Mức độ hài lòng", (("5.4", 18.0),)),
)

# Leaders' targets (the issue's examples: "above 98% online and paid online, above 99% on
# time"; digitization 80% and reuse 50% as in a 2025 provincial plan, domain.md §4).
DEFAULT_TARGETS: dict[str, float] = {
    "2.1": 99.0,
    "3.3": 98.0,
    "3.6": 98.0,
    "4.2": 80.0,
    "4.3": 50.0,
    "5.4": 90.0,
}


def targets() -> dict[str, float]:
    """Index code → target percent; ``settings.MOTCUA_KPI_TARGETS`` overrides the defaults."""
    return {**DEFAULT_TARGETS, **getattr(settings, "MOTCUA_KPI_TARGETS", {})}


class KpiError(ValueError):
    """Bad report parameters (a period that ends before it starts, an unknown channel)."""


@dataclass(frozen=True)
class Slice:
    """Which dossiers a report covers; an empty field means "all"."""

    center: str = ""  # Center.agency_code
    province: str = ""  # Center.province, e.g. "Tỉnh Phú Thọ"
    sector: str = ""  # Sector.code
    procedure: str = ""  # Procedure.code, e.g. "1.001193"
    channel: str = ""  # Channel value: kiosk / counter / online / postal
    officer: str = ""  # the username of the officer the dossier is assigned to

    def __post_init__(self) -> None:
        if self.channel and self.channel not in Channel.values:
            raise KpiError(f"Kênh tiếp nhận không hợp lệ: {self.channel}.")

    @property
    def fits_cells(self) -> bool:
        """Monthly cells are kept per center, field and channel: other slices read the facts."""
        return not (self.procedure or self.officer)

    def filter(self, rows: QuerySet, *, cells: bool = False) -> QuerySet:
        if self.center:
            rows = rows.filter(center__agency_code=self.center)
        if self.province:
            rows = rows.filter(center__province=self.province)
        if self.sector:
            rows = rows.filter(sector__code=self.sector)
        if self.channel:
            rows = rows.filter(channel=self.channel)
        if not cells:
            if self.procedure:
                rows = rows.filter(procedure__code=self.procedure)
            if self.officer:
                rows = rows.filter(assignee__username=self.officer)
        return rows


@dataclass
class Counts:
    """Additive counts over a set of dossiers judged at one moment."""

    received: int = 0
    online: int = 0
    withdrawn: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_within_time: int = 0
    in_progress_overdue: int = 0
    refused: int = 0
    stopped: int = 0
    with_result: int = 0
    e_results: int = 0
    digitized: int = 0
    reused: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    rated: int = 0
    dissatisfied: int = 0
    complaints: int = 0
    unhappy: int = 0
    processing_days: Decimal = Decimal(0)

    def add(self, other: Counts, sign: int = 1) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + sign * getattr(other, f.name))


COUNT_NAMES = tuple(f.name for f in fields(Counts))
# Breakdown keys → (fact column, cell column); None: not kept in the cells.
KEY_COLUMNS = {
    "center": ("center_id", "center_id"),
    "month": ("received_month", "month"),
    "sector": ("sector_id", "sector_id"),
    "channel": ("channel", "channel"),
    "procedure": ("procedure_id", None),
    "officer": ("assignee_id", None),
}


def _count_expressions(judged_at: datetime | None) -> dict[str, Any]:
    """Each count of ``Counts`` as an SQL aggregate over facts judged at ``judged_at``.

    A milestone counts when it happened before the judgement moment (events at or after it are
    ignored, as a report on a closed period must not change); ``None`` judges the facts as they
    stand, after all their milestones (what the monthly cells store).
    """

    def before(name: str) -> Q:
        if judged_at is None:
            return Q(**{f"{name}__isnull": False})
        return Q(**{f"{name}__lt": judged_at})

    def not_before(name: str) -> Q:
        if judged_at is None:
            return Q(**{f"{name}__isnull": True})
        return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": judged_at})

    return {f"n_{name}": value for name, value in _expressions(before, not_before).items()}


def _expressions(before, not_before) -> dict[str, Any]:
    ended, withdrawn = before("end_at"), before("withdrawn_at")
    open_ = not_before("end_at") & not_before("withdrawn_at")
    rated = before("rated_at")
    dissatisfied = Q(rating="dissatisfied")
    return {
        "received": Count("pk"),
        "online": Count("pk", filter=Q(channel=Channel.ONLINE)),
        "withdrawn": Count("pk", filter=withdrawn),
        "resolved": Count("pk", filter=ended),
        "resolved_early": Count("pk", filter=ended & Q(outcome=Outcome.EARLY)),
        "resolved_on_time": Count("pk", filter=ended & Q(outcome=Outcome.ON_TIME)),
        "resolved_late": Count("pk", filter=ended & Q(outcome=Outcome.LATE)),
        "in_progress_within_time": Count("pk", filter=open_ & not_before("late_since")),
        "in_progress_overdue": Count("pk", filter=open_ & before("late_since")),
        "refused": Count("pk", filter=ended & Q(end_status=DossierStatus.NOT_ACCEPTED)),
        "stopped": Count("pk", filter=ended & Q(end_status=DossierStatus.STOPPED)),
        "with_result": Count("pk", filter=before("result_at")),
        "e_results": Count("pk", filter=before("result_at") & before("e_result_at")),
        "digitized": Count("pk", filter=before("digitized_at")),
        "reused": Count("pk", filter=before("reused_at")),
        "fee_bearing": Count("pk", filter=Q(fee_bearing=True)),
        "paid_online": Count("pk", filter=Q(fee_bearing=True) & before("paid_online_at")),
        "rated": Count("pk", filter=rated),
        "dissatisfied": Count("pk", filter=rated & dissatisfied),
        "complaints": Count("pk", filter=rated & Q(complaint=True)),
        "unhappy": Count("pk", filter=rated & (dissatisfied | Q(complaint=True))),
        "processing_days": Sum("processing_days", filter=ended),
    }


def _collect(rows, columns: list[str]) -> dict[tuple, Counts]:
    result: dict[tuple, Counts] = {}
    for row in rows:
        # Aggregates are aliased "n_<count>": a bare name would clash with the model's columns.
        values: dict[str, Any] = {
            name: row[f"n_{name}"] or 0 for name in COUNT_NAMES if f"n_{name}" in row
        }
        values["processing_days"] = Decimal(values.get("processing_days") or 0)
        result[tuple(row[c] for c in columns)] = Counts(**values)
    return result


def aggregate_facts(
    facts: QuerySet, *, judged_at: datetime | None, keys: tuple[str, ...]
) -> dict[tuple, Counts]:
    """Counts over facts judged at a moment, grouped by breakdown keys (() for one total)."""
    columns = [KEY_COLUMNS[k][0] for k in keys]
    return _grouped(facts, columns, _count_expressions(judged_at))


def aggregate_cells(cells: QuerySet, keys: tuple[str, ...]) -> dict[tuple, Counts]:
    columns = []
    for key in keys:
        column = KEY_COLUMNS[key][1]
        if column is None:
            raise ValueError(f"the monthly cells keep no {key!r} breakdown: read the facts")
        columns.append(column)
    sums = {
        f"n_{name}": Sum(name)
        for name in COUNT_NAMES
        if name not in ("in_progress_within_time", "in_progress_overdue")
    }
    return _grouped(cells, columns, sums)


def _grouped(
    rows: QuerySet, columns: list[str], expressions: dict[str, Any]
) -> dict[tuple, Counts]:
    """Run the aggregates grouped by ``columns`` (one total row when there are none)."""
    if columns:
        found = rows.order_by().values(*columns).annotate(**expressions)
    else:
        row = rows.order_by().aggregate(**expressions)
        found = [row] if row["n_received"] else []
    return _collect(found, columns)


def counts(
    date_from: date,
    date_to: date,
    *,
    slice: Slice | None = None,
    now: datetime | None = None,
    keys: tuple[str, ...] = (),
    use_cells: bool = True,
) -> tuple[datetime, dict[tuple, Counts]]:
    """The judgement moment and the counts of the dossiers received in the period, by keys.

    Whole months of a slice the cells cover are read from the cells, corrected by the facts
    whose milestones fall at or after the judgement moment and by the unfinished ones; the rest
    of the period reads the facts directly. Both give the same numbers (tests/reports check it
    on random histories); the cells only make a province-year cheap.
    """
    slice = slice or Slice()
    start, end = period_bounds(date_from, date_to)
    judged_at = min(end, now) if now is not None else end
    facts = slice.filter(DossierFact.objects.all())
    use_cells = use_cells and slice.fits_cells and all(KEY_COLUMNS[k][1] for k in keys)
    whole_months = _whole_months(date_from, date_to)
    totals: dict[tuple, Counts] = {}

    def merge(groups: dict[tuple, Counts], sign: int = 1) -> None:
        for key, value in groups.items():
            totals.setdefault(key, Counts()).add(value, sign)

    if use_cells and whole_months is not None:
        first_month, after_last = whole_months
        whole_start = datetime.combine(first_month, time.min, tzinfo=VIETNAM)
        whole_end = datetime.combine(after_last, time.min, tzinfo=VIETNAM)
        cells = slice.filter(KpiCell.objects.all(), cells=True).filter(
            month__gte=first_month, month__lt=after_last
        )
        merge(aggregate_cells(cells, keys))
        in_months = facts.filter(received_at__gte=whole_start, received_at__lt=whole_end)
        settled_late = in_months.filter(is_closed=True, settled_at__gte=judged_at)
        merge(aggregate_facts(settled_late, judged_at=None, keys=keys), -1)
        merge(aggregate_facts(settled_late, judged_at=judged_at, keys=keys))
        merge(aggregate_facts(in_months.filter(is_closed=False), judged_at=judged_at, keys=keys))
        edges = facts.filter(
            Q(received_at__gte=start, received_at__lt=whole_start)
            | Q(received_at__gte=whole_end, received_at__lt=end)
        )
        merge(aggregate_facts(edges, judged_at=judged_at, keys=keys))
    else:
        period = facts.filter(received_at__gte=start, received_at__lt=end)
        merge(aggregate_facts(period, judged_at=judged_at, keys=keys))
    return judged_at, {k: v for k, v in totals.items() if v.received}


def _whole_months(date_from: date, date_to: date) -> tuple[date, date] | None:
    """The first whole month inside the period and the first day after the last whole one;
    None when the period holds no whole month."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    after = _next_month(date_to) if _next_month(date_to) - timedelta(days=1) == date_to else None
    if after is None:
        after = date(date_to.year, date_to.month, 1)
    if first >= after:
        return None
    return first, after


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


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
    target: float | None = None

    @property
    def missed_target(self) -> bool:
        return self.target is not None and self.rate is not None and self.rate < self.target


@dataclass
class GroupScore:
    code: str
    name: str
    points: float | None
    max_points: float
    indices: list[str]


@dataclass
class Score:
    total: float | None  # 0–100: points over the points that could be measured
    points: float
    max_points: float
    groups: list[GroupScore]


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
    fee_bearing: int = 0
    paid_online: int = 0
    with_result: int = 0
    e_results: int = 0
    digitized: int = 0
    reused: int = 0
    rated: int = 0
    dissatisfied: int = 0
    complaints: int = 0
    average_processing_days: float | None = None
    indices: dict[str, IndexValue] = field(default_factory=dict)
    # Nothing measured until report_from scores the indices.
    score: Score = field(default_factory=lambda: Score(None, 0.0, 0.0, []))

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


REPORT_COUNTS = tuple(
    f.name for f in fields(KpiReport) if f.name in COUNT_NAMES and f.name != "processing_days"
)


def report_from(
    date_from: date, date_to: date, judged_at: datetime, slice: Slice, c: Counts | None
) -> KpiReport:
    """The report (counts, sub-indices, group scores) from the counts of one population."""
    c = c or Counts()
    report = KpiReport(date_from, date_to, judged_at, slice)
    for name in REPORT_COUNTS:
        setattr(report, name, getattr(c, name))
    if c.resolved:
        average = Decimal(c.processing_days) / c.resolved
        report.average_processing_days = float(average.quantize(Decimal("0.01"), ROUND_HALF_UP))

    timely = c.resolved_early + c.resolved_on_time + c.in_progress_within_time
    judged = c.resolved + c.in_progress_within_time + c.in_progress_overdue
    late = c.resolved_late + c.in_progress_overdue
    goals = targets()
    indices = {
        "2.1": _index("2.1", timely, judged),
        "3.3": _index("3.3", c.online, c.received),
        "3.6": _index("3.6", c.paid_online, c.fee_bearing),
        "4.1": _index("4.1", c.e_results, c.with_result),
        "4.2": _index("4.2", c.digitized, c.received),
        "4.3": _index("4.3", c.reused, c.received),
        # 100% − (late rate + rate with a complaint or "không hài lòng"), both over the dossiers
        # judged for 2.1: one denominator, so the subtraction is exact before rounding.
        "5.4": _index(
            "5.4",
            max(judged - late - c.unhappy, 0),
            judged,
            note="" if c.rated or not judged else "Chưa có đánh giá nào của người dân trong kỳ.",
        ),
    }
    for code, value in indices.items():
        value.target = goals.get(code)
    report.indices = indices
    report.score = score(indices)
    return report


def score(indices: dict[str, IndexValue]) -> Score:
    """The group scores of QĐ 766 from the measurable sub-indices (rules at ``GROUPS``)."""
    groups: list[GroupScore] = []
    points = max_points = 0.0
    for rule in GROUPS:
        got = possible = 0.0
        measured = False
        for code, weight in rule.parts:
            full_at = INDICATORS[code].full_score_at or 100.0
            value = indices.get(code)
            if value is None or value.rate is None:
                continue  # N/A: nothing to score, neither gained nor lost
            measured = True
            got += weight * min(value.rate / full_at, 1.0)
            possible += weight
        groups.append(
            GroupScore(
                rule.code,
                rule.name,
                round(got, 2) if measured else None,
                sum(w for _, w in rule.parts),
                [code for code, _ in rule.parts],
            )
        )
        points += got
        max_points += possible
    total = round(points * 100 / max_points, 2) if max_points else None
    return Score(total, round(points, 2), max_points, groups)


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


def compute(
    date_from: date,
    date_to: date,
    *,
    slice: Slice | None = None,
    now: datetime | None = None,
) -> KpiReport:
    """All counts, sub-indices and group scores for the dossiers received in the period."""
    slice = slice or Slice()
    judged_at, groups = counts(date_from, date_to, slice=slice, now=now)
    return report_from(date_from, date_to, judged_at, slice, groups.get(()))


@dataclass
class BreakdownRow:
    key: str
    label: str
    report: KpiReport


BREAKDOWNS = ("month", "sector", "officer", "center", "channel", "procedure")


def breakdown(
    date_from: date,
    date_to: date,
    by: str,
    *,
    slice: Slice | None = None,
    now: datetime | None = None,
) -> list[BreakdownRow]:
    """One report per month / field / officer / center / channel / procedure of the slice."""
    if by not in BREAKDOWNS:
        raise KpiError(f"Không có cách chia số liệu theo “{by}”.")
    slice = slice or Slice()
    judged_at, groups = counts(date_from, date_to, slice=slice, now=now, keys=(by,))
    labels = _labels(by, [key[0] for key in groups])
    rows = [
        BreakdownRow(key, labels[raw], report_from(date_from, date_to, judged_at, slice, c))
        for (raw,), c in groups.items()
        for key in [_key_text(by, raw)]
    ]
    if by == "month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (-r.report.received, r.label))
    return rows


def _key_text(by: str, raw: Any) -> str:
    if by == "month":
        return f"{raw:%Y-%m}"
    return "" if raw is None else str(raw)


def _labels(by: str, raws: list[Any]) -> dict[Any, str]:
    from django.contrib.auth import get_user_model

    from motcua.catalog.models import Procedure, Sector
    from motcua.centers.models import Center

    if by == "month":
        return {r: f"Tháng {r.month}/{r.year}" for r in raws}
    if by == "channel":
        return {r: str(Channel(r).label) if r in Channel.values else r for r in raws}
    if by == "sector":
        names = dict(Sector.objects.filter(pk__in=raws).values_list("pk", "name"))
    elif by == "procedure":
        names = dict(Procedure.objects.filter(pk__in=raws).values_list("pk", "name"))
    elif by == "center":
        names = dict(Center.objects.filter(pk__in=raws).values_list("pk", "commune"))
    else:
        # Vietnamese order, family name first, as everywhere in the back office.
        names = {
            user.pk: f"{user.last_name} {user.first_name}".strip() or user.get_username()
            for user in get_user_model().objects.filter(pk__in=[r for r in raws if r])
        }
    return {r: names.get(r) or ("Chưa phân công" if r is None else str(r)) for r in raws}


@dataclass
class RankRow:
    rank: int
    center_code: str
    center_name: str
    commune: str
    score: Score
    report: KpiReport


def ranking(
    province: str, date_from: date, date_to: date, *, now: datetime | None = None
) -> list[RankRow]:
    """The province's centers by the measurable 766 score, best first; ties share a rank."""
    from motcua.centers.models import Center

    slice = Slice(province=province)
    judged_at, groups = counts(date_from, date_to, slice=slice, now=now, keys=("center",))
    rows = []
    for center in Center.objects.filter(province=province).order_by("commune", "pk"):
        report = report_from(
            date_from,
            date_to,
            judged_at,
            Slice(center=center.agency_code),
            groups.get((center.pk,)),
        )
        rows.append(
            RankRow(0, center.agency_code, center.name, center.commune, report.score, report)
        )

    def order(row: RankRow) -> tuple:
        total = row.score.total
        return (total is None, -(total or 0.0), row.commune)

    rows.sort(key=order)
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.score.total != previous:
            rank, previous = position, row.score.total
        row.rank = rank
    return rows
