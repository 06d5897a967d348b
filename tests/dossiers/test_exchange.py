"""`motcua dossiers export / import`: the JSON Lines exchange in the portal's vocabulary.

The round trip builds real histories through the services (supplement pause, refusal,
withdrawal, online payment, rating, digitized and reused components, a signed result), exports
them, empties the dossier tables, imports the file and checks that the KPIs, the re-export and
the audit chain come out the same.
"""

from __future__ import annotations

import copy
import io
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from motcua.catalog.models import RequiredDocument
from motcua.centers.models import Center, Unit
from motcua.dossiers import exchange
from motcua.dossiers.actions import ActionRequest, perform
from motcua.dossiers.audit import verify_chains
from motcua.dossiers.documents import digitize_component, reusable_for, reuse_component
from motcua.dossiers.models import (
    CitizenDocument,
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierEvent,
)
from motcua.dossiers.services import SubmittedDocument
from motcua.dossiers.settlement import record_payment, record_rating
from motcua.reports.kpi import BREAKDOWNS, breakdown, compute

from .conftest import DOCUMENTS, submit, vn

pytestmark = pytest.mark.django_db

JULY = (date(2025, 7, 1), date(2025, 7, 31))
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "dossiers.example.jsonl"


# --- Building histories through the services ----------------------------------------------


def act(dossier, action, role, user, *, at, note="", **data):
    dossier.refresh_from_db()
    seq = dossier.events.order_by("-seq").first().seq
    with transaction.atomic():
        return perform(
            dossier.pk,
            ActionRequest(
                action=action,
                role=role,
                actor=f"user:{user.pk}",
                seen_seq=seq,
                now=at,
                note=note,
                data=data,
            ),
        )


@pytest.fixture
def staff(center):
    make = get_user_model().objects.create_user
    return {
        "reception": make("tiepnhan", password="x-Pass-123"),
        "officer": make("hotich", password="x-Pass-123"),
        "leader": make("lanhdao", password="x-Pass-123"),
        "unit": Unit.objects.get(center=center, code="tu-phap-ho-tich"),
    }


@pytest.fixture
def histories(center, procedure, staff):
    """Five dossiers of July 2025 covering every kind of history the exchange carries."""
    reception, officer, leader, unit = (
        staff["reception"],
        staff["officer"],
        staff["leader"],
        staff["unit"],
    )

    # Signed and returned, after one supplement; paid online, rated; one component digitized.
    signed, _ = submit(center, procedure, key="a", now=vn(2025, 7, 7, 9, 5))
    act(signed, "assign", "reception", reception, at=vn(2025, 7, 7, 10, 0), unit_id=unit.pk,
        user_id=officer.pk)  # fmt: skip
    with transaction.atomic():
        scanned = signed.documents.get(position=2)
        digitize_component(scanned, None, actor=f"user:{officer.pk}", now=vn(2025, 7, 7, 10, 30))
    act(signed, "request_supplement", "specialist", officer, at=vn(2025, 7, 8, 9, 0),
        note="Thiếu giấy chứng sinh")  # fmt: skip
    act(signed, "submit_supplement", "reception", reception, at=vn(2025, 7, 9, 9, 0))
    act(signed, "submit_for_signature", "specialist", officer, at=vn(2025, 7, 9, 14, 0))
    act(signed, "sign", "leader", leader, at=vn(2025, 7, 9, 15, 0))
    act(signed, "return_result", "reception", reception, at=vn(2025, 7, 10, 8, 0),
        delivery="at_center")  # fmt: skip
    with transaction.atomic():
        record_payment(signed.pk, method="online_national", amount_vnd=15000,
                       actor=f"user:{reception.pk}", at=vn(2025, 7, 10, 8, 5),
                       reference="GD-0001")  # fmt: skip
        record_rating(signed.pk, rating="very_satisfied", actor="citizen",
                      at=vn(2025, 7, 10, 8, 10))  # fmt: skip

    # Refused at the counter (Mẫu 03).
    refused, _ = submit(center, procedure, key="b", now=vn(2025, 7, 7, 9, 30), channel="counter",
                        actor=f"user:{reception.pk}")  # fmt: skip
    act(refused, "refuse", "reception", reception, at=vn(2025, 7, 7, 9, 40),
        note="Không thuộc thẩm quyền")  # fmt: skip

    # Online, withdrawn by the citizen.
    withdrawn, _ = submit(center, procedure, key="c", now=vn(2025, 7, 8, 10, 0), channel="online",
                          actor="online")  # fmt: skip
    act(withdrawn, "withdraw", "reception", reception, at=vn(2025, 7, 8, 11, 0),
        note="Đơn rút hồ sơ")  # fmt: skip

    # The same applicant again: the certificate comes from the store; paid cash; stopped; the
    # citizen is dissatisfied and complains.
    reused, _ = submit(
        center,
        procedure,
        key="d",
        now=vn(2025, 7, 9, 9, 0),
        documents=[SubmittedDocument(name=DOCUMENTS[1].name, provided_on_paper=True)],
    )
    with transaction.atomic():
        component = reused.documents.get(position=1)
        stored = reusable_for(component, today=date(2025, 7, 9))[0]
        reuse_component(component, stored, actor=f"user:{reception.pk}", now=vn(2025, 7, 9, 9, 10))
        record_payment(reused.pk, method="cash", amount_vnd=15000, actor=f"user:{reception.pk}",
                       at=vn(2025, 7, 9, 9, 20))  # fmt: skip
    act(reused, "assign", "reception", reception, at=vn(2025, 7, 9, 10, 0), unit_id=unit.pk)
    act(reused, "stop", "leader", leader, at=vn(2025, 7, 11, 9, 0), note="Người nộp đã mất")
    with transaction.atomic():
        record_rating(reused.pk, rating="dissatisfied", complaint=True, actor="citizen",
                      at=vn(2025, 7, 11, 10, 0))  # fmt: skip

    # Still waiting for a supplement: the legal clock is stopped.
    paused, _ = submit(center, procedure, key="e", now=vn(2025, 7, 10, 9, 0))
    act(paused, "assign", "reception", reception, at=vn(2025, 7, 10, 9, 30), unit_id=unit.pk)
    act(paused, "request_supplement", "specialist", officer, at=vn(2025, 7, 10, 10, 0),
        note="Thiếu tờ khai")  # fmt: skip

    return {"signed": signed, "refused": refused, "withdrawn": withdrawn, "reused": reused,
            "paused": paused}  # fmt: skip


