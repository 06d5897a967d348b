from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.kiosk.models import KioskDevice


@admin.register(KioskDevice)
class KioskDeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "center", "is_active", "activated_at", "last_seen_at"]
    list_filter = ["center", "is_active"]
    readonly_fields = ["activated_at", "last_seen_at"]
    actions = ["issue_activation_code"]

    @admin.action(description=_("Tạo mã kích hoạt (dùng một lần, 30 phút)"))
    def issue_activation_code(self, request, queryset):
        now = timezone.now()
        for device in queryset:
            code = device.new_activation_code(now=now)
            device.save(update_fields=["activation_code_hash", "activation_expires_at"])
            self.message_user(
                request,
                _(
                    "Mã kích hoạt cho %(name)s: %(code)s — mở /kiosk/kich-hoat/ trên máy kiosk "
                    "và nhập mã này trước %(until)s."
                )
                % {
                    "name": device.name,
                    "code": code,
                    "until": timezone.localtime(device.activation_expires_at).strftime("%H:%M"),
                },
                messages.SUCCESS,
            )
