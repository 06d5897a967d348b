"""JSON routes of the public catalog. Read-only, no login; only published procedures."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from motcua.catalog import views
from motcua.catalog.models import Procedure, ProcedureChannel, RequiredDocument

router = Router(tags=["Thủ tục hành chính"])

MAX_OFFSET = 1_000_000


class ErrorOut(Schema):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt")


class SectorOut(Schema):
    code: str = Field(description="Mã lĩnh vực (dùng trong tham số sector)")
    name: str = Field(description="Tên lĩnh vực")
    procedure_count: int = Field(description="Số thủ tục đã công bố trong lĩnh vực")


class SectorRef(Schema):
    code: str
    name: str


class ProcedureItem(Schema):
    code: str = Field(description="Mã thủ tục quốc gia, ví dụ 1.001193", examples=["1.001193"])
    name: str
    sector: SectorRef
    online_level: str = Field(description='"full" (toàn trình), "partial" (một phần) hoặc ""')
    popularity: int | None = Field(description="1 là thủ tục được thực hiện nhiều nhất")
    score: float | None = Field(
        default=None, description="Điểm phù hợp với câu hỏi (chỉ có khi tìm theo q)"
    )
    reason: str | None = Field(
        default=None, description="Giải thích ngắn vì sao thủ tục phù hợp (chỉ có khi tìm theo q)"
    )


class ProcedureListOut(Schema):
    query: str | None = Field(description="Câu hỏi đã được làm sạch; null khi không tìm kiếm")
    count: int = Field(description="Tổng số kết quả (khi tìm kiếm: số kết quả trả về)")
    limit: int
    offset: int
    items: list[ProcedureItem]


class LegalBasisOut(Schema):
    code: str = Field(description="Số hiệu văn bản")
    title: str = ""


class ChannelOut(Schema):
    channel: str = Field(description='"direct", "online" hoặc "postal"')
    channel_label: str
    where: str = Field(description="Nơi nộp hồ sơ theo hình thức này")
    time_value: float | None = Field(description="Thời hạn giải quyết; 0 là trong ngày")
    time_unit: str = Field(description='"working_days", "days", "hours" hoặc ""')
    time_text: str = Field(examples=["3 ngày làm việc"])
    time_note: str
    fee_vnd: int | None = Field(description="Phí, lệ phí (đồng); null khi chưa rõ")
    fee_text: str = Field(examples=["50.000 đồng"])
    fee_note: str


class DocumentOut(Schema):
    position: int
    name: str
    originals: int = Field(description="Số bản chính")
    copies: int = Field(description="Số bản sao")
    requirement: str = Field(description='"required" (bắt buộc) hoặc "conditional"')
    requirement_label: str
    form_name: str = Field(description="Mẫu đơn, tờ khai")
    note: str


class ProcedureDetailOut(Schema):
    code: str
    name: str
    sector: SectorRef
    level: str
    agency: str = Field(description="Cơ quan thực hiện")
    decision: str = Field(description="Quyết định công bố")
    subjects: str = Field(description="Đối tượng thực hiện")
    steps: list[str] = Field(description="Trình tự thực hiện")
    conditions: str = Field(description="Yêu cầu, điều kiện")
    result: str = Field(description="Kết quả thực hiện")
    legal_basis: list[LegalBasisOut]
    online_level: str
    source_url: str
    popularity: int | None
    valid_from: date | None
    valid_to: date | None
    version: int
    uncertain_fields: list[str] = Field(
        description="Các trường cần đối chiếu với Cổng Dịch vụ công quốc gia"
    )
    channels: list[ChannelOut]
    documents: list[DocumentOut]


def _item(proc: Procedure, found: views.Found | None = None) -> ProcedureItem:
    return ProcedureItem(
        code=proc.code,
        name=proc.name,
        sector=SectorRef(code=proc.sector.code, name=proc.sector.name),
        online_level=proc.online_level,
        popularity=proc.popularity,
        score=found.score if found else None,
        reason=found.reason if found else None,
    )


def _channel(ch: ProcedureChannel) -> ChannelOut:
    return ChannelOut(
        channel=ch.channel,
        channel_label=ch.get_channel_display(),
        where=views.where_to_submit(ch),
        time_value=float(ch.time_value) if ch.time_value is not None else None,
        time_unit=ch.time_unit,
        time_text=views.format_time(ch),
        time_note=ch.time_note,
        fee_vnd=ch.fee_vnd,
        fee_text=views.format_fee(ch),
        fee_note=ch.fee_note,
    )


def _document(doc: RequiredDocument) -> DocumentOut:
    return DocumentOut(
        position=doc.position,
        name=doc.name,
        originals=doc.originals,
        copies=doc.copies,
        requirement=doc.requirement,
        requirement_label=doc.get_requirement_display(),
        form_name=doc.form_name,
        note=doc.note,
    )


class ProcedureFilter(Schema):
    q: str | None = Field(
        default=None,
        description="Câu hỏi tự do, ví dụ “làm giấy khai sinh cho con” (tối đa 500 ký tự)",
    )
    # A slug, like the /linh-vuc/<slug>/ pages: anything else (NUL included, which PostgreSQL
    # refuses) is a 422, never a query.
    sector: str | None = Field(
        default=None,
        max_length=100,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="Mã lĩnh vực (khi không có q)",
    )
    limit: int = Field(default=20, ge=1, le=100, description="Số kết quả tối đa")
    # Bounded: a huge offset overflows the database's integer (a 500 found by schemathesis).
    offset: int = Field(
        default=0,
        ge=0,
        le=MAX_OFFSET,
        description="Bỏ qua bao nhiêu kết quả (khi không có q)",
    )


@router.get(
    "/procedures",
    response={200: ProcedureListOut, 400: ErrorOut},
    summary="Tìm hoặc liệt kê thủ tục",
    description=(
        "Có q: kết quả của bộ tìm kiếm theo thứ tự phù hợp, kèm điểm và lý do. "
        "Không có q (hoặc q rỗng): danh sách thủ tục đã công bố, phân trang, lọc theo lĩnh vực."
    ),
)
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilter]):
    try:
        query = views.clean_query(filters.q)
        if query:
            found = views.find_published(query, k=filters.limit)
            return ProcedureListOut(
                query=query,
                count=len(found),
                limit=filters.limit,
                offset=0,
                items=[_item(f.procedure, f) for f in found],
            )
    except views.SearchFailed as exc:
        raise HttpError(400, exc.message) from None
    procedures = Procedure.objects.published().select_related("sector").order_by("code")
    if filters.sector:
        procedures = procedures.filter(sector__code=filters.sector)
    page = procedures[filters.offset : filters.offset + filters.limit]
    return ProcedureListOut(
        query=None,
        count=procedures.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[_item(p) for p in page],
    )


@router.get(
    "/procedures/{code}",
    response={200: ProcedureDetailOut, 404: ErrorOut},
    summary="Chi tiết một thủ tục",
)
def get_procedure(request: HttpRequest, code: str):
    proc = views.published_detail(code)
    return ProcedureDetailOut(
        code=proc.code,
        name=proc.name,
        sector=SectorRef(code=proc.sector.code, name=proc.sector.name),
        level=proc.level,
        agency=proc.agency,
        decision=proc.decision,
        subjects=proc.subjects,
        steps=list(proc.steps),
        conditions=proc.conditions,
        result=proc.result,
        legal_basis=[LegalBasisOut(**lb) for lb in proc.legal_basis],
        online_level=proc.online_level,
        source_url=proc.source_url,
        popularity=proc.popularity,
        valid_from=proc.valid_from,
        valid_to=proc.valid_to,
        version=proc.version,
        uncertain_fields=list(proc.uncertain_fields),
        channels=[_channel(ch) for ch in views.ordered_channels(proc)],
        documents=[_document(d) for d in proc.documents.all()],
    )


@router.get("/sectors", response=list[SectorOut], summary="Danh sách lĩnh vực")
def list_sectors(request: HttpRequest):
    sectors = list(views.sectors_with_counts())
    return [SectorOut(code=s.code, name=s.name, procedure_count=s.procedure_count) for s in sectors]
