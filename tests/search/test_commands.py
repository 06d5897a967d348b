"""The finder from the command line and on the bundled catalog."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.search import finder as finder_module
from motcua.search.embedding import bundled_cache_path, text_key
from motcua.search.evaluation import EvalFileError, read_cases

REPO = Path(__file__).resolve().parents[2]
DEV_QUERIES = REPO.parent / "shared" / "data" / "queries.dev.jsonl"
HOLDOUT_QUERIES = REPO / "tests" / "data" / "queries.holdout.jsonl"


@pytest.fixture(scope="module")
def bundled_finder():
    """The product's finder on the bundled catalog (no database rows: falls back to the bundle)."""
    finder_module.reset_finder()
    engine = finder_module.build_finder(use_database=False)
    yield engine
    finder_module.reset_finder()


@pytest.fixture
def use_bundled(monkeypatch, bundled_finder):
    monkeypatch.setattr(finder_module, "_finder", bundled_finder)
    return bundled_finder


class TestBundledIndex:
    def test_shipped_cache_covers_every_passage(self, bundled_finder):
        # A stale cache would make every fresh install embed thousands of passages at start-up:
        # run tools/build_search_cache.py after editing the catalog or the lexicon.
        import numpy as np

        with np.load(bundled_cache_path()) as data:
            shipped = set(data["keys"].tolist())
        missing = [t for t in bundled_finder.passage_texts if text_key(t) not in shipped]
        assert missing == []

    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ("vợ tôi mới sinh em bé", "1.001193"),
            ("lam so do lan dau", "1.013978"),
            ("giấy độc thân", "1.004873"),
            ("công chứng bản sao", "2.000815"),
            ("giấy chứng tử", "1.000656"),
            ("hôn thú", "1.000894"),
            ("đăng ký kinh doanh cá thể", "1.001612"),
        ],
    )
    def test_examples_from_the_issue(self, bundled_finder, query, code):
        assert bundled_finder.search(query, k=1)[0].code == code

    def test_a_damaged_certificate_of_a_person_without_nationality_is_exchanged(
        self, bundled_finder
    ):
        # Only people of Vietnamese origin whose nationality is undetermined hold a "giấy
        # chứng nhận căn cước" (Luật Căn cước 2023, Điều 30); saying so pulled the request to
        # the data-collection procedure that issues the first one (held-out sets 8 and 9).
        query = (
            "giấy chứng nhận căn cước của bà tôi, người gốc Việt chưa xác định được quốc tịch, "
            "bị rách một góc, muốn đổi cái mới"
        )
        assert bundled_finder.search(query, k=1)[0].code == "1.014067"


@pytest.mark.django_db
class TestFindCommand:
    def test_prints_top_five_with_codes(self, use_bundled):
        out = StringIO()
        call_command("find", "giấy", "độc", "thân", stdout=out)
        lines = out.getvalue().strip().splitlines()
        assert len(lines) == 5
        assert lines[0].startswith("1. 1.004873  Thủ tục cấp Giấy xác nhận tình trạng hôn nhân")

    def test_empty_query_is_a_clear_error(self, use_bundled):
        with pytest.raises(CommandError, match="Vui lòng nhập"):
            call_command("find", "  ", stdout=StringIO())

    def test_jsonl_answers_each_line_in_order(self, use_bundled, monkeypatch):
        monkeypatch.setattr(sys, "stdin", StringIO("hôn thú\n\ngiấy chứng tử\n"))
        out = StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        call_command("find", "--jsonl")
        rows = [json.loads(line) for line in out.getvalue().splitlines()]
        assert [r["q"] for r in rows] == ["hôn thú", "", "giấy chứng tử"]
        assert rows[0]["results"][0]["code"] == "1.000894"
        assert len(rows[0]["results"]) == 5
        assert set(rows[0]["results"][0]) == {"code", "name", "score"}
        assert rows[1]["results"] == [] and "Vui lòng nhập" in rows[1]["error"]
        assert rows[2]["results"][0]["code"] == "1.000656"


@pytest.mark.django_db
class TestEvalFindCommand:
    def test_reports_accuracy_per_style_and_latency(self, use_bundled, tmp_path):
        path = tmp_path / "q.jsonl"
        lines = [
            {"q": "giấy độc thân", "codes": ["1.004873"], "style": "colloquial"},
            {"q": "hon thu", "codes": ["1.000894"], "style": "no_diacritics"},
            {"q": "hon thu", "codes": ["9.999999"], "style": "no_diacritics"},
        ]
        path.write_text(
            "\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8"
        )
        out = StringIO()
        call_command("eval_find", str(path), "--json", stdout=out)
        report = json.loads(out.getvalue())
        assert report["overall"] == {"n": 3, "top1": round(2 / 3, 4), "top3": round(2 / 3, 4)}
        assert report["by_style"]["colloquial"]["top1"] == 1.0
        assert report["by_style"]["no_diacritics"]["top1"] == 0.5
        assert report["latency_ms"]["p95"] >= report["latency_ms"]["p50"] > 0
        assert report["cpu_ms"]["p95"] >= report["cpu_ms"]["p50"] >= 0

    def test_malformed_file_names_the_line(self, tmp_path):
        path = tmp_path / "bad.jsonl"
        path.write_text('{"q": "a", "codes": ["1"]}\n{"q": "b", "codes": "1"}\n', encoding="utf-8")
        with pytest.raises(EvalFileError, match="dòng 2"):
            read_cases(path)
        with pytest.raises(CommandError, match="dòng 2"):
            call_command("eval_find", str(path), stdout=StringIO())


def _accuracy(engine, path):
    cases = read_cases(path)
    top1 = top3 = 0
    for case in cases:
        codes = [h.code for h in engine.search(case["q"], k=3)]
        top1 += codes[0] in case["codes"]
        top3 += any(c in case["codes"] for c in codes)
    return top1 / len(cases), top3 / len(cases)


class TestAccuracyTargets:
    """The issue's targets (top-1 ≥ 85 %, top-3 ≥ 95 %) as a regression guard."""

    @pytest.mark.skipif(
        not DEV_QUERIES.is_file(), reason="../shared/data/queries.dev.jsonl not present"
    )
    def test_dev_queries(self, bundled_finder):
        top1, top3 = _accuracy(bundled_finder, DEV_QUERIES)
        assert top1 >= 0.85 and top3 >= 0.95, (top1, top3)

    @pytest.mark.skipif(not HOLDOUT_QUERIES.is_file(), reason="held-out queries not present")
    def test_holdout_queries(self, bundled_finder):
        top1, top3 = _accuracy(bundled_finder, HOLDOUT_QUERIES)
        assert top1 >= 0.85 and top3 >= 0.95, (top1, top3)


def test_cli_entry_point_runs_find(tmp_path):
    """`motcua find` as a user runs it: a separate process on the bundled catalog."""
    env = {
        "PATH": str(Path(sys.executable).parent),
        "MOTCUA_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "cli-test",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "motcua", "find", "giấy chứng tử"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("1. 1.000656")
