"""A request that names a commune procedure clearly is answered: a redirect, "not in the
catalog" or another variant must not override it on words that only look like another matter
(a phrase run across punctuation, a clause that says the case is not foreign, a question
whether the commune holds a procedure). Questions written for these tests, not taken from
labelled sets."""

from __future__ import annotations

import pytest

from motcua.assistant import intents
from motcua.assistant.pipeline import _one_said_apart, _says_name_whole, _siblings_apart, ask
from motcua.search.normalize import spelled_alike

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"
MARRIAGE = "1.000894"
MOBILE_MARRIAGE = "1.000593"


class TestClauses:
    def test_a_term_never_runs_across_punctuation(self):
        # "tuần trước, bà nội" is no "trước bạ" (registration tax).
        text = "Chị tôi sinh em bé tuần trước, bà nội đi làm giấy khai sinh"
        assert intents.other_body(intents.folded_text(text), text) is None

    def test_a_term_within_a_clause_is_still_said(self):
        text = "Mua xe máy mới, nộp lệ phí trước bạ ở đâu"
        body = intents.other_body(intents.folded_text(text), text)
        assert body is not None and body.id == "registration_tax"

    def test_a_sector_word_never_runs_across_punctuation(self):
        assert intents.vocabulary_match("Con tôi đi học về nhà, báo cho tôi là mất giấy") is None
        assert intents.vocabulary_match("xin cấp thẻ nhà báo ở đâu") is not None

    def test_break_pairs(self):
        assert intents.break_pairs("sau mùa gặt, nghe đồn. Vậy") == {"gat nghe", "don vay"}

    def test_birth_registration_fee_is_answered(self):
        answer = ask(
            "Chị tôi sinh em bé ở trạm y tế tuần trước, bà nội đi làm giấy khai sinh cho cháu "
            "có mất lệ phí không?",
            rephrase=False,
        )[0]
        assert (answer.kind, answer.code, answer.fee_vnd) == ("facts", BIRTH, 0)

    def test_a_word_pair_across_a_comma_is_no_uncatalogued_matter(self):
        answer = ask(
            "Bọn cháu định đăng ký kết hôn sau mùa gặt, nghe đồn mất phí, hết bao nhiêu ạ?",
            rephrase=False,
        )[0]
        assert (answer.kind, answer.code, answer.fee_vnd) == ("facts", MARRIAGE, 0)


class TestNotForeign:
    @pytest.mark.parametrize(
        "question",
        [
            "Hai đứa tôi cùng quốc tịch Việt Nam, đăng ký kết hôn ở xã có phải nộp lệ phí không?",
            "Vợ chồng tôi đều mang quốc tịch Việt Nam, đăng ký kết hôn thì nộp lệ phí bao nhiêu?",
            "Hai người không có yếu tố nước ngoài đăng ký kết hôn thì lệ phí bao nhiêu?",
        ],
    )
    def test_the_plain_registration(self, question):
        answer = ask(question, rephrase=False)[0]
        assert (answer.code, answer.fee_vnd) == (MARRIAGE, 0)

    @pytest.mark.parametrize(
        "text",
        [
            "đều là người Việt kiều, đăng ký kết hôn",
            "đều là người Việt Nam định cư ở nước ngoài",
            "đăng ký kết hôn với người nước ngoài",
        ],
    )
    def test_a_foreign_case_keeps_its_words(self, text):
        assert intents.without_negated_clauses(text) == text


class TestWhetherTheCommuneDoesIt:
    def test_a_procedure_after_to_chuc_is_no_local_fact(self):
        assert not intents.asks_local_fact(
            intents.folded_text("xã có tổ chức đăng ký kết hôn lưu động tại bản không")
        )
        assert intents.asks_local_fact(intents.folded_text("xã có tổ chức giải bóng đá không"))

    def test_mobile_marriage_fee(self):
        answer = ask(
            "Bản tôi xa trung tâm, xã có tổ chức đăng ký kết hôn lưu động không, có mất phí không?",
            rephrase=False,
        )[0]
        assert (answer.code, answer.fee_vnd) == (MOBILE_MARRIAGE, 0)


