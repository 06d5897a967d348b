"""Fixtures for the KPI tests: the dossier tests' helpers, imported rather than copied."""

from __future__ import annotations

import pytest

from motcua.centers.models import Unit
from tests.dossiers.conftest import make_center, make_procedure, media_root  # noqa: F401


@pytest.fixture
def center(db):
    return make_center()


@pytest.fixture
def unit(center):
    return Unit.objects.create(center=center, code="tp-ht", name="Tư pháp – Hộ tịch")


@pytest.fixture
def procedure(db):
    """Direct: 3 working days, 15.000 đ; online: 3 working days, free."""
    return make_procedure(
        channels=[
            {"channel": "direct", "time_value": 3, "fee_vnd": 15000},
            {"channel": "online", "time_value": 3, "fee_vnd": 0},
        ]
    )
