"""Defects found in a review of the kiosk flow, each pinned by the test that showed it."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier

from .conftest import QR_PAYLOAD
from .test_flow import BIRTH, birth_form_data

pytestmark = pytest.mark.django_db


def _to_review(client) -> str:
    client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
    response = client.post(f"/kiosk/to-khai/{BIRTH}/", birth_form_data(client))
    assert response.status_code == 302, response.context["form"].errors
    return client.get("/kiosk/xac-nhan/").context["submit_key"]


class TestCardReadingExpiredBetweenSteps:
    def test_form_page_asks_to_scan_again_instead_of_failing(self, kiosk_client, settings):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        settings.IDENTITY_CARD_TOKEN_MAX_AGE = -1
        response = kiosk_client.get(f"/kiosk/to-khai/{BIRTH}/")
        assert response.status_code == 200
        assert "quét lại" in response.content.decode()
        assert "card" not in kiosk_client.session

    def test_form_submission_asks_to_scan_again(self, kiosk_client, settings):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        data = birth_form_data(kiosk_client)
        settings.IDENTITY_CARD_TOKEN_MAX_AGE = -1
        response = kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", data)
        assert response.status_code == 200
        assert "quét lại" in response.content.decode()
        assert Dossier.objects.count() == 0

    def test_confirmation_asks_to_scan_again(self, kiosk_client, settings):
        key = _to_review(kiosk_client)
        settings.IDENTITY_CARD_TOKEN_MAX_AGE = -1
        response = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        assert response.status_code == 200
        assert "quét lại" in response.content.decode()
        assert Dossier.objects.count() == 0


class TestTypedNumberInsteadOfQr:
    """docs/kiosk.md: citizens without a readable card type their 12-digit number. The card
    then gives only the number; the name and address the citizen types are the applicant's."""

    def test_dossier_is_received_with_the_typed_name(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": "025190012345"})
        data = birth_form_data(
            kiosk_client,
            requester_full_name="Nguyễn Thị Lan",
            requester_address="Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ",
            requester_birth_date="15/03/1990",
        )
        assert kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", data).status_code == 302
        key = kiosk_client.get("/kiosk/xac-nhan/").context["submit_key"]
        response = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        assert response.status_code == 302, response.context["errors"]
        dossier = Dossier.objects.get()
        assert dossier.applicant_name == "Nguyễn Thị Lan"
        assert dossier.applicant_id_number == "025190012345"
        assert dossier.applicant_address == "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ"
        assert dossier.applicant_birth_date.isoformat() == "1990-03-15"

    def test_confirmation_shows_the_typed_name(self, kiosk_client):
        kiosk_client.post("/kiosk/the/", {"scan": "025190012345"})
        data = birth_form_data(
            kiosk_client, requester_full_name="Nguyễn Thị Lan", requester_address="Thôn 1"
        )
        kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", data)
        assert kiosk_client.get("/kiosk/xac-nhan/").context["pending"].applicant_name == (
            "Nguyễn Thị Lan"
        )


class TestKioskPagesAreNotCached:
    """After “Xong” the next citizen must not get the previous one's pages back from the
    browser's cache with the Back button (Nghị định 13/2023/NĐ-CP)."""

    @pytest.mark.parametrize("path", ["/kiosk/", "/kiosk/thu-tuc/", f"/kiosk/to-khai/{BIRTH}/"])
    def test_flow_pages_say_no_store(self, kiosk_client, path):
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        response = kiosk_client.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]

    def test_confirmation_and_slip_page_say_no_store(self, kiosk_client):
        key = _to_review(kiosk_client)
        assert "no-store" in kiosk_client.get("/kiosk/xac-nhan/")["Cache-Control"]
        kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        assert "no-store" in kiosk_client.get("/kiosk/phieu-hen/")["Cache-Control"]


class TestRetriedConfirmation:
    """A double tap or a retry after a lost response resends the same key: the citizen must
    land on their slip, not on the procedure choice as if nothing had been received."""

    def test_second_post_of_the_same_key_shows_the_slip(self, kiosk_client):
        key = _to_review(kiosk_client)
        kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        response = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        assert response.status_code == 302 and response["Location"] == "/kiosk/phieu-hen/"
        assert Dossier.objects.count() == 1

    def test_another_key_after_submission_does_not_show_the_slip(self, kiosk_client):
        key = _to_review(kiosk_client)
        kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": key})
        response = kiosk_client.post("/kiosk/xac-nhan/", {"submit_key": "other"})
        assert response["Location"] == "/kiosk/thu-tuc/"


class TestSessionOfAnotherKiosk:
    """The citizen's session belongs to the kiosk that read the card: a session cookie carried
    to another kiosk must not show (or submit) that citizen's data there."""

    def test_other_kiosk_starts_over(self, kiosk_client, demo_center):
        from django.test import Client
        from django.utils import timezone

        from motcua.kiosk.models import KioskDevice

        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        other = KioskDevice.objects.create(center=demo_center, name="Kiosk sảnh 2")
        code = other.new_activation_code(now=timezone.now())
        other.save()
        second = Client()
        assert second.post("/kiosk/kich-hoat/", {"code": code}).status_code == 302
        second.cookies["sessionid"] = kiosk_client.cookies["sessionid"].value

        response = second.get("/kiosk/thu-tuc/")
        assert response.status_code == 302 and response["Location"] == "/kiosk/"
        assert "Nguyễn Thị Lan" not in second.get("/kiosk/").content.decode()


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "JPEG")
    return out.getvalue()


class TestUploadsAreWipedWithTheSession:
    """Scans attached to a form wait on disk until the citizen confirms. “Làm lại từ đầu”,
    “Xong” and the idle wipe must remove them too; nothing else ever deleted them."""

    def test_finish_removes_the_citizens_pending_scans(self, kiosk_client, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.MEDIA_ROOT = tmp_path
        kiosk_client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
        data = birth_form_data(kiosk_client)
        paper = next(name for name in data if name.endswith("_paper"))
        del data[paper]
        data[paper.replace("_paper", "_file")] = SimpleUploadedFile("giay.jpg", _jpeg())
        assert kiosk_client.post(f"/kiosk/to-khai/{BIRTH}/", data).status_code == 302
        pending = tmp_path / "eforms-pending"
        assert any(pending.iterdir())

        kiosk_client.post("/kiosk/ket-thuc/")
        assert not any(pending.iterdir())

    def test_scans_left_by_abandoned_sessions_are_removed(self, kiosk_client, settings, tmp_path):
        import os

        settings.MEDIA_ROOT = tmp_path
        pending = tmp_path / "eforms-pending"
        pending.mkdir()
        token = "0" * 32
        for name in (token, f"{token}.json"):
            (pending / name).write_bytes(b"{}")
            os.utime(pending / name, (0, 0))
        kiosk_client.get("/kiosk/")
        assert not any(pending.iterdir())
