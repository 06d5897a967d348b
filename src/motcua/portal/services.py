"""The only writers of the portal's rows: sign-in codes, citizens, drafts, online submission.

Every function runs inside the caller's ``transaction.atomic()`` and takes ``now``, except the
rate-limit hits, which the views count before their own transaction (``core.ratelimit``).
Nothing here logs an ID number, an address or a code (NĐ 13/2023/NĐ-CP): logs carry row ids.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F, Q
from django.utils.translation import gettext as _

from motcua.dossiers.models import Dossier
from motcua.notices.models import mask_recipient
from motcua.notices.senders import SendError, configured_senders
from motcua.notices.services import queue_message, wipe_expired_secrets
from motcua.notices.states import NoticeChannel, NoticeKind
from motcua.portal import sealing
from motcua.portal.models import Citizen, SignInCode
from motcua.portal.states import Assurance, ContactSource

logger = logging.getLogger("motcua.portal")

PERSONAL_ID = re.compile(r"^[0-9]{12}$")
_PHONE = re.compile(r"^(?:\+?84|0)[0-9]{9,10}$")
CODE_DIGITS = 6


def code_lifetime() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "MOTCUA_PORTAL_CODE_SECONDS", 300)))


def max_wrong_codes() -> int:
    """Wrong codes one challenge takes before it is dead (a new code must be asked for)."""
    return int(getattr(settings, "MOTCUA_PORTAL_CODE_ATTEMPTS", 5))


class PortalError(Exception):
    """A refusal with a Vietnamese message for the citizen and its HTTP status."""

    status_code = 400

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class ContactNeeded(PortalError):
    """No address is known for this ID number: the citizen may give one (weak assurance)."""


def clean_id_number(raw: str) -> str:
    number = "".join((raw or "").split())[:40]
    if not PERSONAL_ID.match(number):
        raise PortalError(
            _(
                "Số định danh cá nhân gồm đúng 12 chữ số (in trên thẻ căn cước hoặc căn cước công dân)."
            )
        )
    return number


def clean_contact(raw: str) -> tuple[str, str]:
    """(channel, address) for a typed phone number or e-mail address, or PortalError."""
    value = " ".join((raw or "").split())[:254]
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise PortalError(_("Địa chỉ thư điện tử không hợp lệ.")) from None
        return NoticeChannel.EMAIL, value
    digits = re.sub(r"[ .\-]", "", value)
    if _PHONE.match(digits):
        return NoticeChannel.SMS, digits
    raise PortalError(
        _("Xin nhập số điện thoại di động (10 số, ví dụ 0912345678) hoặc địa chỉ thư điện tử.")
    )


# --- where the code goes -------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    channel: str
    recipient: str
    source: str  # ContactSource
    # Typed in this very request (nothing known for the number): only then may the view refuse
    # on the recipient's limit without telling whose address the number has (views.sign_in).
    typed: bool = False


def _usable(channel: str, address: str, senders) -> str | None:
    """The channel that can reach this address now, or None."""
    if channel == NoticeChannel.EMAIL:
        return NoticeChannel.EMAIL if NoticeChannel.EMAIL in senders else None
    for phone_channel in (NoticeChannel.SMS, NoticeChannel.ZALO):
        if phone_channel in senders:
            return phone_channel
    return None


def destination_for(id_number: str, declared: str = "") -> Destination:
    """Where a code for this number goes.

    An address the center recorded on the applicant's latest dossier wins: a typed address is
    ignored then, or anybody who knows a neighbour's ID number could have the code sent to
    themself. The address typed on an earlier first sign-in comes next; a new typed address is
    used only when nothing is known (weak assurance, see ``states.Assurance``).
    """
    senders = configured_senders()
    recorded = (
        Dossier.objects.filter(applicant_id_number=id_number)
        .filter(~Q(applicant_phone="") | ~Q(applicant_email=""))
        .order_by("-received_at", "-pk")
        .values("applicant_phone", "applicant_email")
        .first()
    )
    if recorded:
        for kind, address in (
            (NoticeChannel.SMS, recorded["applicant_phone"]),
            (NoticeChannel.EMAIL, recorded["applicant_email"]),
        ):
            if address:
                channel = _usable(kind, address, senders)
                if channel:
                    return Destination(channel, address.strip(), ContactSource.RECORDS)
    citizen = Citizen.objects.filter(id_digest=sealing.id_digest(id_number)).first()
    if citizen and citizen.contact_sealed:
        address = sealing.unseal(citizen.contact_sealed)
        channel = _usable(citizen.contact_channel, address, senders) if address else None
        if channel:
            return Destination(channel, address, ContactSource.DECLARED)
    if declared:
        typed_kind, address = clean_contact(declared)
        channel = _usable(typed_kind, address, senders)
        if channel is None:
            raise PortalError(
                _("Hiện chưa gửi được mã qua kênh này. Xin nhập địa chỉ khác hoặc dùng VNeID.")
            )
        return Destination(channel, address, ContactSource.DECLARED, typed=True)
    raise ContactNeeded(
        _(
            "Chưa có số điện thoại hay thư điện tử nào của bạn trong hồ sơ đã nộp. Xin nhập một "
            "địa chỉ để nhận mã, hoặc đăng nhập bằng VNeID."
        )
    )


# --- codes ---------------------------------------------------------------------------------


def issue_code(
    id_number: str, *, declared: str = "", destination: Destination | None = None, now: datetime
) -> SignInCode:
    """Create a challenge and queue its code in the notices outbox (sent after the commit).

    ``destination``: where ``destination_for`` said the code goes, when the caller has already
    asked (the view does, to count the recipient's limit before anything is written).
    """
    destination = destination or destination_for(id_number, declared)
    digest = sealing.id_digest(id_number)
    # One live challenge per number: a new code ends the previous ones.
    SignInCode.objects.filter(id_digest=digest, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    minutes = int(code_lifetime().total_seconds() // 60)
    challenge = SignInCode.objects.create(
        id_digest=digest,
        id_number_sealed=sealing.seal(id_number),
        channel=destination.channel,
        recipient_masked=mask_recipient(destination.recipient),
        contact_source=destination.source,
        declared_contact_sealed=(
            sealing.seal(destination.recipient)
            if destination.source == ContactSource.DECLARED
            else ""
        ),
        salt=salt,
        code_digest=sealing.code_digest(code, salt),
        created_at=now,
        expires_at=now + code_lifetime(),
    )
    text = _(
        "Mã đăng nhập Cổng dịch vụ công của bạn là %(code)s, có hiệu lực %(minutes)d phút. "
        "Không đưa mã này cho bất kỳ ai, kể cả cán bộ."
    ) % {"code": code, "minutes": minutes}
    try:
        queue_message(
            kind=NoticeKind.SIGN_IN_CODE,
            channel=destination.channel,
            recipient=destination.recipient,
            subject=_("Mã đăng nhập một lần"),
            body=text,
            now=now,
        )
    except SendError:
        raise PortalError(
            _("Hiện chưa gửi được mã. Xin thử lại sau hoặc dùng VNeID."), 503
        ) from None
    logger.info("sign-in code %s queued (%s)", challenge.pk, destination.channel)
    return challenge


@dataclass(frozen=True)
class Verified:
    citizen: Citizen
    assurance: str


def verify_code(salt: str, code: str, *, now: datetime) -> Verified:
    """Check a typed code against its challenge: single use, before expiry, a few tries.

    The challenge row is locked so two parallel guesses are counted one after the other.
    """
    challenge = SignInCode.objects.select_for_update().filter(salt=salt or "-").first()
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= now:
        raise PortalError(_("Mã đã hết hạn hoặc đã được dùng. Xin nhận mã mới."), 410)
    if challenge.failed_attempts >= max_wrong_codes():
        raise PortalError(_("Nhập sai quá nhiều lần. Xin nhận mã mới."), 429)
    typed = "".join((code or "").split())[: CODE_DIGITS + 4]
    if not sealing.same_digest(sealing.code_digest(typed, challenge.salt), challenge.code_digest):
        SignInCode.objects.filter(pk=challenge.pk).update(failed_attempts=F("failed_attempts") + 1)
        left = max_wrong_codes() - challenge.failed_attempts - 1
        if left <= 0:
            SignInCode.objects.filter(pk=challenge.pk).update(used_at=now)
            raise PortalError(_("Nhập sai quá nhiều lần. Xin nhận mã mới."), 429)
        raise PortalError(_("Mã không đúng. Bạn còn %(left)d lần thử.") % {"left": left}, 400)
    challenge.used_at = now
    challenge.save(update_fields=["used_at"])
    id_number = sealing.unseal(challenge.id_number_sealed)
    if not id_number:
        raise PortalError(_("Mã đã hết hạn hoặc đã được dùng. Xin nhận mã mới."), 410)
    citizen = sign_in(id_number, now=now, assurance=_assurance(challenge.contact_source))
    if challenge.contact_source == ContactSource.DECLARED and challenge.declared_contact_sealed:
        citizen.contact_sealed = challenge.declared_contact_sealed
        citizen.contact_channel = (
            NoticeChannel.EMAIL if challenge.channel == NoticeChannel.EMAIL else NoticeChannel.SMS
        )
        citizen.contact_source = ContactSource.DECLARED
        citizen.save(update_fields=["contact_sealed", "contact_channel", "contact_source"])
    return Verified(citizen, citizen.last_assurance)


def _assurance(source: str) -> str:
    return Assurance.RECORDS if source == ContactSource.RECORDS else Assurance.DECLARED


def sign_in(id_number: str, *, now: datetime, assurance: str) -> Citizen:
    """The citizen of this number, created on first sign-in; the sealed copy is refreshed (a
    rotated key leaves the old one unreadable)."""
    citizen, _created = Citizen.objects.get_or_create(
        id_digest=sealing.id_digest(id_number),
        defaults={"id_number_sealed": sealing.seal(id_number), "created_at": now},
    )
    citizen.id_number_sealed = sealing.seal(id_number)
    citizen.last_sign_in_at = now
    citizen.last_assurance = assurance
    citizen.save(update_fields=["id_number_sealed", "last_sign_in_at", "last_assurance"])
    logger.info("citizen %s signed in (%s)", citizen.pk, assurance)
    return citizen


def purge_expired(*, now: datetime) -> int:
    """Delete challenges long past their expiry and wipe unsent codes from the outbox."""
    wipe_expired_secrets(older_than=now - code_lifetime())
    deleted, _ = SignInCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    return deleted


def id_number_of(citizen: Citizen) -> str:
    return sealing.unseal(citizen.id_number_sealed)
