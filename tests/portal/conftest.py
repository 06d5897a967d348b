"""A center with the tiny catalog (birth registration offered online) and signed-in citizens."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from motcua.dossiers.services import Applicant
from tests.dossiers.conftest import make_center, submit, vn

BIRTH = "1.001193"
CITIZEN_ID = "025190012345"
OTHER_ID = "036099001122"
CODE_IN_MAIL = re.compile(r"\b(\d{6})\b")

__all__ = ["BIRTH", "CITIZEN_ID", "OTHER_ID", "submit", "vn"]


@pytest.fixture(autouse=True)
def portal_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTICE_SENDERS = {"email": "motcua.notices.senders.EmailSender"}
    settings.MOTCUA_VNEID = {}
    return settings


_capture = None


@pytest.fixture(autouse=True)
def _sends_after_commit(django_capture_on_commit_callbacks):
    """The test's transaction never commits: run the outbox's after-commit sends by hand."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


def _capture_sends():
    """Run the after-commit sends of the block (the test's transaction never commits)."""
    return _capture(execute=True)


def ask_code(client, id_number: str, **extra):
    with _capture(execute=True):
        return client.post("/cong-dan/dang-nhap/", {"id_number": id_number, **extra})


@pytest.fixture
def center(tiny_catalog):
    return make_center()


def earlier_dossier(center, id_number: str, *, email: str = "", phone: str = "", key: str = "k1"):
    """A dossier received at the kiosk earlier, with the contact the center recorded."""
    from motcua.catalog.models import Procedure

    procedure = Procedure.objects.get(code="2.000815")
    dossier, _ = submit(
        center,
        procedure,
        key=key,
        now=vn(2026, 11, 2, 9, 0),
        applicant=Applicant(name="Nguyễn Thị Lan", id_number=id_number, email=email, phone=phone),
    )
    return dossier


def last_code() -> str:
    assert mail.outbox, "no code was sent"
    return CODE_IN_MAIL.search(mail.outbox[-1].body).group(1)


def sign_in(client, id_number: str = CITIZEN_ID, contact: str = "") -> None:
    extra = {"contact": contact} if contact else {}
    response = ask_code(client, id_number, **extra)
    assert response.status_code == 302, response.content.decode()[:500]
    response = client.post("/cong-dan/dang-nhap/ma/", {"code": last_code()})
    assert response.status_code == 302 and response["Location"] == "/cong-dan/"


@pytest.fixture
def known_citizen(center):
    """Lan: her earlier dossier at the kiosk recorded her e-mail."""
    return earlier_dossier(center, CITIZEN_ID, email="lan@example.vn")


@pytest.fixture
def lan(client, known_citizen):
    sign_in(client)
    return client


def jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "JPEG")
    return out.getvalue()


def photo(name="giay-chung-sinh.jpg", content: bytes | None = None):
    return SimpleUploadedFile(name, content if content is not None else jpeg(), "image/jpeg")


def birth_answers(form_fields, **overrides) -> dict:
    """Valid answers to the birth registration form (the kiosk's test data)."""
    data = {
        "requester_full_name": "Nguyễn Thị Lan",
        "requester_birth_date": "15/03/1990",
        "requester_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
        "requester_relationship": "Mẹ",
        "requester_phone": "0912 345 678",
        "child_full_name": "Nguyễn Minh An",
        "child_birth_date": "10/11/2026",
        "child_sex": form_fields["child_sex"].choices[0][0],
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": "Trạm Y tế xã Hiền Lương, tỉnh Phú Thọ",
        "child_hometown": "Phú Thọ",
        "mother_full_name": "Nguyễn Thị Lan",
        "mother_birth_date": "15/03/1990",
        "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam",
        "mother_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
        "mother_id_number": CITIZEN_ID,
        "pledge": "on",
    }
    data.update(overrides)
    return data
