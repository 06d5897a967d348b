from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.centers.scoping import CenterScopedAdmin
from motcua.kiosk.models import KioskDevice


@admin.register(KioskDevice)
class KioskDeviceAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["name", "center", "is_active", "has_printer", "activated_at", "last_seen_at"]
    list_filter = ["center", "is_active"]
    readonly_fields = ["activated_at", "last_seen_at"]
    actions = ["issue_activation_code"]

    def get_readonly_fields(self, request, obj=None):
        # A kiosk stays where it was registered: moving it would let it file dossiers under
        # another center's code.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["center"] if obj is not None and not request.user.is_superuser else fields

    @admin.action(description=_("Tạo mã kích hoạt (dùng một lần, 30 phút)"), permissions=["change"])
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
