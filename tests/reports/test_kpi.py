"""KPI engine on small hand-computed cases (QĐ 766/QĐ-TTg, domain.md §3.3 and §4).

Every dossier below uses the fixture procedure: 3 working days at the counter. Received on
Monday 7 July 2025 at 09:05, it is due on Thursday 10 July 2025 at 09:05.
"""

from __future__ import annotations

from datetime import date

import pytest

from motcua.dossiers.models import DossierDocument
from motcua.dossiers.settlement import record_payment
from motcua.reports.kpi import KpiError, Slice, compute, rate
from motcua.reports.rollups import rebuild
from tests.dossiers.conftest import submit_received, vn
from tests.dossiers.test_actions import act

pytestmark = pytest.mark.django_db

JULY = (date(2025, 7, 1), date(2025, 7, 31))


def receive(center, procedure, key, *, at=None, channel="kiosk"):
    dossier, _ = submit_received(
        center, procedure, key=key, now=at or vn(2025, 7, 7, 9, 5), channel=channel
    )
    return dossier


def assign(dossier, unit, at=None):
    act(dossier, "assign", "reception", at=at or vn(2025, 7, 7, 10, 0), unit_id=unit.pk)


def finish(dossier, at):
    act(dossier, "mark_result_ready", "specialist", at=at)


def supplement(dossier, asked, answered):
    act(dossier, "request_supplement", "specialist", at=asked, note="Thiếu giấy tờ")
    act(dossier, "submit_supplement", "reception", at=answered)


class TestRate:
    def test_rounds_half_up_to_two_decimals(self):
        assert rate(2678, 2780) == 96.33
        assert rate(1, 8) == 12.5
        assert rate(3365, 3366) == 99.97

    def test_zero_denominator_is_none(self):
        assert rate(0, 0) is None


