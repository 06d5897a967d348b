"""KPI dashboards for a center's leaders and for the province, with their Excel and PDF exports.

Thin edges: a view parses the period, decides who may see what, calls the KPI engine a fixed
number of times (``load``: the headline report, the months, the fields, the officers, the
province's ranking — never once per dossier or per center) and renders. The figures and every
rule behind them live in ``motcua.reports.kpi``.

Who sees what (the figures are aggregates; the officer table is the only place names appear):

- anonymous → the officer login page;
- a member of a center (reception, specialist, leader, center admin) → their center's
  dashboard and exports, with the officer table: the center's own staff see how the team is
  doing, as every one of them is measured by the same QĐ 766 figures; another center's
  ``?trung-tam=`` → 404;
- a provincial viewer → the province dashboard of their province, and the dashboard of any
  center of that province (``?trung-tam=``, linked from the ranking) without the officer
  table; another province's center → 404; the center page without a center → the province page;
- a superuser → any center (``?trung-tam=``) and any province (``?tinh=``);
- a member of a center asking for the province page → 403: the province ranks its communes,
  each commune sees its own rank on its own dashboard.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from motcua.backoffice.access import membership_of
from motcua.centers.models import Center, StaffMembership
from motcua.core.dates import EARLIEST_DAY, latest_day
from motcua.dossiers.states import Role
from motcua.formats.vi.formats import DATE_INPUT_FORMATS
from motcua.reports import charts, exports, kpi
from motcua.reports.dashboard import Dashboard, Period, load
from motcua.reports.kpi import VIETNAM
from motcua.reports.templatetags.vi_numbers import vi_number, vi_percent

# A longer period would not fit the monthly charts on one screen, and a province-wide
# report over it would be slow; three years covers every comparison leaders ask for.
MAX_PERIOD_DAYS = 3 * 366

PRESETS = {
    "thang": gettext_noop("Tháng này"),
    "thang-truoc": gettext_noop("Tháng trước"),
    "quy": gettext_noop("Quý này"),
    "nam": gettext_noop("Năm nay"),
}

# The charts show the leading rows; the tables below them list every one.
RANKING_CHART_ROWS = 15
BREAKDOWN_CHART_ROWS = 10

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clock() -> datetime:
    """The current moment; the only place the dashboards read the clock (tests replace it)."""
    return timezone.now()


# The period


class PeriodError(Exception):
    """A period the user typed that cannot be read; the message is shown as it is."""


def parse_day(raw: str, what: str) -> date:
    """A date as Vietnamese write it (31/07/2025, 31-07-2025, 31.07.2025) or ISO (2025-07-31)."""
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise PeriodError(
        _("%(what)s “%(raw)s” không hợp lệ: ghi theo dạng ngày/tháng/năm, ví dụ 31/07/2025.")
        % {"what": what, "raw": raw[:20]}
    )


def preset_period(preset: str, today: date) -> Period:
    if preset == "thang":
        return Period(today.replace(day=1), today, preset)
    if preset == "thang-truoc":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last, preset)
    if preset == "quy":
        first_month = (today.month - 1) // 3 * 3 + 1
        return Period(today.replace(month=first_month, day=1), today, preset)
    return Period(today.replace(month=1, day=1), today, "nam")


def parse_period(params: Any, today: date) -> Period:
    """The report period from ``tu``/``den`` or ``ky``; by default this year up to today."""
    preset = params.get("ky", "").strip()
    raw_from = params.get("tu", "").strip()
    raw_to = params.get("den", "").strip()
    if preset and not raw_from and not raw_to:
        if preset not in PRESETS:
            raise PeriodError(_("Kỳ báo cáo không hợp lệ."))
        return preset_period(preset, today)
    date_from = (
        parse_day(raw_from, _("Ngày bắt đầu")) if raw_from else today.replace(month=1, day=1)
    )
    date_to = parse_day(raw_to, _("Ngày kết thúc")) if raw_to else today
    last_day = latest_day(today)
    if date_from < EARLIEST_DAY or date_to > last_day:
        raise PeriodError(
            _("Kỳ báo cáo phải nằm trong khoảng từ %(first)s đến %(last)s.")
            % {"first": f"{EARLIEST_DAY:%d/%m/%Y}", "last": f"{last_day:%d/%m/%Y}"}
        )
    if date_to < date_from:
        raise PeriodError(_("Ngày kết thúc kỳ báo cáo phải không trước ngày bắt đầu."))
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise PeriodError(_("Kỳ báo cáo dài nhất 3 năm. Xin chọn kỳ ngắn hơn."))
    for preset_key in PRESETS:
        if preset_period(preset_key, today) == Period(date_from, date_to, preset_key):
            return Period(date_from, date_to, preset_key)
    return Period(date_from, date_to)


# Access


@dataclass(frozen=True)
class Viewer:
    membership: StaffMembership | None
    superuser: bool

    @property
    def provincial(self) -> bool:
        return self.membership is not None and self.membership.role == Role.PROVINCIAL_VIEWER

    @property
    def province(self) -> str | None:
        """The province a provincial viewer reads; None for everyone else."""
        return self.membership.province if self.membership and self.provincial else None


class Refused(Exception):
    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title, self.message = title, message


def _viewer(request: HttpRequest) -> Viewer | None:
    membership = membership_of(request.user)
    superuser = request.user.is_active and request.user.is_superuser
    if membership is None and not superuser:
        return None
    return Viewer(membership, superuser)


def _center_for(viewer: Viewer, code: str) -> Center | None:
    """The center whose dashboard is asked for; None sends the viewer to the province page."""
    own = viewer.membership.center if viewer.membership and not viewer.provincial else None
    if not code or (own is not None and code == own.agency_code):
        return own
    centers = Center.objects.filter(agency_code=code)
    if viewer.province is not None:
        centers = centers.filter(province=viewer.province)
    elif not viewer.superuser:
        centers = centers.none()
    center = centers.first()
    if center is None:
        raise Http404(code)  # another center's code: the same answer as one that does not exist
    return center


def _province_for(viewer: Viewer, asked: str) -> tuple[str, list[str]]:
    """(the province shown, the provinces this viewer may pick from)."""
    if viewer.province is not None:
        province = viewer.province
        if asked and asked != province:
            raise Http404(asked)
        return province, [province]
    if viewer.superuser:
        provinces = list(
            Center.objects.order_by("province").values_list("province", flat=True).distinct()
        )
        if asked and asked not in provinces:
            raise Http404(asked)
        return asked or (provinces[0] if provinces else ""), provinces
    raise Refused(
        _("Trang dành cho cán bộ tỉnh"),
        _(
            "Bảng số liệu toàn tỉnh dành cho cán bộ tỉnh. Thứ hạng của trung tâm trong tỉnh "
            "có ở trang báo cáo của trung tâm."
        ),
    )


# The data


# Charts


EARLY, ON_TIME, LATE, WITHIN, OVERDUE = (
    charts.GREEN,
    charts.TEAL,
    charts.RED,
    charts.BLUE,
    charts.ORANGE,
)

SHARES = [
    ("2.1", gettext_noop("Trước hạn, đúng hạn (2.1)")),
    ("3.3", gettext_noop("Nộp trực tuyến (3.3)")),
    ("3.6", gettext_noop("Thanh toán trực tuyến (3.6)")),
    ("4.1", gettext_noop("Kết quả điện tử (4.1)")),
    ("4.2", gettext_noop("Số hóa hồ sơ (4.2)")),
    ("4.3", gettext_noop("Dùng lại dữ liệu số (4.3)")),
    ("5.4", gettext_noop("Mức độ hài lòng (5.4)")),
]


def _month_label(row) -> str:
    """ "2025-07" → "7/2025": short enough for twelve months side by side on a projector."""
    year, _sep, month = str(row.key).partition("-")
    return f"{int(month)}/{year}" if month.isdigit() else row.label


def _rate(report: kpi.KpiReport, code: str) -> float | None:
    index = report.indices.get(code)
    return index.rate if index is not None else None


def _target(report: kpi.KpiReport, code: str) -> float | None:
    index = report.indices.get(code)
    return index.target if index is not None else None


def _breakdown_bars(rows: list[kpi.BreakdownRow]) -> list[charts.Bar]:
    """The largest rows as bars, the rest summed into one: a chart a room can read (the table
    below it lists every row)."""
    ordered = sorted(rows, key=lambda r: -r.report.received)
    bars = [
        charts.Bar(
            r.label,
            r.report.received,
            note=_("đúng hạn %(rate)s") % {"rate": vi_percent(_rate(r.report, "2.1"))},
        )
        for r in ordered[:BREAKDOWN_CHART_ROWS]
    ]
    rest = ordered[BREAKDOWN_CHART_ROWS:]
    if rest:
        bars.append(
            charts.Bar(
                _("%(n)s mục khác") % {"n": vi_number(len(rest))},
                sum(r.report.received for r in rest),
            )
        )
    return bars


def build_charts(dashboard: Dashboard) -> dict[str, Any]:
    months = dashboard.months
    labels = [_month_label(r) for r in months]
    report = dashboard.report
    made = {
        "received": charts.column_chart(
            labels, [r.report.received for r in months], title=_("Hồ sơ tiếp nhận theo tháng")
        ),
        "rates": charts.line_chart(
            labels,
            [
                charts.Series(
                    _("Trước hạn, đúng hạn"),
                    [_rate(r.report, "2.1") for r in months],
                    charts.GREEN,
                ),
                charts.Series(
                    _("Nộp trực tuyến"), [_rate(r.report, "3.3") for r in months], charts.BLUE
                ),
            ],
            title=_("Tỷ lệ đúng hạn và tỷ lệ trực tuyến theo tháng"),
        ),
        "timeliness": charts.stacked_columns(
            labels,
            [
                charts.Series(_("Trước hạn"), [r.report.resolved_early for r in months], EARLY),
                charts.Series(_("Đúng hạn"), [r.report.resolved_on_time for r in months], ON_TIME),
                charts.Series(_("Trễ hạn"), [r.report.resolved_late for r in months], LATE),
                charts.Series(
                    _("Đang xử lý trong hạn"),
                    [r.report.in_progress_within_time for r in months],
                    WITHIN,
                ),
                charts.Series(
                    _("Đang xử lý quá hạn"),
                    [r.report.in_progress_overdue for r in months],
                    OVERDUE,
                ),
            ],
            title=_("Kết quả giải quyết theo tháng: trước hạn, đúng hạn, trễ hạn, đang xử lý"),
        ),
        "shares": charts.horizontal_bars(
            [
                charts.Bar(_(label), _rate(report, code), target=_target(report, code))
                for code, label in SHARES
            ],
            title=_("Các tỷ lệ so với mục tiêu"),
            percent=True,
            color=charts.TEAL,
        ),
        "sectors": charts.horizontal_bars(
            _breakdown_bars(dashboard.sectors), title=_("Hồ sơ tiếp nhận theo lĩnh vực")
        ),
    }
    if dashboard.scope == "province":
        made["scores"] = charts.horizontal_bars(
            [
                charts.Bar(f"{r.rank}. {r.commune}", r.score.total)
                for r in dashboard.ranking[:RANKING_CHART_ROWS]
            ],
            title=_("Điểm QĐ 766 của các xã, phường"),
            color=charts.GREEN,
            scale_max=100.0,
            decimals=2,
        )
    if dashboard.queue is not None:
        made["heatmap"] = queue_heatmap(dashboard.queue.heatmap)
    if dashboard.officers is not None:
        made["officers"] = charts.horizontal_bars(
            _breakdown_bars(dashboard.officers),
            title=_("Hồ sơ theo cán bộ xử lý"),
            color=charts.PURPLE,
        )
    return made


def queue_heatmap(heatmap) -> Any:
    """Weekday × hour, the count in each cell: when citizens come, to staff the counters."""
    from motcua.queue.reports import WEEKDAY_NAMES

    weekdays = exports.heatmap_weekdays(heatmap)
    return charts.heatmap(
        [(str(d), _(WEEKDAY_NAMES[d])) for d in weekdays],
        [(str(h), f"{h}h") for h in heatmap.hours],
        {(str(d), str(h)): n for (d, h), n in heatmap.cells.items()},
        title=_("Số thứ tự cấp theo thứ trong tuần và giờ trong ngày (giờ Việt Nam)"),
        row_attr="weekday",
        column_attr="hour",
    )


def _queue_cards(dashboard: Dashboard) -> list[dict[str, str]]:
    queue = dashboard.queue
    if queue is None:
        return []
    total, booked = queue.total, queue.appointments
    return [
        {"key": "queue_issued", "label": _("Số thứ tự đã cấp"), "value": vi_number(total.issued)},
        {"key": "queue_served", "label": _("Đã phục vụ xong"), "value": vi_number(total.served)},
        {"key": "queue_no_show", "label": _("Vắng mặt khi gọi"), "value": vi_number(total.no_show)},
        {
            "key": "queue_wait",
            "label": _("Chờ trung bình (phút)"),
            "value": vi_number(total.wait.average, 1),
        },
        {
            "key": "queue_wait_p90",
            "label": _("Chờ P90 (phút)"),
            "value": vi_number(total.wait.p90, 1),
        },
        {
            "key": "queue_service",
            "label": _("Phục vụ trung bình (phút)"),
            "value": vi_number(total.service.average, 1),
        },
        {
            "key": "queue_service_p90",
            "label": _("Phục vụ P90 (phút)"),
            "value": vi_number(total.service.p90, 1),
        },
        {
            "key": "queue_appointments",
            "label": _("Lịch hẹn: đến / đến hạn"),
            "value": f"{vi_number(booked.kept)}/{vi_number(booked.kept + booked.no_show)}",
            "target": _("đã đặt %(n)s, đã hủy %(c)s")
            % {"n": vi_number(booked.booked), "c": vi_number(booked.cancelled)},
        },
    ]


# Pages


def _refused(request: HttpRequest, title: str, message: str, status: int = 403) -> HttpResponse:
    """403: not allowed; 400: the request itself is invalid (a page that says so and why)."""
    template = "reports/400.html" if status == 400 else "backoffice/403.html"
    return render(
        request,
        template,
        {"title": title, "message": message, "membership": membership_of(request.user)},
        status=status,
    )


def _no_access(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        _("Tài khoản chưa được phân công"),
        _(
            "Tài khoản của bạn chưa được phân công vai trò tại trung tâm nào. "
            "Xin liên hệ quản trị trung tâm để được cấp quyền."
        ),
    )


def _today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


MAX_AGENCY_CODE_LENGTH = 40  # Center.agency_code
MAX_PROVINCE_LENGTH = 200  # Center.province


def _asked(request: HttpRequest, name: str, longest: int) -> str:
    """A ``?trung-tam=`` or ``?tinh=`` as typed; 404 for text no center could have (a NUL byte,
    which PostgreSQL refuses outright, other control characters, or longer than the field)."""
    value = unicodedata.normalize("NFC", request.GET.get(name, "")).strip()
    if len(value) > longest or any(unicodedata.category(ch).startswith("C") for ch in value):
        raise Http404(name)
    return value


def _resolve(request: HttpRequest, scope: str):
    """(viewer, center, province, provinces) for the page asked for, or a response to send."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    viewer = _viewer(request)
    if viewer is None:
        return _no_access(request)
    try:
        if scope == "center":
            center = _center_for(viewer, _asked(request, "trung-tam", MAX_AGENCY_CODE_LENGTH))
            if center is None:
                return redirect(reverse("reports:province") + _carry(request, ("tu", "den", "ky")))
            return viewer, center, center.province, []
        province, provinces = _province_for(viewer, _asked(request, "tinh", MAX_PROVINCE_LENGTH))
        return viewer, None, province, provinces
    except Refused as exc:
        return _refused(request, exc.title, exc.message)


