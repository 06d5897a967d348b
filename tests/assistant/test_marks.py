"""Words typed with diacritics match a procedure's words only where their marks agree: folded,
"mấy con rồi" is "con rơi" (a child born out of wedlock) and "có đi" is "có di [sản]"
(an inheritance). A question typed without diacritics still matches by folded syllables.
Questions written for these tests, not taken from labelled sets."""

from __future__ import annotations

import pytest

from motcua.assistant.pipeline import ask
from motcua.search.normalize import spelled_alike, typed_otherwise

pytestmark = pytest.mark.django_db

RECOGNITION = "1.001022"


class TestSpelling:
    @pytest.mark.parametrize(
        ("typed", "spelled", "alike"),
        [
            ("đi", "di", False),
            ("rồi", "rơi", False),
            ("chị", "chi", False),
            ("di", "đi", True),  # typed without marks: any spelling
            ("roi", "rơi", True),
            ("kiễm", "kiểm", True),  # hỏi and ngã typed for each other
            ("hoá", "hóa", True),  # either vowel carries the mark
            ("rơi", "rơi", True),
        ],
    )
    def test_spelled_alike(self, typed, spelled, alike):
        assert spelled_alike(typed, spelled) is alike

    def test_typed_otherwise(self):
        assert typed_otherwise(["mấy", "con", "rồi", "nè"], "con rơi")
        assert not typed_otherwise(["đứa", "con", "rơi"], "con rơi")
        assert not typed_otherwise(["con", "roi"], "con rơi")
        # said once with other marks and once as spelled: said
        assert not typed_otherwise(["con", "rồi", "con", "rơi"], "con rơi")
        # nowhere as typed (a repaired or standardized word matched): not ruled out here
        assert not typed_otherwise(["khai", "sinh"], "con rơi")


class TestSynonyms:
    def test_a_synonym_typed_with_other_marks_is_not_said(self, engine):
        expanded = [term for term, _ in engine.parse("nuôi vịt mất mấy con rồi").expansions]
        assert "con rơi" not in expanded

    @pytest.mark.parametrize("text", ["muốn nhận đứa con rơi", "muon nhan dua con roi"])
    def test_a_synonym_as_spelled_or_without_marks_is_said(self, engine, text):
        assert "con rơi" in [term for term, _ in engine.parse(text).expansions]

    def test_a_misspelling_entry_stays_when_typed_as_its_correction(self, engine):
        # the lexicon repairs "căn cuoc" to "thẻ căn cước"; typed right, the words are said
        expanded = dict(engine.parse("mất cái thẻ căn cước gắn chíp").expansions)
        assert expanded.get("căn cuoc") == "thẻ căn cước"


class TestAnswers:
    def test_garbage_collection_is_no_inheritance(self):
        # "có đi thu" folded holds "có di" of "có di sản"
        answer = ask(
            "Xe rác tuần này có đi thu không chị, nhà tôi để rác ba hôm rồi", rephrase=False
        )[0]
        assert answer.code is None
        assert answer.kind not in {"facts", "clarify"}

    def test_a_child_out_of_wedlock_is_still_recognized(self):
        answer = ask(
            "Tôi có đứa con rơi với người cũ, giờ muốn nhận nó là con thì làm sao", rephrase=False
        )[0]
        assert answer.code == RECOGNITION
