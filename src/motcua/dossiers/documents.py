"""Documents digitized once, reused: the only writers of digitization and of the citizen's store.

KPI 4.2 of Quyết định 766/QĐ-TTg counts dossiers whose input components are digitized; KPI 4.3
counts dossiers with at least one component taken from digitized data instead of a new scan
(domain.md §4). Both are read from the flags written here and from the ``digitize`` / ``reuse``
events appended to the dossier's log; neither changes the dossier's status.

The citizen's store (kho dữ liệu) is keyed by the applicant's 12-digit personal identification
number and a *document type*: ``document_type_key`` of the catalog name of the component (its
``RequiredDocument``), or of the component's own name when it has no catalog link. The key is
the name cut where its description starts (a bracket, punctuation, "hoặc", "do", "theo"…),
folded to unaccented lower case, without leading "bản sao / bản chính / bản chụp" and counts,
first eight words joined by "-": "Bản sao Giấy khai sinh (có chứng thực)" and "Giấy khai sinh"
are the same type. Catalog names
for the same paper are copied between procedures, so this matches them without a separate
thesaurus; a province that needs one can map keys later without touching stored files.

Every function runs inside the caller's ``transaction.atomic()`` and takes ``now``.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from vn_text import fold

from motcua.dossiers.models import CitizenDocument, Dossier, DossierDocument
from motcua.dossiers.services import VIETNAM, DossierError, record_event
from motcua.dossiers.states import TERMINAL_STATUSES, EventAction
from motcua.eforms.uploads import JPEG, PDF, PNG, check_upload

# Số định danh cá nhân (Luật Căn cước 2023): the key of the national store too. Old 9-digit ID
# cards and passports are not personal identification numbers, so they open no store.
PERSONAL_ID = re.compile(r"^[0-9]{12}$")
TYPE_KEY_WORDS = 8
# Where the name of the paper ends and its description starts ("… do UBND cấp xã cấp",
# "… theo mẫu", "… hoặc giấy tờ thay thế").
_CUT = re.compile(
    r"[(\[;:,/]|\s[-–]\s|\b(?:hoặc|do|theo|được|đối với|trong trường hợp|nếu)\b",
    re.IGNORECASE,
)
_QUALIFIERS = {"ban", "sao", "chinh", "chup", "goc", "photo", "photocopy", "cac", "mot"}
_EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}


class DocumentError(DossierError):
    """A refused digitization or reuse, with a Vietnamese message for the officer."""

    status_code = 409


class FileRefused(DocumentError):
    status_code = 422


class NotReusable(DocumentError):
    status_code = 409


class NotInStore(DocumentError):
    """Not a document of this applicant's store: the same answer as one that does not exist."""

    status_code = 404


def document_type_key(name: str) -> str:
    head = _CUT.split(name or "", maxsplit=1)[0]
    words = fold(head).split()
    while words and (words[0] in _QUALIFIERS or words[0].isdigit()):
        words.pop(0)
    if not words:
        words = fold(name or "").split()
    return "-".join(words[:TYPE_KEY_WORDS])


def document_type_for(document: DossierDocument) -> str:
    catalog = document.required_document
    return document_type_key(catalog.name if catalog is not None else document.name)


def store_owner(dossier: Dossier) -> str:
    """The applicant's personal identification number, or "" when they have no store."""
    number = (dossier.applicant_id_number or "").strip()
    return number if PERSONAL_ID.match(number) else ""


