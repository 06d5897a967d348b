"""Fee and time answers: one class per cause of a wrong fee or time found on the development
sets (issue 12). The questions are written for these tests; expected values are read from the
bundled catalog, the only source an answer may use."""

from __future__ import annotations

import pytest

from motcua.assistant.compose import compose
from motcua.assistant.facts import procedure_facts
from motcua.assistant.intents import (
    Topic,
    asked_channel,
    asks_copies,
    cue_text,
    finder_text,
    topics,
)
from motcua.assistant.pipeline import _facts_differ, _names_the_action, ask

from .conftest import direct

pytestmark = pytest.mark.django_db


def channel_of(bundle: dict, code: str, channel: str) -> dict:
    return next(c for c in bundle[code]["channels"] if c["channel"] == channel)


class TestCueSpelling:
    """Folding makes "tiện" (phương tiện), "tiên" (đầu tiên) and "phi" (phi nông nghiệp) look
    like "tiền" and "phí": they asked the fee and were cut out of what the finder read."""

    @pytest.mark.parametrize(
        "question",
        [
            "đăng ký phương tiện thủy cần giấy tờ gì",
            "dang ky phuong tien thuy can giay to gi",
            "lần đầu tiên làm căn cước cần giấy tờ gì",
            "chuyển sang đất phi nông nghiệp cần giấy tờ gì",
            "chuyen sang dat phi nong nghiep can giay to gi",
        ],
    )
    def test_words_that_only_look_like_money_ask_no_fee(self, question):
        assert topics(cue_text(question)) == [Topic.DOCUMENTS]

    @pytest.mark.parametrize(
        "question",
        ["đăng ký tạm trú hết bao nhiêu tiền", "dang ky tam tru het bao nhieu tien", "phí tách hộ"],
    )
    def test_money_is_still_a_fee_question(self, question):
        assert topics(cue_text(question)) == [Topic.FEE]

    def test_the_finder_keeps_the_procedures_words(self):
        text = finder_text("đăng ký phương tiện thủy lần đầu thì lệ phí bao nhiêu")
        assert "phương tiện" in text
        assert "lệ phí" not in text

    def test_a_boat_registration_fee_is_the_boat_registrations(self, bundle):
        answer, _ = ask("xuồng máy mới mua, đăng ký phương tiện thủy nội địa lần đầu lệ phí ra sao")
        # The two first-registration procedures (in service or not yet) charge the same.
        assert answer.code in {"1.004088", "1.004047"}
        assert answer.fee_vnd == direct(bundle, answer.code)["fee_vnd"] == 70000

    @pytest.mark.parametrize(
        ("question", "expected"),
        [
            ("đăng ký nghĩa vụ quân sự mất mấy tiếng", [Topic.TIME]),
            ("xin thêm bản trích lục thì mỗi bản bao nhiêu", [Topic.FEE]),
            ("cần nộp bao nhiêu bộ hồ sơ", [Topic.DOCUMENTS]),
        ],
    )
    def test_hours_and_a_bare_amount(self, question, expected):
        assert topics(cue_text(question)) == expected

    @pytest.mark.parametrize(
        ("question", "expected"),
        [
            ("cấp lại căn cước chừng nào có", [Topic.TIME]),
            ("xác nhận cư trú có lấy liền được không", [Topic.TIME]),
            ("tách hộ bữa nào lấy", [Topic.TIME]),
            ("khai tử mất nhiêu ngày", [Topic.TIME]),
            ("làm tạm vắng tốn nhiêu", [Topic.FEE]),
            ("chứng thực hết mấy đồng", [Topic.FEE]),
            ("đăng ký giám hộ có tốn gì không", [Topic.FEE]),
            ("mần giấy chứng tử có tốn chi không", [Topic.FEE]),
            ("chứng thực chữ ký bao nhiêu một lần", [Topic.FEE]),
            # "nhiều" (much) is not "nhiêu" (how much) once tone marks are typed.
            ("làm thủ tục này có tốn nhiều công không", []),
        ],
    )
    def test_everyday_ways_of_asking_when_and_how_much(self, question, expected):
        assert topics(cue_text(question)) == expected

    @pytest.mark.parametrize(
        "question",
        [
            "Đề nghị hướng dẫn hồ sơ đăng ký kinh doanh hộ cá thể.",
            "kính đề nghị hướng dẫn lập hồ sơ xin trợ cấp mai táng",
        ],
    )
    def test_a_letter_asking_for_guidance_on_the_dossier_asks_its_papers(self, question):
        assert Topic.DOCUMENTS in topics(cue_text(question))


