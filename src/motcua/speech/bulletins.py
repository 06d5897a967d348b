"""Bulletins of a center: reading them with the center's dictionary, making their audio in the
background, and finding the ones due on air.

Making a bulletin's audio takes from a second (espeak-ng, 1,000 words) to minutes (a slower
voice); a request never waits for it. ``start_render`` marks the bulletin queued and, once the
transaction commits, a background thread (one at a time per process: the server has two cores)
speaks it sentence by sentence and writes its progress to the row, which the page polls. A
thread dies with its process (a restart, a deploy): a bulletin whose progress has not moved for
``STALE_AFTER`` is shown as interrupted and can be started again. ``motcua speech
due-bulletins --render`` finishes any that were left.
"""

from __future__ import annotations

import contextlib
import logging
import shlex
import shutil
import subprocess
import threading
import uuid
from datetime import timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from motcua.speech import radio
from motcua.speech.conf import setting, var_dir
from motcua.speech.errors import SpeechError
from motcua.speech.models import Bulletin, CenterPronunciation
from motcua.speech.normalize import (
    PronunciationFileError,
    Pronunciations,
    extra_pronunciations_path,
    load_pronunciations,
)

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
MAX_UPLOAD_BYTES = 200 * 1024
_render_slot = threading.Semaphore(1)
_cache: dict[tuple, Pronunciations] = {}
_cache_lock = threading.Lock()


class Cancelled(Exception):
    """The bulletin was edited or rendered again while this thread worked on it."""


def center_pronunciations(center_id: int) -> Pronunciations:
    """The bundled dictionary, the installation's JSON file, then the center's own entries."""
    entries = CenterPronunciation.objects.filter(center_id=center_id)
    version = entries.aggregate(n=Max("pk"), t=Max("updated_at"))
    key = (center_id, entries.count(), version["n"], version["t"], extra_pronunciations_path())
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    base = load_pronunciations(extra_pronunciations_path())
    merged = {
        "abbreviations": dict(base.abbreviations),
        "code_parts": dict(base.code_parts),
        "units": dict(base.units),
    }
    for entry in entries:
        merged[entry.section][entry.written] = entry.spoken
    result = Pronunciations(**merged)
    with _cache_lock:
        for old in [k for k in _cache if k[0] == center_id]:
            del _cache[old]  # one version per center kept
        _cache[key] = result
    return result


def read_upload(data: bytes) -> str:
    """A bulletin's text from an uploaded .txt file: UTF-8 (with or without BOM) or UTF-16 with
    a BOM (Notepad's "Unicode"). Anything else is refused, never guessed."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpeechError("Tệp quá lớn (tối đa 200 KB).")
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise SpeechError(
            "Tệp không phải văn bản Unicode (UTF-8). Trong Notepad chọn Lưu thành… → "
            "Mã hóa UTF-8 rồi tải lên lại."
        ) from None
    if "\x00" in text:
        raise SpeechError("Tệp không phải văn bản thuần (.txt).")
    return radio.clean_text(text)


def audio_root() -> Path:
    return Path(setting("MOTCUA_SPEECH_RADIO_DIR", "") or var_dir() / "radio")


def audio_path(bulletin: Bulletin) -> Path | None:
    if not bulletin.audio_file:
        return None
    path = audio_root() / bulletin.audio_file
    return path if path.is_file() else None


def is_stale(bulletin: Bulletin, now=None) -> bool:
    now = now or timezone.now()
    return bulletin.working and now - bulletin.updated_at > STALE_AFTER


# What the audio is made from: a change to any of these makes the old audio wrong.
AUDIO_FIELDS = ("text", "intro", "outro", "pause_ms")
EDITABLE_FIELDS = ("title", *AUDIO_FIELDS, "play_at")


def _drop_audio(bulletin: Bulletin) -> None:
    """Forget the bulletin's audio; its file goes once the transaction commits (a rollback
    keeps both the row and the file)."""
    old = audio_path(bulletin)
    if old is not None:
        transaction.on_commit(lambda: old.unlink(missing_ok=True))
    bulletin.status = Bulletin.Status.DRAFT
    bulletin.render_token = ""
    bulletin.audio_file = ""
    bulletin.audio_seconds = bulletin.render_seconds = None
    bulletin.done_sentences = bulletin.total_sentences = 0
    bulletin.error = ""


def create_bulletin(center, author, fields: dict) -> Bulletin:
    bulletin = Bulletin(center=center, created_by=author)
    for name in EDITABLE_FIELDS:
        setattr(bulletin, name, fields[name])
    bulletin.save()
    return bulletin


def update_bulletin(bulletin: Bulletin, fields: dict) -> Bulletin:
    """Save the officer's edits; any change to what is read drops the old audio (and stops a
    render in progress: its token no longer matches)."""
    changed_audio = any(getattr(bulletin, name) != fields[name] for name in AUDIO_FIELDS)
    for name in EDITABLE_FIELDS:
        setattr(bulletin, name, fields[name])
    if changed_audio:
        _drop_audio(bulletin)
    bulletin.save()
    return bulletin


def delete_bulletin(bulletin: Bulletin) -> None:
    _drop_audio(bulletin)
    bulletin.delete()


def mark_played(bulletin: Bulletin, now) -> None:
    bulletin.played_at = now
    bulletin.save(update_fields=["played_at", "updated_at"])


def mark_unplayed(bulletin: Bulletin) -> None:
    """Play it again at its time (the cron job picks it up once more)."""
    bulletin.played_at = None
    bulletin.save(update_fields=["played_at", "updated_at"])


def request_render(bulletin: Bulletin, now=None) -> bool:
    """Start making the audio unless a live render is already at work; True if started."""
    if bulletin.working and not is_stale(bulletin, now):
        return False
    start_render(bulletin)
    return True


def set_pronunciation(center, section: str, written: str, spoken: str) -> CenterPronunciation:
    """Add the center's reading of ``written``, or replace the one it had."""
    entry, _created = CenterPronunciation.objects.update_or_create(
        center=center, section=section, written=written, defaults={"spoken": spoken}
    )
    return entry


