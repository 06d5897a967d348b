"""The kiosk flow over HTTP: card → procedure → form → confirm → slip, and its guards."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.kiosk.models import KioskDevice

from .conftest import QR_PAYLOAD

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"


def birth_form_data(client, **overrides):
    """Valid answers for the birth registration form, with every required paper ticked."""
    page = client.get(f"/kiosk/to-khai/{BIRTH}/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        "requester_relationship": "Mẹ",
        "requester_phone": "0912 345 678",
        "child_full_name": "Nguyễn Minh An",
        "child_birth_date": "10/11/2026",
        "child_sex": form.fields["child_sex"].choices[0][0],
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": "Trạm Y tế xã Hiền Lương, tỉnh Phú Thọ",
        "child_hometown": "Phú Thọ",
        "mother_full_name": "Nguyễn Thị Lan",
        "mother_birth_date": "15/03/1990",
        "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam",
        "mother_address": "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
        "mother_id_number": "025190012345",
        "pledge": "on",
    }
    for name in form.fields:
        if name.endswith("_paper"):
            data[name] = "on"
    data.update(overrides)
    return data


class TestDeviceRegistration:
    def test_unregistered_browser_cannot_use_the_kiosk(self, client, kiosk_device):
        response = client.get("/kiosk/")
        assert response.status_code == 403
        assert "chưa được đăng ký" in response.content.decode()

    def test_wrong_activation_code_is_refused(self, client, kiosk_device):
        kiosk_device.new_activation_code(now=timezone.now())
        kiosk_device.save()
        response = client.post("/kiosk/kich-hoat/", {"code": "00000000"})
        assert response.status_code == 400
        assert "không đúng hoặc đã hết hạn" in response.content.decode()

    def test_code_works_once(self, client, kiosk_device):
        code = kiosk_device.new_activation_code(now=timezone.now())
        kiosk_device.save()
        assert client.post("/kiosk/kich-hoat/", {"code": code}).status_code == 302
        assert client.post("/kiosk/kich-hoat/", {"code": code}).status_code == 400

    def test_deactivated_device_stops_working(self, kiosk_client, kiosk_device):
        assert kiosk_client.get("/kiosk/").status_code == 200
        KioskDevice.objects.filter(pk=kiosk_device.pk).update(is_active=False)
        assert kiosk_client.get("/kiosk/").status_code == 403


class TestIdentify:
    def test_scanned_qr_goes_to_the_procedure_choice(self, kiosk_client):
        response = kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD + "\r\n"})
        assert response.status_code == 302 and response["Location"] == "/kiosk/thu-tuc/"
        page = kiosk_client.get("/kiosk/thu-tuc/").content.decode()
        assert "Nguyễn Thị Lan" in page

    def test_bad_number_gets_a_vietnamese_message_and_stays(self, kiosk_client):
        response = kiosk_client.post("/kiosk/the/", {"scan": "12345"})
        assert response.status_code == 400
        assert "12 chữ số" in response.content.decode()

    def test_choice_needs_a_card_first(self, kiosk_client):
        kiosk_client.get("/kiosk/")
        assert kiosk_client.get("/kiosk/thu-tuc/")["Location"] == "/kiosk/"

    def test_personal_data_never_in_urls(self, kiosk_client):
        response = kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        assert "025190012345" not in response["Location"]


class TestFullFlow:
    def test_birth_registration_from_card_to_slip(self, kiosk_client, kiosk_device):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        page = kiosk_client.get("/kiosk/thu-tuc/", {"q": "khai sinh"})
        assert f"/kiosk/to-khai/{BIRTH}/" in page.content.decode()

        form_page = kiosk_client.get(f"/kiosk/to-khai/{BIRTH}/").content.decode()
        assert "Nguyễn Thị Lan" in form_page  # prefilled from the card
        response = kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", birth_form_data(kiosk_client))
        assert response.status_code == 302, response.context["form"].errors
        review = kiosk_client.get("/kiosk/xac-nhan/")
        key = review.context["submit_key"]
        assert "Nguyễn Minh An" in review.content.decode()

        first = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        assert first["Location"] == "/kiosk/phieu-hen/"
        dossier = Dossier.objects.get()
        assert re.fullmatch(r"000\.00\.25\.H45-\d{6}-0001", dossier.code)
        assert dossier.status == "submitted" and dossier.channel == "kiosk"  # registered
        assert dossier.applicant_name == "Nguyễn Thị Lan"
        assert dossier.form_data["child_full_name"] == "Nguyễn Minh An"
        event = DossierEvent.objects.get(dossier=dossier)
        assert event.action == "receive" and event.actor == f"kiosk:{kiosk_device.pk}"

        done = kiosk_client.get("/kiosk/phieu-hen/").content.decode()
        assert dossier.code in done
        slip_url = re.search(r'href="([^"]+phieu-hen\.pdf\?kho=80[^"]*)"', done).group(1)
        pdf = kiosk_client.get(slip_url.replace("&amp;", "&"))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert dossier.code in text
        assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in text

    def test_double_tap_on_confirm_creates_one_dossier(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", birth_form_data(kiosk_client))
        key = kiosk_client.get("/kiosk/xac-nhan/").context["submit_key"]
        kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        # The second tap arrives after the first finished: the form is gone from the session,
        # it lands on the slip of the first one, and no second dossier exists.
        kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        assert Dossier.objects.count() == 1

    def test_invalid_form_keeps_what_was_typed(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        data = birth_form_data(kiosk_client, child_birth_date="30/02/2026")
        response = kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", data)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Nguyễn Minh An" in body and "Trạm Y tế xã Hiền Lương" in body
        assert Dossier.objects.count() == 0

    def test_locked_card_name_cannot_be_changed(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        data = birth_form_data(kiosk_client, requester_full_name="Người Khác")
        kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", data)
        review = kiosk_client.get("/kiosk/xac-nhan/")
        if review.status_code == 200:
            kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": review.context["submit_key"]})
        assert not Dossier.objects.exclude(applicant_name="Nguyễn Thị Lan").exists()
        assert not Dossier.objects.filter(form_data__requester_full_name="Người Khác").exists()


class TestIdleAndFinish:
    def test_finish_wipes_the_citizen_data(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        kiosk_client.post("/kiosk/ket-thuc/")
        assert "card" not in kiosk_client.session
        assert kiosk_client.get("/kiosk/thu-tuc/")["Location"] == "/kiosk/"

    def test_server_side_idle_limit_wipes_an_abandoned_session(self, kiosk_client, kiosk_device):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        session = kiosk_client.session
        session["last_seen"] = session["last_seen"] - kiosk_device.idle_seconds - 60
        session.save()
        assert kiosk_client.get("/kiosk/thu-tuc/")["Location"] == "/kiosk/"
        assert "card" not in kiosk_client.session


class TestBrowsing:
    def test_tiles_sectors_and_all_procedures(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        page = kiosk_client.get("/kiosk/thu-tuc/").content.decode()
        assert f"/kiosk/to-khai/{BIRTH}/" in page  # a popular tile
        assert "/kiosk/thu-tuc/linh-vuc/ho-tich/" in page
        sector = kiosk_client.get("/kiosk/thu-tuc/linh-vuc/ho-tich/").content.decode()
        assert f"/kiosk/to-khai/{BIRTH}/" in sector
        everything = kiosk_client.get("/kiosk/thu-tuc/tat-ca/")
        assert everything.status_code == 200
        assert len(everything.context["procedures"]) > 300

    def test_generic_form_for_a_procedure_without_a_specific_one(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        page = kiosk_client.get("/kiosk/to-khai/1.012753/")
        assert page.status_code == 200
        assert "Nguyễn Thị Lan" in page.content.decode()

    def test_unknown_procedure_is_a_404(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        assert kiosk_client.get("/kiosk/to-khai/9.999999/").status_code == 404

    def test_choice_screen_links_to_all_procedures(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        page = kiosk_client.get("/kiosk/thu-tuc/").content.decode()
        assert 'href="/kiosk/thu-tuc/tat-ca/"' in page
        assert page.count("<title>") == 1 and "tat-ca" not in page.split("</title>")[0]
