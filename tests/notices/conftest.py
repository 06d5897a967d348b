"""Fixtures for notices: the dossier fixtures, e-mail only by default, an SMS gateway in memory."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.dossiers.actions import ActionRequest, perform
from tests.dossiers.conftest import center, media_root, procedure  # noqa: F401
from tests.notices.fakes import MemorySms

EMAIL_ONLY = {"email": "motcua.notices.senders.EmailSender"}
EMAIL_AND_SMS = {**EMAIL_ONLY, "sms": "tests.notices.fakes.MemorySms"}


@pytest.fixture(autouse=True)
def notice_settings(settings):
    settings.NOTICE_SENDERS = dict(EMAIL_ONLY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "motcua@xa-hienluong.example.vn"
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.gov.vn"
    MemorySms.sent = []
    MemorySms.failure = None
    return settings


def act(dossier, action, role, *, at, note="", **data):
    """One officer action in its own transaction, as the back office does it."""
    seq = dossier.events.order_by("-seq").values_list("seq", flat=True).first()
    with transaction.atomic():
        return perform(
            dossier.pk,
            ActionRequest(
                action=action, role=role, actor="user:7", seen_seq=seq, now=at, note=note, data=data
            ),
        )
