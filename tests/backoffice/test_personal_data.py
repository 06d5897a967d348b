"""A provincial viewer oversees; the applicants' personal data is not for them (NĐ 13/2023/NĐ-CP).

They see the procedure, the status and the deadlines, and the applicant only as the masked name
of the public tracking page. The center's own staff still see everything.
"""

from __future__ import annotations

import pytest

from tests.dossiers.conftest import APPLICANT

pytestmark = pytest.mark.django_db

MASKED = "N*** T*** Á*** T"  # Nguyễn Thị Ánh Tuyết
PERSONAL = [
    APPLICANT.name,
    APPLICANT.id_number,
    APPLICANT.phone,
    APPLICANT.email,
    APPLICANT.address,
]


def test_the_dossier_page_masks_the_applicant(client, clock, officers, dossier):
    client.force_login(officers["provincial_viewer"])
    response = client.get(f"/can-bo/ho-so/{dossier.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in PERSONAL:
        assert text not in html, text
    assert MASKED in html
    assert "Nghị định 13/2023/NĐ-CP" in html
    # The declaration (its answers hold the applicant's name) and the printed forms: not shown.
    assert "Nội dung tờ khai" not in html
    assert "data-papers" not in html
    # The document files: no link, and the address itself is refused.
    assert f"/can-bo/ho-so/{dossier.code}/giay-to/2/" not in html
    assert client.get(f"/can-bo/ho-so/{dossier.code}/giay-to/2/").status_code == 404
    # What they oversee is still there.
    assert dossier.code in html and dossier.procedure.name in html


def test_the_inbox_and_search_mask_the_applicant(client, clock, officers, dossier):
    client.force_login(officers["provincial_viewer"])
    html = client.get("/can-bo/").content.decode()
    assert dossier.code in html
    assert APPLICANT.name not in html and MASKED in html
    html = client.post("/can-bo/", {"q": APPLICANT.id_number}).content.decode()
    assert dossier.code in html
    assert APPLICANT.name not in html and MASKED in html


@pytest.mark.parametrize("role", ["reception", "specialist", "leader"])
def test_the_centers_staff_still_see_the_applicant(client, clock, officers, dossier, role):
    client.force_login(officers[role])
    html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    for text in PERSONAL:
        assert text in html, text
    assert MASKED not in html
    html = client.post("/can-bo/", {"q": APPLICANT.id_number}).content.decode()
    assert dossier.code in html and APPLICANT.name in html


def test_the_province_dashboard_has_no_link_to_the_inbox(client, officers, dossier):
    client.force_login(officers["provincial_viewer"])
    response = client.get("/can-bo/bao-cao/tinh/")
    assert response.status_code == 200
    assert "Hồ sơ cần xử lý" not in response.content.decode()
    client.force_login(officers["leader"])
    assert "Hồ sơ cần xử lý" in client.get("/can-bo/bao-cao/").content.decode()


def test_the_printed_forms_are_refused_to_the_provincial_viewer(client, clock, officers, dossier):
    # Phiếu kiểm soát (Mẫu 05) prints the applicant's name and address.
    client.force_login(officers["provincial_viewer"])
    assert client.get(f"/can-bo/ho-so/{dossier.code}/mau/05.pdf").status_code == 404
    client.force_login(officers["reception"])
    assert client.get(f"/can-bo/ho-so/{dossier.code}/mau/05.pdf").status_code == 200