# --- Helpers ----------------------------------------------------------------------------


def export_text(**filters) -> str:
    out = io.StringIO()
    exchange.export_dossiers(out, **filters)
    return out.getvalue()


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def write(tmp_path, lines: list, name: str = "hoso.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join(
            (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines
        ),
        encoding="utf-8",
    )
    return path


def import_file(path: Path) -> exchange.ImportResult:
    plan = exchange.validate_import(path)
    with transaction.atomic():
        return exchange.apply_import(plan)


def wipe_dossiers() -> None:
    """Empty the dossier tables. The event log refuses deletes, as it should, so SQL it is."""
    apps.get_model("notices", "Notice").objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DossierEvent._meta.db_table}")  # noqa: S608
    DossierDocument.objects.all().delete()
    CitizenDocument.objects.all().delete()
    Dossier.objects.all().delete()
    DossierCounter.objects.all().delete()
    apps.get_model("reports", "KpiCell").objects.all().delete()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Dossier, DossierDocument, DossierEvent, CitizenDocument, DossierCounter)
    }


def kpis() -> dict:
    """Every KPI of the period, overall and by every breakdown (officer, channel, month…)."""
    return {
        "all": compute(*JULY).as_dict(),
        **{
            by: [(row.key, row.label, row.report.as_dict()) for row in breakdown(*JULY, by)]
            for by in BREAKDOWNS
        },
    }


def derived_columns() -> dict:
    return {
        d.code: (d.number, d.clock_paused_at, d.supplement_requests, d.unit_id, d.assignee_id)
        for d in Dossier.objects.all()
    }


def without_file_names(text: str) -> str:
    """The one field that does not survive a round trip: the files stay in the source system."""
    out = []
    for record in records(text):
        for doc in record["TaiLieuNop"]:
            doc["TenTepDinhKem"] = None
        out.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(out)


# --- Round trip ---------------------------------------------------------------------------


