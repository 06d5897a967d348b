"""``motcua kpi``: JSON output and Vietnamese errors for bad input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--from", "2025-13-01", "--to", "2025-12-31"), "không hợp lệ"),
            (("--from", "01/07/2025", "--to", "2025-12-31"), "không hợp lệ"),
            (("--from", "2025-07-02", "--to", "2025-07-01"), "không trước ngày bắt đầu"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--center", "X"), "Không tìm thấy"),
            (("--from", "2025-07-01", "--to", "2025-07-31", "--channel", "fax"), "Kênh"),
        ],
    )
    def test_bad_input_is_a_command_error_in_vietnamese(self, db, args, message):
        with pytest.raises(CommandError, match=message):
            run(*args)
