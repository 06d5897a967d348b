"""The learned other-body check (``scope.py``): its data, its shipped cache, and what it does to
answers. The behavioural questions were written for these tests, not taken from labelled sets."""

from __future__ import annotations

import json
import unicodedata

import numpy as np
import pytest
from vn_text import fold

from motcua.assistant import pipeline, scope
from motcua.assistant.pipeline import ask
from motcua.search.embedding import text_key

pytestmark = pytest.mark.django_db


def _folded(text: str) -> str:
    return " ".join(fold(text).lower().split())


@pytest.fixture(autouse=True)
def _fresh_index():
    scope.reset()
    yield
    scope.reset()


class TestData:
    def test_bodies_are_complete(self):
        data = json.loads(scope.BODIES_FILE.read_text(encoding="utf-8"))
        ids = [b["id"] for b in data["bodies"]]
        assert len(ids) == len(set(ids))
        for body in data["bodies"]:
            assert body["name"] and body["short"] and body["remit"], body["id"]
            # The answer names the body by its name, with tone marks; the short form is how
            # citizens say it, in lower case.
            assert fold(body["name"]) != body["name"], body["id"]
            assert body["short"] == body["short"].lower(), body["id"]
            for text in (body["name"], body["short"], *body["remit"]):
                assert unicodedata.is_normalized("NFC", text), text
            assert len(body["remit"]) == len(set(body["remit"])), body["id"]

    def test_every_request_names_a_known_body_once(self):
        data = json.loads(scope.BODIES_FILE.read_text(encoding="utf-8"))
        ids = {b["id"] for b in data["bodies"]}
        seen = set()
        for request in data["requests"]:
            assert request["body"] in ids, request
            assert unicodedata.is_normalized("NFC", request["q"]), request
            assert request["q"].lower() not in seen, request
            seen.add(request["q"].lower())

    def test_every_commune_request_names_a_catalog_procedure_once(self, bundle):
        requests = scope.commune_requests()
        seen = set()
        for request in requests:
            assert request["code"] in bundle, request
            assert unicodedata.is_normalized("NFC", request["q"]), request
            assert request["q"].lower() not in seen, request
            seen.add(request["q"].lower())
        assert {r["code"] for r in requests} == set(bundle)


class TestCache:
    def test_the_shipped_cache_covers_every_example(self):
        with np.load(scope.CACHE_FILE, allow_pickle=False) as data:
            keys = set(data["keys"].tolist())
        missing = [e.text for e in scope.examples() if text_key(e.text) not in keys]
        assert not missing, f"run `motcua scope-cache`: {len(missing)} missing, {missing[:3]}"

    def test_a_stale_cache_is_reported_and_its_lines_left_out(self, tmp_path, monkeypatch):
        with np.load(scope.CACHE_FILE, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
        stale = tmp_path / "stale.npz"
        np.savez_compressed(stale, keys=keys[1:], vectors=vectors[1:])
        index = scope.Index.load(stale)
        assert index is not None
        assert index.missing >= 1
        assert len(index.examples) == len(scope.examples()) - index.missing

    def test_an_absent_cache_turns_the_check_off(self, tmp_path, monkeypatch, engine):
        monkeypatch.setattr(scope, "CACHE_FILE", tmp_path / "absent.npz")
        assert scope.decide(engine, "xin giấy phép bán rượu") is None


# Matters of other bodies, told as citizens tell them, that no table row names.
OTHER_BODY = [
    # The finder finds a commune procedure about deposits or contracts and would answer it.
    ("Tôi muốn nhờ thừa phát lại lập vi bằng việc giao tiền đặt cọc mua đất", "thừa phát lại"),
    # Without the check: a refusal that names no body.
    ("Tôi muốn thuê luật sư bào chữa cho con đang bị khởi tố", "luật sư"),
]
# Commune matters: the check must leave them to the procedure's facts.
COMMUNE = [
    "Đăng ký khai sinh cho con mới sinh cần mang giấy tờ gì?",
    "Làm giấy xác nhận tình trạng hôn nhân để đi lấy chồng mất bao lâu?",
    "Chứng thực bản sao sổ hộ khẩu cũ hết bao nhiêu tiền một trang?",
    "Đăng ký tạm trú cho người thuê trọ cần hồ sơ gì?",
]


class TestAnswers:
    @pytest.mark.parametrize(("question", "body"), OTHER_BODY)
    def test_another_bodys_matter_is_sent_there(self, question, body):
        answer = ask(question, rephrase=False)[0]
        assert answer.kind == "redirect", answer.text
        assert answer.refused
        assert _folded(body) in _folded(answer.text), answer.text

    @pytest.mark.parametrize("question", COMMUNE)
    def test_a_commune_matter_is_answered(self, question):
        answer = ask(question, rephrase=False)[0]
        assert answer.kind != "redirect", answer.text
        assert answer.code, answer.text

    @pytest.mark.parametrize(("question", "body"), OTHER_BODY)
    def test_without_a_cache_the_answer_is_the_one_before_the_check(
        self, question, body, tmp_path, monkeypatch
    ):
        monkeypatch.setattr(scope, "CACHE_FILE", tmp_path / "absent.npz")
        without = ask(question, rephrase=False)[0]
        monkeypatch.setattr(pipeline, "_other_body", lambda *a, **k: None)
        before = ask(question, rephrase=False)[0]
        assert without.text == before.text


class TestNamedBody:
    @pytest.mark.parametrize(
        ("text", "body"),
        [
            ("muốn vay ngân hàng chính sách để nuôi heo", "vbsp"),  # the longest name
            ("vay ngan hang de mua may cay", "commercial_bank"),
            ("hội nông dân cho vay vốn nuôi bò", "farmers_union"),
        ],
    )
    def test_named_body(self, text, body):
        found = scope.named_body(text)
        assert found is not None and found.id == body

    def test_no_body_named(self):
        assert scope.named_body("đăng ký khai sinh cho con") is None

    def test_the_body_the_citizen_names_is_the_one_answered(self):
        # The neighbours are the farmers' union's loan examples; the citizen said the bank.
        answer = ask(
            "Nhà tôi định vay ngân hàng nông nghiệp ba chục triệu để nuôi dê, xã có làm hồ sơ "
            "vay không?",
            rephrase=False,
        )[0]
        assert answer.kind == "redirect", answer.text
        assert "ngân hàng" in answer.text.lower()
        assert "hội nông dân" not in answer.text.lower()
