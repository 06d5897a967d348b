"""The finder's example requests (data/examples.jsonl): valid, cached, and used."""

import json
import unicodedata

import numpy as np
import pytest

from motcua.search.embedding import bundled_cache_path, example_keys
from motcua.search.engine import Weights
from motcua.search.examples import STYLES, bundled_examples_path, clean_lines, load_examples


def catalog_codes() -> set[str]:
    from motcua.catalog.services import bundled_catalog_path

    data = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
    return {p["code"] for p in data["procedures"]}


class TestDataFile:
    def test_every_line_is_valid_and_already_clean(self):
        lines = bundled_examples_path().read_text(encoding="utf-8").splitlines()
        items = [json.loads(line) for line in lines]
        assert len(items) > 2000
        codes = catalog_codes()
        assert {i["code"] for i in items} <= codes
        assert all(i["style"] in STYLES for i in items)
        assert all(unicodedata.normalize("NFC", i["q"]) == i["q"] for i in items)
        keys = [i["q"].lower() for i in items]
        assert len(keys) == len(set(keys))
        # The build keeps exactly what is there: nothing the loader would drop or change.
        assert clean_lines(lines, codes) == items

    def test_every_published_procedure_has_examples(self):
        assert set(load_examples()) == catalog_codes()


class TestCleanLines:
    def test_drops_blank_odd_unknown_and_repeated_lines(self):
        decomposed = unicodedata.normalize("NFD", "Bố tôi mất ở nhà, giờ phải báo xã")
        lines = [
            "",
            "not json",
            json.dumps(["a list"]),
            json.dumps({"code": "1.000656", "q": decomposed, "style": "colloquial"}),
            json.dumps(
                {"code": "1.000656", "q": "bố tôi mất ở nhà,  giờ phải báo xã", "style": "typo"}
            ),
            json.dumps(
                {"code": "9.999999", "q": "mã không có trong danh mục", "style": "question"}
            ),
            json.dumps({"code": "1.000656", "q": "ngắn", "style": "question"}),
            json.dumps({"code": "1.000656", "q": "kiểu câu lạ không có", "style": "poem"}),
        ]
        items = clean_lines(lines, {"1.000656"})
        assert items == [
            {"code": "1.000656", "q": "Bố tôi mất ở nhà, giờ phải báo xã", "style": "colloquial"}
        ]

    def test_a_request_two_procedures_share_is_dropped_for_both(self):
        same = "nhà tôi có việc cần làm giấy tờ ở xã"
        lines = [
            json.dumps({"code": "1", "q": same, "style": "colloquial"}),
            json.dumps({"code": "2", "q": same, "style": "colloquial"}),
            json.dumps({"code": "2", "q": "một câu khác hẳn của thủ tục hai", "style": "question"}),
        ]
        assert [i["code"] for i in clean_lines(lines)] == ["2"]


class TestShippedCache:
    def test_the_cache_holds_every_example(self):
        # A stale cache would make a fresh install embed thousands of requests at start-up:
        # run tools/build_search_cache.py after tools/build_search_examples.py.
        with np.load(bundled_cache_path()) as data:
            shipped = set(data["keys"].tolist())
        texts = [t for told in load_examples().values() for t in told]
        keys = example_keys(texts, as_query=Weights().example_as_query)
        assert [t for t, k in zip(texts, keys, strict=True) if k not in shipped] == []


@pytest.fixture(scope="module")
def engines():
    from motcua.search.embedding import E5Embedder
    from motcua.search.engine import Engine
    from motcua.search.finder import _docs_from_bundle
    from motcua.search.lexicon import Lexicon

    docs, lexicon, embedder = _docs_from_bundle(), Lexicon.load(), E5Embedder(cache_dir=None)
    examples = load_examples()
    return {
        "default": Engine(docs, lexicon, embedder, examples=examples),
        "strong": Engine(docs, lexicon, embedder, Weights(examples=0.7), examples=examples),
        "without": Engine(docs, lexicon, embedder, examples={}),
    }


# Two stories whose procedure only the distinguishing fact names (own sentences).
STORIES = [
    # A marriage the officer registers at home (đăng ký kết hôn lưu động, Nghị định
    # 123/2015/NĐ-CP, Điều 15a): "cán bộ đến nhà" alone fits a birth as well.
    (
        "Hai đứa nhà tôi định cưới, mà con bé bị liệt không đi được, có cách nào để "
        "cán bộ đến nhà làm giấy cho tụi nó",
        "1.000593",
    ),
    # A death registered again because the old record is lost (Luật Hộ tịch 2014, Điều
    # 24–27): without the examples it went to the birth's re-registration.
    (
        "Ông tôi mất từ năm chín mấy, hồi đó nhà có làm giấy nhưng giờ thất lạc hết, "
        "xã cũng không còn sổ",
        "1.005461",
    ),
]


def _gap(engine, query: str, code: str) -> float:
    """How far the procedure stands below the first (0 when it is first)."""
    hits = engine.search(query, k=5)
    score = next(h.score for h in hits if h.code == code)
    return hits[0].score - score


class TestStoriesRoute:
    @pytest.mark.parametrize(("query", "code"), STORIES)
    def test_the_examples_channel_routes_the_story(self, engines, query, code):
        assert engines["strong"].search(query, k=1)[0].code == code
        assert engines["without"].search(query, k=1)[0].code != code

    @pytest.mark.parametrize(("query", "code"), STORIES)
    def test_at_the_shipped_weight_the_examples_bring_the_story_closer(self, engines, query, code):
        assert _gap(engines["default"], query, code) < _gap(engines["without"], query, code)
