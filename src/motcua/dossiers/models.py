"""Dossiers (hồ sơ thủ tục hành chính), their documents, their event log and their numbering.

Rows are written only by ``motcua.dossiers.services``. The public code
``<agency code>-<yyMMdd>-<nnnn>`` (domain.md §3.1) is separate from the primary key: it is what
the citizen reads on the slip (Mẫu 01) and types into the tracking page.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.states import DocumentRequirement, TimeUnit
from motcua.centers.models import Center, Unit
from motcua.dossiers.states import Channel, DossierStatus, ResultDelivery, Sex


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=80, unique=True)
    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("trung tâm")
    )
    # The n-th dossier of the center on the receipt day (the nnnn of the code, "Số thứ tự").
    number = models.PositiveIntegerField(_("số thứ tự trong ngày"))
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )

    applicant_name = models.CharField(_("họ và tên người nộp"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh cá nhân"), max_length=20, blank=True)
    applicant_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    applicant_sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=30, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)

    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    form_version = models.PositiveIntegerField(_("phiên bản biểu mẫu"), default=1)

    channel = models.CharField(_("kênh tiếp nhận"), max_length=20, choices=Channel.choices)
    result_delivery = models.CharField(
        _("nhận kết quả tại"),
        max_length=20,
        choices=ResultDelivery.choices,
        default=ResultDelivery.AT_CENTER,
    )
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    # The legal time limit as it was when the dossier was received: the catalog may change
    # later, the slip and the KPI must not.
    time_limit_value = models.DecimalField(
        _("thời hạn giải quyết"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, blank=True
    )
    # None when the procedure has no time limit: the slip then says "Theo quy định".
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    # Integer đồng: what the applicant pays, the copies asked for included; None when it is not
    # known (a fee set by the province's council) or counted at the counter (``fee_unit``).
    # The catalog's terms are copied as they were at receipt: the slip must not change later.
    fee_vnd = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), null=True, blank=True)
    # Copies of the result asked for, when the catalog charges per copy (bản sao Trích lục,
    # TT 281/2016/TT-BTC: 8.000 đồng/bản) and the fee per copy then; see ``catalog.fees``.
    copies_requested = models.PositiveSmallIntegerField(_("số bản sao kết quả yêu cầu"), default=0)
    copy_fee_vnd = models.PositiveBigIntegerField(
        _("phí mỗi bản sao (đồng/bản)"), null=True, blank=True
    )
    # The catalog's unit when the fee is charged per unit counted at the counter ("trang"):
    # ``fee_vnd`` is then the rate per unit, not a total.
    fee_unit = models.CharField(_("phí tính theo (đơn vị)"), max_length=30, blank=True)

    status = models.CharField(
        _("trạng thái"),
        max_length=30,
        choices=DossierStatus.choices,
        default=DossierStatus.RECEIVED,
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("đơn vị xử lý"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name=_("cán bộ xử lý"),
    )
    # Set while the legal clock is stopped for a supplement (Mẫu 02): the time the request was
    # sent. When the supplement arrives the due time moves by the working time paused.
    clock_paused_at = models.DateTimeField(_("tạm dừng tính thời hạn từ"), null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    submitted_by = models.CharField(_("nơi, người tiếp nhận"), max_length=100)
    idempotency_key = models.CharField(_("khóa chống gửi trùng"), max_length=100)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at", "-id"]
        constraints = [
            # A double tap or a network retry from a kiosk carries the same key: one dossier.
            models.UniqueConstraint(
                fields=["center", "idempotency_key"], name="dossier_idempotency_key_per_center"
            ),
        ]
        indexes = [
            models.Index(fields=["center", "status"]),
            models.Index(fields=["received_at"]),
        ]

    def __str__(self) -> str:
        return self.code


def document_upload_to(instance: DossierDocument, filename: str) -> str:
    return document_file_name(instance.dossier.code, instance.position, filename)


def document_file_name(folder: str, position: int, filename: str) -> str:
    """``ho-so/<folder>/<nn>-<name>``: the folder is the dossier code once the dossier has one."""
    # Only the base name of what the client sent: never a path it chose.
    base = posixpath.basename(filename.replace("\\", "/")) or "tep"
    # A client may send a name of any length; file systems stop at 255 bytes (a 500 otherwise).
    stem, extension = posixpath.splitext(base)
    base = stem[:60] + extension[:10]
    return f"ho-so/{folder}/{position:02d}-{base}"


class DossierDocument(models.Model):
    """One component of the dossier as submitted: an uploaded file, paper, or both."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="documents", verbose_name=_("hồ sơ")
    )
    position = models.PositiveIntegerField(_("thứ tự"))
    name = models.TextField(_("tên giấy tờ"))
    required_document = models.ForeignKey(
        RequiredDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thành phần theo danh mục"),
    )
    requirement = models.CharField(
        _("bắt buộc"), max_length=20, choices=DocumentRequirement.choices, blank=True
    )
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    # True only when the paper was handed in to an officer (the counter): a kiosk has no paper
    # intake, so a kiosk component never says so; ``originals`` / ``copies`` count that paper.
    provided_on_paper = models.BooleanField(_("nộp bản giấy"), default=False)
    # The component is the declaration typed into the e-form: its content is the dossier's
    # ``form_data``, received electronically, with no file and no paper.
    from_eform = models.BooleanField(_("là tờ khai điện tử"), default=False)
    file = models.FileField(_("tệp"), upload_to=document_upload_to, max_length=300, blank=True)
    content_type = models.CharField(_("loại tệp"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    # KPI 4.2 (QĐ 766/QĐ-TTg): the component exists as an electronic copy checked by an officer
    # (or taken from the citizen's store). Written only by ``motcua.dossiers.documents``.
    digitized = models.BooleanField(_("đã số hóa"), default=False)
    digitized_at = models.DateTimeField(_("thời điểm số hóa"), null=True, blank=True)
    digitized_by = models.CharField(_("người số hóa"), max_length=100, blank=True)
    # KPI 4.3: the component was attached from the citizen's store instead of a new scan.
    # PROTECT: the link is the record of the reuse; the store entry cannot vanish under it.
    reused_from = models.ForeignKey(
        "CitizenDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reuses",
        verbose_name=_("dùng lại từ kho dữ liệu"),
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ đã nộp")
        verbose_name_plural = _("thành phần hồ sơ đã nộp")
        ordering = ["dossier", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "position"], name="document_position_once")
        ]

    def __str__(self) -> str:
        return self.name[:80]


class CitizenDocument(models.Model):
    """One digitized paper in a citizen's document store (kho dữ liệu), reusable in new dossiers.

    The store is keyed by the 12-digit personal identification number (số định danh cá nhân,
    Luật Căn cước 2023), as the citizen's store on Cổng DVCQG is; ``owner_id_number`` is personal
    data (NĐ 13/2023/NĐ-CP) and never goes into URLs or event data. ``file`` names the same
    stored object as the dossier component it was digitized from: stored objects are written
    once and never overwritten, so sharing the name is safe and a reuse copies no bytes.
    """

    owner_id_number = models.CharField(_("số định danh cá nhân của chủ giấy tờ"), max_length=12)
    # ``motcua.dossiers.documents.document_type_key`` of the catalog name (or the component's).
    document_type = models.CharField(_("loại giấy tờ"), max_length=200)
    name = models.TextField(_("tên giấy tờ"))
    file = models.FileField(_("tệp"), upload_to="kho-du-lieu/", max_length=300)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    source_dossier = models.ForeignKey(
        Dossier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("số hóa từ hồ sơ"),
    )
    source_document = models.ForeignKey(
        DossierDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("số hóa từ thành phần"),
    )
    # None: no expiry known (a birth certificate); a date: the last day it may be reused.
    valid_until = models.DateField(_("có giá trị đến"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm đưa vào kho"))
    updated_at = models.DateTimeField(_("thời điểm cập nhật"))
    digitized_by = models.CharField(_("người số hóa"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("giấy tờ trong kho dữ liệu công dân")
        verbose_name_plural = _("kho dữ liệu công dân")
        ordering = ["owner_id_number", "document_type", "-created_at", "-id"]
        indexes = [models.Index(fields=["owner_id_number", "document_type"])]

    def __str__(self) -> str:
        return self.name[:80]


class EventLogImmutable(Exception):
    """An attempt to change or remove a recorded event: the log is an audit trail."""


class DossierEventQuerySet(models.QuerySet):
    """Bulk writes bypass ``save()``/``delete()``, so they are refused here too."""

    def update(self, **kwargs):
        raise EventLogImmutable("Nhật ký hồ sơ chỉ được ghi thêm, không được sửa.")

    def delete(self):
        raise EventLogImmutable("Nhật ký hồ sơ chỉ được ghi thêm, không được xóa.")


class DossierEvent(models.Model):
    """One entry of the append-only log; the status of a dossier is the end of its log."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", verbose_name=_("hồ sơ")
    )
    seq = models.PositiveIntegerField(_("số thứ tự"))
    action = models.CharField(_("thao tác"), max_length=40)
    from_status = models.CharField(_("từ trạng thái"), max_length=30, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=30)
    actor = models.CharField(_("người thực hiện"), max_length=100)
    at = models.DateTimeField(_("thời điểm"))
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    # Tamper evidence: each event carries the hash of the previous event of the dossier and its
    # own hash over its content and that link (``motcua audit verify`` walks the chains).
    prev_hash = models.CharField(_("mã băm sự kiện trước"), max_length=64, blank=True)
    hash = models.CharField(_("mã băm"), max_length=64, blank=True)

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="event_seq_once")]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.seq} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise EventLogImmutable("Nhật ký hồ sơ chỉ được ghi thêm, không được sửa.")
        # Force an INSERT: a caller setting a pk by hand must not overwrite an existing row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EventLogImmutable("Nhật ký hồ sơ chỉ được ghi thêm, không được xóa.")

    def compute_hash(self, dossier_code: str) -> str:
        return event_hash(
            dossier_code=dossier_code,
            seq=self.seq,
            action=self.action,
            from_status=self.from_status,
            to_status=self.to_status,
            actor=self.actor,
            at=self.at,
            note=self.note,
            data=self.data,
            prev_hash=self.prev_hash,
        )


def event_hash(
    *, dossier_code, seq, action, from_status, to_status, actor, at, note, data, prev_hash
):
    """SHA-256 over a canonical JSON of the event and the previous event's hash."""
    payload = {
        "dossier": dossier_code,
        "seq": seq,
        "action": action,
        "from": from_status,
        "to": to_status,
        "actor": actor,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "note": note,
        "data": data,
        "prev": prev_hash,
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class DossierCounter(models.Model):
    """The last dossier number handed out by a center on a day (the row is locked to count)."""

    center = models.ForeignKey(
        Center, on_delete=models.CASCADE, related_name="+", verbose_name=_("trung tâm")
    )
    day = models.DateField(_("ngày"))
    last_number = models.PositiveIntegerField(_("số cuối cùng đã cấp"), default=0)

    class Meta:
        verbose_name = _("bộ đếm số hồ sơ")
        verbose_name_plural = _("bộ đếm số hồ sơ")
        constraints = [models.UniqueConstraint(fields=["center", "day"], name="counter_per_day")]

    def __str__(self) -> str:
        return f"{self.center_id} {self.day:%Y-%m-%d}: {self.last_number}"