class TestCopyFee:
    """Copies of a civil-status extract cost a rate per copy (TT 281/2016/TT-BTC): asked per
    copy, that rate is the fee, in the answer and in its facts."""

    def test_a_procedure_that_issues_copies_states_the_rate_per_copy(self, bundle):
        answer, _ = ask("xin cấp bản sao trích lục kết hôn thì mỗi bản bao nhiêu tiền")
        assert answer.code == "2.000635"
        rate = direct(bundle, "2.000635")["copy_fee_vnd"]
        assert answer.fee_vnd == rate == 8000
        assert "8.000 đồng cho mỗi bản sao" in answer.text

    def test_registration_without_copies_is_still_free(self, bundle):
        answer, _ = ask("làm giấy khai sinh cho em bé có tốn tiền không")
        assert answer.code == "1.001193"
        assert answer.fee_vnd == direct(bundle, "1.001193")["fee_vnd"] == 0
        assert "Miễn phí" in answer.text

    @pytest.mark.parametrize(
        ("question", "copies"),
        [
            ("xin thêm bản sao giấy khai sinh", True),
            ("mỗi bản giá bao nhiêu", True),
            ("đăng ký kết hôn cần bản sao căn cước không", False),
        ],
    )
    def test_asks_copies(self, question, copies):
        assert asks_copies(cue_text(question)) is copies


class TestChannel:
    """The fee and time stated are those of the way of submitting the question names; the
    in-person one when it names none."""

    @pytest.mark.parametrize(
        ("question", "channel"),
        [
            ("nộp online được không", "online"),
            ("gửi qua bưu điện thì sao", "postal"),
            ("nộp trực tiếp tại quầy", "direct"),
            ("nộp trực tiếp hay trực tuyến thì rẻ hơn", None),
            ("lệ phí bao nhiêu", None),
        ],
    )
    def test_asked_channel(self, question, channel):
        assert asked_channel(cue_text(question)) == channel

    def test_online_fee_when_the_question_says_online(self, bundle):
        answer, _ = ask("tách hộ nộp online thì lệ phí bao nhiêu")
        assert answer.code == "1.010038"
        assert answer.fee_vnd == channel_of(bundle, "1.010038", "online")["fee_vnd"]
        assert "(nộp trực tuyến)" in answer.text

    def test_in_person_fee_otherwise(self, bundle):
        answer, _ = ask("tách hộ khẩu lệ phí bao nhiêu")
        assert answer.fee_vnd == direct(bundle, "1.010038")["fee_vnd"]
        assert answer.fee_vnd != channel_of(bundle, "1.010038", "online")["fee_vnd"]

    def test_online_time_in_hours(self, bundle):
        answer, _ = ask("đăng ký nghĩa vụ quân sự lần đầu qua mạng mất mấy tiếng")
        ch = channel_of(bundle, "1.013133", "online")
        assert answer.code == "1.013133"
        assert answer.time == {"value": ch["time_value"], "unit": "hours"}

    def test_a_channel_the_procedure_lacks_is_said_and_the_in_person_one_stated(self, bundle):
        answer, _ = ask("hòa giải tranh chấp đất đai nộp trực tuyến thì bao lâu")
        ch = direct(bundle, "1.012812")
        assert answer.code == "1.012812"
        assert answer.time == {"value": ch["time_value"], "unit": ch["time_unit"]}
        assert "không có hình thức nộp trực tuyến" in answer.text

    def test_in_person_words_do_not_steer_the_finder(self, bundle):
        # Vehicle procedures' names say "trực tiếp thực hiện tại cấp xã".
        answer, _ = ask("đăng ký tạm trú nộp trực tiếp ở công an thì lệ phí là bao nhiêu")
        assert answer.code == "1.004194"
        assert answer.fee_vnd == direct(bundle, "1.004194")["fee_vnd"]


