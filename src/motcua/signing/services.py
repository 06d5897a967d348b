"""Signed results: render the result PDF, sign it with PAdES (pyHanko), verify a signed PDF.

The verification code is drawn before the PDF is rendered, so the QR that leads to the public
verification page is part of the signed bytes: a copy with another QR no longer verifies.

``sign_result`` does not change the dossier's status: the back-office ``sign`` action does,
in the same transaction (see ``motcua.dossiers.actions.perform``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import VIETNAM
from motcua.dossiers.slip import BOLD, FONT_DIR, REGULAR, QRCode, nfc
from motcua.signing import pki, result_forms
from motcua.signing.models import SignedResult, SigningCertificate

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "ChuKyLanhDao"
SIGNATURE_REASON = "Ký duyệt kết quả giải quyết TTHC"
RESULT_TITLE = "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
VERIFICATION_CACHE_SECONDS = 5 * 60
_CODE_BYTES = 15  # 120 random bits, 24 base32 characters: not guessable, easy to read aloud


class SigningError(DomainError):
    """Signing refused; the message is Vietnamese and says what to do."""


@dataclass(frozen=True)
class VerificationResult:
    intact: bool
    valid: bool
    trusted: bool
    signer: str
    organisation: str
    signed_at: datetime | None
    coverage: str
    message: str
    issuer: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.coverage == "entire_file"


# --- verification codes and URLs -------------------------------------------------------------


def new_verification_code() -> str:
    return base64.b32encode(secrets.token_bytes(_CODE_BYTES)).decode("ascii")


def normalize_verification_code(code: str) -> str:
    return "".join((code or "").split()).upper()


def verification_url(base_url: str, code: str) -> str:
    """The absolute address in the QR; ``base_url`` is MOTCUA_PUBLIC_URL or the request's."""
    return f"{base_url.rstrip('/')}{reverse('signing:verify', args=[code])}"


def public_base_url(request) -> str:
    """MOTCUA_PUBLIC_URL when set (phones must reach it), else the address of ``request``."""
    public = getattr(settings, "MOTCUA_PUBLIC_URL", "").rstrip("/")
    return public or request.build_absolute_uri("/").rstrip("/")


# --- the result document -------------------------------------------------------------------------


def _register_fonts() -> None:
    # Same names as the slip, so whichever module registers first, both find the fonts.
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "NotoSans-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "NotoSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )


def _x(text: str) -> str:
    return escape(nfc(text))


def _commune_name(commune: str) -> str:
    name = nfc(commune).strip()
    for prefix in ("xã ", "phường ", "đặc khu ", "thị trấn "):
        if name.lower().startswith(prefix):
            return name[len(prefix) :]
    return name


def result_name(dossier: Dossier) -> str:
    return nfc(dossier.procedure.result).strip() or "Theo quy định của thủ tục"


@dataclass(frozen=True)
class Signer:
    """Who signs, as the document prints it: họ tên, chức vụ, cơ quan."""

    name: str
    title: str = ""
    organisation: str = ""


DRAFT_BANNER = "BẢN XEM TRƯỚC – CHƯA KÝ SỐ, CHƯA CÓ GIÁ TRỊ PHÁP LÝ"


def _local_time(moment: datetime) -> str:
    return f"{moment.astimezone(VIETNAM):%H:%M} ngày {moment.astimezone(VIETNAM):%d/%m/%Y}"


