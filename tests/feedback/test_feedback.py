"""Feedback (phản ánh, kiến nghị): the public form, deadlines, the officers' queue, notices."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.feedback.models import Feedback, FeedbackEvent
from motcua.feedback.services import deadlines
from motcua.notices.models import Notice
from motcua.workcalendar.services import WorkCalendar
from tests.dossiers.conftest import vn
from tests.security.tenants import make_member

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


PNG = png_bytes()


def form(center, **extra):
    data = {
        "center": center.pk,
        "kind": "complaint",
        "subject": "Cán bộ hẹn sai ngày",
        "body": "Tôi được hẹn trả kết quả ngày thứ Bảy, khi đến thì trung tâm đóng cửa.",
    }
    data.update(extra)
    return data


class TestPublicForm:
    def test_general_feedback_gets_a_reference_deadline_and_status_page(self, client, center):
        response = client.post("/phan-anh/", form(center, contact_email="dan@example.vn"))
        assert response.status_code == 302
        feedback = Feedback.objects.get()
        assert response["Location"] == f"/phan-anh/{feedback.token}/"
        assert feedback.reference.startswith("PAKN-")
        triage, due = deadlines(feedback.received_at, feedback.kind, calendar=WorkCalendar())
        assert (feedback.triage_due_at, feedback.due_at) == (triage, due)
        page = client.get(response["Location"]).content.decode()
        assert feedback.reference in page and "Mới tiếp nhận" in page
        assert "dan@example.vn" not in page  # the contact never shows on the public page
        assert FeedbackEvent.objects.get().action == "receive"
        notice = Notice.objects.get()
        assert (notice.kind, notice.channel, notice.dossier) == ("feedback_received", "email", None)
        assert feedback.reference in notice.body and feedback.token in notice.body

    def test_deadline_counts_working_days(self):
        # Friday 4 July 2025 10:00 + 15 working days (weekends skipped) → Friday 25 July.
        triage, due = deadlines(vn(2025, 7, 4, 10, 0), "complaint", calendar=WorkCalendar())
        assert timezone.localtime(triage).date().isoformat() == "2025-07-08"
        assert timezone.localtime(due).date().isoformat() == "2025-07-25"

    def test_each_kind_takes_its_configured_deadline(self, client, center, settings):
        settings.MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS = {"complaint": 10, "suggestion": 30}
        for kind in ("complaint", "suggestion"):
            assert client.post("/phan-anh/", form(center, kind=kind)).status_code == 302
        calendar = WorkCalendar()
        for feedback in Feedback.objects.all():
            days = {"complaint": 10, "suggestion": 30}[feedback.kind]
            expected = calendar.due_at(feedback.received_at, days, "working_days")
            assert feedback.due_at == expected
        complaint, suggestion = (Feedback.objects.get(kind=k) for k in ("complaint", "suggestion"))
        assert complaint.due_at < suggestion.due_at

    def test_one_number_sets_every_kind_and_a_missing_kind_keeps_the_default(self, settings):
        from motcua.feedback.services import ANSWER_WORKING_DAYS, answer_working_days

        settings.MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS = 12
        assert [answer_working_days(k) for k in ("complaint", "suggestion")] == [12, 12]
        settings.MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS = {"suggestion": 20}
        assert answer_working_days("complaint") == ANSWER_WORKING_DAYS["complaint"]
        assert answer_working_days("suggestion") == 20

    @pytest.mark.parametrize(
        "bad", ["15", 0, 91, -3, True, 1.5, {"khieu_nai": 30}, {"complaint": "mười"}]
    )
    def test_a_bad_setting_is_a_start_up_error(self, settings, bad):
        from motcua.feedback.checks import feedback_deadlines_check

        settings.MOTCUA_FEEDBACK_ANSWER_WORKING_DAYS = bad
        assert [e.id for e in feedback_deadlines_check()] == ["feedback.E001"]

    def test_the_default_setting_passes_the_check(self):
        from motcua.feedback.checks import feedback_deadlines_check

        assert feedback_deadlines_check() == []

    @pytest.mark.parametrize("kind", ["", "khieu_nai", "x" * 500])
    def test_an_unknown_kind_is_refused_and_nothing_saved(self, client, center, kind):
        response = client.post("/phan-anh/", form(center, kind=kind))
        assert response.status_code == 400
        assert not Feedback.objects.exists()

    def test_about_my_dossier_with_the_last_four(self, client, center, dossier):
        data = form(center, dossier_code=dossier.code, last_four="2345")
        assert client.post("/phan-anh/", data).status_code == 302
        assert Feedback.objects.get().dossier == dossier

    def test_another_citizens_dossier_is_refused(self, client, center, dossier):
        response = client.post(
            "/phan-anh/", form(center, dossier_code=dossier.code, last_four="1111")
        )
        assert response.status_code == 400
        assert "không khớp" in response.content.decode()
        assert not Feedback.objects.exists()

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            ({"body": "ngắn"}, "quá ngắn"),
            ({"subject": ""}, "Xin nhập tiêu đề"),
            ({"kind": "spam"}, "phản ánh hoặc kiến nghị"),
            ({"contact_phone": "12345"}, "10 chữ số"),
            ({"contact_email": "a@"}, "thư điện tử không đúng"),
            ({"subject": "Tiêu đề\u202eẩn"}, "không được phép"),
        ],
    )
    def test_bad_input(self, client, center, extra, message):
        response = client.post("/phan-anh/", form(center, **extra))
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Feedback.objects.exists()

    def test_attachment_type_is_sniffed_and_size_checked(self, client, center, settings):
        settings.MOTCUA_UPLOAD_MAX_BYTES = 1000
        fake = SimpleUploadedFile("anh.png", b"<html>not an image</html>", "image/png")
        response = client.post("/phan-anh/", {**form(center), "files": [fake]})
        assert response.status_code == 400 and "không phải ảnh" in response.content.decode()
        big = SimpleUploadedFile("anh.png", PNG + b"\x00" * 2000, "image/png")
        response = client.post("/phan-anh/", {**form(center), "files": [big]})
        assert response.status_code == 400 and "quá lớn" in response.content.decode()
        assert not Feedback.objects.exists()
        good = SimpleUploadedFile("anh.png", PNG, "image/png")
        assert client.post("/phan-anh/", {**form(center), "files": [good]}).status_code == 302
        attachment = Feedback.objects.get().attachments.get()
        assert (attachment.content_type, attachment.size) == ("image/png", len(PNG))
        assert "anh.png" not in attachment.file.name

    def test_rate_limited_per_address(self, client, center):
        statuses = [client.post("/phan-anh/", form(center)).status_code for _ in range(6)]
        assert statuses == [302] * 5 + [429]
        assert Feedback.objects.count() == 5

    def test_unknown_status_token(self, client):
        assert client.get("/phan-anh/khong-co/").status_code == 404


@pytest.fixture
def submitted(client, center):
    client.post("/phan-anh/", form(center, contact_email="dan@example.vn"))
    return Feedback.objects.get()


class TestOfficerQueue:
    def test_assign_answer_close_with_log_and_notice(self, client, center, submitted):
        officer = make_member("tiepnhan", "reception", center)
        handler = make_member("chuyenvien", "specialist", center)
        client.force_login(officer)
        page = client.get("/can-bo/phan-anh/").content.decode()
        assert submitted.reference in page
        base = f"/can-bo/phan-anh/{submitted.reference}"
        assert client.post(f"{base}/assign/", {"assignee": handler.pk}).status_code == 302
        short = client.post(f"{base}/answer/", {"answer": "ok"})
        assert short.status_code == 400 and "ít nhất 10 ký tự" in short.content.decode()
        answer = "Trung tâm đã nhắc nhở cán bộ và sửa lịch hẹn. Xin lỗi ông/bà."
        assert client.post(f"{base}/answer/", {"answer": answer}).status_code == 302
        assert client.post(f"{base}/close/").status_code == 302
        submitted.refresh_from_db()
        assert (submitted.status, submitted.assignee, submitted.answer) == (
            "closed",
            handler,
            answer,
        )
        assert list(submitted.events.values_list("action", flat=True)) == [
            "receive",
            "assign",
            "answer",
            "close",
        ]
        answered = Notice.objects.get(kind="feedback_answered")
        assert "đã trả lời" in answered.body and answered.recipient == "dan@example.vn"
        public = client.get(f"/phan-anh/{submitted.token}/").content.decode()
        assert answer in public and "Đã đóng" in public
        # Closed: no more answers.
        assert client.post(f"{base}/answer/", {"answer": answer + " thêm"}).status_code == 409

    def test_assignee_must_be_of_the_same_center(self, client, center, other_center, submitted):
        officer = make_member("tiepnhan", "reception", center)
        stranger = make_member("canbo_b", "specialist", other_center)
        client.force_login(officer)
        response = client.post(
            f"/can-bo/phan-anh/{submitted.reference}/assign/", {"assignee": stranger.pk}
        )
        assert response.status_code == 400
        submitted.refresh_from_db()
        assert submitted.assignee is None and submitted.status == "new"

    def test_feedback_of_another_center_is_invisible(self, client, other_center, submitted):
        officer_b = make_member("canbo_b", "reception", other_center)
        client.force_login(officer_b)
        assert submitted.reference not in client.get("/can-bo/phan-anh/?tat-ca=1").content.decode()
        base = f"/can-bo/phan-anh/{submitted.reference}"
        assert client.get(f"{base}/").status_code == 404
        assert client.post(f"{base}/close/").status_code == 404
        submitted.refresh_from_db()
        assert submitted.status == "new"

    def test_provincial_viewer_and_digital_team_are_refused(self, client, center, submitted):
        viewer = make_member("tinh", "provincial_viewer", province="Tỉnh Phú Thọ")
        client.force_login(viewer)
        assert client.get("/can-bo/phan-anh/").status_code == 403
        helper = make_member("tocns", "digital_team", center)
        client.force_login(helper)
        assert client.get("/can-bo/phan-anh/").status_code == 403
        assert client.get(f"/can-bo/phan-anh/{submitted.reference}/").status_code == 403