def delete_pronunciation(center, pk) -> CenterPronunciation | None:
    entry = CenterPronunciation.objects.filter(center=center, pk=pk).first()
    if entry is not None:
        entry.delete()
    return entry


def start_render(bulletin: Bulletin) -> None:
    """Queue the bulletin's audio; the work starts when the caller's transaction commits."""
    token = uuid.uuid4().hex
    bulletin.status = Bulletin.Status.QUEUED
    bulletin.render_token = token
    bulletin.error = ""
    bulletin.done_sentences = 0
    bulletin.save()
    pk = bulletin.pk
    if str(setting("MOTCUA_SPEECH_RADIO_RUNNER", "thread")) == "inline":
        transaction.on_commit(lambda: run_render(pk, token))
    else:
        transaction.on_commit(lambda: _start_thread(pk, token))


def _start_thread(pk: int, token: str) -> None:
    def work() -> None:
        try:
            with _render_slot:
                run_render(pk, token)
        finally:
            connection.close()

    threading.Thread(target=work, name=f"bulletin-{pk}", daemon=True).start()


def _update(pk: int, token: str, **fields) -> None:
    changed = Bulletin.objects.filter(pk=pk, render_token=token).update(
        updated_at=timezone.now(), **fields
    )
    if not changed:
        raise Cancelled


def run_render(pk: int, token: str) -> None:
    """Make the audio of bulletin ``pk`` if ``token`` is still its current render."""
    bulletin = Bulletin.objects.filter(pk=pk, render_token=token).first()
    if bulletin is None:
        return
    dest_name = f"{bulletin.center_id}/ban-tin-{pk}-{token[:8]}.{radio.preferred_format()}"
    dest = audio_root() / dest_name
    try:
        _update(pk, token, status=Bulletin.Status.RENDERING)

        def progress(done: int, total: int) -> None:
            _update(pk, token, done_sentences=done, total_sentences=total)

        result = radio.render(
            bulletin.text,
            dest,
            fmt=radio.preferred_format(),
            intro=bulletin.intro,
            outro=bulletin.outro,
            pause=bulletin.pause_ms / 1000,
            pronunciations=center_pronunciations(bulletin.center_id),
            progress=progress,
        )
        old = audio_path(bulletin)
        _update(
            pk,
            token,
            status=Bulletin.Status.READY,
            audio_file=dest_name,
            audio_seconds=round(result.seconds, 2),
            render_seconds=round(result.elapsed, 2),
        )
        if old is not None and old != dest:
            old.unlink(missing_ok=True)
        logger.info(
            "Bản tin %s: %d câu, %.1f s âm thanh trong %.1f s.",
            pk,
            result.sentences,
            result.seconds,
            result.elapsed,
        )
    except Cancelled:
        dest.unlink(missing_ok=True)
    except (SpeechError, PronunciationFileError, OSError) as exc:
        dest.unlink(missing_ok=True)
        logger.warning("Bản tin %s: không tạo được âm thanh (%s).", pk, type(exc).__name__)
        with contextlib.suppress(Cancelled):
            _update(pk, token, status=Bulletin.Status.FAILED, error=str(exc)[:300])


def run_render_now(bulletin: Bulletin) -> None:
    """Make the audio in this process, now (the shell command; no thread)."""
    token = uuid.uuid4().hex
    Bulletin.objects.filter(pk=bulletin.pk).update(
        status=Bulletin.Status.QUEUED, render_token=token, error="", updated_at=timezone.now()
    )
    run_render(bulletin.pk, token)


PLAYERS = (
    ["play", "-q"],  # sox
    ["ffplay", "-nodisp", "-autoexit", "-loglevel", "error"],
    ["aplay", "-q"],  # WAV only
)


def play(path: Path, player: str = "") -> None:
    """Play a file on this machine's sound output, waiting until it ends."""
    if player:
        command = [*shlex.split(player), str(path)]
    else:
        found = next((p for p in PLAYERS if shutil.which(p[0])), None)
        if found is None:
            raise SpeechError("Máy này không có chương trình phát âm thanh (sox, ffplay, aplay).")
        command = [*found, str(path)]
    try:
        run = subprocess.run(command, capture_output=True, timeout=2 * 3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SpeechError(f"Không phát được {path.name} ({type(exc).__name__}).") from exc
    if run.returncode != 0:
        raise SpeechError(f"Không phát được {path.name} (mã {run.returncode}).")


def due_bulletins(now=None):
    """Bulletins whose time to play has come and that have not been played yet."""
    now = now or timezone.now()
    return (
        Bulletin.objects.filter(play_at__lte=now, played_at__isnull=True)
        .select_related("center")
        .order_by("play_at", "pk")
    )
