"""Answers composed from catalog fields only: every fee, time, document and office in them is
copied from ``ProcedureFacts`` or from the maintained table of other bodies, never written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from vn_text import fold

from motcua.assistant.facts import ChannelFacts, ProcedureFacts
from motcua.assistant.intents import OtherBody, Topic, folded_text
from motcua.catalog.fees import money
from motcua.catalog.states import Channel, OnlineLevel, TimeUnit
from motcua.catalog.views import format_fee, format_time, where_to_submit
from motcua.search.engine import display_name

if TYPE_CHECKING:
    from motcua.catalog.models import ProcedureChannel

DOCUMENT_CHARS = 220
STEP_CHARS = 260
MAX_STEPS = 6


@dataclass
class Answer:
    text: str
    code: str | None = None
    refused: bool = False
    fee_vnd: int | None = None
    time: dict | None = None
    documents: list[str] = field(default_factory=list)
    # What kind of answer: facts, overview, clarify, follow_up_unknown, refused, redirect,
    # injection, status, not_in_catalog. Surfaces style on it; the evaluation reads it.
    kind: str = "facts"
    topics: list[str] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)
    link: str = ""
    source_url: str = ""
    body: str = ""
    pii_removed: bool = False
    rephrased: bool = False

    def facts(self) -> dict:
        return {"fee_vnd": self.fee_vnd, "time": self.time, "documents": list(self.documents)}

    def as_json(self) -> dict:
        """The CLI's ``--jsonl`` line: exactly the issue's interface."""
        return {
            "answer": self.text,
            "code": self.code,
            "refused": self.refused,
            "facts": self.facts(),
        }


def procedure_link(code: str) -> str:
    try:
        path = reverse("catalog:procedure", args=[code])
    except NoReverseMatch:  # pragma: no cover - catalog urls always installed
        path = f"/thu-tuc/{code}/"
    return f"{settings.MOTCUA_PUBLIC_URL}{path}"


def tracking_link() -> str:
    try:
        path = reverse("dossiers:track_search")
    except NoReverseMatch:  # pragma: no cover
        path = "/ho-so/tra-cuu/"
    return f"{settings.MOTCUA_PUBLIC_URL}{path}"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _time_fact(ch: ChannelFacts) -> dict | None:
    if ch.time_value is None or ch.time_unit not in TimeUnit.values:
        return None
    return {"value": _number(ch.time_value), "unit": ch.time_unit}


def _channel_label(ch: ChannelFacts) -> str:
    labels: dict[str, str] = {
        Channel.DIRECT.value: _("nộp trực tiếp"),
        Channel.ONLINE.value: _("nộp trực tuyến"),
        Channel.POSTAL.value: _("gửi qua bưu chính"),
    }
    return labels.get(ch.channel, ch.channel)


def _model(ch: ChannelFacts) -> ProcedureChannel:
    # The catalog's formatters read only channel, time_value, time_unit, fee_vnd, fee_note,
    # copy_fee_vnd and fee_unit,
    # which ChannelFacts has under the same names: the page and the answer format alike.
    return cast("ProcedureChannel", ch)


def _stated_channel(
    facts: ProcedureFacts,
    channel: str | None,
    *,
    known: Callable[[ChannelFacts], bool],
    what: str,
) -> tuple[ChannelFacts | None, str]:
    """The channel whose fee or time the answer states, and what to say about the choice: the
    one the question names ("nộp trực tuyến thì lệ phí bao nhiêu") when the procedure has it
    and the catalog gives the value there, else the in-person one, saying why."""
    primary = facts.primary_channel
    if not channel or primary is None:
        return primary, ""
    named = facts.channel(channel)
    asked = _channel_label(named or ChannelFacts(channel, None, "", None, "", ""))
    if named is None:
        return primary, " " + _(
            "Thủ tục này không có hình thức %(asked)s; dưới đây là %(main)s."
        ) % {
            "asked": asked,
            "main": _channel_label(primary),
        }
    if not known(named) and known(primary):
        return primary, " " + _(
            "Danh mục không ghi %(what)s cho hình thức %(asked)s; dưới đây là %(main)s."
        ) % {"what": what, "asked": asked, "main": _channel_label(primary)}
    return named, ""


def _fee_known(ch: ChannelFacts) -> bool:
    return ch.fee_vnd is not None or bool(ch.copy_fee_vnd) or bool(ch.fee_unit)


def _time_known(ch: ChannelFacts) -> bool:
    return ch.time_value is not None


# Words in the catalog's fee note that make the amount conditional: an exemption, a
# temporary rate, a per-list or per-page rule. The note is then quoted with the amount, so the
# citizen reads the rule rather than a number stripped of its case.
_CONDITIONAL_FEE = (
    "mien",
    "truong hop",
    "den het",
    "ke tu",
    "tu ngay",
    "theo danh sach",
    "tu trang",
    "toi da",
    "hoi dong nhan dan",
    "hdnd",
    "giam",
)


def _conditional_note(ch: ChannelFacts) -> str:
    if not ch.fee_vnd:
        return ""
    note = " ".join(ch.fee_note.split())
    if not any(f" {w} " in folded_text(note) for w in _CONDITIONAL_FEE):
        return ""
    return _("Ghi chú trong danh mục: %(note)s") % {"note": _short(note, 700)}


def _fee_line(
    facts: ProcedureFacts, answer: Answer, *, channel: str | None = None, copies: bool = False
) -> str:
    main, missing = _stated_channel(facts, channel, known=_fee_known, what=_("lệ phí"))
    if main is None:
        return _("Lệ phí: danh mục chưa ghi thông tin về phí, lệ phí của thủ tục này.")
    if main.copy_fee_vnd and not main.fee_unit and (copies or _issues_copies(facts)):
        # TT 281/2016/TT-BTC: a copy of a civil-status extract costs the same per copy
        # whatever the procedure; asked about copies, that rate is the fee the citizen pays.
        answer.fee_vnd = main.copy_fee_vnd
        line = _("Lệ phí: %(rate)s cho mỗi bản sao (%(channel)s); số tiền theo số bản yêu cầu.") % {
            "rate": money(main.copy_fee_vnd),
            "channel": _channel_label(main),
        }
        if main.fee_vnd:
            line += " " + _("Lệ phí đăng ký: %(fee)s.") % {"fee": money(main.fee_vnd)}
        return line + missing
    answer.fee_vnd = main.fee_vnd
    line = _("Lệ phí: %(fee)s (%(channel)s).") % {
        "fee": format_fee(_model(main)),
        "channel": _channel_label(main),
    }
    line += missing
    others = [
        f"{_channel_label(ch)}: {format_fee(_model(ch))}"
        for ch in facts.channels
        if ch is not main and (ch.fee_vnd != main.fee_vnd) and ch.fee_vnd is not None
    ]
    if others:
        line += " " + _("Khác theo hình thức nộp — %(list)s.") % {"list": "; ".join(others)}
    if main.fee_vnd is None and main.fee_note.strip():
        line += " " + _("Ghi chú trong danh mục: %(note)s") % {"note": _short(main.fee_note, 300)}
    elif note := _conditional_note(main):
        line += " " + note
    return line


def _issues_copies(facts: ProcedureFacts) -> bool:
    """A procedure whose result is the copy itself (cấp bản sao trích lục): its only charge
    is the per-copy rate, whatever the question's wording."""
    return "ban sao" in fold(display_name(facts.name)).lower()


