"""Assisted submission: the consent step and what the portal's submission attaches.

How the portal uses it (its submit view, inside its ``transaction.atomic()``)::

    from motcua.assist.services import assisted_actor, attach_to_dossier, current_assistance

    assistance = current_assistance(request)            # None when nobody is assisting
    if assistance is not None and not assistance.covers(citizen_id_number):
        ...  # refuse: the consent was given by another citizen
    actor = assisted_actor(request.user) if assistance else "portal"
    dossier = submit(..., actor=actor)                  # the receive event's actor
    if assistance:
        attach_to_dossier(assistance.consent, dossier, now=now)   # once; the consent is used up

Callers run every function that writes inside ``transaction.atomic()``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.assist.models import AssistanceConsent
from motcua.centers.models import StaffMembership
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import Role
from motcua.notices.models import mask_recipient

SESSION_KEY = "assist_consent"
CODE_TTL = timedelta(minutes=10)
# A verified consent covers one submission made while the citizen is still there.
CONSENT_TTL = timedelta(minutes=60)
MAX_ATTEMPTS = 5
ID_NUMBER = re.compile(r"^\d{12}$")
PHONE = re.compile(r"^0\d{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

CONSENT_TEXT = gettext_lazy(
    "Tôi đồng ý để thành viên tổ công nghệ số cộng đồng có tên dưới đây giúp tôi khai và nộp "
    "hồ sơ trực tuyến, dùng thông tin tôi cung cấp, khi tôi có mặt. Tôi đọc mã xác nhận gửi "
    "tới số điện thoại hoặc thư điện tử của tôi để xác nhận."
)


class AssistError(DomainError):
    """A refused assisted submission; most are bad input, hence 400 unless said otherwise."""

    status_code = 400


def assisted_actor(member) -> str:
    """The actor written on the dossier's events when a member submits for a citizen."""
    return f"assist:{member.get_username()}"


def id_hash(id_number: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, b"assist:" + id_number.encode("ascii"), hashlib.sha256).hexdigest()


def _code_hash(consent_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"assist-code:{consent_id}:{code}".encode(), hashlib.sha256).hexdigest()


def member_of(user) -> StaffMembership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        StaffMembership.objects.select_related("center")
        .filter(user=user, is_active=True, role=Role.DIGITAL_TEAM, center__isnull=False)
        .first()
    )


def start_consent(
    member: StaffMembership, *, id_number: str, contact: str, consent: bool, now: datetime
) -> AssistanceConsent:
    """Record the ticked consent and send the citizen a one-time code through the notices."""
    from motcua.notices.senders import SendError
    from motcua.notices.services import queue_message
    from motcua.notices.states import NoticeChannel, NoticeKind

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("start_consent runs inside the caller's transaction")
    id_number = "".join(id_number.split())
    contact = "".join(contact.split()) if "@" not in contact else contact.strip()
    if not ID_NUMBER.match(id_number):
        raise AssistError(_("Số định danh cá nhân gồm đúng 12 chữ số."))
    if not consent:
        raise AssistError(_("Người dân cần đánh dấu đồng ý trước khi nhận mã."))
    if PHONE.match(contact):
        channels = [NoticeChannel.SMS, NoticeChannel.ZALO]
    elif EMAIL.match(contact):
        channels = [NoticeChannel.EMAIL]
    else:
        raise AssistError(
            _("Xin nhập số điện thoại (10 chữ số) hoặc thư điện tử của chính người dân.")
        )
    # A digital-team member always belongs to a center (``member_of`` asks for one).
    assert member.center_id is not None
    code = f"{secrets.randbelow(10**6):06d}"
    row = AssistanceConsent.objects.create(
        center_id=member.center_id,
        member=member.user,
        citizen_id_hash=id_hash(id_number),
        contact_masked=mask_recipient(contact),
        consent_text=str(CONSENT_TEXT),
        consent_checked_at=now,
        code_hash="",
        code_expires_at=now + CODE_TTL,
        created_at=now,
    )
    row.code_hash = _code_hash(row.pk, code)
    row.save(update_fields=["code_hash"])
    body = _(
        "Mã xác nhận đồng ý được hỗ trợ nộp hồ sơ: %(code)s. Chỉ đọc mã này cho thành viên tổ "
        "công nghệ số đang giúp ông/bà, có hiệu lực 10 phút."
    ) % {"code": code}
    sent = 0
    for channel in channels:
        try:
            with transaction.atomic():
                queue_message(
                    kind=NoticeKind.ASSIST_CODE,
                    channel=channel,
                    recipient=contact,
                    subject=_("Mã xác nhận hỗ trợ nộp hồ sơ"),
                    body=body,
                    now=now,
                )
            sent += 1
        except SendError:
            continue
    if not sent:
        raise AssistError(
            _("Chưa gửi được mã qua kênh này. Xin dùng thư điện tử hoặc số điện thoại khác."), 503
        )
    return row