class TestRoundTrip:
    def test_round_trip(self, histories, tmp_path):
        before = export_text()
        kpi_before = kpis()
        columns_before = derived_columns()

        wipe_dossiers()
        assert Dossier.objects.count() == 0 and compute(*JULY).received == 0
        result = import_file(write(tmp_path, before.splitlines()))

        assert (result.dossiers, result.reused) == (5, 1)
        assert kpis() == kpi_before
        assert export_text() == without_file_names(before)
        assert derived_columns() == columns_before
        report = verify_chains()
        assert report.broken is None and report.dossiers == 5
        assert (
            report.events == result.events == sum(len(r["QuaTrinhXuLy"]) for r in records(before))
        )

    def test_reused_component_points_at_a_closed_store_entry(self, histories, tmp_path):
        text = export_text()
        wipe_dossiers()
        import_file(write(tmp_path, text.splitlines()))

        component = DossierDocument.objects.get(dossier__code=histories["reused"].code)
        entry = component.reused_from
        assert entry is not None and not entry.file and entry.owner_id_number == "001190012345"
        # Its file stayed in the other system: never offered for a new dossier.
        assert entry.valid_until == date(2025, 7, 9)
        assert reusable_for(component, today=date(2025, 7, 9)) == []
        event = Dossier.objects.get(code=histories["reused"].code).events.get(action="reuse")
        assert event.data["citizen_document_id"] == entry.pk

    def test_officers_and_units_are_names_in_the_file_ids_inside(self, histories, staff, tmp_path):
        text = export_text()
        assert '"user:' not in text and "_user_id" not in text and "_unit_id" not in text
        signed = records(text)[0]
        assign = signed["QuaTrinhXuLy"][1]
        assert assign["NguoiXuLy"] == "username:tiepnhan"
        assert assign["DuLieu"]["to_user"] == "hotich"
        assert assign["DuLieu"]["to_unit"] == "tu-phap-ho-tich"

        wipe_dossiers()
        import_file(write(tmp_path, text.splitlines()))
        event = Dossier.objects.get(code=signed["MaHoSo"]).events.get(seq=2)
        assert event.actor == f"user:{staff['reception'].pk}"
        assert event.data["to_user_id"] == staff["officer"].pk
        assert event.data["to_unit_id"] == staff["unit"].pk

    def test_day_counter_continues_after_the_imported_numbers(
        self, histories, center, procedure, tmp_path
    ):
        text = export_text()
        wipe_dossiers()
        import_file(write(tmp_path, text.splitlines()))
        assert DossierCounter.objects.get(center=center, day=date(2025, 7, 7)).last_number == 2
        dossier, created = submit(center, procedure, key="new", now=vn(2025, 7, 7, 15, 0))
        assert created and dossier.code == "000.00.25.H45-250707-0003"


# --- Export -------------------------------------------------------------------------------


class TestExport:
    def test_one_line_per_dossier_in_receipt_order(self, histories):
        codes = [r["MaHoSo"] for r in records(export_text())]
        assert codes == [
            "000.00.25.H45-250707-0001",
            "000.00.25.H45-250707-0002",
            "000.00.25.H45-250708-0001",
            "000.00.25.H45-250709-0001",
            "000.00.25.H45-250710-0001",
        ]
        assert export_text() == export_text()

    def test_portal_fields_of_a_signed_paid_rated_dossier(self, histories):
        signed = records(export_text())[0]
        assert (signed["KenhThucHien"], signed["HinhThucTiepNhan"]) == (1, "kiosk")
        assert signed["NgayTiepNhan"] == "2025-07-07T09:05:00+07:00"
        # The supplement paused one working day: due a day later than at receipt.
        assert signed["NgayHenTra"] == "2025-07-11T09:05:00+07:00"
        assert signed["NgayKetThucXuLy"] == "2025-07-09T15:00:00+07:00"  # signed: processed
        assert (signed["ThoiGianGiaiQuyet"], signed["DonViTinh"]) == (3, "Ngày làm việc")
        assert signed["DanhSachPhiLePhi"] == [{"Gia": 15000}]
        assert (signed["DuocThanhToanTrucTuyen"], signed["CoKetQuaDienTu"]) == (1, True)
        assert signed["DanhGia"] == {"MucDo": "very_satisfied", "PhanAnh": False}
        assert signed["HoSoCoThanhPhanSoHoa"] is False  # one of two components digitized
        assert [d["DuocSoHoa"] for d in signed["TaiLieuNop"]] == [False, True]
        assert (signed["DonViXuLy"], signed["CanBoXuLy"]) == ("tu-phap-ho-tich", "hotich")

    def test_withdrawn_has_no_end_refused_ends_at_refusal(self, histories):
        by_code = {r["MaHoSo"]: r for r in records(export_text())}
        withdrawn = by_code[histories["withdrawn"].code]
        assert (withdrawn["KenhThucHien"], withdrawn["TrangThaiHoSo"]) == (2, "withdrawn")
        assert withdrawn["NgayKetThucXuLy"] is None
        refused = by_code[histories["refused"].code]
        assert refused["NgayKetThucXuLy"] == "2025-07-07T09:40:00+07:00"
        reused = by_code[histories["reused"].code]
        assert reused["TaiLieuNop"][0]["DuocLayTuKhoDMQG"] is True
        assert reused["HoSoCoThanhPhanSoHoa"] is True and reused["DuocThanhToanTrucTuyen"] == 0
        assert reused["DanhGia"] == {"MucDo": "dissatisfied", "PhanAnh": True}

    def test_filters_by_center_and_receipt_days(self, histories, procedure):
        other = Center.objects.create(
            agency_code="000.00.26.H45", name="TT khác", commune="Xã Khác", province="Tỉnh Phú Thọ"
        )
        submit(other, procedure, key="z", now=vn(2025, 7, 8, 9, 0))
        assert len(export_text().splitlines()) == 6
        assert len(export_text(center="000.00.26.H45").splitlines()) == 1
        days = export_text(date_from=date(2025, 7, 8), date_to=date(2025, 7, 9))
        assert [r["MaHoSo"][-11:] for r in records(days)] == [
            "250708-0001",
            "250708-0001",
            "250709-0001",
        ]

    def test_command_writes_a_private_file(self, histories, tmp_path):
        target = tmp_path / "hoso.jsonl"
        out = io.StringIO()
        call_command("dossiers", "export", "--output", str(target), stdout=out)
        assert "Đã xuất 5 hồ sơ" in out.getvalue()
        assert target.read_text(encoding="utf-8") == export_text()
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        # The command says how many, never who.
        assert "Tuyết" not in out.getvalue()

    def test_command_to_standard_output(self, histories):
        out, err = io.StringIO(), io.StringIO()
        call_command("dossiers", "export", "--output", "-", "--from", "2025-07-10",
                     stdout=out, stderr=err)  # fmt: skip
        assert len(out.getvalue().splitlines()) == 1 and "Đã xuất 1 hồ sơ" in err.getvalue()

    def test_output_is_required_and_center_must_exist(self, histories):
        with pytest.raises(CommandError):
            call_command("dossiers", "export")
        with pytest.raises(CommandError, match="Không có trung tâm"):
            call_command("dossiers", "export", "--output", "-", "--center", "000.00.99.H99")

    @pytest.mark.parametrize(
        ("flag", "value", "words"),
        [
            ("--from", "2026-13-01", "Ngày --from không hợp lệ"),
            ("--to", "9999-12-31", "Ngày --to ngoài khoảng cho phép"),
            ("--from", "0001-01-01", "Ngày --from ngoài khoảng cho phép"),
        ],
    )
    def test_bad_days_are_a_message_not_a_traceback(self, db, tmp_path, capsys, flag, value, words):
        from motcua.dossiers.management.commands.dossiers import Command

        argv = ["motcua", "dossiers", "export", "--output", str(tmp_path / "x.jsonl"), flag, value]
        with pytest.raises(SystemExit) as caught:
            Command().run_from_argv(argv)
        assert caught.value.code == 1
        assert words in capsys.readouterr().err
        assert not (tmp_path / "x.jsonl").exists()