def render_result_pdf(
    dossier: Dossier,
    *,
    verification_url: str,
    verification_code: str,
    signer: Signer,
    now: datetime,
    draft: bool = False,
) -> bytes:
    """The result document of ``dossier`` as PDF bytes.

    Signed (``draft=False``): the QR to ``verification_url`` and the signer's name, title and
    signing time are printed, so the paper says who signed when, as the signature does. The
    draft the leader reads before signing is the same document without the QR (the code is
    drawn at signing) and marked as not signed.
    """
    _register_fonts()
    form = result_forms.form_for(dossier)
    base = 11
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=base, leading=base * 1.4)
    center = ParagraphStyle("center", parent=body, alignment=TA_CENTER)
    center_bold = ParagraphStyle("center_bold", parent=center, fontName=BOLD)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", parent=body, fontName=BOLD, spaceBefore=6, spaceAfter=2)
    banner = ParagraphStyle(
        "banner",
        parent=center_bold,
        textColor="#b00020",
        borderColor="#b00020",
        borderWidth=1,
        borderPadding=4,
        spaceAfter=6,
    )
    title = ParagraphStyle(
        "title", parent=center_bold, fontSize=15, leading=20, spaceBefore=8, spaceAfter=4
    )
    local = now.astimezone(VIETNAM)
    commune = nfc(dossier.center.commune)
    margin = 20 * mm
    width = A4[0] - 2 * margin

    header = Table(
        [
            [
                [
                    Paragraph(_x(f"UBND {commune}".upper()), center),
                    Paragraph(_x(nfc(dossier.center.name)), center_bold),
                ],
                [
                    Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", center_bold),
                    Paragraph("<u>Độc lập - Tự do - Hạnh phúc</u>", center_bold),
                ],
            ]
        ],
        colWidths=[width * 0.45, width * 0.55],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))

    def table(rows: list[tuple[str, str]]) -> Table:
        facts = Table(
            [[Paragraph(label, body), Paragraph(value, body)] for label, value in rows],
            colWidths=[width * 0.32, width * 0.68],
        )
        facts.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("GRID", (0, 0), (-1, -1), 0.4, "#666666"),
                ]
            )
        )
        return facts

    dossier_facts = [
        ("Mã hồ sơ", f"<b>{_x(dossier.code)}</b>"),
        ("Thủ tục hành chính", _x(dossier.procedure.name)),
        ("Mã thủ tục", _x(dossier.procedure.code)),
        ("Người nộp hồ sơ", f"Ông/Bà {_x(dossier.applicant_name)}"),
        ("Ngày tiếp nhận", f"{dossier.received_at.astimezone(VIETNAM):%d/%m/%Y}"),
    ]
    content: list = []
    if form.is_generic:
        content += [
            Paragraph(
                f"{_x(nfc(dossier.center.name))} trả lời kết quả giải quyết hồ sơ thủ tục "
                "hành chính như sau:",
                body,
            ),
            Spacer(1, 3 * mm),
            table(
                [
                    *dossier_facts[:3],
                    ("Kết quả giải quyết", f"<b>{_x(result_name(dossier))}</b>"),
                    *dossier_facts[3:],
                    ("Ngày ký kết quả", f"{local:%d/%m/%Y}"),
                ]
            ),
        ]
    else:
        for part in result_forms.fill(form, dossier):
            content += [
                Paragraph(_x(part.heading), heading),
                table([(_x(label), _x(value)) for label, value in part.rows]),
            ]
        content += [
            Paragraph("Đăng ký", heading),
            table(
                [
                    ("Nơi đăng ký", _x(f"Ủy ban nhân dân {commune[:1].lower()}{commune[1:]}")),
                    ("Ngày đăng ký", f"{local:%d/%m/%Y}"),
                ]
            ),
            Paragraph("Hồ sơ", heading),
            table(dossier_facts),
        ]
    signer_title = nfc(signer.title).strip()
    signature = [
        Paragraph(
            f"<i>{_x(_commune_name(commune))}, ngày {local:%d} tháng {local:%m} năm {local:%Y}</i>",
            center,
        ),
        Paragraph(_x(signer_title.upper()) if signer_title else "NGƯỜI KÝ", center_bold),
        Paragraph("(Chưa ký)" if draft else "(Đã ký số)", center),
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{_x(signer.name)}</b>", center),
        Paragraph(_x(signer.organisation), center),
        Paragraph(
            "Thời điểm ký: ghi khi ký số" if draft else f"Ký số lúc {_x(_local_time(now))}",
            center,
        ),
    ]
    signature_table = Table([["", signature]], colWidths=[width * 0.45, width * 0.55])
    signature_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    qr_size = 32 * mm
    if draft:
        bottom = Table(
            [
                [
                    Paragraph(
                        "Mã QR và mã xác thực để kiểm tra chữ ký số được tạo khi lãnh đạo ký.",
                        small,
                    )
                ]
            ],
            colWidths=[width],
        )
    else:
        verification = [
            Paragraph("<b>Kiểm tra chữ ký số</b>", body),
            Paragraph(
                "Quét mã QR hoặc mở địa chỉ dưới đây để kiểm tra chữ ký số của văn bản này. "
                "Văn bản bị sửa dù chỉ một ký tự sẽ không còn hợp lệ.",
                small,
            ),
            Paragraph(_x(verification_url), small),
            Paragraph(f"Mã xác thực: <b>{_x(verification_code)}</b>", small),
        ]
        bottom = Table(
            [[QRCode(verification_url, qr_size), verification]],
            colWidths=[qr_size + 4 * mm, width - qr_size - 4 * mm],
        )
    bottom.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.4, "#666666"),
            ]
        )
    )

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{nfc(form.title).capitalize()} – hồ sơ {dossier.code}",
        author=nfc(dossier.center.name),
        subject=form.title,
        keywords=f"ma-xac-thuc:{verification_code}" if not draft else "ban-xem-truoc",
        initialFontName=REGULAR,
        # A fixed document ID and creation date keep the rendering reproducible for a given input.
        invariant=True,
    )
    doc.build(
        [
            *([Paragraph(DRAFT_BANNER, banner)] if draft else []),
            header,
            Spacer(1, 8 * mm),
            Paragraph(_x(form.title), title),
            Spacer(1, 3 * mm),
            *content,
            Spacer(1, 6 * mm),
            signature_table,
            Spacer(1, 8 * mm),
            bottom,
        ]
    )
    return buffer.getvalue()