_DURATION = re.compile(r"(\d+)\s*(ngày làm việc|ngày|giờ|tháng)", re.IGNORECASE)


def _conditional_time_note(ch: ChannelFacts) -> str:
    """The catalog's note on the time limit when it gives other durations for some cases
    ("20 ngày làm việc đối với trường hợp …") or the only duration there is: quoted, so the
    answer states the rule and not one number stripped of its case."""
    note = " ".join(ch.time_note.split())
    durations = {(int(n), unit.lower()) for n, unit in _DURATION.findall(note)}
    if len(durations) > 1 or (ch.time_value is None and durations):
        return _("Ghi chú trong danh mục: %(note)s") % {"note": _short(note, 700)}
    return ""


def _time_line(facts: ProcedureFacts, answer: Answer, *, channel: str | None = None) -> str:
    main, missing = _stated_channel(
        facts, channel, known=_time_known, what=_("thời hạn giải quyết")
    )
    if main is None or main.time_value is None:
        line = _("Thời hạn giải quyết: danh mục chưa ghi thời hạn của thủ tục này.")
        note = _conditional_time_note(main) if main is not None else ""
        return f"{line} {note}" if note else line
    answer.time = _time_fact(main)
    text = format_time(_model(main))
    if main.time_value == 0:
        text = _("trong ngày (trả kết quả ngay trong ngày làm việc)")
    line = _("Thời hạn giải quyết: %(time)s (%(channel)s).") % {
        "time": text,
        "channel": _channel_label(main),
    }
    line += missing
    others = [
        f"{_channel_label(ch)}: {format_time(_model(ch))}"
        for ch in facts.channels
        if ch is not main
        and ch.time_value is not None
        and (ch.time_value, ch.time_unit) != (main.time_value, main.time_unit)
    ]
    if others:
        line += " " + _("Khác theo hình thức nộp — %(list)s.") % {"list": "; ".join(others)}
    if note := _conditional_time_note(main):
        line += " " + note
    return line


