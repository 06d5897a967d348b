"""Personal data is removed first: never echoed, stored in the session or logged."""

from __future__ import annotations

import logging

import pytest

from motcua.assistant.guard import echoes, redact
from motcua.assistant.pipeline import ask


class TestRedact:
    @pytest.mark.parametrize(
        ("text", "secret", "kind"),
        [
            ("CCCD của tôi 001085012345 bị mất", "001085012345", "id"),
            ("căn cước 079 203 001 122 hết hạn", "079 203 001 122", "id"),
            ("CMND số 123456789", "123456789", "id"),
            ("gọi em số 0987654321 nhé", "0987654321", "phone"),
            ("sđt +84 912 345 678", "+84 912 345 678", "phone"),
            ("sinh ngày 12/03/1985", "12/03/1985", "date"),
            ("me toi ten Le Thi Hoa sinh nam 1950", "Le Thi Hoa", "name"),
            ("Nguyễn Thị Mai muốn đăng ký kết hôn", "Nguyễn Thị Mai", "name"),
            ("tên là Đinh Bộ Lĩnh", "Đinh Bộ Lĩnh", "name"),
        ],
    )
    def test_removes_personal_data(self, text, secret, kind):
        result = redact(text)
        assert kind in result.kinds
        assert secret not in result.text
        assert not echoes(result.text, [secret])

    def test_keeps_ordinary_questions_and_places(self):
        for text in [
            "Lệ phí chứng thực chữ ký là bao nhiêu?",
            "thời tiết ở Hà Nội",
            "xây nhà cấp 4",
        ]:
            result = redact(text)
            assert not result.found
            assert result.text == text

    def test_echo_check_ignores_digit_grouping(self):
        assert echoes("số 0912.345.678 của bạn", ["0912 345 678"])
        assert not echoes("Lệ phí 50.000 đồng", ["0912 345 678"])


QUESTIONS = [
    (
        "tôi là Trần Văn Hùng sinh ngày 12/03/1985, CCCD 001085012345, đăng ký tạm trú cần gì",
        ["Trần Văn Hùng", "12/03/1985", "001085012345"],
    ),
    ("số em 0987654321, làm khai sinh cho con cần giấy gì", ["0987654321"]),
    (
        "cho hỏi hồ sơ của Phạm Minh Tuấn sđt 0912 345 678 xong chưa",
        ["Phạm Minh Tuấn", "0912 345 678"],
    ),
]


@pytest.mark.django_db
class TestAskNeverEchoes:
    @pytest.mark.parametrize(("question", "secrets"), QUESTIONS)
    def test_answer_says_so_and_repeats_nothing(self, question, secrets, caplog):
        caplog.set_level(logging.DEBUG)
        answer, memory = ask(question)
        assert answer.pii_removed
        assert "không lưu và không nhắc lại" in answer.text
        assert not echoes(answer.text, secrets)
        assert not echoes(str(memory.as_dict()), secrets)
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert not echoes(logged, secrets)

    def test_the_procedure_is_still_answered(self):
        answer, _ = ask(QUESTIONS[0][0])
        assert answer.code == "1.004194"
        assert answer.documents


class TestCapsLock:
    """A question typed with caps lock on is still a question, and names in it still go."""

    @pytest.mark.parametrize(
        "text", ["ĐĂNG KÝ KHAI SINH CẦN GÌ", "ĐỔI THẺ CĂN CƯỚC MẤT BAO LÂU", "HỒ SƠ KẾT HÔN"]
    )
    def test_procedure_words_are_not_taken_for_a_name(self, text):
        from motcua.assistant.guard import redact

        result = redact(text)
        assert "name" not in result.kinds and result.text == text

    @pytest.mark.parametrize(
        "text, name",
        [
            ("KHAI SINH CHO CON NGUYỄN VĂN AN CẦN GÌ", "NGUYỄN VĂN AN"),
            ("TÔI LÀ ĐẶNG HÙNG, LÀM CĂN CƯỚC Ở ĐÂU", "ĐẶNG HÙNG"),
            ("ĐĂNG KÝ KẾT HÔN CHO TRẦN THỊ BÌNH", "TRẦN THỊ BÌNH"),
        ],
    )
    def test_names_are_still_removed(self, text, name):
        from motcua.assistant.guard import redact

        result = redact(text)
        assert "name" in result.kinds and name not in result.text


@pytest.mark.django_db
def test_full_width_letters_are_read_as_plain_ones():
    from motcua.assistant.pipeline import ask, clean_question

    assert clean_question("ｋｈａｉ ｓｉｎｈ cần gì") == "khai sinh cần gì"
    answer = ask("ｋｈａｉ ｓｉｎｈ cần gì", rephrase=False)[0]
    assert answer.code == "1.001193" and not answer.refused