# --- Import from another system: a minimal line, and every fault -------------------------

AGENCY = "000.00.25.H45"


def base_record(number: int = 1) -> dict:
    """A dossier as another system may write it: only the required fields and the history."""
    return {
        "MaHoSo": f"{AGENCY}-250707-{number:04d}",
        "MaCoQuan": AGENCY,
        "MaTTHC": "9.000003",
        "KenhThucHien": 1,
        "HinhThucTiepNhan": "counter",
        "NguoiTiepNhan": "username:tiepnhan",
        "NgayTiepNhan": "2025-07-07T09:05:00+07:00",
        "NgayHenTra": "2025-07-10T09:05:00+07:00",
        "ThoiGianGiaiQuyet": 3,
        "DonViTinh": "Ngày làm việc",
        "DanhSachPhiLePhi": [{"Gia": 15000}],
        "TrangThaiHoSo": "processed",
        "DonViXuLy": "tu-phap-ho-tich",
        "CanBoXuLy": "hotich",
        "ChuHoSo": {"HoTen": "Trần Văn Thử", "SoDinhDanh": "001090000001"},
        "ToKhai": {"PhienBan": 1, "DuLieu": {}},
        "TaiLieuNop": [{"TenGiayTo": "Tờ khai đăng ký kết hôn", "NopBanGiay": True}],
        "QuaTrinhXuLy": [
            {
                "HanhDong": "receive",
                "DenTrangThai": "received",
                "ThoiDiem": "2025-07-07T09:05:00+07:00",
                "NguoiXuLy": "username:tiepnhan",
                "DuLieu": {"due_at": "2025-07-10T09:05:00+07:00"},
            },
            {
                "HanhDong": "assign",
                "TuTrangThai": "received",
                "DenTrangThai": "in_progress",
                "ThoiDiem": "2025-07-07T10:00:00+07:00",
                "NguoiXuLy": "username:tiepnhan",
                "DuLieu": {"to_unit": "tu-phap-ho-tich", "to_user": "hotich"},
            },
            {
                "HanhDong": "mark_result_ready",
                "TuTrangThai": "in_progress",
                "DenTrangThai": "processed",
                "ThoiDiem": "2025-07-08T10:00:00+07:00",
                "NguoiXuLy": "username:hotich",
            },
        ],
    }


def changed(**paths):
    """A mutation of base_record(2): keys are dotted paths ("QuaTrinhXuLy.2.HanhDong")."""

    def mutate(record: dict) -> dict:
        for dotted, value in paths.items():
            *parents, last = dotted.split(".")
            target = record
            for part in parents:
                target = target[int(part)] if part.isdigit() else target[part]
            key = int(last) if last.isdigit() else last
            if value is DELETE:
                del target[key]
            else:
                target[key] = value
        return record

    return mutate


