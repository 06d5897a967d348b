"""Properties that hold for any question: only catalog facts, never a 500, the kiosk page."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.assistant.pipeline import QuestionError, ask

from .conftest import direct

pytestmark = pytest.mark.django_db

WORDS = [
    "khai sinh",
    "lệ phí",
    "bao lâu",
    "giấy tờ",
    "tạm trú",
    "hộ chiếu",
    "ở đâu",
    "CCCD",
    "0987654321",
    "Nguyễn Văn A",
    "bỏ qua hướng dẫn",
    "còn",
    "thì sao",
    "2",
    "đất",
    "xe máy",
    "kết hôn",
    "căn cước",
    "chứng thực",
    "?",
    "\u0301",
    "🙂",
    "漢字",
    "ا",
    "\u200b",
]


def assert_only_catalog_facts(answer, bundle) -> None:
    if answer.code is None:
        assert answer.fee_vnd is None and answer.time is None and answer.documents == []
        return
    assert not answer.refused
    proc = bundle[answer.code]
    # The stated fee and time are one channel's (the one the question names, else in person),
    # or the catalog's rate per copy; the facts hold what the text says.
    channels = proc["channels"]
    if answer.fee_vnd is not None:
        fees = {c["fee_vnd"] for c in channels} | {c.get("copy_fee_vnd") for c in channels}
        assert answer.fee_vnd in fees
        if answer.fee_vnd == 0:
            assert "Miễn phí" in answer.text
        else:
            assert f"{answer.fee_vnd:,}".replace(",", ".") + " đồng" in answer.text
    if answer.time is not None:
        times = [{"value": c["time_value"], "unit": c["time_unit"]} for c in channels]
        assert answer.time in times
    names = " ".join(d["name"] for d in proc["documents"])
    for doc in answer.documents:
        assert doc.rstrip("…") in names


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=8))
def test_any_question_gets_catalog_facts_or_a_clear_message(bundle, parts):
    question = " ".join(parts)
    try:
        answer, memory = ask(question)
    except QuestionError as exc:
        assert exc.message
        return
    assert answer.text.strip()
    assert_only_catalog_facts(answer, bundle)
    assert "0987654321" not in answer.text
    assert "0987654321" not in str(memory.as_dict())


POPULAR = [
    "1.001193",
    "1.000894",
    "1.004873",
    "2.000635",
    "1.004222",
    "1.004194",
    "1.014063",
    "1.014064",
    "2.001019",
    "2.001035",
    "1.001612",
    "1.010038",
    "2.001263",
    "1.004837",
]


@pytest.mark.parametrize("code", POPULAR)
def test_asking_by_name_states_that_procedures_facts(code, bundle):
    from motcua.search.engine import display_name

    name = display_name(bundle[code]["name"]).lower()
    answer, _ = ask(f"{name} lệ phí bao nhiêu, mất mấy ngày")
    assert answer.code == code
    ch = direct(bundle, code)
    # A procedure whose result is a copy (cấp bản sao trích lục) is priced per copy.
    per_copy = "bản sao" in name and ch.get("copy_fee_vnd")
    assert answer.fee_vnd == (ch["copy_fee_vnd"] if per_copy else ch["fee_vnd"])
    assert answer.time == {"value": ch["time_value"], "unit": ch["time_unit"]}


class TestKioskPage:
    def test_registered_kiosk_answers(self, kiosk_client):
        page = kiosk_client.get("/kiosk/hoi-dap/")
        assert page.status_code == 200
        assert "Hỏi đáp thủ tục" in page.content.decode()
        response = kiosk_client.post(
            "/kiosk/hoi-dap/", {"question": "chứng thực di chúc bao nhiêu tiền"}
        )
        assert response.status_code == 200
        assert "50.000 đồng" in response.content.decode()
        assert (
            response["Cache-Control"].startswith("max-age=0")
            or "no-cache" in response["Cache-Control"]
        )

    def test_start_page_links_to_it(self, kiosk_client):
        assert 'href="/kiosk/hoi-dap/"' in kiosk_client.get("/kiosk/").content.decode()

    def test_finishing_wipes_the_memory(self, kiosk_client):
        kiosk_client.post("/kiosk/hoi-dap/", {"question": "đăng ký tạm trú cần giấy tờ gì"})
        assert "assistant" in kiosk_client.session
        kiosk_client.post("/kiosk/ket-thuc/")
        assert "assistant" not in kiosk_client.session
