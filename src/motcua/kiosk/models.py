"""Kiosk devices: a kiosk works only on a device an admin registered and bound to a center."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center

ACTIVATION_TTL = timedelta(minutes=30)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class KioskDevice(models.Model):
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="kiosks", verbose_name=_("trung tâm")
    )
    name = models.CharField(_("tên kiosk"), max_length=100)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    idle_seconds = models.PositiveIntegerField(
        _("thời gian chờ (giây)"),
        default=90,
        help_text=_(
            "Sau bấy nhiêu giây không thao tác, kiosk hỏi rồi xóa thông tin của người dân."
        ),
    )
    has_printer = models.BooleanField(
        _("có máy in"),
        default=True,
        help_text=_(
            "Bỏ chọn nếu kiosk không có máy in: phiếu hẹn hiện mã QR trên màn hình để chụp "
            "và có thể gửi đường dẫn qua tin nhắn hoặc thư điện tử."
        ),
    )
    # Only hashes are stored: a database dump does not let anyone impersonate a kiosk.
    secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    activation_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    activation_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(_("kích hoạt lúc"), null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("hoạt động lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosk")
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.name} – {self.center}"

    @property
    def actor(self) -> str:
        return f"kiosk:{self.pk}"

    def new_activation_code(self, *, now) -> str:
        """A one-time 8-digit code the technician types on the device within 30 minutes.

        Wrong guesses are limited per client address and in total (``kiosk.views.activate``),
        not per code: a code is never used up by strangers' failures.
        """
        code = f"{secrets.randbelow(10**8):08d}"
        self.activation_code_hash = _hash(code)
        self.activation_expires_at = now + ACTIVATION_TTL
        return code

    def activation_code_matches(self, code: str, *, now) -> bool:
        return bool(
            self.activation_code_hash
            and self.activation_expires_at
            and now <= self.activation_expires_at
            and secrets.compare_digest(self.activation_code_hash, _hash(code))
        )

    def activate(self, *, now) -> str:
        """Bind the device: a new secret for its cookie; the activation code is used up."""
        secret = secrets.token_urlsafe(32)
        self.secret_hash = _hash(secret)
        self.activation_code_hash = ""
        self.activation_expires_at = None
        self.activated_at = now
        return secret

    def secret_matches(self, secret: str) -> bool:
        return bool(self.secret_hash) and secrets.compare_digest(self.secret_hash, _hash(secret))
