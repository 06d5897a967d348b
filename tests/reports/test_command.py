"""``motcua kpi``: JSON output and Vietnamese errors for bad input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.reports.templatetags.vi_numbers import vi_number
from tests.dossiers.conftest import submit

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


class TestKpiCommand:
    def test_json_has_every_count_and_index(self, center, procedure):
        submit(center, procedure)
        data = json.loads(
            run(
                "--from",
                "2025-07-01",
                "--to",
                "2025-11-12",
                "--center",
                center.agency_code,
                "--json",
            )
        )
        assert data["date_from"] == "2025-07-01" and data["received"] == 1
        assert set(data["indices"]) == {"2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "5.4"}
        assert data["indices"]["3.3"]["rate"] == 0.0
        # The fixture's counter fee is 15.000 đ, not paid online: 0 of 1.
        assert (data["indices"]["3.6"]["numerator"], data["indices"]["3.6"]["denominator"]) == (
            0,
            1,
        )
        assert data["score"]["max_points"] > 0 and 0 <= data["score"]["total"] <= 100

    def test_text_output(self, center, procedure):
        submit(center, procedure)
        text = run("--from", "2025-07-01", "--to", "2025-07-31")
        assert "Tiếp nhận: 1" in text and "2.1 Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn" in text

    def test_text_output_in_vietnamese_formats_with_scores_and_payments(self, center, procedure):
        for n in range(3):
            submit(center, procedure, key=f"k{n}")
        text = run("--from", "2025-07-01", "--to", "2025-07-31")
        data = json.loads(run("--from", "2025-07-01", "--to", "2025-07-31", "--json"))
        assert "Tiếp nhận: 3" in text
        assert "Hồ sơ có phí, lệ phí: 3" in text and "  thanh toán trực tuyến: 0" in text
        assert "  trực tuyến: " in text
        assert "3.3 " in text and "0%" in text
        score = data["score"]
        assert f"Tổng điểm: {vi_number(score['total'], 2)}/100" in text
        for group in score["groups"]:
            assert f"Nhóm {group['code']} {group['name']}: " in text

    def test_big_numbers_use_vietnamese_separators(self, center, procedure, monkeypatch):
        from motcua.reports.management.commands import kpi as command

        real = command.compute

        def fake(*args, **kwargs):
            report = real(*args, **kwargs)
            report.received, report.average_processing_days = 3366, 2.08
            report.indices["2.1"].rate = 99.81
            return report

        monkeypatch.setattr(command, "compute", fake)
        text = run("--from", "2025-07-01", "--to", "2025-07-31")
        assert "Tiếp nhận: 3.366" in text
        assert "Thời gian xử lý trung bình (ngày làm việc): 2,08" in text
        assert "99,81%" in text and "99.81" not in text

    def test_province_is_compared_after_nfc(self, center, procedure):
        import unicodedata

        submit(center, procedure)
        decomposed = unicodedata.normalize("NFD", center.province)
        assert decomposed != center.province
        text = run("--from", "2025-07-01", "--to", "2025-07-31", "--province", decomposed)
        assert "Tiếp nhận: 1" in text

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--from", "2025-13-01", "--to", "2025-12-31"), "không hợp lệ"),
            (("--from", "01/07/2025", "--to", "2025-12-31"), "không hợp lệ"),
            (("--from", "2025-07-02", "--to", "2025-07-01"), "không trước ngày bắt đầu"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--center", "X"), "Không tìm thấy"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--channel", "fax"), "Kênh"),
            (("--from", "0001-01-01", "--to", "9999-12-31"), "ngoài khoảng cho phép"),
            (("--from", "2025-07-01", "--to", "9999-12-31"), "ngoài khoảng cho phép"),
            (("--from", "1999-12-31", "--to", "2025-07-31"), "ngoài khoảng cho phép"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--province", "Tỉnh Không Có"), "tỉnh"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--sector", "khong-co"), "lĩnh vực"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--procedure", "9.999999"), "thủ tục"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--officer", "ai-do"), "cán bộ"),
        ],
    )
    def test_bad_input_is_a_command_error_in_vietnamese(self, db, args, message):
        with pytest.raises(CommandError, match=message):
            run(*args)