DELETE = object()
PAY = {
    "HanhDong": "pay",
    "TuTrangThai": "processed",
    "DenTrangThai": "processed",
    "ThoiDiem": "2025-07-08T11:00:00+07:00",
    "NguoiXuLy": "username:tiepnhan",
    "DuLieu": {"method": "online_national", "online": 2, "amount_vnd": 15000},
}

# (case id, raw line or mutation of base_record(2), field at fault or "", words of the message)
FAULTS = [
    ("json", '{"MaHoSo": "000.00.25.H45-250707-0002",', "", "JSON không hợp lệ"),
    ("not-an-object", "[1, 2]", "", "phải là một đối tượng JSON"),
    ("missing", changed(MaTTHC=DELETE), "MaTTHC", "thiếu trường bắt buộc"),
    ("unknown-field", changed(MaSo="x"), "MaSo", "không có trong định dạng"),
    ("type", changed(**{"TaiLieuNop.0.NopBanGiay": "có"}), "TaiLieuNop[1].NopBanGiay", "true"),
    ("int-as-text", changed(KenhThucHien="1"), "KenhThucHien", "không hợp lệ"),
    ("no-timezone", changed(NgayTiepNhan="2025-07-07T09:05:00"), "NgayTiepNhan", "múi giờ"),
    ("bad-date", changed(**{"ChuHoSo.NgaySinh": "31/12/1990"}), "ChuHoSo.NgaySinh", "YYYY-MM-DD"),
    ("code-format", changed(MaHoSo="HS-0002"), "MaHoSo", "<mã cơ quan>-<yyMMdd>-<nnnn>"),
    ("code-day", changed(MaHoSo=f"{AGENCY}-250708-0002"), "MaHoSo", "phần ngày phải là 250707"),
    ("id-number", changed(**{"ChuHoSo.SoDinhDanh": "12-34"}), "ChuHoSo.SoDinhDanh", "chữ số"),
    ("status", changed(TrangThaiHoSo="done"), "TrangThaiHoSo", "giá trị không hợp lệ"),
    ("unit-name", changed(DonViTinh="Tháng"), "DonViTinh", "giá trị không hợp lệ"),
    ("channel", changed(KenhThucHien=2), "KenhThucHien", "phải là 1"),
    (
        "unknown-center",
        changed(MaCoQuan="000.00.99.H99", MaHoSo="000.00.99.H99-250707-0002"),
        "MaCoQuan",
        "không có trung tâm mã 000.00.99.H99",
    ),
    ("unknown-procedure", changed(MaTTHC="9.999999"), "MaTTHC", "không có thủ tục mã 9.999999"),
    ("unknown-unit", changed(DonViXuLy="dia-chinh"), "DonViXuLy", "không có đơn vị xử lý"),
    ("unknown-user", changed(CanBoXuLy="nobody"), "CanBoXuLy", "không có tài khoản “nobody”"),
    (
        "internal-user-id",
        changed(**{"QuaTrinhXuLy.1.NguoiXuLy": "user:7"}),
        "QuaTrinhXuLy[2].NguoiXuLy",
        "username:<tên đăng nhập>",
    ),
    (
        "internal-id-in-data",
        changed(**{"QuaTrinhXuLy.1.DuLieu": {"to_user_id": 7}}),
        "QuaTrinhXuLy[2].DuLieu.to_user_id",
        "mã nội bộ",
    ),
    (
        "first-not-receive",
        changed(**{"QuaTrinhXuLy.0.HanhDong": "accept"}),
        "QuaTrinhXuLy[1].HanhDong",
        "tiếp nhận (receive)",
    ),
    (
        "transition",
        changed(**{"QuaTrinhXuLy.2.HanhDong": "sign"}),
        "QuaTrinhXuLy[3].HanhDong",
        "Không thể “Ký duyệt” khi hồ sơ đang ở trạng thái “Đang xử lý”",
    ),
    (
        "from-status",
        changed(**{"QuaTrinhXuLy.2.TuTrangThai": "received"}),
        "QuaTrinhXuLy[3].TuTrangThai",
        "phải là in_progress",
    ),
    (
        "time-order",
        changed(**{"QuaTrinhXuLy.2.ThoiDiem": "2025-07-07T09:59:00+07:00"}),
        "QuaTrinhXuLy[3].ThoiDiem",
        "trước thời điểm của sự kiện liền trước",
    ),
    (
        "receipt-time",
        changed(**{"QuaTrinhXuLy.0.ThoiDiem": "2025-07-07T09:06:00+07:00"}),
        "QuaTrinhXuLy[1].ThoiDiem",
        "trùng NgayTiepNhan",
    ),
    ("last-status", changed(TrangThaiHoSo="returned"), "TrangThaiHoSo", "phải là processed"),
    (
        "end-time",
        changed(NgayKetThucXuLy="2025-07-08T11:00:00+07:00"),
        "NgayKetThucXuLy",
        "2025-07-08T10:00:00+07:00",
    ),
    (
        "online-payment-without-payment",
        changed(DuocThanhToanTrucTuyen=1),
        "DuocThanhToanTrucTuyen",
        "không khớp sự kiện thanh toán",
    ),
    (
        "payment-code",
        lambda record: {**record, "QuaTrinhXuLy": [*record["QuaTrinhXuLy"], PAY]},
        "QuaTrinhXuLy[4].DuLieu.online",
        "phải là 1 với hình thức online_national",
    ),
    (
        "payment-on-a-free-dossier",
        lambda record: {
            **record,
            "DanhSachPhiLePhi": [{"Gia": 0}],
            "QuaTrinhXuLy": [
                *record["QuaTrinhXuLy"],
                {**PAY, "DuLieu": {"method": "online_national", "online": 1, "amount_vnd": 50000}},
            ],
        },
        "DanhSachPhiLePhi",
        "hồ sơ có thanh toán (QuaTrinhXuLy[4]) nhưng không có phí, lệ phí",
    ),
    (
        "payment-without-fee-list",
        lambda record: {
            **record,
            "DanhSachPhiLePhi": [],
            "QuaTrinhXuLy": [
                *record["QuaTrinhXuLy"],
                {**PAY, "DuLieu": {"method": "online_national", "online": 1, "amount_vnd": 50000}},
            ],
        },
        "DanhSachPhiLePhi",
        "không ghi nhận thanh toán cho hồ sơ miễn phí",
    ),
    (
        "reschedule-due-before",
        lambda record: {
            **record,
            "QuaTrinhXuLy": [
                *record["QuaTrinhXuLy"][:2],
                {
                    "HanhDong": "reschedule",
                    "TuTrangThai": "in_progress",
                    "DenTrangThai": "in_progress",
                    "ThoiDiem": "2025-07-07T11:00:00+07:00",
                    "NguoiXuLy": "username:hotich",
                    "NoiDung": "Xin lỗi",
                    "DuLieu": {"due_before": "10/07/2025", "due_after": None},
                },
                record["QuaTrinhXuLy"][2],
            ],
        },
        "QuaTrinhXuLy[3].DuLieu.due_before",
        "ISO 8601 có múi giờ",
    ),
    ("deep-json", "[" * 100_000 + "]" * 100_000, "", "JSON không hợp lệ"),
    (
        "rating-without-event",
        changed(DanhGia={"MucDo": "satisfied", "PhanAnh": False}),
        "DanhGia",
        "không khớp sự kiện đánh giá",
    ),
    (
        "rating-while-open",
        changed(
            TrangThaiHoSo="in_progress",
            **{
                "QuaTrinhXuLy.2": {
                    "HanhDong": "rate",
                    "TuTrangThai": "in_progress",
                    "DenTrangThai": "in_progress",
                    "ThoiDiem": "2025-07-08T10:00:00+07:00",
                    "NguoiXuLy": "citizen",
                    "DuLieu": {"rating": "satisfied", "complaint": False},
                }
            },
        ),
        "QuaTrinhXuLy[3].HanhDong",
        "chưa thể đánh giá",
    ),
    (
        "reuse-without-personal-number",
        changed(
            **{
                "ChuHoSo.SoDinhDanh": "",
                "TaiLieuNop.0": {
                    "TenGiayTo": "Giấy khai sinh",
                    "DuocSoHoa": True,
                    "ThoiDiemSoHoa": "2025-07-07T09:10:00+07:00",
                    "DuocLayTuKhoDMQG": True,
                },
            }
        ),
        "ChuHoSo.SoDinhDanh",
        "12 chữ số",
    ),
    (
        "digitized-without-time",
        changed(**{"TaiLieuNop.0.DuocSoHoa": True}),
        "TaiLieuNop[1].ThoiDiemSoHoa",
        "DuocSoHoa",
    ),
    (
        "catalog-component",
        changed(**{"TaiLieuNop.0.GiayToTheoDanhMuc": "Giấy không có"}),
        "TaiLieuNop[1].GiayToTheoDanhMuc",
        "không có thành phần này",
    ),
    ("duplicate", lambda record: base_record(1), "MaHoSo", "trùng mã hồ sơ ở dòng 1"),
]


