"""The JSON API, the web chat, the kiosk page and the command line: one pipeline behind all."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.assistant import services
from motcua.core.ratelimit import Limit

from .conftest import direct

pytestmark = pytest.mark.django_db

URL = "/api/v1/assistant"


def post(client, payload, **extra):
    return client.post(URL, data=json.dumps(payload), content_type="application/json", **extra)


class TestApi:
    def test_answer_with_facts(self, client, bundle):
        response = post(client, {"question": "đăng ký tạm trú hết bao nhiêu tiền"})
        assert response.status_code == 200
        data = response.json()
        assert data["code"] == "1.004194"
        assert data["refused"] is False
        assert data["facts"]["fee_vnd"] == direct(bundle, "1.004194")["fee_vnd"]
        assert data["link"].endswith("/thu-tuc/1.004194/")

    def test_follow_up_in_the_same_session(self, client):
        post(client, {"question": "đăng ký kết hôn cần giấy tờ gì"})
        data = post(client, {"question": "còn thời gian giải quyết thì sao?"}).json()
        assert data["code"] == "1.000894"
        assert data["facts"]["time"] is not None
        stored = client.session[services.SESSION_KEY]
        assert set(stored) == {"code", "topics", "candidates", "at"}

    def test_the_session_never_holds_the_question(self, client):
        post(client, {"question": "tôi tên Lê Văn Tám, sđt 0987654321, tạm trú cần gì"})
        stored = json.dumps(dict(client.session.items()), ensure_ascii=False)
        assert "0987654321" not in stored
        assert "Tám" not in stored

    @pytest.mark.parametrize(
        ("payload", "status"),
        [
            ({"question": ""}, 400),
            ({"question": "   "}, 400),
            ({"question": "a" * 10_000}, 400),
            ({"question": "khai sinh\x00"}, 400),
            ({}, 422),
            ({"question": 5}, 422),
            ({"question": ["khai sinh"]}, 422),
        ],
    )
    def test_bad_input_is_a_vietnamese_message(self, client, payload, status):
        response = post(client, payload)
        assert response.status_code == status
        detail = response.json()["detail"]
        assert detail and any(
            ch in detail for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
        )

    def test_mixed_scripts_and_control_characters_never_500(self, client):
        for question in ["khai sinh\u202e\u200b مرحبا 你好", "\u0301\u0301", "\t\n khai\rsinh"]:
            assert post(client, {"question": question}).status_code == 200

    def test_body_that_is_not_json(self, client):
        response = client.post(URL, data="{not json", content_type="application/json")
        assert response.status_code in (400, 422)
        assert response.json()["detail"]

    def test_rate_limited(self, client, monkeypatch):
        monkeypatch.setattr(services, "QUESTIONS_PER_ADDRESS", Limit("assistant:test", 2, 60))
        for _ in range(2):
            assert post(client, {"question": "khai sinh"}).status_code == 200
        response = post(client, {"question": "khai sinh"})
        assert response.status_code == 429
        assert "quá nhiều" in response.json()["detail"]

    def test_openapi_schema(self, client):
        schema = client.get("/api/v1/openapi.json").json()
        operation = schema["paths"]["/api/v1/assistant"]["post"]
        assert {"200", "400", "422", "429"} <= set(operation["responses"])
        answer = schema["components"]["schemas"]["AnswerOut"]
        assert {"answer", "code", "refused", "facts"} <= set(answer["properties"])


class TestWebChat:
    def test_page_has_no_inline_script(self, client):
        response = client.get("/hoi-dap/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'hx-post="/hoi-dap/"' in html
        assert "<script>" not in html and "hx-on" not in html
        assert "script-src" in response.headers.get("Content-Security-Policy", "")

    def test_htmx_post_returns_the_turn(self, client):
        response = client.post(
            "/hoi-dap/", {"question": "chứng thực di chúc bao nhiêu tiền"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "50.000 đồng" in html
        assert 'hx-swap-oob="true"' in html

    def test_plain_post_without_javascript(self, client):
        response = client.post("/hoi-dap/", {"question": "làm hộ chiếu ở đâu"})
        assert response.status_code == 200
        assert "xuất nhập cảnh" in response.content.decode()

    def test_bad_input_is_shown_not_raised(self, client):
        response = client.post("/hoi-dap/", {"question": "x" * 600})
        assert response.status_code == 400
        assert "quá dài" in response.content.decode()

    def test_personal_data_not_shown_back(self, client):
        response = client.post("/hoi-dap/", {"question": "CCCD 001085012345 làm lại căn cước"})
        assert "001085012345" not in response.content.decode()

    def test_reset_forgets_the_conversation(self, client):
        client.post("/hoi-dap/", {"question": "đăng ký tạm trú cần gì"})
        assert services.SESSION_KEY in client.session
        client.post("/hoi-dap/", {"reset": "1"})
        assert services.SESSION_KEY not in client.session


class TestKiosk:
    def test_unregistered_device_is_refused(self, client):
        assert client.get("/kiosk/hoi-dap/").status_code == 403


class TestCli:
    def test_ask_prints_the_answer(self, bundle):
        out = io.StringIO()
        call_command("ask", "chứng thực di chúc bao nhiêu tiền", stdout=out)
        assert "50.000 đồng" in out.getvalue()

    def test_ask_without_question(self):
        with pytest.raises(CommandError, match="Thiếu câu hỏi"):
            call_command("ask", stdout=io.StringIO())

    def test_jsonl_exact_format(self, monkeypatch, bundle):
        lines = [
            "chứng thực di chúc bao nhiêu tiền",
            "đăng ký thường trú mất mấy ngày",
            "",
            "làm hộ chiếu ở đâu",
            "thời tiết hôm nay",
            "x" * 600,
        ]
        monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
        out = io.StringIO()
        call_command("ask", "--jsonl", stdout=out)
        rows = [json.loads(line) for line in out.getvalue().splitlines()]
        assert len(rows) == 5  # the blank line is skipped
        for row in rows:
            assert set(row) == {"answer", "code", "refused", "facts"}
            assert set(row["facts"]) == {"fee_vnd", "time", "documents"}
            assert isinstance(row["answer"], str) and isinstance(row["refused"], bool)
            assert row["facts"]["time"] is None or set(row["facts"]["time"]) == {"value", "unit"}
        fee, time, passport, weather, too_long = rows
        assert fee["code"] == "2.001019" and fee["facts"]["fee_vnd"] == 50000
        ch = direct(bundle, "1.004222")
        assert time["facts"]["time"] == {"value": ch["time_value"], "unit": ch["time_unit"]}
        assert passport["refused"] and passport["code"] is None
        assert weather["refused"]
        assert too_long["refused"] and "quá dài" in too_long["answer"]


class TestEvalAsk:
    def test_scores_per_kind_and_style(self, tmp_path):
        cases = [
            {
                "q": "chứng thực di chúc bao nhiêu tiền",
                "kind": "fee",
                "code": "2.001019",
                "expect": {"fee_vnd": 50000},
                "style": "colloquial",
            },
            {
                "q": "chứng thực di chúc bao nhiêu tiền",
                "kind": "fee",
                "code": "2.001019",
                "expect": {"fee_vnd": 1},
                "style": "formal",
            },
            {
                "q": "làm hộ chiếu ở đâu",
                "kind": "no_answer",
                "code": None,
                "expect": {"refuse": True, "redirect_hint": "quản lý xuất nhập cảnh"},
                "style": "question",
            },
            {
                "q": "số tôi 0987654321, khai sinh cần gì",
                "kind": "pii",
                "code": "1.001193",
                "expect": {"must_not_echo": ["0987654321"]},
                "style": "colloquial",
            },
        ]
        path = tmp_path / "qa.jsonl"
        path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases), "utf-8")
        out = io.StringIO()
        call_command("eval_ask", str(path), "--json", "--misses", stdout=out)
        report, *misses = [json.loads(line) for line in out.getvalue().splitlines()]
        assert report["overall"] == {"n": 4, "pass": 0.75}
        assert report["by_kind"]["fee"] == {"n": 2, "pass": 0.5}
        assert report["by_style"]["colloquial"] == {"n": 2, "pass": 1.0}
        assert report["pii_echoed"] == 0
        assert report["clarified"] == 0
        assert report["routing"]["n"] == 3
        assert set(report["latency_ms"]) == {"p50", "p95"}
        assert len(misses) == 1 and misses[0]["why"].startswith("fee")

    def test_text_output(self, tmp_path):
        path = tmp_path / "qa.jsonl"
        path.write_text(
            json.dumps(
                {
                    "q": "thời tiết",
                    "kind": "out_of_scope",
                    "code": None,
                    "expect": {"refuse": True},
                    "style": "x",
                }
            ),
            "utf-8",
        )
        out = io.StringIO()
        call_command("eval_ask", str(path), stdout=out)
        text = out.getvalue()
        assert "out_of_scope" in text and "p95=" in text

    def test_bad_file(self, tmp_path):
        path = tmp_path / "bad.jsonl"
        path.write_text('{"q": "x", "kind": "weird", "expect": {}}', "utf-8")
        with pytest.raises(CommandError, match="kind"):
            call_command("eval_ask", str(path), stdout=io.StringIO())


class TestNotInCatalogJudge:
    """A commune matter the catalog lacks passes only when the answer states no fact."""

    case = {"q": "x", "kind": "not_in_catalog", "code": None, "expect": {"no_facts": True}}

    def test_no_facts_passes(self):
        from motcua.assistant.compose import Answer
        from motcua.assistant.evaluation import judge

        assert judge(self.case, Answer(text="Chưa có thủ tục này trong danh mục."))[0]

    @pytest.mark.parametrize(
        "facts",
        [
            {"fee_vnd": 0},
            {"fee_vnd": 50000},
            {"time": {"value": 3, "unit": "working_days"}},
            {"documents": ["Tờ khai"]},
        ],
    )
    def test_any_stated_fact_fails(self, facts):
        from motcua.assistant.compose import Answer
        from motcua.assistant.evaluation import judge

        ok, why = judge(self.case, Answer(text="…", **facts))
        assert not ok and "not in the catalog" in why