class TestChannelFollowUp:
    def test_naming_a_channel_after_a_fee_question_asks_that_channels_fee(self, bundle):
        first, memory = ask("lệ phí tách hộ là bao nhiêu")
        assert first.fee_vnd == direct(bundle, "1.010038")["fee_vnd"]
        second, _ = ask("thế nộp qua mạng thì sao", memory=memory)
        assert second.code == "1.010038"
        assert second.fee_vnd == channel_of(bundle, "1.010038", "online")["fee_vnd"]

    def test_a_follow_up_made_of_request_words_reuses_the_procedure(self):
        _first, memory = ask("đăng ký khai tử cần giấy tờ gì")
        second, _ = ask("có gửi qua bưu điện được không", memory=memory)
        assert second.code == "1.000656"
        assert "Gửi qua bưu chính: có" in second.text


class TestConditionalFee:
    def test_a_fee_with_a_temporary_rate_quotes_the_catalogs_rule(self, bundle):
        answer, _ = ask("cấp lại thẻ căn cước mất bao nhiêu tiền")
        ch = direct(bundle, "1.014064")
        assert answer.fee_vnd == ch["fee_vnd"]
        assert "Ghi chú trong danh mục" in answer.text
        assert "31/12/2026" in answer.text
        assert ch["fee_note"][-60:] in answer.text

    def test_a_plain_fee_has_no_note(self):
        answer, _ = ask("chứng thực di chúc hết bao nhiêu tiền")
        assert answer.fee_vnd == 50000
        assert "Ghi chú" not in answer.text


class TestSpecificName:
    """A question that says every word of a longer name is about that procedure, not the
    shorter one inside it: no clarifying question, no plain "đăng ký kết hôn"."""

    @pytest.mark.parametrize(
        ("question", "code"),
        [
            ("làm đăng ký kết hôn lưu động cho người già yếu thì mấy ngày xong", "1.000593"),
            ("đăng ký lại kết hôn vì sổ gốc bị cháy thì bao lâu", "1.004746"),
            ("đăng ký kết hôn mất mấy ngày", "1.000894"),
        ],
    )
    def test_the_procedure_named_in_full_is_answered(self, question, code, bundle):
        answer, _ = ask(question)
        ch = direct(bundle, code)
        assert answer.kind == "facts"
        assert answer.code == code
        assert answer.time == {"value": ch["time_value"], "unit": ch["time_unit"]}

    def test_a_boat_built_is_not_a_licence_to_operate(self, bundle):
        # "đóng" (built) folds like "động" (hoạt động): with tone marks typed it is not the
        # licence's "Cấp giấy phép hoạt động"; the registration named in full is answered.
        answer, _ = ask("đóng xong chiếc thuyền gỗ, đăng ký phương tiện lần đầu hết bao nhiêu")
        assert answer.code in {"1.004088", "1.004047"}
        assert answer.fee_vnd == direct(bundle, answer.code)["fee_vnd"]

    def test_the_confirmation_is_kept_when_the_question_names_it(self):
        answer, _ = ask("xác nhận diện tích nhà ở để đăng ký thường trú vào nhà thuê cần gì")
        assert answer.code == "1.013314"


