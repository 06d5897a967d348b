"""The only writers of dossiers. Every function runs inside the caller's ``transaction.atomic()``.

``submit_dossier`` is what a kiosk, a counter officer or the online portal calls to receive a
dossier (NĐ 61/2018 Đ.15, "tiếp nhận hồ sơ"): it numbers the dossier, fixes its due time from
the working-day calendar, assigns the responsible unit and writes the first event of the log.
A dossier nobody of the center has checked yet (the kiosk's) is only registered ("Mới đăng ký")
until reception accepts it (``actions``, docs/decisions/0007).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from vn_text import fold

from motcua.catalog.fees import Fee
from motcua.catalog.models import Procedure, ProcedureChannel
from motcua.catalog.states import PublicationStatus
from motcua.centers.models import Center
from motcua.centers.selectors import responsible_unit
from motcua.core.sequences import next_number
from motcua.dossiers import events
from motcua.dossiers.models import (
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierEvent,
    document_file_name,
)
from motcua.dossiers.states import Channel, DossierStatus, EventAction, ResultDelivery, Sex

# Dossier codes carry the receipt date as the citizen's calendar has it, whatever the server's.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_DOCUMENT_BYTES = getattr(settings, "MOTCUA_MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)
MAX_DOCUMENTS = 50
MAX_COPIES = 100
SLIP_TOKEN_MAX_AGE_SECONDS = 15 * 60
_SLIP_TOKEN_SALT = "motcua.dossiers.slip"  # noqa: S105 (a namespace, not a secret)

_ID_NUMBER = re.compile(r"^[0-9A-Za-z]{6,20}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{6,18}[0-9]$")
# "nếu tiếp nhận sau 15 giờ thì ... ngày làm việc tiếp theo" (e.g. chứng thực, NĐ 23/2015 Đ.7):
# the catalog records the rule in the channel's time note.
_AFTER_CUTOFF_RULE = re.compile(r"sau 15 gio")


class DossierError(Exception):
    """A domain error with a Vietnamese message a citizen or officer can read."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidSubmission(DossierError):
    status_code = 422


class NotAccepting(DossierError):
    """The center or the procedure does not receive dossiers now."""

    status_code = 409


class IdempotencyConflict(DossierError):
    """The same submission key was used for a different request."""

    status_code = 409


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str = ""
    birth_date: date | None = None
    sex: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class SubmittedDocument:
    """A component as handed in: ``content`` is the uploaded/scanned file, if any.

    ``provided_on_paper`` only when an officer has the paper in hand (the counter);
    ``from_eform`` when the component is the e-form declaration itself (no file, no paper);
    ``to_bring`` when nothing is received yet and the applicant brings the paper to the counter
    (the kiosk's "Tôi nộp bản giấy tại quầy"): the component is listed as still to bring.
    """

    name: str
    content: bytes | File | IO[bytes] | None = None
    filename: str = ""
    content_type: str = ""
    provided_on_paper: bool = False
    requirement: str = ""
    originals: int = 0
    copies: int = 0
    required_document_id: int | None = None
    from_eform: bool = False
    to_bring: bool = False
    # Digitized at intake (KPI 4.2 of QĐ 766/QĐ-TTg): the officer who receives the dossier
    # scanned this file, or the component is the e-form they typed (its answers are the
    # dossier's form data, so it has no file). Marked with the receipt's time and actor.
    digitized: bool = False


