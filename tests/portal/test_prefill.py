"""A new online form starts from what the center recorded on the citizen's latest dossier:
her name, birth date and address, editable; never for a self-declared sign-in."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.dossiers.models import Dossier

from .conftest import CITIZEN_ID, OTHER_ID, earlier_dossier, sign_in
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


def _dossier_as(dossier, code: str, answers: dict) -> None:
    """The earlier dossier made a dossier of another procedure, with these e-form answers and
    no applicant address recorded (as a form whose address field is not the card's leaves)."""
    from motcua.catalog.models import Procedure

    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        procedure = Procedure.objects.get(pk=dossier.procedure_id)
        procedure.pk = None
        procedure.code = code
        procedure.save()
    Dossier.objects.filter(pk=dossier.pk).update(
        procedure=procedure, applicant_address="", form_data=answers
    )


class TestRememberedAddressFromAnswers:
    def test_the_address_she_typed_in_an_earlier_form_starts_the_form(self, lan, known_citizen):
        _dossier_as(
            known_citizen,
            "1.000894",
            {
                "wife_id_number": CITIZEN_ID,
                "wife_address": "Xóm Đồng, Xã Hiền Lương, Tỉnh Phú Thọ",
                "husband_id_number": OTHER_ID,
                "husband_address": "Nơi khác",
            },
        )
        form = fields(lan, start_draft(lan))
        assert form["requester_address"].value() == "Xóm Đồng, Xã Hiền Lương, Tỉnh Phú Thọ"
        assert "requester_address" not in form.locked

    def test_the_other_partys_address_is_not_hers(self, lan, known_citizen):
        _dossier_as(
            known_citizen,
            "1.000894",
            {"husband_id_number": CITIZEN_ID, "wife_id_number": OTHER_ID, "wife_address": "X"},
        )
        assert fields(lan, start_draft(lan))["requester_address"].value() in (None, "")

    def test_a_self_declared_sign_in_gets_no_address_from_answers(self, client, center):
        earlier = earlier_dossier(center, OTHER_ID, key="binh")
        _dossier_as(
            earlier, "1.000894", {"wife_id_number": OTHER_ID, "wife_address": "Thôn 2, Xã A"}
        )
        sign_in(client, OTHER_ID, contact="ai-do@example.vn")
        draft = start_draft(client)
        assert fields(client, draft)["requester_address"].value() in (None, "")
        assert "Thôn 2, Xã A" not in client.get(f"/cong-dan/ban-nhap/{draft}/").content.decode()