class TestTimeliness:
    def test_due_time_is_three_working_days_later(self, center, procedure):
        dossier = receive(center, procedure, "k")
        assert dossier.due_at == vn(2025, 7, 10, 9, 5)

    def test_early_on_time_late(self, center, procedure, unit):
        early, on_time, late = (receive(center, procedure, k) for k in ("a", "b", "c"))
        for dossier in (early, on_time, late):
            assign(dossier, unit)
        finish(early, vn(2025, 7, 8, 9, 5))
        finish(on_time, vn(2025, 7, 10, 9, 5))  # exactly at the due time
        finish(late, vn(2025, 7, 10, 9, 6))
        report = compute(*JULY)
        assert (report.received, report.resolved) == (3, 3)
        assert (report.resolved_early, report.resolved_on_time, report.resolved_late) == (1, 1, 1)
        index = report.indices["2.1"]
        assert (index.numerator, index.denominator, index.rate) == (2, 3, 66.67)

    def test_average_processing_time_in_working_days(self, center, procedure, unit):
        one, three = receive(center, procedure, "a"), receive(center, procedure, "b")
        assign(one, unit)
        assign(three, unit)
        finish(one, vn(2025, 7, 8, 9, 5))  # 7.5 h of working time: 1 day
        finish(three, vn(2025, 7, 10, 9, 5))  # 3 days
        assert compute(*JULY).average_processing_days == 2.0

    def test_one_supplement_pause_is_not_counted(self, center, procedure, unit):
        dossier = receive(center, procedure, "a")
        assign(dossier, unit)
        # Paused from Tuesday 09:00 to Wednesday 09:00: one working day, due Friday 09:05.
        supplement(dossier, vn(2025, 7, 8, 9, 0), vn(2025, 7, 9, 9, 0))
        finish(dossier, vn(2025, 7, 11, 9, 0))
        report = compute(*JULY)
        assert (report.resolved_on_time, report.resolved_late) == (1, 0)
        assert report.indices["2.1"].rate == 100.0
        # 4 working days less 5 min from receipt (29 h 55 min), less the paused 7.5 h:
        # 22 h 25 min = 2.99 days of 7.5 h.
        assert report.average_processing_days == 2.99

    def test_second_supplement_request_counts_as_late(self, center, procedure, unit):
        dossier = receive(center, procedure, "a")
        assign(dossier, unit)
        supplement(dossier, vn(2025, 7, 7, 11, 0), vn(2025, 7, 7, 14, 0))
        supplement(dossier, vn(2025, 7, 7, 15, 0), vn(2025, 7, 7, 16, 0))
        finish(dossier, vn(2025, 7, 8, 8, 0))  # well before the due time
        report = compute(*JULY)
        assert (report.resolved_early, report.resolved_late) == (0, 1)
        assert report.indices["2.1"].rate == 0.0

    def test_refused_stopped_withdrawn(self, center, procedure, unit):
        refused, stopped, withdrawn = (receive(center, procedure, k) for k in ("a", "b", "c"))
        act(refused, "refuse", "reception", at=vn(2025, 7, 7, 9, 30), note="Không thuộc thẩm quyền")
        assign(stopped, unit)
        act(stopped, "stop", "leader", at=vn(2025, 7, 11, 9, 0), note="Người nộp đã mất")
        act(withdrawn, "withdraw", "reception", at=vn(2025, 7, 7, 9, 40), note="Đơn rút hồ sơ")
        report = compute(*JULY)
        assert (report.refused, report.stopped, report.withdrawn) == (1, 1, 1)
        # Refused and stopped dossiers end there [CT]; a withdrawn one leaves the 2.1 index.
        assert (report.resolved, report.resolved_early, report.resolved_late) == (2, 1, 1)
        assert report.indices["2.1"].denominator == 2
        # Neither has a result: nothing to sign electronically.
        assert report.indices["4.1"].denominator == 0 and report.indices["4.1"].rate is None

    def test_a_reschedule_does_not_excuse_lateness_even_with_a_supplement(
        self, center, procedure, unit
    ):
        dossier = receive(center, procedure, "a")  # due Thursday 10/7 09:05
        assign(dossier, unit)
        act(
            dossier,
            "reschedule",
            "specialist",
            at=vn(2025, 7, 8, 9, 0),
            note="Xin lỗi, cần xác minh thêm",
            new_due_at=vn(2025, 7, 25, 9, 0),
        )
        # One hour paused: the legal due time moves to Thursday 10:05, not to 25/7 10:00.
        supplement(dossier, vn(2025, 7, 8, 10, 0), vn(2025, 7, 8, 11, 0))
        finish(dossier, vn(2025, 7, 22, 9, 0))
        report = compute(*JULY)
        assert (report.resolved_early, report.resolved_on_time, report.resolved_late) == (0, 0, 1)

    def test_stopped_while_a_supplement_is_pending_is_judged_at_the_request(
        self, center, procedure, unit
    ):
        dossier = receive(center, procedure, "a")  # due Thursday 10/7 09:05
        assign(dossier, unit)
        act(dossier, "request_supplement", "specialist", at=vn(2025, 7, 8, 9, 0), note="Thiếu")
        act(dossier, "stop", "leader", at=vn(2025, 7, 28, 9, 0), note="Quá hạn bổ sung")
        report = compute(*JULY)
        # The clock stopped on Tuesday 8/7, two days before the due day: early, and stopped.
        assert (report.resolved_early, report.resolved_late, report.stopped) == (1, 0, 1)
        # Processing time counts up to the request only: Monday 09:05 → Tuesday 09:00.
        assert report.average_processing_days == 0.99


