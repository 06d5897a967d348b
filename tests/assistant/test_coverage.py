"""Commune matters the catalog does not hold: no procedure's fee, time or documents stated as if
they answered the question; the nearest procedures offered as links only; the center's phone
when its settings have one. Questions written for these tests (the probe set is
tests/data/assistant.coverage.jsonl)."""

from __future__ import annotations

import pytest

from motcua.assistant.intents import asks_local_fact, asks_status, folded_text
from motcua.assistant.pipeline import Memory, ask
from motcua.centers.models import Center

from .conftest import direct

pytestmark = pytest.mark.django_db


def _states_nothing(answer) -> None:
    assert answer.kind == "not_in_catalog"
    assert answer.code is None
    assert answer.refused is False
    assert answer.facts() == {"fee_vnd": None, "time": None, "documents": []}
    assert "Lệ phí:" not in answer.text
    assert "Thời hạn giải quyết:" not in answer.text
    assert "Giấy tờ cần nộp" not in answer.text


class TestAsksLocalFact:
    @pytest.mark.parametrize(
        "question",
        [
            "số điện thoại của bộ phận một cửa là bao nhiêu",
            "cho tôi xin sdt cán bộ địa chính",
            "đường dây nóng của ủy ban xã là số nào vậy",
            "chủ tịch xã bây giờ là ai",
            "ai phụ trách hộ tịch ở xã",
            "lịch tiếp công dân của xã tháng này",
            "giờ làm việc buổi chiều của trung tâm",
            "chủ nhật trung tâm có làm việc không",
        ],
    )
    def test_questions_about_the_commune_itself(self, question):
        assert asks_local_fact(folded_text(question))

    @pytest.mark.parametrize(
        "question",
        [
            # The citizen's own number is the matter: a residence-data correction.
            "tôi đổi số điện thoại thì cập nhật thông tin cư trú thế nào",
            "bạn là ai",
            "đăng ký khai sinh ở đâu",
            "làm căn cước mất bao lâu",
            "người giám hộ cần điều kiện gì",
            # Why the citizen writes online, not what is asked.
            "hôm qua lên xã thì hết giờ làm việc, cho hỏi làm lại thẻ bảo hiểm y tế cần gì",
            "den noi thi qua gio lam viec roi, vay tach ho can giay to gi",
        ],
    )
    def test_procedure_questions_are_not(self, question):
        assert not asks_local_fact(folded_text(question))


class TestLocalFactAnswer:
    def test_no_facts_and_a_way_to_ask(self):
        answer, memory = ask("cho em xin số điện thoại của cán bộ địa chính xã với ạ")
        _states_nothing(answer)
        assert "Trung tâm" in answer.text
        assert answer.candidates == []
        assert memory.code is None

    def test_the_centers_phone_when_its_settings_have_one(self):
        Center.objects.create(
            agency_code="000.00.99.H99",
            name="Trung tâm thử",
            commune="Xã Thử",
            province="Tỉnh Thử",
            phone="0203 3888 999",
        )
        answer, _ = ask("giờ làm việc buổi sáng của trung tâm là mấy giờ")
        _states_nothing(answer)
        assert "0203 3888 999" in answer.text

    def test_no_phone_when_several_centers_could_be_meant(self):
        for i, phone in enumerate(("0203 1111 111", "0203 2222 222")):
            Center.objects.create(
                agency_code=f"000.00.9{i}.H99",
                name=f"Trung tâm {i}",
                commune=f"Xã {i}",
                province="Tỉnh Thử",
                phone=phone,
            )
        answer, _ = ask("đường dây nóng của xã là số nào")
        assert "0203 1111 111" not in answer.text
        assert "0203 2222 222" not in answer.text
        assert "đường dây nóng" in answer.text


class TestMatterNotInCatalog:
    @pytest.mark.parametrize(
        "question",
        [
            "xin giấy xác nhận thân nhân liệt sĩ để lo việc thờ cúng cần những gì",
            "thôn tổ chức văn nghệ mừng lễ hội đình làng xin phép thế nào",
        ],
    )
    def test_says_so_and_offers_links_only(self, question):
        answer, memory = ask(question)
        _states_nothing(answer)
        assert "chưa có thủ tục nào đúng với việc bạn hỏi" in answer.text
        assert "Có thể bạn cần:" in answer.text
        assert 1 <= len(answer.candidates) <= 3
        for candidate in answer.candidates:
            assert f"/thu-tuc/{candidate['code']}/" in candidate["link"]
            assert candidate["link"] in answer.text
        assert memory.code is None

    def test_jsonl_line_keeps_the_interface(self):
        answer, _ = ask("thôn tổ chức văn nghệ mừng lễ hội đình làng xin phép thế nào")
        line = answer.as_json()
        assert set(line) == {"answer", "code", "refused", "facts"}
        assert line["code"] is None
        assert line["refused"] is False
        assert line["facts"] == {"fee_vnd": None, "time": None, "documents": []}


class TestInCatalogStillAnswered:
    """The cost to watch: a question the catalog holds, asked in everyday words the formal
    catalog never uses, must still get that procedure's facts."""

    @pytest.mark.parametrize(
        ("question", "code"),
        [
            ("hai đứa quen nhau mười năm giờ ra xã đăng ký kết hôn có mất tiền không", "1.000894"),
            (
                "thằng út nhà tôi mới tròn mười bảy, đăng ký nghĩa vụ quân sự lần đầu tốn bao nhiêu",
                "1.013133",
            ),
            (
                "bố mẹ già muốn làm di chúc chia mảnh vườn cho con, chứng thực di chúc bao nhiêu tiền",
                "2.001019",
            ),
        ],
    )
    def test_fee_stated(self, question, code, bundle):
        answer, _ = ask(question)
        assert answer.kind == "facts"
        assert answer.code == code
        assert answer.fee_vnd == direct(bundle, code)["fee_vnd"]


class TestDossierStatus:
    @pytest.mark.parametrize(
        "question",
        [
            "hồ sơ đất của nhà tôi giờ đang ở bước nào rồi",
            "hồ sơ tách hộ nộp hôm trước đến bước nào rồi ạ",
        ],
    )
    def test_points_to_tracking(self, question):
        assert asks_status(folded_text(question))
        answer, _ = ask(question, memory=Memory())
        assert answer.kind == "status"
        assert "/ho-so/tra-cuu/" in answer.text
        assert answer.facts() == {"fee_vnd": None, "time": None, "documents": []}


class TestPhoneInAProcedureQuestion:
    def test_a_citizens_number_then_a_fee_question_is_about_the_procedure(self, bundle):
        # The guard removes the number; "sđt … hết bao nhiêu tiền" still asks the fee.
        answer, _ = ask("sđt tôi 0987654321, đăng ký tạm trú hết bao nhiêu tiền")
        assert answer.code == "1.004194"
        assert answer.fee_vnd == direct(bundle, "1.004194")["fee_vnd"]
