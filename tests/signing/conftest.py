"""Fixtures for signing tests: one demo PKI per session, a leader with a certificate, a dossier."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from motcua.signing import pki
from motcua.signing.services import register_certificate, sign_result
from tests.dossiers.conftest import APPLICANT, make_center, make_procedure, submit

BASE_URL = "https://motcua.example.gov.vn"
LEADER_P12 = "lanh-dao/tran-van-lanh-dao.p12"


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory) -> pki.DemoPkiResult:
    """Generated once: RSA keys are the slow part of these tests."""
    return pki.create_demo_pki(tmp_path_factory.mktemp("pki"), now=timezone.now())


@pytest.fixture(autouse=True)
def signing_settings(settings, tmp_path, demo_pki, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PKI_DIR = demo_pki.directory
    settings.MOTCUA_PKI_TRUST_ROOTS = None
    settings.MOTCUA_PUBLIC_URL = ""
    monkeypatch.delenv(pki.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv("MOTCUA_PKI_TRUST_ROOTS", raising=False)
    cache.clear()
    return settings


@pytest.fixture
def leader(db):
    return get_user_model().objects.create_user(
        username="lanhdao", password="x", first_name="Lãnh Đạo", last_name="Trần Văn"
    )


@pytest.fixture
def certificate(leader):
    with transaction.atomic():
        certificate, _ = register_certificate(user=leader, p12_path=LEADER_P12, label="Ký số")
    return certificate


@pytest.fixture
def dossier(db):
    center = make_center()
    procedure = make_procedure()
    procedure.result = "Giấy chứng nhận kết hôn"
    procedure.save()
    dossier, _ = submit(center, procedure, now=timezone.now())
    return dossier


@pytest.fixture
def signed(dossier, certificate, leader):
    with transaction.atomic():
        return sign_result(
            dossier,
            certificate=certificate,
            signer_user=leader,
            now=timezone.now(),
            base_url=BASE_URL,
        )


__all__ = ["APPLICANT", "BASE_URL", "LEADER_P12"]
