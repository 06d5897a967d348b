"""A member of the community digital team submits online for a citizen who is present, under
the consent the citizen gave with the code sent to them (issue 13, "Assisted submission")."""

from __future__ import annotations

import re

import pytest

from motcua.assist.models import AssistanceConsent
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notices.models import Notice
from motcua.notices.services import WIPED_BODY
from motcua.portal.models import OnlineSubmission
from tests.security.tenants import make_member

from .conftest import CITIZEN_ID, _capture_sends
from .test_submit_online import filled, start_draft, submit_key

pytestmark = pytest.mark.django_db


def consent_code() -> str:
    from django.core import mail

    body = mail.outbox[-1].body
    return re.search(r"\b(\d{6})\b", body).group(1)


def assisted_client(client, center, id_number=CITIZEN_ID):
    member = make_member("tocns_lan", "digital_team", center)
    client.force_login(member)
    with _capture_sends():
        response = client.post(
            "/ho-tro/", {"so_dinh_danh": id_number, "lien_he": "dan@example.vn", "dong_y": "1"}
        )
    assert response.status_code == 302
    assert client.post("/ho-tro/ma-xac-nhan/", {"ma": consent_code()}).status_code == 302
    return client, member


def test_the_member_submits_and_the_log_names_them(client, center):
    client, member = assisted_client(client, center)
    draft = start_draft(client)
    response = client.post(f"/cong-dan/ban-nhap/{draft}/", filled(client, draft))
    assert response.status_code == 302, response.context["form"].errors
    key = submit_key(client, draft)
    response = client.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": key})
    dossier = Dossier.objects.get(channel="online")
    assert response["Location"] == f"/cong-dan/ho-so/{dossier.code}/"
    assert dossier.applicant_id_number == CITIZEN_ID
    assert dossier.submitted_by == "assist:tocns_lan"
    assert DossierEvent.objects.get(dossier=dossier).actor == "assist:tocns_lan"
    consent = AssistanceConsent.objects.get()
    assert consent.dossier_id == dossier.pk and consent.used_at is not None
    # Assisted is not the citizen's own strong sign-in: their records stay closed.
    assert OnlineSubmission.objects.get(dossier=dossier).assurance == "assisted"
    # The code left the outbox with the e-mail: its text is not kept.
    assert not Notice.objects.filter(kind="assist_code").exclude(body=WIPED_BODY).exists()


def test_one_consent_one_dossier(client, center):
    client, _member = assisted_client(client, center)
    responses = []
    for _ in range(2):
        draft = start_draft(client)
        client.post(f"/cong-dan/ban-nhap/{draft}/", filled(client, draft))
        key = submit_key(client, draft)
        responses.append(client.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": key}))
    assert responses[0].status_code == 302
    assert "Mỗi hồ sơ cần một lần đồng ý" in responses[1].content.decode()
    assert list(Dossier.objects.values_list("submitted_by", flat=True)) == ["assist:tocns_lan"]