def _carry(request: HttpRequest, names: tuple[str, ...]) -> str:
    params = {n: request.GET[n] for n in names if request.GET.get(n)}
    return "?" + urlencode(params) if params else ""


def _page(request: HttpRequest, scope: str) -> HttpResponse:
    resolved = _resolve(request, scope)
    if isinstance(resolved, HttpResponse):
        return resolved
    viewer, center, province, provinces = resolved
    now = clock()
    today = _today(now)
    context: dict[str, Any] = {
        "membership": viewer.membership,
        "scope": scope,
        "center": center,
        "province": province,
        "provinces": provinces,
        "presets": [(key, _(label)) for key, label in PRESETS.items()],
        "raw_from": request.GET.get("tu", ""),
        "raw_to": request.GET.get("den", ""),
    }
    try:
        period = parse_period(request.GET, today)
    except PeriodError as exc:
        context["error"] = str(exc)
        return render(request, "reports/dashboard.html", context, status=400)
    if scope == "province" and not province:
        context["error"] = _("Chưa có trung tâm nào trong hệ thống.")
        return render(request, "reports/dashboard.html", context, status=404)
    own_staff = _own_staff(viewer, center)
    dashboard = load(period, now, center=center, province=province, officers=own_staff)
    scope_query = {"trung-tam": center.agency_code} if center and not own_staff else {}
    if scope == "province" and not viewer.provincial:
        scope_query = {"tinh": province}
    query = urlencode({**scope_query, **period.query()})
    context.update(
        dashboard=dashboard,
        period=period,
        raw_from=f"{period.date_from:%d/%m/%Y}",
        raw_to=f"{period.date_to:%d/%m/%Y}",
        report=dashboard.report,
        # Template variables cannot hold "-": the ?bang= keys are looked up with "_".
        tables={key.replace("-", "_"): t for key, t in exports.tables(dashboard).items()},
        charts=build_charts(dashboard),
        query=query,
        scope_query=urlencode(scope_query),
        period_query=urlencode(period.query()),
        position=dashboard.position,
        communes=len(dashboard.ranking),
        headline=_headline(dashboard),
        queue_cards=_queue_cards(dashboard),
        province_link=_province_link(viewer, province) if scope == "center" else "",
    )
    return render(request, "reports/dashboard.html", context)


