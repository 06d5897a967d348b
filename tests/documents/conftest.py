"""Fixtures for documents: the back office's centers and clock, officers without certificates."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from motcua.dossiers.services import Applicant, SubmittedDocument
from tests.backoffice import conftest as backoffice
from tests.backoffice.conftest import make_officer, submit, vn

# Fixtures are found by name: the back office's centers, procedure, unit, clock and media root.
center = backoffice.center
other_center = backoffice.other_center
procedure = backoffice.procedure
unit = backoffice.unit
clock = backoffice.clock
media_root = backoffice.media_root

CERTIFICATE = "Giấy xác nhận tình trạng hôn nhân"
OTHER_CITIZEN = Applicant(name="Lê Văn Bí Mật", id_number="036099001122")


def pdf(name: str = "scan.pdf", body: bytes = b"scan") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + body + b"\n%%EOF\n", "application/pdf")


def png(name: str = "anh.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def needs_certificate(center, procedure, *, key: str, applicant=None, minute: int = 0):
    """A dossier whose only component is the certificate, handed in on paper."""
    extra = {"applicant": applicant} if applicant is not None else {}
    dossier, _ = submit(
        center,
        procedure,
        key=key,
        now=vn(2025, 7, 8, 9, minute),
        documents=[SubmittedDocument(name=CERTIFICATE, provided_on_paper=True)],
        **extra,
    )
    return dossier


def stored_files(root) -> set[str]:
    return (
        {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        if root.exists()
        else set()
    )


@pytest.fixture
def officers(center, unit, other_center) -> dict:
    return {
        "reception": make_officer("tiepnhan", "reception", center),
        "specialist": make_officer("hotich", "specialist", center, unit=unit),
        "leader": make_officer("lanhdao", "leader", center),
        "other_reception": make_officer("tiepnhan2", "reception", other_center),
    }


@pytest.fixture
def first(center, procedure):
    """The kiosk dossier of tests.dossiers: a paper form and the certificate as a PDF."""
    dossier, _ = submit(center, procedure, key="k-1", now=vn(2025, 7, 7, 9, 5))
    return dossier
