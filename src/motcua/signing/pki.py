"""Certificates for signing results: the local demo CA, leaders' PKCS#12 files, passphrases.

A leader signs with a PKCS#12 file (.p12: private key, certificate and the issuing chain). The
secrets stay out of the database: a ``SigningCertificate`` row holds the path of the file, and
the passphrase comes from the environment (``MOTCUA_PKI_PASSPHRASE`` or a variable named on the
row) or from ``<pki dir>/passphrase`` (mode 0600). The directory sits under ``var/``, outside
MEDIA_ROOT and STATIC_ROOT, so no URL ever serves a key.

``create_demo_pki`` makes a local CA and one certificate per demo leader so the signing flow
works out of the box. A real deployment uses certificates from a licensed trust service
provider (Nghị định 23/2025/NĐ-CP on electronic signatures) and lists its CA in
``MOTCUA_PKI_TRUST_ROOTS``.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings

PASSPHRASE_ENV = "MOTCUA_PKI_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)
PASSPHRASE_FILE = "passphrase"  # noqa: S105 (a file name, not a secret)
CA_CERT_FILE = "demo-ca.pem"
CA_KEY_FILE = "demo-ca.key.pem"
LEADERS_DIR = "lanh-dao"

DEMO_CA_NAME = "motcua Demo CA – KHÔNG DÙNG THẬT"
DEMO_ORGANISATION = "Trung tâm Phục vụ hành chính công xã Hiền Lương"
CA_VALID_DAYS = 10 * 365
LEADER_VALID_DAYS = 3 * 365
# Certificates start a day early so a clock slightly behind on another machine still accepts them.
BACKDATE = timedelta(days=1)


class PkiError(Exception):
    """A certificate problem, with a Vietnamese message an officer or operator can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DemoLeader:
    slug: str
    name: str
    title: str


DEMO_LEADERS = (
    DemoLeader("tran-van-lanh-dao", "Trần Văn Lãnh Đạo", "Chủ tịch UBND xã"),
    DemoLeader("le-thi-pho-chu-tich", "Lê Thị Phó Chủ Tịch", "Phó Chủ tịch UBND xã"),
)


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    common_name: str
    organisation: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    title: str = ""  # chức vụ (X.520 title), printed under the signer's name

    def is_valid_at(self, moment: datetime) -> bool:
        return self.not_before <= moment <= self.not_after


@dataclass(frozen=True)
class Pkcs12Content:
    data: bytes
    key: object
    certificate: x509.Certificate
    chain: list[x509.Certificate]

    @property
    def info(self) -> CertificateInfo:
        return certificate_info(self.certificate)


@dataclass
class DemoPkiResult:
    directory: Path
    ca_path: Path
    ca_created: bool
    passphrase_source: str
    leaders: list[tuple[DemoLeader, Path, bool]] = field(default_factory=list)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def pki_dir() -> Path:
    configured = getattr(settings, "MOTCUA_PKI_DIR", None) or os.environ.get("MOTCUA_PKI_DIR")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "pki"


def resolve_p12_path(value: str | Path) -> Path:
    """A configured .p12 path: absolute as given, relative ones under the PKI directory."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else pki_dir() / path


def is_public_path(path: Path) -> bool:
    """Whether ``path`` lies under a directory the web server may publish."""
    resolved = path.resolve()
    for root in (getattr(settings, "MEDIA_ROOT", ""), getattr(settings, "STATIC_ROOT", "")):
        if root and resolved.is_relative_to(Path(root).resolve()):
            return True
    return False


def trust_root_paths() -> list[Path]:
    """The CA certificates (PEM) whose signatures the verification page accepts as trusted."""
    configured = getattr(settings, "MOTCUA_PKI_TRUST_ROOTS", None)
    if configured is None:
        configured = [p for p in os.environ.get("MOTCUA_PKI_TRUST_ROOTS", "").split(",") if p]
    if configured:
        return [Path(p.strip()) for p in configured]
    demo = pki_dir() / CA_CERT_FILE
    return [demo] if demo.is_file() else []


def load_trust_roots(paths: Iterable[Path] | None = None) -> list[asn1_x509.Certificate]:
    roots = []
    for path in trust_root_paths() if paths is None else paths:
        try:
            pem = Path(path).read_bytes()
        except OSError as exc:
            raise PkiError(
                f"Không đọc được chứng thư gốc tin cậy {path}: {exc.strerror}."
            ) from None
        for cert in x509.load_pem_x509_certificates(pem):
            roots.append(to_asn1(cert))
    return roots


def to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


# --- passphrases -------------------------------------------------------------------------


def read_passphrase(*, env_name: str = "", directory: Path | None = None) -> bytes:
    """The passphrase of a .p12: a named variable, else MOTCUA_PKI_PASSPHRASE, else the file."""
    if env_name:
        value = os.environ.get(env_name)
        if not value:
            raise PkiError(
                f"Chưa đặt biến môi trường {env_name} chứa mật khẩu tệp chứng thư số. "
                "Xin báo quản trị hệ thống."
            )
        return value.encode()
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value.encode()
    path = (directory or pki_dir()) / PASSPHRASE_FILE
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError:
        value = ""
    if not value:
        raise PkiError(
            f"Không tìm thấy mật khẩu tệp chứng thư số (biến môi trường {PASSPHRASE_ENV} "
            f"hoặc tệp {path}). Xin báo quản trị hệ thống."
        )
    return value.encode()


def ensure_passphrase(directory: Path) -> tuple[bytes, str]:
    """The demo passphrase and where it lives; generated into a 0600 file the first time."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value.encode(), f"biến môi trường {PASSPHRASE_ENV}"
    path = directory / PASSPHRASE_FILE
    if path.is_file() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip().encode(), f"tệp {path} (quyền 0600)"
    generated = secrets.token_urlsafe(24)
    write_private(path, (generated + "\n").encode())
    return generated.encode(), f"tệp {path} (quyền 0600, vừa tạo)"