def _own_staff(viewer: Viewer, center: Center | None) -> bool:
    """A member of this very center: the only viewer who gets the officer table."""
    return (
        center is not None
        and viewer.membership is not None
        and viewer.membership.center_id == center.pk
    )


def _province_link(viewer: Viewer, province: str) -> str:
    if viewer.provincial:
        return reverse("reports:province")
    if viewer.superuser:
        return reverse("reports:province") + "?" + urlencode({"tinh": province})
    return ""


def _headline(dashboard: Dashboard) -> list[dict[str, str | None]]:
    """The big numbers at the top of the page, with the attribute tests read them by."""
    report = dashboard.report
    on_time, on_time_target = _rate(report, "2.1"), _target(report, "2.1")
    online, online_target = _rate(report, "3.3"), _target(report, "3.3")
    cards: list[dict[str, str | None]] = [
        {"key": "received", "label": _("Hồ sơ tiếp nhận"), "value": vi_number(report.received)},
        {"key": "resolved", "label": _("Đã giải quyết"), "value": vi_number(report.resolved)},
        {
            "key": "on_time",
            "label": _("Trước hạn, đúng hạn"),
            "value": vi_percent(on_time),
            "verdict": exports.verdict(on_time, on_time_target),
            "target": vi_percent(on_time_target) if on_time_target is not None else "",
        },
        {
            "key": "online",
            "label": _("Nộp trực tuyến"),
            "value": vi_percent(online),
            "verdict": exports.verdict(online, online_target),
            "target": vi_percent(online_target) if online_target is not None else "",
        },
        {
            "key": "overdue",
            "label": _("Đang xử lý quá hạn"),
            "value": vi_number(report.in_progress_overdue),
        },
        {
            "key": "score",
            "label": _("Điểm QĐ 766 (thang 100)"),
            "value": vi_number(report.score.total, 2),
        },
    ]
    position = dashboard.position
    if position is not None:
        cards.append(
            {
                "key": "rank",
                "label": _("Xếp hạng trong tỉnh"),
                "value": f"{vi_number(position.rank)}/{vi_number(len(dashboard.ranking))}",
            }
        )
    return cards


