"""The catalog admin: Vietnamese, and list fields edited as lines."""

import pytest
from django.contrib.auth import get_user_model

from motcua.catalog.models import Procedure


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("quantri-test", "a@example.vn", "x-Pass-123")
    client.force_login(user)
    return client


@pytest.mark.django_db
class TestAdminLanguage:
    def test_login_page_is_vietnamese_even_for_an_english_browser(self, client):
        response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", follow=True)
        body = response.content.decode()
        assert response["Content-Language"] == "vi"
        assert "Mật khẩu" in body

    def test_explicit_choice_of_english_is_respected(self, admin_client):
        # The admin signs in through the officer login (Vietnamese only); its own pages follow
        # the language chosen.
        admin_client.cookies["django_language"] = "en"
        assert "Log out" in admin_client.get("/admin/").content.decode()


@pytest.mark.django_db
class TestProcedureAdminForm:
    def test_change_page_shows_steps_as_lines(self, admin_client, tiny_catalog):
        proc = Procedure.objects.get(code="1.001193")
        body = admin_client.get(f"/admin/catalog/procedure/{proc.pk}/change/").content.decode()
        assert "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công.\nNhận kết quả." in body
        assert "123/2015/NĐ-CP | Nghị định về hộ tịch" in body

    def test_saving_lines_stores_lists(self, admin_client, tiny_catalog):
        proc = Procedure.objects.get(code="1.001193")
        url = f"/admin/catalog/procedure/{proc.pk}/change/"
        form = admin_client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(
            {
                "sector": proc.sector_id,
                "steps": "Bước một\n\n  Bước hai  ",
                "legal_basis": "123/2015/NĐ-CP | Nghị định\n60/2014/QH13",
                "uncertain_fields": "",
                "channels-TOTAL_FORMS": 0,
                "channels-INITIAL_FORMS": 0,
                "documents-TOTAL_FORMS": 0,
                "documents-INITIAL_FORMS": 0,
            }
        )
        data = {k: v for k, v in data.items() if not isinstance(v, list)}
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        proc.refresh_from_db()
        assert proc.steps == ["Bước một", "Bước hai"]
        assert proc.legal_basis == [
            {"code": "123/2015/NĐ-CP", "title": "Nghị định"},
            {"code": "60/2014/QH13", "title": ""},
        ]

    def test_legal_basis_line_without_number_is_rejected(self, admin_client, tiny_catalog):
        proc = Procedure.objects.get(code="1.001193")
        url = f"/admin/catalog/procedure/{proc.pk}/change/"
        response = admin_client.post(url, {"legal_basis": " | chỉ có trích yếu"})
        assert response.status_code == 200
        assert "thiếu số hiệu văn bản" in response.content.decode()
        proc.refresh_from_db()
        assert proc.legal_basis == [{"code": "123/2015/NĐ-CP", "title": "Nghị định về hộ tịch"}]
