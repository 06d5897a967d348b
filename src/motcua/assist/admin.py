from django.contrib import admin

from motcua.assist.models import AssistanceConsent
from motcua.centers.scoping import CenterScopedAdmin


@admin.register(AssistanceConsent)
class AssistanceConsentAdmin(CenterScopedAdmin):
    list_display = ["created_at", "member", "center", "verified_at", "used_at", "dossier"]
    list_filter = ["center"]
    readonly_fields = [f.name for f in AssistanceConsent._meta.fields]
    exclude = ["code_hash"]

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
