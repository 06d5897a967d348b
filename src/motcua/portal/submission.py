"""Submitting online (dịch vụ công trực tuyến toàn trình): drafts, the document store, submit.

The same e-form and rules as the kiosk and the counter (``motcua.eforms``, the shared pieces in
``motcua.dossiers.intake``); what is the portal's own: the draft that waits for the citizen
(form data and parked uploads, owned by them, deleted on submission or after
``DRAFT_LIFETIME``), the reuse of papers from the citizen's store (KPI 4.3), and the channel
``online``: the dossier starts "Mới đăng ký" and waits for reception's ``accept``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.assist.services import AssistError, attach_to_dossier
from motcua.catalog.models import Procedure, ProcedureChannel
from motcua.catalog.states import Channel as CatalogChannel
from motcua.centers.models import Center
from motcua.dossiers import documents as store
from motcua.dossiers import intake
from motcua.dossiers.models import CitizenDocument, Dossier
from motcua.dossiers.services import VIETNAM, DossierError, submit_dossier
from motcua.dossiers.states import Channel
from motcua.eforms.registry import definition_for
from motcua.eforms.rendering import (
    PORTAL,
    EForm,
    StoredChoice,
    build_form,
    card_values,
    documents,
    form_data,
)
from motcua.eforms.uploads import UploadStore, check_upload
from motcua.portal.models import Draft, OnlineSubmission
from motcua.portal.services import PortalError, id_number_of
from motcua.portal.session import SignedIn
from motcua.portal.states import Assurance

DRAFT_LIFETIME = timedelta(days=30)
ACTOR = "portal"  # the first event's actor; the citizen account is in OnlineSubmission
REUSE_PREFIX = "reuse_"


def draft_store() -> UploadStore:
    """Uploads parked for drafts: a folder of their own, so that the kiosk's purge of
    abandoned sessions (minutes) never removes a draft's files (days)."""
    return UploadStore(Path(settings.MEDIA_ROOT) / "portal-drafts")


def online_procedures(today) -> QuerySet[Procedure]:
    """Procedures received today that the catalog offers online."""
    online = ProcedureChannel.objects.filter(channel=CatalogChannel.ONLINE).values("procedure")
    return intake.receivable_procedures(today).filter(pk__in=online)


def online_centers() -> QuerySet[Center]:
    return Center.objects.filter(is_active=True).order_by("name")


def card_for(signed_in: SignedIn) -> dict[str, Any]:
    """What the portal knows for sure about the applicant: the ID number they signed in with
    (prefilled and locked in the form, as the kiosk locks the card's values)."""
    return {"id_number": id_number_of(signed_in.citizen)}


# --- drafts --------------------------------------------------------------------------------


def owned_draft(signed_in: SignedIn, draft_id, *, now: datetime) -> Draft | None:
    return (
        Draft.objects.select_related("procedure", "center")
        .filter(pk=draft_id, citizen=signed_in.citizen, expires_at__gt=now)
        .first()
    )


def new_draft(signed_in: SignedIn, procedure: Procedure, center: Center, *, now: datetime) -> Draft:
    import uuid

    return Draft.objects.create(
        citizen=signed_in.citizen,
        center=center,
        procedure=procedure,
        data={},
        submit_key=uuid.uuid4().hex,
        created_at=now,
        updated_at=now,
        expires_at=now + DRAFT_LIFETIME,
    )