@require_GET
def center_dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, "center")


@require_GET
def province_dashboard(request: HttpRequest) -> HttpResponse:
    return _page(request, "province")


# Downloads


def _download(content: bytes, content_type: str, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export(request: HttpRequest, scope: str, kind: str) -> HttpResponse:
    resolved = _resolve(request, scope)
    if isinstance(resolved, HttpResponse):
        return resolved
    viewer, center, province, _provinces = resolved
    now = clock()
    try:
        period = parse_period(request.GET, _today(now))
    except PeriodError as exc:
        return _refused(request, _("Không lập được báo cáo"), str(exc), status=400)
    if scope == "province" and not province:
        raise Http404("province")
    own_staff = _own_staff(viewer, center)
    wanted = request.GET.get("bang", "").strip()
    if kind == "pdf":
        dashboard = load(period, now, center=center, province=province, queue=False)
        content = exports.report_pdf(dashboard)
        name = exports.file_stem(dashboard, "bao-cao-tthc")
        return _download(content, "application/pdf", f"{name}.pdf", inline=True)
    officers = own_staff and wanted in ("", "tat-ca", "theo-can-bo")
    dashboard = load(
        period, now, center=center, province=province, officers=officers, queue_detail=own_staff
    )
    available = exports.tables(dashboard)
    if wanted in ("", "tat-ca"):
        keys = list(available)
    elif wanted in available:
        keys = [wanted]
    else:
        return _refused(
            request,
            _("Không lập được báo cáo"),
            _("Bảng “%(table)s” không có. Các bảng: %(tables)s.")
            % {"table": wanted[:40], "tables": ", ".join(available)},
            status=400,
        )
    content = exports.workbook(dashboard, keys)
    name = exports.file_stem(dashboard, keys[0] if len(keys) == 1 else "bao-cao-tthc")
    return _download(content, XLSX, f"{name}.xlsx", inline=False)


@require_GET
def center_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "center", "xlsx")


@require_GET
def center_pdf(request: HttpRequest) -> HttpResponse:
    return _export(request, "center", "pdf")


@require_GET
def province_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "province", "xlsx")


@require_GET
def province_pdf(request: HttpRequest) -> HttpResponse:
    return _export(request, "province", "pdf")
