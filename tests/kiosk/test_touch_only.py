"""Issue 14, the kiosk an 80-year-old finishes alone: the server's side of it.

Defaults instead of typing, the card reused for the parent who applies, names checked as
names, errors that say whose field, the legal source behind a toggle, the idle wipe on every
kiosk view, and the kiosk without a printer (QR on screen, the link by SMS or e-mail).
"""

from __future__ import annotations

import re
import time

import pytest

from motcua.dossiers.models import Dossier
from motcua.kiosk.models import KioskDevice
from motcua.notices.models import Notice
from motcua.notices.states import NoticeChannel, NoticeKind

from .conftest import QR_PAYLOAD
from .test_flow import BIRTH, birth_form_data

pytestmark = pytest.mark.django_db

FORM_URL = f"/kiosk/to-khai/{BIRTH}/"
CARD_ID = "025190012345"


def scanned(client):
    client.post("/kiosk/the/", {"scan": QR_PAYLOAD})
    return client


def only_what_a_mother_touches(client, **overrides):
    """What the page posts when the mother touches only "Mẹ", the child's fields, the father's
    name and birth date and the pledge: the rest is what the page itself filled in."""
    page = client.get(FORM_URL)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    for name in list(data):
        if name.startswith("mother_") and name in ("mother_full_name", "mother_id_number"):
            data.pop(name)
    data.update(
        {
            "requester_relationship": "Mẹ",
            "child_full_name": "Trần Minh An",
            "child_birth_date": "10/11/2026",
            "child_sex": "Nam",
            "father_full_name": "Trần Văn Hùng",
            "father_birth_date": "12/05/1988",
            "pledge": "on",
        }
    )
    data.update(overrides)
    return data


def submit(client, data) -> Dossier:
    response = client.post(FORM_URL, data)
    assert response.status_code == 302, response.context["form"].errors
    key = client.get("/kiosk/xac-nhan/").context["submit_key"]
    client.post("/kiosk/xac-nhan/", {"submit_key": key})
    return Dossier.objects.get()


class TestDefaults:
    def test_the_form_opens_filled_with_what_most_people_would_type(self, kiosk_client):
        form = scanned(kiosk_client).get(FORM_URL).context["form"]
        for name in ("child_ethnicity", "mother_ethnicity", "father_ethnicity"):
            assert form[name].value() == "Kinh"
        for name in ("child_nationality", "mother_nationality", "father_nationality"):
            assert form[name].value() == "Việt Nam"
        center = kiosk_client.get(FORM_URL).context["device"].center
        assert form["child_birth_place"].value() == f"{center.commune}, {center.province}"
        # The applicant's address is the parents' by default (editable).
        assert form["father_address"].value() == "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ"

    def test_ethnicity_is_a_pick_list_of_the_54_groups(self, kiosk_client):
        form = scanned(kiosk_client).get(FORM_URL).context["form"]
        choices = [value for value, _label in form.fields["child_ethnicity"].choices if value]
        assert len(choices) == 54 and choices[0] == "Kinh" and "Khơ-me" in choices

    def test_required_papers_come_first_and_are_marked_for_the_counter(self, kiosk_client):
        page = scanned(kiosk_client).get(FORM_URL)
        groups = page.context["form"].document_groups()
        assert groups["required"] and all(row.required for row in groups["required"])
        assert groups["optional"] and not groups["optional_open"]
        for row in groups["required"]:
            if not row.provided_by_form:
                assert row.paper.value() is True
        body = page.content.decode()
        # Optional papers and the copies are folded until asked for.
        assert body.index("Giấy chứng sinh") < body.index("Giấy tờ chỉ cần trong một số")
        assert re.search(r'<details class="ef-more">\s*<summary[^>]*>Đề nghị cấp bản sao', body)

    def test_a_father_left_out_keeps_no_defaults(self, kiosk_client):
        scanned(kiosk_client)
        data = only_what_a_mother_touches(kiosk_client, father_full_name="", father_birth_date="")
        dossier = submit(kiosk_client, data)
        assert dossier.form_data["father_full_name"] == ""
        assert dossier.form_data["father_ethnicity"] is None
        assert dossier.form_data["father_address"] is None
        assert dossier.form_data["mother_ethnicity"] == "Kinh"