def signer_of(certificate: SigningCertificate, info: pki.CertificateInfo | None = None) -> Signer:
    """The signer as printed: the certificate's own subject (read from the .p12 when given)."""
    return Signer(
        name=(info.common_name if info else "") or certificate.common_name or str(certificate.user),
        title=(info.title if info else "") or certificate.title,
        organisation=(info.organisation if info else "") or certificate.organisation,
    )


def own_certificates(user) -> list[SigningCertificate]:
    """The active certificates declared for ``user``, newest first: the only ones they sign with."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        SigningCertificate.objects.filter(user=user, is_active=True).order_by("-not_after", "-id")
    )


def render_draft(
    dossier: Dossier, *, certificate: SigningCertificate | None, now: datetime
) -> bytes:
    """The unsigned result the leader reads before signing; the signer is their certificate's."""
    signer = (
        signer_of(certificate)
        if certificate is not None
        else Signer(name="(Lãnh đạo có thẩm quyền ký)")
    )
    return render_result_pdf(
        dossier, verification_url="", verification_code="", signer=signer, now=now, draft=True
    )


# --- certificates ---------------------------------------------------------------------------


def describe_certificate(p12_path: str, *, passphrase_env: str = "") -> pki.CertificateInfo:
    """Open a .p12 the way signing will, to check it and read its subject and validity."""
    path = pki.resolve_p12_path(p12_path)
    if pki.is_public_path(path):
        raise SigningError(
            "Tệp chứng thư số không được nằm trong thư mục công khai (media, static) của máy chủ."
        )
    try:
        return pki.read_pkcs12(path, pki.read_passphrase(env_name=passphrase_env)).info
    except pki.PkiError as exc:
        raise SigningError(exc.message) from None


def fill_certificate_info(certificate: SigningCertificate, info: pki.CertificateInfo) -> None:
    certificate.subject = info.subject[:500]
    certificate.common_name = info.common_name[:200]
    certificate.title = info.title[:200]
    certificate.organisation = info.organisation[:300]
    certificate.issuer = info.issuer[:500]
    certificate.serial = info.serial
    certificate.not_before = info.not_before
    certificate.not_after = info.not_after


def register_certificate(
    *, user, p12_path: str, label: str = "", passphrase_env: str = ""
) -> tuple[SigningCertificate, bool]:
    """Declare (or refresh) ``user``'s certificate at ``p12_path``; the file must open."""
    info = describe_certificate(p12_path, passphrase_env=passphrase_env)
    certificate = SigningCertificate.objects.filter(user=user, p12_path=p12_path).first()
    created = certificate is None
    if certificate is None:
        certificate = SigningCertificate(user=user, p12_path=p12_path)
    certificate.label = (label or certificate.label or info.common_name)[:200]
    certificate.passphrase_env = passphrase_env
    certificate.is_active = True
    fill_certificate_info(certificate, info)
    certificate.save()
    return certificate, created


# --- signing -------------------------------------------------------------------------------------


def _fail(message: str, status_code: int | None = None) -> SigningError:
    return SigningError(message, status_code)


@dataclass(frozen=True)
class SigningMaterial:
    info: pki.CertificateInfo
    chain: list
    signer: signers.SimpleSigner


