"""The encrypted archive format and the passphrase options, in process (fast)."""

from __future__ import annotations

import io
import struct

import pytest
from django.core.management.base import CommandError

from motcua.core import backup
from motcua.core.management import passphrase as passphrase_options

SECRET = b"mot-cau-mat-khau-du-dai"


def encrypt(data: bytes, passphrase: bytes = SECRET) -> bytes:
    out = io.BytesIO()
    writer = backup._Encryptor(out, passphrase)
    # Uneven writes, as gzip does, across several records.
    for start in range(0, len(data), 70_000):
        writer.write(data[start : start + 70_000])
    writer.close()
    return out.getvalue()


def records(blob: bytes) -> tuple[bytes, list[bytes]]:
    head_size = len(backup.MAGIC) + backup.HEADER.size
    header, rest, found = blob[:head_size], blob[head_size:], []
    while rest:
        _, length = backup.RECORD.unpack(rest[: backup.RECORD.size])
        size = backup.RECORD.size + length
        found.append(rest[:size])
        rest = rest[size:]
    return header, found


def decrypt(blob: bytes, tmp_path, passphrase: bytes = SECRET) -> bytes:
    source = tmp_path / "in.enc"
    source.write_bytes(blob)
    target = tmp_path / "out"
    target.unlink(missing_ok=True)
    backup._decrypt_to(source, passphrase, target)
    return target.read_bytes()


@pytest.fixture
def payload() -> bytes:
    return bytes(range(256)) * (3 * backup.CHUNK // 256) + b"tail"


class TestEncryptedArchive:
    def test_round_trip_over_several_records(self, payload, tmp_path):
        blob = encrypt(payload)
        assert len(records(blob)[1]) == 4
        assert decrypt(blob, tmp_path) == payload
        assert backup.is_encrypted(tmp_path / "in.enc")

    def test_wrong_passphrase(self, payload, tmp_path):
        with pytest.raises(backup.BackupError, match="sai mật khẩu"):
            decrypt(encrypt(payload), tmp_path, b"mat-khau-khac-hoan-toan")

    def test_archive_cut_at_a_record_boundary_is_refused(self, payload, tmp_path):
        header, found = records(encrypt(payload))
        with pytest.raises(backup.BackupError, match="hỏng"):
            decrypt(header + b"".join(found[:-1]), tmp_path)

    def test_reordered_records_are_refused(self, payload, tmp_path):
        header, found = records(encrypt(payload))
        found[0], found[1] = found[1], found[0]
        with pytest.raises(backup.BackupError, match="hỏng"):
            decrypt(header + b"".join(found), tmp_path)

    def test_a_record_marked_last_too_early_is_refused(self, payload, tmp_path):
        header, found = records(encrypt(payload))
        flag, length = backup.RECORD.unpack(found[0][: backup.RECORD.size])
        forged = struct.pack(">BI", backup.LAST, length) + found[0][backup.RECORD.size :]
        with pytest.raises(backup.BackupError, match="hỏng"):
            decrypt(header + forged, tmp_path)

    def test_bytes_after_the_last_record_are_refused(self, payload, tmp_path):
        with pytest.raises(backup.BackupError, match="hỏng"):
            decrypt(encrypt(payload) + b"x", tmp_path)

    def test_damaged_header_is_refused(self, payload, tmp_path):
        blob = bytearray(encrypt(payload))
        blob[len(backup.MAGIC) + 2] ^= 0x01  # n is no longer a power of two
        with pytest.raises(backup.BackupError, match="hỏng"):
            decrypt(bytes(blob), tmp_path)

    def test_two_archives_of_the_same_data_differ(self, payload):
        assert encrypt(payload[:1000]) != encrypt(payload[:1000])


class TestPassphraseOptions:
    def test_from_a_named_variable(self, monkeypatch):
        monkeypatch.setenv("MOTCUA_BACKUP_PASSPHRASE", "đủ-dài-để-mã-hóa")
        options = {"passphrase_env": "MOTCUA_BACKUP_PASSPHRASE", "ask_passphrase": False}
        value = passphrase_options.read_passphrase(options, confirm=True)
        assert value == "đủ-dài-để-mã-hóa".encode()

    def test_unset_variable_is_an_error(self, monkeypatch):
        monkeypatch.delenv("MOTCUA_BACKUP_PASSPHRASE", raising=False)
        options = {"passphrase_env": "MOTCUA_BACKUP_PASSPHRASE", "ask_passphrase": False}
        with pytest.raises(CommandError, match="chưa đặt"):
            passphrase_options.read_passphrase(options, confirm=True)

    def test_short_passphrase_refused_for_encryption(self, monkeypatch):
        monkeypatch.setenv("P", "ngan")
        with pytest.raises(CommandError, match="ít nhất 12"):
            passphrase_options.read_passphrase({"passphrase_env": "P"}, confirm=True)

    def test_prompt_must_match_twice(self, monkeypatch):
        answers = iter(["mot-mat-khau-dai", "mot-mat-khau-khac"])
        monkeypatch.setattr(passphrase_options.getpass, "getpass", lambda prompt: next(answers))
        with pytest.raises(CommandError, match="không khớp"):
            passphrase_options.read_passphrase({"ask_passphrase": True}, confirm=True)

    def test_prompt_once_to_decrypt(self, monkeypatch):
        monkeypatch.setattr(passphrase_options.getpass, "getpass", lambda prompt: "x")
        assert passphrase_options.read_passphrase({"ask_passphrase": True}, confirm=False) == b"x"

    def test_no_option_means_no_encryption(self):
        assert passphrase_options.read_passphrase({}, confirm=True) is None
