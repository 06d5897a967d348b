"""Backups that restore: one archive with the database, the documents, the signing keys and the
secret key, optionally encrypted with a passphrase.

A center's data is citizens' personal data (Nghị định 13/2023/NĐ-CP, Điều 26: the controller
must protect it against loss and unauthorised access), so:

* the database snapshot is consistent while the server runs (SQLite's online backup API, or
  ``pg_dump``, which reads one MVCC snapshot);
* every file written here (archive, restored database, documents, keys) is readable by the owner
  only, from its first byte;
* a restore checks everything first (passphrase, archive integrity, SHA-256 of every member,
  an empty target) and writes nothing before all checks have passed.

Archive layout (``.tar.gz``; encrypted archives wrap the same bytes, see ``_Encryptor``)::

    database/motcua.sqlite3 | database/motcua.dump   the database
    media/...                                         uploaded and generated documents
    pki/...                                           leaders' .p12 files, CA, passphrase file
    secret_key                                        when the key came from var/secret_key
    manifest.json                                     written last: versions and SHA-256 of all
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings

FORMAT = "motcua.backup"
VERSION = 1
MANIFEST = "manifest.json"
SECRET_KEY_MEMBER = "secret_key"  # noqa: S105 (a member name, not a secret)
SQLITE_MEMBER = "database/motcua.sqlite3"
POSTGRES_MEMBER = "database/motcua.dump"
CHUNK = 1024 * 1024
COMMAND_TIMEOUT = 6 * 3600  # a province's dump may take long; a hung pg_dump must not hang cron

# Encrypted archives: MAGIC, then the scrypt parameters and salt, then records of
# (flag: 1 byte, length: 4 bytes, AES-256-GCM ciphertext). The flag marks the last record and
# is authenticated with the header and the record number, so a truncated, reordered or spliced
# archive fails to decrypt instead of restoring part of the data.
MAGIC = b"MOTCUA-BACKUP-AESGCM-1\n"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
HEADER = struct.Struct(">III16s8s")  # n, r, p, salt, nonce prefix
RECORD = struct.Struct(">BI")
MORE, LAST = 0, 1


class BackupError(Exception):
    """A refusal or failure with a message for the operator (Vietnamese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- private files -----------------------------------------------------------------------------


def private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents as 0700; existing directories are left as they
    are (the parent may be a shared one such as /tmp or /srv)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)


def open_private(path: Path) -> IO[bytes]:
    """A new file readable by the owner only from its first byte (no chmod afterwards)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def secure_sqlite_files(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """``connection_created`` handler: the SQLite database and its -wal/-shm files 0600.

    SQLite creates the database with the process umask (usually 0644) and gives -wal and -shm
    the mode of the database file, so tightening the database as soon as it is opened covers
    all three on the next open as well."""
    if connection is None or connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    name = Path(str(connection.settings_dict["NAME"]))
    for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
        try:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:  # not there (yet), or not ours: the server keeps running
            continue


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    """Regular files under ``root``, sorted; symbolic links are not followed (a link could point
    anywhere on the machine)."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path


# --- encryption --------------------------------------------------------------------------------


def _derive_key(passphrase: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)