def load_signing_material(certificate: SigningCertificate, *, now: datetime) -> SigningMaterial:
    """Open the certificate's .p12 and check it can sign at ``now``; raise SigningError if not."""
    if not certificate.is_active:
        raise _fail(
            f"Chứng thư số “{certificate.label}” đã ngừng sử dụng. Xin chọn chứng thư khác "
            "hoặc báo quản trị hệ thống."
        )
    path = pki.resolve_p12_path(certificate.p12_path)
    if pki.is_public_path(path):
        raise _fail(
            "Tệp chứng thư số đang nằm trong thư mục công khai của máy chủ nên không được dùng. "
            "Xin báo quản trị hệ thống chuyển tệp vào var/pki."
        )
    try:
        passphrase = pki.read_passphrase(env_name=certificate.passphrase_env)
        content = pki.read_pkcs12(path, passphrase)
    except pki.PkiError as exc:
        raise _fail(exc.message) from None
    info = content.info
    if certificate.serial and info.serial != certificate.serial:
        raise _fail(
            "Tệp chứng thư số trên máy chủ không khớp với chứng thư đã khai báo (khác số hiệu). "
            "Xin báo quản trị hệ thống kiểm tra."
        )
    if now < info.not_before:
        raise _fail(
            f"Chứng thư số chưa có hiệu lực (hiệu lực từ {info.not_before.astimezone(VIETNAM):%d/%m/%Y})."
        )
    if now > info.not_after:
        raise _fail(
            f"Chứng thư số đã hết hạn ngày {info.not_after.astimezone(VIETNAM):%d/%m/%Y}. "
            "Xin gia hạn chứng thư số rồi ký lại."
        )
    # The chain inside the .p12 (the issuing CA) is embedded in the signature, so a verifier
    # that trusts the root can build the path without fetching anything.
    signer = signers.SimpleSigner.load_pkcs12_data(
        content.data, other_certs=[], passphrase=passphrase
    )
    return SigningMaterial(info=info, chain=[pki.to_asn1(c) for c in content.chain], signer=signer)


def _pades_sign(
    pdf: bytes, signer: signers.SimpleSigner, *, signer_name: str, location: str
) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=SIGNATURE_REASON,
        location=location,
        name=signer_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    output = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    return output.getvalue()