class TestPeriod:
    def test_received_before_the_period_is_excluded(self, center, procedure):
        receive(center, procedure, "june", at=vn(2025, 6, 30, 16, 0))
        receive(center, procedure, "july", at=vn(2025, 7, 1, 7, 30))
        assert compute(*JULY).received == 1
        assert compute(date(2025, 6, 30), date(2025, 6, 30)).received == 1

    def test_last_day_of_the_period_is_included(self, center, procedure):
        receive(center, procedure, "late-evening", at=vn(2025, 7, 31, 16, 59))
        receive(center, procedure, "next-month", at=vn(2025, 8, 1, 7, 30))
        assert compute(*JULY).received == 1

    def test_unfinished_dossiers_are_judged_at_the_period_end(self, center, procedure, unit):
        dossier = receive(center, procedure, "a")
        assign(dossier, unit)
        finish(dossier, vn(2025, 7, 15, 9, 0))  # late, but after the first two periods end
        within = compute(date(2025, 7, 7), date(2025, 7, 9))  # judged 10/7 00:00 < due
        assert (within.in_progress_within_time, within.in_progress_overdue) == (1, 0)
        assert (within.resolved, within.indices["2.1"].rate) == (0, 100.0)
        overdue = compute(date(2025, 7, 7), date(2025, 7, 10))  # judged 11/7 00:00 > due
        assert (overdue.in_progress_within_time, overdue.in_progress_overdue) == (0, 1)
        assert overdue.indices["2.1"].rate == 0.0
        finished = compute(*JULY)
        assert (finished.resolved_late, finished.in_progress_overdue) == (1, 0)

    def test_now_before_the_period_end_is_the_judgement_moment(self, center, procedure):
        receive(center, procedure, "a")
        report = compute(*JULY, now=vn(2025, 7, 9, 12, 0))
        assert report.judged_at == vn(2025, 7, 9, 12, 0)
        assert report.in_progress_within_time == 1

    def test_end_before_start_is_an_error(self):
        with pytest.raises(KpiError):
            compute(date(2025, 7, 2), date(2025, 7, 1))


class TestZeroDenominators:
    def test_empty_period_gives_none_not_an_error(self, center):
        report = compute(*JULY)
        assert report.received == 0 and report.average_processing_days is None
        assert all(index.rate is None for index in report.indices.values())
        assert report.indices["4.2"].note