def submit_dossier(
    *,
    center: Center,
    procedure: Procedure,
    applicant: Applicant,
    form_data: dict,
    form_version: int,
    documents: list[SubmittedDocument],
    channel: str,
    actor: str,
    idempotency_key: str,
    now: datetime,
    result_delivery: str = ResultDelivery.AT_CENTER,
    copies_requested: int = 0,
    awaiting_check: bool = False,
) -> tuple[Dossier, bool]:
    """Receive a dossier; return it and whether it was created by this call.

    ``copies_requested``: copies of the result asked for (the e-form's "copies"), which the fee
    counts when the catalog charges per copy (``catalog.fees``).

    ``awaiting_check``: no officer of the center has checked the dossier (the kiosk, which has
    no paper intake): it is registered ("Mới đăng ký") and received only when reception accepts
    it after checking the papers (NĐ 61/2018 Đ.15, now NĐ 118/2025; docs/decisions/0007). Its
    due time is then provisional: acceptance fixes it from the moment of receipt.

    Idempotent per (center, idempotency_key): a double tap or a retried request returns the
    dossier of the first call, even when both calls race (the unique constraint decides).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("submit_dossier must run inside transaction.atomic().")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise InvalidSubmission("Thiếu hoặc sai khóa chống gửi trùng (tối đa 100 ký tự).")

    existing = _existing(center, key, procedure)
    if existing is not None:
        return existing, False

    applicant = _clean_applicant(applicant)
    _validate(
        center, procedure, form_data, form_version, documents, channel, actor, now, awaiting_check
    )
    if result_delivery not in ResultDelivery.values:
        raise InvalidSubmission("Nơi nhận kết quả không hợp lệ.")
    if (
        isinstance(copies_requested, bool)
        or not isinstance(copies_requested, int)
        or not 0 <= copies_requested <= MAX_COPIES
    ):
        raise InvalidSubmission(f"Số bản sao yêu cầu phải từ 0 đến {MAX_COPIES}.")

    received_on = now.astimezone(VIETNAM).date()
    terms = _terms(procedure, Channel(channel))
    fee = terms.fee(copies_requested)
    due = (
        compute_due_at(
            center,
            now,
            terms.time_value,
            terms.time_unit,
            next_day_after_cutoff=terms.next_day_after_cutoff,
        )
        if terms.time_value is not None
        else None
    )
    unit = responsible_unit(center, procedure)
    # An online dossier waits for reception to check it ("Mới đăng ký", NĐ 61/2018 Đ.15 kh.3,
    # now NĐ 118/2025): only the officer's ``accept`` makes it received. The applicant hears
    # of it then (the ``accept`` event is announced), not from this first event.
    # A kiosk dossier likewise, until reception has checked its papers (awaiting_check).
    online = channel == Channel.ONLINE
    status = DossierStatus.SUBMITTED if online or awaiting_check else DossierStatus.RECEIVED

    # Everything up to the number runs concurrently with other kiosks of the center: reading,
    # checking and hashing the files and writing them to storage need no number. The day's
    # counter row is locked from the allocation to the commit, so only the inserts that carry
    # the code follow it (issue 10).
    staged = _StagedFiles()
    try:
        components = []
        for position, submitted in enumerate(documents, start=1):
            component = _prepare_document(position, submitted, actor=actor, now=now)
            staged.stage(component)
            components.append(component)
        try:
            # The number and the dossier share a savepoint: when a racing twin with the same key
            # wins, rolling back also returns our number, so the day's sequence keeps no gap.
            with transaction.atomic():
                number = _allocate_number(center, received_on)
                dossier = Dossier.objects.create(
                    code=dossier_code(center.agency_code, received_on, number),
                    center=center,
                    number=number,
                    procedure=procedure,
                    applicant_name=applicant.name,
                    applicant_id_number=applicant.id_number,
                    applicant_birth_date=applicant.birth_date,
                    applicant_sex=applicant.sex,
                    applicant_address=applicant.address,
                    applicant_phone=applicant.phone,
                    applicant_email=applicant.email,
                    form_data=form_data,
                    form_version=form_version,
                    channel=channel,
                    result_delivery=result_delivery,
                    received_at=now,
                    time_limit_value=terms.time_value,
                    time_limit_unit=terms.time_unit,
                    due_at=due,
                    fee_vnd=fee.stored_vnd,
                    copies_requested=fee.copies,
                    copy_fee_vnd=fee.copy_fee_vnd,
                    fee_unit=fee.unit,
                    status=status,
                    unit=unit,
                    submitted_by=actor,
                    idempotency_key=key,
                )
        except IntegrityError:
            existing = _existing(center, key, procedure)
            if existing is None:
                raise
            staged.discard()
            return existing, False

        staged.place(dossier.code, components)
        for component in components:
            component.document.dossier = dossier
        inserted = DossierDocument.objects.bulk_create(
            [component.document for component in components]
        )
        # A new dossier has no event yet: its first one links to nothing (no look-up needed).
        _append_event(
            dossier,
            None,
            new_dossier_documents=tuple(inserted),
            action=EventAction.RECEIVE,
            from_status="",
            to_status=status,
            actor=actor,
            at=now,
            note="",
            data={
                "channel": channel,
                "national_channel": Channel(channel).national_code,
                "due_at": due.isoformat() if due else None,
                "unit": unit.code if unit else None,
                "documents": len(documents),
            },
            announce=status == DossierStatus.RECEIVED,
        )
    except BaseException:
        # Files are outside the transaction: do not leave the ones we wrote behind.
        staged.discard()
        raise
    return dossier, True


def record_event(
    dossier: Dossier,
    *,
    action: str,
    from_status: str,
    to_status: str,
    actor: str,
    at: datetime,
    note: str = "",
    data: dict | None = None,
    announce: bool = False,
) -> DossierEvent:
    """Append one event to the dossier's log (the caller holds the dossier's row lock).

    The event is then published on the spine (``dossiers.events``): the apps that follow the
    log react there. ``announce`` marks a step the applicant is told about (see ``Recorded``).
    """
    last = dossier.events.order_by("-seq").values("seq", "hash", "at").first()
    return _append_event(
        dossier,
        last,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        note=note,
        data=data,
        announce=announce,
    )


def _append_event(
    dossier: Dossier,
    last: Mapping[str, Any] | None,
    *,
    action: str,
    from_status: str,
    to_status: str,
    actor: str,
    at: datetime,
    note: str,
    data: dict | None,
    announce: bool,
    new_dossier_documents: tuple[DossierDocument, ...] | None = None,
) -> DossierEvent:
    """Insert the event after ``last`` (the log's last ``seq`` and ``hash``, None for the first).

    ``new_dossier_documents``: only from ``submit_dossier``, for the receipt of the dossier it
    has just created (see ``events.Recorded``).
    """
    event = DossierEvent(
        dossier=dossier,
        seq=(last["seq"] if last else 0) + 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        note=note,
        data=data or {},
        prev_hash=last["hash"] if last else "",
    )
    event.hash = event.compute_hash(dossier.code)
    event.save()
    # In-transaction subscribers (the KPI projection, the notice outbox) run here, inside the
    # caller's transaction: a report read after the commit includes this event, and a
    # rolled-back event leaves no trace in them.
    events.publish(
        events.Recorded(
            event,
            announce=announce,
            new_dossier_documents=new_dossier_documents,
            previous_at=last.get("at") if last else None,
        )
    )
    return event


def dossier_code(agency_code: str, day: date, number: int) -> str:
    """``<agency code>-<yyMMdd>-<nnnn>``; past 9999 in a day the number simply grows wider."""
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def compute_due_at(
    center: Center,
    received_at: datetime,
    amount: Decimal,
    unit: str,
    *,
    next_day_after_cutoff: bool,
) -> datetime:
    """The appointment time from the working-day calendar and the center's office hours."""
    from motcua.workcalendar.services import OfficeHours, due_at

    value: int | Decimal = int(amount) if amount == amount.to_integral_value() else amount
    return due_at(
        received_at,
        value,
        unit,
        hours=OfficeHours.from_center(center),
        next_day_after_cutoff=next_day_after_cutoff,
    )


def appointment_preview(
    center: Center, procedure: Procedure, channel: Channel, now: datetime, copies: int = 0
) -> tuple[datetime | None, Fee]:
    """The due time and fee a dossier received now would get, for a confirmation screen."""
    terms = _terms(procedure, channel)
    fee = terms.fee(copies)
    if terms.time_value is None:
        return None, fee
    due = compute_due_at(
        center,
        now,
        terms.time_value,
        terms.time_unit,
        next_day_after_cutoff=terms.next_day_after_cutoff,
    )
    return due, fee


def receipt_terms(dossier: Dossier, received_at: datetime) -> datetime | None:
    """The due time of a dossier received at ``received_at``, from the time limit it was
    registered with (the catalog may have changed since) and the procedure's cut-off rule."""
    if dossier.time_limit_value is None or not dossier.time_limit_unit:
        return None
    terms = _terms(dossier.procedure, Channel(dossier.channel))
    return compute_due_at(
        dossier.center,
        received_at,
        dossier.time_limit_value,
        dossier.time_limit_unit,
        next_day_after_cutoff=terms.next_day_after_cutoff,
    )


def slip_token(dossier: Dossier, *, now: datetime) -> str:
    """A signed token opening this dossier's slip for 15 minutes (the kiosk puts it in a link).

    The slip carries personal data (NĐ 13/2023/NĐ-CP), so it is never public; the token is
    bound to the dossier code and carries its own expiry so time stays data.
    """
    expires = int(now.timestamp()) + SLIP_TOKEN_MAX_AGE_SECONDS
    return signing.dumps({"c": dossier.code, "e": expires}, salt=_SLIP_TOKEN_SALT, compress=True)


def check_slip_token(token: str, dossier: Dossier, *, now: datetime) -> bool:
    try:
        payload = signing.loads(token, salt=_SLIP_TOKEN_SALT)
    except signing.BadSignature:
        return False
    if not isinstance(payload, dict) or payload.get("c") != dossier.code:
        return False
    expires = payload.get("e")
    return isinstance(expires, int) and now.timestamp() <= expires


_TRACKING_TOKEN_SALT = "motcua.dossiers.track"  # noqa: S105 (a namespace, not a secret)


def tracking_token(code: str) -> str:
    """The token the QR on the printed slip (Mẫu 01) carries to the public tracking page.

    Whoever holds the paper may see the dossier's status without typing the last four digits
    of an ID or phone number (the second factor the typed lookup asks for). The slip is kept
    until the result is collected, so the token does not expire; it is an HMAC of the code
    (django.core.signing), so it cannot be made for another code, and a new SECRET_KEY ends
    every token (SECRET_KEY_FALLBACKS keeps the old ones during a rotation).
    """
    signed = signing.Signer(salt=_TRACKING_TOKEN_SALT).sign(code)
    return signed.rsplit(":", 1)[1]


def check_tracking_token(token: str, code: str) -> bool:
    if not token or not code:
        return False
    try:
        return signing.Signer(salt=_TRACKING_TOKEN_SALT).unsign(f"{code}:{token}") == code
    except signing.BadSignature:
        return False


@dataclass(frozen=True)
class _Terms:
    time_value: Decimal | None
    time_unit: str
    fee_vnd: int | None
    next_day_after_cutoff: bool
    copy_fee_vnd: int | None = None
    fee_unit: str = ""

    def fee(self, copies: int) -> Fee:
        # Copies count only where the catalog charges per copy.
        return Fee(
            self.fee_vnd, self.copy_fee_vnd, copies if self.copy_fee_vnd else 0, self.fee_unit
        )


_CHANNEL_PREFERENCE = ["direct", "online", "postal"]


def _terms(procedure: Procedure, channel: Channel) -> _Terms:
    """Time limit and fee for the channel the dossier came in on.

    The time limit falls back to another channel's when this one has none (the law sets one
    time limit per procedure; the portal repeats it per channel). The fee does not: fees differ
    per channel (online is often reduced), so an unknown fee stays unknown for the officer.
    """
    rows = {row.channel: row for row in ProcedureChannel.objects.filter(procedure=procedure)}
    own = rows.get(channel.catalog_channel)
    timed = [
        row
        for row in [own, *(rows.get(c) for c in _CHANNEL_PREFERENCE)]
        if row is not None and row.time_value is not None and row.time_unit
    ]
    source = timed[0] if timed else None
    return _Terms(
        time_value=source.time_value if source else None,
        time_unit=source.time_unit if source else "",
        fee_vnd=own.fee_vnd if own else None,
        next_day_after_cutoff=bool(source and _AFTER_CUTOFF_RULE.search(fold(source.time_note))),
        copy_fee_vnd=own.copy_fee_vnd if own else None,
        fee_unit=own.fee_unit if own else "",
    )


def _allocate_number(center: Center, day: date) -> int:
    """The next number of the center's day (``core.sequences``); the counter row stays locked
    to the commit, which is why ``submit_dossier`` calls this last, just before the inserts that
    carry the code."""
    return next_number(DossierCounter, {"center": center, "day": day})


def _existing(center: Center, key: str, procedure: Procedure) -> Dossier | None:
    # Every submission asks, almost always in vain: two columns through the unique index, and
    # the whole row only for a replay.
    found = list(
        Dossier.objects.filter(center=center, idempotency_key=key).values_list(
            "pk", "procedure_id"
        )[:1]
    )
    if not found:
        return None
    if found[0][1] != procedure.pk:
        raise IdempotencyConflict(
            "Khóa chống gửi trùng này đã được dùng cho một hồ sơ của thủ tục khác."
        )
    return Dossier.objects.get(pk=found[0][0])


def _clean_applicant(applicant: Applicant) -> Applicant:
    name = " ".join((applicant.name or "").split())
    if not name:
        raise InvalidSubmission("Vui lòng nhập họ và tên người nộp hồ sơ.")
    if len(name) > 200:
        raise InvalidSubmission("Họ và tên quá dài (tối đa 200 ký tự).")
    id_number = (applicant.id_number or "").replace(" ", "")
    if id_number and not _ID_NUMBER.match(id_number):
        raise InvalidSubmission("Số định danh cá nhân chỉ gồm chữ số (12 số trên thẻ căn cước).")
    phone = (applicant.phone or "").strip()
    if phone and not _PHONE.match(phone):
        raise InvalidSubmission("Số điện thoại không hợp lệ.")
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidSubmission("Địa chỉ thư điện tử không hợp lệ.") from None
    if applicant.sex and applicant.sex not in Sex.values:
        raise InvalidSubmission("Giới tính không hợp lệ.")
    address = " ".join((applicant.address or "").split())
    if len(address) > 500:
        raise InvalidSubmission("Địa chỉ quá dài (tối đa 500 ký tự).")
    return Applicant(
        name=name,
        id_number=id_number,
        birth_date=applicant.birth_date,
        sex=applicant.sex,
        address=address,
        phone=phone,
        email=email,
    )


def _validate(
    center: Center,
    procedure: Procedure,
    form_data: dict,
    form_version: int,
    documents: list[SubmittedDocument],
    channel: str,
    actor: str,
    now: datetime,
    awaiting_check: bool = False,
) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not center.is_active:
        raise NotAccepting("Trung tâm này hiện không tiếp nhận hồ sơ.")
    today = now.astimezone(VIETNAM).date()
    if (
        procedure.status != PublicationStatus.PUBLISHED
        or (procedure.valid_from is not None and procedure.valid_from > today)
        or (procedure.valid_to is not None and procedure.valid_to < today)
    ):
        raise NotAccepting("Thủ tục này hiện không tiếp nhận hồ sơ.")
    if channel not in Channel.values:
        raise InvalidSubmission("Kênh tiếp nhận không hợp lệ.")
    if not (actor or "").strip() or len(actor) > 100:
        raise InvalidSubmission("Thiếu thông tin nơi tiếp nhận hồ sơ.")
    if not isinstance(form_data, dict):
        raise InvalidSubmission("Nội dung tờ khai không hợp lệ.")
    try:
        json.dumps(form_data)
    except (TypeError, ValueError):
        raise InvalidSubmission("Nội dung tờ khai không hợp lệ.") from None
    if not isinstance(form_version, int) or form_version < 1:
        raise InvalidSubmission("Phiên bản biểu mẫu không hợp lệ.")
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidSubmission(f"Hồ sơ có quá nhiều thành phần (tối đa {MAX_DOCUMENTS}).")
    for doc in documents:
        if not (doc.name or "").strip():
            raise InvalidSubmission("Thành phần hồ sơ phải có tên.")
        if doc.provided_on_paper and awaiting_check:
            # Nobody of the center has taken any paper: the slip must not acknowledge one.
            raise InvalidSubmission(
                f"Thành phần “{doc.name}”: chưa có cán bộ nhận bản giấy của hồ sơ này."
            )
        received = doc.provided_on_paper or doc.from_eform or doc.to_bring or doc.digitized
        if doc.content is None and not received:
            raise InvalidSubmission(f"Thành phần “{doc.name}” chưa có tệp đính kèm hoặc bản giấy.")


def _read(content: bytes | File | IO[bytes]) -> bytes:
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    if hasattr(content, "seek"):
        content.seek(0)
    data = content.read()
    if not isinstance(data, bytes):
        raise InvalidSubmission("Tệp đính kèm không hợp lệ.")
    return data


@dataclass
class _Component:
    """A component checked and hashed, not saved yet (the dossier is set once it exists)."""

    document: DossierDocument
    data: bytes | None = None
    filename: str = ""
    staged_name: str = ""


def _prepare_document(
    position: int, submitted: SubmittedDocument, *, actor: str, now: datetime
) -> _Component:
    document = DossierDocument(
        position=position,
        name=submitted.name.strip(),
        required_document_id=submitted.required_document_id,
        requirement=submitted.requirement,
        originals=submitted.originals,
        copies=submitted.copies,
        provided_on_paper=submitted.provided_on_paper,
        from_eform=submitted.from_eform and submitted.content is None,
    )
    if submitted.digitized:
        document.digitized = True
        document.digitized_at = now
        document.digitized_by = actor
    if submitted.content is None:
        return _Component(document)
    data = _read(submitted.content)
    if not data:
        raise InvalidSubmission(f"Tệp của thành phần “{document.name}” bị rỗng.")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidSubmission(
            f"Tệp của thành phần “{document.name}” quá lớn "
            f"(tối đa {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB)."
        )
    document.size = len(data)
    document.sha256 = hashlib.sha256(data).hexdigest()
    document.content_type = (submitted.content_type or "application/octet-stream")[:100]
    filename = submitted.filename or getattr(submitted.content, "name", "") or "tep"
    return _Component(document, data, filename)


# Files of submissions that have no number yet (see _StagedFiles); never served, never listed.
_STAGING_FOLDER = ".tiep-nhan"


class _StagedFiles:
    """The files of one submission, written before its number exists.

    The stored name carries the dossier code (``ho-so/<code>/<nn>-<name>``), which exists only
    once the number is allocated, inside the counter lock. On local storage each file is
    therefore written first under ``ho-so/.tiep-nhan/<random>/`` and the folder is renamed to
    ``ho-so/<code>/`` after the allocation: one rename inside the lock instead of every write.
    A storage without local paths (S3) has no rename: its files are written after the
    allocation, as before. ``discard`` removes whatever was written when the submission fails.
    """

    def __init__(self) -> None:
        self.folder = f"{_STAGING_FOLDER}/{secrets.token_hex(16)}"
        self.local = _has_local_paths(document_file_name(self.folder, 1, "tep"))
        self.written: list[str] = []
        self.folders: list[str] = []

    def stage(self, component: _Component) -> None:
        if component.data is None or not self.local:
            return
        name = document_file_name(self.folder, component.document.position, component.filename)
        component.staged_name = _save(name, component.data)
        component.data = None
        self.written.append(component.staged_name)

    def place(self, code: str, components: list[_Component]) -> None:
        """Give every file its name under the dossier code (the counter lock is held)."""
        staged = [component for component in components if component.staged_name]
        if staged and not self._rename(code, staged):
            # ho-so/<code>/ exists already: a submission that died after writing its files had
            # this number before it was handed out again. Copy next to them (rare).
            for component in staged:
                temporary = component.staged_name
                with default_storage.open(temporary) as handle:
                    name = _save(f"ho-so/{code}/{posixpath.basename(temporary)}", handle)
                self.written.append(name)
                default_storage.delete(temporary)
                self.written.remove(temporary)
                component.document.file = name
            with contextlib.suppress(OSError):
                os.rmdir(_local_path(f"ho-so/{self.folder}"))
        for component in components:
            if component.data is not None:
                name = document_file_name(code, component.document.position, component.filename)
                component.document.file = _save(name, component.data)
                self.written.append(component.document.file.name)
                component.data = None

    def _rename(self, code: str, components: list[_Component]) -> bool:
        source = _local_path(f"ho-so/{self.folder}")
        target = _local_path(f"ho-so/{code}")
        try:
            # Atomic; fails when the target is a folder that is not empty (never overwrites).
            os.rename(source, target)
        except OSError:
            return False
        self.written = [f"ho-so/{code}/{posixpath.basename(name)}" for name in self.written]
        self.folders.append(f"ho-so/{code}")
        for component in components:
            if component.staged_name:
                base = posixpath.basename(component.staged_name)
                component.document.file = f"ho-so/{code}/{base}"
        return True

    def discard(self) -> None:
        for name in self.written:
            default_storage.delete(name)
        self.written = []
        if self.local:
            for folder in [f"ho-so/{self.folder}", *self.folders]:
                with contextlib.suppress(OSError):
                    os.rmdir(_local_path(folder))


def _has_local_paths(name: str) -> bool:
    try:
        default_storage.path(name)
    except NotImplementedError:
        return False
    return True


def _local_path(name: str) -> str:
    """The file system path of a stored name: only where ``_StagedFiles.local`` holds."""
    return default_storage.path(name)


def _save(name: str, content: bytes | IO[bytes]) -> str:
    """Write through the document field's storage rules (valid names, never overwrite)."""
    field = DossierDocument._meta.get_field("file")
    name = field.storage.generate_filename(name)
    content = ContentFile(content) if isinstance(content, bytes) else content
    return field.storage.save(name, content, max_length=field.max_length)
