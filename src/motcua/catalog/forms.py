"""Admin form for a procedure: list fields edited as plain lines, not raw JSON.

Officers maintaining the catalog write one step per line and one legal document per line
("123/2015/NĐ-CP | Nghị định ... hộ tịch"), which is how the portal shows them.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure

LINE_HELP = _("Mỗi dòng một mục.")


def _lines(text: str | None) -> list[str]:
    text = unicodedata.normalize("NFC", text or "")
    return [line.strip() for line in text.splitlines() if line.strip()]


class LinesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 6, "cols": 100})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", LINE_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        return _lines(super().to_python(value))


class LegalBasisField(LinesField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{item.get('code', '')} | {item.get('title', '')}".rstrip(" |") for item in value
            )
        return value

    def to_python(self, value):
        items = []
        for number, line in enumerate(super().to_python(value), 1):
            code, _sep, title = line.partition("|")
            code, title = code.strip(), title.strip()
            if not code:
                raise forms.ValidationError(
                    _("Dòng %(n)s: thiếu số hiệu văn bản trước dấu |."), params={"n": number}
                )
            if len(code) > 200:
                raise forms.ValidationError(
                    _("Dòng %(n)s: số hiệu văn bản quá dài."), params={"n": number}
                )
            items.append({"code": code, "title": title})
        return items


class ProcedureAdminForm(forms.ModelForm):
    steps = LinesField(label=_("Trình tự thực hiện"))
    legal_basis = LegalBasisField(
        label=_("Căn cứ pháp lý"),
        help_text=_(
            "Mỗi dòng một văn bản: số hiệu | trích yếu. Ví dụ: 123/2015/NĐ-CP | Nghị định…"
        ),
    )
    uncertain_fields = LinesField(label=_("Thông tin cần kiểm tra lại"))
    source_url = forms.URLField(
        label=_("Nguồn"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Procedure
        fields = [
            *("code", "name", "sector", "level", "agency", "decision", "subjects", "steps"),
            *("conditions", "result", "legal_basis", "status", "valid_from", "valid_to"),
            *("version", "online_level", "popularity", "source_url", "uncertain_fields"),
        ]
