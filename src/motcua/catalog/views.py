"""Public catalog pages: home, search, sector, procedure. No login; only published procedures.

The read helpers and display formats here (``find_published``, ``format_time``, ``format_fee``)
are shared with the JSON API so a page and the API never say different things.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Field, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from vn_text import fold

from motcua.catalog.fees import Fee
from motcua.catalog.models import Procedure, ProcedureChannel, Sector
from motcua.catalog.states import Channel, DocumentRequirement, PublicationStatus, TimeUnit
from motcua.core.views import require_safe

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from motcua.search.finder import Hit

# Longer than any real question; a cap keeps the finder's cost per request bounded.
MAX_QUERY_LENGTH = 500
SEARCH_RESULTS = 10
POPULAR_COUNT = 8

_WHITESPACE = re.compile(r"\s+")


class SearchFailed(ValueError):
    """A query that cannot be searched; ``message`` is Vietnamese and safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class QueryTooLong(SearchFailed):
    pass


def query_too_long_message() -> str:
    return _("Nội dung tìm kiếm quá dài: tối đa %(max)d ký tự. Xin vui lòng nhập ngắn gọn hơn.") % {
        "max": MAX_QUERY_LENGTH
    }


def clean_query(raw: str | None) -> str:
    """Trim the query; control characters count as spaces. Raise QueryTooLong over the cap."""
    if raw is None:
        return ""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryTooLong(query_too_long_message())
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in raw)
    return _WHITESPACE.sub(" ", text).strip()


# The fields of a Found's procedure; any other is loaded by one more query per procedure.
FOUND_FIELDS = ("code", "name", "online_level", "popularity", "sector__code", "sector__name")


@dataclass(frozen=True)
class Found:
    procedure: Procedure
    score: float
    reason: str


def find_published(query: str, k: int) -> list[Found]:
    """The finder's hits in rank order, limited to procedures published right now."""
    # Imported on first use: the finder pulls in the embedding model and its libraries, which
    # the other pages and the admin do not need.
    from motcua.search import finder

    try:
        hits: list[Hit] = finder.get_finder().search(query, k=k)
    except finder.QueryError as exc:
        raise SearchFailed(exc.message) from None
    by_code = (
        Procedure.objects.published()
        .select_related("sector")
        # What the results list and the API's items show: the long texts and JSON fields
        # (steps, legal basis) cost a lookup more to load and decode than its template.
        .only(*FOUND_FIELDS)
        .in_bulk([hit.code for hit in hits], field_name="code")
    )
    return [
        Found(procedure=by_code[hit.code], score=hit.score, reason=hit.reason)
        for hit in hits
        if hit.code in by_code
    ]


class SectorCounts(TypedDict):
    procedure_count: int


