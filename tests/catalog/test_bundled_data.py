"""Invariants of the bundled national catalog ``src/motcua/catalog/data/procedures.json``.

No database: the file is loaded and validated with the exchange-format models. Tests that
compare with the reference data need ``<repo>/../shared/data/catalog`` and skip without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from motcua.catalog.schema import FORMAT_NAME, FORMAT_VERSION, CatalogFile

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLED = REPO_ROOT / "src" / "motcua" / "catalog" / "data" / "procedures.json"
SHARED_CATALOG = REPO_ROOT.parent / "shared" / "data" / "catalog"
BUILD_SCRIPT = REPO_ROOT / "tools" / "build_catalog.py"


@pytest.fixture(scope="module")
def text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalog(text: str) -> CatalogFile:
    return CatalogFile.model_validate_json(text)


@pytest.fixture(scope="module")
def raw(text: str) -> dict:
    return json.loads(text)


@pytest.fixture(scope="module")
def by_code(raw: dict) -> dict[str, dict]:
    return {p["code"]: p for p in raw["procedures"]}


@pytest.fixture(scope="module")
def shared() -> Path:
    if not (SHARED_CATALOG / "procedures.commune_all.parsed.json").exists():
        pytest.skip(f"reference data not available at {SHARED_CATALOG}")
    return SHARED_CATALOG


def test_validates_against_schema(catalog: CatalogFile) -> None:
    assert catalog.format == FORMAT_NAME
    assert catalog.version == FORMAT_VERSION
    assert len(catalog.procedures) >= 324


def test_layout_one_procedure_per_line(text: str, raw: dict) -> None:
    lines = text.split("\n")
    assert lines[0] == '{"format": "motcua.catalog", "version": 1, "procedures": ['
    assert lines[-2:] == ["]}", ""]
    body = lines[1:-2]
    assert len(body) == len(raw["procedures"])
    for line, proc in zip(body, raw["procedures"], strict=True):
        assert json.loads(line.rstrip(",")) == proc


def test_sorted_unique_codes(raw: dict) -> None:
    codes = [p["code"] for p in raw["procedures"]]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert all(isinstance(c, str) for c in codes)
    assert "1.001193" in codes


def test_all_strings_nfc_and_trimmed(raw: dict) -> None:
    def walk(value, path="$"):
        if isinstance(value, str):
            assert unicodedata.normalize("NFC", value) == value, path
            assert "\u200e" not in value and "\u200b" not in value, path
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}")

    walk(raw)
    for proc in raw["procedures"]:
        assert proc["name"] == proc["name"].strip()
        for step in proc["steps"]:
            assert step and step == " ".join(step.split())
        for doc in proc["documents"]:
            assert not doc["name"].startswith(("- ", "+ ", "-", "+")), doc["name"]


def test_channels_are_consistent(catalog: CatalogFile) -> None:
    for proc in catalog.procedures:
        for ch in proc.channels:
            assert (ch.time_value is None) == (ch.time_unit == "")
            if ch.fee_vnd is not None and ch.fee_vnd > 0:
                # amounts below 1 000 đồng are misparsed thousands ("700.000 đồng" -> 700)
                assert ch.fee_vnd >= 1000, (proc.code, ch.fee_vnd, ch.fee_note)


def test_source_urls_are_portal_urls(catalog: CatalogFile) -> None:
    for proc in catalog.procedures:
        if proc.source_url:
            assert proc.source_url.startswith("https://dichvucong.gov.vn/"), proc.code
            assert " " not in proc.source_url and "(via" not in proc.source_url


def test_everything_published_and_popularity_from_rank(catalog: CatalogFile) -> None:
    ranks = [p.popularity for p in catalog.procedures if p.popularity is not None]
    assert all(p.status == "published" for p in catalog.procedures)
    assert sorted(ranks) == list(range(1, len(ranks) + 1))


def test_results_have_no_portal_junk(catalog: CatalogFile) -> None:
    for proc in catalog.procedures:
        for junk in ("Mã: KQ", "Từ khóa", "Chọn cơ quan thực hiện", "Không có thông tin"):
            assert junk not in proc.result, proc.code
        assert proc.conditions.lower() != "không có thông tin"


def test_khai_sinh(by_code: dict) -> None:
    proc = by_code["1.001193"]
    assert proc["name"] == "Thủ tục đăng ký khai sinh"
    assert proc["sector"] == "Hộ tịch"
    assert proc["result"] == "Giấy khai sinh"
    assert proc["popularity"] == 1
    assert proc["online_level"] == "partial"
    # the displaced scraper fragment is repaired
    steps = "\n".join(proc["steps"])
    assert "đăng ký khai sinh tại Trung tâm Phục vụ hành chính công" in steps
    assert "khai tâm" not in steps
    assert "việc sinh tại Trung" not in steps
    assert "hoàn tất việc nộp hồ sơ." in steps
    assert {c["channel"] for c in proc["channels"]} == {"direct", "online", "postal"}
    for ch in proc["channels"]:
        assert ch["fee_vnd"] == 0
        assert ch["time_unit"] == "working_days"
    assert any("đọc là ngày làm việc" in f for f in proc["uncertain_fields"])
    names = [d["name"] for d in proc["documents"]]
    assert any(n.startswith("Giấy chứng sinh") for n in names)
    to_present = [d for d in proc["documents"] if d["note"].startswith("Xuất trình")]
    assert to_present, "giấy tờ phải xuất trình are marked"
    tokhai = next(d for d in proc["documents"] if d["name"].startswith("Tờ khai đăng ký khai sinh"))
    assert tokhai["form_name"]
    assert tokhai["requirement"] == "conditional"
    codes = [lb["code"] for lb in proc["legal_basis"]]
    assert "123/2015/NĐ-CP" in codes
    title = next(lb["title"] for lb in proc["legal_basis"] if lb["code"] == "123/2015/NĐ-CP")
    assert "Luật Hộ tịch" in title


def test_fee_thousands_separator_fixed(by_code: dict) -> None:
    proc = by_code["2.001827"]
    assert proc["channels"]
    assert all(ch["fee_vnd"] == 700000 for ch in proc["channels"])
    assert all("700.000" in ch["fee_note"] for ch in proc["channels"])


def test_time_unit_conflict_keeps_legal_text(by_code: dict) -> None:
    proc = by_code["1.003005"]
    direct = next(ch for ch in proc["channels"] if ch["channel"] == "direct")
    assert direct["time_value"] == 45
    assert direct["time_unit"] == "days"
    assert any("45 Ngày làm việc" in f for f in proc["uncertain_fields"])


def test_cu_tru_fees_per_channel(by_code: dict) -> None:
    proc = by_code["1.004194"]
    fees = {ch["channel"]: ch["fee_vnd"] for ch in proc["channels"]}
    assert fees == {"direct": 10000, "online": 7000}
    assert proc["agency"] == "Công an cấp xã"


def test_document_counts(catalog: CatalogFile, by_code: dict) -> None:
    total = sum(len(p.documents) for p in catalog.procedures)
    assert total > 1000
    docs = by_code["1.013133"]["documents"]  # "Bản chính: 1\nBản sao: 0" style
    assert [(d["originals"], d["copies"]) for d in docs] == [(1, 0), (0, 1)]


def test_code_only_rows_flagged(catalog: CatalogFile) -> None:
    bare = [p for p in catalog.procedures if not p.steps and not p.channels and not p.documents]
    assert len(bare) >= 7
    for proc in bare:
        assert proc.uncertain_fields
        assert proc.legal_basis == [] or proc.code.startswith("1.0131")


def test_contains_every_reference_code(shared: Path, by_code: dict) -> None:
    parsed = json.loads((shared / "procedures.commune_all.parsed.json").read_text("utf-8"))
    draft = json.loads((shared / "procedures.draft.json").read_text("utf-8"))
    assert len(parsed) == 324 and len(draft) == 176
    missing = {r["code"] for r in parsed + draft} - set(by_code)
    assert not missing
    for rec in draft:
        assert by_code[rec["code"]]["popularity"] == rec["rank"]
    for rec in parsed:
        expected = " ".join(unicodedata.normalize("NFC", rec["name"]).split())
        assert by_code[rec["code"]]["name"].startswith(expected[:400].rstrip(" :;"))


def test_build_is_reproducible(shared: Path, tmp_path: Path, text: str) -> None:
    out = tmp_path / "procedures.json"
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(shared), "--output", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8") == text, "bundled file is stale: rerun the build"
