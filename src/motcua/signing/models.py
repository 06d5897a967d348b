"""Leaders' signing certificates and the signed results.

A ``SigningCertificate`` points at a PKCS#12 file kept outside every public directory; the key
and the passphrase never enter the database (see ``motcua.signing.pki``). A ``SignedResult`` is
a result PDF signed with PAdES; its ``verification_code`` is printed as a QR inside the signed
bytes and is the only way to reach its public verification page, so it is random and long.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier


class SigningCertificate(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
        verbose_name=_("người ký"),
    )
    label = models.CharField(_("tên gợi nhớ"), max_length=200)
    p12_path = models.CharField(
        _("đường dẫn tệp .p12"),
        max_length=500,
        help_text=_(
            "Đường dẫn trên máy chủ tới tệp PKCS#12 (khóa bí mật và chứng thư), nằm ngoài thư "
            "mục công khai; đường dẫn tương đối tính từ thư mục var/pki, ví dụ "
            "lanh-dao/tran-van-lanh-dao.p12."
        ),
    )
    passphrase_env = models.CharField(
        _("biến môi trường chứa mật khẩu"),
        max_length=100,
        blank=True,
        help_text=_(
            "Để trống để dùng MOTCUA_PKI_PASSPHRASE hoặc tệp var/pki/passphrase. "
            "Mật khẩu không bao giờ được lưu trong cơ sở dữ liệu."
        ),
    )
    subject = models.CharField(_("chủ thể chứng thư"), max_length=500, blank=True)
    common_name = models.CharField(_("tên người ký trên chứng thư"), max_length=200, blank=True)
    title = models.CharField(_("chức vụ trên chứng thư"), max_length=200, blank=True)
    organisation = models.CharField(_("cơ quan, tổ chức"), max_length=300, blank=True)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500, blank=True)
    serial = models.CharField(_("số hiệu chứng thư"), max_length=64, blank=True)
    not_before = models.DateTimeField(_("hiệu lực từ"), null=True, blank=True)
    not_after = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)
    created_at = models.DateTimeField(_("thời điểm khai báo"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư số ký kết quả")
        verbose_name_plural = _("chứng thư số ký kết quả")
        ordering = ["user", "-not_after"]

    def __str__(self) -> str:
        return f"{self.label} ({self.common_name or self.user})"


def signed_result_upload_to(instance: SignedResult, filename: str) -> str:
    return f"ket-qua/{instance.dossier.code}/{instance.verification_code}.pdf"


class SignedResult(models.Model):
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="signed_results", verbose_name=_("hồ sơ")
    )
    certificate = models.ForeignKey(
        SigningCertificate,
        on_delete=models.PROTECT,
        related_name="signed_results",
        verbose_name=_("chứng thư số"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tài khoản người ký"),
    )
    # Stored through Django's storage API (never served by a public URL): the file holds the
    # applicant's personal data. The public page only re-verifies it.
    file = models.FileField(
        _("tệp kết quả đã ký"), upload_to=signed_result_upload_to, max_length=300
    )
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    result_name = models.CharField(_("tên giấy tờ kết quả"), max_length=500, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=200)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    signer_organisation = models.CharField(_("cơ quan người ký"), max_length=300, blank=True)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    verification_code = models.CharField(_("mã xác thực"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("kết quả đã ký số")
        verbose_name_plural = _("kết quả đã ký số")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dossier.code} – {self.signer_name}"