def sectors_with_counts() -> QuerySet[WithAnnotations[Sector, SectorCounts]]:
    published = Q(procedures__status=PublicationStatus.PUBLISHED)
    return (
        Sector.objects.annotate(procedure_count=Count("procedures", filter=published))
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


def published_detail(code: str) -> Procedure:
    return get_object_or_404(
        Procedure.objects.published()
        .select_related("sector")
        .prefetch_related("channels", "documents"),
        code=code,
    )


def ordered_channels(procedure: Procedure) -> list[ProcedureChannel]:
    """Channels in the portal's order: in person, online, by post."""
    order = list(Channel.values)
    return sorted(procedure.channels.all(), key=lambda ch: order.index(ch.channel))


def online_text(procedure: Procedure) -> str:
    if procedure.online_level:
        return procedure.get_online_level_display()
    if any(ch.channel == Channel.ONLINE for ch in procedure.channels.all()):
        return _("Có thể nộp trực tuyến (chưa rõ mức độ)")
    return _("Chưa có thông tin")


def _number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return f"{value.normalize():f}".replace(".", ",")


def format_time(channel: ProcedureChannel) -> str:
    if channel.time_value is None:
        return _("Chưa có thông tin")
    if channel.time_value == 0:
        return _("Trong ngày")
    unit = TimeUnit(channel.time_unit).label if channel.time_unit else ""
    return f"{_number(channel.time_value)} {unit}".strip()


def format_fee(channel: ProcedureChannel) -> str:
    if channel.fee_vnd is not None or channel.copy_fee_vnd or channel.fee_unit:
        # The wording of the kiosk, the slip and the dossier page (per copy, per page).
        return Fee.of_channel(channel).text()
    # Hộ tịch fees are set by each province's People's Council (TT 85/2019/TT-BTC).
    note = channel.fee_note.casefold()
    if "hđnd" in note or "hội đồng nhân dân" in note:
        return _("Theo quy định của HĐND tỉnh")
    return _("Chưa có thông tin")


def where_to_submit(channel: ProcedureChannel) -> str:
    if channel.channel == Channel.DIRECT:
        return _("Nộp trực tiếp tại %(center)s") % {"center": settings.MOTCUA_CENTER_NAME}
    if channel.channel == Channel.ONLINE:
        return _("Nộp trực tuyến trên Cổng Dịch vụ công quốc gia")
    return _("Gửi hồ sơ qua dịch vụ bưu chính công ích")


# Names used in uncertain_fields that are not model fields (channel fields, legacy draft names).
_UNCERTAIN_ALIASES = {
    "time_value": gettext_noop("thời hạn giải quyết"),
    "time_unit": gettext_noop("thời hạn giải quyết"),
    "processing_days": gettext_noop("thời hạn giải quyết"),
    "fee_vnd": gettext_noop("phí, lệ phí"),
    "fee": gettext_noop("phí, lệ phí"),
    "online": gettext_noop("mức độ trực tuyến"),
    "channels": gettext_noop("hình thức nộp"),
    "documents": gettext_noop("thành phần hồ sơ"),
}
_LEADING_NAME = re.compile(r"^[a-z_]+")


def _adds_information(note: str, shown: str) -> bool:
    """Whether a raw portal note says more than the formatted value (it is often just "1")."""
    folded = fold(note).strip(" .;:")
    return bool(folded) and not folded.isdigit() and folded != fold(shown)


def uncertain_labels(procedure: Procedure) -> list[str]:
    """Vietnamese names of the fields flagged as uncertain; free-text notes are not shown."""
    labels: list[str] = []
    for entry in procedure.uncertain_fields:
        match = _LEADING_NAME.match(entry)
        if not match:
            continue
        name = match.group()
        if name in _UNCERTAIN_ALIASES:
            label = _(_UNCERTAIN_ALIASES[name])
        else:
            try:
                field = Procedure._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            # A reverse relation ("documents") has no label of its own.
            if not isinstance(field, Field):
                continue
            label = str(field.verbose_name)
        if label not in labels:
            labels.append(label)
    return labels


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    popular = (
        Procedure.objects.published()
        .filter(popularity__isnull=False)
        .select_related("sector")
        .order_by("popularity", "name")[:POPULAR_COUNT]
    )
    return render(
        request, "catalog/home.html", {"popular": popular, "sectors": sectors_with_counts()}
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"query": "", "results": None, "error": ""}
    status = 200
    try:
        query = clean_query(request.GET.get("q"))
        context["query"] = query
        if query:
            context["results"] = find_published(query, k=SEARCH_RESULTS)
    except SearchFailed as exc:
        context["error"] = exc.message
        status = 400
    if request.headers.get("HX-Request"):
        # Live results while typing: htmx does not swap 4xx answers, and the message belongs
        # in the results area, so the fragment always comes with 200.
        return render(request, "catalog/_results.html", context)
    if context["results"] is None:
        context["sectors"] = sectors_with_counts()
    return render(request, "catalog/search.html", context, status=status)


@require_safe
def sector_detail(request: HttpRequest, code: str) -> HttpResponse:
    sector = get_object_or_404(Sector, code=code)
    procedures = sector.procedures.published().select_related("sector").order_by("name")
    if not procedures.exists():
        raise Http404
    return render(request, "catalog/sector.html", {"sector": sector, "procedures": procedures})


@require_safe
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = published_detail(code)
    channels = []
    for ch in ordered_channels(procedure):
        time, fee = format_time(ch), format_fee(ch)
        channels.append(
            {
                "label": ch.get_channel_display(),
                "where": where_to_submit(ch),
                "time": time,
                "time_note": ch.time_note if _adds_information(ch.time_note, time) else "",
                "fee": fee,
                "fee_note": ch.fee_note if _adds_information(ch.fee_note, fee) else "",
            }
        )
    return render(
        request,
        "catalog/procedure.html",
        {
            "procedure": procedure,
            "channels": channels,
            # What everyone must bring comes first; the "if your case is..." papers after it.
            "documents": sorted(
                procedure.documents.all(),
                key=lambda d: d.requirement != DocumentRequirement.REQUIRED,
            ),
            "uncertain": uncertain_labels(procedure),
            "online_text": online_text(procedure),
        },
    )
