"""Reading text: the hard cases an announcer must get right, and no digit ever left."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.speech.normalize import PronunciationFileError, normalize, reset_cache
from motcua.speech.numbers import read_int

HARD_CASES = [
    # numbers: the irregular forms
    ("21", "hai mươi mốt"),
    ("24", "hai mươi tư"),
    ("25", "hai mươi lăm"),
    ("15", "mười lăm"),
    ("105", "một trăm linh năm"),
    ("1015", "một nghìn không trăm mười lăm"),
    ("10", "mười"),
    ("14", "mười bốn"),
    ("11", "mười một"),
    ("1000000", "một triệu"),
    ("2025", "hai nghìn không trăm hai mươi lăm"),
    ("0", "không"),
    ("5", "năm"),
    ("45", "bốn mươi lăm"),
    ("50", "năm mươi"),
    ("104", "một trăm linh bốn"),
    ("110", "một trăm mười"),
    ("1005", "một nghìn không trăm linh năm"),
    ("1000", "một nghìn"),
    ("1000015", "một triệu không trăm mười lăm"),
    ("2000000000", "hai tỷ"),
    ("1234567", "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy"),
    # thousands and decimals as written in Vietnamese
    ("1.250.000", "một triệu hai trăm năm mươi nghìn"),
    ("3,5 triệu", "ba phẩy năm triệu"),
    ("0,05", "không phẩy không năm"),
    ("2,75", "hai phẩy bảy mươi lăm"),
    ("1,250,000", "một triệu hai trăm năm mươi nghìn"),
    ("3.5", "ba chấm năm"),
    # leading zeros
    ("03 ngày", "ba ngày"),
    ("05 bộ hồ sơ", "năm bộ hồ sơ"),
    # dates
    ("01/07/2025", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"),
    ("ngày 01/07/2025", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"),
    ("ngày 1/7", "ngày một tháng bảy"),
    ("Ngày 15-04-2024", "Ngày mười lăm tháng tư năm hai nghìn không trăm hai mươi tư"),
    ("31.12.2025", "ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi lăm"),
    ("tháng 4/2025", "tháng tư năm hai nghìn không trăm hai mươi lăm"),
    ("08/2025", "tháng tám năm hai nghìn không trăm hai mươi lăm"),
    ("hạn 01/07", "hạn ngày một tháng bảy"),
    ("tháng 4", "tháng tư"),
    ("năm 2024", "năm hai nghìn không trăm hai mươi tư"),
    # times and ranges
    ("8h30", "tám giờ ba mươi phút"),
    ("7:30", "bảy giờ ba mươi phút"),
    ("14h", "mười bốn giờ"),
    ("8h05", "tám giờ năm phút"),
    ("7h30-11h30", "bảy giờ ba mươi phút đến mười một giờ ba mươi phút"),
    ("13h30 - 17h", "mười ba giờ ba mươi phút đến mười bảy giờ"),
    ("10-15 ngày", "mười đến mười lăm ngày"),
    ("16:45:05", "mười sáu giờ bốn mươi lăm phút năm giây"),
    # money and percentages
    ("50.000đ", "năm mươi nghìn đồng"),
    ("1.250.000 đồng", "một triệu hai trăm năm mươi nghìn đồng"),
    ("50.000 VNĐ", "năm mươi nghìn đồng"),
    ("100.000 vnd", "một trăm nghìn đồng"),
    ("20.000₫", "hai mươi nghìn đồng"),
    ("99,63%", "chín mươi chín phẩy sáu mươi ba phần trăm"),
    ("100%", "một trăm phần trăm"),
    # fractions and ranks
    ("83/148", "tám mươi ba trên một trăm bốn mươi tám"),
    ("hạng 1/148", "hạng một trên một trăm bốn mươi tám"),
    ("12/10", "mười hai trên mười"),
    # units
    ("120 m2", "một trăm hai mươi mét vuông"),
    ("120m²", "một trăm hai mươi mét vuông"),
    ("5km", "năm ki lô mét"),
    ("20 kg", "hai mươi ki lô gam"),
    ("3 ha", "ba héc ta"),
    ("-5°C", "âm năm độ xê"),
    # phone numbers: digit by digit in groups
    ("0912 345 678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0912345678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("0912.345.678", "không chín một hai, ba bốn năm, sáu bảy tám"),
    ("024 3823 4567", "không hai bốn, ba tám hai ba, bốn năm sáu bảy"),
    ("+84 912 345 678", "cộng tám bốn chín một hai, ba bốn năm, sáu bảy tám"),
    ("số 001099012345", "số không không một không chín chín không một hai ba bốn năm"),
    ("Hotline: 1900 1234", "Hotline: một chín không không, một hai ba bốn"),
    ("1800.1234", "một tám không không, một hai ba bốn"),
    ("Phòng 2.01", "Phòng hai chấm không một"),
    ("lúc 17g", "lúc mười bảy giờ"),
    ("Lệ phí: 8.000 đồng/bản", "Lệ phí: tám nghìn đồng một bản"),
    ("7h00 - 11h30", "bảy giờ đến mười một giờ ba mươi phút"),
    # ordinals
    ("thứ 2", "thứ hai"),
    ("Thứ 4", "Thứ tư"),
    ("lần thứ 1", "lần thứ nhất"),
    ("quý IV", "quý bốn"),
    ("khóa XV", "khóa mười lăm"),
    # abbreviations and document numbers
    ("UBND xã", "ủy ban nhân dân xã"),
    ("HĐND", "hội đồng nhân dân"),
    ("TTHC", "thủ tục hành chính"),
    ("CCCD", "căn cước công dân"),
    ("TNCS", "thanh niên cộng sản"),
    ("NQ/TW", "nghị quyết trung ương"),
    ("BHYT", "bảo hiểm y tế"),
    ("UBMTTQ", "ủy ban mặt trận tổ quốc"),
    ("MTTQ", "mặt trận tổ quốc"),
    (
        "Nghị định 61/2018/NĐ-CP",
        "Nghị định sáu mươi mốt năm hai nghìn không trăm mười tám nghị định chính phủ",
    ),
    ("số 15/QĐ-UBND", "số mười lăm quyết định ủy ban nhân dân"),
    ("Luật 15/2023/QH15", "Luật mười lăm năm hai nghìn không trăm hai mươi ba quốc hội mười lăm"),
    ("TP.HCM", "thành phố Hồ Chí Minh"),
    # mixed, as in a notice
    (
        "Phí 50.000đ, 8h30 ngày 01/07/2025",
        "Phí năm mươi nghìn đồng, tám giờ ba mươi phút ngày một tháng bảy năm hai nghìn "
        "không trăm hai mươi lăm",
    ),
    ("Covid-19", "Covid mười chín"),
    ("số 15A", "số mười lăm A"),
    ("１５", "mười lăm"),
    ("½", "một phần hai"),
    ("Mời số 7 đến quầy 3.", "Mời số bảy đến quầy ba."),
]


@pytest.mark.parametrize(("text", "expected"), HARD_CASES, ids=[c[0] for c in HARD_CASES])
def test_hard_case(text, expected):
    assert normalize(text) == expected


def test_the_table_is_large_enough():
    assert len(HARD_CASES) >= 60


class TestReadInt:
    @pytest.mark.parametrize("n", [1, 21, 101, 1015, 10**6, 10**9 + 5, 10**12])
    def test_round_trips_through_normalize(self, n):
        assert normalize(str(n)) == read_int(n)

    def test_every_number_below_ten_thousand_reads_without_digits_or_gaps(self):
        for n in range(10_000):
            words = read_int(n)
            assert words and "  " not in words and not any(ch.isdigit() for ch in words)
            # "mốt", "tư", "lăm" only follow a tens word; "linh" never ends a reading.
            assert not words.endswith("linh")
            if words.endswith((" mốt", " tư")):
                assert words.split()[-2] == "mươi"


class TestPronunciationFile:
    def test_a_centers_file_adds_and_overrides(self, settings, tmp_path):
        extra = tmp_path / "center.json"
        extra.write_text(
            json.dumps(
                {
                    "abbreviations": {"BQL": "ban quản lý", "UBND": "ủy ban"},
                    "units": {"sào": "sào Bắc Bộ"},
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        settings.MOTCUA_SPEECH_PRONUNCIATIONS = str(extra)
        reset_cache()
        assert normalize("BQL chợ, UBND, 3 sào") == "ban quản lý chợ, ủy ban, ba sào Bắc Bộ"

    def test_a_broken_file_is_reported_in_vietnamese(self, settings, tmp_path):
        extra = tmp_path / "broken.json"
        extra.write_text('{"abbreviations": {"X": 1}}', encoding="utf-8")
        settings.MOTCUA_SPEECH_PRONUNCIATIONS = str(extra)
        reset_cache()
        with pytest.raises(PronunciationFileError, match="phải ánh xạ"):
            normalize("X")

    def test_a_missing_file_is_reported(self, settings, tmp_path):
        settings.MOTCUA_SPEECH_PRONUNCIATIONS = str(tmp_path / "none.json")
        reset_cache()
        with pytest.raises(PronunciationFileError, match="Không tìm thấy"):
            normalize("X")


class TestOutputShape:
    def test_output_is_nfc(self):
        decomposed = unicodedata.normalize("NFD", "Phường Đông Hòa 15")
        out = normalize(decomposed)
        assert out == unicodedata.normalize("NFC", out) == "Phường Đông Hòa mười lăm"

    def test_words_without_numbers_are_kept(self):
        assert normalize("Xin mời công dân") == "Xin mời công dân"

    def test_a_document_code_with_letters_after_digits_is_read_not_a_crash(self):
        # "VP2a": a code part whose letters follow its digits used to raise AttributeError.
        assert normalize("Công văn 15/UBND-VP2a") == ("Công văn mười lăm ủy ban nhân dân VP hai a")
        assert normalize("số 3/2024/TT-BTC1x") == (
            "số ba năm hai nghìn không trăm hai mươi tư thông tư BTC một x"
        )


_NUMBERISH = st.one_of(
    st.integers(min_value=0, max_value=10**20).map(str),
    st.from_regex(r"\d{1,3}(\.\d{3}){0,3}(,\d{1,4})?(đ| VNĐ|%| m2|km)?", fullmatch=True),
    st.from_regex(r"\d{1,2}[h:/.-]\d{1,4}([/.-]\d{1,4})?", fullmatch=True),
    st.from_regex(r"0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}", fullmatch=True),
    st.sampled_from(
        ["thứ 3", "tháng 12", "-7", "1/2/3/4", "x²", "Ⅻ", "٣٤", "QH15", "a1b2", "15/UBND-VP2a"]
    ),
)
_TEXT = st.lists(
    st.one_of(_NUMBERISH, st.text(min_size=0, max_size=8), st.sampled_from([" ", ", ", "-"])),
    max_size=8,
).map("".join)


@given(_TEXT)
def test_no_digit_is_ever_left(text):
    out = normalize(text)
    assert not any(ch.isdigit() or ch.isnumeric() for ch in out), out
    assert out == unicodedata.normalize("NFC", out)
