"""The sector vocabulary (data/body_vocabulary.json): a matter no table row lists is sent to
the body of its sector when the citizen asks whether the commune handles it. Questions written
for these tests on matters the other-bodies table does not list, not taken from labelled sets."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from vn_text import fold

from motcua.assistant import intents
from motcua.assistant.intents import asks_commune_whether, folded_text, vocabulary_body
from motcua.assistant.pipeline import ask

pytestmark = pytest.mark.django_db

DATA = Path(intents.__file__).with_name("data") / "body_vocabulary.json"


def _folded(text: str) -> str:
    return " ".join(fold(text).lower().split())


class TestVocabularyFile:
    def test_every_entry_names_a_body_with_a_source(self):
        for entry in intents.body_vocabulary():
            assert entry.body.body, entry.id
            assert entry.body.sources, entry.id
            # Vietnamese as citizens read it: with tone marks, composed.
            assert fold(entry.body.body) != entry.body.body, entry.id
            assert unicodedata.is_normalized("NFC", entry.body.body), entry.id

    def test_every_reference_exists(self):
        known = {b.id for b in (*intents.other_bodies(), *intents.sectors())}
        for item in json.loads(DATA.read_text(encoding="utf-8"))["entries"]:
            assert item.get("refer", "") in known | {""}, item["id"]
            assert item.get("refer") or (item.get("body") and item.get("sources")), item["id"]

    def test_words_are_written_with_their_tone_marks(self):
        # A word written folded would match every spelling of its syllables ("chữa cháy" and
        # "chưa chạy"): only abbreviations and foreign words may be without marks.
        for item in json.loads(DATA.read_text(encoding="utf-8"))["entries"]:
            for word in item["words"] + item.get("weak_words", []):
                assert unicodedata.is_normalized("NFC", word), word
                assert word == word.lower(), word


class TestCommuneWhether:
    @pytest.mark.parametrize(
        "question",
        [
            "xã mình có cấp giấy này không",
            "nộp đơn ở ủy ban xã được không ạ",
            "cái này ra phường làm được hông",
            "Kính đề nghị Ủy ban nhân dân xã cấp cho tôi giấy phép",
            "nop ho so tai xa",
        ],
    )
    def test_asks_whether_the_commune_handles_it(self, question):
        assert asks_commune_whether(folded_text(question))

    @pytest.mark.parametrize(
        "question",
        ["đăng ký khai sinh cần giấy tờ gì", "lệ phí cấp bản sao trích lục bao nhiêu"],
    )
    def test_a_plain_question_does_not(self, question):
        assert not asks_commune_whether(folded_text(question))


class TestVocabularyBody:
    @pytest.mark.parametrize(
        ("question", "named"),
        [
            ("tôi là phóng viên mới, làm thẻ nhà báo thì xã có cấp không", "cục báo chí"),
            ("the nha bao xa co cap khong", "cục báo chí"),
            ("mở tiệm kinh doanh vàng miếng, xin giấy phép ở xã được không", "ngân hàng nhà nước"),
            (
                "bị xử thua, muốn kháng cáo bản án thì nộp đơn ở xã được không",
                "tòa án nhân dân tỉnh",
            ),
            (
                "lô thanh long xuất đi cần giấy chứng nhận xuất xứ, xã có cấp không",
                "bộ công thương",
            ),
            (
                "công ty tôi cần kiểm định cân điện tử định kỳ, xã có làm không",
                "sở khoa học và công nghệ",
            ),
        ],
    )
    def test_a_matter_no_row_lists_is_sent_to_its_sector(self, question, named):
        found = vocabulary_body(question)
        assert found is not None
        assert named in _folded(found[0].body) or fold(named) in _folded(found[0].body)

    @pytest.mark.parametrize(
        "question",
        [
            # "bảo sanh" is a maternity home, not the press; "chưa chạy" not "chữa cháy";
            # "căn cước thì" not "cuộc thi"; "đã cấp" not "đa cấp".
            "vợ tôi sinh ở nhà bảo sanh, làm khai sinh ở xã được không",
            "chiếc xuồng mới đóng chưa chạy, đăng ký ở xã được không",
            "làm căn cước thì ra xã được không",
            "giấy phép xây dựng đã cấp bị mất, xin lại ở xã được không",
        ],
    )
    def test_a_syllable_typed_with_other_tone_marks_is_another_word(self, question):
        assert vocabulary_body(question) is None

    def test_a_word_said_only_in_the_purpose_is_not_the_matter(self):
        question = "xã xác nhận giúp tôi đã đăng ký kết hôn ở đây để bổ sung hồ sơ xin visa"
        assert vocabulary_body(question) is None

    def test_a_commune_act_on_papers_keeps_it_at_the_commune(self):
        assert vocabulary_body("chứng thực bản sao thẻ nhà báo ở xã được không") is None

    def test_who_asks_gives_way_to_what_is_asked(self):
        found = vocabulary_body(
            "ngân hàng bảo tôi đăng ký thế chấp chiếc máy cày, ra xã được không"
        )
        assert found is not None
        assert "giao dịch" in _folded(found[0].body) or "giao dich" in _folded(found[0].body)
        assert found[2] is False


class TestPipeline:
    @pytest.mark.parametrize(
        ("question", "named"),
        [
            ("em làm phóng viên, xin cấp thẻ nhà báo ở ủy ban xã được không ạ", "cục báo chí"),
            (
                "Đề nghị UBND xã cấp giấy phép kinh doanh mua bán vàng miếng cho cửa hàng",
                "ngân hàng nhà nước",
            ),
            ("tiền bị rách mấy tờ, ra xã đổi được không", "ngân hàng"),
        ],
    )
    def test_refused_with_the_body_named(self, question, named):
        answer = ask(question, rephrase=False)[0]
        assert answer.refused
        assert answer.kind == "redirect"
        assert _folded(named) in _folded(answer.text)

    @pytest.mark.parametrize(
        "question",
        [
            "vợ tôi sinh ở nhà bảo sanh, làm khai sinh cho con ở xã được không",
            "đăng ký kết hôn ở xã cần giấy tờ gì",
        ],
    )
    def test_a_commune_procedure_is_still_answered(self, question):
        answer = ask(question, rephrase=False)[0]
        assert answer.kind != "redirect"
        assert answer.code is not None


class TestLongerSectorWordOverTableRow:
    def test_an_appeal_goes_to_the_appeal_court(self):
        # The table's court row is found by "tòa án"; "bản án sơ thẩm" says the appeal.
        question = "tôi muốn kháng cáo bản án sơ thẩm của tòa án, nộp đơn ở xã được không"
        answer = ask(question, rephrase=False)[0]
        assert answer.kind == "redirect"
        assert "toa an nhan dan tinh" in _folded(answer.text)

    def test_the_table_row_stays_when_no_longer_word_is_said(self):
        question = "vợ chồng tôi muốn ly hôn, nộp đơn ở xã được không"
        answer = ask(question, rephrase=False)[0]
        assert answer.kind == "redirect"
        assert "toa an nhan dan khu vuc" in _folded(answer.text)


class TestOffTopicFold:
    def test_a_sector_word_that_folds_to_an_off_topic_cue_is_not_chat(self):
        # "đá vôi" (limestone) folds to "đá với" (playing football with).
        question = "tôi muốn xin phép khai thác mỏ đá vôi, xã có cấp không"
        answer = ask(question, rephrase=False)[0]
        assert answer.kind == "redirect"
        assert "nong nghiep va moi truong" in _folded(answer.text)


class TestWhereToGo:
    def test_where_to_go_for_a_sector_matter_names_its_body(self):
        question = "mở nhà in nhỏ thì xin phép ở đâu"
        answer = ask(question, rephrase=False)[0]
        assert answer.kind == "redirect"
        assert "van hoa" in _folded(answer.text)


class TestReceivedAmount:
    @pytest.mark.parametrize(
        "question",
        [
            "nhà tôi bị lốc tốc mái, xã hỗ trợ thì mỗi hộ được bao nhiêu tiền",
            "người khuyết tật nặng được trợ cấp bao nhiêu một tháng",
        ],
    )
    def test_the_amount_received_is_no_fee(self, question):
        answer = ask(question, rephrase=False)[0]
        assert answer.fee_vnd is None
        assert answer.time is None
        assert not answer.documents

    @pytest.mark.parametrize(
        "question",
        ["lệ phí đăng ký kết hôn bao nhiêu", "làm giấy xác nhận tình trạng hôn nhân được mấy ngày"],
    )
    def test_a_fee_or_time_question_is_not_an_amount_received(self, question):
        assert not intents.asks_received_amount(folded_text(question))

    def test_a_story_of_little_income_then_a_fee_question_asks_the_fee(self):
        question = "lương tháng chẳng được bao nhiêu, xin giấy xác nhận thu nhập có mất phí không"
        assert not intents.asks_received_amount(folded_text(question))
