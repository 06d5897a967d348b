from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from .helpers import MRZ_EXAMPLE, QR_EXAMPLE


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("id", "parse", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


class TestIdParseCommand:
    def test_qr_as_json(self):
        code, out, _ = run(QR_EXAMPLE, "--json")
        assert code == 0
        assert json.loads(out) == {
            "ok": True,
            "id_number": "001093047064",
            "old_id_number": "012345678",
            "full_name": "Ưng Hoàng Hiệp",
            "birth_date": "1993-01-05",
            "sex": "Nam",
            "address": "Số 12 ngõ 34 phố Nguyễn Trãi, Phường Thanh Xuân Trung, Quận Thanh Xuân, Hà Nội",
            "issue_date": "2021-04-15",
            "province_code": "001",
            "province_name": "Hà Nội",
            "source": "qr",
        }
        assert "Ưng Hoàng Hiệp" in out  # UTF-8, not \u escapes

    def test_mrz_with_literal_backslash_n(self):
        code, out, _ = run(MRZ_EXAMPLE.replace("\n", "\\n"), "--json")
        result = json.loads(out)
        assert code == 0
        assert (result["full_name"], result["source"], result["address"]) == (
            "Ung Hoang Hiep",
            "mrz",
            None,
        )

    def test_number(self):
        code, out, _ = run("001093047064", "--json")
        assert code == 0
        assert json.loads(out)["source"] == "number"

    def test_error_as_json_exits_1(self):
        code, out, _ = run("12345", "--json")
        assert code == 1
        assert json.loads(out) == {
            "ok": False,
            "errors": [
                {
                    "field": "id_number",
                    "message": "Số định danh phải gồm đúng 12 chữ số. "
                    "Vui lòng kiểm tra lại số in trên thẻ.",
                }
            ],
        }

    def test_readable_summary(self):
        code, out, _ = run(QR_EXAMPLE)
        assert code == 0
        assert "Họ và tên: Ưng Hoàng Hiệp" in out
        assert "Ngày sinh: 05/01/1993" in out
        assert "Nơi đăng ký khai sinh: Hà Nội (001)" in out

    def test_readable_errors_go_to_stderr(self):
        code, out, err = run("xin chào")
        assert code == 1
        assert out == ""
        assert "Không nhận ra dữ liệu thẻ" in err

    def test_subcommand_is_required(self):
        from django.core.management import CommandError

        with pytest.raises(CommandError):
            call_command("id")
