"""Reads for the back office: the inbox with its deadline marks, and the access-checked search.

Nothing here reads the clock: callers pass ``now`` (style: time is data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from vn_text import fold

from motcua.backoffice.access import visible_dossiers
from motcua.centers.models import StaffMembership
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import normalize_code
from motcua.dossiers.states import Channel, DossierStatus, Role
from motcua.workcalendar.services import OfficeHours, WorkCalendar, to_local

# Dossiers that still need an officer: everything but the four end states. A processed dossier
# stays in the inbox until the result is handed back (đã trả kết quả).
DONE_STATUSES = frozenset(
    {
        DossierStatus.NOT_ACCEPTED,
        DossierStatus.RETURNED,
        DossierStatus.STOPPED,
        DossierStatus.WITHDRAWN,
    }
)
# "Sắp đến hạn": due within this many working days after today.
DUE_SOON_WORKING_DAYS = 2
MAX_INBOX_ROWS = 500
MAX_SEARCH_RESULTS = 50


class Scope:
    MINE = "mine"
    UNIT = "unit"
    CENTER = "center"
    PROVINCE = "province"


SCOPE_LABELS = {
    Scope.MINE: _("Giao cho tôi"),
    Scope.UNIT: _("Đơn vị của tôi"),
    Scope.CENTER: _("Toàn trung tâm"),
    Scope.PROVINCE: _("Toàn tỉnh"),
}


class Mark:
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"
    PAUSED = "paused"
    NONE = ""


MARK_LABELS = {
    Mark.OVERDUE: _("Quá hạn"),
    Mark.DUE_TODAY: _("Đến hạn hôm nay"),
    Mark.DUE_SOON: _("Sắp đến hạn"),
    Mark.PAUSED: _("Tạm dừng, chờ bổ sung"),
    Mark.NONE: "",
}


def scopes_for(membership: StaffMembership) -> list[str]:
    """The inbox tabs a member has, the default one first."""
    if membership.role == Role.PROVINCIAL_VIEWER:
        return [Scope.PROVINCE]
    if membership.role == Role.SPECIALIST:
        return [Scope.MINE, Scope.UNIT] if membership.unit_id else [Scope.MINE]
    # Reception, leader and center admin watch the whole center first.
    scopes = [Scope.CENTER, Scope.MINE]
    if membership.unit_id:
        scopes.append(Scope.UNIT)
    return scopes


# Inbox filters (``?trang-thai=…&kenh=…``): the officer's questions "what is new, what is being
# worked on, what is due, what is finished", and where the dossier came in.
class StateFilter:
    NEW = "moi"
    IN_PROGRESS = "dang-xu-ly"
    DUE = "den-han"
    FINISHED = "da-xong"


STATE_FILTER_LABELS = {
    StateFilter.NEW: _("Mới"),
    StateFilter.IN_PROGRESS: _("Đang xử lý"),
    StateFilter.DUE: _("Sắp đến hạn, quá hạn"),
    StateFilter.FINISHED: _("Đã xong"),
}
STATE_FILTER_STATUSES = {
    StateFilter.NEW: {DossierStatus.SUBMITTED, DossierStatus.RECEIVED},
    StateFilter.IN_PROGRESS: {
        DossierStatus.IN_PROGRESS,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.AWAITING_PAYMENT,
        DossierStatus.AWAITING_SIGNATURE,
    },
    # A processed dossier waits only for the hand-over: it is finished for the officers.
    StateFilter.FINISHED: DONE_STATUSES | {DossierStatus.PROCESSED},
}
CHANNEL_FILTERS = {
    "kiosk": Channel.KIOSK,
    "quay": Channel.COUNTER,
    "truc-tuyen": Channel.ONLINE,
    "buu-chinh": Channel.POSTAL,
}
CHANNEL_FILTER_LABELS = {
    "kiosk": _("Kiosk"),
    "quay": _("Quầy"),
    "truc-tuyen": _("Trực tuyến"),
    "buu-chinh": _("Bưu chính"),
}


def scope_queryset(
    membership: StaffMembership, scope: str, *, finished: bool = False
) -> QuerySet[Dossier]:
    dossiers = visible_dossiers(membership)
    if finished:
        dossiers = dossiers.filter(status__in=STATE_FILTER_STATUSES[StateFilter.FINISHED])
    else:
        dossiers = dossiers.filter(~Q(status__in=DONE_STATUSES))
    if scope == Scope.MINE:
        return dossiers.filter(assignee=membership.user_id)
    if scope == Scope.UNIT:
        return dossiers.filter(unit=membership.unit_id)
    return dossiers


def soon_limit(now: datetime, calendar: WorkCalendar, hours: OfficeHours) -> datetime:
    """The close of office hours on the DUE_SOON_WORKING_DAYS-th working day after today."""
    local = to_local(now)
    day = calendar.add_working_days(local.date(), DUE_SOON_WORKING_DAYS)
    return local.replace(
        year=day.year,
        month=day.month,
        day=day.day,
        hour=hours.afternoon_end.hour,
        minute=hours.afternoon_end.minute,
        second=0,
        microsecond=0,
    )


def deadline_mark(dossier: Dossier, now: datetime, soon_until: datetime) -> str:
    """How urgent the dossier is. No mark when no clock runs (no time limit, result ready)."""
    if dossier.due_at is None or dossier.status in DONE_STATUSES | {DossierStatus.PROCESSED}:
        return Mark.NONE
    if dossier.clock_paused_at is not None:
        return Mark.PAUSED
    if dossier.due_at < now:
        return Mark.OVERDUE
    if to_local(dossier.due_at).date() == to_local(now).date():
        return Mark.DUE_TODAY
    if dossier.due_at <= soon_until:
        return Mark.DUE_SOON
    return Mark.NONE


@dataclass
class Row:
    dossier: Dossier
    mark: str

    @property
    def mark_label(self) -> str:
        return str(MARK_LABELS[self.mark])


@dataclass
class Tab:
    scope: str
    label: str
    count: int
    current: bool


@dataclass
class Filter:
    value: str
    label: str
    url: str
    current: bool


@dataclass
class Inbox:
    scope: str
    rows: list[Row]
    tabs: list[Tab]
    counts: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    state: str = ""
    channel: str = ""
    state_filters: list[Filter] = field(default_factory=list)
    channel_filters: list[Filter] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def filtered(self) -> bool:
        return bool(self.state or self.channel)


def _marked(dossiers: list[Dossier], now: datetime, calendar: WorkCalendar | None) -> list[Row]:
    calendar = calendar or WorkCalendar.from_db()
    limits: dict[int, datetime] = {}
    rows = []
    for dossier in dossiers:
        if dossier.center_id not in limits:
            limits[dossier.center_id] = soon_limit(
                now, calendar, OfficeHours.from_center(dossier.center)
            )
        rows.append(Row(dossier, deadline_mark(dossier, now, limits[dossier.center_id])))
    return rows


def _filter_url(scope: str, state: str, channel: str) -> str:
    params = {"xem": scope, "trang-thai": state, "kenh": channel}
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _filters(scope: str, state: str, channel: str) -> tuple[list[Filter], list[Filter]]:
    states = [Filter("", str(_("Tất cả")), _filter_url(scope, "", channel), not state)]
    states += [
        Filter(value, str(label), _filter_url(scope, value, channel), value == state)
        for value, label in STATE_FILTER_LABELS.items()
    ]
    channels = [Filter("", str(_("Mọi kênh")), _filter_url(scope, state, ""), not channel)]
    channels += [
        Filter(value, str(label), _filter_url(scope, state, value), value == channel)
        for value, label in CHANNEL_FILTER_LABELS.items()
    ]
    return states, channels


DUE_MARKS = frozenset({Mark.OVERDUE, Mark.DUE_TODAY, Mark.DUE_SOON})


def inbox(
    membership: StaffMembership,
    scope: str | None,
    *,
    now: datetime,
    calendar: WorkCalendar | None = None,
    state: str | None = None,
    channel: str | None = None,
) -> Inbox:
    """The dossiers of one tab, soonest due first (finished ones: latest first), with marks,
    counts and the state and channel filters. Unknown filter values mean "all"."""
    scopes = scopes_for(membership)
    scope = scope if scope in scopes else scopes[0]
    state = state if state in STATE_FILTER_LABELS else ""
    channel = channel if channel in CHANNEL_FILTERS else ""
    finished = state == StateFilter.FINISHED
    dossiers_qs = scope_queryset(membership, scope, finished=finished)
    if state in (StateFilter.NEW, StateFilter.IN_PROGRESS):
        dossiers_qs = dossiers_qs.filter(status__in=STATE_FILTER_STATUSES[state])
    if channel:
        dossiers_qs = dossiers_qs.filter(channel=CHANNEL_FILTERS[channel])
    if finished:
        ordered = dossiers_qs.order_by("-received_at", "-id")
    else:
        ordered = dossiers_qs.order_by(F("due_at").asc(nulls_last=True), "received_at", "id")
    dossiers = list(ordered[: MAX_INBOX_ROWS + 1])
    truncated = len(dossiers) > MAX_INBOX_ROWS
    rows = _marked(dossiers[:MAX_INBOX_ROWS], now, calendar)
    if state == StateFilter.DUE:
        # The marks need the center's office hours and calendar: filtered here, among the
        # soonest-due rows (the due ones come first in that order).
        rows = [row for row in rows if row.mark in DUE_MARKS]
    counts = {mark: 0 for mark in (Mark.OVERDUE, Mark.DUE_TODAY, Mark.DUE_SOON, Mark.PAUSED)}
    for row in rows:
        if row.mark:
            counts[row.mark] += 1
    filtered = bool(state or channel)
    tabs = [
        Tab(
            scope=s,
            label=str(SCOPE_LABELS[s]),
            count=len(rows)
            if s == scope and not filtered
            else scope_queryset(membership, s).count(),
            current=s == scope,
        )
        for s in scopes
    ]
    state_filters, channel_filters = _filters(scope, state, channel)
    return Inbox(
        scope=scope,
        rows=rows,
        tabs=tabs,
        counts=counts,
        truncated=truncated,
        state=state,
        channel=channel,
        state_filters=state_filters,
        channel_filters=channel_filters,
    )


_ID_NUMBER = re.compile(r"^[0-9]{9,12}$")


def search(
    membership: StaffMembership,
    query: str,
    *,
    now: datetime,
    calendar: WorkCalendar | None = None,
) -> list[Row]:
    """Dossiers the member may read whose code, applicant name or ID number matches.

    Names are compared without accents and case ("nguyen thi" finds "Nguyễn Thị"), in Python:
    SQLite's LIKE folds ASCII only, and a commune center holds a few thousand dossiers a year.

    A provincial viewer sees masked names only, so they search by dossier code only: a match on
    a name or an ID number would tell them who applied for what (NĐ 13/2023/NĐ-CP; found by the
    black-box review, "Xuân Việt" un-masked "N*** X*** V").
    """
    text = " ".join((query or "").split())[:200]
    if not text:
        return []
    visible = visible_dossiers(membership)
    if membership.role == Role.PROVINCIAL_VIEWER:
        code = normalize_code(text)
        if not any(ch.isdigit() for ch in code):
            return []
        found = visible.filter(code__icontains=code).order_by("-received_at", "-id")
        return _marked(list(found[:MAX_SEARCH_RESULTS]), now, calendar)
    ids: set[int] = set()
    if any(ch.isdigit() for ch in text):
        # A code or its tail ("0007"), or a personal ID number (exact: never a prefix search
        # over other people's numbers).
        matches = Q(code__icontains=normalize_code(text))
        if _ID_NUMBER.match(text):
            matches |= Q(applicant_id_number=text)
        ids.update(visible.filter(matches).values_list("id", flat=True)[:MAX_SEARCH_RESULTS])
    else:
        # Every typed word starts a word of the name: "ng tuyet" finds "Nguyễn Thị Ánh Tuyết".
        words = fold(text).split()
        for pk, name in visible.values_list("id", "applicant_name").iterator():
            name_words = fold(name).split()
            if all(any(n.startswith(w) for n in name_words) for w in words):
                ids.add(pk)
    dossiers = list(visible.filter(id__in=ids).order_by("-received_at", "-id")[:MAX_SEARCH_RESULTS])
    return _marked(dossiers, now, calendar)
