"""Fees paid and ratings: validated, once per dossier, appended to the log (KPI 3.6 and 5.4)."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.services import DossierError
from motcua.dossiers.settlement import SettlementError, record_payment, record_rating
from motcua.reports.models import DossierFact
from tests.dossiers.conftest import submit, vn
from tests.dossiers.test_actions import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(center, procedure):
    dossier, _ = submit(center, procedure)  # received Monday 7 July 2025 09:05
    return dossier


def pay(dossier, **overrides):
    values = {"method": "online_national", "amount_vnd": 15000, "actor": "user:7"}
    values.update(overrides)
    values.setdefault("at", vn(2025, 7, 7, 9, 30))
    return record_payment(dossier.pk, **values)


class TestPayment:
    def test_online_payment_is_an_event_and_a_fact(self, dossier):
        event = pay(dossier, reference="VNPAY 123")
        assert (event.action, event.from_status, event.to_status) == ("pay", "received", "received")
        assert event.data == {
            "method": "online_national",
            "online": 1,
            "amount_vnd": 15000,
            "reference": "VNPAY 123",
        }
        assert DossierFact.objects.get(pk=dossier.pk).paid_online_at == vn(2025, 7, 7, 9, 30)

    def test_cash_is_recorded_but_not_online(self, dossier):
        assert pay(dossier, method="cash").data["online"] == 0
        assert DossierFact.objects.get(pk=dossier.pk).paid_online_at is None

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"method": "bitcoin"}, "Hình thức thanh toán"),
            ({"amount_vnd": 0}, "lớn hơn 0"),
            ({"amount_vnd": -5}, "lớn hơn 0"),
            ({"amount_vnd": 15000.5}, "số nguyên"),
            ({"amount_vnd": True}, "số nguyên"),
            ({"amount_vnd": 2_000_000_000}, "không quá"),
            ({"at": vn(2025, 7, 7, 9, 0)}, "không được trước"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_is_written(self, dossier, overrides, message):
        with pytest.raises(DossierError) as caught:
            pay(dossier, **overrides)
        assert message in caught.value.message
        assert not DossierEvent.objects.filter(dossier=dossier, action="pay").exists()

    def test_a_second_payment_is_refused(self, dossier):
        pay(dossier)
        with pytest.raises(SettlementError, match="đã ghi nhận thanh toán"):
            pay(dossier, at=vn(2025, 7, 7, 10, 0))
        assert DossierEvent.objects.filter(dossier=dossier, action="pay").count() == 1

    @pytest.mark.parametrize("fee", [0, None])
    def test_a_dossier_without_a_fee_is_not_paid(self, dossier, fee):
        dossier.fee_vnd = fee
        dossier.save(update_fields=["fee_vnd"])
        with pytest.raises(SettlementError, match="không có phí, lệ phí"):
            pay(dossier, amount_vnd=50000)
        assert not DossierEvent.objects.filter(dossier=dossier, action="pay").exists()

    def test_an_amount_other_than_the_fee_is_accepted(self, dossier):
        # The fee may be charged per copy: 3 copies of a 15.000 đ fee.
        assert pay(dossier, amount_vnd=45000).data["amount_vnd"] == 45000

    def test_a_refused_dossier_is_not_paid(self, dossier):
        act(dossier, "refuse", "reception", at=vn(2025, 7, 7, 9, 10), note="Sai thẩm quyền")
        with pytest.raises(SettlementError, match="không ghi nhận thanh toán"):
            pay(dossier)


class TestRating:
    def test_rating_needs_a_result(self, dossier):
        with pytest.raises(SettlementError, match="chưa thể đánh giá"):
            record_rating(dossier.pk, rating="satisfied", actor="kiosk:1", at=vn(2025, 7, 7, 10))

    def test_rating_and_complaint_after_the_result(self, dossier, center):
        from motcua.centers.models import Unit

        unit = Unit.objects.create(center=center, code="u", name="Tư pháp")
        act(dossier, "assign", "reception", at=vn(2025, 7, 7, 10, 0), unit_id=unit.pk)
        act(dossier, "mark_result_ready", "specialist", at=vn(2025, 7, 8, 9, 0))
        event = record_rating(
            dossier.pk, rating="dissatisfied", actor="kiosk:1", at=vn(2025, 7, 8, 10), complaint=1
        )
        assert event.data == {"rating": "dissatisfied", "complaint": True}
        fact = DossierFact.objects.get(pk=dossier.pk)
        assert (fact.rating, fact.complaint, fact.rated_at) == (
            "dissatisfied",
            True,
            vn(2025, 7, 8, 10),
        )
        with pytest.raises(SettlementError, match="đã được đánh giá"):
            record_rating(dossier.pk, rating="satisfied", actor="kiosk:1", at=vn(2025, 7, 8, 11))
        with pytest.raises(DossierError, match="Mức đánh giá"):
            record_rating(dossier.pk, rating="5 sao", actor="kiosk:1", at=vn(2025, 7, 8, 11))
