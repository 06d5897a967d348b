"""The whole citizen journey's pieces, shared by the HTTP test (tests/portal/test_journey_kpis.py)
and the phone test (tests/browser/test_portal_journey_browser.py): a fee-bearing procedure
offered online (a copy of a civil-status extract, 8.000 đ a copy), the center's collection
account, a paper in the citizen's store, the back office's steps and the KPI figures the
center's dashboard shows."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.catalog import services as catalog
from motcua.catalog.schema import CatalogFile
from motcua.centers.models import Unit
from motcua.dossiers import documents as store
from motcua.dossiers.actions import ActionRequest, perform
from motcua.dossiers.models import CitizenDocument, Dossier
from motcua.dossiers.services import VIETNAM
from motcua.payments.models import CollectionAccount
from motcua.reports import dashboard

COPY = "2.000635"  # Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh
COPY_FEE = 8000  # đ per copy, the bundled catalog's online channel
INDICES = ("2.1", "3.3", "3.6", "4.3", "5.4")

# What the citizen types for a copy of her own birth extract (the optional fields left empty).
COPY_ANSWERS = {
    "requester_full_name": "Nguyễn Thị Lan",
    "requester_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
    "subject_full_name": "Nguyễn Thị Lan",
    "subject_birth_date": "15/03/1990",
    "registration_office": "UBND xã Hiền Lương",
    "copies": "2",
}
RECORD_TYPE = "Khai sinh"


def import_copy_procedure() -> None:
    """The bundled catalog's own entry, so the fee and the checklist are the real ones."""
    text = catalog.bundled_catalog_path().read_text("utf-8")
    entry = next(p for p in json.loads(text)["procedures"] if p["code"] == COPY)
    with transaction.atomic():
        catalog.import_catalog(
            CatalogFile.model_validate(
                {"format": "motcua.catalog", "version": 1, "procedures": [entry]}
            )
        )


def open_collection_account(center) -> CollectionAccount:
    return CollectionAccount.objects.create(
        center=center, bank_bin="970405", account_number="3600205123456", account_name="UBND XA"
    )


def identity_document_name() -> str:
    """The checklist's identity paper of the copy procedure (the one a stored card fits)."""
    from motcua.catalog.models import Procedure

    procedure = Procedure.objects.get(code=COPY)
    return next(d.name for d in procedure.documents.all() if d.name.startswith("Hộ chiếu"))


def stored_card(owner: str, content: bytes) -> CitizenDocument:
    """A photo of the citizen's ID card, digitized at an earlier visit (the store, KPI 4.3)."""
    name = default_storage.save("kho-du-lieu/the-can-cuoc.jpg", ContentFile(content))
    now = timezone.now()
    return CitizenDocument.objects.create(
        owner_id_number=owner,
        document_type=store.document_type_key(identity_document_name()),
        name="Thẻ căn cước",
        file=name,
        content_type="image/jpeg",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=now - timedelta(days=30),
        updated_at=now - timedelta(days=30),
    )


def act(dossier: Dossier, action: str, role: str, **data) -> None:
    """One back-office step through the officers' service (what their buttons call)."""
    seq = dossier.events.order_by("-seq").values_list("seq", flat=True).first()
    with transaction.atomic():
        perform(
            dossier.pk,
            ActionRequest(
                action=action,
                role=role,
                actor="user:7",
                seen_seq=seq,
                now=timezone.now(),
                data=data,
            ),
        )
    dossier.refresh_from_db()


def finish_with_result(dossier: Dossier) -> None:
    """Assigned, processed, signed by the leader, the result handed back."""
    unit = Unit.objects.filter(center=dossier.center).first() or Unit.objects.create(
        center=dossier.center, code="tp-ht", name="Tư pháp – Hộ tịch"
    )
    user = get_user_model().objects.create_user(f"xl{dossier.pk}", password="x-Pass-123")
    act(dossier, "assign", "reception", unit_id=unit.pk, user_id=user.pk)
    act(dossier, "submit_for_signature", "specialist")
    act(dossier, "sign", "leader")
    act(dossier, "return_result", "reception", delivery="at_center")
    assert dossier.status == "returned", dossier.status


def center_report(center):
    """The center's dashboard report for this month, through the function the dashboard page
    calls (``reports.dashboard.load``)."""
    now = timezone.now()
    today = now.astimezone(VIETNAM).date()
    period = dashboard.Period(today.replace(day=1), today, "thang")
    return dashboard.load(period, now, center=center, queue=False).report


def figures(report) -> dict[str, tuple[int | None, int | None]]:
    """Numerator and denominator of the journey's indices, and the count of ratings."""
    found = {
        code: (report.indices[code].numerator, report.indices[code].denominator) for code in INDICES
    }
    found["rated"] = (report.rated, None)
    return found