def local_day(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


# Reads


def reusable_for(document: DossierDocument, *, today: date | None = None) -> list[CitizenDocument]:
    """The applicant's valid stored documents of this component's type, newest first."""
    owner = store_owner(document.dossier)
    if not owner:
        return []
    if today is None:
        today = local_day(datetime.now(VIETNAM))
    candidates = (
        CitizenDocument.objects.filter(
            owner_id_number=owner, document_type=document_type_for(document)
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("source_dossier")
        .order_by("-created_at", "-id")
    )
    # Its own scan is already attached; offering it back would be a reuse of nothing.
    if document.pk is not None:
        candidates = candidates.exclude(source_document=document)
    if document.reused_from_id is not None:
        candidates = candidates.exclude(pk=document.reused_from_id)
    return list(candidates)


# Writers


def digitize_component(
    document: DossierDocument,
    upload: UploadedFile | None,
    *,
    actor: str,
    now: datetime,
    valid_until: date | None = None,
) -> DossierDocument:
    """Mark a component digitized from an officer's scan, or from the file already attached.

    The file is checked by its content (JPEG, PNG, PDF; size limit), stored through the default
    storage, and added to the applicant's store. Sending the same content again changes nothing.
    """
    dossier, document = _lock(document)
    _check_open(dossier)
    if valid_until is not None and valid_until < local_day(now):
        raise FileRefused(_("Ngày hết hiệu lực đã qua: giấy tờ không còn giá trị để số hóa."))

    if upload is None:
        stored_name = document.file.name
        if not stored_name:
            raise FileRefused(
                _("Thành phần “%(name)s” chưa có tệp: hãy quét hoặc tải tệp lên.")
                % {"name": document.name}
            )
        if document.digitized and document.reused_from_id is None:
            return document
        with document.file.open("rb") as handle:
            checked = _check(File(handle, name=posixpath.basename(stored_name)))
        source = "attached_file"
    else:
        checked = _check(upload)
        if document.digitized and document.sha256 == checked.sha256:
            return document
        source = "scan"

    saved: str | None = None
    try:
        if upload is not None:
            stem = posixpath.splitext(posixpath.basename((upload.name or "").replace("\\", "/")))
            name = (stem[0] or "ban-quet") + _EXTENSIONS[checked.content_type]
            document.file.save(name, checked.file, save=False)
            saved = document.file.name
        _mark_digitized(document, checked, actor=actor, now=now, reused_from=None)
        stored = _add_to_store(dossier, document, actor=actor, now=now, valid_until=valid_until)
        record_event(
            dossier,
            action=EventAction.DIGITIZE,
            from_status=dossier.status,
            to_status=dossier.status,
            actor=actor,
            at=now,
            note=document.name[:200],
            data={
                "position": document.position,
                "source": source,
                "content_type": checked.content_type,
                "size": checked.size,
                "sha256": checked.sha256,
                "citizen_document_id": stored.pk if stored else None,
            },
        )
    except BaseException:
        # The file is outside the transaction: do not leave it behind when the rows are not.
        if saved:
            default_storage.delete(saved)
        raise
    return document


def reuse_component(
    document: DossierDocument,
    citizen_document: CitizenDocument,
    *,
    actor: str,
    now: datetime,
) -> DossierDocument:
    """Attach a stored document of the applicant to the component, without a new scan (KPI 4.3)."""
    dossier, document = _lock(document)
    _check_open(dossier)
    if document.reused_from_id == citizen_document.pk:
        return document
    owner = store_owner(dossier)
    if not owner or citizen_document.owner_id_number != owner:
        raise NotInStore(_("Không tìm thấy giấy tờ này trong kho dữ liệu của người nộp hồ sơ."))
    if citizen_document.document_type != document_type_for(document):
        raise NotReusable(
            _("Giấy tờ “%(stored)s” không phải loại giấy tờ của thành phần “%(name)s”.")
            % {"stored": citizen_document.name, "name": document.name}
        )
    if citizen_document.valid_until is not None and citizen_document.valid_until < local_day(now):
        raise NotReusable(
            _("Giấy tờ “%(stored)s” đã hết hiệu lực từ ngày %(day)s; cần nộp bản mới.")
            % {
                "stored": citizen_document.name,
                "day": citizen_document.valid_until.strftime("%d/%m/%Y"),
            }
        )

    document.file.name = citizen_document.file.name
    _mark_digitized(document, citizen_document, actor=actor, now=now, reused_from=citizen_document)
    record_event(
        dossier,
        action=EventAction.REUSE,
        from_status=dossier.status,
        to_status=dossier.status,
        actor=actor,
        at=now,
        note=document.name[:200],
        data={
            "position": document.position,
            "citizen_document_id": citizen_document.pk,
            "sha256": citizen_document.sha256,
        },
    )
    return document


def store_intake_scans(dossier: Dossier, *, actor: str, now: datetime) -> int:
    """Put the files scanned when the dossier was received into the applicant's store.

    A counter officer scans each paper at intake (``SubmittedDocument.digitized``); those scans
    are kept for reuse like the ones digitized later, so the citizen's next dossier can take
    them from the store instead of a new scan (KPI 4.3). Returns how many were stored.
    """
    if not store_owner(dossier):
        return 0
    scanned = (
        dossier.documents.filter(digitized=True)
        .exclude(file="")
        .select_related("required_document")
        .order_by("position")
    )
    return sum(
        1
        for document in scanned
        if _add_to_store(dossier, document, actor=actor, now=now, valid_until=None) is not None
    )


# Helpers


def _mark_digitized(document, source, *, actor: str, now, reused_from) -> None:
    """Record the component as digitized from ``source`` (a checked upload or a stored copy)."""
    document.content_type = source.content_type
    document.size = source.size
    document.sha256 = source.sha256
    document.digitized = True
    document.digitized_at = now
    document.digitized_by = actor
    document.reused_from = reused_from
    document.save(
        update_fields=[
            "file",
            "content_type",
            "size",
            "sha256",
            "digitized",
            "digitized_at",
            "digitized_by",
            "reused_from",
        ]
    )


def _lock(document: DossierDocument) -> tuple[Dossier, DossierDocument]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Documents are digitized inside transaction.atomic().")
    # The dossier's row lock orders this event after any concurrent action on the dossier.
    dossier = Dossier.objects.select_for_update().get(pk=document.dossier_id)
    fresh = (
        DossierDocument.objects.select_for_update(of=("self",))
        .select_related("required_document")
        .get(pk=document.pk)
    )
    fresh.dossier = dossier
    return dossier, fresh


def is_open(dossier: Dossier) -> bool:
    """Components may be digitized or replaced until the dossier reaches an end state."""
    return dossier.status not in TERMINAL_STATUSES


def _check_open(dossier: Dossier) -> None:
    if not is_open(dossier):
        raise DocumentError(
            _("Hồ sơ đã ở trạng thái “%(status)s”: không số hóa hay thay giấy tờ được nữa.")
            % {"status": dossier.get_status_display()}
        )


def _check(upload: UploadedFile | File):
    try:
        return check_upload(upload)
    except ValidationError as exc:
        raise FileRefused(exc.messages[0]) from None


def _add_to_store(
    dossier: Dossier,
    document: DossierDocument,
    *,
    actor: str,
    now: datetime,
    valid_until: date | None,
) -> CitizenDocument | None:
    owner = store_owner(dossier)
    if not owner:
        return None
    document_type = document_type_for(document)
    same = CitizenDocument.objects.filter(owner_id_number=owner, document_type=document_type)
    # The same paper scanned again, or this component scanned again: one entry, brought up to date.
    stored = (
        same.filter(sha256=document.sha256).first() or same.filter(source_document=document).first()
    )
    if stored is None:
        stored = CitizenDocument(owner_id_number=owner, document_type=document_type, created_at=now)
    stored.name = document.name
    stored.file.name = document.file.name
    stored.content_type = document.content_type
    stored.size = document.size or 0
    stored.sha256 = document.sha256
    stored.source_dossier = dossier
    stored.source_document = document
    if valid_until is not None or stored.pk is None:
        stored.valid_until = valid_until
    stored.updated_at = now
    stored.digitized_by = actor
    stored.save()
    return stored
