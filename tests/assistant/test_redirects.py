"""Work handled by another body: the maintained table (assistant/data/other_bodies.json), how
questions are matched to it, and the guards that keep commune procedures from being turned
away. Questions written for these tests; the probe set is tests/data/assistant.redirects.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vn_text import fold

from motcua.assistant.evaluation import judge, read_cases
from motcua.assistant.intents import folded_text, other_bodies, other_body
from motcua.assistant.pipeline import ask

PROBES = Path(__file__).resolve().parents[1] / "data" / "assistant.redirects.jsonl"
LEXICON = (
    Path(__file__).resolve().parents[2] / "src" / "motcua" / "search" / "data" / "lexicon.json"
)


def _body_id(question: str) -> str | None:
    body = other_body(folded_text(question))
    return body.id if body else None


class TestTable:
    def test_every_entry_names_a_body_and_its_sources(self):
        bodies = other_bodies()
        assert len(bodies) >= 20
        assert len({b.id for b in bodies}) == len(bodies)
        for body in bodies:
            assert body.body.strip(), body.id
            assert body.what.strip(), body.id
            assert body.sources, body.id
            assert all(s["title"].strip() for s in body.sources), body.id

    def test_terms_are_folded_whole_words(self):
        # The matcher compares folded words: a term with a tone mark, capitals or stray spaces
        # would never match.
        for body in other_bodies():
            for phrase in (*body.terms, *body.unless):
                assert phrase == fold(phrase).lower(), (body.id, phrase)
                assert phrase == " ".join(phrase.split()), (body.id, phrase)

    def test_no_procedure_of_the_catalog_is_sent_elsewhere(self, bundle):
        # A commune procedure's own name must never be turned away.
        sent = {
            code: _body_id(p["name"])
            for code, p in bundle.items()
            if _body_id(p["name"]) is not None
        }
        assert sent == {}

    def test_no_citizen_phrase_of_a_procedure_is_sent_elsewhere(self):
        # The finder's lexicon lists how citizens name each commune procedure.
        lexicon = json.loads(LEXICON.read_text(encoding="utf-8"))
        sent = [
            (code, phrase)
            for code, phrases in lexicon["procedures"].items()
            for phrase in phrases
            if _body_id(phrase) is not None
        ]
        assert sent == []


class TestMatching:
    @pytest.mark.parametrize(
        ("question", "body_id"),
        [
            ("HO CHIEU het han roi gia han o dau", "passport"),
            ("muốn lấy bằng lái xe máy thì thi ở đâu", "driving_licence"),
            ("mo cty tnhh o dau", "company_registration"),
            ("vo chong toi muon ly di", "court"),
            (
                "bên kia không trả tiền theo bản án, yêu cầu thi hành án ở đâu",
                "judgment_enforcement",
            ),
            ("bị cho nghỉ việc, lãnh trợ cấp thất nghiệp chỗ nào", "unemployment"),
            ("con muốn đi xuất khẩu lao động Đài Loan", "overseas_labour"),
            ("làm hồ sơ nghỉ hưu cho công nhân ở đâu", "pension"),
            ("đăng ký bản quyền bài hát", "copyright"),
            ("xin phiếu lý lịch tư pháp số 2", "criminal_record"),
            ("quyết toán thuế thu nhập cá nhân", "tax"),
            ("chứng thực bản dịch rồi hợp pháp hóa lãnh sự", "consular"),
        ],
    )
    def test_recognised(self, question, body_id):
        assert _body_id(question) == body_id

    @pytest.mark.parametrize(
        "question",
        [
            # a commune act on another body's paper
            "chứng thực bản sao hộ chiếu",
            "công chứng bản photo bằng lái xe",
            "sao y bằng đại học",
            "trình báo mất hộ chiếu",
            # the other body's matter is only the purpose, the request is the commune's
            "xác nhận thông tin cư trú để làm hộ chiếu",
            "xin giấy xác nhận độc thân để đi xuất khẩu lao động",
            # mentioned as what the citizen does not want or already has
            "không lập công ty, chỉ đăng ký hộ kinh doanh",
            "con đủ 14 tuổi chưa có hộ chiếu, làm thẻ căn cước",
            # civil-status records of a divorce decided abroad
            "đã ly hôn ở nước ngoài, ghi vào sổ hộ tịch",
            # a divorce told as the story behind a residence request
            "ly hôn xong chuyển hộ khẩu về nhà mẹ đẻ",
            "đăng ký thường trú cho con sau khi vợ chồng ly hôn",
            # the safety inspection of a dam is a commune procedure, not a vehicle's
            "phê duyệt kết quả kiểm định an toàn đập",
            # "thuê" folds like "thuế", "nhà thuộc" like "nhà thuốc"
            "hợp đồng thuê nhà ở cũ",
            "nhà thuộc sở hữu nhà nước",
        ],
    )
    def test_commune_matters_are_kept(self, question):
        assert _body_id(question) is None

    def test_a_later_request_is_not_hidden_by_a_negated_mention(self):
        # "chưa có" is no negation of the request: the citizen has none and wants one.
        assert _body_id("chưa có hộ chiếu, làm hộ chiếu ở đâu") == "passport"
        # "không chốt sổ" with no commune request is still the matter asked about.
        assert _body_id("công ty không chốt sổ bảo hiểm cho tôi") == "pension"

    def test_a_purpose_after_a_question_without_commune_request_is_the_request(self):
        assert _body_id("cần những giấy tờ gì để làm hộ chiếu") == "passport"
        # a paper merely needed is not a commune request; registering it is
        assert _body_id("cần giấy khai sinh để làm hộ chiếu không") == "passport"
        assert _body_id("làm giấy khai sinh cho con để làm hộ chiếu") is None


@pytest.mark.django_db
class TestAnswers:
    def test_redirect_names_the_body_and_refuses(self):
        answer, _ = ask("mở phòng khám nha khoa xin giấy phép ở đâu")
        assert answer.refused
        assert answer.kind == "redirect"
        assert answer.code is None
        assert "Sở Y tế" in answer.text
        assert "Căn cứ:" in answer.text
        assert answer.facts() == {"fee_vnd": None, "time": None, "documents": []}

    def test_probe_set(self):
        cases = read_cases(PROBES)
        redirects = [c for c in cases if c["kind"] == "no_answer"]
        kept = [c for c in cases if c["kind"] != "no_answer"]
        assert len(redirects) >= 50 and len(kept) >= 30
        failed = []
        for case in cases:
            answer = ask(case["q"], rephrase=False)[0]
            ok, why = judge(case, answer)
            if case["kind"] != "no_answer" and answer.refused:
                ok, why = False, "turned away"
            if not ok:
                failed.append((case["q"], why))
        assert failed == []