class TestCardReusedForTheParentWhoApplies:
    def test_mother_applying_fills_her_section_from_the_card(self, kiosk_client):
        scanned(kiosk_client)
        dossier = submit(kiosk_client, only_what_a_mother_touches(kiosk_client))
        answers = dossier.form_data
        assert answers["mother_full_name"] == "Nguyễn Thị Lan"
        assert answers["mother_id_number"] == CARD_ID
        assert answers["mother_birth_date"] == "1990-03-15"
        assert answers["mother_address"] == "Thôn 1, Xã Hiền Lương, Tỉnh Phú Thọ"
        assert answers["father_full_name"] == "Trần Văn Hùng"
        assert answers["father_ethnicity"] == "Kinh"

    def test_the_card_wins_over_other_values_sent_for_the_applicant(self, kiosk_client):
        scanned(kiosk_client)
        data = only_what_a_mother_touches(kiosk_client, mother_full_name="Người Khác")
        dossier = submit(kiosk_client, data)
        assert dossier.form_data["mother_full_name"] == "Nguyễn Thị Lan"

    def test_the_page_knows_which_fields_follow_the_card(self, kiosk_client):
        body = scanned(kiosk_client).get(FORM_URL).content.decode()
        field = re.search(r'<input[^>]*name="mother_id_number"[^>]*>', body).group(0)
        assert 'data-card-when="requester_relationship"' in field
        assert 'data-card-equals="Mẹ"' in field and f'data-card-value="{CARD_ID}"' in field
        # Not locked before the citizen says who she is.
        assert "readonly" not in field

    def test_a_grandmother_types_the_mother_herself(self, kiosk_client):
        scanned(kiosk_client)
        data = only_what_a_mother_touches(kiosk_client, requester_relationship="Ông hoặc bà")
        response = kiosk_client.post(FORM_URL, data)
        # The mother's name is not taken from the grandmother's card; nothing asks for it
        # (the mother may be unknown), and the section keeps no defaults.
        assert response.status_code == 302
        stored = kiosk_client.session["form"]["data"]
        assert stored["requester_relationship"] == ["Ông hoặc bà"]
        review = kiosk_client.get("/kiosk/xac-nhan/").content.decode()
        assert review.count("Nguyễn Thị Lan") == 2  # applicant on top and in her own section


class TestNamesAreNames:
    @pytest.mark.parametrize("name", ["Trần Minh 2", "An1", "Trần_Minh", "@@"])
    def test_digits_and_signs_are_refused_in_vietnamese(self, kiosk_client, name):
        scanned(kiosk_client)
        response = kiosk_client.post(FORM_URL, birth_form_data(kiosk_client, child_full_name=name))
        assert response.status_code == 400
        errors = response.context["form"].errors["child_full_name"]
        assert errors == ["Họ tên chỉ gồm chữ cái: không có chữ số hay ký hiệu."]
        assert Dossier.objects.count() == 0

    @pytest.mark.parametrize("name", ["Hà Thị Ngọc Ánh", "Hơ-Mông Y", "K'Sor H'Mai"])
    def test_real_names_pass(self, kiosk_client, name):
        scanned(kiosk_client)
        response = kiosk_client.post(FORM_URL, birth_form_data(kiosk_client, child_full_name=name))
        assert response.status_code == 302


class TestErrorsNameThePerson:
    def test_missing_birth_date_of_the_mother_says_so_beside_the_field(self, kiosk_client):
        scanned(kiosk_client)
        data = birth_form_data(
            kiosk_client, requester_relationship="Ông hoặc bà", mother_birth_date=""
        )
        response = kiosk_client.post(FORM_URL, data)
        assert response.status_code == 400
        body = response.content.decode()
        block = re.search(
            r'<div class="ef-error" id="id_mother_birth_date-error".*?</div>', body, re.S
        )
        assert block, "the error is rendered next to the field"
        assert "Ngày, tháng, năm sinh của mẹ:" in block.group(0)
        assert "Đã ghi tên người mẹ thì cần ghi cả mục này." in block.group(0)
        # The legal source is behind the "Căn cứ" toggle, not in the message.
        assert re.search(
            r'<details class="ef-basis"><summary>Căn cứ</summary><p>[^<]*Luật Hộ tịch', body
        )
        assert "(Căn cứ:" not in body
        # The summary at the top names the person too, and links to the field.
        assert 'href="#id_mother_birth_date">Ngày, tháng, năm sinh của mẹ:' in body


