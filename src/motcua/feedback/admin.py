from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.centers.scoping import CenterScopedAdmin
from motcua.core.admin import ActivationCodeAdmin
from motcua.feedback.models import Feedback, RatingDevice, ServiceRating


class RatingDeviceForm(forms.ModelForm):
    def clean(self):
        super().clean()
        data = self.cleaned_data
        counter, center = data.get("counter"), data.get("center")
        if counter is not None and center is not None and counter.center_id != center.pk:
            raise ValidationError(_("Quầy phải thuộc trung tâm của thiết bị."))
        return data


@admin.register(RatingDevice)
class RatingDeviceAdmin(ActivationCodeAdmin, CenterScopedAdmin):
    form = RatingDeviceForm
    personal_data = False
    list_display = ["name", "center", "counter", "is_active", "activated_at", "last_seen_at"]
    list_filter = ["center", "is_active"]
    readonly_fields = ["activated_at", "last_seen_at"]
    actions = ["issue_activation_code"]
    activation_message = _(
        "Mã kích hoạt cho %(name)s: %(code)s — mở /danh-gia/quay/kich-hoat/ trên máy "
        "tính bảng và nhập mã này trước %(until)s."
    )

    def save_model(self, request, obj, form, change):
        # A tablet rates the visits of its own center's counter only.
        if obj.counter.center_id != obj.center_id:
            raise ValidationError(_("Quầy phải thuộc trung tâm của thiết bị."))
        super().save_model(request, obj, form, change)


@admin.register(ServiceRating)
class ServiceRatingAdmin(CenterScopedAdmin):
    list_display = ["created_at", "rating", "source", "center", "counter", "officer"]
    list_filter = ["rating", "source"]
    readonly_fields = [f.name for f in ServiceRating._meta.fields]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(CenterScopedAdmin):
    list_display = ["reference", "kind", "status", "center", "due_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