def _querydict(stored: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in (stored or {}).items():
        if isinstance(values, list):
            data.setlist(key, [str(v) for v in values])
    return data


def remembered(signed_in: SignedIn) -> dict[str, Any]:
    """What the center recorded about her on her latest dossier (name, birth date, address),
    in the card's keys: a new form starts from it, editable and never locked (an address
    changes; only the card vouches for a value). Only when the sign-in vouches for the ID
    number: a self-declared address must not show a stranger's name and address.

    The address: the dossier's applicant address, else where her e-form answers hold it (a
    form whose address field is not the card's, e.g. the marriage declaration's "nơi cư trú"
    of the party with her ID number), looking back over her latest few dossiers.
    """
    if not signed_in.sees_records:
        return {}
    number = id_number_of(signed_in.citizen)
    if not store.PERSONAL_ID.match(number or ""):
        return {}  # unreadable (the portal key rotated): "" would match strangers' dossiers
    recent = list(
        Dossier.objects.filter(applicant_id_number=number)
        .order_by("-received_at", "-pk")
        .values(
            "applicant_name",
            "applicant_birth_date",
            "applicant_address",
            "form_data",
            "procedure__code",
        )[:RECORDS_LOOKED_AT]
    )
    if not recent:
        return {}
    latest = recent[0]
    address = ""
    for record in recent:
        address = record["applicant_address"] or _address_in_answers(
            record["procedure__code"], record["form_data"], number
        )
        if address:
            break
    return {
        "full_name": latest["applicant_name"],
        "birth_date": latest["applicant_birth_date"],
        "address": address,
    }


RECORDS_LOOKED_AT = 10


def _address_in_answers(procedure_code: str, answers: Any, number: str) -> str:
    """Her address as typed in an earlier e-form: the field the card would prefill, else the
    address field of the section (the person) whose ID number is hers."""
    if not isinstance(answers, dict) or not answers:
        return ""
    definition = definition_for(procedure_code)
    for field in definition.fields():
        if field.prefill == "card.address" and field.prefill_when is None:
            value = answers.get(field.name)
            if isinstance(value, str) and value.strip():
                return value.strip()
    for section in definition.sections:
        names = [field.name for field in section.fields]
        ids = [f.name for f in section.fields if f.type == "id_number"]
        if not any(answers.get(name) == number for name in ids):
            continue
        for name in names:
            value = answers.get(name)
            if name.endswith("_address") and isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def build(draft: Draft, signed_in: SignedIn, data=None, files=None) -> EForm:
    definition = definition_for(draft.procedure.code)
    locked = card_values(definition, card_for(signed_in))
    initial = dict(locked)
    if data is None:  # a blank form: start from her records (a bound one keeps what she typed)
        initial = {**card_values(definition, remembered(signed_in)), **locked}
    return build_form(
        definition,
        procedure=draft.procedure,
        data=data,
        files=files,
        initial=initial,
        locked=locked,
        store=draft_store(),
        wording=PORTAL,
    )


def stored_form(draft: Draft, signed_in: SignedIn) -> EForm:
    """The draft as saved: bound when it has data (errors show), blank otherwise."""
    return build(draft, signed_in, data=_querydict(draft.data) if draft.data else None)


def store_offers(signed_in: SignedIn, form: EForm, *, today) -> dict[int, list[CitizenDocument]]:
    """Per checklist document (its pk), the citizen's valid stored papers of the same type."""
    if not signed_in.sees_records:
        return {}
    owner = id_number_of(signed_in.citizen)
    if not store.PERSONAL_ID.match(owner or ""):
        return {}
    papers = list(
        CitizenDocument.objects.filter(owner_id_number=owner)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-created_at", "-id")
    )
    offers: dict[int, list[CitizenDocument]] = {}
    for document in form.checklist:
        kind = store.document_type_key(document.name)
        matching = [p for p in papers if p.document_type == kind]
        if matching:
            offers[document.pk] = matching
    return offers


UNDO_REUSE = "undo_reuse_"  # the "action" value of a row's "Không dùng giấy tờ này" button


def undo_target(action: str, offers: dict[int, list[CitizenDocument]]) -> int | None:
    """The checklist pk whose stored copy the citizen takes back, if that is what she tapped."""
    if action.startswith(UNDO_REUSE) and action[len(UNDO_REUSE) :].isdigit():
        pk = int(action[len(UNDO_REUSE) :])
        return pk if pk in offers else None
    return None


def apply_reuse(
    post: QueryDict, files, offers: dict[int, list[CitizenDocument]], *, undo: int | None = None
) -> QueryDict:
    """Put each chosen stored paper in the form as if uploaded (the same content checks run).

    A new upload for the same paper wins over the choice; a choice already applied (the same
    paper is behind the token) is not copied again. ``undo``: the paper whose stored copy is
    taken back (the row then asks for paper or an upload again).
    """
    data = post.copy()
    parked = draft_store()
    if undo is not None:
        token = data.get(f"doc_{undo}_token", "")
        if token and data.get(f"{REUSE_PREFIX}{undo}_applied", "").endswith(f":{token}"):
            parked.discard(token)
            data.pop(f"doc_{undo}_token", None)
        data.pop(f"{REUSE_PREFIX}{undo}", None)
        data.pop(f"{REUSE_PREFIX}{undo}_applied", None)
    for pk, papers in offers.items():
        choice = data.get(f"{REUSE_PREFIX}{pk}", "")
        if not choice or files.get(f"doc_{pk}_file"):
            continue
        paper = next((p for p in papers if str(p.pk) == choice), None)
        if paper is None:
            data.pop(f"{REUSE_PREFIX}{pk}", None)
            continue
        token = data.get(f"doc_{pk}_token", "")
        applied = data.get(f"{REUSE_PREFIX}{pk}_applied", "")
        if token and applied == f"{paper.pk}:{token}" and parked.get(token) is not None:
            continue
        name = paper.file.name
        if not name:  # no stored file: the offer is dropped, as for an unreadable one
            data.pop(f"{REUSE_PREFIX}{pk}", None)
            continue
        try:
            with paper.file.open("rb") as handle:
                content = handle.read()
        except OSError:
            data.pop(f"{REUSE_PREFIX}{pk}", None)
            continue
        upload = SimpleUploadedFile(Path(name).name, content, paper.content_type)
        try:
            checked = check_upload(upload)
        except Exception:
            data.pop(f"{REUSE_PREFIX}{pk}", None)
            continue
        if token:
            parked.discard(token)
        token = parked.keep(checked)
        data[f"doc_{pk}_token"] = token
        data[f"{REUSE_PREFIX}{pk}_applied"] = f"{paper.pk}:{token}"
    return data


def stored_choices(
    form: EForm, offers: dict[int, list[CitizenDocument]]
) -> dict[int, StoredChoice]:
    """What each checklist row offers from her store, and the copy it already carries."""
    data = form.data if form.is_bound else QueryDict()
    choices = {}
    for pk, papers in offers.items():
        chosen = data.get(f"{REUSE_PREFIX}{pk}", "")
        token = data.get(f"doc_{pk}_token", "")
        applied = data.get(f"{REUSE_PREFIX}{pk}_applied", "")
        # Attached: the chosen paper's copy is the one behind the row's token (apply_reuse).
        attached = next(
            (p for p in papers if token and str(p.pk) == chosen and applied == f"{p.pk}:{token}"),
            None,
        )
        choices[pk] = StoredChoice(
            field_name=f"{REUSE_PREFIX}{pk}",
            papers=[(str(p.pk), paper_label(p)) for p in papers],
            chosen=chosen,
            applied=paper_label(attached) if attached is not None else "",
            undo_value=f"{UNDO_REUSE}{pk}",
        )
    return choices


def paper_label(paper: CitizenDocument) -> str:
    return f"{paper.name} ({timezone.localtime(paper.created_at):%d/%m/%Y})"


def save(draft: Draft, form: EForm, *, now: datetime) -> None:
    """Keep what was typed and every accepted upload, valid or not (the citizen comes back)."""
    if form.is_bound:
        form.is_valid()
        form._keep_uploads()  # the renderer's own parking (``keep_uploads`` without re-validating)
        # A bound portal form holds (a copy of) the posted QueryDict.
        posted = cast(QueryDict, form.data)
        draft.data = {key: posted.getlist(key) for key in posted if key != "csrfmiddlewaretoken"}
    draft.updated_at = now
    draft.expires_at = now + DRAFT_LIFETIME
    draft.save(update_fields=["data", "updated_at", "expires_at"])


def discard(draft: Draft) -> None:
    tokens = [
        value
        for key, values in (draft.data or {}).items()
        if key.endswith("_token")
        for value in values
    ]
    draft.delete()
    parked = draft_store()
    for token in tokens:
        parked.discard(token)


def purge_expired(*, now: datetime) -> int:
    count = 0
    for draft in Draft.objects.filter(expires_at__lte=now):
        discard(draft)
        count += 1
    return count


# --- submitting ----------------------------------------------------------------------------


def submission_key(signed_in: SignedIn, key: str) -> str:
    return f"portal:{signed_in.citizen.pk}:{key}"


def already_submitted(signed_in: SignedIn, key: str) -> Dossier | None:
    """The dossier a first (maybe lost) response created for this draft's key."""
    if not key or len(key) > 64:
        return None
    return Dossier.objects.filter(
        idempotency_key=submission_key(signed_in, key),
        online_submission__citizen=signed_in.citizen,
    ).first()


def submit(
    draft: Draft, signed_in: SignedIn, *, key: str, now: datetime, assistance=None
) -> Dossier:
    """Receive the draft as an online dossier (inside the caller's transaction).

    ``assistance`` (``assist.services.current_assistance``): a member of the community digital
    team submits for the citizen present, under the consent the citizen gave with their code;
    the first event names the member ("assist:<username>") and the consent is used up.

    Idempotent by the draft's key: a double tap or a retried request returns the dossier the
    first one made. The draft and its parked uploads go once the dossier holds the files.
    """
    if key != draft.submit_key:
        raise PortalError(_("Trang xác nhận đã cũ. Xin kiểm tra lại rồi bấm “Nộp hồ sơ”."), 409)
    form = build(draft, signed_in, data=_querydict(draft.data))
    if not form.is_valid():
        raise PortalError(_("Tờ khai còn mục cần sửa. Xin kiểm tra lại."), 422)
    if assistance is None and signed_in.assurance == Assurance.ASSISTED:
        # The member's session for this citizen outlives the consent (one dossier each).
        raise PortalError(
            _("Mỗi hồ sơ cần một lần đồng ý của công dân. Xin ghi nhận sự đồng ý mới."), 403
        )
    if assistance is not None and not assistance.covers(id_number_of(signed_in.citizen)):
        raise PortalError(
            _("Sự đồng ý được hỗ trợ không phải của công dân đang đăng nhập. Xin làm lại."), 403
        )
    card = card_for(signed_in)
    applicant = intake.applicant(card, form)
    checklist = documents(form)
    by_form = {d["document_id"] for d in checklist if d["provided_by_form"]}
    answers = form_data(form)
    declaration = json.dumps(
        {"form": form.definition.form, "version": form.definition.version, "answers": answers},
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")
    submitted = []
    for component in intake.submitted_documents(form, received_by_officer=False):
        if component.required_document_id in by_form:
            # Online, the declaration is the e-form itself: stored as submitted, no paper.
            component = replace(
                component,
                content=declaration,
                filename="to-khai.json",
                content_type="application/json",
                provided_on_paper=False,
            )
        submitted.append(component)
    try:
        dossier, created = submit_dossier(
            center=draft.center,
            procedure=draft.procedure,
            applicant=applicant,
            form_data=answers,
            form_version=form.definition.version,
            documents=submitted,
            channel=Channel.ONLINE,
            copies_requested=intake.copies_asked(form),
            actor=assistance.actor if assistance is not None else ACTOR,
            idempotency_key=submission_key(signed_in, key),
            now=now,
        )
    except DossierError as exc:
        raise PortalError(exc.message, exc.status_code) from None
    if created and assistance is not None:
        try:
            attach_to_dossier(assistance.consent, dossier, now=now)
        except AssistError as exc:
            raise PortalError(exc.message, 409) from None
    if created:
        OnlineSubmission.objects.create(
            citizen=signed_in.citizen,
            dossier=dossier,
            assurance=signed_in.assurance,
            submitted_at=now,
        )
        _record_reuses(dossier, draft, now=now)
    return dossier


def applied_reuses(data: dict[str, list[str]]) -> dict[int, int]:
    """Checklist pk → the stored paper attached for it (chosen, and its copy applied)."""
    chosen: dict[int, int] = {}
    for key, values in data.items():
        if key.startswith(REUSE_PREFIX) and key[len(REUSE_PREFIX) :].isdigit() and values:
            applied = (data.get(f"{key}_applied") or [""])[0]
            if values[0].isdigit() and applied.startswith(f"{values[0]}:"):
                chosen[int(key[len(REUSE_PREFIX) :])] = int(values[0])
    return chosen


def _record_reuses(dossier: Dossier, draft: Draft, *, now: datetime) -> None:
    """Components taken from the citizen's store point at the stored copy (KPI 4.3)."""
    chosen = applied_reuses(draft.data or {})
    if not chosen:
        return
    stored = {p.pk: p for p in CitizenDocument.objects.filter(pk__in=chosen.values())}
    for component in dossier.documents.filter(required_document_id__in=chosen):
        required = component.required_document_id
        if required is None:
            continue  # not a checklist component: never chosen (filtered above)
        paper = stored.get(chosen[required])
        if paper is None or paper.sha256 != component.sha256:
            continue  # replaced by a new upload after all
        copy = component.file.name
        try:
            store.reuse_component(component, paper, actor=ACTOR, now=now)
        except store.DocumentError:
            # Not hers (the choice came back from the browser) or no longer valid (it expired
            # after she chose it): the identical copy she sent stays, only no reuse is recorded.
            continue
        # The component now names the stored file; the identical copy written at submission
        # is removed once the reuse is committed.
        if copy and copy != paper.file.name:
            transaction.on_commit(partial(default_storage.delete, copy), robust=True)


def local_today(now: datetime):
    return now.astimezone(VIETNAM).date()
