"""The commune radio's bulletins and each center's own pronunciation entries."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center


class Bulletin(models.Model):
    """One day's text for the commune loudspeakers and the audio made from it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chưa tạo âm thanh")
        QUEUED = "queued", _("Đang chờ tạo âm thanh")
        RENDERING = "rendering", _("Đang tạo âm thanh")
        READY = "ready", _("Đã có âm thanh")
        FAILED = "failed", _("Tạo âm thanh lỗi")

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="bulletins", verbose_name=_("trung tâm")
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    text = models.TextField(_("nội dung"))
    intro = models.BooleanField(_("nhạc hiệu mở đầu"), default=True)
    outro = models.BooleanField(_("nhạc hiệu kết thúc"), default=True)
    pause_ms = models.PositiveIntegerField(
        _("nghỉ giữa các câu (mili giây)"),
        default=700,
        validators=[MinValueValidator(200), MaxValueValidator(3000)],
    )
    play_at = models.DateTimeField(_("giờ phát"), null=True, blank=True)
    played_at = models.DateTimeField(_("đã phát lúc"), null=True, blank=True, editable=False)

    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    done_sentences = models.PositiveIntegerField(default=0, editable=False)
    total_sentences = models.PositiveIntegerField(default=0, editable=False)
    # A new render (or an edit) takes a new token; a thread still working on the old text sees
    # the token change and stops instead of overwriting the new state.
    render_token = models.CharField(max_length=32, blank=True, editable=False)
    error = models.CharField(_("lỗi"), max_length=300, blank=True, editable=False)
    audio_file = models.CharField(max_length=300, blank=True, editable=False)
    audio_seconds = models.FloatField(null=True, blank=True, editable=False)
    render_seconds = models.FloatField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người soạn"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("bản tin truyền thanh")
        verbose_name_plural = _("bản tin truyền thanh")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "play_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def progress_percent(self) -> int:
        if not self.total_sentences:
            return 0
        return int(100 * self.done_sentences / self.total_sentences)

    @property
    def working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)


# Written forms: letters (any script a bulletin uses), digits inside ("F0"), and . / & - °
_WRITTEN = re.compile(r"^[^\s\d].{0,39}$")


def validate_spoken(value: str) -> None:
    if any(ch.isdigit() for ch in value):
        raise ValidationError(
            _("Cách đọc phải viết bằng chữ, không có chữ số (ví dụ “hai mươi”, không “20”).")
        )
    if not any(ch.isalpha() for ch in value):
        raise ValidationError(_("Cách đọc phải có chữ."))


def validate_written(value: str) -> None:
    if value != value.strip() or not _WRITTEN.match(value) or "\n" in value:
        raise ValidationError(
            _(
                "Chữ viết phải bắt đầu bằng chữ hoặc ký hiệu, không khoảng trắng ở hai đầu, tối đa 40 ký tự."
            )
        )


class CenterPronunciation(models.Model):
    """A center's own reading of an abbreviation or unit ("HTX" → hợp tác xã), merged over the
    bundled dictionary for everything the center's radio reads."""

    class Section(models.TextChoices):
        ABBREVIATION = "abbreviations", _("Chữ viết tắt")
        UNIT = "units", _("Đơn vị đo (đọc sau một số)")

    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        related_name="pronunciations",
        verbose_name=_("trung tâm"),
    )
    section = models.CharField(
        _("loại"), max_length=16, choices=Section.choices, default=Section.ABBREVIATION
    )
    written = models.CharField(_("chữ viết"), max_length=40, validators=[validate_written])
    spoken = models.CharField(_("cách đọc"), max_length=200, validators=[validate_spoken])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cách đọc riêng")
        verbose_name_plural = _("cách đọc riêng")
        ordering = ["section", "written"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "section", "written"], name="speech_pronunciation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.written} → {self.spoken}"
