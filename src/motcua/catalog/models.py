"""The procedure catalog (danh mục thủ tục hành chính).

Modelled on the national portal's procedure record (Cổng Dịch vụ công quốc gia) and, for
versioning, on Open Zaak's case types: a procedure has a publication state and a validity
period so a province can prepare next year's catalog without showing it to citizens yet.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.states import (
    Channel,
    DocumentRequirement,
    OnlineLevel,
    PublicationStatus,
    TimeUnit,
)


class Sector(models.Model):
    """A field of procedures (lĩnh vực): Hộ tịch, Chứng thực, Đất đai..."""

    code = models.SlugField(_("mã lĩnh vực"), max_length=80, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureQuerySet(models.QuerySet):
    def published(self) -> ProcedureQuerySet:
        return self.filter(status=PublicationStatus.PUBLISHED)


class Procedure(models.Model):
    # National codes look like numbers ("1.001193") but are identifiers: always strings.
    code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    sector = models.ForeignKey(
        Sector, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=200, blank=True)
    agency = models.CharField(_("cơ quan thực hiện"), max_length=500, blank=True)
    decision = models.CharField(_("quyết định công bố"), max_length=200, blank=True)
    subjects = models.TextField(_("đối tượng thực hiện"), blank=True)
    steps = models.JSONField(_("trình tự thực hiện"), default=list, blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    legal_basis = models.JSONField(_("căn cứ pháp lý"), default=list, blank=True)
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=20, choices=OnlineLevel.choices, blank=True
    )
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    popularity = models.PositiveIntegerField(
        _("thứ hạng phổ biến"),
        null=True,
        blank=True,
        help_text=_("1 là thủ tục được thực hiện nhiều nhất; để trống nếu chưa rõ."),
    )
    status = models.CharField(
        _("trạng thái công bố"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PUBLISHED,
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    uncertain_fields = models.JSONField(
        _("trường cần kiểm tra lại"),
        default=list,
        blank=True,
        help_text=_("Các thông tin chưa chắc chắn so với Cổng Dịch vụ công quốc gia."),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["sector__name", "name"]
        indexes = [models.Index(fields=["status", "sector"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="procedure_valid_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class ProcedureChannel(models.Model):
    """How the procedure can be submitted, with its legal time limit and fee on that channel."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="channels", verbose_name=_("thủ tục")
    )
    channel = models.CharField(_("hình thức nộp"), max_length=20, choices=Channel.choices)
    # 0 means the result is returned the same working day (e.g. chứng thực received before 15:00).
    time_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, blank=True
    )
    time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    # Money is an integer number of đồng; None means the fee is not known from the source.
    fee_vnd = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), null=True, blank=True)
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    # The fee for each copy of the result the applicant asks for, on top of ``fee_vnd``: the
    # bản sao Trích lục hộ tịch / bản sao Giấy khai sinh is 8.000 đồng/bản (TT 281/2016/TT-BTC).
    # The dossier's total then depends on the copies asked for (``motcua.catalog.fees``).
    copy_fee_vnd = models.PositiveBigIntegerField(
        _("phí mỗi bản sao kết quả (đồng/bản)"), null=True, blank=True
    )
    # Set when ``fee_vnd`` is charged per unit counted at the counter, not per dossier (e.g.
    # "trang" for chứng thực bản sao, TT 226/2016/TT-BTC): no total can be shown beforehand.
    fee_unit = models.CharField(_("phí tính theo (đơn vị)"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("hình thức nộp")
        verbose_name_plural = _("hình thức nộp, thời hạn và phí")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "channel"], name="channel_once"),
        ]
        ordering = ["procedure", "channel"]

    def __str__(self) -> str:
        return f"{self.procedure.code} – {self.get_channel_display()}"


class RequiredDocument(models.Model):
    """One component of the dossier (thành phần hồ sơ)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="documents", verbose_name=_("thủ tục")
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    name = models.TextField(_("tên giấy tờ"))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    requirement = models.CharField(
        _("bắt buộc"),
        max_length=20,
        choices=DocumentRequirement.choices,
        default=DocumentRequirement.REQUIRED,
    )
    form_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return self.name[:80]
