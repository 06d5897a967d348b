from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from motcua.identity.parsing import (
    CardIdentity,
    FieldError,
    IdentityError,
    mrz_check_digit,
    parse_identity,
    province_name,
    validate_id_number,
)

from .helpers import MRZ_EXAMPLE, QR_EXAMPLE, TODAY, mrz_lines, qr_payload


def errors_of(text: str) -> list[FieldError]:
    with pytest.raises(IdentityError) as info:
        parse_identity(text, today=TODAY)
    return info.value.errors


def fields_of(text: str) -> set[str]:
    return {e.field for e in errors_of(text)}


class TestIdentityError:
    def test_message_joins_every_field_message(self):
        error = IdentityError([FieldError("a", "Một."), FieldError("b", "Hai.")])
        assert str(error) == "Một. Hai."
        assert isinstance(error, ValueError)

    def test_a_single_message_names_its_field(self):
        error = IdentityError("Không có ảnh.", field="image")
        assert error.errors == [FieldError("image", "Không có ảnh.")]


class TestParseQr:
    def test_seven_fields(self):
        card = parse_identity(QR_EXAMPLE, today=TODAY)
        assert card == CardIdentity(
            id_number="001093047064",
            old_id_number="012345678",
            full_name="Ưng Hoàng Hiệp",
            birth_date=date(1993, 1, 5),
            sex="Nam",
            address="Số 12 ngõ 34 phố Nguyễn Trãi, Phường Thanh Xuân Trung, Quận Thanh Xuân, Hà Nội",
            issue_date=date(2021, 4, 15),
            province_code="001",
            province_name="Hà Nội",
            source="qr",
        )

    def test_extra_fields_are_ignored(self):
        card = parse_identity(QR_EXAMPLE + "|extra|31122040", today=TODAY)
        assert card.issue_date == date(2021, 4, 15)
        assert card.full_name == "Ưng Hoàng Hiệp"

    def test_empty_old_id_is_none(self):
        card = parse_identity(qr_payload(old_id=""), today=TODAY)
        assert card.old_id_number is None

    def test_old_twelve_digit_cmnd_is_kept(self):
        card = parse_identity(qr_payload(old_id="001093000001"), today=TODAY)
        assert card.old_id_number == "001093000001"

    def test_female_with_century_digit_3(self):
        card = parse_identity(
            qr_payload(id_number="079304000123", sex="Nữ", birth="29022004", issue="01032020"),
            today=TODAY,
        )
        assert (card.sex, card.birth_date) == ("Nữ", date(2004, 2, 29))
        assert card.province_name == "TP Hồ Chí Minh"

    @pytest.mark.parametrize(
        "prefix",
        ["]Q1", "CCCD:", "CCCD: ", "Số CCCD: ", "]Q1CCCD:", "\r\n", "  ", "\ufeff"],
    )
    def test_scanner_prefixes_are_stripped(self, prefix):
        card = parse_identity(prefix + QR_EXAMPLE, today=TODAY)
        assert card.id_number == "001093047064"

    def test_labelled_fields(self):
        card = parse_identity(qr_payload(id_number="CCCD:001093047064", old_id="CMND:012345678"))
        assert (card.id_number, card.old_id_number) == ("001093047064", "012345678")

    def test_enter_and_stray_whitespace(self):
        text = "  001093047064 |012345678|  Ưng  Hoàng\tHiệp |05011993| Nam |Hà  Nội |15042021\r\n"
        card = parse_identity(text, today=TODAY)
        assert card.full_name == "Ưng Hoàng Hiệp"
        assert card.address == "Hà Nội"
        assert card.sex == "Nam"

    def test_stray_line_break_inside_payload(self):
        card = parse_identity(qr_payload(name="Ưng Hoàng\r\nHiệp"), today=TODAY)
        assert card.full_name == "Ưng Hoàng Hiệp"

    def test_nfd_input_is_normalized_to_nfc(self):
        card = parse_identity(unicodedata.normalize("NFD", QR_EXAMPLE), today=TODAY)
        assert card.full_name == "Ưng Hoàng Hiệp"
        assert unicodedata.is_normalized("NFC", card.full_name)
        assert unicodedata.is_normalized("NFC", card.address)

    @pytest.mark.parametrize("sex, expected", [("NAM", "Nam"), ("nữ", "Nữ"), ("NỮ", "Nữ")])
    def test_sex_in_any_case(self, sex, expected):
        number = "001093047064" if expected == "Nam" else "001193047064"
        assert parse_identity(qr_payload(id_number=number, sex=sex), today=TODAY).sex == expected

    def test_missing_issue_date_is_none(self):
        assert parse_identity(qr_payload(issue=""), today=TODAY).issue_date is None

    def test_too_few_fields(self):
        errors = errors_of("001093047064|012345678|Ưng Hoàng Hiệp|05011993|Nam|Hà Nội")
        assert errors == [FieldError("text", errors[0].message)]
        assert "ít nhất 7 mục" in errors[0].message

    def test_missing_name(self):
        assert fields_of(qr_payload(name="  ")) == {"full_name"}

    def test_bad_old_id(self):
        errors = errors_of(qr_payload(old_id="1234"))
        assert [e.field for e in errors] == ["old_id_number"]
        assert "9 hoặc 12 chữ số" in errors[0].message

    def test_bad_sex(self):
        errors = errors_of(qr_payload(sex="X"))
        assert [e.field for e in errors] == ["sex"]
        assert errors[0].message.startswith("Giới tính phải là “Nam” hoặc “Nữ”")

    @pytest.mark.parametrize(
        "birth, fragment",
        [("1993", "8 chữ số"), ("31021993", "không phải là ngày có thật"), ("", "Thiếu")],
    )
    def test_bad_birth_date(self, birth, fragment):
        errors = errors_of(qr_payload(birth=birth))
        assert [e.field for e in errors] == ["birth_date"]
        assert fragment in errors[0].message

    def test_future_birth_date(self):
        errors = errors_of(qr_payload(id_number="001226047064", birth="01072026", issue=""))
        assert [e.field for e in errors] == ["birth_date"]
        assert "không thể sau ngày hôm nay" in errors[0].message

    def test_issue_date_before_birth(self):
        errors = errors_of(qr_payload(issue="04011993"))
        assert [e.field for e in errors] == ["issue_date"]
        assert errors[0].message.startswith("Ngày cấp phải sau ngày sinh.")

    def test_issue_date_in_the_future(self):
        errors = errors_of(qr_payload(issue="16062026"))
        assert [e.field for e in errors] == ["issue_date"]
        assert "không thể sau ngày hôm nay" in errors[0].message

    def test_bad_issue_date(self):
        errors = errors_of(qr_payload(issue="31042021"))
        assert [(e.field, "không phải là ngày có thật" in e.message) for e in errors] == [
            ("issue_date", True)
        ]

    def test_century_digit_contradicts_birth_year(self):
        # Digit 2 = male born 2000-2099, but the card says 1993.
        errors = errors_of(qr_payload(id_number="001293047064"))
        assert [e.field for e in errors] == ["id_number"]
        assert "mã thế kỷ" in errors[0].message

    def test_sex_digit_contradicts_sex(self):
        errors = errors_of(qr_payload(sex="Nữ"))
        assert [e.field for e in errors] == ["id_number"]
        assert "mã giới tính" in errors[0].message

    def test_every_fault_is_reported_at_once(self):
        assert fields_of(qr_payload(id_number="12", name="", sex="?")) == {
            "id_number",
            "full_name",
            "sex",
        }

    def test_messages_do_not_repeat_personal_data(self):
        error = pytest.raises(
            IdentityError, parse_identity, qr_payload(id_number="001293047064", birth="31021993")
        ).value
        assert "001293047064" not in str(error)
        assert "1993" not in str(error)


