"""Public tracking page and the protected slip download, through HTTP."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import signing
from django.utils import timezone
from pypdf import PdfReader

from motcua.centers.models import StaffMembership
from motcua.dossiers.services import check_slip_token, slip_token, tracking_token

from .conftest import make_center, submit, vn

# The other apps' routes are still moving; these pages are mounted exactly as in motcua.urls.
pytestmark = pytest.mark.urls("tests.dossiers.urls")


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
    return dossier


def look_up(client, code, digits="2345", **extra):
    return client.post("/ho-so/tra-cuu/", {"ma": code, "so": digits}, **extra)


class TestTrackPage:
    """The dossier as the lookup (code + 4 digits) or the slip's QR shows it."""

    def test_shows_status_dates_and_masked_name(self, client, dossier):
        response = look_up(client, dossier.code)
        assert response.status_code == 200
        html = response.content.decode()
        assert dossier.code in html
        assert "Thủ tục thử: đăng ký kết hôn" in html
        assert "Được tiếp nhận" in html
        assert "07/07/2025" in html
        assert "10/07/2025" in html
        assert "N*** T*** Á*** T" in html
        assert "no-store" in response["Cache-Control"]

    def test_hides_personal_data(self, client, dossier):
        html = look_up(client, dossier.code).content.decode()
        for secret in [
            "Nguyễn",
            "Tuyết",
            "001190012345",
            "Đồng Xuân",
            "0912345678",
            "tuyet@example.vn",
        ]:
            assert secret not in html, secret

    def test_lowercase_code_is_found(self, client, dossier):
        assert look_up(client, dossier.code.lower()).status_code == 200

    def test_unknown_code_is_a_vietnamese_404(self, client, db):
        response = look_up(client, "000.00.25.H45-250707-9999")
        assert response.status_code == 404
        html = response.content.decode()
        assert "Không tìm thấy hồ sơ" in html
        assert "000.00.25.H45-250707-9999" in html

    def test_code_alone_shows_only_the_form(self, client, dossier):
        response = client.get(f"/ho-so/tra-cuu/{dossier.code}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f'value="{dossier.code}"' in html
        assert 'name="so"' in html
        assert "N*** T*** Á*** T" not in html
        assert "Được tiếp nhận" not in html

    def test_post_is_refused(self, client, dossier):
        assert client.post(f"/ho-so/tra-cuu/{dossier.code}/").status_code == 405


class TestTrackSearch:
    def test_form(self, client, db):
        response = client.get("/ho-so/tra-cuu/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="ma"' in html and 'name="so"' in html
        assert 'method="post"' in html and "csrfmiddlewaretoken" in html

    def test_code_in_the_address_prefills_the_form(self, client, db):
        response = client.get("/ho-so/tra-cuu/", {"ma": " 000.00.25.h45-250707-0001 "})
        assert response.status_code == 200
        assert 'value="000.00.25.H45-250707-0001"' in response.content.decode()

    def test_empty_code_shows_the_form_with_a_message(self, client, db):
        response = client.get("/ho-so/tra-cuu/", {"ma": ""})
        assert response.status_code == 200
        assert "Vui lòng nhập mã hồ sơ" in response.content.decode()


class TestSlipToken:
    def test_valid_for_15_minutes(self, dossier):
        now = vn(2025, 7, 7, 9, 6)
        token = slip_token(dossier, now=now)
        assert check_slip_token(token, dossier, now=now + timedelta(minutes=15))
        assert not check_slip_token(token, dossier, now=now + timedelta(minutes=15, seconds=1))

    def test_bound_to_the_dossier(self, center, procedure, dossier):
        other, _ = submit(center, procedure, key="other")
        now = vn(2025, 7, 7, 9, 6)
        assert not check_slip_token(slip_token(dossier, now=now), other, now=now)

    def test_tampered(self, dossier):
        now = vn(2025, 7, 7, 9, 6)
        token = slip_token(dossier, now=now)
        assert not check_slip_token(
            token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), dossier, now=now
        )
        assert not check_slip_token("", dossier, now=now)
        forged = signing.dumps({"c": dossier.code, "e": 2**40}, salt="another-salt")
        assert not check_slip_token(forged, dossier, now=now)


class TestSlipPdf:
    def url(self, dossier, **params):
        from urllib.parse import urlencode

        return f"/ho-so/{dossier.code}/phieu-hen.pdf?{urlencode(params)}"

    def test_refused_without_token(self, client, dossier):
        response = client.get(self.url(dossier))
        assert response.status_code == 404
        html = response.content.decode()
        assert "Không mở được giấy hẹn" in html
        assert "Nguyễn" not in html

    def test_refused_with_a_tampered_token(self, client, dossier):
        token = slip_token(dossier, now=timezone.now())
        response = client.get(self.url(dossier, t=token + "x"))
        assert response.status_code == 404

    def test_refused_with_an_expired_token(self, client, dossier):
        token = slip_token(dossier, now=timezone.now() - timedelta(minutes=16))
        assert client.get(self.url(dossier, t=token)).status_code == 404

    def test_refused_with_another_dossiers_token(self, client, center, procedure, dossier):
        other, _ = submit(center, procedure, key="other")
        token = slip_token(other, now=timezone.now())
        assert client.get(self.url(dossier, t=token)).status_code == 404

    @pytest.mark.parametrize(("kho", "width"), [("a5", 419.53), ("80", 226.77)])
    def test_served_with_a_valid_token(self, client, dossier, kho, width):
        token = slip_token(dossier, now=timezone.now())
        response = client.get(self.url(dossier, t=token, kho=kho))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
        reader = PdfReader(io.BytesIO(response.content))
        assert float(reader.pages[0].mediabox.width) == pytest.approx(width, abs=0.01)
        assert dossier.code in reader.pages[0].extract_text()

    def test_qr_points_to_the_absolute_tracking_url(self, client, dossier, settings, monkeypatch):
        captured = {}

        def fake_render(d, *, layout, tracking_url):
            captured["url"] = tracking_url
            return b"%PDF-"

        monkeypatch.setattr("motcua.dossiers.views.render_slip_pdf", fake_render)
        token = slip_token(dossier, now=timezone.now())
        client.get(self.url(dossier, t=token))
        track = tracking_token(dossier.code)
        assert captured["url"] == f"http://testserver/ho-so/tra-cuu/{dossier.code}/?t={track}"
        settings.MOTCUA_PUBLIC_URL = "https://motcua.phutho.gov.vn/"
        client.get(self.url(dossier, t=token))
        assert (
            captured["url"]
            == f"https://motcua.phutho.gov.vn/ho-so/tra-cuu/{dossier.code}/?t={track}"
        )

    @pytest.mark.parametrize("role", ["reception", "specialist", "leader", "center_admin"])
    def test_served_to_officers_of_the_dossiers_center(self, client, dossier, role):
        officer = User.objects.create_user("canbo", password="x")
        StaffMembership.objects.create(user=officer, center=dossier.center, role=role)
        client.force_login(officer)
        assert client.get(self.url(dossier, kho="80")).status_code == 200

    def test_served_to_a_superuser(self, client, dossier):
        client.force_login(User.objects.create_superuser("it", password="x"))
        assert client.get(self.url(dossier)).status_code == 200

    def test_not_served_to_staff_of_another_center(self, client, dossier):
        other = make_center("000.00.26.H45", commune="Xã Tân Sơn")
        officer = User.objects.create_user("canbo", password="x", is_staff=True)
        StaffMembership.objects.create(user=officer, center=other, role="center_admin")
        client.force_login(officer)
        response = client.get(self.url(dossier))
        assert response.status_code == 404
        assert dossier.applicant_name not in response.content.decode()

    def test_not_served_to_an_inactive_member_or_a_provincial_viewer(self, client, dossier):
        former = User.objects.create_user("cu", password="x")
        StaffMembership.objects.create(
            user=former, center=dossier.center, role="reception", is_active=False
        )
        client.force_login(former)
        assert client.get(self.url(dossier)).status_code == 404
        viewer = User.objects.create_user("tinh", password="x", is_staff=True)
        StaffMembership.objects.create(
            user=viewer, role="provincial_viewer", province=dossier.center.province
        )
        client.force_login(viewer)
        assert client.get(self.url(dossier)).status_code == 404

    def test_not_served_to_a_logged_in_non_staff_user(self, client, dossier):
        client.force_login(User.objects.create_user("congdan", password="x"))
        assert client.get(self.url(dossier)).status_code == 404

    def test_unknown_layout(self, client, dossier):
        token = slip_token(dossier, now=timezone.now())
        assert client.get(self.url(dossier, t=token, kho="a4")).status_code == 400

    def test_unknown_dossier(self, client, db):
        assert client.get("/ho-so/000.00.25.H45-250707-0009/phieu-hen.pdf").status_code == 404

    @pytest.mark.parametrize("params", [{}, {"t": "x"}, {"kho": "a4"}, {"t": "x", "kho": "a4"}])
    def test_an_existing_code_answers_like_an_unknown_one(self, client, dossier, params):
        # Codes are sequential: any difference would let an anonymous visitor count dossiers.
        unknown = dossier.code[:-4] + "9999"
        known = client.get(self.url(dossier, **params))
        missing = client.get(f"/ho-so/{unknown}/phieu-hen.pdf", params)
        assert known.status_code == missing.status_code == 404
        assert "Không mở được giấy hẹn" in known.content.decode()
        assert "Không mở được giấy hẹn" in missing.content.decode()
        assert dossier.applicant_name not in known.content.decode()
