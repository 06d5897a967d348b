"""The optional language model may reword; the guardrail throws away anything it adds.

A tiny OpenAI-compatible server runs in the test and answers in one of several ways, some of
them lies; the citizen must only ever see catalog facts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from motcua.assistant.pipeline import ask

pytestmark = pytest.mark.django_db

MARKER = "Câu trả lời cần viết lại:\n"


class FakeModel(BaseHTTPRequestHandler):
    mode = "honest"
    calls: list[str] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        type(self).calls.append(prompt)
        composed = prompt.split(MARKER, 1)[1]
        text = {
            "honest": "Dạ, xin trả lời như sau.\n" + composed,
            "wrong_fee": composed.replace("10.000 đồng", "15.000 đồng"),
            "invented_time": composed + "\nThường thì 2 ngày là xong.",
            "invented_office": composed + "\nBạn cũng có thể nộp tại Sở Tư pháp tỉnh.",
            "invented_document": composed + "\nNhớ mang theo giấy khám sức khỏe.",
            "invented_link": composed + "\nXem thêm https://vi-du.invalid/le-phi",
            "drops_link": composed.split("Xem chi tiết")[0],
            "empty": "",
        }.get(type(self).mode)
        if type(self).mode == "garbage":
            payload = b"not json"
        else:
            payload = json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": text}}]}
            ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def fake_model(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MOTCUA_ASSISTANT_LLM_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.MOTCUA_ASSISTANT_LLM_TIMEOUT = 5
    FakeModel.calls = []
    yield FakeModel
    server.shutdown()
    server.server_close()


QUESTION = "đăng ký tạm trú hết bao nhiêu tiền"


def composed_answer() -> str:
    answer, _ = ask(QUESTION, rephrase=False)
    return answer.text


class TestGuardrail:
    def test_an_honest_rewording_is_used(self, fake_model):
        fake_model.mode = "honest"
        answer, _ = ask(QUESTION)
        assert answer.rephrased
        assert answer.text.startswith("Dạ, xin trả lời")
        assert answer.fee_vnd == 10000

    @pytest.mark.parametrize(
        "mode",
        [
            "wrong_fee",
            "invented_time",
            "invented_office",
            "invented_document",
            "invented_link",
            "drops_link",
            "empty",
            "garbage",
        ],
    )
    def test_a_lie_falls_back_to_the_composed_answer(self, fake_model, mode):
        fake_model.mode = mode
        answer, _ = ask(QUESTION)
        assert len(fake_model.calls) == 1
        assert not answer.rephrased
        assert answer.text == composed_answer()

    def test_a_model_that_lies_sometimes_never_gets_through(self, fake_model):
        truth = composed_answer()
        for mode in ["honest", "wrong_fee", "honest", "invented_office", "invented_time"] * 2:
            fake_model.mode = mode
            answer, _ = ask(QUESTION)
            assert answer.rephrased == (mode == "honest")
            if not answer.rephrased:
                assert answer.text == truth

    def test_the_model_never_sees_personal_data(self, fake_model):
        fake_model.mode = "honest"
        ask("tôi là Trần Văn Hùng, sđt 0987654321, đăng ký tạm trú hết bao nhiêu tiền")
        assert fake_model.calls
        assert "0987654321" not in fake_model.calls[0]
        assert "Trần Văn Hùng" not in fake_model.calls[0]

    def test_unreachable_endpoint_keeps_the_composed_answer(self, settings):
        settings.MOTCUA_ASSISTANT_LLM_URL = "http://127.0.0.1:9"  # discard port: refused
        settings.MOTCUA_ASSISTANT_LLM_TIMEOUT = 1
        answer, _ = ask(QUESTION)
        assert not answer.rephrased
        assert answer.text == composed_answer()

    def test_refusals_are_never_sent_to_the_model(self, fake_model):
        fake_model.mode = "honest"
        answer, _ = ask("thời tiết ngày mai thế nào")
        assert answer.refused
        assert fake_model.calls == []