class TestParseNumber:
    def test_twelve_digits(self):
        card = parse_identity("001093047064", today=TODAY)
        assert card.as_dict() == {
            "id_number": "001093047064",
            "old_id_number": None,
            "full_name": None,
            "birth_date": None,
            "sex": None,
            "address": None,
            "issue_date": None,
            "province_code": "001",
            "province_name": "Hà Nội",
            "source": "number",
        }

    @pytest.mark.parametrize(
        "typed", [" 001 093 047 064 ", "001.093.047.064", "001-093-047064", "CCCD: 001093047064"]
    )
    def test_separators_and_labels_are_ignored(self, typed):
        assert parse_identity(typed, today=TODAY).id_number == "001093047064"

    @pytest.mark.parametrize("typed", ["00109304706", "0010930470641", "00109304706a"])
    def test_wrong_length(self, typed):
        assert errors_of(typed) == [
            FieldError(
                "id_number",
                "Số định danh phải gồm đúng 12 chữ số. Vui lòng kiểm tra lại số in trên thẻ.",
            )
        ]

    def test_unknown_province(self):
        errors = errors_of("003093047064")
        assert [e.field for e in errors] == ["id_number"]
        assert "mã tỉnh" in errors[0].message

    def test_abroad_country_code_is_accepted(self):
        card = parse_identity("840093047064", today=TODAY)
        assert card.province_code == "840"
        assert card.province_name == "Đăng ký khai sinh ở nước ngoài"

    def test_birth_year_in_the_future(self):
        # Digit 2 (born 2000-2099) with year 27, while today is 2026.
        assert fields_of("001227047064") == {"id_number"}


