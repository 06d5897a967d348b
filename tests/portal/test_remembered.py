"""A blank form starts from her own earlier dossiers, and never from a stranger's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.services import Applicant
from motcua.portal import services, submission
from motcua.portal.session import SignedIn

from .conftest import CITIZEN_ID, submit, vn

pytestmark = pytest.mark.django_db


def stranger_without_number(center) -> None:
    """A walk-in with no ID number (a child's dossier, a foreigner): applicant_id_number is ""."""
    submit(
        center,
        Procedure.objects.get(code="2.000815"),
        key="stranger",
        now=vn(2026, 11, 3, 9, 0),
        applicant=Applicant(name="Trần Văn Lạ", address="Số 9 phố Lạ, Hà Nội"),
    )


class TestRemembered:
    def test_her_own_latest_dossier(self, center):
        submit(
            center,
            Procedure.objects.get(code="2.000815"),
            key="mine",
            now=vn(2026, 11, 2, 9, 0),
            applicant=Applicant(name="Nguyễn Thị Lan", id_number=CITIZEN_ID, address="Thôn 1"),
        )
        citizen = services.sign_in(CITIZEN_ID, now=timezone.now(), assurance="vneid")
        remembered = submission.remembered(SignedIn(citizen, "vneid"))
        assert (remembered["full_name"], remembered["address"]) == ("Nguyễn Thị Lan", "Thôn 1")

    def test_an_unreadable_sealed_number_shows_no_strangers_record(self, center):
        """The portal key rotated (MOTCUA_PORTAL_KEY) while her session lived: her sealed number
        unseals to "". The look-up must not then match every dossier with no ID number and
        prefill a stranger's name and address into her form."""
        stranger_without_number(center)
        citizen = services.sign_in(CITIZEN_ID, now=timezone.now(), assurance="vneid")
        citizen.id_number_sealed = "sealed-under-the-old-key"
        citizen.save(update_fields=["id_number_sealed"])
        assert services.id_number_of(citizen) == ""
        assert submission.remembered(SignedIn(citizen, "vneid")) == {}
