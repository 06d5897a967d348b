"""Fixtures for the paper forms: the back office's centers, officers and dossiers, imported."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.db import transaction
from pypdf import PdfReader

from motcua.dossiers.actions import ActionRequest, perform
from tests.backoffice import conftest as backoffice
from tests.backoffice.conftest import make_officer, submit, vn

# The back office's fixtures, shared by name rather than copied.
center = backoffice.center
other_center = backoffice.other_center
procedure = backoffice.procedure
unit = backoffice.unit
media_root = backoffice.media_root

__all__ = ["act", "make_officer", "pdf_text", "submit", "vn"]


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


def act(dossier, user, role, action, at, note="", **data):
    """One workflow action through ``perform``, as the officer page does it."""
    last = dossier.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    with transaction.atomic():
        event = perform(
            dossier.pk,
            ActionRequest(
                action=action,
                role=role,
                actor=f"user:{user.pk}",
                seen_seq=last,
                now=at,
                note=note,
                data=data,
            ),
        )
    dossier.refresh_from_db()
    return event


@pytest.fixture
def staff(center, unit) -> dict:
    return {
        "reception": make_officer(
            "tiepnhan", "reception", center, last_name="Trần Thị", first_name="Lan"
        ),
        "specialist": make_officer(
            "hotich", "specialist", center, unit=unit, last_name="Nguyễn Văn", first_name="Minh"
        ),
        "leader": make_officer(
            "lanhdao", "leader", center, last_name="Phạm Quốc", first_name="Hùng"
        ),
    }


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    return dossier