class TestCues:
    @pytest.mark.parametrize(
        "question",
        [
            "đăng ký giám hộ cho cháu thì phải nộp những tờ gì",
            "xin trích lục khai tử cần nộp những gì ạ",
            "hộ kinh doanh chấm dứt hoạt động thì cần biên bản gì",
        ],
    )
    def test_documents(self, question):
        assert intents.topics(intents.cue_text(question)) == [intents.Topic.DOCUMENTS]

    @pytest.mark.parametrize(
        "question",
        ["đăng ký khai tử cho bà thì có phải đóng khoản nào không", "làm giám hộ trả khoản gì"],
    )
    def test_fee(self, question):
        assert intents.topics(intents.cue_text(question)) == [intents.Topic.FEE]


class TestNamedWordForWord:
    @pytest.fixture
    def index(self, engine):
        return {doc.code: i for i, doc in enumerate(engine.docs)}

    def test_the_procedure_named_is_answered(self):
        # the story's words ("khuyết tật") drew the finder to another procedure
        question = "Đăng ký kết hôn lưu động cho người khuyết tật có mất phí không?"
        assert ask(question, rephrase=False)[0].code == MOBILE_MARRIAGE

    @pytest.mark.parametrize(
        ("text", "top", "named"),
        [
            ("đăng ký thường trú vào nhà thuê", "1.013314", "1.004222"),
            ("thời hạn giải quyết hồ sơ đăng ký thường trú", "1.010041", "1.004222"),
            ("lệ phí chứng thực việc sửa đổi hợp đồng thuê đất", "1.013949", "2.000913"),
            ("hồ sơ đăng ký thành lập tổ hợp tác", "1.005280", "2.002637"),
            # typed without tone marks, every spelling matches
            ("dang ky ket hon luu dong cho nguoi khuyet tat", "1.001699", MOBILE_MARRIAGE),
        ],
    )
    def test_the_opening_phrase_said_word_for_word(self, engine, index, text, top, named):
        assert _says_name_whole(engine, text, index[top], index[named])
        assert not _says_name_whole(engine, text, index[named], index[top])

    @pytest.mark.parametrize(
        ("text", "top", "other"),
        [
            # as much of the first's name said ("đăng ký kết hôn … nước ngoài")
            ("đăng ký kết hôn với người nước ngoài", "2.000806", MARRIAGE),
            # said only in the purpose: the paper is asked
            ("xin xác nhận tình trạng hôn nhân để đăng ký kết hôn", "1.004873", MARRIAGE),
        ],
    )
    def test_the_finders_first_stays(self, engine, index, text, top, other):
        assert not _says_name_whole(engine, text, index[top], index[other])


class TestSpelling:
    def test_a_term_typed_with_other_tone_marks_is_not_said(self):
        # "tháng trước bà đã mất" is no "trước bạ" (registration tax)
        text = "Cuối tháng trước bà đã mất tại nhà, giờ làm giấy khai tử"
        assert intents.other_body(intents.folded_text(text), text) is None

    def test_the_terms_own_spelling_and_no_tone_marks_are_said(self):
        for text in (
            "nộp lệ phí trước bạ xe máy",
            "nop truoc ba xe may",
        ):
            body = intents.other_body(intents.folded_text(text), text)
            assert body is not None and body.id == "registration_tax"


class TestSaidApart:
    @pytest.mark.parametrize(
        ("question", "codes", "alone"),
        [
            (
                "tranh chấp ranh đất, nộp đơn lên chủ tịch xã giải quyết",
                ["1.013967", "1.012812"],
                "1.013967",
            ),
            (
                "xin bản sao chứng thực hợp đồng mua bán đất đã chứng thực",
                ["2.001035", "2.000942", "2.000913"],
                "2.000942",
            ),
        ],
    )
    def test_the_one_whose_own_words_are_said(self, engine, question, codes, alone):
        assert _one_said_apart(engine, question, codes) == alone

    def test_none_said_or_both_said_asks_back(self, engine):
        codes = ["1.013967", "1.012812"]
        assert _one_said_apart(engine, "tranh chấp ranh đất với hàng xóm", codes) is None
        both = "chủ tịch xã giải quyết hay hòa giải tranh chấp đất"
        assert _one_said_apart(engine, both, codes) is None

    def test_a_land_dispute_deadline_is_answered(self):
        answer = ask(
            "Tranh chấp ranh đất với hàng xóm, nộp đơn lên chủ tịch xã giải quyết thì mất bao lâu?",
            rephrase=False,
        )[0]
        assert answer.code == "1.013967"

    @pytest.mark.parametrize(
        "text",
        # ngã typed for hỏi; the tone mark on the other vowel ("hoá", "hóa")
        ["xe ô tô tới hạn đăng kiễm thì đi đâu", "giấy tờ nước ngoài hợp pháp hoá ở đâu"],
    )
    def test_common_spellings_are_said(self, text):
        assert intents.other_body(intents.folded_text(text), text) is not None

    @pytest.mark.parametrize(
        ("typed", "spelled", "alike"),
        [
            ("hoá", "hóa", True),
            ("kiễm", "kiểm", True),
            ("ba", "bạ", True),
            ("bà", "bạ", False),
            ("đang", "đăng", False),
            ("dang", "đăng", True),
        ],
    )
    def test_spelled_alike(self, typed, spelled, alike):
        assert spelled_alike(typed, spelled) is alike