class TestNamesTheAction:
    @pytest.fixture
    def index(self, engine):
        return {doc.code: i for i, doc in enumerate(engine.docs)}

    def test_the_question_says_one_procedures_action_and_none_of_the_other(self, engine, index):
        text = "đăng ký thường trú vào nhà đang thuê"
        confirm, register = index["1.013314"], index["1.004222"]
        assert _names_the_action(engine, text, confirm, register)
        assert not _names_the_action(engine, text, register, confirm)

    def test_a_word_of_the_first_action_keeps_the_first(self, engine, index):
        text = "xác nhận để đăng ký thường trú vào nhà đang thuê"
        assert not _names_the_action(engine, text, index["1.013314"], index["1.004222"])

    def test_tone_marks_tell_apart_words_that_fold_alike(self, engine, index):
        licence, register = index["1.014859"], index["1.004088"]
        assert _names_the_action(engine, "đóng ghe, đăng ký phương tiện lần đầu", licence, register)
        # Typed without tone marks "dong" may be "động": the finder's order stands.
        assert not _names_the_action(
            engine, "dong ghe, dang ky phuong tien lan dau", licence, register
        )


class TestConditionalTime:
    """A time limit that depends on the case is stated with the catalog's rule; the facts hold
    the headline value the answer states, or nothing when the catalog gives none."""

    def test_a_second_duration_for_some_cases_is_quoted(self, bundle):
        ch = direct(bundle, "1.002693")
        answer = compose(procedure_facts("1.002693", use_database=False), [Topic.TIME])
        assert answer.time == {"value": ch["time_value"], "unit": ch["time_unit"]}
        assert "Ghi chú trong danh mục" in answer.text
        assert "20 ngày làm việc đối với trường hợp" in answer.text

    def test_no_headline_value_states_none_and_quotes_the_rule(self):
        answer = compose(procedure_facts("1.004680", use_database=False), [Topic.TIME])
        assert answer.time is None
        assert "chưa ghi thời hạn" in answer.text
        assert "03 ngày làm việc" in answer.text

    def test_a_single_duration_has_no_note(self, bundle):
        answer, _ = ask("đăng ký khai sinh mất mấy ngày")
        assert answer.time == {"value": 1, "unit": "working_days"}
        assert "Ghi chú" not in answer.text


class TestFactsDiffer:
    """Asking back which procedure is useful only when the answers would differ."""

    def test_siblings_with_the_same_fee_are_not_asked_about(self):
        assert not _facts_differ(["1.004088", "1.004047"], [Topic.FEE], channel=None, copies=False)

    def test_guardianship_and_its_end_differ_in_time_not_in_fee(self):
        pair = ["1.004837", "1.004845"]
        assert _facts_differ(pair, [Topic.TIME], channel=None, copies=False)
        assert not _facts_differ(pair, [Topic.FEE], channel=None, copies=False)

    def test_the_copy_rate_counts_when_copies_are_asked(self):
        # Copies from the register are free; extracts cost a rate per copy.
        pair = ["2.000908", "2.000635"]
        assert _facts_differ(pair, [Topic.FEE], channel=None, copies=True)

    def test_steps_are_always_worth_asking(self):
        assert _facts_differ(["1.004088", "1.004047"], [Topic.STEPS], channel=None, copies=False)


class TestChannelWithoutValue:
    def test_a_named_channel_without_a_fee_falls_back_to_in_person_and_says_so(self, bundle):
        # Military-service registration: in person free, online fee not given by the catalog.
        assert channel_of(bundle, "1.013133", "online")["fee_vnd"] is None
        answer, _ = ask("đăng ký nghĩa vụ quân sự lần đầu online có mất phí không")
        assert answer.code == "1.013133"
        assert answer.fee_vnd == direct(bundle, "1.013133")["fee_vnd"]
        assert "Danh mục không ghi lệ phí cho hình thức nộp trực tuyến" in answer.text