def _documents_lines(facts: ProcedureFacts, answer: Answer, *, required_only: bool = False) -> str:
    if not facts.documents:
        return _("Thành phần hồ sơ: danh mục chưa ghi thành phần hồ sơ của thủ tục này.")
    required = [d for d in facts.documents if d.required]
    # An overview lists the required papers only, but never an empty list: when the catalog
    # marks none as required (1.001662: its two papers depend on the works), it lists those.
    conditional = (
        [] if required_only and required else [d for d in facts.documents if not d.required]
    )
    lines = [_("Giấy tờ cần nộp hoặc xuất trình:")]
    for doc in required:
        name = _short(doc.name, DOCUMENT_CHARS)
        answer.documents.append(name)
        lines.append(f"• {name}")
    if conditional:
        lines.append(_("Tùy trường hợp:"))
        for doc in conditional:
            name = _short(doc.name, DOCUMENT_CHARS)
            answer.documents.append(name)
            lines.append(f"• {name}")
    elif required_only and len(required) < len(facts.documents):
        lines.append(
            _("(và %(n)d giấy tờ tùy trường hợp, xem trang thủ tục)")
            % {"n": len(facts.documents) - len(required)}
        )
    return "\n".join(lines)


def _where_lines(facts: ProcedureFacts) -> str:
    lines = [_("Nơi nộp hồ sơ:")]
    order = list(Channel.values)
    for ch in sorted(facts.channels, key=lambda c: order.index(c.channel)):
        lines.append(f"• {where_to_submit(_model(ch))}")
    if facts.agency:
        lines.append(_("Cơ quan giải quyết: %(agency)s.") % {"agency": facts.agency})
    return "\n".join(lines)


def _steps_lines(facts: ProcedureFacts) -> str:
    if not facts.steps:
        return _("Trình tự thực hiện: danh mục chưa ghi các bước của thủ tục này.")
    lines = [_("Trình tự thực hiện:")]
    for i, step in enumerate(facts.steps[:MAX_STEPS], 1):
        lines.append(f"{i}. {_short(step, STEP_CHARS)}")
    if len(facts.steps) > MAX_STEPS:
        lines.append(_("… (đủ %(n)d bước ở trang thủ tục)") % {"n": len(facts.steps)})
    return "\n".join(lines)


def _conditions_line(facts: ProcedureFacts) -> str:
    if not facts.conditions.strip():
        return _("Yêu cầu, điều kiện: danh mục không ghi điều kiện riêng cho thủ tục này.")
    return _("Yêu cầu, điều kiện: %(text)s") % {"text": _short(facts.conditions, 700)}


def _online_line(facts: ProcedureFacts) -> str:
    online = facts.channel(Channel.ONLINE)
    if online is None:
        return _(
            "Nộp trực tuyến: danh mục không ghi hình thức nộp trực tuyến cho thủ tục này; "
            "xin nộp trực tiếp hoặc qua bưu chính nếu có."
        )
    level = (
        OnlineLevel(facts.online_level).label
        if facts.online_level in OnlineLevel.values
        else _("chưa rõ mức độ")
    )
    return _("Nộp trực tuyến: có, trên Cổng Dịch vụ công quốc gia (mức độ: %(level)s).") % {
        "level": level
    }


