"""submit_dossier: numbering, idempotency, the event log, terms, unit, documents, validation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from motcua.dossiers.models import Dossier, DossierEvent, EventLogImmutable
from motcua.dossiers.services import (
    Applicant,
    IdempotencyConflict,
    InvalidSubmission,
    NotAccepting,
    SubmittedDocument,
    dossier_code,
    record_event,
    submit_dossier,
)
from motcua.dossiers.states import Channel, DossierStatus
from motcua.workcalendar.services import OfficeHours, due_at

from .conftest import AGENCY, make_center, make_procedure, submit, vn


class TestDossierCode:
    def test_pads_the_daily_number_to_four_digits(self):
        assert dossier_code(AGENCY, vn(2025, 7, 1).date(), 1) == f"{AGENCY}-250701-0001"

    def test_grows_wider_past_9999(self):
        assert dossier_code(AGENCY, vn(2025, 7, 1).date(), 10000) == f"{AGENCY}-250701-10000"


class TestSubmitDossierNumbering:
    def test_first_and_second_dossier_of_the_day(self, center, procedure):
        first, created = submit(center, procedure, key="a")
        second, _ = submit(center, procedure, key="b", now=vn(2025, 7, 7, 10, 0))
        assert created
        assert first.code == f"{AGENCY}-250707-0001"
        assert second.code == f"{AGENCY}-250707-0002"
        assert (first.number, second.number) == (1, 2)

    def test_next_day_restarts_at_0001(self, center, procedure):
        submit(center, procedure, key="a", now=vn(2025, 7, 7, 16, 0))
        nxt, _ = submit(center, procedure, key="b", now=vn(2025, 7, 8, 7, 45))
        assert nxt.code == f"{AGENCY}-250708-0001"

    def test_the_day_is_the_vietnam_date_not_utc(self, center, procedure):
        # 00:30 on 8 July in Hà Nội is still 7 July in UTC.
        dossier, _ = submit(center, procedure, key="a", now=vn(2025, 7, 8, 0, 30))
        assert dossier.code == f"{AGENCY}-250708-0001"

    def test_each_center_counts_on_its_own(self, center, procedure):
        other = make_center("000.00.26.H45", commune="Xã Đồng Lạc")
        a1, _ = submit(center, procedure, key="a")
        b1, _ = submit(other, procedure, key="a")
        a2, _ = submit(center, procedure, key="b")
        assert a1.code == f"{AGENCY}-250707-0001"
        assert b1.code == "000.00.26.H45-250707-0001"
        assert a2.code == f"{AGENCY}-250707-0002"

    def test_status_channel_and_applicant_are_recorded(self, center, procedure):
        dossier, _ = submit(center, procedure)
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.RECEIVED
        assert dossier.get_status_display() == "Được tiếp nhận"
        assert dossier.channel == Channel.KIOSK
        assert Channel(dossier.channel).national_code == 1
        assert dossier.submitted_by == "kiosk:3"
        assert dossier.applicant_name == "Nguyễn Thị Ánh Tuyết"
        assert dossier.applicant_id_number == "001190012345"
        assert dossier.form_data == {"ho_ten": "Nguyễn Thị Ánh Tuyết"}
        assert dossier.received_at == vn(2025, 7, 7, 9, 5)

    @pytest.mark.django_db(transaction=True)
    def test_requires_the_callers_transaction(self, center, procedure):
        with pytest.raises(RuntimeError):
            submit_dossier(
                center=center,
                procedure=procedure,
                applicant=Applicant(name="A"),
                form_data={},
                form_version=1,
                documents=[],
                channel="kiosk",
                actor="kiosk:1",
                idempotency_key="x",
                now=vn(2025, 7, 7, 9),
            )


class TestChannelCodes:
    @pytest.mark.parametrize(
        ("channel", "national", "catalog"),
        [
            ("kiosk", 1, "direct"),
            ("counter", 1, "direct"),
            ("online", 2, "online"),
            ("postal", 3, "postal"),
        ],
    )
    def test_national_and_catalog_mapping(self, channel, national, catalog):
        assert Channel(channel).national_code == national
        assert Channel(channel).catalog_channel == catalog


class TestSubmitDossierIdempotency:
    def test_same_key_returns_the_first_dossier(self, center, procedure):
        first, created_first = submit(center, procedure, key="tap-1")
        again, created_again = submit(center, procedure, key="tap-1", now=vn(2025, 7, 7, 9, 6))
        assert created_first and not created_again
        assert again.pk == first.pk
        assert Dossier.objects.count() == 1
        assert DossierEvent.objects.count() == 1
        assert first.documents.count() == 2

    def test_retry_does_not_consume_a_number(self, center, procedure):
        submit(center, procedure, key="tap-1")
        submit(center, procedure, key="tap-1")
        nxt, _ = submit(center, procedure, key="tap-2")
        assert nxt.code.endswith("-0002")

    def test_same_key_at_another_center_is_another_dossier(self, center, procedure):
        other = make_center("000.00.26.H45", commune="Xã Đồng Lạc")
        submit(center, procedure, key="same")
        _, created = submit(other, procedure, key="same")
        assert created
        assert Dossier.objects.count() == 2

    def test_same_key_for_another_procedure_is_a_conflict(self, center, procedure):
        submit(center, procedure, key="same")
        other = make_procedure(code="9.000004", name="Thủ tục khác")
        with pytest.raises(IdempotencyConflict) as excinfo:
            submit(center, other, key="same")
        assert excinfo.value.status_code == 409

    def test_missing_key_is_refused(self, center, procedure):
        with pytest.raises(InvalidSubmission):
            submit(center, procedure, key="  ")


class TestEventLog:
    def test_first_event_is_receive_by_the_kiosk(self, center, procedure):
        dossier, _ = submit(center, procedure)
        [event] = dossier.events.all()
        assert (event.seq, event.action, event.from_status, event.to_status) == (
            1,
            "receive",
            "",
            "received",
        )
        assert event.actor == "kiosk:3"
        assert event.at == vn(2025, 7, 7, 9, 5)
        assert event.data["channel"] == "kiosk"
        assert event.data["national_channel"] == 1

    def test_an_event_cannot_be_updated(self, center, procedure):
        dossier, _ = submit(center, procedure)
        event = dossier.events.get()
        event.note = "sửa lại"
        with pytest.raises(EventLogImmutable):
            event.save()
        with pytest.raises(EventLogImmutable):
            DossierEvent.objects.filter(pk=event.pk).update(note="sửa lại")
        event.refresh_from_db()
        assert event.note == ""

    def test_an_event_cannot_be_deleted(self, center, procedure):
        dossier, _ = submit(center, procedure)
        event = dossier.events.get()
        with pytest.raises(EventLogImmutable):
            event.delete()
        with pytest.raises(EventLogImmutable):
            DossierEvent.objects.all().delete()
        assert DossierEvent.objects.count() == 1

    def test_events_are_appended_in_sequence(self, center, procedure):
        dossier, _ = submit(center, procedure)
        with transaction.atomic():
            event = record_event(
                dossier,
                action="transfer",
                from_status="received",
                to_status="in_progress",
                actor="officer:7",
                at=vn(2025, 7, 7, 14, 0),
            )
        assert event.seq == 2
        assert list(dossier.events.values_list("seq", flat=True)) == [1, 2]


class TestDueTime:
    def test_three_working_days_from_the_real_calendar(self, center, procedure):
        # Monday 7/7/2025 09:05 + 3 working days → Thursday 10/7/2025 09:05.
        dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 5))
        assert dossier.due_at == vn(2025, 7, 10, 9, 5)
        assert dossier.due_at == due_at(
            vn(2025, 7, 7, 9, 5), 3, "working_days", hours=OfficeHours.from_center(center)
        )
        assert dossier.time_limit_value == 3
        assert dossier.time_limit_unit == "working_days"

    def test_over_a_weekend(self, center, procedure):
        # Friday 11/7 10:00 + 3 working days → Wednesday 16/7 10:00.
        dossier, _ = submit(center, procedure, now=vn(2025, 7, 11, 10, 0))
        assert dossier.due_at == vn(2025, 7, 16, 10, 0)

    def test_same_day_procedure_after_the_cutoff_moves_to_the_next_working_day(self, center):
        proc = make_procedure(
            code="9.000005",
            name="Chứng thực bản sao",
            channels=[
                {
                    "channel": "direct",
                    "time_value": 0,
                    "time_note": "Trong ngày; nếu tiếp nhận sau 15 giờ thì trong ngày làm việc tiếp theo",
                    "fee_vnd": 2000,
                }
            ],
        )
        before, _ = submit(center, proc, key="a", now=vn(2025, 7, 7, 14, 0))
        after, _ = submit(center, proc, key="b", now=vn(2025, 7, 7, 15, 30))
        assert before.due_at == vn(2025, 7, 7, 17, 0)
        assert after.due_at == vn(2025, 7, 8, 17, 0)

    def test_no_time_limit_leaves_due_at_empty(self, center):
        proc = make_procedure(code="9.000006", channels=[{"channel": "direct", "fee_vnd": 0}])
        dossier, _ = submit(center, proc)
        assert dossier.due_at is None
        assert dossier.time_limit_value is None

    def test_falls_back_to_another_channels_time_limit(self, center):
        proc = make_procedure(
            code="9.000007",
            channels=[
                {"channel": "direct", "fee_vnd": 5000},
                {"channel": "online", "time_value": 2, "fee_vnd": 0},
            ],
        )
        dossier, _ = submit(center, proc, now=vn(2025, 7, 7, 9, 0))
        assert dossier.due_at == vn(2025, 7, 9, 9, 0)
        assert dossier.fee_vnd == 5000

    def test_can_be_replaced_by_a_stub(self, center, procedure, monkeypatch):
        # The calendar is one function: a caller may swap it (e.g. a province's own rules).
        monkeypatch.setattr(
            "motcua.dossiers.services.compute_due_at",
            lambda center, received_at, amount, unit, **kw: received_at + timedelta(days=30),
        )
        dossier, _ = submit(center, procedure, now=vn(2025, 7, 7, 9, 0))
        assert dossier.due_at == vn(2025, 8, 6, 9, 0)


class TestFee:
    def test_fee_of_the_direct_channel_for_a_kiosk(self, center, procedure):
        dossier, _ = submit(center, procedure, channel="kiosk")
        assert dossier.fee_vnd == 15000

    def test_fee_of_the_online_channel(self, center, procedure):
        dossier, _ = submit(center, procedure, channel="online", actor="portal")
        assert dossier.fee_vnd == 0

    def test_unknown_when_the_channel_is_not_listed(self, center, procedure):
        dossier, _ = submit(center, procedure, channel="postal", actor="buu-dien")
        assert dossier.fee_vnd is None
        # The time limit still comes from another channel.
        assert dossier.due_at is not None


class TestUnitAssignment:
    def test_the_unit_handling_the_sector(self, center, procedure):
        dossier, _ = submit(center, procedure)
        assert dossier.unit.code == "tu-phap-ho-tich"
        assert dossier.events.get().data["unit"] == "tu-phap-ho-tich"

    def test_no_unit_configured_for_the_sector(self, center):
        proc = make_procedure(code="9.000008", sector="Đất đai")
        dossier, _ = submit(center, proc)
        assert dossier.unit is None


class TestDocuments:
    def test_files_are_stored_with_hash_and_size(self, center, procedure):
        dossier, _ = submit(center, procedure)
        paper, scan = dossier.documents.order_by("position")
        assert (paper.position, paper.provided_on_paper, paper.file.name) == (1, True, "")
        assert scan.position == 2
        assert scan.file.name == f"ho-so/{dossier.code}/02-xac-nhan.pdf"
        assert default_storage.exists(scan.file.name)
        assert scan.size == len(b"%PDF-1.4 scanned")
        assert scan.sha256 == hashlib.sha256(b"%PDF-1.4 scanned").hexdigest()
        assert scan.content_type == "application/pdf"

    def test_a_path_in_the_filename_is_ignored(self, center, procedure):
        doc = SubmittedDocument(name="Ảnh", content=b"x", filename="../../etc/passwd")
        dossier, _ = submit(center, procedure, documents=[doc])
        assert dossier.documents.get().file.name == f"ho-so/{dossier.code}/01-passwd"

    def test_a_component_with_neither_file_nor_paper_is_refused(self, center, procedure):
        with pytest.raises(InvalidSubmission):
            submit(center, procedure, documents=[SubmittedDocument(name="Tờ khai")])
        assert Dossier.objects.count() == 0


class TestValidation:
    def test_empty_name(self, center, procedure):
        with pytest.raises(InvalidSubmission) as excinfo:
            submit(center, procedure, applicant=Applicant(name="   "))
        assert "họ và tên" in excinfo.value.message

    def test_bad_email(self, center, procedure):
        with pytest.raises(InvalidSubmission):
            submit(center, procedure, applicant=Applicant(name="A", email="khong-phai-email"))

    def test_unknown_channel(self, center, procedure):
        with pytest.raises(InvalidSubmission):
            submit(center, procedure, channel="fax")

    def test_unpublished_procedure(self, center, procedure):
        procedure.status = "draft"
        procedure.save()
        with pytest.raises(NotAccepting) as excinfo:
            submit(center, procedure)
        assert excinfo.value.status_code == 409

    def test_inactive_center(self, center, procedure):
        center.is_active = False
        center.save()
        with pytest.raises(NotAccepting):
            submit(center, procedure)

    def test_naive_now_is_a_programming_error(self, center, procedure):
        with pytest.raises(ValueError):
            submit(center, procedure, now=vn(2025, 7, 7, 9).replace(tzinfo=None))

    def test_names_are_trimmed(self, center, procedure):
        dossier, _ = submit(center, procedure, applicant=Applicant(name="  Lê   Văn  Bình "))
        assert dossier.applicant_name == "Lê Văn Bình"
