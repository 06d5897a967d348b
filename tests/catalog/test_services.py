"""Catalog import, export and load: validation, round trip, all-or-nothing."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog import services
from motcua.catalog.models import Procedure, ProcedureChannel, RequiredDocument, Sector


def record(code="1.001193", **overrides):
    base = {
        "code": code,
        "name": "Thủ tục đăng ký khai sinh",
        "sector": "Hộ tịch",
        "level": "Cấp xã",
        "agency": "Ủy ban nhân dân cấp xã",
        "steps": ["Nộp hồ sơ", "Nhận kết quả"],
        "result": "Giấy khai sinh",
        "legal_basis": [{"code": "123/2015/NĐ-CP", "title": "Nghị định hộ tịch"}],
        "online_level": "partial",
        "source_url": "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/x",
        "popularity": 1,
        "channels": [
            {"channel": "direct", "time_value": 0, "time_unit": "working_days", "fee_vnd": 0},
            {"channel": "online", "time_value": 1.5, "time_unit": "working_days", "fee_vnd": None},
        ],
        "documents": [
            {"name": "Giấy chứng sinh", "originals": 1, "copies": 0, "requirement": "required"},
            {"name": "Văn bản ủy quyền", "originals": 1, "requirement": "conditional", "note": "x"},
        ],
    }
    base.update(overrides)
    return base


def catalog_text(*records):
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return '{"format": "motcua.catalog", "version": 1, "procedures": [\n' + body + "\n]}\n"


@pytest.fixture
def write(tmp_path):
    def _write(text, name="catalog.json"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.mark.django_db
class TestImportCatalog:
    def test_creates_procedures_with_channels_and_documents(self, write):
        path = write(
            catalog_text(
                record(), record("2.000908", name="Chứng thực bản sao", sector="Chứng thực")
            )
        )
        call_command("catalog", "import", str(path), stdout=StringIO())
        proc = Procedure.objects.get(code="1.001193")
        assert proc.sector.name == "Hộ tịch"
        assert proc.steps == ["Nộp hồ sơ", "Nhận kết quả"]
        assert [d.name for d in proc.documents.order_by("position")] == [
            "Giấy chứng sinh",
            "Văn bản ủy quyền",
        ]
        online = proc.channels.get(channel="online")
        assert str(online.time_value) == "1.50" and online.fee_vnd is None
        assert Sector.objects.count() == 2

    def test_import_twice_is_idempotent(self, write):
        path = write(catalog_text(record()))
        call_command("catalog", "import", str(path), stdout=StringIO())
        out = StringIO()
        call_command("catalog", "import", str(path), stdout=out)
        assert "1 không đổi" in out.getvalue()
        assert Procedure.objects.count() == 1
        assert RequiredDocument.objects.count() == 2
        assert ProcedureChannel.objects.count() == 2

    def test_changed_record_is_updated_in_place(self, write):
        call_command("catalog", "import", str(write(catalog_text(record()))), stdout=StringIO())
        changed = record(name="Thủ tục đăng ký khai sinh (sửa)", documents=[])
        out = StringIO()
        call_command("catalog", "import", str(write(catalog_text(changed))), stdout=out)
        assert "1 cập nhật" in out.getvalue()
        proc = Procedure.objects.get(code="1.001193")
        assert proc.name.endswith("(sửa)")
        assert proc.documents.count() == 0


@pytest.mark.django_db
class TestMalformedFiles:
    def assert_rejected(self, path, *fragments):
        err = StringIO()
        with pytest.raises(CommandError, match="không thay đổi"):
            call_command("catalog", "import", str(path), stdout=StringIO(), stderr=err)
        for fragment in fragments:
            assert fragment in err.getvalue()
        assert Procedure.objects.count() == 0

    def test_bad_field_names_line_and_field(self, write):
        bad = record(
            "2.000908", channels=[{"channel": "fax", "time_value": 1, "time_unit": "days"}]
        )
        path = write(catalog_text(record(), record("1.000894"), bad))
        # Third record is on line 4 (line 1 holds the header).
        self.assert_rejected(path, "dòng 4", "mã 2.000908", "channels[0].channel")

    def test_negative_fee_rejected(self, write):
        bad = record(channels=[{"channel": "direct", "fee_vnd": -5}])
        self.assert_rejected(write(catalog_text(bad)), "dòng 2", "fee_vnd")

    def test_syntax_error_names_line(self, write):
        text = catalog_text(record()).replace('"sector": "Hộ tịch",', '"sector": "Hộ tịch"', 1)
        self.assert_rejected(write(text), "dòng 2", "JSON không hợp lệ")

    def test_duplicate_codes_rejected(self, write):
        self.assert_rejected(write(catalog_text(record(), record())), "bị lặp")

    def test_code_must_be_a_string(self, write):
        self.assert_rejected(write(catalog_text(record(code=1.001193))), "code")

    def test_unknown_keys_rejected(self, write):
        self.assert_rejected(write(catalog_text(record(colour="red"))), "colour")

    def test_wrong_format_header(self, write):
        text = catalog_text(record()).replace("motcua.catalog", "other")
        self.assert_rejected(write(text), "format")

    def test_not_utf8(self, write, tmp_path):
        path = tmp_path / "latin1.json"
        path.write_bytes(catalog_text(record()).encode("utf-16"))
        self.assert_rejected(path, "UTF-8")

    def test_missing_file(self, tmp_path):
        self.assert_rejected(tmp_path / "none.json", "không đọc được")

    def test_one_bad_record_leaves_existing_catalog_untouched(self, write):
        call_command("catalog", "import", str(write(catalog_text(record()))), stdout=StringIO())
        bad = catalog_text(record(name="Đổi tên"), record("9.9", name=""))
        with pytest.raises(CommandError):
            call_command("catalog", "import", str(write(bad)), stdout=StringIO(), stderr=StringIO())
        assert Procedure.objects.get(code="1.001193").name == "Thủ tục đăng ký khai sinh"


@pytest.mark.django_db
class TestExportRoundTrip:
    def test_export_then_import_is_lossless(self, write, tmp_path):
        original = catalog_text(
            record(valid_from="2026-01-01", valid_to="2026-12-31", uncertain_fields=["fee"]),
            record("2.000908", name="Chứng thực", sector="Chứng thực", status="draft"),
        )
        call_command("catalog", "import", str(write(original)), stdout=StringIO())
        first = tmp_path / "first.json"
        call_command("catalog", "export", str(first), stdout=StringIO())
        Procedure.objects.all().delete()
        call_command("catalog", "import", str(first), stdout=StringIO())
        second = tmp_path / "second.json"
        call_command("catalog", "export", str(second), stdout=StringIO())
        assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
        exported = json.loads(first.read_text(encoding="utf-8"))["procedures"]
        expected = services.parse_catalog(original).model_dump(mode="json")["procedures"]
        for got, want in zip(exported, expected, strict=True):
            want["channels"].sort(key=lambda c: c["channel"])
            for ch in want["channels"]:
                if ch["time_value"] is not None:
                    ch["time_value"] = float(ch["time_value"])
                    if ch["time_value"].is_integer():
                        ch["time_value"] = int(ch["time_value"])
            assert got == want

    def test_each_procedure_on_its_own_line(self, write, tmp_path):
        call_command(
            "catalog",
            "import",
            str(write(catalog_text(record(), record("1.000894")))),
            stdout=StringIO(),
        )
        out = tmp_path / "out.json"
        call_command("catalog", "export", str(out), stdout=StringIO())
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 4
        assert json.loads(lines[1].rstrip(","))["code"] == "1.000894"


class TestServeCommand:
    def test_rejects_a_bad_port_before_starting(self):
        with pytest.raises(CommandError, match="Cổng"):
            call_command("serve", "--port", "70000")
