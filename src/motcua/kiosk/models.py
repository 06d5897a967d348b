"""Kiosk devices: a kiosk works only on a device an admin registered and bound to a center."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center
from motcua.core.devices import RegisteredDevice


class KioskDevice(RegisteredDevice):
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="kiosks", verbose_name=_("trung tâm")
    )
    name = models.CharField(_("tên kiosk"), max_length=100)
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

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosk")
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.name} – {self.center}"

    @property
    def actor(self) -> str:
        return f"kiosk:{self.pk}"
