from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.centers.scoping import CenterScopedAdmin
from motcua.feedback.models import Feedback, RatingDevice, ServiceRating


@admin.register(RatingDevice)
class RatingDeviceAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["name", "center", "counter", "is_active", "activated_at", "last_seen_at"]
    list_filter = ["center", "is_active"]
    readonly_fields = ["activated_at", "last_seen_at"]
    actions = ["issue_activation_code"]

    def save_model(self, request, obj, form, change):
        # A tablet rates the visits of its own center's counter only.
        if obj.counter.center_id != obj.center_id:
            raise ValidationError(_("Quầy phải thuộc trung tâm của thiết bị."))
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(this):
            data = original_clean(this)
            counter, center = data.get("counter"), data.get("center")
            if counter is not None and center is not None and counter.center_id != center.pk:
                raise ValidationError(_("Quầy phải thuộc trung tâm của thiết bị."))
            return data

        form.clean = clean
        return form

    @admin.action(description=_("Tạo mã kích hoạt (dùng một lần, 30 phút)"), permissions=["change"])
    def issue_activation_code(self, request, queryset):
        now = timezone.now()
        for device in queryset:
            code = device.new_activation_code(now=now)
            device.save(update_fields=["activation_code_hash", "activation_expires_at"])
            self.message_user(
                request,
                _(
                    "Mã kích hoạt cho %(name)s: %(code)s — mở /danh-gia/quay/kich-hoat/ trên máy "
                    "tính bảng và nhập mã này trước %(until)s."
                )
                % {
                    "name": device.name,
                    "code": code,
                    "until": timezone.localtime(device.activation_expires_at).strftime("%H:%M"),
                },
                messages.SUCCESS,
            )


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
