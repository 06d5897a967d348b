"""``motcua backup`` and ``motcua restore`` between two real installations (subprocesses).

The restored installation starts from an empty var/ (and, on PostgreSQL, an empty database):
its audit chain verifies, the citizen's document is byte-identical, the leader's signed result
still verifies and the restored keys still sign.
"""

from __future__ import annotations

import json
import os
import stat
import tarfile

import pytest

PASSPHRASE = "ngựa-đúng-pin-kẹp-giấy"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """One seeded installation and its archives, shared by the tests of this module."""
    from .conftest import (
        Installation,
        _admin_connect,
        backup_tools_missing,
        suite_database_url,
        urlsplit,
        urlunsplit,
    )

    base = tmp_path_factory.mktemp("backup-source")
    server = suite_database_url()
    name = f"motcua_durability_{os.getpid()}_source"
    url = ""
    if server:
        with _admin_connect(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    try:
        installation = Installation(base / "var", url)
        if reason := backup_tools_missing(installation):
            pytest.skip(reason)
        installation.set_up()
        seeded = installation.probe("seed-signed")
        plain = base / "motcua.tar.gz"
        encrypted = base / "motcua.tar.gz.enc"
        installation.motcua("backup", "--output", str(plain))
        installation.motcua(
            "backup",
            "--output",
            str(encrypted),
            "--passphrase-env",
            "MOTCUA_BACKUP_PASSPHRASE",
            env={"MOTCUA_BACKUP_PASSPHRASE": PASSPHRASE},
        )
        yield installation, seeded, plain, encrypted
    finally:
        if server:
            with _admin_connect(server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TestPrivateFiles:
    def test_database_documents_and_keys_are_owner_only(self, source):
        installation, _, _, _ = source
        if installation.engine == "sqlite":
            assert mode(installation.var_dir / "motcua.sqlite3") == 0o600
        media = installation.var_dir / "media"
        files = [p for p in media.rglob("*") if p.is_file()]
        assert files, "the seeded dossier has a document file"
        for path in files:
            assert mode(path) == 0o600, path
        for path in [media, *(p for p in media.rglob("*") if p.is_dir())]:
            assert mode(path) == 0o700, path


class TestBackupArchive:
    def test_archive_is_private_and_lists_every_member_with_its_checksum(self, source):
        installation, _, plain, encrypted = source
        assert mode(plain) == 0o600 and mode(encrypted) == 0o600
        with tarfile.open(plain) as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile("manifest.json"))
        assert manifest["database"]["engine"] == installation.engine
        assert set(manifest["files"]) == set(names) - {"manifest.json"}
        assert manifest["secret_key"] == {"source": "file", "included": True}
        assert any(n.startswith("media/") for n in names)
        assert "pki/lanh-dao/tran-van-lanh-dao.p12" in names
        assert manifest["database"]["member"] in names

    def test_encrypted_archive_does_not_show_its_contents(self, source):
        _, _, _, encrypted = source
        data = encrypted.read_bytes()
        assert data.startswith(b"MOTCUA-BACKUP-AESGCM-1\n")
        assert b"manifest.json" not in data and b"lanh-dao" not in data
        with pytest.raises(tarfile.TarError), tarfile.open(encrypted):
            pass


class TestRestoreIntoEmptyInstallation:
    def test_restored_installation_verifies(self, source, make_installation):
        """The encrypted archive; the plain one is restored by the --force test below."""
        _, seeded, _, encrypted = source
        target = make_installation()
        assert not target.var_dir.exists()
        done = target.motcua(
            "restore",
            str(encrypted),
            "--passphrase-env",
            "MOTCUA_BACKUP_PASSPHRASE",
            env={"MOTCUA_BACKUP_PASSPHRASE": PASSPHRASE},
        )
        assert "Đã khôi phục" in done.stdout

        assert "Nhật ký toàn vẹn" in target.motcua("audit", "verify").stdout
        checked = target.probe("check-restored", seeded["dossier"], seeded["verification_code"])
        assert checked["document_sha256"] == seeded["document_sha256"]
        assert checked["signature_ok"], checked["message"]
        assert checked["file_matches"]
        assert checked["signs_again"]
        assert checked["secret_key_sha256"] == seeded["secret_key_sha256"]

        # Everything restored is the service account's only.
        assert mode(target.var_dir) == 0o700
        assert mode(target.var_dir / "secret_key") == 0o600
        assert mode(checked["document_path"]) == 0o600
        assert mode(target.var_dir / "pki" / "lanh-dao" / "tran-van-lanh-dao.p12") == 0o600
        if target.engine == "sqlite":
            assert mode(target.var_dir / "motcua.sqlite3") == 0o600


class TestRestoreRefusals:
    def _assert_nothing_restored(self, target) -> None:
        leftovers = (
            sorted(p.name for p in target.var_dir.iterdir()) if target.var_dir.exists() else []
        )
        assert leftovers == []

    def test_wrong_passphrase(self, source, make_installation):
        _, _, _, encrypted = source
        target = make_installation()
        done = target.motcua(
            "restore",
            str(encrypted),
            "--passphrase-env",
            "MOTCUA_BACKUP_PASSPHRASE",
            env={"MOTCUA_BACKUP_PASSPHRASE": "không-phải-mật-khẩu-này"},
            check=False,
        )
        assert done.returncode == 1
        assert "sai mật khẩu" in done.stderr
        self._assert_nothing_restored(target)

    def test_encrypted_archive_without_passphrase(self, source, make_installation):
        _, _, _, encrypted = source
        target = make_installation()
        done = target.motcua("restore", str(encrypted), check=False)
        assert done.returncode == 1 and "cần mật khẩu" in done.stderr
        self._assert_nothing_restored(target)

    @pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
    def test_corrupted_archive(self, source, make_installation, tmp_path, encrypted):
        _, _, plain, encrypted_path = source
        data = bytearray((encrypted_path if encrypted else plain).read_bytes())
        data[len(data) // 2] ^= 0x55
        broken = tmp_path / "broken.tar.gz"
        broken.write_bytes(bytes(data))
        target = make_installation()
        args = ["restore", str(broken)]
        env = {}
        if encrypted:
            args += ["--passphrase-env", "MOTCUA_BACKUP_PASSPHRASE"]
            env = {"MOTCUA_BACKUP_PASSPHRASE": PASSPHRASE}
        done = target.motcua(*args, env=env, check=False)
        assert done.returncode == 1
        assert "hỏng" in done.stderr, done.stderr
        self._assert_nothing_restored(target)

    def test_truncated_encrypted_archive(self, source, make_installation, tmp_path):
        _, _, _, encrypted = source
        data = encrypted.read_bytes()
        broken = tmp_path / "truncated.enc"
        broken.write_bytes(data[: len(data) - 100])
        target = make_installation()
        done = target.motcua(
            "restore",
            str(broken),
            "--passphrase-env",
            "MOTCUA_BACKUP_PASSPHRASE",
            env={"MOTCUA_BACKUP_PASSPHRASE": PASSPHRASE},
            check=False,
        )
        assert done.returncode == 1 and "hỏng" in done.stderr
        self._assert_nothing_restored(target)

    def test_non_empty_target_is_refused_then_force_overwrites(self, source, make_installation):
        _, seeded, plain, _ = source
        target = make_installation()
        target.set_up()
        target.motcua("migrate", "-v", "0")  # an installation with its own database
        done = target.motcua("restore", str(plain), check=False)
        assert done.returncode == 1
        assert "không trống" in done.stderr and "--force" in done.stderr

        target.motcua("restore", str(plain), "--force")
        restored = target.probe("dossiers")
        assert seeded["dossier"] in restored["codes"]
        assert restored["audit_broken"] is None
