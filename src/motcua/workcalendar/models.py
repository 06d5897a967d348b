"""The project's table of official calendar decisions, overriding the ``holidays`` package.

The fixed public holidays (Bộ luật Lao động 2019 Điều 112) and their compensatory days
(Điều 111 khoản 3: a holiday on a weekly rest day gives the next working day off) come from the
``holidays`` package. What the Government decides each year (the exact Tết days, the day next to
2/9, extra days off and the Saturdays swapped into working days) is announced late and sometimes
changed, so an administrator records it here; a row always wins over the package.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày lễ, Tết")
    DAY_OFF = "day_off", _("Ngày nghỉ (nghỉ bù, hoán đổi)")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class CalendarDay(models.Model):
    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=20, choices=DayKind.choices)
    name = models.CharField(
        _("tên"),
        max_length=200,
        help_text=_("Ví dụ: Tết Nguyên đán, Nghỉ bù Giỗ Tổ Hùng Vương, Làm bù cho ngày 31/8."),
    )
    note = models.TextField(
        _("ghi chú"), blank=True, help_text=_("Căn cứ: số, ngày văn bản thông báo hoặc quyết định.")
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày đặc biệt")
        verbose_name_plural = _("lịch nghỉ lễ và làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.name}"

    @property
    def is_working(self) -> bool:
        return self.kind == DayKind.WORKING_DAY