def write_private(path: Path, data: bytes) -> None:
    """Write a secret readable by the owner only, from the first byte (no chmod afterwards)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)


# --- reading certificates ------------------------------------------------------------------


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return nfc(str(values[0].value)) if values else ""


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    return CertificateInfo(
        subject=nfc(cert.subject.rfc4514_string()),
        common_name=_attribute(cert.subject, NameOID.COMMON_NAME),
        organisation=_attribute(cert.subject, NameOID.ORGANIZATION_NAME),
        issuer=nfc(cert.issuer.rfc4514_string()),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        title=_attribute(cert.subject, NameOID.TITLE),
    )


def read_pkcs12(path: str | Path, passphrase: bytes) -> Pkcs12Content:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError:
        raise PkiError(
            f"Không tìm thấy tệp chứng thư số {path}. Xin báo quản trị hệ thống."
        ) from None
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError:
        raise PkiError(
            "Không mở được tệp chứng thư số: mật khẩu không đúng hoặc tệp bị hỏng."
        ) from None
    if key is None or cert is None:
        raise PkiError("Tệp chứng thư số không chứa khóa bí mật và chứng thư của người ký.")
    return Pkcs12Content(data=data, key=key, certificate=cert, chain=list(chain))


# --- issuing (demo only) -------------------------------------------------------------------


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def create_ca(
    *, now: datetime, name: str = DEMO_CA_NAME
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua (dùng thử)"),
            x509.NameAttribute(NameOID.COMMON_NAME, nfc(name)),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + timedelta(days=CA_VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue_signing_certificate(
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    *,
    common_name: str,
    organisation: str,
    title: str = "",
    now: datetime,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _key()
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, nfc(organisation)),
    ]
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, nfc(title)))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, nfc(common_name)))
    start = not_before or now - BACKDATE
    end = not_after or min(now + timedelta(days=LEADER_VALID_DAYS), ca_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # nonRepudiation (contentCommitment): the leader answers for what is signed.
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def pkcs12_bytes(
    key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    chain: list[x509.Certificate],
    *,
    passphrase: bytes,
    friendly_name: str,
) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode(),
        key,
        cert,
        chain,
        serialization.BestAvailableEncryption(passphrase),
    )


def _load_ca(directory: Path, passphrase: bytes) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    cert = x509.load_pem_x509_certificate((directory / CA_CERT_FILE).read_bytes())
    try:
        key = serialization.load_pem_private_key(
            (directory / CA_KEY_FILE).read_bytes(), password=passphrase
        )
    except (ValueError, TypeError):
        raise PkiError(
            f"Mật khẩu hiện tại không mở được khóa của CA dùng thử trong {directory}. "
            "Dùng lại mật khẩu cũ, hoặc chạy với --force để tạo lại toàn bộ."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PkiError(
            f"Khóa của CA dùng thử trong {directory} không phải khóa RSA. "
            "Chạy với --force để tạo lại toàn bộ."
        )
    return key, cert


def _leader_is_current(
    path: Path, ca_cert: x509.Certificate, passphrase: bytes, now: datetime
) -> bool:
    try:
        content = read_pkcs12(path, passphrase)
        content.certificate.verify_directly_issued_by(ca_cert)
    except (PkiError, ValueError, TypeError, InvalidSignature):
        return False
    # Reissue a month before expiry so a demo never breaks on the day a certificate ends.
    return content.info.is_valid_at(now + timedelta(days=30))


def leader_p12_path(directory: Path, leader: DemoLeader) -> Path:
    return directory / LEADERS_DIR / f"{leader.slug}.p12"


def create_demo_pki(
    directory: Path,
    *,
    now: datetime,
    force: bool = False,
    organisation: str = DEMO_ORGANISATION,
    leaders: Iterable[DemoLeader] = DEMO_LEADERS,
) -> DemoPkiResult:
    """The demo CA and a .p12 per leader under ``directory``; existing valid files are kept."""
    now = now.astimezone(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    passphrase, source = ensure_passphrase(directory)
    ca_path = directory / CA_CERT_FILE
    ca_exists = ca_path.is_file() and (directory / CA_KEY_FILE).is_file()
    if ca_exists and not force:
        ca_key, ca_cert = _load_ca(directory, passphrase)
        ca_created = False
    else:
        ca_key, ca_cert = create_ca(now=now)
        write_private(
            directory / CA_KEY_FILE,
            ca_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(passphrase),
            ),
        )
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        ca_created = True
    result = DemoPkiResult(
        directory=directory, ca_path=ca_path, ca_created=ca_created, passphrase_source=source
    )
    for leader in leaders:
        path = leader_p12_path(directory, leader)
        if not ca_created and not force and _leader_is_current(path, ca_cert, passphrase, now):
            result.leaders.append((leader, path, False))
            continue
        key, cert = issue_signing_certificate(
            ca_key,
            ca_cert,
            common_name=leader.name,
            organisation=organisation,
            title=leader.title,
            now=now,
        )
        write_private(
            path,
            pkcs12_bytes(key, cert, [ca_cert], passphrase=passphrase, friendly_name=leader.slug),
        )
        result.leaders.append((leader, path, True))
    return result
