"""Password rules for officers' accounts (settings.AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in Vietnamese.

    Django 5.2 changed this message's text and its Vietnamese catalog still has the old one, so
    officers would read it in English while every other password message is Vietnamese.
    """

    def get_error_message(self) -> str:
        return _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }

    def get_help_text(self) -> str:
        return _("Mật khẩu của bạn phải có ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }
