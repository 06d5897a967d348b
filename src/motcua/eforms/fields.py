"""Django form fields for each definition field type, with kiosk-friendly widgets.

Dates are typed as dd/mm/yyyy in a text box with a numeric keypad rather than an
<input type="date">: a date input cannot show back an impossible date like 30/02/2024, so the
citizen's typing would be lost on re-render, and picking a 1950 birth year on a touch calendar is
slow. Every input has autocomplete off: the kiosk is shared and almost every field is personal.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from motcua.core.text import validate_safe_text
from motcua.eforms.rules import normalize_phone
from motcua.eforms.schema import FieldType, FormField, MaxLength
from motcua.eforms.uploads import CheckedFile, check_upload

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d%m%Y"]
DATE_DISPLAY_FORMAT = "%d/%m/%Y"
DEFAULT_MAX_LENGTH = {FieldType.TEXT: 255, FieldType.TEXTAREA: 2000}


class IdNumberField(forms.CharField):
    """Spaces typed between digit groups are dropped; the id_number rule does the checking."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return re.sub(r"\s+", "", text) if text else text


class PhoneField(forms.CharField):
    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return normalize_phone(text) if text else text


class MoneyField(forms.Field):
    """An amount in đồng as an integer; accepts '50.000.000', '50 000 000 đ'.

    A plain ``Field``, not a ``CharField``: it cleans to an ``int``, which a text field's
    contract (``to_python`` gives text) would not allow.
    """

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text:
            return None
        text = re.sub(r"\s*(đồng|vnđ|vnd|đ)$", "", text.strip(), flags=re.IGNORECASE)
        digits = re.sub(r"[\s.,]", "", text)
        # ASCII digits only: "²".isdigit() is true but int() refuses it (a 500 found by fuzzing).
        if not (digits.isascii() and digits.isdigit()):
            raise forms.ValidationError(
                _("Nhập số tiền bằng chữ số, tính bằng đồng, ví dụ 50.000.000."), code="invalid"
            )
        return int(digits)


class DocumentFileField(forms.FileField):
    """One attached document; cleans to a CheckedFile (type by content, size, hash)."""

    def clean(self, data: Any, initial: Any = None) -> CheckedFile | None:
        if not data:
            return None
        upload = super().to_python(data)
        return None if upload is None else check_upload(upload)


# Which on-screen keyboard a touch-only kiosk opens for the field (kiosk/kiosk.js).
KEYBOARDS = {
    FieldType.TEXT: "text",
    FieldType.TEXTAREA: "text",
    FieldType.DATE: "date",
    FieldType.ID_NUMBER: "digits",
    FieldType.PHONE: "digits",
    FieldType.INTEGER: "digits",
    FieldType.MONEY: "digits",
    FieldType.EMAIL: "email",
}


def _attrs(spec: FormField, **extra: str) -> dict[str, str]:
    attrs = {"autocomplete": "off", **extra}
    keyboard = KEYBOARDS.get(spec.type)
    if keyboard == "text" and any(rule.type == "person_name" for rule in spec.rules):
        keyboard = "name"
    if keyboard:
        attrs["data-kb"] = keyboard
    if spec.help:
        attrs["aria-describedby"] = f"id_{spec.name}-help"
    if spec.required:
        attrs["aria-required"] = "true"
    return attrs


def make_field(spec: FormField, *, required_message: str) -> forms.Field:
    """The Django field for one definition field (rules are checked later, in the form)."""
    return _refuse_unsafe_text(_make_field(spec, required_message=required_message))


def _refuse_unsafe_text(field: forms.Field) -> forms.Field:
    """Typed text never carries NUL, control or invisible (bidi, zero-width) characters.

    Django's own NUL check is replaced: it speaks English and lets a right-to-left override
    through, which would disguise a name on the slip and in the officer's view (issue 9).
    """
    if isinstance(field, forms.CharField):
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        field.validators.append(validate_safe_text)
    return field


def _make_field(spec: FormField, *, required_message: str) -> forms.Field:
    common: dict[str, Any] = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help,
        "error_messages": {"required": required_message},
    }
    kind = spec.type
    max_length = next((r.value for r in spec.rules if isinstance(r, MaxLength)), None)
    if kind in (FieldType.TEXT, FieldType.TEXTAREA):
        # The max_length rule reports with its source, so Django's own length check is left
        # out then; otherwise a default cap keeps input sane.
        cap = {"maxlength": str(max_length)} if max_length else {}
        if kind == FieldType.TEXT:
            widget: forms.Widget = forms.TextInput(attrs=_attrs(spec, **cap))
        else:
            widget = forms.Textarea(attrs=_attrs(spec, rows="3", **cap))
        return forms.CharField(
            widget=widget,
            max_length=None if max_length else DEFAULT_MAX_LENGTH[kind],
            **common,
        )
    if kind == FieldType.DATE:
        common["error_messages"]["invalid"] = _(
            "Ngày không có thật hoặc sai dạng. Nhập ngày/tháng/năm, ví dụ 05/09/2024."
        )
        return forms.DateField(
            input_formats=DATE_INPUT_FORMATS,
            widget=forms.DateInput(
                format=DATE_DISPLAY_FORMAT,
                attrs=_attrs(spec, inputmode="numeric", placeholder="dd/mm/yyyy"),
            ),
            **common,
        )
    if kind in (FieldType.SELECT, FieldType.RADIO):
        choices = [(c.value, c.label) for c in spec.choices or []]
        common["error_messages"]["invalid_choice"] = _("Vui lòng chọn một trong các mục có sẵn.")
        if kind == FieldType.SELECT:
            widget = forms.Select(attrs=_attrs(spec))
            choices = [("", _("— Chọn —")), *choices]
        else:
            widget = forms.RadioSelect(attrs=_attrs(spec))
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if kind == FieldType.CHECKBOX:
        return forms.BooleanField(widget=forms.CheckboxInput(attrs=_attrs(spec)), **common)
    if kind == FieldType.ID_NUMBER:
        return IdNumberField(
            max_length=20,
            widget=forms.TextInput(
                attrs=_attrs(spec, inputmode="numeric", maxlength="15", spellcheck="false")
            ),
            **common,
        )
    if kind == FieldType.PHONE:
        return PhoneField(
            max_length=20,
            widget=forms.TextInput(attrs={**_attrs(spec, inputmode="tel"), "type": "tel"}),
            **common,
        )
    if kind == FieldType.EMAIL:
        common["error_messages"]["invalid"] = _("Địa chỉ thư điện tử không đúng dạng.")
        return forms.EmailField(
            widget=forms.EmailInput(attrs=_attrs(spec, inputmode="email", spellcheck="false")),
            **common,
        )
    if kind == FieldType.INTEGER:
        common["error_messages"]["invalid"] = _("Nhập một số nguyên bằng chữ số.")
        common["error_messages"]["min_value"] = _("Số nhỏ nhất là %(limit_value)s.")
        common["error_messages"]["max_value"] = _("Số lớn nhất là %(limit_value)s.")
        return forms.IntegerField(
            min_value=spec.min_value,
            max_value=spec.max_value,
            widget=forms.TextInput(attrs=_attrs(spec, inputmode="numeric")),
            **common,
        )
    if kind == FieldType.MONEY:
        return MoneyField(widget=forms.TextInput(attrs=_attrs(spec, inputmode="numeric")), **common)
    raise ValueError(f"no renderer for field type {kind}")
