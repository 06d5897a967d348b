"""``motcua demo-data``: the planner, the bulk writer and the command (motcua.demodata).

Small sizes throughout: a few hundred dossiers over a few months, on the tiny catalog.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from motcua.centers.models import Center, StaffMembership, agency_code_validator
from motcua.demodata import people, places, stories, writing
from motcua.dossiers.audit import verify_chains
from motcua.dossiers.models import (
    CitizenDocument,
    Dossier,
    DossierCounter,
    DossierDocument,
    DossierEvent,
)
from motcua.dossiers.services import VIETNAM, appointment_preview
from motcua.dossiers.states import TRANSITIONS, Channel, EventAction, PaymentMethod, Rating
from motcua.reports.models import DossierFact
from motcua.workcalendar.services import OfficeHours, WorkCalendar
from tests.dossiers.conftest import make_center, submit

pytestmark = pytest.mark.django_db

FROM, TO = date(2025, 8, 1), date(2025, 10, 31)
NOW = datetime(2025, 10, 31, 10, 0, tzinfo=VIETNAM)  # mid-morning of the last day
NON_TRANSITIONS = {
    EventAction.DIGITIZE,
    EventAction.REUSE,
    EventAction.PAY,
    EventAction.RATE,
}


def two_centers() -> list[Center]:
    return [make_center(), make_center("000.00.08116.H25", "Xã Lâm Thao")]


def generate(centers, *, dossiers=300, seed=1, now=NOW, date_from=FROM, date_to=TO, **options):
    catalog = stories.Catalog()
    scenarios = list(
        stories.plan(
            centers,
            dossiers=dossiers,
            date_from=date_from,
            date_to=date_to,
            now=now,
            seed=seed,
            catalog=catalog,
        )
    )
    with transaction.atomic():
        report = writing.write(scenarios, now=now, catalog=catalog, **options)
    return scenarios, report


def fingerprint() -> list[tuple]:
    return list(
        DossierEvent.objects.order_by("dossier__code", "seq").values_list(
            "dossier__code", "seq", "hash"
        )
    )


class TestMap:
    def test_phu_tho_has_148_communes_with_unique_valid_agency_codes(self):
        communes = places.communes(25)
        assert len(communes) == 148
        codes = [c.agency_code for c in communes]
        assert len(set(codes)) == 148
        for code in codes:
            agency_code_validator(code)
        hien_luong = next(c for c in communes if c.name == "Xã Hiền Lương")
        assert hien_luong.agency_code == places.DEMO_AGENCY_CODE
        assert {c.province for c in communes} == {"Tỉnh Phú Thọ"}
        assert "000.00.07900.H25" in codes  # Phường Việt Trì

    def test_city_provinces_keep_their_name(self):
        assert places.province_name(1) == "Thành phố Hà Nội"

    def test_unknown_province_is_refused(self):
        with pytest.raises(places.MapError):
            places.communes(99)

    def test_small_set_is_the_demo_commune_and_five_neighbours(self):
        small = places.small_communes()
        assert len(small) == 6
        assert small[0].agency_code == places.DEMO_AGENCY_CODE
        assert len({c.code for c in small}) == 6

    def test_centers_get_units_and_officers_who_cannot_sign_in(self, tiny_catalog):
        first = places.communes(25)[0]
        (center,) = places.ensure_centers([first])
        assert (center.agency_code, center.commune) == (first.agency_code, first.name)
        assert center.commune.startswith("Phường ")
        assert center.name == f"Trung tâm Phục vụ hành chính công p{center.commune[1:]}"
        assert center.province == "Tỉnh Phú Thọ"
        memberships = StaffMembership.objects.filter(center=center).select_related("user")
        roles = sorted(m.role for m in memberships)
        assert roles.count("reception") == 2 and roles.count("leader") == 2
        assert not any(m.user.has_usable_password() for m in memberships)
        assert center.units.get(code="tu-phap-ho-tich").sectors.filter(name="Hộ tịch").exists()
        places.ensure_centers(places.communes(25)[:1])  # again: nothing new
        assert StaffMembership.objects.filter(center=center).count() == len(people.STAFF_PLAN)


class TestFakeApplicant:
    def test_personal_numbers_follow_the_12_digit_structure(self):
        rng = random.Random(5)
        for _ in range(500):
            a = people.fake_applicant(rng, 25, "Xã Hiền Lương", "Tỉnh Phú Thọ")
            assert re.fullmatch(r"[0-9]{12}", a.id_number)
            assert a.id_number[:3] in people.OLD_PROVINCE_CODES
            century = 0 if a.birth_date.year < 2000 else 2
            assert int(a.id_number[3]) == century + (1 if a.sex == "female" else 0)
            assert a.id_number[4:6] == f"{a.birth_date.year % 100:02d}"
            assert re.fullmatch(r"0[0-9]{9}", a.phone)
            assert unicodedata.is_normalized("NFC", a.name + a.address)
            assert a.address.endswith("xã Hiền Lương, tỉnh Phú Thọ")


class TestPlan:
    def test_same_seed_same_stories_other_seed_other_stories(self, tiny_catalog):
        centers = two_centers()
        args = {"dossiers": 200, "date_from": FROM, "date_to": TO, "now": NOW}
        first = list(stories.plan(centers, seed=7, **args))
        assert first == list(stories.plan(centers, seed=7, **args))
        assert first != list(stories.plan(centers, seed=8, **args))

    def test_receipts_fall_in_office_hours_of_working_days_in_the_period(self, tiny_catalog):
        centers = two_centers()
        scenarios = list(
            stories.plan(centers, dossiers=400, date_from=FROM, date_to=TO, now=NOW, seed=3)
        )
        assert len(scenarios) == 400
        calendar = WorkCalendar.from_db(FROM, TO)
        for s in scenarios:
            local = s.received_at.astimezone(VIETNAM)
            assert FROM <= local.date() <= TO and s.received_at < NOW
            assert calendar.is_working_day(local.date())
            clock = local.time()
            assert time(7, 30) <= clock < time(11, 30) or time(13, 30) <= clock < time(17, 0)
        # Center by center, in receipt order: write() numbers them in this order.
        for center in centers:
            own = [s.received_at for s in scenarios if s.center_id == center.pk]
            assert own == sorted(own) and own

    def test_channels_follow_what_the_catalog_offers(self, tiny_catalog):
        scenarios = list(
            stories.plan(two_centers(), dossiers=400, date_from=FROM, date_to=TO, now=NOW)
        )
        catalog = stories.Catalog()
        for s in scenarios:
            assert s.channel in catalog.get(s.procedure_id).channels
            if s.payment:
                assert catalog.get(s.procedure_id).fee(s.channel) > 0
            if s.supplements == 2:
                assert s.outcome == stories.Outcome.LATE
        # Chứng thực bản sao is offered at the counter only; khai sinh mostly goes online.
        online = [s for s in scenarios if s.channel == "online"]
        assert online and len(online) < len(scenarios)

    def test_weights_favour_the_common_fields(self, catalog):
        procedures = stories.plannable_procedures(FROM, TO)
        weights = dict(zip([p.code for p in procedures], stories._weights(procedures), strict=True))
        assert abs(sum(weights.values()) - 1) < 1e-9
        by_sector = defaultdict(float)
        for p in procedures:
            by_sector[p.sector.name] += weights[p.code]
        assert by_sector["Chứng thực"] > by_sector["Hộ tịch"] > by_sector["Đất đai"]
        assert weights["1.001193"] > weights["1.004884"]  # khai sinh before đăng ký lại


class TestClock:
    def test_agrees_with_the_calendar(self, db):
        calendar = writing._Calendar()
        hours = OfficeHours()
        clock = writing._Clock(calendar, hours, date(2025, 1, 1))
        rng = random.Random(1)
        for _ in range(300):
            start = datetime(2025, 1, 20, tzinfo=VIETNAM) + timedelta(
                minutes=rng.randint(0, 60 * 24 * 120)
            )
            seconds = rng.choice([1, 60, 3600, 14400, 27000, rng.randint(1, 10 * 27000)])
            expected = calendar.add_working_time(start, timedelta(seconds=seconds), hours=hours)
            assert clock.moment(clock.index(start) + seconds) == expected
            end = start + timedelta(minutes=rng.randint(0, 60 * 24 * 20))
            worked = calendar.working_time_between(start, end, hours=hours)
            assert clock.index(end) - clock.index(start) == worked.total_seconds()


class TestWrite:
    def test_the_event_log_is_a_valid_hash_chain(self, tiny_catalog):
        _, report = generate(two_centers())
        assert report.dossiers == 300 == Dossier.objects.count()
        assert report.events == DossierEvent.objects.count()
        audit = verify_chains()
        assert audit.broken is None and audit.events == report.events

    def test_every_event_follows_the_transition_table(self, tiny_catalog):
        generate(two_centers())
        for event in DossierEvent.objects.all():
            if event.action == EventAction.RECEIVE:
                assert (event.seq, event.from_status, event.to_status) == (1, "", "received")
            elif event.action in NON_TRANSITIONS:
                assert event.from_status == event.to_status
            else:
                assert TRANSITIONS[(event.from_status, event.action)][0] == event.to_status

    def test_dossier_fields_are_what_the_events_say(self, tiny_catalog):
        generate(two_centers(), dossiers=400)
        events = defaultdict(list)
        for event in DossierEvent.objects.order_by("dossier_id", "seq"):
            events[event.dossier_id].append(event)
        for dossier in Dossier.objects.all():
            log = events[dossier.pk]
            assert [e.seq for e in log] == list(range(1, len(log) + 1))
            assert all(a.at < b.at for a, b in zip(log, log[1:], strict=False))
            assert all(e.at < NOW for e in log)
            assert dossier.status == log[-1].to_status
            requests = [e for e in log if e.action == EventAction.REQUEST_SUPPLEMENT]
            assert dossier.supplement_requests == len(requests)
            paused = requests[-1].at if dossier.status == "supplement_requested" else None
            assert dossier.clock_paused_at == paused
            assigns = [e for e in log if e.action == EventAction.ASSIGN]
            assert dossier.assignee_id == (assigns[-1].data["to_user_id"] if assigns else None)
            due = log[0].data["due_at"]
            for e in log:
                if "due_after" in e.data:
                    due = e.data["due_after"]
            assert dossier.due_at == (datetime.fromisoformat(due) if due else None)
            assert dossier.submitted_by == log[0].actor

    def test_due_times_and_supplement_pauses_are_the_services_own(self, tiny_catalog):
        generate(two_centers(), dossiers=400, seed=4)
        calendar = WorkCalendar.from_db()
        checked_supplements = 0
        for dossier in Dossier.objects.select_related("center", "procedure")[:150]:
            # What the kiosk or counter would have fixed for this receipt (Mẫu 01).
            due, fee = appointment_preview(
                dossier.center, dossier.procedure, Channel(dossier.channel), dossier.received_at
            )
            receive = dossier.events.get(seq=1)
            assert receive.data["due_at"] == (due.isoformat() if due else None)
            assert dossier.fee_vnd == fee.stored_vnd
        hours = OfficeHours()
        for event in DossierEvent.objects.filter(action=EventAction.SUBMIT_SUPPLEMENT):
            if not event.data:
                continue
            asked = event.dossier.events.filter(
                action=EventAction.REQUEST_SUPPLEMENT, seq__lt=event.seq
            ).latest("seq")
            paused = calendar.working_time_between(asked.at, event.at, hours=hours)
            assert event.data["paused_seconds"] == paused.total_seconds()
            before = datetime.fromisoformat(event.data["due_before"])
            assert datetime.fromisoformat(event.data["due_after"]) == calendar.add_working_time(
                before, paused, hours=hours
            )
            checked_supplements += 1
        assert checked_supplements

    def test_codes_are_consecutive_per_center_and_day_and_counters_follow(self, tiny_catalog):
        centers = two_centers()
        generate(centers)
        numbers = defaultdict(list)
        for dossier in Dossier.objects.select_related("center").order_by("received_at"):
            day = dossier.received_at.astimezone(VIETNAM).date()
            assert dossier.code == f"{dossier.center.agency_code}-{day:%y%m%d}-{dossier.number:04d}"
            numbers[(dossier.center_id, day)].append(dossier.number)
        for (center_id, day), seen in numbers.items():
            assert seen == list(range(1, len(seen) + 1))
            assert DossierCounter.objects.get(center_id=center_id, day=day).last_number == len(seen)

    def test_a_real_receipt_afterwards_takes_the_next_number(self, tiny_catalog):
        centers = two_centers()
        generate(centers)
        last = Dossier.objects.filter(center=centers[0]).latest("received_at")
        moment = last.received_at + timedelta(minutes=1)
        if moment.astimezone(VIETNAM).date() != last.received_at.astimezone(VIETNAM).date():
            pytest.skip("the last receipt was at closing time")  # pragma: no cover
        with transaction.atomic():
            dossier, created = submit(
                centers[0], last.procedure, key="real-after-demo", now=moment, channel="counter"
            )
        assert created and dossier.number == last.number + 1

    def test_payments_ratings_digitization_and_reuse(self, tiny_catalog):
        generate(two_centers(), dossiers=400, seed=2)
        pays = DossierEvent.objects.filter(action=EventAction.PAY).select_related("dossier")
        assert pays.exists()
        for event in pays:
            assert event.dossier.fee_vnd and event.data["amount_vnd"] == event.dossier.fee_vnd
            assert event.data["online"] == PaymentMethod(event.data["method"]).online_code
        rates = DossierEvent.objects.filter(action=EventAction.RATE)
        assert rates.exists()
        assert {e.data["rating"] for e in rates} <= set(Rating.values)
        assert all(e.to_status in {"returned", "processed"} for e in rates)
        digitized = DossierDocument.objects.filter(digitized=True)
        assert digitized.exists() and not digitized.filter(digitized_at=None).exists()
        assert not DossierDocument.objects.exclude(file="").exists()  # no files stored
        reused = DossierDocument.objects.exclude(reused_from=None).select_related(
            "reused_from", "dossier"
        )
        assert reused.exists()
        for document in reused:
            stored = document.reused_from
            assert stored.owner_id_number == document.dossier.applicant_id_number
            assert stored.sha256 == document.sha256
            event = document.dossier.events.get(action=EventAction.REUSE)
            assert event.data["citizen_document_id"] == stored.pk
        assert CitizenDocument.objects.count() == reused.count()

    def test_kpi_facts_are_rebuilt_in_the_same_transaction(self, tiny_catalog):
        _, report = generate(two_centers(), dossiers=120)
        assert DossierFact.objects.count() == report.dossiers

    def test_nothing_after_now_is_written(self, tiny_catalog):
        generate(two_centers(), dossiers=200)
        assert not DossierEvent.objects.filter(at__gte=NOW).exists()
        # Dossiers received in the last days are still being processed at NOW.
        assert Dossier.objects.exclude(status__in=["returned", "processed"]).exists()

    def test_same_seed_same_codes_and_hashes_other_seed_other(self, tiny_catalog):
        centers = two_centers()
        for center in centers:
            people.ensure_staff(center)  # the same officer keys in every run below

        def run(seed, **options):
            _reset_sequences()
            with transaction.atomic():
                generate(centers, dossiers=150, seed=seed, **options)
                result = fingerprint()
                transaction.set_rollback(True)
            return result

        first = run(11)
        assert first and run(11) == first
        assert run(12) != first
        # Stories built in two forked worker processes: the same rows.
        assert run(11, workers=2, batch_size=40) == first


def _reset_sequences() -> None:
    """PostgreSQL does not give back the keys a rolled-back transaction took; the hashes of
    reuse events include a store entry's key, so the next run must get the same keys."""
    models = [Dossier, CitizenDocument, DossierDocument, DossierEvent, DossierCounter, DossierFact]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class TestCommand:
    def test_small_runs_once(self, tiny_catalog, capsys):
        call_command("demo_data", "--small", "--dossiers", "120", "--now", "2025-11-20T10:00")
        out = capsys.readouterr()
        assert "Đã tạo 120 hồ sơ" in out.out
        assert "Tạo hồ sơ" in out.err  # the progress bar, on stderr
        assert Center.objects.count() == 6
        assert Center.objects.filter(agency_code=places.DEMO_AGENCY_CODE).exists()
        events = DossierEvent.objects.count()
        received = Dossier.objects.values_list("received_at", flat=True)
        assert min(received) >= datetime(2025, 7, 21, tzinfo=VIETNAM)

        call_command("demo_data", "--small", "--now", "2025-11-21T10:00")
        again = capsys.readouterr().out
        assert "Dữ liệu mẫu đã có (120 hồ sơ)" in again
        assert (Dossier.objects.count(), DossierEvent.objects.count()) == (120, events)

    def test_small_keeps_an_existing_demo_center(self, tiny_catalog, capsys, settings):
        settings.MOTCUA_DEMO = True  # demo-center runs only on a demo installation
        call_command("demo_center", stdout=open("/dev/null", "w"))  # noqa: SIM115
        before = Center.objects.get(agency_code=places.DEMO_AGENCY_CODE)
        call_command("demo_data", "--small", "--dossiers", "60", "--quiet", "--now", "2025-11-20")
        after = Center.objects.get(agency_code=places.DEMO_AGENCY_CODE)
        assert (after.pk, after.name) == (before.pk, before.name)
        assert Dossier.objects.filter(center=after).exists()
        assert "Tạo hồ sơ" not in capsys.readouterr().err

    def test_province_communes_period_and_seed(self, tiny_catalog, capsys):
        args = ["--communes", "3", "--dossiers", "90", "--from", "2025-09-01", "--to", "2025-09-30"]
        call_command("demo_data", *args, "--seed", "3", "--quiet", "--now", "2025-10-01T08:00")
        assert Center.objects.count() == 3
        assert Dossier.objects.count() == 90
        days = {
            d.astimezone(VIETNAM).date()
            for d in Dossier.objects.values_list("received_at", flat=True)
        }
        assert min(days) >= date(2025, 9, 1) and max(days) <= date(2025, 9, 30)
        assert verify_chains().broken is None

    @pytest.mark.parametrize(
        "args",
        [
            ["--province", "99"],
            ["--from", "2025-13-01"],
            ["--from", "2025-10-01", "--to", "2025-09-01"],
            ["--communes", "0"],
            ["--workers", "0"],
        ],
    )
    def test_bad_arguments_are_refused_in_vietnamese(self, tiny_catalog, args):
        with pytest.raises(CommandError) as error:
            call_command("demo_data", *args, "--quiet", "--now", "2025-11-20T10:00")
        assert re.search(
            r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", str(error.value)
        )

    def test_an_empty_catalog_says_what_to_do(self, db):
        with pytest.raises(CommandError, match="catalog load"):
            call_command("demo_data", "--communes", "1", "--dossiers", "5", "--quiet")
