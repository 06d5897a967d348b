"""The press example, rebuilt from generated events: the KPI engine must give exactly its numbers.

A commune center reported for its first five months (1/7–30/11/2025): "received 3,366 dossiers,
resolved and digitized 3,366 (100%), 3,341 before or on time, 24 in progress within time, 1 late".
The press counts the 24 in progress as "resolved"; the engine keeps them apart, so the test asserts
the engine's own fields: received 3,366; early + on time 3,341; in progress within time 24; late
(finished or not) 1; digitized 3,366.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.demodata.people import fake_applicant
from motcua.demodata.stories import Outcome, Scenario
from motcua.demodata.writing import write
from motcua.dossiers.audit import verify_chains
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import VIETNAM
from motcua.dossiers.states import Channel, DossierStatus
from motcua.reports.kpi import Slice, compute, rate
from motcua.workcalendar.services import WorkCalendar
from tests.dossiers.conftest import make_center

pytestmark = pytest.mark.django_db

PERIOD = (date(2025, 7, 1), date(2025, 11, 30))
NOW = datetime(2025, 12, 1, 0, 0, tzinfo=VIETNAM)  # the end of the period
RECEIVED, TIMELY, IN_PROGRESS, LATE = 3366, 3341, 24, 1


def _at(day: date, rng: random.Random) -> datetime:
    minutes = rng.choice([rng.randint(0, 230), rng.randint(360, 560)])  # 7:30–11:20, 13:30–16:50
    return datetime.combine(day, time(7, 30), VIETNAM) + timedelta(minutes=minutes)


def press_scenarios(center) -> list[Scenario]:
    """3,366 stories of one center, in receipt order."""
    rng = random.Random(766)
    birth = Procedure.objects.get(code="1.001193")  # 1 working day, online too
    copy = Procedure.objects.get(code="2.000815")  # chứng thực bản sao: same day, at the counter
    calendar = WorkCalendar.from_db(*PERIOD)
    # Finished ones are received before November so their whole story ends before NOW.
    days = [d.day for d in calendar.days(date(2025, 7, 1), date(2025, 10, 31)) if d.is_working]
    last_day = date(2025, 11, 28)  # Friday: a 1-working-day dossier is due on Monday 1/12
    late_day = date(2025, 9, 15)

    def scenario(received_at, outcome, *, procedure=None, supplements=0) -> Scenario:
        procedure = procedure or rng.choice((birth, copy))
        channel = (
            rng.choice((Channel.ONLINE, Channel.KIOSK, Channel.COUNTER))
            if procedure == birth
            else rng.choice((Channel.KIOSK, Channel.COUNTER))
        )
        return Scenario(
            center_id=center.pk,
            procedure_id=procedure.pk,
            channel=channel,
            received_at=received_at,
            outcome=outcome,
            applicant=fake_applicant(rng, 25, center.commune, center.province),
            supplements=supplements,
            e_result=rng.random() < 0.9,
            digitized=True,
            reused=rng.random() < 0.3,
            rating=rng.choice(("", "", "satisfied", "very_satisfied")),
            pace=rng.random(),
            jitter=rng.getrandbits(32),
        )

    stories = []
    for _ in range(TIMELY):
        outcome = Outcome.EARLY if rng.random() < 0.8 else Outcome.ON_TIME
        supplements = 1 if rng.random() < 0.03 else 0
        stories.append(scenario(_at(rng.choice(days), rng), outcome, supplements=supplements))
    stories.append(
        scenario(datetime.combine(late_day, time(9, 0), VIETNAM), Outcome.LATE, procedure=birth)
    )
    for _ in range(IN_PROGRESS):
        received_at = datetime.combine(last_day, time(8, 0), VIETNAM) + timedelta(
            minutes=rng.randint(0, 420)
        )
        stories.append(scenario(received_at, Outcome.IN_PROGRESS, procedure=birth))
    return sorted(stories, key=lambda s: s.received_at)


class TestPressExample:
    def test_the_engine_counts_exactly_the_press_numbers(self, tiny_catalog):
        center = make_center()
        scenarios = press_scenarios(center)
        assert len(scenarios) == RECEIVED
        with transaction.atomic():
            written = write(scenarios, now=NOW)
        assert written.dossiers == RECEIVED

        report = compute(*PERIOD, slice=Slice(center=center.agency_code), now=NOW)

        assert report.received == RECEIVED
        assert report.resolved_early + report.resolved_on_time == TIMELY
        assert report.in_progress_within_time == IN_PROGRESS
        assert report.resolved_late + report.in_progress_overdue == LATE
        assert report.digitized == RECEIVED
        assert report.refused == report.stopped == report.withdrawn == 0
        # 3,341 + 24 timely of 3,366: the 99.97 % the province publishes for index 2.1.
        index = report.indices["2.1"]
        assert (index.numerator, index.denominator) == (TIMELY + IN_PROGRESS, RECEIVED)
        assert index.rate == rate(TIMELY + IN_PROGRESS, RECEIVED) == 99.97
        assert report.indices["4.2"].rate == 100.0

    def test_the_generated_history_is_sound(self, tiny_catalog):
        center = make_center()
        with transaction.atomic():
            write(press_scenarios(center), now=NOW)
        assert verify_chains().broken is None
        statuses = set(Dossier.objects.values_list("status", flat=True))
        open_statuses = statuses - {DossierStatus.PROCESSED, DossierStatus.RETURNED}
        assert open_statuses <= {DossierStatus.IN_PROGRESS}
        assert Dossier.objects.filter(status=DossierStatus.IN_PROGRESS).count() == IN_PROGRESS


# The second press example, another commune: "2,780 received, 2,678 online, 102 in person;
# 2,228 early, 459 on time, 55 late; digitized components 2,565/2,780", and its fees all paid
# online ("online payment 100%"). 2,228 + 459 + 55 = 2,742 finished: the other 38 are still in
# progress, within time, at the end of the period.
SECOND = {"received": 2780, "online": 2678, "early": 2228, "on_time": 459, "late": 55}
SECOND_DIGITIZED = 2565


def second_scenarios(center) -> list[Scenario]:
    rng = random.Random(2780)
    birth = Procedure.objects.get(code="1.001193")  # online or at the counter
    copy = Procedure.objects.get(code="2.000815")  # at the counter only, with a fee
    calendar = WorkCalendar.from_db(*PERIOD)
    days = [d.day for d in calendar.days(date(2025, 7, 1), date(2025, 10, 31)) if d.is_working]
    outcomes = (
        [Outcome.EARLY] * SECOND["early"]
        + [Outcome.ON_TIME] * SECOND["on_time"]
        + [Outcome.LATE] * SECOND["late"]
    )
    rng.shuffle(outcomes)
    channels = [Channel.ONLINE] * SECOND["online"] + [Channel.COUNTER] * (
        SECOND["received"] - SECOND["online"]
    )
    rng.shuffle(channels)
    digitized = [True] * SECOND_DIGITIZED + [False] * (SECOND["received"] - SECOND_DIGITIZED)
    rng.shuffle(digitized)
    stories = []
    for i, channel in enumerate(channels):
        if i < len(outcomes):
            outcome, received_at = outcomes[i], _at(rng.choice(days), rng)
            if outcome == Outcome.EARLY:
                # Early means a day before the due day: a 1-day dossier received in the morning
                # can be finished that afternoon.
                received_at = datetime.combine(received_at.date(), time(8, 0), VIETNAM)
                received_at += timedelta(minutes=rng.randint(0, 120))
        else:
            outcome = Outcome.IN_PROGRESS
            received_at = datetime.combine(date(2025, 11, 28), time(8, 0), VIETNAM) + timedelta(
                minutes=rng.randint(0, 420)
            )
        # Chứng thực is due the same day, so it cannot be early; it is taken at the counter.
        counter_only = channel != Channel.ONLINE and outcome != Outcome.EARLY
        procedure = copy if counter_only and rng.random() < 0.5 else birth
        if outcome == Outcome.IN_PROGRESS:
            procedure = birth  # due on Monday 1/12: within time at the end of November
        stories.append(
            Scenario(
                center_id=center.pk,
                procedure_id=procedure.pk,
                channel=channel,
                received_at=received_at,
                outcome=outcome,
                applicant=fake_applicant(rng, 25, center.commune, center.province),
                payment="online_national",  # used only where the procedure has a fee
                digitized=digitized[i],
                pace=rng.random(),
                jitter=rng.getrandbits(32),
            )
        )
    return sorted(stories, key=lambda s: s.received_at)


class TestSecondPressExample:
    def test_channels_timeliness_digitization_and_payment(self, tiny_catalog):
        center = make_center("000.00.25.H46", "Xã Đông Thành")
        with transaction.atomic():
            write(second_scenarios(center), now=NOW)
        report = compute(*PERIOD, slice=Slice(center=center.agency_code), now=NOW)
        assert report.received == SECOND["received"]
        assert report.online == SECOND["online"]
        assert report.received - report.online == 102  # "102 in person"
        assert (report.resolved_early, report.resolved_on_time, report.resolved_late) == (
            SECOND["early"],
            SECOND["on_time"],
            SECOND["late"],
        )
        assert (report.in_progress_within_time, report.in_progress_overdue) == (38, 0)
        assert report.digitized == SECOND_DIGITIZED
        assert report.indices["4.2"].rate == rate(SECOND_DIGITIZED, SECOND["received"]) == 92.27
        assert report.indices["3.3"].rate == 96.33  # 2,678 / 2,780
        # Every fee-bearing dossier paid online: "online payment 100%".
        payment = report.indices["3.6"]
        assert payment.denominator > 0 and payment.numerator == payment.denominator
        assert payment.rate == 100.0


def test_the_third_press_example_online_payment_and_satisfaction(tiny_catalog):
    """ "Online 99.63%, online payment 100%, satisfaction 100%": 2,678 of 2,688 online, every
    fee paid online, nothing late, nobody unhappy."""
    center = make_center("000.00.25.H47", "Xã Tây Sơn")
    rng = random.Random(9963)
    birth = Procedure.objects.get(code="1.001193")
    copy = Procedure.objects.get(code="2.000815")
    calendar = WorkCalendar.from_db(*PERIOD)
    days = [d.day for d in calendar.days(date(2025, 7, 1), date(2025, 10, 31)) if d.is_working]
    stories = [
        Scenario(
            center_id=center.pk,
            procedure_id=(birth if i < 2678 else copy).pk,
            channel=Channel.ONLINE if i < 2678 else Channel.COUNTER,
            received_at=_at(rng.choice(days), rng),
            outcome=Outcome.ON_TIME,
            applicant=fake_applicant(rng, 25, center.commune, center.province),
            payment="online_national",
            rating=rng.choice(("satisfied", "very_satisfied")),
            pace=rng.random(),
            jitter=rng.getrandbits(32),
        )
        for i in range(2688)
    ]
    with transaction.atomic():
        write(sorted(stories, key=lambda s: s.received_at), now=NOW)
    report = compute(*PERIOD, slice=Slice(center=center.agency_code), now=NOW)
    assert (report.received, report.online) == (2688, 2678)
    assert report.indices["3.3"].rate == 99.63
    assert report.indices["3.6"].rate == 100.0 and report.indices["3.6"].denominator == 10
    assert report.rated == 2688 and report.indices["5.4"].rate == 100.0