def verify_code(consent: AssistanceConsent, code: str, *, now: datetime) -> str | None:
    """The citizen read the code to the member: None when the consent is recorded, the message
    of a wrong code otherwise (the attempt is counted); ``AssistError`` when no code can pass."""
    consent = AssistanceConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.verified_at is not None:
        raise AssistError(_("Mã này đã được dùng."), 409)
    if consent.attempts >= MAX_ATTEMPTS or now > consent.code_expires_at:
        raise AssistError(_("Mã đã hết hạn hoặc nhập sai quá nhiều lần. Xin gửi mã mới."), 409)
    consent.attempts += 1
    code = "".join(ch for ch in code if ch.isdigit())[:6]
    if not hmac.compare_digest(consent.code_hash, _code_hash(consent.pk, code)):
        # Returned, not raised: the counted attempt must commit with the caller's transaction.
        consent.save(update_fields=["attempts"])
        left = MAX_ATTEMPTS - consent.attempts
        return _("Mã không đúng. Còn %(left)d lần thử.") % {"left": left}
    consent.verified_at = now
    consent.save(update_fields=["attempts", "verified_at"])
    return None


@dataclass(frozen=True)
class Assistance:
    consent: AssistanceConsent
    member: object

    @property
    def actor(self) -> str:
        return assisted_actor(self.member)

    def covers(self, id_number: str) -> bool:
        """Whether the consent was given by the citizen with this ID number."""
        candidate = id_hash("".join((id_number or "").split()))
        return hmac.compare_digest(candidate, self.consent.citizen_id_hash)


def current_assistance(request: HttpRequest, *, now: datetime | None = None) -> Assistance | None:
    """The verified, unused, fresh consent the signed-in member is working under, or None.

    Only for a signed-in member of the digital team, for a consent they recorded themselves in
    this browser session, verified with the citizen's code less than an hour ago.
    """
    now = now or timezone.now()
    member = member_of(request.user)
    consent_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if member is None or member.center_id is None or not isinstance(consent_id, int):
        return None
    consent = AssistanceConsent.objects.filter(
        pk=consent_id,
        member=member.user,
        center_id=member.center_id,
        verified_at__isnull=False,
        verified_at__gte=now - CONSENT_TTL,
        used_at__isnull=True,
    ).first()
    return Assistance(consent, request.user) if consent is not None else None


def attach_to_dossier(consent: AssistanceConsent, dossier: Dossier, *, now: datetime) -> None:
    """Mark the consent used by this dossier (once): one consent, one submission."""
    updated = AssistanceConsent.objects.filter(
        pk=consent.pk, used_at__isnull=True, verified_at__isnull=False
    ).update(dossier=dossier, used_at=now)
    if updated != 1:
        raise AssistError(_("Sự đồng ý này đã được dùng cho một hồ sơ khác."), 409)
