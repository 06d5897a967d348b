"""The admin list (masked recipients, "Gửi lại ngay") and ``motcua notices``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.notices.models import Notice
from motcua.notices.services import queue_message
from motcua.notices.states import NoticeChannel, NoticeKind
from tests.dossiers.conftest import APPLICANT, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure)
    return dossier


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("quantri", password="x-Pass-123")
    client.force_login(user)
    return client


class TestNoticeAdmin:
    def test_list_shows_masked_recipient_status_and_error(self, admin_client, dossier):
        Notice.objects.filter(dossier=dossier).update(
            status="failed", attempts=2, last_error="Máy chủ thư không trả lời."
        )
        response = admin_client.get(reverse("admin:notices_notice_changelist"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "tu***@example.vn" in page and APPLICANT.email not in page
        assert "Gửi lỗi, sẽ thử lại" in page and "Máy chủ thư không trả lời." in page
        assert "Gửi lại ngay" in page

    def test_detail_page_masks_the_recipient(self, admin_client, dossier):
        notice = dossier.notices.get()
        page = admin_client.get(
            reverse("admin:notices_notice_change", args=[notice.pk])
        ).content.decode()
        assert "tu***@example.vn" in page and APPLICANT.email not in page

    def test_send_again_now(self, admin_client, dossier, django_capture_on_commit_callbacks):
        Notice.objects.filter(dossier=dossier).update(status="gave_up", attempts=6)
        notice = dossier.notices.get()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("admin:notices_notice_changelist"),
                {"action": "send_again_now", "_selected_action": [notice.pk]},
                follow=True,
            )
        assert "Đã đưa 1 thông báo vào hàng gửi lại ngay." in response.content.decode()
        notice.refresh_from_db()
        assert notice.status == "sent" and len(mail.outbox) == 1


class TestNoticesCommand:
    def test_send(self, dossier):
        out = StringIO()
        call_command("notices", "send", stdout=out)
        assert "Đã gửi 1" in out.getvalue()
        assert dossier.notices.get().status == "sent" and len(mail.outbox) == 1

    def test_list_failed_masks_recipients(self, dossier, center, procedure):
        submit(center, procedure, key="k-2")
        Notice.objects.filter(dossier=dossier).update(status="failed", last_error="HTTP 503")
        out = StringIO()
        call_command("notices", "list", "--failed", stdout=out)
        lines = out.getvalue().strip().splitlines()
        assert len(lines) == 1
        assert dossier.code in lines[0] and "tu***@example.vn" in lines[0]
        assert APPLICANT.email not in out.getvalue()

    def test_list_shows_a_code_that_belongs_to_no_dossier(self):
        with transaction.atomic():
            queue_message(
                kind=NoticeKind.SIGN_IN_CODE,
                channel=NoticeChannel.EMAIL,
                recipient="dan.vien@example.vn",
                subject="Mã đăng nhập một lần",
                body="Mã đăng nhập là 123456.",
                now=timezone.now(),
            )
        out = StringIO()
        call_command("notices", "list", stdout=out)
        columns = out.getvalue().strip().split("\t")
        assert columns[1] == "–" and columns[2] == NoticeKind.SIGN_IN_CODE
        assert "dan.vien@example.vn" not in out.getvalue()

    def test_list_when_empty(self):
        out = StringIO()
        call_command("notices", "list", "--failed", stdout=out)
        assert "Không có thông báo nào." in out.getvalue()
