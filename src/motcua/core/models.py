"""Tables of the system itself (not of any domain)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """One fixed window of a rate limit (``motcua.core.ratelimit``)."""

    key = models.CharField(_("khóa"), max_length=200)
    window_start = models.DateTimeField(_("đầu khung thời gian"))
    count = models.PositiveIntegerField(_("số lần"), default=0)

    class Meta:
        verbose_name = _("bộ đếm giới hạn truy cập")
        verbose_name_plural = _("bộ đếm giới hạn truy cập")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_start")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"
