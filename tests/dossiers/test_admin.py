"""The admin shows dossiers read-only, with their documents and event log."""

from __future__ import annotations

import pytest

from .conftest import submit

pytestmark = pytest.mark.urls("tests.dossiers.urls")


class TestDossierAdmin:
    def test_list_with_filters(self, admin_client, center, procedure):
        dossier, _ = submit(center, procedure)
        response = admin_client.get("/admin/dossiers/dossier/", {"status__exact": "received"})
        assert response.status_code == 200
        assert dossier.code in response.content.decode()

    def test_change_page_is_read_only_with_events(self, admin_client, center, procedure):
        dossier, _ = submit(center, procedure)
        response = admin_client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nhật ký hồ sơ" in html or "nhật ký hồ sơ" in html
        assert "kiosk:3" in html
        assert 'name="applicant_name"' not in html
        assert "phieu-hen.pdf?kho=80" in html

    def test_no_add_or_delete(self, admin_client, center, procedure):
        dossier, _ = submit(center, procedure)
        assert admin_client.get("/admin/dossiers/dossier/add/").status_code == 403
        assert admin_client.post(f"/admin/dossiers/dossier/{dossier.pk}/delete/").status_code == 403
        assert (
            admin_client.post(
                f"/admin/dossiers/dossier/{dossier.pk}/change/", {"applicant_name": "X"}
            ).status_code
            == 403
        )
        dossier.refresh_from_db()
        assert dossier.applicant_name != "X"
