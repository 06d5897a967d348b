"""``motcua pki demo``: a demo CA and leaders' .p12 files, created once and kept."""

from __future__ import annotations

import io
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command

from motcua.signing import pki
from motcua.signing.models import SigningCertificate


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("pki", *args, stdout=out)
    return out.getvalue()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class TestPkiDemo:
    def test_creates_the_ca_and_a_p12_per_leader_with_secrets_readable_by_the_owner_only(
        self, tmp_path
    ):
        directory = tmp_path / "pki"
        out = run("demo", "--dir", str(directory))

        ca = x509.load_pem_x509_certificate((directory / pki.CA_CERT_FILE).read_bytes())
        assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == pki.DEMO_CA_NAME
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        passphrase = (directory / "passphrase").read_text().strip().encode()
        assert mode(directory / "passphrase") == 0o600
        assert mode(directory / pki.CA_KEY_FILE) == 0o600
        for leader in pki.DEMO_LEADERS:
            path = pki.leader_p12_path(directory, leader)
            assert mode(path) == 0o600
            key, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), passphrase)
            assert key is not None
            assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == leader.name
            assert (
                cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
                == pki.DEMO_ORGANISATION
            )
            usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
            assert usage.digital_signature and usage.content_commitment
            assert not usage.key_cert_sign
            cert.verify_directly_issued_by(ca)
            assert [c.subject for c in chain] == [ca.subject]
            assert str(path) in out
        assert "Trần Văn Lãnh Đạo" in out
        assert "passphrase" in out

    def test_is_idempotent_and_force_starts_over(self, tmp_path):
        directory = tmp_path / "pki"
        run("demo", "--dir", str(directory))
        files = [directory / pki.CA_CERT_FILE] + [
            pki.leader_p12_path(directory, leader) for leader in pki.DEMO_LEADERS
        ]
        before = [f.read_bytes() for f in files]

        out = run("demo", "--dir", str(directory))
        assert [f.read_bytes() for f in files] == before
        assert "đã tạo" not in out

        run("demo", "--dir", str(directory), "--force")
        after = [f.read_bytes() for f in files]
        assert all(a != b for a, b in zip(after, before, strict=True))

    def test_takes_the_passphrase_from_the_environment_and_writes_no_file(
        self, tmp_path, monkeypatch
    ):
        monkeypatch.setenv(pki.PASSPHRASE_ENV, "mat-khau-tu-moi-truong")
        directory = tmp_path / "pki"
        out = run("demo", "--dir", str(directory))
        assert not (directory / "passphrase").exists()
        assert pki.PASSPHRASE_ENV in out
        path = pki.leader_p12_path(directory, pki.DEMO_LEADERS[0])
        pkcs12.load_key_and_certificates(path.read_bytes(), b"mat-khau-tu-moi-truong")

    def test_refuses_an_existing_ca_when_the_passphrase_changed(self, tmp_path, monkeypatch):
        directory = tmp_path / "pki"
        run("demo", "--dir", str(directory))
        monkeypatch.setenv(pki.PASSPHRASE_ENV, "mat-khau-khac")
        with pytest.raises(CommandError, match="--force"):
            run("demo", "--dir", str(directory))

    def test_declares_the_demo_certificates_for_the_given_accounts(
        self, settings, tmp_path, django_user_model
    ):
        directory = tmp_path / "pki"
        settings.MOTCUA_PKI_DIR = directory
        django_user_model.objects.create_user(username="chutich")
        run("demo", "--user", "chutich")
        run("demo", "--user", "chutich")

        [certificate] = SigningCertificate.objects.all()
        assert certificate.user.username == "chutich"
        assert certificate.p12_path == "lanh-dao/tran-van-lanh-dao.p12"
        assert certificate.common_name == "Trần Văn Lãnh Đạo"
        assert certificate.not_after > certificate.not_before

    def test_refuses_an_unknown_account(self, settings, tmp_path, db):
        settings.MOTCUA_PKI_DIR = tmp_path / "pki"
        with pytest.raises(CommandError, match="Không có tài khoản"):
            run("demo", "--user", "khong-co")


class TestPkiRegister:
    def test_refuses_a_wrong_passphrase_in_vietnamese(self, demo_pki, leader, monkeypatch):
        monkeypatch.setenv("MAT_KHAU_SAI", "sai")
        with pytest.raises(CommandError, match="mật khẩu không đúng"):
            run(
                "register",
                "--user",
                leader.username,
                "--p12",
                "lanh-dao/tran-van-lanh-dao.p12",
                "--passphrase-env",
                "MAT_KHAU_SAI",
            )
        assert not SigningCertificate.objects.exists()

    def test_refuses_a_file_under_media_root(self, settings, demo_pki, leader):
        settings.MEDIA_ROOT = demo_pki.directory
        with pytest.raises(CommandError, match="công khai"):
            run("register", "--user", leader.username, "--p12", "lanh-dao/tran-van-lanh-dao.p12")
