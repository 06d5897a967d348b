"""Service centers (Trung tâm Phục vụ hành chính công) and their units.

A center is the agency that receives dossiers; its ``agency_code`` is the electronic identifier
of the receiving agency (mã định danh, Quyết định 20/2020/QĐ-TTg) that starts every dossier code
(``<agency code>-<yyMMdd>-<nnnn>``). Units are the specialist teams that handle fields; staff memberships say who works where.
"""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Sector
from motcua.dossiers.states import Role

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

agency_code_validator = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z.]{1,39}$",
    _("Mã định danh cơ quan chỉ gồm chữ, số và dấu chấm, ví dụ 000.00.12.H19."),
)


class Center(models.Model):
    agency_code = models.CharField(
        _("mã định danh cơ quan"), max_length=40, unique=True, validators=[agency_code_validator]
    )
    name = models.CharField(_("tên trung tâm"), max_length=300)
    commune = models.CharField(_("xã, phường, đặc khu"), max_length=200)
    province = models.CharField(_("tỉnh, thành phố"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    # Office hours: dossiers received outside them, or after the afternoon cut-off, count from
    # the next working day where the procedure says so (e.g. hộ tịch: "sau 15 giờ").
    morning_start = models.TimeField(_("giờ làm việc sáng từ"), default=time(7, 30))
    morning_end = models.TimeField(_("đến"), default=time(11, 30))
    afternoon_start = models.TimeField(_("giờ làm việc chiều từ"), default=time(13, 30))
    afternoon_end = models.TimeField(_("đến"), default=time(17, 0))
    cutoff = models.TimeField(_("giờ tiếp nhận tính sang ngày sau"), default=time(15, 0))
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("trung tâm")
        verbose_name_plural = _("trung tâm")
        ordering = ["province", "commune"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A team inside the center that processes some fields (công chức tư pháp – hộ tịch...)."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="units", verbose_name=_("trung tâm")
    )
    code = models.SlugField(_("mã đơn vị"), max_length=60)
    name = models.CharField(_("tên đơn vị"), max_length=300)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="units", verbose_name=_("lĩnh vực phụ trách")
    )

    class Meta:
        verbose_name = _("đơn vị xử lý")
        verbose_name_plural = _("đơn vị xử lý")
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="unit_code_per_center")
        ]
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.name} – {self.center}"


class StaffMembership(models.Model):
    """Who works where, in which role: the source of truth for back-office access.

    One membership per person keeps every access decision unambiguous (one center, one role).
    A provincial viewer (cán bộ tỉnh) has no center but a province: they read the dossiers of
    every center of that province and can take no action. Django groups named after the roles
    carry only admin permissions; they are kept in step with the memberships
    (``motcua.backoffice.services.sync_role_groups``).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("tài khoản"),
    )
    center = models.ForeignKey(
        Center,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("trung tâm"),
    )
    province = models.CharField(
        _("tỉnh, thành phố (cán bộ tỉnh)"),
        max_length=200,
        blank=True,
        help_text=_("Chỉ dùng cho cán bộ tỉnh xem hồ sơ mọi trung tâm trong tỉnh."),
    )
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("đơn vị xử lý"),
    )
    is_active = models.BooleanField(_("đang làm việc"), default=True)

    class Meta:
        verbose_name = _("cán bộ một cửa")
        verbose_name_plural = _("cán bộ một cửa")
        ordering = ["center", "role", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.PROVINCIAL_VIEWER, center__isnull=True)
                    & ~models.Q(province="")
                )
                | (~models.Q(role=Role.PROVINCIAL_VIEWER) & models.Q(center__isnull=False)),
                name="membership_center_or_province",
            )
        ]

    def __str__(self) -> str:
        where = self.center or self.province
        return f"{self.user} – {self.get_role_display()} – {where}"

    def clean(self) -> None:
        errors: dict[str, _StrOrPromise] = {}
        if self.role == Role.PROVINCIAL_VIEWER:
            if self.center_id is not None:
                errors["center"] = _("Cán bộ tỉnh không thuộc một trung tâm: để trống trung tâm.")
            if not self.province.strip():
                errors["province"] = _("Ghi tỉnh, thành phố mà cán bộ tỉnh được xem hồ sơ.")
        elif self.center_id is None:
            errors["center"] = _("Chọn trung tâm nơi cán bộ làm việc.")
        if self.unit is not None and self.unit.center_id != self.center_id:
            errors["unit"] = _("Đơn vị xử lý phải thuộc trung tâm của cán bộ.")
        if errors:
            raise ValidationError(errors)
