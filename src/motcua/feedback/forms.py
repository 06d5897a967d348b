"""Forms of the public pages: each field checked, a Vietnamese message for each mistake."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center
from motcua.core.text import SafeTextValidator
from motcua.dossiers.states import Rating
from motcua.feedback.states import FeedbackKind

PHONE = re.compile(r"^0\d{9}$")


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Mức độ hài lòng"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Xin chọn một mức đánh giá."),
            "invalid_choice": _("Xin chọn một mức đánh giá."),
        },
    )
    comment = forms.CharField(
        label=_("Góp ý thêm (không bắt buộc)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[SafeTextValidator()],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class FeedbackForm(forms.Form):
    center = forms.ModelChoiceField(
        label=_("Gửi đến"),
        queryset=Center.objects.filter(is_active=True).order_by("name"),
        empty_label=None,
        error_messages={"invalid_choice": _("Xin chọn trung tâm nhận phản ánh.")},
    )
    kind = forms.ChoiceField(
        label=_("Loại"),
        choices=FeedbackKind.choices,
        widget=forms.RadioSelect,
        initial=FeedbackKind.COMPLAINT,
        error_messages={
            "required": _("Xin chọn phản ánh hoặc kiến nghị."),
            "invalid_choice": _("Xin chọn phản ánh hoặc kiến nghị."),
        },
    )
    subject = forms.CharField(
        label=_("Tiêu đề"),
        max_length=200,
        validators=[SafeTextValidator()],
        error_messages={"required": _("Xin nhập tiêu đề.")},
    )
    body = forms.CharField(
        label=_("Nội dung"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[SafeTextValidator()],
        error_messages={
            "required": _("Xin nhập nội dung phản ánh, kiến nghị."),
            "min_length": _("Nội dung quá ngắn: xin viết ít nhất 10 ký tự."),
        },
    )
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ (nếu phản ánh về một hồ sơ)"), required=False, max_length=40
    )
    last_four = forms.CharField(
        label=_("4 chữ số cuối số định danh cá nhân hoặc số điện thoại đã khai"),
        required=False,
        max_length=4,
    )
    contact_name = forms.CharField(
        label=_("Họ tên (không bắt buộc)"),
        required=False,
        max_length=100,
        validators=[SafeTextValidator()],
    )
    contact_phone = forms.CharField(
        label=_("Số điện thoại nhận trả lời (không bắt buộc)"), required=False, max_length=20
    )
    contact_email = forms.EmailField(
        label=_("Thư điện tử nhận trả lời (không bắt buộc)"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không đúng.")},
    )
    # The form metaclass moves declared fields into ``base_fields``, so this never shadows
    # ``BaseForm.files`` (the uploads); django-stubs reads it as a plain class attribute.
    files = MultipleFileField(  # type: ignore[assignment]
        label=_("Tệp đính kèm (ảnh JPEG, PNG hoặc PDF)"), required=False
    )

    def clean_contact_phone(self):
        phone = "".join(self.cleaned_data.get("contact_phone", "").split()).replace(".", "")
        if phone and not PHONE.match(phone):
            raise ValidationError(_("Số điện thoại gồm 10 chữ số, bắt đầu bằng 0."))
        return phone

    def clean_last_four(self):
        value = "".join(self.cleaned_data.get("last_four", "").split())
        if value and not re.fullmatch(r"\d{4}", value):
            raise ValidationError(_("Xin nhập đúng 4 chữ số."))
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("dossier_code") and not data.get("last_four"):
            self.add_error("last_four", _("Xin nhập 4 chữ số cuối để xác nhận hồ sơ của mình."))
        return data


class LookupForm(forms.Form):
    """The kiosk's "Đánh giá": the slip's QR (read by the scanner as text) or code + 4 digits."""

    scan = forms.CharField(required=False, max_length=600)
    code = forms.CharField(label=_("Mã hồ sơ"), required=False, max_length=40)
    last_four = forms.CharField(label=_("4 chữ số cuối"), required=False, max_length=8)


class ActivationForm(forms.Form):
    code = forms.CharField(max_length=20)