class TestKioskWithoutPrinter:
    def _done(self, client) -> str:
        scanned(client)
        submit(client, only_what_a_mother_touches(client))
        return client.get("/kiosk/phieu-hen/").content.decode()

    def test_a_kiosk_with_a_printer_prints_in_the_same_page(self, kiosk_client):
        body = self._done(kiosk_client)
        assert "data-print-slip" in body and 'target="_blank"' not in body
        assert "data-slip-qr" not in body

    def test_the_slip_may_be_framed_by_the_kiosk_page_only(self, kiosk_client):
        body = self._done(kiosk_client)
        url = re.search(r'href="([^"]+kho=80[^"]*)"', body).group(1).replace("&amp;", "&")
        pdf = kiosk_client.get(url)
        assert pdf.status_code == 200
        assert pdf["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in pdf["Content-Security-Policy"]
        # Every other page still refuses to be framed.
        page = kiosk_client.get("/kiosk/phieu-hen/")
        assert page["X-Frame-Options"] == "DENY"

    def test_no_printer_shows_the_qr_and_sends_the_link_by_sms(
        self, kiosk_client, kiosk_device, django_capture_on_commit_callbacks
    ):
        KioskDevice.objects.filter(pk=kiosk_device.pk).update(has_printer=False)
        body = self._done(kiosk_client)
        assert "data-print-slip" not in body
        assert re.search(r"data-slip-qr>\s*<svg", body)
        with django_capture_on_commit_callbacks(execute=False):
            response = kiosk_client.post("/kiosk/phieu-hen/gui/", {"contact": "0912 345 678"})
        assert response.status_code == 200
        assert "09******78" in response.content.decode()
        notice = Notice.objects.get()
        dossier = Dossier.objects.get()
        assert notice.kind == NoticeKind.SLIP_LINK and notice.channel == NoticeChannel.SMS
        assert notice.recipient == "0912345678" and notice.dossier == dossier
        assert f"/ho-so/tra-cuu/{dossier.code}/?t=" in notice.body  # the slip QR link

    def test_an_email_address_gets_a_letter(self, kiosk_client, kiosk_device):
        KioskDevice.objects.filter(pk=kiosk_device.pk).update(has_printer=False)
        self._done(kiosk_client)
        kiosk_client.post("/kiosk/phieu-hen/gui/", {"contact": "lan@example.vn"})
        notice = Notice.objects.get()
        assert notice.channel == NoticeChannel.EMAIL and "Hẹn trả kết quả" in notice.body

    @pytest.mark.parametrize(
        ("contact", "message"),
        [
            ("", "Xin nhập số điện thoại"),
            ("12345", "10 chữ số"),
            ("lan@", "không đúng dạng"),
        ],
    )
    def test_a_wrong_contact_is_refused_beside_the_field(
        self, kiosk_client, kiosk_device, contact, message
    ):
        KioskDevice.objects.filter(pk=kiosk_device.pk).update(has_printer=False)
        self._done(kiosk_client)
        response = kiosk_client.post("/kiosk/phieu-hen/gui/", {"contact": contact})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Notice.objects.exists()

    def test_a_citizen_sends_at_most_three_links(self, kiosk_client, kiosk_device):
        KioskDevice.objects.filter(pk=kiosk_device.pk).update(has_printer=False)
        self._done(kiosk_client)
        for _attempt in range(4):
            response = kiosk_client.post("/kiosk/phieu-hen/gui/", {"contact": "0912345678"})
        assert response.status_code == 400
        assert Notice.objects.count() == 3

    def test_no_link_without_a_dossier_of_this_session(self, kiosk_client):
        scanned(kiosk_client)
        response = kiosk_client.post("/kiosk/phieu-hen/gui/", {"contact": "0912345678"})
        assert response.status_code == 302 and response["Location"] == "/kiosk/"
        assert not Notice.objects.exists()


class TestIdleWipeOnEveryKioskView:
    @pytest.mark.parametrize("path", ["/kiosk/lay-so/", "/kiosk/lich-hen/"])
    def test_a_queue_page_after_the_idle_limit_wipes_the_card(
        self, kiosk_client, kiosk_device, path
    ):
        scanned(kiosk_client)
        session = kiosk_client.session
        session["last_seen"] = time.time() - kiosk_device.idle_seconds - 120
        session.save()
        kiosk_client.get(path)
        assert "card" not in kiosk_client.session

    def test_a_queue_page_in_time_keeps_the_session(self, kiosk_client):
        scanned(kiosk_client)
        kiosk_client.get("/kiosk/lay-so/")
        assert kiosk_client.session["card"]["full_name"] == "Nguyễn Thị Lan"