class _Encryptor(io.RawIOBase):
    """A write-only stream that encrypts in records of CHUNK bytes."""

    def __init__(self, out: IO[bytes], passphrase: bytes):
        self.out = out
        salt, self.prefix = secrets.token_bytes(16), secrets.token_bytes(8)
        self.header = MAGIC + HEADER.pack(SCRYPT_N, SCRYPT_R, SCRYPT_P, salt, self.prefix)
        self.aead = AESGCM(_derive_key(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
        self.buffer = bytearray()
        self.counter = 0
        out.write(self.header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:
            self._record(bytes(self.buffer[:CHUNK]), MORE)
            del self.buffer[:CHUNK]
        return len(data)

    def _record(self, plain: bytes, flag: int) -> None:
        nonce = self.prefix + struct.pack(">I", self.counter)
        aad = self.header + struct.pack(">BI", flag, self.counter)
        sealed = self.aead.encrypt(nonce, plain, aad)
        self.out.write(RECORD.pack(flag, len(sealed)) + sealed)
        self.counter += 1

    def close(self) -> None:
        if not self.closed:
            self._record(bytes(self.buffer), LAST)
            self.buffer.clear()
        super().close()


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


def _decrypt_to(path: Path, passphrase: bytes, target: Path) -> None:
    """Decrypt the whole archive into ``target``; any tampering or a wrong passphrase raises."""
    wrong = BackupError(
        "Không giải mã được bản sao lưu: sai mật khẩu, hoặc tệp đã bị hỏng hay bị sửa."
    )
    with path.open("rb") as source, open_private(target) as out:
        magic = source.read(len(MAGIC))
        raw = source.read(HEADER.size)
        if magic != MAGIC or len(raw) != HEADER.size:
            raise BackupError("Tệp không phải bản sao lưu motcua được mã hóa.")
        n, r, p, salt, prefix = HEADER.unpack(raw)
        if not (2**14 <= n <= 2**20 and 1 <= r <= 16 and 1 <= p <= 4):
            raise wrong
        try:
            aead = AESGCM(_derive_key(passphrase, salt, n, r, p))
        except ValueError:  # n not a power of two: a damaged header
            raise wrong from None
        header = magic + raw
        counter = 0
        while True:
            head = source.read(RECORD.size)
            if len(head) != RECORD.size:
                raise wrong  # cut short: the LAST record never came
            flag, length = RECORD.unpack(head)
            sealed = source.read(length)
            if flag not in (MORE, LAST) or length > CHUNK + 16 or len(sealed) != length:
                raise wrong
            nonce = prefix + struct.pack(">I", counter)
            try:
                out.write(aead.decrypt(nonce, sealed, header + struct.pack(">BI", flag, counter)))
            except InvalidTag:
                raise wrong from None
            counter += 1
            if flag == LAST:
                break
        if source.read(1):
            raise wrong


# --- what a backup contains --------------------------------------------------------------------


def database_engine() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine in ("django.db.backends.sqlite3", "motcua.core.sqlite_backend"):
        return "sqlite"
    if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        return "postgresql"
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {engine}.")


def sqlite_path() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def media_root() -> Path | None:
    """MEDIA_ROOT when documents are local files; None when they live in object storage."""
    backend = settings.STORAGES.get("default", {}).get("BACKEND", "")
    if backend != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def pki_root() -> Path:
    from motcua.signing.pki import pki_dir

    return pki_dir()


def secret_key_file() -> Path:
    return Path(settings.VAR_DIR) / "secret_key"


def _pg_env() -> dict[str, str]:
    """libpq's variables for the configured database: the password never shows in ``ps``."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = db.get(key)
        if value:
            env[variable] = str(value)
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return env


def _run_pg_tool(args: list[str], what: str) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            f"Không tìm thấy lệnh {args[0]} (gói postgresql-client). Hãy cài rồi chạy lại."
        )
    try:
        done = subprocess.run(
            [tool, *args[1:]],
            env=_pg_env(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} quá thời gian cho phép.") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise BackupError(f"{what} không thành công: {' '.join(detail)}")


def _snapshot_database(engine: str, staging: Path) -> tuple[str, Path]:
    if engine == "sqlite":
        source_path = sqlite_path()
        if not source_path.is_file():
            raise BackupError(f"Không thấy cơ sở dữ liệu {source_path}.")
        target = staging / "motcua.sqlite3"
        open_private(target).close()
        # The online backup API copies a consistent snapshot while kiosks keep writing (WAL).
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        if check != "ok":
            raise BackupError(f"Bản chụp cơ sở dữ liệu không toàn vẹn: {check}")
        return SQLITE_MEMBER, target
    target = staging / "motcua.dump"
    open_private(target).close()
    _run_pg_tool(
        ["pg_dump", "--format=custom", "--no-password", f"--file={target}"],
        "Sao lưu PostgreSQL (pg_dump)",
    )
    return POSTGRES_MEMBER, target


class _HashingReader(io.RawIOBase):
    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


@dataclass
class BackupReport:
    path: Path
    manifest: dict[str, Any]
    encrypted: bool

    @property
    def file_count(self) -> int:
        return len(self.manifest["files"])


def _add_file(tar: tarfile.TarFile, source: Path, name: str, files: dict) -> None:
    info = tarfile.TarInfo(name)
    with source.open("rb") as handle:
        info.size = os.fstat(handle.fileno()).st_size
        info.mtime = int(os.fstat(handle.fileno()).st_mtime)
        info.mode = 0o600
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    files[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}


def default_output(now: datetime, encrypted: bool) -> Path:
    suffix = ".tar.gz.enc" if encrypted else ".tar.gz"
    return Path(settings.VAR_DIR) / "backups" / f"motcua-{now:%Y%m%d-%H%M%S}{suffix}"


def create_backup(
    output: Path,
    *,
    now: datetime,
    passphrase: bytes | None = None,
    include_env_secret: bool = False,
) -> BackupReport:
    """Write one archive at ``output`` (0600); it is complete or not there at all."""
    engine = database_engine()
    output = output.absolute()
    if output.exists():
        raise BackupError(f"Tệp {output} đã có; chọn tên khác (không ghi đè bản sao lưu cũ).")
    media = media_root()
    for inside in (media, pki_root()):
        if inside is not None and output.parent.resolve().is_relative_to(inside.resolve()):
            raise BackupError(
                f"Không ghi bản sao lưu vào {inside}: thư mục này được sao lưu. Chọn nơi khác."
            )
    private_dir(output.parent)
    secret = _secret_key_source(include_env_secret)
    files: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix=".motcua-backup-", dir=output.parent) as tmp:
        staging = Path(tmp)
        os.chmod(staging, 0o700)
        partial = staging / "archive"
        member, snapshot = _snapshot_database(engine, staging)
        with open_private(partial) as raw:
            sink: IO[bytes] | _Encryptor = _Encryptor(raw, passphrase) if passphrase else raw
            with (
                gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=6, mtime=0) as packed,
                tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                _add_file(tar, snapshot, member, files)
                snapshot.unlink()
                trees = [("media", media), ("pki", pki_root())] if media else [("pki", pki_root())]
                for prefix, root in trees:
                    for path in _files_under(root):
                        # A kiosk's pending upload may be removed while we walk: skip it.
                        with contextlib.suppress(FileNotFoundError):
                            name = f"{prefix}/{path.relative_to(root).as_posix()}"
                            _add_file(tar, path, name, files)
                if secret["included"]:
                    if secret["source"] == "env":
                        data = os.environ["SECRET_KEY"].strip().encode() + b"\n"
                        secret_path = staging / "secret_key"
                        with open_private(secret_path) as handle:
                            handle.write(data)
                        _add_file(tar, secret_path, SECRET_KEY_MEMBER, files)
                    else:
                        _add_file(tar, secret_key_file(), SECRET_KEY_MEMBER, files)
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created_at": now.isoformat(),
                    "motcua_version": _motcua_version(),
                    "database": {"engine": engine, "member": member},
                    "media": {
                        "included": media is not None,
                        "note": ""
                        if media is not None
                        else "Tài liệu nằm trong kho đối tượng (S3).",
                    },
                    "pki": {"included": any(name.startswith("pki/") for name in files)},
                    "secret_key": secret,
                    "encrypted": passphrase is not None,
                    "files": files,
                }
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(now.timestamp())
                tar.addfile(info, io.BytesIO(body))
            if passphrase:
                sink.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    return BackupReport(path=output, manifest=manifest, encrypted=passphrase is not None)


def _motcua_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("motcua")
    except PackageNotFoundError:
        return "unknown"


def _secret_key_source(include_env_secret: bool) -> dict[str, Any]:
    """Where the running key comes from and whether the archive carries it.

    A key from the environment belongs to the deployment's secret store (systemd credentials,
    a vault): it goes into the archive only when asked (--include-env-secret)."""
    if os.environ.get("SECRET_KEY", "").strip():
        return {"source": "env", "included": include_env_secret}
    if secret_key_file().is_file():
        return {"source": "file", "included": True}
    return {"source": "none", "included": False}


# --- restore -----------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    restored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_archive(path: Path, staging: Path, passphrase: bytes | None) -> dict[str, Any]:
    """Decrypt and unpack ``path`` into ``staging``, checking every member against the manifest.

    Returns the manifest. Raises BackupError for a wrong passphrase, a damaged or tampered
    archive, unexpected members or paths that would escape the staging directory."""
    if not path.is_file():
        raise BackupError(f"Không thấy tệp sao lưu {path}.")
    archive = path
    if is_encrypted(path):
        if passphrase is None:
            raise BackupError(
                "Bản sao lưu được mã hóa: cần mật khẩu (--passphrase-env TÊN_BIẾN hoặc "
                "--ask-passphrase)."
            )
        archive = staging / "archive.tar.gz"
        _decrypt_to(path, passphrase, archive)
    damaged = BackupError("Tệp sao lưu bị hỏng hoặc không đúng định dạng; không khôi phục gì.")
    unpacked = staging / "unpacked"
    private_dir(unpacked)
    digests: dict[str, str] = {}
    manifest_bytes = b""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                name = member.name
                parts = Path(name).parts
                if (
                    not member.isfile()
                    or name.startswith("/")
                    or ".." in parts
                    or name in digests
                    or not parts
                ):
                    raise damaged
                handle = tar.extractfile(member)
                if handle is None:
                    raise damaged
                if name == MANIFEST:
                    manifest_bytes = handle.read(1024 * 1024 * 64)
                    continue
                target = unpacked / name
                private_dir(target.parent)
                digest = hashlib.sha256()
                with open_private(target) as out:
                    for block in iter(functools.partial(handle.read, CHUNK), b""):
                        digest.update(block)
                        out.write(block)
                digests[name] = digest.hexdigest()
    except (tarfile.TarError, zlib.error, EOFError, gzip.BadGzipFile):
        raise damaged from None
    except OSError as exc:
        raise BackupError(f"Không đọc/ghi được khi giải nén: {exc.strerror or exc}") from None
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise damaged from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise damaged
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"Bản sao lưu phiên bản {manifest.get('version')}; phần mềm này đọc phiên bản {VERSION}."
        )
    expected = {name: entry.get("sha256") for name, entry in manifest.get("files", {}).items()}
    if expected != digests:
        bad = sorted(set(expected) ^ set(digests)) or sorted(
            name for name in expected if expected[name] != digests.get(name)
        )
        raise BackupError(
            "Tệp sao lưu không khớp mã kiểm tra (SHA-256) ở: "
            + ", ".join(bad[:5])
            + ". Tệp đã bị hỏng hoặc bị sửa; không khôi phục gì."
        )
    return manifest


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return True  # something is there that we cannot read: not an empty target


def _postgres_has_tables() -> bool:
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
    except DatabaseError as exc:
        name = settings.DATABASES["default"]["NAME"]
        raise BackupError(
            f"Không kết nối được cơ sở dữ liệu PostgreSQL “{name}” (DATABASE_URL): "
            f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc}. "
            "Hãy tạo cơ sở dữ liệu trống trước khi khôi phục."
        ) from None
    finally:
        connection.close()
    return bool(tables)


def _non_empty_dir(path: Path) -> bool:
    return path.is_dir() and any(path.iterdir())


def target_problems(manifest: dict[str, Any]) -> list[str]:
    """What the restore would overwrite: an empty target has none."""
    problems = []
    engine = database_engine()
    if manifest["database"]["engine"] != engine:
        raise BackupError(
            f"Bản sao lưu dùng cơ sở dữ liệu {manifest['database']['engine']}, cấu hình hiện tại "
            f"dùng {engine}. Đặt DATABASE_URL cho đúng loại rồi chạy lại."
        )
    if engine == "sqlite" and _sqlite_has_tables(sqlite_path()):
        problems.append(f"cơ sở dữ liệu {sqlite_path()} đã có dữ liệu")
    if engine == "postgresql" and _postgres_has_tables():
        name = settings.DATABASES["default"]["NAME"]
        problems.append(f"cơ sở dữ liệu PostgreSQL “{name}” đã có bảng")
    media = media_root()
    if media is not None and manifest["media"]["included"] and _non_empty_dir(media):
        problems.append(f"thư mục tài liệu {media} không trống")
    if manifest["pki"]["included"] and _non_empty_dir(pki_root()):
        problems.append(f"thư mục khóa ký số {pki_root()} không trống")
    if manifest["secret_key"]["included"] and secret_key_file().exists():
        problems.append(f"tệp khóa bí mật {secret_key_file()} đã có")
    return problems


def _move_tree(source: Path, target: Path) -> None:
    """Move the unpacked ``source`` tree into ``target`` (0700 directories, 0600 files).

    The contents move, not the directory itself: ``target`` may be a mount point."""
    private_dir(target)
    os.chmod(target, 0o700)
    for child in target.iterdir():  # non-empty only with --force
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in source.iterdir():
        shutil.move(str(child), str(target / child.name))
    for dirpath, dirnames, filenames in os.walk(target):
        for name in dirnames:
            os.chmod(Path(dirpath) / name, 0o700)
        for name in filenames:
            os.chmod(Path(dirpath) / name, 0o600)


def _restore_sqlite(snapshot: Path) -> None:
    target = sqlite_path()
    private_dir(target.parent)
    for stale in (Path(f"{target}-wal"), Path(f"{target}-shm"), Path(f"{target}-journal")):
        stale.unlink(missing_ok=True)
    partial = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")
    shutil.copyfile(snapshot, partial)
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def _restore_postgres(dump: Path, force: bool) -> None:
    from django.db import connections

    connections.close_all()
    args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--no-password"]
    if force:
        args += ["--clean", "--if-exists"]
    args += ["--single-transaction", f"--dbname={settings.DATABASES['default']['NAME']}"]
    _run_pg_tool([*args, str(dump)], "Khôi phục PostgreSQL (pg_restore)")


def restore_backup(path: Path, *, passphrase: bytes | None, force: bool) -> RestoreReport:
    """Restore ``path`` into the configured database, MEDIA_ROOT, PKI directory and var/."""
    var_dir = Path(settings.VAR_DIR)
    private_dir(var_dir)
    with tempfile.TemporaryDirectory(prefix=".motcua-restore-", dir=var_dir) as tmp:
        staging = Path(tmp)
        os.chmod(staging, 0o700)
        manifest = read_archive(path.absolute(), staging, passphrase)
        problems = target_problems(manifest)
        if problems and not force:
            raise BackupError(
                "Nơi khôi phục không trống: "
                + "; ".join(problems)
                + ". Khôi phục vào thư mục/cơ sở dữ liệu trống, hoặc thêm --force để ghi đè."
            )
        report = RestoreReport(manifest=manifest)
        unpacked = staging / "unpacked"
        member = manifest["database"]["member"]
        if manifest["database"]["engine"] == "sqlite":
            _restore_sqlite(unpacked / member)
        else:
            _restore_postgres(unpacked / member, force=force)
        report.restored.append("database")
        media = media_root()
        if manifest["media"]["included"]:
            if media is None:
                report.warnings.append(
                    "Tài liệu trong bản sao lưu không được chép: cấu hình hiện tại lưu tài liệu "
                    "trong kho đối tượng (S3); hãy chép thư mục media/ của bản sao lưu lên đó."
                )
            elif (unpacked / "media").is_dir():
                _move_tree(unpacked / "media", media)
                report.restored.append("media")
        if (unpacked / "pki").is_dir():
            _move_tree(unpacked / "pki", pki_root())
            report.restored.append("pki")
        if manifest["secret_key"]["included"]:
            key_path = secret_key_file()
            key_path.unlink(missing_ok=True)
            shutil.copyfile(unpacked / SECRET_KEY_MEMBER, key_path)
            os.chmod(key_path, 0o600)
            report.restored.append("secret_key")
            restored_key = key_path.read_text(encoding="utf-8").strip()
            running = os.environ.get("SECRET_KEY", "").strip()
            if os.environ.get("MOTCUA_RESTORE_KEYLESS"):
                running = ""  # the throwaway key cli.py set to start this command
            if running and running != restored_key:
                report.warnings.append(
                    "Biến môi trường SECRET_KEY đang đặt khác khóa trong bản sao lưu và được ưu "
                    f"tiên hơn tệp {key_path}: bỏ biến đó (hoặc đặt bằng khóa đã khôi phục), "
                    "nếu không phiếu hẹn và kiosk đã kích hoạt sẽ không còn hợp lệ."
                )
        elif manifest["secret_key"]["source"] == "env":
            report.warnings.append(
                "Khóa bí mật (SECRET_KEY) lấy từ biến môi trường nên không có trong bản sao "
                "lưu: hãy đặt lại đúng giá trị cũ."
            )
    return report
