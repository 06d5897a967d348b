"""Short guides ("cầm tay chỉ việc") a center attaches to a procedure's public page: a video with
its WebVTT captions, or images shown as numbered steps."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.centers.models import Center


def _media_path(instance: ProcedureGuide, filename: str) -> str:
    return f"guides/{instance.center_id}/{secrets.token_hex(12)}"


def _captions_path(instance: ProcedureGuide, filename: str) -> str:
    return f"guides/{instance.center_id}/{secrets.token_hex(12)}.vtt"


class ProcedureGuide(models.Model):
    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="+", verbose_name=_("trung tâm")
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="guides", verbose_name=_("thủ tục")
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    media = models.FileField(_("video hoặc ảnh"), upload_to=_media_path, max_length=200)
    media_type = models.CharField(max_length=30, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    captions = models.FileField(
        _("phụ đề WebVTT"), upload_to=_captions_path, max_length=200, blank=True
    )
    is_published = models.BooleanField(_("hiện trên trang thủ tục"), default=True)

    class Meta:
        verbose_name = _("hướng dẫn thủ tục")
        verbose_name_plural = _("hướng dẫn thủ tục")
        ordering = ["procedure", "center", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_video(self) -> bool:
        return self.media_type.startswith("video/")
