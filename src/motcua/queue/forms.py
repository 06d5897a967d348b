"""Input of the queue's pages, checked with Vietnamese messages before any service runs."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.queue.models import ServiceArea
from motcua.queue.states import Priority

ID_NUMBER = re.compile(r"^\d{12}$")


class AreaChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("Khu vực không có ở trung tâm này. Chọn một khu vực trong danh sách."),
        "required": _("Chọn khu vực ông/bà cần đến."),
    }


class TakeNumberForm(forms.Form):
    area = AreaChoiceField(queryset=ServiceArea.objects.none(), label=_("Khu vực"))
    priority = forms.ChoiceField(
        choices=Priority.choices,
        required=False,
        label=_("Đối tượng ưu tiên"),
        error_messages={"invalid_choice": _("Loại ưu tiên không hợp lệ.")},
    )

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        area = cast(AreaChoiceField, self.fields["area"])
        area.queryset = ServiceArea.objects.filter(center=center, is_active=True)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Mã lịch hẹn"), required=False, max_length=12)
    id_number = forms.CharField(label=_("Hoặc số định danh (12 số)"), required=False, max_length=12)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if code and not re.fullmatch(r"[A-Z0-9]{6}", code):
            raise forms.ValidationError(_("Mã lịch hẹn gồm 6 chữ và số, ví dụ K7P2QA."))
        return code

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip()
        if value and not ID_NUMBER.match(value):
            raise forms.ValidationError(_("Số định danh gồm đúng 12 chữ số."))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.errors and not data.get("code") and not data.get("id_number"):
            raise forms.ValidationError(_("Nhập mã lịch hẹn hoặc số định danh."))
        return data


class BookingForm(forms.Form):
    area = AreaChoiceField(queryset=ServiceArea.objects.none(), label=_("Khu vực"))
    slot = forms.CharField(label=_("Giờ hẹn"), max_length=40)
    id_number = forms.CharField(
        label=_("Số định danh (không bắt buộc, để đến nơi chỉ cần đọc số)"),
        required=False,
        max_length=12,
    )

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        area = cast(AreaChoiceField, self.fields["area"])
        area.queryset = ServiceArea.objects.filter(
            center=center, is_active=True, appointments_per_counter__gt=0
        )

    def clean_slot(self) -> datetime:
        raw = self.cleaned_data["slot"].strip()
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError(_("Chọn một giờ hẹn trong danh sách.")) from None
        if moment.tzinfo is None:
            raise forms.ValidationError(_("Chọn một giờ hẹn trong danh sách."))
        return moment

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"].strip()
        if value and not ID_NUMBER.match(value):
            raise forms.ValidationError(_("Số định danh gồm đúng 12 chữ số."))
        return value


def parse_day(raw: str | None, *, first: date, last: date) -> date | None:
    """A day from the booking page's query string, within the bookable range, or None."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if first <= day <= last else None
