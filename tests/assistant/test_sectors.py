"""Broader mechanisms for refusals, matters outside the catalog and documents (fourth pass):
sectors licensed by a provincial department or a ministry (assistant/data/sectors.json) unless
the commune procedure found names the sector itself; local facts recognised by the form of the
question (the locality's schedule, plan, elections, a "when" whose subject is the village);
"đừng" merged with "xây dựng" by folding; texting abbreviations as topic cues; an overview
whose procedure marks no paper as required; siblings told apart by a phrase of one name.
Questions written for these tests, not taken from the labelled sets."""

from __future__ import annotations

import json

import pytest

from motcua.assistant import compose
from motcua.assistant.facts import procedure_facts
from motcua.assistant.intents import (
    Topic,
    asks_local_fact,
    cue_text,
    folded_text,
    licensing_sector,
    other_body,
    sectors,
    topics,
)
from motcua.assistant.pipeline import _features_of, ask
from motcua.catalog.services import bundled_catalog_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("question", "body"),
    [
        (
            "Mở đại lý bán bình gas ở xã thì xin giấy chứng nhận đủ điều kiện ở đâu?",
            "Sở Công Thương",
        ),
        ("Tôi muốn xin phép bay drone chụp ảnh cánh đồng lúa, xã có cấp không?", "Bộ Quốc phòng"),
        (
            "Đăng ký tàu cá dài mười sáu mét để đánh bắt xa bờ làm ở xã được không",
            "Sở Nông nghiệp và Môi trường",
        ),
        (
            "xin giay phep hut cat duoi long song thi nop ho so o dau",
            "Sở Nông nghiệp và Môi trường",
        ),
        ("Muốn mở phòng khám nha khoa tư nhân thì xin giấy phép hoạt động ở đâu ạ", "Sở Y tế"),
        (
            "Cần giám định tỷ lệ thương tật sau tai nạn giao thông thì làm ở đâu?",
            "Hội đồng Giám định y khoa",
        ),
        ("Đề nghị hướng dẫn cấp phù hiệu xe tải kinh doanh vận tải hàng hóa.", "Sở Xây dựng"),
    ],
)
def test_sector_authorisation_goes_to_its_body(question, body):
    answer, _ = ask(question, rephrase=False)
    assert answer.kind == "redirect" and answer.refused
    assert body in answer.text
    assert answer.fee_vnd is None and answer.time is None and not answer.documents


@pytest.mark.parametrize(
    "question",
    [
        # the commune procedure found names the sector's words itself
        "Đăng ký khai thác nước dưới đất cho cái giếng khoan nhà tôi cần giấy tờ gì?",
        # the sector's word is cargo in a purpose clause: the boat is registered
        "Tôi mua chiếc ghe gắn máy để chở cát, đăng ký lần đầu cần giấy tờ gì?",
        # no authorisation is asked
        "Giá xăng dầu tháng này ở xã bao nhiêu?",
    ],
)
def test_sector_word_without_its_authorisation_stays(question):
    answer, _ = ask(question, rephrase=False)
    assert answer.kind != "redirect"


def test_no_bundled_procedure_name_is_sent_to_a_sector(engine):
    """A procedure's own name, asked as a question, is the commune's: any sector term it says
    is a word of that procedure's name or result (so ``_procedure_says`` keeps it)."""
    data = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
    wrong = []
    for proc in data["procedures"]:
        found = licensing_sector(folded_text(proc["name"]))
        if found is None:
            continue
        index = next(i for i, d in enumerate(engine.docs) if d.code == proc["code"])
        words = found[1].split()
        feats = _features_of(engine)[index]
        said = all(f"{a}_{b}" in feats for a, b in zip(words, words[1:], strict=False))
        if not said:
            wrong.append((proc["code"], found[0].id))
    assert wrong == []


def test_every_sector_names_a_body_and_a_source():
    for sector in sectors():
        assert sector.body and sector.sources and sector.terms
        # the body is named with its level ("tỉnh/thành phố") or its ministry
        assert "tỉnh" in sector.body or "Bộ " in sector.body


@pytest.mark.parametrize(
    "question",
    [
        "Kế hoạch phun thuốc diệt muỗi của xã tháng này thế nào?",
        "Lịch tiêm vắc xin cho trẻ tại trạm y tế xã tháng sau ra sao?",
        "Bao giờ xóm tôi có điện lưới về vậy?",
        "Ấp tui chừng nào làm lại cây cầu?",
        "Kết quả bầu cử đại biểu HĐND xã đợt này thế nào?",
        "Số tài khoản ngân hàng để đóng lệ phí của trung tâm hành chính xã là gì?",
        "Hè này xã có mở lớp dạy bơi cho trẻ em ko?",
    ],
)
def test_local_facts_by_the_form_of_the_question(question):
    assert asks_local_fact(folded_text(question))
    answer, _ = ask(question, rephrase=False)
    assert answer.kind == "not_in_catalog"
    assert answer.fee_vnd is None and answer.time is None and not answer.documents


@pytest.mark.parametrize(
    "question",
    [
        "Xã mình bao giờ trả kết quả đăng ký khai sinh?",
        "Lịch hẹn trả kết quả của xã ghi ngày mai, có lấy sớm được không?",
        "Đăng ký thường trú ở xã bao giờ có kết quả?",
    ],
)
def test_dossier_times_are_not_local_facts(question):
    assert not asks_local_fact(folded_text(question))


def test_xay_dung_is_not_a_negation():
    """Folded "xây dựng" ends in "dung" like "đừng": the works' level is still the matter."""
    body = other_body(
        folded_text("Xin cấp giấy phép xây dựng công trình cấp I cho nhà máy, ở xã được không?")
    )
    assert body is not None and body.id == "building_permit_province"


def test_texting_abbreviations_are_cues():
    assert Topic.DOCUMENTS in topics(cue_text("đăng ký tạm trú cần tờ khai j"))
    assert Topic.FEE in topics(cue_text("làm giấy khai sinh hết bn"))


def test_overview_lists_case_papers_when_none_is_required(bundle):
    code = next(
        c
        for c, p in bundle.items()
        if p["documents"] and all(d["requirement"] == "conditional" for d in p["documents"])
    )
    answer = compose.compose(procedure_facts(code), [])
    assert answer.documents


def test_sibling_named_by_a_phrase_is_answered():
    """ "thành lập tổ hợp tác" is a phrase of "Đăng ký thành lập tổ hợp tác" only ("Thông báo
    thành lập/thay đổi tổ hợp tác" splits it): no question back."""
    answer, _ = ask("thành lập tổ hợp tác thì mất bao lâu", rephrase=False)
    assert answer.kind != "clarify"
    assert answer.code == "2.002637"
    assert answer.time is not None


@pytest.mark.parametrize(
    ("question", "former"),
    [
        ("Mở công ty cổ phần thì đăng ký ở đâu?", "Sở Kế hoạch và Đầu tư"),
        ("Đổi bằng lái xe ô tô hết hạn làm ở đâu?", "Sở Giao thông vận tải"),
    ],
)
def test_moved_competences_name_the_former_body_too(question, former):
    """Citizens still name the body that handled it before the 2025 reorganisation."""
    answer, _ = ask(question, rephrase=False)
    assert answer.kind == "redirect"
    assert former in answer.text