def _line(case) -> str:
    if isinstance(case, str):
        return case
    return json.dumps(case(base_record(2)), ensure_ascii=False)


class TestImport:
    def test_a_minimal_line_from_another_system(self, staff, procedure, tmp_path):
        out = io.StringIO()
        call_command("dossiers", "import", str(write(tmp_path, [base_record(1)])), stdout=out)
        assert "Đã nhập 1 hồ sơ, 3 sự kiện, 1 thành phần" in out.getvalue()
        dossier = Dossier.objects.get(code=f"{AGENCY}-250707-0001")
        assert (dossier.status, dossier.channel, dossier.fee_vnd) == ("processed", "counter", 15000)
        assert dossier.assignee == staff["officer"] and dossier.unit == staff["unit"]
        assert dossier.submitted_by == f"user:{staff['reception'].pk}"
        assert dossier.idempotency_key == f"import:{dossier.code}"
        report = compute(*JULY)
        assert (report.received, report.resolved_early) == (1, 1)
        audit = io.StringIO()
        call_command("audit", "verify", stdout=audit)
        assert "Nhật ký toàn vẹn: 3 sự kiện của 1 hồ sơ" in audit.getvalue()

    @pytest.mark.parametrize(
        ("case", "field", "words"), [c[1:] for c in FAULTS], ids=[c[0] for c in FAULTS]
    )
    def test_fault_names_line_and_field_and_changes_nothing(
        self, staff, procedure, tmp_path, case, field, words
    ):
        before = counts()
        path = write(tmp_path, [base_record(1), _line(case), base_record(3)])
        err = io.StringIO()
        with pytest.raises(CommandError, match="không thay đổi"):
            call_command("dossiers", "import", str(path), stderr=err)
        where = f"dòng 2, trường {field}: " if field else "dòng 2: "
        messages = [line for line in err.getvalue().splitlines() if where in line]
        assert messages and any(words in line for line in messages), err.getvalue()
        # Lines 1 and 3 are valid: nothing is reported on them, nothing of them is written.
        assert all(": dòng 2" in line for line in err.getvalue().splitlines())
        assert counts() == before

    def test_a_code_taken_between_check_and_write_changes_nothing(
        self, staff, center, procedure, tmp_path
    ):
        plan = exchange.validate_import(write(tmp_path, [base_record(2), base_record(1)]))
        submit(center, procedure, key="live", now=vn(2025, 7, 7, 9, 0))  # takes -250707-0001
        before = counts()
        with pytest.raises(exchange.ImportConflict), transaction.atomic():
            exchange.apply_import(plan)
        assert counts() == before

    def test_existing_code_is_refused(self, staff, procedure, tmp_path):
        import_file(write(tmp_path, [base_record(1)], "first.jsonl"))
        before = counts()
        with pytest.raises(exchange.DossierFileError) as caught:
            exchange.validate_import(write(tmp_path, [base_record(2), base_record(1)]))
        assert caught.value.problems == [
            "dòng 2, trường MaHoSo: đã có hồ sơ mang mã này trong hệ thống "
            "(nhập lại một hồ sơ không được phép)"
        ]
        assert counts() == before

    def test_every_fault_of_every_line_is_reported(self, staff, procedure, tmp_path):
        lines = [
            changed(MaTTHC=DELETE)(base_record(1)),
            "not json",
            changed(TrangThaiHoSo="returned", CanBoXuLy="nobody")(base_record(3)),
        ]
        with pytest.raises(exchange.DossierFileError) as caught:
            exchange.validate_import(write(tmp_path, lines))
        assert [p.split(":")[0] for p in caught.value.problems] == [
            "dòng 1, trường MaTTHC",
            "dòng 2",
            "dòng 3, trường TrangThaiHoSo",
            "dòng 3, trường CanBoXuLy",
        ]

    def test_personal_data_is_not_echoed_in_errors(self, staff, procedure, tmp_path):
        record = changed(**{"ChuHoSo.SoDinhDanh": "0010900000019999999999"})(base_record(1))
        with pytest.raises(exchange.DossierFileError) as caught:
            exchange.validate_import(write(tmp_path, [record]))
        assert "0010900000019999999999" not in "\n".join(caught.value.problems)

    def test_dry_run_checks_and_writes_nothing(self, staff, procedure, tmp_path):
        before = counts()
        out = io.StringIO()
        path = write(tmp_path, [base_record(1), base_record(2)])
        call_command("dossiers", "import", str(path), "--dry-run", stdout=out)
        assert "Tệp hợp lệ: 2 hồ sơ, 6 sự kiện, 2 thành phần" in out.getvalue()
        assert counts() == before
        with pytest.raises(CommandError):
            call_command(
                "dossiers", "import", str(write(tmp_path, ["{"], "bad.jsonl")), "--dry-run",
                stderr=io.StringIO(),
            )  # fmt: skip

    def test_standard_input(self, staff, procedure, monkeypatch):
        data = (json.dumps(base_record(1), ensure_ascii=False) + "\n").encode("utf-8")
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        call_command("dossiers", "import", "-", stdout=io.StringIO())
        assert Dossier.objects.filter(code=f"{AGENCY}-250707-0001").exists()

    def test_bytes_that_are_not_utf8(self, staff, procedure, tmp_path):
        path = tmp_path / "latin1.jsonl"
        path.write_bytes("Trần".encode("utf-16") + b"\n")
        with pytest.raises(exchange.DossierFileError) as caught:
            exchange.validate_import(path)
        assert caught.value.problems == ["dòng 1: không phải UTF-8 (byte 1)"]

    def test_missing_file_is_told_in_vietnamese(self, staff, procedure, tmp_path):
        err = io.StringIO()
        with pytest.raises(CommandError, match="không thay đổi"):
            call_command("dossiers", "import", str(tmp_path / "khong-co.jsonl"), stderr=err)
        assert "không có tệp này" in err.getvalue()
        assert "No such file" not in err.getvalue()

    def test_without_receive_due_the_first_due_is_before_the_reschedule(
        self, staff, procedure, tmp_path
    ):
        """A file from another system has no DuLieu.due_at: NgayHenTra is the rescheduled time,
        the first reschedule's due_before is the one the receipt set, and lateness is kept."""
        record = base_record(1)
        record["NgayHenTra"] = "2025-07-15T09:05:00+07:00"  # after the reschedule
        record["QuaTrinhXuLy"][0]["DuLieu"] = {}
        record["QuaTrinhXuLy"].insert(
            2,
            {
                "HanhDong": "reschedule",
                "TuTrangThai": "in_progress",
                "DenTrangThai": "in_progress",
                "ThoiDiem": "2025-07-07T11:00:00+07:00",
                "NguoiXuLy": "username:hotich",
                "NoiDung": "Xin lỗi vì chậm",
                "DuLieu": {
                    "due_before": "2025-07-08T09:05:00+07:00",
                    "due_after": "2025-07-15T09:05:00+07:00",
                },
            },
        )
        record["QuaTrinhXuLy"][3]["ThoiDiem"] = "2025-07-09T10:00:00+07:00"  # result after due
        import_file(write(tmp_path, [record]))
        receive = DossierEvent.objects.get(seq=1)
        assert receive.data["due_at"] == "2025-07-08T09:05:00+07:00"
        report = compute(*JULY)
        assert (report.resolved_late, report.resolved_on_time, report.resolved_early) == (1, 0, 0)
        assert verify_chains().broken is None

    def test_without_receive_due_and_without_reschedule_ngayhentra_is_the_due(
        self, staff, procedure, tmp_path
    ):
        record = base_record(1)
        record["QuaTrinhXuLy"][0]["DuLieu"] = {}
        import_file(write(tmp_path, [record]))
        assert DossierEvent.objects.get(seq=1).data["due_at"] == "2025-07-10T09:05:00+07:00"
        assert compute(*JULY).resolved_early == 1

    def test_empty_file_and_blank_lines(self, staff, procedure, tmp_path):
        with pytest.raises(exchange.DossierFileError, match="không có hồ sơ nào"):
            exchange.validate_import(write(tmp_path, ["", "  "]))
        plan = exchange.validate_import(write(tmp_path, ["", base_record(1), ""]))
        assert plan.dossiers == 1


