"""Which document the leader signs: the procedure's own result form, or a generic answer.

The catalog names each procedure's result (``Procedure.result``, "Kết quả thực hiện" on Cổng
Dịch vụ công quốc gia). Where that result is a civil-status paper whose content the declaration
already holds (Giấy khai sinh / Trích lục khai sinh, Trích lục khai tử: Luật Hộ tịch 2014
Đ.17, Đ.34; their forms in Thông tư 04/2020/TT-BTP), the signed document follows that form and
is filled from the dossier's declaration. Every other result is a generic "Văn bản trả lời"
that names the catalog's result. Nothing is made up: a line whose value the declaration does
not hold is left out, and no register number (số, quyển) is printed, since the software keeps
no civil-status register.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from vn_text import fold

from motcua.dossiers.models import Dossier


@dataclass(frozen=True)
class Line:
    label: str
    field: str


@dataclass(frozen=True)
class Part:
    heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ResultForm:
    """One layout. ``key`` is stable (tests, the stored record); ``title`` is printed."""

    key: str
    title: str
    parts: tuple[Part, ...] = ()

    @property
    def is_generic(self) -> bool:
        return not self.parts


@dataclass(frozen=True)
class FilledPart:
    heading: str
    rows: list[tuple[str, str]]


GENERIC = ResultForm(key="generic", title="VĂN BẢN TRẢ LỜI KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")

_BIRTH_PARTS = (
    Part(
        "Người được khai sinh",
        (
            Line("Họ, chữ đệm, tên", "child_full_name"),
            Line("Ngày, tháng, năm sinh", "child_birth_date"),
            Line("Giới tính", "child_sex"),
            Line("Dân tộc", "child_ethnicity"),
            Line("Quốc tịch", "child_nationality"),
            Line("Nơi sinh", "child_birth_place"),
            Line("Quê quán", "child_hometown"),
        ),
    ),
    Part(
        "Người mẹ",
        (
            Line("Họ, chữ đệm, tên", "mother_full_name"),
            Line("Năm sinh", "mother_birth_date"),
            Line("Dân tộc", "mother_ethnicity"),
            Line("Quốc tịch", "mother_nationality"),
            Line("Nơi cư trú", "mother_address"),
        ),
    ),
    Part(
        "Người cha",
        (
            Line("Họ, chữ đệm, tên", "father_full_name"),
            Line("Năm sinh", "father_birth_date"),
            Line("Dân tộc", "father_ethnicity"),
            Line("Quốc tịch", "father_nationality"),
            Line("Nơi cư trú", "father_address"),
        ),
    ),
    Part(
        "Người đi đăng ký khai sinh",
        (
            Line("Họ, chữ đệm, tên", "requester_full_name"),
            Line("Quan hệ với người được khai sinh", "requester_relationship"),
        ),
    ),
)

_DEATH_PARTS = (
    Part(
        "Người đã chết",
        (
            Line("Họ, chữ đệm, tên", "deceased_full_name"),
            Line("Ngày, tháng, năm sinh", "deceased_birth_date"),
            Line("Giới tính", "deceased_sex"),
            Line("Dân tộc", "deceased_ethnicity"),
            Line("Quốc tịch", "deceased_nationality"),
            Line("Số định danh cá nhân", "deceased_id_number"),
            Line("Nơi cư trú cuối cùng", "deceased_address"),
            Line("Đã chết vào lúc", "death_time"),
            Line("Ngày chết", "death_date"),
            Line("Nơi chết", "death_place"),
            Line("Nguyên nhân chết", "death_cause"),
            Line("Số Giấy báo tử", "death_notice_number"),
            Line("Cơ quan cấp Giấy báo tử", "death_notice_issuer"),
        ),
    ),
    Part(
        "Người đi đăng ký khai tử",
        (
            Line("Họ, chữ đệm, tên", "requester_full_name"),
            Line("Quan hệ với người đã chết", "requester_relationship"),
        ),
    ),
)

# The catalog's result text (folded: no accents, lower case) → the form. Exact names only: a
# "bản sao trích lục hộ tịch" is a copy of an existing record, not a new registration.
FORMS_BY_RESULT: dict[str, ResultForm] = {
    "giay khai sinh": ResultForm("birth_certificate", "GIẤY KHAI SINH", _BIRTH_PARTS),
    "trich luc khai sinh": ResultForm("birth_extract", "TRÍCH LỤC KHAI SINH", _BIRTH_PARTS),
    "trich luc khai tu": ResultForm("death_extract", "TRÍCH LỤC KHAI TỬ", _DEATH_PARTS),
}


def _folded(text: str) -> str:
    return " ".join(fold(unicodedata.normalize("NFC", text or "")).lower().strip(" .;").split())


def form_for(dossier: Dossier) -> ResultForm:
    """The result form the catalog names for the dossier's procedure, or the generic answer."""
    form = FORMS_BY_RESULT.get(_folded(dossier.procedure.result))
    if form is None:
        return GENERIC
    # A civil-status paper is filled from the declaration; without one (a dossier imported
    # from another system, a generic form) there is nothing true to fill it with.
    answers = dossier.form_data or {}
    if not any(answers.get(line.field) for part in form.parts for line in part.lines):
        return GENERIC
    return form


def _display(field, value: Any, *, year_only: bool) -> str:
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if field is not None and field.choices:
        labels = {c.value: c.label for c in field.choices}
        return unicodedata.normalize("NFC", str(labels.get(value, value)))
    if isinstance(value, str) and field is not None and field.type == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day:%Y}" if year_only else f"{day:%d/%m/%Y}"
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


def fill(form: ResultForm, dossier: Dossier) -> list[FilledPart]:
    """The form's parts with the declaration's values; empty lines and parts are left out."""
    from motcua.eforms.registry import definition_for

    try:
        fields = {
            f.name: f for s in definition_for(dossier.procedure.code).sections for f in s.fields
        }
    except Exception:  # noqa: BLE001 - a broken definition must not stop the result
        fields = {}
    answers = dossier.form_data or {}
    filled = []
    for part in form.parts:
        rows = []
        for line in part.lines:
            shown = _display(
                fields.get(line.field),
                answers.get(line.field),
                year_only=line.label == "Năm sinh",
            )
            if shown:
                rows.append((line.label, shown))
        if rows:
            filled.append(FilledPart(part.heading, rows))
    return filled
