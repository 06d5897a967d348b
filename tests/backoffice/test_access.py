"""Who may open which back-office page: anonymous, no membership, another center, each role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from motcua.centers.models import StaffMembership
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.states import Role

from .conftest import PASSWORD, make_officer

pytestmark = pytest.mark.django_db

ROLES = ["reception", "specialist", "leader", "center_admin", "provincial_viewer"]


def urls(dossier) -> list[tuple[str, str]]:
    """Every back-office URL that shows or changes a dossier, with its method."""
    base = f"/can-bo/ho-so/{dossier.code}/"
    return [
        ("get", base),
        ("get", f"{base}giay-to/2/"),
        *[("post", f"{base}thao-tac/{action}/") for action in ("assign", "refuse", "withdraw")],
    ]


def call(client, method, url):
    if method == "post":
        return client.post(url, {"seen_seq": 1, "note": "x", "unit_id": "", "user_id": ""})
    return client.get(url)


class TestAnonymous:
    def test_inbox_redirects_to_the_officer_login(self, client, db):
        response = client.get("/can-bo/")
        assert response.status_code == 302
        assert response["Location"] == "/can-bo/dang-nhap/?next=/can-bo/"

    def test_every_dossier_url_redirects_and_writes_nothing(self, client, dossier):
        for method, url in urls(dossier):
            response = call(client, method, url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/can-bo/dang-nhap/?next="), url
        assert DossierEvent.objects.filter(dossier=dossier).count() == 1
        dossier.refresh_from_db()
        assert dossier.status == "received"


class TestLogin:
    def test_login_page_is_vietnamese(self, client, db):
        html = client.get("/can-bo/dang-nhap/").content.decode()
        assert "Đăng nhập dành cho cán bộ" in html
        assert "Tên đăng nhập" in html and "Mật khẩu" in html

    def test_wrong_password_is_refused_in_vietnamese(self, client, officers):
        response = client.post("/can-bo/dang-nhap/", {"username": "tiepnhan", "password": "sai"})
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_login_goes_to_the_inbox_and_logout_ends_the_session(self, client, officers):
        response = client.post("/can-bo/dang-nhap/", {"username": "tiepnhan", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/can-bo/"
        assert client.get("/can-bo/").status_code == 200
        assert client.post("/can-bo/dang-xuat/").status_code == 302
        assert client.get("/can-bo/").status_code == 302

    def test_login_follows_next(self, client, officers, dossier):
        target = f"/can-bo/ho-so/{dossier.code}/"
        response = client.post(
            f"/can-bo/dang-nhap/?next={target}",
            {"username": "tiepnhan", "password": PASSWORD, "next": target},
        )
        assert response["Location"] == target

    def test_session_expires(self, settings):
        assert settings.SESSION_COOKIE_AGE == 8 * 3600
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
        assert settings.LOGIN_URL == "/can-bo/dang-nhap/"


class TestWithoutMembership:
    def test_every_page_is_a_vietnamese_403(self, client, dossier):
        user = get_user_model().objects.create_user("khach", password=PASSWORD)
        client.force_login(user)
        for method, url in [("get", "/can-bo/"), *urls(dossier)]:
            response = call(client, method, url)
            assert response.status_code == 403, url
            assert "chưa được phân công" in response.content.decode()
        assert DossierEvent.objects.filter(dossier=dossier).count() == 1

    def test_inactive_membership_is_no_membership(self, client, center):
        user = make_officer("nghi", "reception", center)
        StaffMembership.objects.filter(user=user).update(is_active=False)
        client.force_login(user)
        assert client.get("/can-bo/").status_code == 403


class TestOtherCenter:
    def test_every_dossier_url_is_404_and_writes_nothing(self, client, dossier, other_center):
        for role in ["reception", "specialist", "leader", "center_admin"]:
            client.force_login(make_officer(f"khac-{role}", role, other_center))
            for method, url in urls(dossier):
                response = call(client, method, url)
                assert response.status_code == 404, (role, url)
                assert dossier.code not in response.content.decode()
        assert DossierEvent.objects.filter(dossier=dossier).count() == 1

    def test_inbox_does_not_list_it(self, client, dossier, other_center):
        client.force_login(make_officer("khac", "reception", other_center))
        html = client.get("/can-bo/").content.decode()
        assert dossier.code not in html and "Nguyễn Thị Ánh Tuyết" not in html

    def test_unknown_code_is_the_same_404(self, client, officers):
        client.force_login(officers["reception"])
        assert client.get("/can-bo/ho-so/000.00.25.H45-250707-9999/").status_code == 404


class TestEachRole:
    @pytest.mark.parametrize("role", ROLES)
    def test_inbox_and_dossier_open(self, client, officers, dossier, role):
        client.force_login(officers[role])
        assert client.get("/can-bo/").status_code == 200
        response = client.get(f"/can-bo/ho-so/{dossier.code}/")
        assert response.status_code == 200
        # A provincial viewer reads the masked name only (tests/backoffice/test_personal_data.py).
        shown = "N*** T*** Á*** T" if role == "provincial_viewer" else "Nguyễn Thị Ánh Tuyết"
        assert shown in response.content.decode()

    def test_document_file_is_served_privately(self, client, officers, dossier):
        client.force_login(officers["specialist"])
        response = client.get(f"/can-bo/ho-so/{dossier.code}/giay-to/2/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 scanned"
        assert "no-store" in response["Cache-Control"]
        assert client.get(f"/can-bo/ho-so/{dossier.code}/giay-to/1/").status_code == 404

    def test_groups_follow_the_membership(self, officers):
        leader = officers["leader"]
        assert [g.name for g in leader.groups.all()] == [str(Role.LEADER.label)]
        admin_group = Group.objects.get(name=str(Role.CENTER_ADMIN.label))
        assert admin_group.permissions.filter(codename="change_staffmembership").exists()


class TestProvincialViewer:
    def test_reads_other_centers_of_the_province(self, client, officers, foreign_dossier):
        client.force_login(officers["provincial_viewer"])
        assert client.get(f"/can-bo/ho-so/{foreign_dossier.code}/").status_code == 200
        assert foreign_dossier.code in client.get("/can-bo/").content.decode()

    def test_not_another_province(self, client, dossier):
        client.force_login(
            make_officer("tinhkhac", "provincial_viewer", None, province="Tỉnh Lào Cai")
        )
        assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404

    def test_cannot_act(self, client, officers, dossier):
        client.force_login(officers["provincial_viewer"])
        response = client.post(
            f"/can-bo/ho-so/{dossier.code}/thao-tac/withdraw/", {"seen_seq": 1, "note": "x"}
        )
        assert response.status_code == 409
        dossier.refresh_from_db()
        assert dossier.status == "received" and dossier.events.count() == 1


class TestMembershipRules:
    def test_viewer_needs_a_province_and_staff_need_a_center(self, center):
        from django.core.exceptions import ValidationError

        user = get_user_model().objects.create_user("x")
        with pytest.raises(ValidationError):
            StaffMembership(user=user, role="provincial_viewer").full_clean()
        with pytest.raises(ValidationError):
            StaffMembership(user=user, role="reception").full_clean()
        other_unit = center.units.first()
        from tests.dossiers.conftest import make_center

        elsewhere = make_center("000.00.27.H45", commune="Xã Khác")
        with pytest.raises(ValidationError):
            StaffMembership(
                user=user, role="specialist", center=elsewhere, unit=other_unit
            ).full_clean()
