"""Submitting online over HTTP: draft, resume, uploads, the store, idempotent submit, KPI."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.dossiers.models import CitizenDocument, Dossier, DossierEvent
from motcua.portal.models import Draft, OnlineSubmission
from motcua.reports import kpi

from .conftest import BIRTH, CITIZEN_ID, OTHER_ID, birth_answers, earlier_dossier, photo, sign_in

pytestmark = pytest.mark.django_db


def start_draft(client) -> str:
    response = client.post(f"/cong-dan/nop-ho-so/{BIRTH}/")
    assert response.status_code == 302
    match = re.match(r"^/cong-dan/ban-nhap/([0-9a-f-]{36})/$", response["Location"])
    assert match
    return match.group(1)


def fields(client, draft):
    page = client.get(f"/cong-dan/ban-nhap/{draft}/")
    assert page.status_code == 200
    return page.context["form"]


def paper_field(form) -> str:
    """The file input of the one required paper the e-form does not fulfil (giấy chứng sinh)."""
    return next(n for n in form.fields if n.endswith("_file"))


def filled(client, draft, **overrides):
    form = fields(client, draft)
    data = birth_answers(form.fields, **overrides)
    data.setdefault(paper_field(form), photo())
    return data


def submit_key(client, draft) -> str:
    page = client.get(f"/cong-dan/ban-nhap/{draft}/xac-nhan/")
    assert page.status_code == 200
    return re.search(r'name="submit_key" value="([0-9a-f]+)"', page.content.decode()).group(1)


def accept(dossier) -> None:
    """Reception checks the registration and receives it."""
    from django.db import transaction

    from motcua.dossiers.actions import ActionRequest, perform

    seq = dossier.events.order_by("-seq").values_list("seq", flat=True).first()
    with transaction.atomic():
        perform(
            dossier.pk,
            ActionRequest(
                action="accept", role="reception", actor="user:7", seen_seq=seq, now=timezone.now()
            ),
        )


class TestChooseAndDraft:
    def test_only_online_procedures_are_offered(self, lan):
        page = lan.get("/cong-dan/nop-ho-so/").content.decode()
        assert "Thủ tục đăng ký khai sinh" in page
        assert "Chứng thực bản sao" not in page  # no online channel in the catalog
        assert lan.post("/cong-dan/nop-ho-so/2.000815/").status_code == 404

    def test_the_id_number_is_prefilled_and_locked(self, lan):
        draft = start_draft(lan)
        form = fields(lan, draft)
        assert form.locked == {"requester_id_number": CITIZEN_ID}

    def test_save_a_draft_and_come_back(self, lan):
        draft = start_draft(lan)
        response = lan.post(
            f"/cong-dan/ban-nhap/{draft}/",
            {"child_full_name": "Nguyễn Minh An", "action": "save"},
        )
        assert response.status_code == 200
        assert "Đã lưu hồ sơ nháp" in response.content.decode()
        lan.post("/cong-dan/dang-xuat/")
        sign_in(lan)
        home = lan.get("/cong-dan/").content.decode()
        assert f"/cong-dan/ban-nhap/{draft}/" in home
        again = lan.get(f"/cong-dan/ban-nhap/{draft}/").content.decode()
        assert 'value="Nguyễn Minh An"' in again

    def test_a_saved_upload_comes_back_with_the_draft(self, lan):
        draft = start_draft(lan)
        form = fields(lan, draft)
        lan.post(
            f"/cong-dan/ban-nhap/{draft}/",
            {paper_field(form): photo("chung-sinh.jpg"), "action": "save"},
        )
        again = lan.get(f"/cong-dan/ban-nhap/{draft}/").content.decode()
        assert "Đã nhận tệp “chung-sinh.jpg”" in again

    def test_another_citizens_draft_is_404(self, client, lan, center):
        draft = start_draft(lan)
        from django.test import Client

        other = Client()
        earlier_dossier(center, OTHER_ID, email="binh@example.vn", key="binh")
        sign_in(other, OTHER_ID)
        assert other.get(f"/cong-dan/ban-nhap/{draft}/").status_code == 404
        assert other.post(f"/cong-dan/ban-nhap/{draft}/xoa/").status_code == 404
        assert Draft.objects.filter(pk=draft).exists()

    def test_expired_draft_is_gone(self, lan):
        draft = start_draft(lan)
        Draft.objects.filter(pk=draft).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert lan.get(f"/cong-dan/ban-nhap/{draft}/").status_code == 404


class TestUploads:
    def test_wrong_type_is_refused_with_a_message(self, lan):
        draft = start_draft(lan)
        data = filled(lan, draft)
        form = fields(lan, draft)
        from django.core.files.uploadedfile import SimpleUploadedFile

        data[paper_field(form)] = SimpleUploadedFile(
            "anh.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"
        )
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", data)
        assert response.status_code == 400
        assert "không phải ảnh chụp (JPEG)" in response.content.decode()
        assert not Dossier.objects.filter(channel="online").exists()

    def test_oversized_file_is_refused(self, lan, settings):
        settings.MOTCUA_UPLOAD_MAX_BYTES = 50_000
        draft = start_draft(lan)
        data = filled(lan, draft)
        data[paper_field(fields(lan, draft))] = photo(content=b"\xff\xd8\xff" + b"0" * 60_000)
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", data)
        assert response.status_code == 400
        assert "quá lớn" in response.content.decode()

    def test_broken_photo_is_refused(self, lan):
        draft = start_draft(lan)
        data = filled(lan, draft)
        data[paper_field(fields(lan, draft))] = photo(content=b"\xff\xd8\xff\xe0garbage")
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", data)
        assert response.status_code == 400
        assert "bị hỏng" in response.content.decode()


class TestSubmit:
    def submit(self, lan):
        draft = start_draft(lan)
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", filled(lan, draft))
        assert response.status_code == 302, response.context["form"].errors
        assert response["Location"] == f"/cong-dan/ban-nhap/{draft}/xac-nhan/"
        key = submit_key(lan, draft)
        return draft, key, lan.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": key})

    def test_end_to_end_the_dossier_waits_for_reception(self, lan):
        draft, _key, response = self.submit(lan)
        dossier = Dossier.objects.get(channel="online")
        assert response["Location"] == f"/cong-dan/ho-so/{dossier.code}/"
        assert dossier.status == "submitted"
        assert dossier.applicant_id_number == CITIZEN_ID
        assert dossier.applicant_name == "Nguyễn Thị Lan"
        assert dossier.submitted_by == "portal"
        event = DossierEvent.objects.get(dossier=dossier)
        assert (event.action, event.to_status) == ("receive", "submitted")
        assert event.data["national_channel"] == 2
        components = {d.name: d for d in dossier.documents.all()}
        assert components["Giấy chứng sinh"].content_type == "image/jpeg"
        assert not components["Giấy chứng sinh"].provided_on_paper
        assert components["Tờ khai đăng ký khai sinh"].content_type == "application/json"
        assert OnlineSubmission.objects.get(dossier=dossier).assurance == "records"
        assert not Draft.objects.filter(pk=draft).exists()
        page = lan.get(response["Location"]).content.decode()
        assert dossier.code in page and "Mới đăng ký" in page
        assert dossier.code in lan.get("/cong-dan/").content.decode()

    def test_the_officer_sees_accept_and_refuse(self, lan):
        from motcua.dossiers.states import Role, available_actions

        self.submit(lan)
        dossier = Dossier.objects.get(channel="online")
        assert {"accept", "refuse"} <= set(available_actions(dossier.status, Role.RECEPTION))

    def test_submitting_twice_gives_one_dossier(self, lan):
        draft, key, first = self.submit(lan)
        again = lan.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": key})
        assert again.status_code == 302 and again["Location"] == first["Location"]
        assert Dossier.objects.filter(channel="online").count() == 1

    def test_a_stale_key_is_refused(self, lan):
        draft = start_draft(lan)
        lan.post(f"/cong-dan/ban-nhap/{draft}/", filled(lan, draft))
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": "0" * 32})
        assert response.status_code == 400
        assert not Dossier.objects.filter(channel="online").exists()

    def test_online_dossiers_move_the_online_index(self, lan):

        today = timezone.localdate()
        before = kpi.compute(today, today, now=timezone.now())
        self.submit(lan)
        dossier = Dossier.objects.get(channel="online")
        # Registered, not yet received: QĐ 766 counts it from reception's check (decision 0007).
        assert kpi.compute(today, today, now=timezone.now()).received == before.received
        accept(dossier)
        after = kpi.compute(today, today, now=timezone.now())
        assert after.received == before.received + 1
        assert after.online == before.online + 1
        # 3.3 (online share): only this dossier was received today. 2.1 (on time) counts it
        # in progress within its time limit.
        assert (after.indices["3.3"].numerator, after.indices["3.3"].denominator) == (1, 1)
        assert after.indices["2.1"].denominator == (before.indices["2.1"].denominator or 0) + 1
        assert after.indices["2.1"].numerator == (before.indices["2.1"].numerator or 0) + 1

    def test_a_paper_from_the_store_is_reused(self, lan, center, known_citizen):
        from motcua.dossiers import documents as store

        kind = store.document_type_key("Giấy chứng sinh")
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        from .conftest import jpeg

        content = jpeg((50, 40))
        name = default_storage.save("kho-du-lieu/giay-chung-sinh.jpg", ContentFile(content))
        import hashlib

        paper = CitizenDocument.objects.create(
            owner_id_number=CITIZEN_ID,
            document_type=kind,
            name="Giấy chứng sinh",
            file=name,
            content_type="image/jpeg",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
        draft = start_draft(lan)
        form = fields(lan, draft)
        document_pk = int(paper_field(form).split("_")[1])
        data = birth_answers(form.fields, **{f"reuse_{document_pk}": str(paper.pk)})
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", data)
        assert response.status_code == 302
        key = submit_key(lan, draft)
        lan.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": key})
        dossier = Dossier.objects.get(channel="online")
        component = dossier.documents.get(name="Giấy chứng sinh")
        assert component.reused_from_id == paper.pk
        assert DossierEvent.objects.filter(dossier=dossier, action="reuse").count() == 1
        today = timezone.localdate()
        # KPI 4.3 counts it once reception has accepted it (decision 0007).
        accept(dossier)
        assert kpi.compute(today, today).reused == 1


class TestCitizenPage:
    def test_another_citizens_dossier_is_404(self, client, lan, center):
        theirs = earlier_dossier(center, OTHER_ID, email="binh@example.vn", key="binh")
        assert lan.get(f"/cong-dan/ho-so/{theirs.code}/").status_code == 404
        mine = Dossier.objects.get(applicant_id_number=CITIZEN_ID)
        assert lan.get(f"/cong-dan/ho-so/{mine.code}/").status_code == 200
        assert theirs.code not in lan.get("/cong-dan/").content.decode()

    def test_another_citizens_paper_is_404(self, lan):
        paper = CitizenDocument.objects.create(
            owner_id_number=OTHER_ID,
            document_type="x",
            name="x",
            file="kho-du-lieu/x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
        assert lan.get(f"/cong-dan/kho/{paper.pk}/").status_code == 404

    def test_a_self_declared_address_does_not_open_earlier_dossiers(self, client, center):
        # A kiosk dossier with no contact: a stranger who knows the number gives their address.
        theirs = earlier_dossier(center, OTHER_ID, key="no-contact")
        sign_in(client, OTHER_ID, contact="ke-gian@example.com")
        page = client.get("/cong-dan/").content.decode()
        assert theirs.code not in page and "địa chỉ tự khai" in page
        assert client.get(f"/cong-dan/ho-so/{theirs.code}/").status_code == 404

    def test_pages_need_sign_in(self, client, center):
        for url in ("/cong-dan/", "/cong-dan/nop-ho-so/", "/cong-dan/kho/1/"):
            assert client.get(url)["Location"] == "/cong-dan/dang-nhap/"

    def test_bad_input_never_500(self, lan):
        lan.raise_request_exception = False
        for url in (
            "/cong-dan/ho-so/%00/",
            "/cong-dan/ho-so/" + "x" * 3000 + "/",
            "/cong-dan/nop-ho-so/?q=" + "a" * 5000,
            "/cong-dan/ban-nhap/00000000-0000-0000-0000-000000000000/",
        ):
            assert lan.get(url).status_code < 500, url
        assert lan.post("/cong-dan/nop-ho-so/%00/").status_code < 500
        draft = start_draft(lan)
        response = lan.post(
            f"/cong-dan/ban-nhap/{draft}/",
            {"child_birth_date": "99/99/9999", "reuse_1": "abc", "doc_1_token": "../../etc"},
        )
        assert response.status_code == 400


class TestPurge:
    def test_expired_drafts_and_their_files_go(self, lan, settings):
        from io import StringIO
        from pathlib import Path

        from django.core.management import call_command

        draft = start_draft(lan)
        form = fields(lan, draft)
        lan.post(f"/cong-dan/ban-nhap/{draft}/", {paper_field(form): photo(), "action": "save"})
        parked = Path(settings.MEDIA_ROOT) / "portal-drafts"
        assert any(parked.iterdir())
        kept = start_draft(lan)
        Draft.objects.filter(pk=draft).update(expires_at=timezone.now() - timedelta(seconds=1))
        out = StringIO()
        call_command("portal_purge", stdout=out)
        assert "Đã xóa 1 hồ sơ nháp" in out.getvalue()
        assert [str(pk) for pk in Draft.objects.values_list("pk", flat=True)] == [kept]
        assert not any(parked.iterdir())


class TestPayFromTheCitizenPage:
    def test_an_unpaid_fee_shows_the_qr_on_the_citizens_dossier(self, lan, center):
        from motcua.payments.models import CollectionAccount

        mine = Dossier.objects.get(applicant_id_number=CITIZEN_ID)
        Dossier.objects.filter(pk=mine.pk).update(fee_vnd=15000)
        page = lan.get(f"/cong-dan/ho-so/{mine.code}/").content.decode()
        assert "data-payment-qr" not in page  # the center has no collection account yet
        CollectionAccount.objects.create(
            center=center, bank_bin="970436", account_number="0011000000001", account_name="UBND"
        )
        page = lan.get(f"/cong-dan/ho-so/{mine.code}/").content.decode()
        assert "data-payment-qr" in page and mine.code in page
        assert 'data-amount="15000"' in page
