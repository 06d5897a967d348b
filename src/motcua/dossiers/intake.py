"""Receiving a filled e-form as a dossier: the pieces every receiving surface shares.

The kiosk (the citizen serves themself) and the counter (a reception officer receives a walk-in
or a postal dossier) go through the same steps: read the card (``motcua.identity``), find the
procedure (``motcua.search.finder``), fill the procedure's e-form (``motcua.eforms``), submit
(``services.submit_dossier``). What both do lives here once, so that they pick the applicant,
the procedures on offer and the components received the same way; each surface keeps only its
own screens and session.
"""

from __future__ import annotations

import contextlib
import os
from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Count, Q, QuerySet

from motcua.catalog.models import Procedure, Sector
from motcua.dossiers.services import Applicant, SubmittedDocument
from motcua.dossiers.states import Sex
from motcua.eforms.rendering import EForm, documents
from motcua.identity.signing import read_signed_card

RESULTS_SHOWN = 5
SEX_FROM_CARD = {"Nam": Sex.MALE, "Nữ": Sex.FEMALE}


def receivable_procedures(today: date) -> QuerySet[Procedure]:
    """Published procedures in force today: exactly those ``submit_dossier`` accepts."""
    return Procedure.objects.published().filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
    )


def find(query: str, *, offered: QuerySet[Procedure] | None = None) -> tuple[list, str]:
    """Finder hits limited to the procedures on offer (published ones by default), or the
    finder's message for a query it refuses."""
    from motcua.search.finder import QueryError, get_finder

    try:
        hits = get_finder().search(query, k=RESULTS_SHOWN + 3)
    except QueryError as exc:
        return [], exc.message
    offered = Procedure.objects.published() if offered is None else offered
    kept = set(offered.filter(code__in=[h.code for h in hits]).values_list("code", flat=True))
    return [h for h in hits if h.code in kept][:RESULTS_SHOWN], ""


def sectors_with_counts(offered: QuerySet[Procedure] | None = None):
    """The fields (lĩnh vực) with at least one procedure on offer, the busiest first."""
    ids = (Procedure.objects.published() if offered is None else offered).values("pk")
    return (
        Sector.objects.annotate(n=Count("procedures", filter=Q(procedures__in=ids)))
        .filter(n__gt=0)
        .order_by("-n", "name")
    )


def card_from_token(token: str) -> dict[str, Any]:
    """The card values as signed when read, dates as dates; IdentityError if the token was
    altered or has expired (the surface then asks for the card again)."""
    values = dict(read_signed_card(token or ""))
    for key in ("birth_date", "issue_date"):
        if isinstance(values.get(key), str) and values[key]:
            values[key] = date.fromisoformat(values[key])
    return values


def applicant_value(card: dict[str, Any], form: EForm, key: str) -> Any:
    """The card's value, else what was typed in the field the card would prefill.

    A typed 12-digit number gives only the number: the name, birth date and address then come
    from the form (they are locked, and so equal to the card's, when the card has them).
    """
    if card.get(key) not in (None, ""):
        return card[key]
    for definition_field in form.definition.fields():
        if definition_field.prefill == f"card.{key}":
            value = form.cleaned_data.get(definition_field.name)
            if value not in (None, ""):
                return value
    return None


def contact(form: EForm, kind: str) -> str:
    """The first answer of a field of this type ("phone", "email"), for notices."""
    for definition_field in form.definition.fields():
        if definition_field.type == kind and form.cleaned_data.get(definition_field.name):
            return str(form.cleaned_data[definition_field.name])
    return ""


def applicant(card: dict[str, Any], form: EForm) -> Applicant:
    return Applicant(
        name=applicant_value(card, form, "full_name") or "",
        id_number=card.get("id_number") or "",
        birth_date=applicant_value(card, form, "birth_date"),
        sex=SEX_FROM_CARD.get(applicant_value(card, form, "sex") or "", ""),
        address=applicant_value(card, form, "address") or "",
        phone=contact(form, "phone"),
        email=contact(form, "email"),
    )


def copies_asked(form: EForm) -> int:
    """The copies of the result asked for in the e-form's "copies" field (0 without one); the
    fee counts them only where the catalog charges per copy (``catalog.fees``)."""
    value = form.cleaned_data.get("copies") if "copies" in form.fields else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def submitted_documents(form: EForm, *, received_by_officer: bool) -> list[SubmittedDocument]:
    """The components really handed in, in the catalog's order.

    Papers that apply only in other cases ("trường hợp...") and were neither given on paper nor
    attached are not part of the dossier: the slip (Mẫu 01) lists the dossier's components, and
    it must not acknowledge papers nobody handed in. Required ones cannot be missing (the form
    refuses that).

    ``received_by_officer``: at the counter (walk-in or postal) the reception officer scans each
    paper as it is received and types the declaration into the e-form, so every attached file
    and the e-form itself are components digitized at intake (KPI 4.2 of QĐ 766/QĐ-TTg counts a
    dossier whose every component is digitized). At the kiosk nobody of the center has handled
    the papers yet: a kiosk takes no paper, so nothing is recorded as handed in on paper; the
    declaration is the e-form, received electronically (``from_eform``), and a paper the citizen
    ticked "Tôi nộp bản giấy tại quầy" for is still to bring (``to_bring``), as the slip lists it
    (docs/decisions/0007).
    """
    submitted = []
    catalog = {document.pk: document for document in form.checklist}
    for d in documents(form):
        attached = d["file"] is not None
        if not (attached or d["provided_on_paper"] or d["provided_by_form"]):
            continue
        if received_by_officer:
            on_paper = bool(d["provided_on_paper"])
            digitized = attached or d["provided_by_form"]
        else:
            on_paper = digitized = False
        submitted.append(
            SubmittedDocument(
                name=d["name"],
                content=d["file"],
                filename=d["file"].name if attached else "",
                content_type=d["content_type"] or "",
                provided_on_paper=on_paper,
                # The paper an officer received, counted as the catalog asks for it (the slip
                # and the dossier page print these counts).
                originals=catalog[d["document_id"]].originals if on_paper else 0,
                copies=catalog[d["document_id"]].copies if on_paper else 0,
                requirement=d["requirement"],
                required_document_id=d["document_id"],
                digitized=digitized,
                from_eform=bool(d["provided_by_form"]) and not attached,
                to_bring=not received_by_officer and not attached and not d["provided_by_form"],
            )
        )
    return submitted


def stored_files(dossier) -> list[str]:
    """The names of the files ``submit_dossier`` wrote for this dossier (inside its transaction)."""
    return [name for name in dossier.documents.exclude(file="").values_list("file", flat=True)]


def remove_files(code: str, names: list[str]) -> None:
    """Delete the files of a receipt whose transaction rolled back after ``submit_dossier``
    returned (a later step of the same receipt refused it). Files live outside the database:
    without this they would stay behind, and the next dossier given the same number would find
    its folder taken."""
    for name in names:
        default_storage.delete(name)
    with contextlib.suppress(OSError, NotImplementedError):
        os.rmdir(default_storage.path(f"ho-so/{code}"))