class TestParseMrz:
    def test_domain_example_verifies(self):
        card = parse_identity(MRZ_EXAMPLE, today=TODAY)
        assert card.as_dict() == {
            "id_number": "001093047064",
            "old_id_number": None,
            "full_name": "Ung Hoang Hiep",
            "birth_date": "1993-01-05",
            "sex": "Nam",
            "address": None,
            "issue_date": None,
            "province_code": "001",
            "province_name": "Hà Nội",
            "source": "mrz",
        }

    def test_check_digits_of_the_example(self):
        assert mrz_check_digit("093047064") == "1"
        assert mrz_check_digit("001093047064") == "2"
        assert mrz_check_digit("930105") == "4"
        assert mrz_check_digit("330105") == "2"

    @pytest.mark.parametrize(
        "text",
        [
            MRZ_EXAMPLE.replace("\n", "\\n"),
            MRZ_EXAMPLE.replace("\n", "\r\n") + "\r\n",
            MRZ_EXAMPLE.lower(),
            MRZ_EXAMPLE.replace("\n", ""),
            "  " + MRZ_EXAMPLE.replace("<<<<", "<< <<") + "\n",
        ],
    )
    def test_tolerated_layouts(self, text):
        assert parse_identity(text, today=TODAY).id_number == "001093047064"

    @pytest.mark.parametrize(
        "line, position, field",
        [
            (0, 7, "id_number"),  # document number
            (0, 14, "id_number"),  # its check digit
            (0, 20, "id_number"),  # the full 12-digit number
            (0, 29, "id_number"),  # its check digit
            (1, 3, "birth_date"),
            (1, 6, "birth_date"),
            (1, 10, "expiry_date"),
            (1, 14, "expiry_date"),
            (1, 29, "mrz"),  # composite check digit
        ],
    )
    def test_one_changed_digit_fails_with_the_right_field(self, line, position, field):
        lines = MRZ_EXAMPLE.split("\n")
        old = lines[line][position]
        new = str((int(old) + 1) % 10)
        lines[line] = lines[line][:position] + new + lines[line][position + 1 :]
        assert field in fields_of("\n".join(lines))

    def test_changed_birth_date_reports_birth_date_only(self):
        lines = MRZ_EXAMPLE.split("\n")
        lines[1] = "9301064" + lines[1][7:]
        errors = errors_of("\n".join(lines))
        assert [e.field for e in errors] == ["birth_date"]
        assert "chữ số kiểm tra" in errors[0].message

    def test_document_number_must_match_the_full_number(self):
        lines = mrz_lines("001093047064", date(1993, 1, 5), "Nam", date(2033, 1, 5), "UNG", ["A"])
        doc = "093047065"
        lines[0] = lines[0][:5] + doc + mrz_check_digit(doc) + lines[0][15:]
        assert fields_of("\n".join(lines)) >= {"id_number"}

    def test_wrong_line_length(self):
        errors = errors_of(MRZ_EXAMPLE[:-1])
        assert [e.field for e in errors] == ["mrz"]
        assert "3 dòng, mỗi dòng 30 ký tự" in errors[0].message

    def test_foreign_document(self):
        assert fields_of(MRZ_EXAMPLE.replace("IDVNM", "IDUSA")) == {"mrz"}

    def test_female_born_2004(self):
        lines = mrz_lines(
            "079304000123", date(2004, 2, 29), "Nữ", date(2029, 2, 28), "TRAN", ["THI", "MAI"]
        )
        card = parse_identity("\n".join(lines), today=TODAY)
        assert (card.birth_date, card.sex, card.full_name) == (
            date(2004, 2, 29),
            "Nữ",
            "Tran Thi Mai",
        )

    def test_century_comes_from_the_number(self):
        # Born 1925: YY=25 alone would read as 2025; the number's digit 0 says 1900s.
        lines = mrz_lines("001025000001", date(1925, 3, 1), "Nam", date(2030, 1, 1), "LE", ["B"])
        assert parse_identity("\n".join(lines), today=TODAY).birth_date == date(1925, 3, 1)

    def test_sex_in_mrz_contradicts_number(self):
        lines = mrz_lines("001193047064", date(1993, 1, 5), "Nam", date(2033, 1, 5), "UNG", ["A"])
        assert fields_of("\n".join(lines)) == {"id_number"}