def _postal_line(facts: ProcedureFacts) -> str:
    if facts.channel(Channel.POSTAL) is None:
        return _(
            "Gửi qua bưu chính: danh mục không ghi hình thức gửi hồ sơ qua bưu chính cho thủ tục "
            "này."
        )
    return _("Gửi qua bưu chính: có, %(where)s.") % {
        "where": where_to_submit(_model(cast(ChannelFacts, facts.channel(Channel.POSTAL)))).lower()
    }


def compose(
    facts: ProcedureFacts,
    topics: list[Topic],
    *,
    channel: str | None = None,
    copies: bool = False,
) -> Answer:
    """``channel``: the way of submitting the question names; ``copies``: it asks the price of
    copies of the result (``intents.asked_channel``, ``intents.asks_copies``)."""
    answer = Answer(text="", code=facts.code, topics=[str(t) for t in topics])
    answer.link = procedure_link(facts.code)
    answer.source_url = facts.source_url
    parts = [f"{display_name(facts.name)} (mã {facts.code})"]
    if not topics:
        answer.kind = "overview"
        parts.append(_time_line(facts, answer, channel=channel))
        parts.append(_fee_line(facts, answer, channel=channel, copies=copies))
        parts.append(_documents_lines(facts, answer, required_only=True))
    for topic in topics:
        if topic is Topic.FEE:
            parts.append(_fee_line(facts, answer, channel=channel, copies=copies))
        elif topic is Topic.TIME:
            parts.append(_time_line(facts, answer, channel=channel))
        elif topic is Topic.DOCUMENTS:
            parts.append(_documents_lines(facts, answer))
        elif topic is Topic.WHERE:
            parts.append(_where_lines(facts))
        elif topic is Topic.STEPS:
            parts.append(_steps_lines(facts))
        elif topic is Topic.CONDITIONS:
            parts.append(_conditions_line(facts))
        elif topic is Topic.ONLINE and channel == Channel.POSTAL.value:
            parts.append(_postal_line(facts))
        elif topic is Topic.ONLINE:
            parts.append(_online_line(facts))
    parts.append(_("Xem chi tiết: %(link)s") % {"link": answer.link})
    if facts.source_url:
        parts.append(
            _("Nguồn: Cơ sở dữ liệu quốc gia về thủ tục hành chính — %(url)s")
            % {"url": facts.source_url}
        )
    answer.text = "\n".join(parts)
    return answer


PII_NOTE = gettext_noop(
    "Vì an toàn, tôi đã bỏ qua họ tên, số giấy tờ, số điện thoại hoặc ngày sinh trong câu hỏi: "
    "hệ thống không lưu và không nhắc lại các thông tin này. Xin đừng gửi thông tin cá nhân ở đây."
)


def out_of_scope() -> Answer:
    return Answer(
        text=_(
            "Xin lỗi, tôi chỉ trả lời câu hỏi về thủ tục hành chính tại Trung tâm Phục vụ hành "
            "chính công cấp xã (giấy tờ cần nộp, lệ phí, thời hạn, nơi nộp, các bước). "
            "Bạn có thể hỏi, ví dụ: “Đăng ký khai sinh cần giấy tờ gì?”"
        ),
        refused=True,
        kind="refused",
    )


def injection() -> Answer:
    return Answer(
        text=_(
            "Xin lỗi, tôi không thể làm theo yêu cầu này. Tôi chỉ cung cấp thông tin thủ tục "
            "hành chính đúng theo danh mục đã công bố."
        ),
        refused=True,
        kind="injection",
    )


