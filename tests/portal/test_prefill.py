"""A new online form starts from what the center recorded on the citizen's latest dossier:
her name, birth date and address, editable; never for a self-declared sign-in."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.dossiers.models import Dossier

from .conftest import OTHER_ID, earlier_dossier, sign_in
from .test_submit_online import fields, start_draft

pytestmark = pytest.mark.django_db


class TestRemembered:
    def test_her_name_birth_date_and_address_start_the_form(self, lan, known_citizen):
        Dossier.objects.filter(pk=known_citizen.pk).update(
            applicant_birth_date=date(1990, 3, 15),
            applicant_address="Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
        )
        draft = start_draft(lan)
        page = lan.get(f"/cong-dan/ban-nhap/{draft}/")
        form = page.context["form"]
        assert form["requester_full_name"].value() == "Nguyễn Thị Lan"
        assert form["requester_address"].value() == "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ"
        assert form["requester_birth_date"].value() == date(1990, 3, 15)
        html = page.content.decode()
        assert 'value="15/03/1990"' in html
        # Editable: only the ID number she signed in with is locked.
        assert set(form.locked) == {"requester_id_number"}

    def test_what_she_typed_wins_over_the_records(self, lan, known_citizen):
        draft = start_draft(lan)
        lan.post(
            f"/cong-dan/ban-nhap/{draft}/",
            {"requester_full_name": "Nguyễn Thị Lan Anh", "action": "save"},
        )
        assert fields(lan, draft)["requester_full_name"].value() == "Nguyễn Thị Lan Anh"

    def test_a_self_declared_sign_in_sees_nothing_of_the_records(self, client, center):
        # A number whose dossier recorded no address: the code goes where the visitor says.
        earlier_dossier(center, OTHER_ID, key="binh")
        sign_in(client, OTHER_ID, contact="ai-do@example.vn")
        draft = start_draft(client)
        form = fields(client, draft)
        assert form["requester_full_name"].value() in (None, "")
        assert "Nguyễn Thị Lan" not in client.get(f"/cong-dan/ban-nhap/{draft}/").content.decode()
