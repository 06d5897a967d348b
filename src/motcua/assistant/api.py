"""``POST /api/v1/assistant``: the assistant's answer as JSON, the same pipeline as every surface."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from motcua.assistant import services

router = Router(tags=["Hỏi đáp"])


class AskIn(Schema):
    question: str = Field(
        description="Câu hỏi tự do (tối đa 500 ký tự); không gửi họ tên, số giấy tờ, số điện thoại",
        examples=["Đăng ký khai sinh cần giấy tờ gì?"],
    )


class TimeOut(Schema):
    value: float = Field(description="Thời hạn; 0 là trong ngày")
    unit: Literal["working_days", "days", "hours"]


class FactsOut(Schema):
    fee_vnd: int | None = Field(description="Lệ phí câu trả lời nêu (đồng); null nếu không nêu")
    time: TimeOut | None = Field(description="Thời hạn câu trả lời nêu; null nếu không nêu")
    documents: list[str] = Field(description="Giấy tờ câu trả lời nêu")


class CandidateOut(Schema):
    code: str
    name: str
    link: str


class AnswerOut(Schema):
    answer: str = Field(description="Câu trả lời bằng tiếng Việt")
    code: str | None = Field(description="Mã thủ tục được trả lời; null nếu không có")
    refused: bool = Field(
        description="true khi câu hỏi ngoài phạm vi hoặc thủ tục không thuộc cấp xã"
    )
    facts: FactsOut
    kind: str = Field(
        description="facts, overview, clarify, follow_up_unknown, refused, redirect, "
        "injection, status hoặc not_in_catalog (danh mục không có thủ tục cho việc được hỏi)"
    )
    link: str = Field(description="Trang thủ tục (hoặc trang tra cứu hồ sơ)")
    source_url: str = Field(description="Nguồn: bản ghi trên Cổng Dịch vụ công quốc gia")
    candidates: list[CandidateOut] = Field(
        description="Các thủ tục để chọn khi câu hỏi chưa rõ, hoặc thủ tục gần nhất (chỉ là "
        "đường dẫn) khi danh mục không có thủ tục cho việc được hỏi"
    )
    personal_data_removed: bool = Field(
        description="true khi câu hỏi có dữ liệu cá nhân đã được bỏ qua (không lưu, không nhắc lại)"
    )


class ErrorOut(Schema):
    detail: str


@router.post(
    "/assistant",
    response={200: AnswerOut, 400: ErrorOut, 429: ErrorOut},
    summary="Hỏi đáp thủ tục hành chính",
    description=(
        "Trả lời từ danh mục thủ tục đã công bố: giấy tờ, lệ phí, thời hạn, nơi nộp, các bước. "
        "Cuộc trò chuyện ngắn được nhớ theo phiên (cookie) trong vài phút: chỉ mã thủ tục và "
        "chủ đề, không lưu câu hỏi."
    ),
)
def ask(request: HttpRequest, payload: AskIn):
    try:
        turn = services.answer_request(request, payload.question)
    except services.TooManyQuestions as exc:
        raise HttpError(429, exc.message) from None
    except services.QuestionError as exc:
        raise HttpError(400, exc.message) from None
    a = turn.answer
    return AnswerOut(
        answer=a.text,
        code=a.code,
        refused=a.refused,
        facts=FactsOut(**a.facts()),
        kind=a.kind,
        link=a.link,
        source_url=a.source_url,
        candidates=[CandidateOut(**c) for c in a.candidates],
        personal_data_removed=a.pii_removed,
    )