class TestParseQrWithMrz:
    def test_both_agree_qr_name_wins(self):
        card = parse_identity(QR_EXAMPLE + "\n" + MRZ_EXAMPLE, today=TODAY)
        assert card.source == "qr"
        assert card.full_name == "Ưng Hoàng Hiệp"
        assert card.address.endswith("Hà Nội")

    def test_literal_backslash_n_between_qr_and_mrz(self):
        text = (QR_EXAMPLE + "\n" + MRZ_EXAMPLE).replace("\n", "\\n")
        assert parse_identity(text, today=TODAY).full_name == "Ưng Hoàng Hiệp"

    def test_number_mismatch(self):
        other = mrz_lines("001093047065", date(1993, 1, 5), "Nam", date(2033, 1, 5), "UNG", [])
        other[2] = "UNG<<HOANG<HIEP".ljust(30, "<")
        errors = errors_of(QR_EXAMPLE + "\n" + "\n".join(other))
        assert [e.field for e in errors] == ["id_number"]
        assert "không khớp" in errors[0].message

    def test_birth_date_mismatch(self):
        other = mrz_lines("001093047064", date(1993, 1, 6), "Nam", date(2033, 1, 5), "UNG", [])
        other[2] = "UNG<<HOANG<HIEP".ljust(30, "<")
        assert fields_of(QR_EXAMPLE + "\n" + "\n".join(other)) == {"birth_date"}

    def test_sex_mismatch(self):
        # Same number on both sides, so the MRZ's F contradicts the number's male digit: the
        # mismatch surfaces as an MRZ fault on the number (the cross-check needs both valid).
        other = mrz_lines("001093047064", date(1993, 1, 5), "Nữ", date(2033, 1, 5), "UNG", [])
        other[2] = "UNG<<HOANG<HIEP".ljust(30, "<")
        errors = errors_of(QR_EXAMPLE + "\n" + "\n".join(other))
        assert [e.field for e in errors] == ["id_number"]
        assert "mã giới tính" in errors[0].message

    def test_name_mismatch(self):
        other = MRZ_EXAMPLE.replace("UNG<<HOANG<HIEP", "UNG<<HOANG<HIET")
        assert fields_of(QR_EXAMPLE + "\n" + other) == {"full_name"}

    def test_truncated_mrz_name_still_matches(self):
        name = "Nguyễn Thị Phương Hoàng Khánh Ngọc"
        qr = qr_payload(id_number="001193047064", name=name, sex="Nữ")
        lines = mrz_lines(
            "001193047064",
            date(1993, 1, 5),
            "Nữ",
            date(2033, 1, 5),
            "NGUYEN",
            ["THI", "PHUONG", "HOANG", "KHANH", "NGOC"],
        )
        assert parse_identity(qr + "\n" + "\n".join(lines), today=TODAY).full_name == name

    def test_errors_of_the_mrz_are_reported_too(self):
        assert "mrz" in fields_of(QR_EXAMPLE + "\n" + MRZ_EXAMPLE.replace("<<<8", "<<<9"))


