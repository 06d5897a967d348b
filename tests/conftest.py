"""Shared fixtures: the catalog in the test database, and a fast stand-in for the finder."""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from hypothesis import settings as hypothesis_settings
from vn_text import fold

from motcua.catalog import services
from motcua.catalog.models import Procedure
from motcua.catalog.schema import CatalogFile

# CI explores the same examples on every run, so a submission's result does not depend on luck;
# developers' runs stay randomised and keep finding new cases.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

TINY_CATALOG = {
    "format": "motcua.catalog",
    "version": 1,
    "procedures": [
        {
            "code": "1.001193",
            "name": "Thủ tục đăng ký khai sinh",
            "sector": "Hộ tịch",
            "level": "Cấp xã",
            "agency": "Ủy ban nhân dân cấp xã",
            "subjects": "Công dân Việt Nam",
            "steps": ["Nộp hồ sơ tại Trung tâm Phục vụ hành chính công.", "Nhận kết quả."],
            "result": "Giấy khai sinh",
            "legal_basis": [{"code": "123/2015/NĐ-CP", "title": "Nghị định về hộ tịch"}],
            "online_level": "partial",
            "source_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
            "popularity": 1,
            "uncertain_fields": ["time_unit (direct): cổng chỉ ghi số '1', đọc là ngày làm việc"],
            "channels": [
                {
                    "channel": "direct",
                    "time_value": 1,
                    "time_unit": "working_days",
                    "fee_vnd": None,
                    "fee_note": "Mức lệ phí do HĐND tỉnh quyết định.",
                },
                {
                    "channel": "online",
                    "time_value": 1,
                    "time_unit": "working_days",
                    "time_note": "1",
                    "fee_vnd": 0,
                    "fee_note": "Miễn phí",
                },
            ],
            "documents": [
                {"name": "Giấy chứng sinh", "originals": 1},
                {
                    "name": "Tờ khai đăng ký khai sinh",
                    "originals": 1,
                    "form_name": "Tờ khai đăng ký khai sinh (mẫu TT 04/2024/TT-BTP)",
                },
                {
                    "name": "Văn bản ủy quyền",
                    "originals": 1,
                    "requirement": "conditional",
                    "note": "Khi nhờ người khác đi nộp.",
                },
            ],
        },
        {
            "code": "2.000815",
            "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
            "sector": "Chứng thực",
            "agency": "Ủy ban nhân dân cấp xã",
            "popularity": 2,
            "channels": [
                {
                    "channel": "direct",
                    "time_value": 0,
                    "time_unit": "working_days",
                    "fee_vnd": 2000,
                },
                {
                    "channel": "postal",
                    "time_value": 3,
                    "time_unit": "working_days",
                    "fee_vnd": 50000,
                },
            ],
            "documents": [
                {"name": "Bản chính giấy tờ cần chứng thực", "originals": 1, "copies": 1}
            ],
        },
        {
            "code": "1.004194",
            "name": "Đăng ký tạm trú",
            "sector": "Đăng ký, quản lý cư trú",
            "status": "draft",
            "channels": [{"channel": "direct", "time_value": 3, "time_unit": "working_days"}],
        },
    ],
}


@pytest.fixture
def tiny_catalog(db) -> None:
    """Two published procedures (khai sinh, chứng thực bản sao) and one draft (tạm trú)."""
    with transaction.atomic():
        services.import_catalog(CatalogFile.model_validate(TINY_CATALOG))


def _load_bundled_catalog() -> None:
    path = services.bundled_catalog_path()
    if not path.is_file():
        pytest.skip(f"the bundled catalog {path} is not there yet")
    with transaction.atomic():
        services.import_catalog(services.read_catalog_file(path))


def _reset_finder() -> None:
    from motcua.search.finder import reset_finder

    reset_finder()


@pytest.fixture
def catalog(db):
    """The bundled national catalog; the real finder is rebuilt from it."""
    _load_bundled_catalog()
    _reset_finder()
    yield
    _reset_finder()


@pytest.fixture
def live_catalog(transactional_db):
    """The bundled catalog for tests against a live server (committed, visible to its thread)."""
    _load_bundled_catalog()
    _reset_finder()
    yield
    _reset_finder()


class SubstringFinder:
    """Stands in for the embedding finder in fast tests: name contains every query word."""

    def search(self, query: str, k: int = 5):
        from motcua.search.finder import Hit, QueryError

        words = fold(query).split()
        if not words:
            raise QueryError("Vui lòng nhập tên thủ tục hoặc việc bạn cần làm.")
        hits = [
            Hit(code=p.code, name=p.name, score=1.0, reason=f"Tên thủ tục có “{query}”.")
            for p in Procedure.objects.order_by("code")
            if all(w in fold(p.name) for w in words)
        ]
        return hits[:k]


@pytest.fixture
def fake_finder(monkeypatch) -> SubstringFinder:
    finder = SubstringFinder()
    monkeypatch.setattr("motcua.search.finder.get_finder", lambda: finder)
    return finder