# --- The documented example -----------------------------------------------------------------


@pytest.fixture
def example_center(catalog, settings):
    """What docs/examples/dossiers.example.jsonl points at: a fresh `scripts/run` install, i.e.
    the bundled catalog and the demo center (000.00.25.H45, its units, tiepnhan/hotich/lanhdao)."""
    settings.MOTCUA_DEMO = True  # as scripts/run sets it
    call_command("demo_center", stdout=io.StringIO())
    return Center.objects.get(agency_code="000.00.25.H45")


class TestDocumentedExample:
    def test_example_imports_and_exports_back_byte_for_byte(self, example_center):
        text = EXAMPLE.read_text(encoding="utf-8")
        result = import_file(EXAMPLE)
        assert result.dossiers == len(text.splitlines()) >= 2
        assert export_text() == text
        assert verify_chains().broken is None
        catalog = DossierDocument.objects.filter(required_document__isnull=False)
        assert set(catalog.values_list("required_document__name", flat=True)) <= set(
            RequiredDocument.objects.values_list("name", flat=True)
        )

    def test_example_lines_are_valid_one_by_one(self, example_center):
        for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
            item = exchange.DossierIn.model_validate_json(line)
            assert exchange.check_line(item) == []
            assert copy.deepcopy(item) == item


class TestLargeFile:
    def test_batches_of_a_large_file(self, staff, procedure, center, tmp_path):
        count = exchange.BATCH * 2 + 7
        path = write(tmp_path, [base_record(n) for n in range(1, count + 1)])
        plan = exchange.validate_import(path)
        assert (plan.dossiers, plan.events) == (count, 3 * count)
        with transaction.atomic():
            result = exchange.apply_import(plan)
        assert result.dossiers == Dossier.objects.count() == count
        assert DossierEvent.objects.count() == 3 * count
        assert DossierCounter.objects.get(center=center, day=date(2025, 7, 7)).last_number == count
        assert compute(*JULY).resolved_early == count
        assert verify_chains().broken is None
