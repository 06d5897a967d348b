"""Notices queued with the officer's action, sent after commit, retried, never in the logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import Applicant
from motcua.notices import services
from motcua.notices.models import Notice
from motcua.notices.senders import SendError
from motcua.notices.services import dispatch_pending, format_local, queue_for_event, retry_now
from tests.dossiers.conftest import APPLICANT, submit, vn
from tests.notices.conftest import EMAIL_AND_SMS, act
from tests.notices.fakes import MemorySms

PERSONAL = [APPLICANT.email, APPLICANT.phone, APPLICANT.name, "84912345678"]


class FailingSender:
    channel = "email"
    enabled = True

    def __init__(self, message="Máy chủ thư không trả lời."):
        self.message = message
        self.calls = 0

    def send(self, recipient, subject, body):
        self.calls += 1
        raise SendError(self.message)


class RecordingSender:
    channel = "email"
    enabled = True

    def __init__(self):
        self.sent = []

    def send(self, recipient, subject, body):
        self.sent.append((recipient, subject, body))


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure)
    return dossier


@pytest.mark.django_db
class TestQueueForEvent:
    def test_receipt_queues_one_email_with_code_due_date_and_tracking_url(self, dossier):
        notice = Notice.objects.get(dossier=dossier)
        assert (notice.kind, notice.channel, notice.status) == ("accepted", "email", "pending")
        assert notice.recipient == APPLICANT.email
        assert notice.event == dossier.events.get(seq=1)
        assert notice.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
        assert f"Kính gửi ông/bà {APPLICANT.name}," in notice.body
        assert "đã được tiếp nhận lúc 07/07/2025 09:05" in notice.body
        assert f"Hẹn trả kết quả: {format_local(dossier.due_at)}." in notice.body
        assert format_local(dossier.due_at) == "10/07/2025 09:05"
        assert f"https://motcua.example.gov.vn/ho-so/tra-cuu/{dossier.code}/" in notice.body
        assert notice.next_attempt_at == vn(2025, 7, 7, 9, 5)

    def test_sms_too_when_a_sender_is_configured(self, settings, center, procedure):
        settings.NOTICE_SENDERS = EMAIL_AND_SMS
        dossier, _ = submit(center, procedure)
        sms = Notice.objects.get(dossier=dossier, channel="sms")
        assert sms.recipient == APPLICANT.phone
        assert sms.body.startswith(f"Hồ sơ {dossier.code} đã được tiếp nhận, hẹn trả kết quả")
        assert len(sms.body) < 300

    def test_no_sms_when_no_sms_sender_is_configured(self, settings, center, procedure):
        settings.NOTICE_SENDERS = {**EMAIL_AND_SMS, "sms": "motcua.notices.senders.SmsSender"}
        settings.NOTICE_SMS_URL = ""
        dossier, _ = submit(center, procedure)
        assert list(dossier.notices.values_list("channel", flat=True)) == ["email"]

    def test_nothing_queued_without_contact(self, settings, center, procedure):
        settings.NOTICE_SENDERS = EMAIL_AND_SMS
        dossier, _ = submit(center, procedure, applicant=Applicant(name="Lò Văn Páo"))
        assert not Notice.objects.filter(dossier=dossier).exists()

    def test_no_tracking_url_without_public_address(self, settings, center, procedure):
        settings.MOTCUA_PUBLIC_URL = ""
        dossier, _ = submit(center, procedure)
        assert "Tra cứu" not in dossier.notices.get().body

    def test_rolled_back_receipt_leaves_no_notice(self, center, procedure):
        with pytest.raises(RuntimeError), transaction.atomic():
            submit(center, procedure)
            assert Notice.objects.count() == 1
            raise RuntimeError("the kiosk request failed later")
        assert Notice.objects.count() == 0 and Dossier.objects.count() == 0

    def test_rolled_back_action_leaves_no_notice(self, dossier):
        with pytest.raises(RuntimeError), transaction.atomic():
            act(dossier, "refuse", "reception", at=vn(2025, 7, 7, 10, 0), note="Thiếu tờ khai")
            assert dossier.notices.filter(kind="refused").exists()
            raise RuntimeError("rolled back")
        assert not dossier.notices.filter(kind="refused").exists()
        dossier.refresh_from_db()
        assert dossier.status == "received"

    def test_supplement_request_says_what_to_add(self, dossier):
        act(
            dossier,
            "request_supplement",
            "reception",
            at=vn(2025, 7, 7, 10, 0),
            note="Thiếu giấy chứng sinh bản chính",
        )
        notice = dossier.notices.get(kind="supplement_requested")
        assert notice.subject == f"Hồ sơ {dossier.code} cần bổ sung, hoàn thiện"
        assert "Nội dung cần bổ sung: Thiếu giấy chứng sinh bản chính" in notice.body

    def test_refusal_gives_the_reasons(self, dossier):
        act(
            dossier,
            "refuse",
            "reception",
            at=vn(2025, 7, 7, 10, 0),
            note="Không thuộc thẩm quyền của xã",
        )
        notice = dossier.notices.get(kind="refused")
        assert notice.subject == f"Hồ sơ {dossier.code} không được tiếp nhận"
        assert "Lý do: Không thuộc thẩm quyền của xã" in notice.body

    def test_result_ready_invites_the_citizen(self, dossier):
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=dossier.unit_id)
        act(dossier, "mark_result_ready", "specialist", at=vn(2025, 7, 8, 10, 0))
        notice = dossier.notices.get(kind="result_ready")
        assert notice.subject == f"Hồ sơ {dossier.code} đã có kết quả"
        assert "mời ông/bà đến nhận kết quả" in notice.body
        # Assigning is internal: the citizen hears nothing about it.
        assert dossier.notices.count() == 2

    def test_signature_means_result_ready(self, dossier):
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=dossier.unit_id)
        act(dossier, "submit_for_signature", "specialist", at=vn(2025, 7, 8, 9, 0))
        assert dossier.notices.count() == 1
        act(dossier, "sign", "leader", at=vn(2025, 7, 8, 10, 0))
        assert dossier.notices.filter(kind="result_ready").count() == 1

    def test_reschedule_apologizes_with_the_new_date(self, dossier):
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=dossier.unit_id)
        act(
            dossier,
            "reschedule",
            "specialist",
            at=vn(2025, 7, 9, 10, 0),
            note="Cần xác minh thêm với xã nơi đăng ký thường trú",
            new_due_at=vn(2025, 7, 15, 16, 0),
        )
        notice = dossier.notices.get(kind="apology")
        assert "thành thật xin lỗi ông/bà" in notice.body
        assert "chưa giải quyết xong theo hẹn 10/07/2025 09:05" in notice.body
        assert "Lý do: Cần xác minh thêm với xã nơi đăng ký thường trú" in notice.body
        assert "Thời gian hẹn trả kết quả mới: 15/07/2025 16:00." in notice.body

    def test_queueing_twice_for_one_event_adds_nothing(self, dossier):
        assert queue_for_event(dossier.events.get(seq=1)) == []
        assert dossier.notices.count() == 1

    def test_a_failure_while_queueing_keeps_the_action(self, dossier, monkeypatch, caplog):
        def broken(*args):
            raise ValueError(f"template broke for {APPLICANT.email}")

        monkeypatch.setattr(services, "compose", broken)
        with caplog.at_level(logging.DEBUG):
            event = act(dossier, "refuse", "reception", at=vn(2025, 7, 7, 10, 0), note="Sai mẫu")
        dossier.refresh_from_db()
        assert dossier.status == "not_accepted" and event.pk is not None
        assert not dossier.notices.filter(kind="refused").exists()
        assert "were not queued" in caplog.text
        assert all(value not in caplog.text for value in PERSONAL)


@pytest.mark.django_db
class TestSentAfterCommit:
    def test_receipt_mail_is_sent_after_commit(
        self, center, procedure, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            dossier, _ = submit(center, procedure)
            assert mail.outbox == []
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [APPLICANT.email]
        assert message.from_email == "motcua@xa-hienluong.example.vn"
        assert message.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
        assert "Hẹn trả kết quả: 10/07/2025 09:05." in message.body
        notice = dossier.notices.get()
        assert notice.status == "sent" and notice.attempts == 1 and notice.sent_at is not None

    def test_sms_goes_through_its_sender(
        self, settings, center, procedure, django_capture_on_commit_callbacks
    ):
        settings.NOTICE_SENDERS = EMAIL_AND_SMS
        with django_capture_on_commit_callbacks(execute=True):
            dossier, _ = submit(center, procedure)
        assert [(to, body[:20]) for to, _, body in MemorySms.sent] == [
            (APPLICANT.phone, f"Hồ sơ {dossier.code}"[:20])
        ]
        assert set(dossier.notices.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
class TestFailedSendAfterRealCommit:
    def test_a_refusing_mail_server_never_undoes_the_action(
        self, settings, center, procedure, caplog
    ):
        settings.EMAIL_BACKEND = "tests.notices.fakes.RefusingEmailBackend"
        with caplog.at_level(logging.DEBUG):
            dossier, _ = submit(center, procedure)
            act(
                dossier,
                "refuse",
                "reception",
                at=vn(2025, 7, 7, 10, 0),
                note="Không đúng thẩm quyền",
            )
        dossier.refresh_from_db()
        assert dossier.status == "not_accepted"
        assert list(dossier.events.values_list("action", flat=True)) == ["receive", "refuse"]
        notices = list(dossier.notices.order_by("pk"))
        assert [n.status for n in notices] == ["failed", "failed"]
        assert [n.attempts for n in notices] == [1, 1]
        assert all(n.next_attempt_at > n.created_at for n in notices)
        assert all("SMTPRecipientsRefused" in n.last_error for n in notices)
        assert all(APPLICANT.email not in n.last_error for n in notices)
        assert "attempt 1 failed" in caplog.text
        assert all(value not in caplog.text for value in PERSONAL)


@pytest.mark.django_db
class TestDispatchPending:
    def test_failure_schedules_a_retry_with_backoff(self, dossier):
        now = vn(2025, 7, 7, 9, 6)
        report = dispatch_pending(now=now, senders={"email": FailingSender()})
        assert (report.sent, report.failed) == (0, 1)
        notice = dossier.notices.get()
        assert (notice.status, notice.attempts) == ("failed", 1)
        assert notice.next_attempt_at == now + timedelta(minutes=1)
        assert notice.last_error == "Máy chủ thư không trả lời."

    def test_not_due_yet_is_left_alone(self, dossier):
        sender = FailingSender()
        dispatch_pending(now=vn(2025, 7, 7, 9, 6), senders={"email": sender})
        dispatch_pending(now=vn(2025, 7, 7, 9, 6, 30), senders={"email": sender})
        assert sender.calls == 1

    def test_retries_then_gives_up_after_six_attempts(self, dossier):
        sender = FailingSender()
        now = vn(2025, 7, 7, 9, 6)
        waits = []
        for _ in range(6):
            dispatch_pending(now=now, senders={"email": sender})
            notice = dossier.notices.get()
            waits.append(notice.next_attempt_at - now)
            now = notice.next_attempt_at
        assert (notice.status, notice.attempts, sender.calls) == ("gave_up", 6, 6)
        assert [int(w.total_seconds() // 60) for w in waits[:5]] == [1, 5, 30, 120, 480]
        dispatch_pending(now=now + timedelta(days=2), senders={"email": sender})
        assert sender.calls == 6

    def test_a_retry_that_succeeds_is_sent_once(self, dossier):
        dispatch_pending(now=vn(2025, 7, 7, 9, 6), senders={"email": FailingSender()})
        sender = RecordingSender()
        later = vn(2025, 7, 7, 9, 8)
        assert dispatch_pending(now=later, senders={"email": sender}).sent == 1
        assert dispatch_pending(now=later + timedelta(hours=1), senders={"email": sender}).sent == 0
        notice = dossier.notices.get()
        assert (notice.status, notice.attempts, notice.sent_at, notice.last_error) == (
            "sent",
            2,
            later,
            "",
        )
        assert len(sender.sent) == 1

    def test_only_the_given_ids(self, center, procedure):
        first, _ = submit(center, procedure, key="a")
        second, _ = submit(center, procedure, key="b")
        sender = RecordingSender()
        dispatch_pending(
            [first.notices.get().pk], now=vn(2025, 7, 8, 9, 0), senders={"email": sender}
        )
        assert len(sender.sent) == 1
        assert second.notices.get().status == "pending"

    def test_a_claimed_notice_is_not_sent_by_a_second_worker(self, dossier):
        notice = dossier.notices.get()
        now = vn(2025, 7, 7, 9, 6)
        assert services._claim(notice.pk, now) is not None
        sender = RecordingSender()
        assert dispatch_pending(now=now, senders={"email": sender}).sent == 0
        assert sender.sent == []

    def test_a_dead_workers_claim_expires(self, dossier):
        notice = dossier.notices.get()
        now = vn(2025, 7, 7, 9, 6)
        services._claim(notice.pk, now)
        sender = RecordingSender()
        assert (
            dispatch_pending(now=now + timedelta(minutes=11), senders={"email": sender}).sent == 1
        )

    def test_a_channel_without_sender_fails_visibly(self, dossier):
        dispatch_pending(now=vn(2025, 7, 7, 9, 6), senders={})
        notice = dossier.notices.get()
        assert notice.status == "failed" and "chưa được cấu hình" in notice.last_error

    def test_unexpected_errors_are_scrubbed(self, dossier):
        class Exploding:
            channel = "email"

            def send(self, recipient, subject, body):
                raise RuntimeError(f"cannot deliver to {recipient} or +84 912 345 678")

        dispatch_pending(now=vn(2025, 7, 7, 9, 6), senders={"email": Exploding()})
        error = dossier.notices.get().last_error
        assert error.startswith("RuntimeError: cannot deliver to ***")
        assert APPLICANT.email not in error and "912" not in error


@pytest.mark.django_db
class TestRetryNow:
    def test_gave_up_notice_gets_one_more_try(self, dossier, django_capture_on_commit_callbacks):
        Notice.objects.filter(dossier=dossier).update(status="gave_up", attempts=6)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            assert (
                retry_now(dossier.notices.values_list("pk", flat=True), now=vn(2025, 7, 8, 8, 0))
                == 1
            )
        notice = dossier.notices.get()
        assert (notice.status, notice.attempts) == ("sent", 7)
        assert len(mail.outbox) == 1

    def test_sent_notices_are_not_sent_again(self, dossier):
        Notice.objects.filter(dossier=dossier).update(status="sent")
        assert (
            retry_now(dossier.notices.values_list("pk", flat=True), now=vn(2025, 7, 8, 8, 0)) == 0
        )


def test_event_actions_without_notice_are_ignored():
    assert queue_for_event(DossierEvent(action="assign")) == []
