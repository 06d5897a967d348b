from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.centers.scoping import CenterScopedAdmin
from motcua.core.admin import ActivationCodeAdmin
from motcua.kiosk.models import KioskDevice


@admin.register(KioskDevice)
class KioskDeviceAdmin(ActivationCodeAdmin, CenterScopedAdmin):
    personal_data = False
    list_display = ["name", "center", "is_active", "has_printer", "activated_at", "last_seen_at"]
    list_filter = ["center", "is_active"]
    readonly_fields = ["activated_at", "last_seen_at"]
    actions = ["issue_activation_code"]
    activation_message = _(
        "Mã kích hoạt cho %(name)s: %(code)s — mở /kiosk/kich-hoat/ trên máy kiosk "
        "và nhập mã này trước %(until)s."
    )

    def get_readonly_fields(self, request, obj=None):
        # A kiosk stays where it was registered: moving it would let it file dossiers under
        # another center's code.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["center"] if obj is not None and not request.user.is_superuser else fields