def redirect(body: OtherBody, *, country: str | None = None) -> Answer:
    named = body.body
    if country and body.by_country:
        named = f"{body.by_country % {'country': country}}; {named}"
    lines = [
        _("Việc “%(what)s” không do Trung tâm Phục vụ hành chính công cấp xã giải quyết.")
        % {"what": body.what},
        _("Cơ quan giải quyết: %(body)s.") % {"body": named},
    ]
    if body.note:
        lines.append(body.note)
    if body.sources:
        lines.append(
            _("Căn cứ: %(sources)s.") % {"sources": "; ".join(s["title"] for s in body.sources)}
        )
    return Answer(text="\n".join(lines), refused=True, kind="redirect", body=named)


def status() -> Answer:
    return Answer(
        text=_(
            "Để biết hồ sơ đang ở bước nào, xin nhập mã hồ sơ in trên Giấy tiếp nhận hồ sơ và "
            "hẹn trả kết quả tại trang Tra cứu hồ sơ: %(link)s . Tôi không tra hồ sơ theo họ tên "
            "hay số điện thoại. Bạn cho biết mã hồ sơ được không?"
        )
        % {"link": tracking_link()},
        kind="status",
        link=tracking_link(),
    )


def clarify(candidates: list[tuple[str, str]]) -> Answer:
    options = "; ".join(
        f"{i}) {display_name(name)}" for i, (_code, name) in enumerate(candidates, 1)
    )
    return Answer(
        text=_("Bạn hỏi về thủ tục nào: %(options)s? Xin trả lời bằng số thứ tự hoặc tên thủ tục.")
        % {"options": options},
        kind="clarify",
        candidates=[
            {"code": code, "name": display_name(name), "link": procedure_link(code)}
            for code, name in candidates
        ],
    )


def not_in_catalog(
    nearest: list[tuple[str, str]],
    *,
    phone: str = "",
    local_fact: bool = False,
    what: str = "",
) -> Answer:
    """A commune matter the catalog does not hold (a school transfer, a licence the commune
    does not issue, a benefit with no published procedure) or a fact about the commune itself
    (a phone number, when the chairman receives citizens). No fee, time or document is stated:
    the nearest procedures' facts would be an answer to another question. They are offered as
    links only."""
    if local_fact:
        lines = [
            _(
                "Xin lỗi, thông tin này (số điện thoại, người phụ trách, lịch tiếp công dân, "
                "giờ làm việc…) không có trong danh mục thủ tục hành chính mà tôi dùng để trả "
                "lời, nên tôi không thể trả lời chính xác."
            )
        ]
    elif what:
        lines = [
            _(
                "Xin lỗi, trong danh mục thủ tục hành chính của xã chưa có thủ tục nào đúng với "
                "việc bạn hỏi (%(what)s), nên tôi không nêu lệ phí, thời hạn hay giấy tờ để "
                "tránh thông tin sai."
            )
            % {"what": what}
        ]
    else:
        lines = [
            _(
                "Xin lỗi, trong danh mục thủ tục hành chính của xã chưa có thủ tục nào đúng với "
                "việc bạn hỏi, nên tôi không nêu lệ phí, thời hạn hay giấy tờ để tránh thông tin "
                "sai."
            )
        ]
    if phone:
        lines.append(
            _(
                "Xin hỏi trực tiếp cán bộ tại %(center)s hoặc gọi số điện thoại của Trung tâm: "
                "%(phone)s."
            )
            % {"center": settings.MOTCUA_CENTER_NAME, "phone": phone}
        )
    else:
        lines.append(
            _("Xin hỏi trực tiếp cán bộ tại %(center)s hoặc gọi đường dây nóng của xã.")
            % {"center": settings.MOTCUA_CENTER_NAME}
        )
    candidates = [
        {"code": code, "name": display_name(name), "link": procedure_link(code)}
        for code, name in nearest
    ]
    if candidates:
        lines.append(_("Có thể bạn cần:"))
        lines.extend(f"• {_short(c['name'], 140)} — {c['link']}" for c in candidates)
    return Answer(text="\n".join(lines), kind="not_in_catalog", candidates=candidates)


def which_procedure(topics: list[Topic]) -> Answer:
    return Answer(
        text=_(
            "Bạn muốn hỏi về thủ tục nào? Xin cho biết tên thủ tục hoặc việc cần làm, ví dụ "
            "“đăng ký tạm trú”."
        ),
        kind="follow_up_unknown",
        topics=[str(t) for t in topics],
    )
