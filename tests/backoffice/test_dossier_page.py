"""The dossier page: applicant, declaration with the form's labels, documents, timeline, buttons."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.states import DossierStatus, available_actions
from tests.dossiers.conftest import make_procedure

from .conftest import submit

pytestmark = pytest.mark.django_db

ROLES = ["reception", "specialist", "leader", "center_admin", "provincial_viewer"]


def action_buttons(html: str) -> list[str]:
    return re.findall(r'<details class="bo-action [^"]*" data-action="([a-z_]+)"', html)


class TestActionsShown:
    @pytest.mark.parametrize("role", ROLES)
    def test_exactly_the_available_actions_in_every_status(
        self, client, clock, officers, dossier, role
    ):
        client.force_login(officers[role])
        for status in DossierStatus.values:
            Dossier.objects.filter(pk=dossier.pk).update(status=status)
            html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
            shown = action_buttons(html)
            assert sorted(shown) == sorted(available_actions(status, role)), (role, status)
            assert len(shown) == len(set(shown))
            for action in available_actions(status, role):
                assert f'action="/can-bo/ho-so/{dossier.code}/thao-tac/{action}/"' in html

    def test_forward_actions_first_and_open_refusals_closed(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert action_buttons(html) == ["assign", "request_supplement", "refuse", "withdraw"]
        assert 'data-action="assign" open>' in html
        assert 'data-action="refuse" open>' not in html

    def test_read_only_role_is_told_so(self, client, clock, officers, dossier):
        client.force_login(officers["center_admin"])
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert "không có thao tác nào ở trạng thái này" in html

    def test_forms_carry_the_last_event_seq(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert '<input type="hidden" name="seen_seq" value="1">' in html


class TestContent:
    def test_declaration_uses_the_form_labels(self, client, clock, officers, center):
        procedure = make_procedure(code="1.001193", name="Thủ tục đăng ký khai sinh")
        dossier, _ = submit(
            center,
            procedure,
            key="ks-1",
            form_data={
                "child_full_name": "Nguyễn Văn Bé",
                "child_birth_date": "2025-06-30",
                "pledge": True,
                "ghi_chu_rieng": "Mang bản chính khi nhận",
            },
        )
        client.force_login(officers["reception"])
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert "Người được khai sinh" in html
        assert "<dt>Họ, chữ đệm, tên</dt><dd>Nguyễn Văn Bé</dd>" in html
        assert "<dd>30/06/2025</dd>" in html
        assert "Thông tin khác" in html and "Mang bản chính khi nhận" in html

    def test_applicant_documents_and_timeline(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        html = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        for text in [
            "Nguyễn Thị Ánh Tuyết",
            "001190012345",
            "0912345678",
            "Giấy xác nhận tình trạng hôn nhân",
            f"/can-bo/ho-so/{dossier.code}/giay-to/2/",
            "Bản giấy",
            "15.000 đồng",
            "Tiếp nhận hồ sơ",  # the receive event
            "Kiosk số 3",
            "09:05 07/07/2025",
        ]:
            assert text in html, text

    def test_lowercase_code_opens(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        assert client.get(f"/can-bo/ho-so/{dossier.code.lower()}/").status_code == 200

    def test_unknown_action_is_404(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        for action in ["fly", "receive"]:
            url = f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/"
            assert client.post(url, {"seen_seq": 1}).status_code == 404

    def test_get_on_an_action_is_refused(self, client, clock, officers, dossier):
        client.force_login(officers["reception"])
        url = f"/can-bo/ho-so/{dossier.code}/thao-tac/assign/"
        assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_dossier_page_offers_papers_documents_and_the_book(client, officers, dossier):
    client.force_login(officers["reception"])
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert f"/can-bo/ho-so/{dossier.code}/mau/05.pdf" in page  # control sheet
    assert "so-hoa/" in page  # each component can be digitized
    inbox = client.get("/can-bo/").content.decode()
    assert "/can-bo/so-theo-doi/?dinh-dang=xlsx" in inbox