def sign_result(
    dossier: Dossier,
    *,
    certificate: SigningCertificate,
    signer_user,
    now: datetime,
    base_url: str,
) -> SignedResult:
    """Render the result of ``dossier``, sign it with the leader's certificate and store it.

    Runs inside the caller's transaction. Refusals (certificate of another user, inactive,
    expired, wrong passphrase, missing file) raise SigningError before anything is written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sign_result must run inside transaction.atomic().")
    if signer_user is None or certificate.user_id != signer_user.pk:
        raise _fail(
            "Chứng thư số này không phải của người ký. Mỗi lãnh đạo chỉ ký bằng chứng thư của mình.",
            403,
        )
    material = load_signing_material(certificate, now=now)
    info = material.info
    signer = signer_of(certificate, info)
    signer_name, organisation = signer.name, signer.organisation
    code = new_verification_code()
    while SignedResult.objects.filter(verification_code=code).exists():
        code = new_verification_code()
    url = verification_url(base_url, code)
    pdf = render_result_pdf(
        dossier,
        verification_url=url,
        verification_code=code,
        signer=signer,
        now=now,
    )
    signed = _pades_sign(
        pdf, material.signer, signer_name=signer_name, location=nfc(dossier.center.commune)
    )
    # What is stored must verify; trust is the verification page's question, not the signer's.
    check = verify_signed_pdf(signed, trust_roots=material.chain)
    if not (check.intact and check.valid):
        raise _fail(f"Ký số không thành công: {check.message}", 500)

    result = SignedResult(
        dossier=dossier,
        certificate=certificate,
        signer=signer_user,
        size=len(signed),
        sha256=hashlib.sha256(signed).hexdigest(),
        result_name=result_name(dossier)[:500],
        signer_name=signer_name[:200],
        signer_title=signer.title[:200],
        signer_organisation=organisation[:300],
        signed_at=now,
        verification_code=code,
    )
    result.file.save(f"{code}.pdf", ContentFile(signed), save=False)
    saved = result.file.name
    try:
        result.save()
    except BaseException:
        # The file is outside the transaction: do not leave it behind.
        if saved:
            default_storage.delete(saved)
        raise
    return result


# --- verification ----------------------------------------------------------------------------


def _invalid(message: str, *, intact: bool = False, coverage: str = "") -> VerificationResult:
    return VerificationResult(
        intact=intact,
        valid=False,
        trusted=False,
        signer="",
        organisation="",
        signed_at=None,
        coverage=coverage,
        message=message,
    )


TAMPERED = "Chữ ký không hợp lệ: tài liệu đã bị sửa sau khi ký."
UNREADABLE = "Không đọc được chữ ký số trong tệp: tệp bị hỏng hoặc không phải văn bản PDF đã ký số."


def verify_signed_pdf(
    data: bytes, *, trust_roots=None, moment: datetime | None = None
) -> VerificationResult:
    """Check the leader's signature on ``data``; trusted means it chains to ``trust_roots``.

    ``trust_roots`` defaults to MOTCUA_PKI_TRUST_ROOTS (the demo CA when present). Certificates
    of the demo PKI have no revocation service, so revocation is checked when available only.
    ``moment`` is when the certificate must have been valid: now by default; the signing time
    recorded by the server for a result it signed itself, so a result stays verifiable after
    the leader's certificate has expired (the signature carries no trusted timestamp).
    """
    if trust_roots is None:
        try:
            roots = pki.load_trust_roots()
        except pki.PkiError:
            # A misconfigured trust list must not break the public page: nothing is trusted.
            logger.exception("trust roots could not be loaded")
            roots = []
    else:
        roots = list(trust_roots)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # untrusted upload: any parse failure is "not a signed PDF"
        logger.info("signed PDF could not be parsed", exc_info=True)
        return _invalid(UNREADABLE)
    if not signatures:
        return _invalid("Tệp không có chữ ký số.")
    embedded = next((s for s in signatures if s.field_name == SIGNATURE_FIELD), signatures[0])
    context = ValidationContext(
        trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail", moment=moment
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:
        logger.info("signature validation failed", exc_info=True)
        return _invalid(TAMPERED)
    coverage = status.coverage.name.lower() if status.coverage is not None else ""
    subject = status.signing_cert.subject.native if status.signing_cert is not None else {}
    signer = pki.nfc(str(subject.get("common_name", "")))
    organisation = pki.nfc(str(subject.get("organization_name", "")))
    issuer_name = status.signing_cert.issuer.native if status.signing_cert is not None else {}
    issuer = pki.nfc(str(issuer_name.get("common_name", "")))
    intact, valid, trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
    if not intact or coverage != "entire_file":
        message = TAMPERED
    elif not valid:
        message = "Chữ ký không hợp lệ: chữ ký số bị hỏng."
    elif not trusted:
        message = (
            "Chữ ký đúng về kỹ thuật nhưng chứng thư số không do tổ chức được tin cậy cấp "
            "hoặc đã hết hạn."
        )
    else:
        message = "Chữ ký số hợp lệ: văn bản còn nguyên vẹn từ khi ký."
    return VerificationResult(
        intact=intact,
        valid=valid,
        trusted=trusted,
        signer=signer,
        organisation=organisation,
        issuer=issuer,
        signed_at=status.signer_reported_dt,
        coverage=coverage,
        message=message,
    )


@dataclass(frozen=True)
class StoredVerification:
    result: SignedResult
    verification: VerificationResult
    file_matches: bool  # the stored bytes still hash to what was recorded at signing


def read_signed_file(result: SignedResult) -> bytes:
    with result.file.open("rb") as handle:
        return handle.read()


def verify_stored_result(result: SignedResult) -> StoredVerification:
    """Re-verify the stored file; pyHanko's answer is cached 5 minutes per file content."""
    try:
        data = read_signed_file(result)
    except OSError:
        return StoredVerification(
            result, _invalid("Không tìm thấy tệp kết quả đã ký trên máy chủ."), False
        )
    digest = hashlib.sha256(data).hexdigest()
    key = f"motcua:signing:verify:{result.verification_code}:{digest}"
    verification = cache.get(key)
    if verification is None:
        verification = verify_signed_pdf(data, moment=result.signed_at)
        cache.set(key, verification, VERIFICATION_CACHE_SECONDS)
    return StoredVerification(result, verification, digest == result.sha256)


def find_by_content(data: bytes) -> SignedResult | None:
    """The signed result that ``data`` is an exact copy of, if any."""
    digest = hashlib.sha256(data).hexdigest()
    return (
        SignedResult.objects.select_related("dossier__procedure", "dossier__center")
        .filter(sha256=digest)
        .first()
    )


def find_by_code(code: str) -> SignedResult | None:
    code = normalize_verification_code(code)
    if not code or len(code) > 40:
        return None
    return (
        SignedResult.objects.select_related("dossier__procedure", "dossier__center")
        .filter(verification_code=code)
        .first()
    )
