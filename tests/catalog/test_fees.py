"""The one wording of a fee (``catalog.fees``): per dossier, per copy, per unit, unknown."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from motcua.catalog.fees import Fee


class TestFeeText:
    @pytest.mark.parametrize(
        ("fee", "text", "total"),
        [
            (Fee(0), "Miễn phí", 0),
            (Fee(50000), "50.000 đồng", 50000),
            (Fee(None), "Theo quy định (cán bộ báo khi tiếp nhận)", None),
            (Fee(0, 8000), "Miễn phí; bản sao (nếu yêu cầu): 8.000 đồng/bản", 0),
            (Fee(0, 8000, 3), "24.000 đồng (3 bản sao × 8.000 đồng/bản)", 24000),
            (
                Fee(50000, 8000, 2),
                "66.000 đồng (lệ phí 50.000 đồng + 2 bản sao × 8.000 đồng/bản)",
                66000,
            ),
            (
                Fee(None, 8000, 2),
                "2 bản sao × 8.000 đồng/bản = 16.000 đồng; lệ phí theo quy định",
                None,
            ),
            (
                Fee(2000, None, 0, "trang"),
                "2.000 đồng/trang (cán bộ tính số tiền theo số trang khi tiếp nhận)",
                None,
            ),
        ],
    )
    def test_wording_and_total(self, fee, text, total):
        assert fee.text() == text
        assert fee.total_vnd == total


class TestOfDossier:
    def test_the_dossier_gives_back_the_fee_it_was_received_with(self):
        for fee in [
            Fee(0, 8000, 3),
            Fee(50000, 8000, 2),
            Fee(None, 8000, 2),
            Fee(2000, None, 0, "trang"),
        ]:
            dossier = SimpleNamespace(
                fee_vnd=fee.stored_vnd,
                copies_requested=fee.copies,
                copy_fee_vnd=fee.copy_fee_vnd,
                fee_unit=fee.unit,
            )
            assert Fee.of_dossier(dossier) == fee

    def test_copies_without_a_copy_fee_cost_nothing(self):
        channel = SimpleNamespace(fee_vnd=10000, copy_fee_vnd=None, fee_unit="")
        assert Fee.of_channel(channel, copies=5).total_vnd == 10000