class TestSubIndices:
    def test_online_share_digitization_and_payment(self, center, procedure):
        counter = receive(center, procedure, "a")
        receive(center, procedure, "b", channel="online")
        # A direct write bypasses the event log, so the facts are rebuilt by hand here.
        DossierDocument.objects.filter(dossier=counter).update(
            digitized=True, digitized_at=vn(2025, 7, 7, 9, 30)
        )
        rebuild(dossier_ids=[counter.pk])
        report = compute(*JULY)
        assert report.online == 1 and report.indices["3.3"].rate == 50.0
        assert report.indices["3.3"].full_score_at == 50.0
        assert (report.indices["4.2"].numerator, report.indices["4.2"].rate) == (1, 50.0)
        assert report.indices["4.3"].rate == 0.0
        # Only the counter dossier bears a fee (15.000 đ); it is not paid yet.
        payment = report.indices["3.6"]
        assert (payment.numerator, payment.denominator, payment.rate) == (0, 1, 0.0)
        record_payment(
            counter.pk, method="cash", amount_vnd=15000, actor="user:7", at=vn(2025, 7, 7, 9, 10)
        )
        assert compute(*JULY).indices["3.6"].rate == 0.0  # cash is not an online payment
        # No rating in the period: 5.4 is 100% − the late rate, with a note saying so. Both
        # dossiers are unfinished and past their due time at the end of July: 0%; on the day
        # they were received both are within time: 100%.
        assert report.indices["5.4"].rate == 0.0 and report.indices["5.4"].note
        assert compute(*JULY, now=vn(2025, 7, 7, 12, 0)).indices["5.4"].rate == 100.0

    def test_online_payment_counts_for_fee_bearing_dossiers_only(self, center, procedure):
        counter = receive(center, procedure, "a")
        free = receive(center, procedure, "b", channel="online")  # online: 0 đ
        record_payment(
            counter.pk,
            method="online_national",
            amount_vnd=15000,
            actor="user:7",
            at=vn(2025, 7, 7, 9, 20),
        )
        # record_payment refuses a free dossier; a pay event written before that rule (or by
        # another system) must still not count: write it to the log directly.
        from motcua.dossiers.services import record_event

        free.refresh_from_db()
        record_event(
            free,
            action="pay",
            from_status=free.status,
            to_status=free.status,
            actor="user:7",
            at=vn(2025, 7, 7, 9, 20),
            data={"method": "online_national", "online": 1, "amount_vnd": 1, "reference": ""},
        )
        payment = compute(*JULY).indices["3.6"]
        assert (payment.numerator, payment.denominator, payment.rate) == (1, 1, 100.0)
        # Judged before the payment: not paid yet.
        assert compute(*JULY, now=vn(2025, 7, 7, 9, 15)).indices["3.6"].rate == 0.0

    def test_digitized_means_every_component(self, center, procedure):
        dossier = receive(center, procedure, "a")  # two components
        first = DossierDocument.objects.filter(dossier=dossier).order_by("position").first()
        DossierDocument.objects.filter(pk=first.pk).update(
            digitized=True, digitized_at=vn(2025, 7, 7, 9, 30)
        )
        rebuild(dossier_ids=[dossier.pk])
        assert compute(*JULY).indices["4.2"].numerator == 0
        DossierDocument.objects.filter(dossier=dossier).update(
            digitized=True, digitized_at=vn(2025, 7, 7, 9, 40)
        )
        rebuild(dossier_ids=[dossier.pk])
        assert compute(*JULY).indices["4.2"].numerator == 1
        # Judged between the two scans: not yet digitized as a whole.
        assert compute(*JULY, now=vn(2025, 7, 7, 9, 35)).indices["4.2"].numerator == 0

    def test_satisfaction_subtracts_late_and_unhappy(self, center, procedure, unit):
        from motcua.dossiers.settlement import record_rating

        dossiers = [receive(center, procedure, k) for k in "abcd"]
        for dossier in dossiers:
            assign(dossier, unit)
        for dossier in dossiers[:3]:
            finish(dossier, vn(2025, 7, 8, 9, 0))
        finish(dossiers[3], vn(2025, 7, 15, 9, 0))  # late
        record_rating(dossiers[0].pk, rating="dissatisfied", actor="c", at=vn(2025, 7, 16))
        record_rating(
            dossiers[1].pk, rating="satisfied", actor="c", at=vn(2025, 7, 16), complaint=True
        )
        record_rating(dossiers[2].pk, rating="very_satisfied", actor="c", at=vn(2025, 7, 16))
        report = compute(*JULY)
        assert (report.rated, report.dissatisfied, report.complaints) == (3, 1, 1)
        # 100% − (1 late of 4 + 2 unhappy of 4) = 25%.
        index = report.indices["5.4"]
        assert (index.numerator, index.denominator, index.rate) == (1, 4, 25.0)
        # Judged before the ratings: only the late dossier counts against it.
        assert compute(*JULY, now=vn(2025, 7, 15, 12, 0)).indices["5.4"].rate == 75.0

    def test_slices(self, center, procedure):
        receive(center, procedure, "a")
        receive(center, procedure, "b", channel="online")
        assert compute(*JULY, slice=Slice(channel="online")).received == 1
        assert compute(*JULY, slice=Slice(center=center.agency_code)).received == 2
        assert compute(*JULY, slice=Slice(center="000.00.99.H99")).received == 0
        assert (
            compute(*JULY, slice=Slice(procedure="9.000003", sector=procedure.sector.code)).received
            == 2
        )
        with pytest.raises(KpiError):
            compute(*JULY, slice=Slice(channel="fax"))


class TestElectronicResults:
    def test_signed_results_over_dossiers_with_a_result(self, center, procedure, unit):
        signed, paper, open_ = (receive(center, procedure, k) for k in ("a", "b", "c"))
        for dossier in (signed, paper):
            assign(dossier, unit)
        act(signed, "submit_for_signature", "specialist", at=vn(2025, 7, 8, 8, 0))
        act(signed, "sign", "leader", at=vn(2025, 7, 8, 8, 30))
        finish(paper, vn(2025, 7, 8, 9, 0))
        index = compute(*JULY).indices["4.1"]
        assert (index.numerator, index.denominator, index.rate) == (1, 2, 50.0)
        # Judged before the signature: not yet an electronic result (nor a result at all).
        assert compute(*JULY, now=vn(2025, 7, 8, 8, 15)).indices["4.1"].rate is None