class TestSiblings:
    @pytest.fixture
    def index(self, engine):
        return {doc.code: i for i, doc in enumerate(engine.docs)}

    @pytest.mark.parametrize(
        ("text", "top", "named"),
        [
            # "đóng" only in "Công bố đóng cảng, bến thủy nội địa"
            ("tôi muốn đóng bến thủy nội địa", "1.009454", "1.009447"),
            # "hoạt động" only in "Chấm dứt hoạt động hộ kinh doanh"
            ("hộ kinh doanh của tôi thôi hoạt động", "1.001612", "1.001266"),
        ],
    )
    def test_the_word_apart_names_the_sibling(self, engine, index, text, top, named):
        assert _siblings_apart(engine, text, index[top], index[named])
        assert not _siblings_apart(engine, text, index[named], index[top])

    def test_words_of_both_or_tone_marks_keep_the_first(self, engine, index):
        # "hoạt động" and "đóng" both said; "đóng" typed with its tone mark is no "động"
        text = "bến thủy nội địa đang hoạt động muốn đóng"
        assert not _siblings_apart(engine, text, index["1.009454"], index["1.009447"])
        text = "bến thủy nội địa đóng"
        assert not _siblings_apart(engine, text, index["1.009447"], index["1.009454"])


class TestNegatedList:
    def test_the_list_after_a_negation_is_hidden(self):
        text = (
            "Nhà tôi không thuộc hộ nghèo, gia đình chính sách hay người khuyết tật, xin xác nhận"
        )
        kept = intents.without_negated_clauses(text)
        assert "khuyết tật" not in kept and "xin xác nhận" in kept

    def test_a_request_after_the_comma_is_kept(self):
        text = "không thuộc hộ nghèo, muốn xin xác nhận hay đăng ký hộ cận nghèo"
        assert "muốn xin xác nhận hay đăng ký hộ cận nghèo" in intents.without_negated_clauses(text)


class TestTheFirstsActionSaid:
    def test_the_confirmation_asked_stays(self, engine):
        index = {doc.code: i for i, doc in enumerate(engine.docs)}
        text = "xác nhận là con tôi đã được đăng ký khai sinh ở xã này"
        assert not _says_name_whole(engine, text, index["2.002516"], index[BIRTH])


class TestNoSiblings:
    def test_generic_shared_words_make_no_siblings(self, engine):
        # "Xóa đăng ký thường trú" and "Đăng ký kết hôn có yếu tố nước ngoài" share only
        # "đăng ký"; "có" (có cách nào) is no word apart
        index = {doc.code: i for i, doc in enumerate(engine.docs)}
        text = "tên em tôi còn trong hộ, có cách nào cho nó ra khỏi hộ không"
        assert not _siblings_apart(engine, text, index["1.003197"], index["2.000806"])


class TestAllowedAsked:
    @pytest.mark.parametrize(
        "question",
        [
            "cháu ba tuổi có làm thẻ căn cước được không?",
            "giấy khai sinh ghi sai tên, sửa lại được hông",
        ],
    )
    def test_may_i_is_the_conditions(self, question):
        assert intents.topics(intents.cue_text(question)) == [intents.Topic.CONDITIONS]

    def test_other_cues_come_first(self):
        question = "làm giấy khai sinh mất bao lâu, làm trong ngày được không"
        assert intents.Topic.CONDITIONS not in intents.topics(intents.cue_text(question))

    def test_a_childs_identity_card(self):
        answer = ask("Con gái tôi mới ba tuổi có làm thẻ căn cước được không?", rephrase=False)[0]
        assert answer.code == "1.014062"