class TestParseUnrecognized:
    @pytest.mark.parametrize("text", ["", "   ", "\n\n"])
    def test_empty(self, text):
        assert fields_of(text) == {"text"}

    def test_free_text(self):
        errors = errors_of("xin chào")
        assert [e.field for e in errors] == ["text"]
        assert "Không nhận ra dữ liệu thẻ" in errors[0].message


class TestValidateIdNumber:
    def test_valid(self):
        assert validate_id_number("001093047064", birth_date=date(1993, 1, 5), sex="Nam") == []

    @pytest.mark.parametrize(
        "number, birth_year, sex",
        [
            ("001093000000", 1993, "Nam"),
            ("001193000000", 1993, "Nữ"),
            ("001205000000", 2005, "Nam"),
            ("001305000000", 2005, "Nữ"),
        ],
    )
    def test_century_and_sex_digit(self, number, birth_year, sex):
        birth = date(birth_year, 6, 1)
        assert validate_id_number(number, birth_date=birth, sex=sex, today=TODAY) == []

    @pytest.mark.parametrize(
        "number, birth_year, fragment",
        [
            ("001205000000", 1905, "mã thế kỷ"),
            ("001005000000", 2005, "mã thế kỷ"),
            ("001094000000", 1993, "năm sinh"),
        ],
    )
    def test_birth_year_mismatch(self, number, birth_year, fragment):
        errors = validate_id_number(number, birth_date=date(birth_year, 6, 1), today=TODAY)
        assert len(errors) == 1
        assert fragment in errors[0].message

    def test_sex_mismatch(self):
        errors = validate_id_number("001093047064", sex="Nữ")
        assert [e.field for e in errors] == ["id_number"]

    def test_field_name_is_configurable(self):
        assert validate_id_number("1", field="applicant_id")[0].field == "applicant_id"

    @pytest.mark.parametrize(
        "number", ["", "00109304706", "0010930470640", "00109304706x", "０01093047064"]
    )
    def test_not_twelve_ascii_digits(self, number):
        assert validate_id_number(number) == [
            FieldError(
                "id_number",
                "Số định danh phải gồm đúng 12 chữ số. Vui lòng kiểm tra lại số in trên thẻ.",
            )
        ]

    def test_all_63_province_codes_are_known(self):
        from motcua.identity.parsing import PROVINCE_CODES

        assert len(PROVINCE_CODES) == 63
        for code in PROVINCE_CODES:
            assert validate_id_number(code + "093047064", today=TODAY) == []

    @pytest.mark.parametrize("code", ["000", "003", "097", "099"])
    def test_unknown_codes_below_100(self, code):
        assert province_name(code) is None
        assert len(validate_id_number(code + "093047064", today=TODAY)) == 1
