"""Admin pieces shared by several apps; this app registers no model of its own here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


class ActivationCodeAdmin(admin.ModelAdmin):
    """Base of the admin of a ``core.devices.RegisteredDevice``, listed before the scoping
    base: the action that issues a one-time activation code. ``activation_message`` tells the
    admin where to type it, with ``%(name)s``, ``%(code)s`` and ``%(until)s``."""

    activation_message: _StrOrPromise = ""

    @admin.action(description=_("Tạo mã kích hoạt (dùng một lần, 30 phút)"), permissions=["change"])
    def issue_activation_code(self, request, queryset):
        now = timezone.now()
        for device in queryset:
            code = device.new_activation_code(now=now)
            device.save(update_fields=["activation_code_hash", "activation_expires_at"])
            self.message_user(
                request,
                self.activation_message
                % {
                    "name": device.name,
                    "code": code,
                    "until": timezone.localtime(device.activation_expires_at).strftime("%H:%M"),
                },
                messages.SUCCESS,
            )
