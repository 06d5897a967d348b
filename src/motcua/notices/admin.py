"""Notices for administrators: what was sent, what failed and why, and "send again now".

The recipient is personal data: lists and pages show it masked (``09******78``) and search is
by dossier code only. Rows are changed only through the services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.centers.scoping import CenterScopedAdmin
from motcua.notices.models import Notice
from motcua.notices.services import retry_now


@admin.register(Notice)
class NoticeAdmin(CenterScopedAdmin):
    center_lookup = "dossier__center"
    list_display = [
        "created_at",
        "dossier",
        "kind",
        "channel",
        "masked_recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "kind", "created_at"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]
    date_hierarchy = "created_at"
    actions = ["send_again_now"]
    readonly_fields = (
        "dossier",
        "event",
        "kind",
        "channel",
        "masked_recipient",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
    )
    fields = readonly_fields

    @admin.display(description=_("người nhận"))
    def masked_recipient(self, obj: Notice) -> str:
        return obj.masked_recipient

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Gửi lại ngay"), permissions=["change"])
    def send_again_now(self, request, queryset) -> None:
        with transaction.atomic():
            count = retry_now(queryset.values_list("pk", flat=True), now=timezone.now())
        if count:
            self.message_user(
                request,
                ngettext(
                    "Đã đưa %(count)d thông báo vào hàng gửi lại ngay.",
                    "Đã đưa %(count)d thông báo vào hàng gửi lại ngay.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("Các thông báo đã chọn đều đã gửi được."), messages.WARNING
            )
