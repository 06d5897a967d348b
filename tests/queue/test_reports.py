"""Queue KPIs: a day of known tickets through the services → exact counts, averages, p90,
the heatmap; the dashboards show them to the people allowed to see them, and Excel holds them.

Monday 7 July 2025 at the test center (counter 1: Hộ tịch; counter 2: Hộ tịch and Đất đai):

| ticket | area | issued | first call | start | end | outcome |
|---|---|---|---|---|---|---|
| 1001 (T1) | Hộ tịch | 08:00 | 08:05 counter 1 | 08:06 | 08:12 | done, service 6 |
| 1002 (T2) | Hộ tịch | 08:01 | 08:09 counter 2 | 08:09 | 08:13 | done, service 4 |
| 1003 (T3) | Hộ tịch | 08:02 | 08:12 counter 1 | — | 08:13 skip | no-show |
| 2001 (T4) | Đất đai | 08:03 | 08:14 counter 2 | 08:14 | → Hộ tịch 08:15; called 08:21 counter 1, start 08:21, end 08:33 | done, service 12 |
| 1004 (T5) | Hộ tịch | 09:10 | — | — | 09:15 cancel | cancelled |
| 2002 (T7) | Đất đai | 14:05 | 14:06 counter 2 | 14:07 | 14:27 | done, service 20 |
| 1005 (T6) | Hộ tịch | 14:10 | — | — | — | still waiting |

Waits (minutes): 5, 8, 10, 11, 1 → mean 7, p90 (rank ⌈4.5⌉ = 5) 11.
Services: 6, 4, 12, 20 → mean 10.5, p90 (rank ⌈3.6⌉ = 4) 20.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import transaction
from lxml import html
from openpyxl import load_workbook

from motcua.queue import services
from motcua.queue.models import Appointment, Ticket, TicketEvent
from motcua.queue.reports import nearest_rank, queue_report
from motcua.queue.states import TicketAction
from motcua.reports import views
from tests.backoffice.conftest import Clock
from tests.backoffice.conftest import make_officer as make_staff
from tests.dossiers.conftest import make_center
from tests.queue.conftest import MONDAY_8AM
from tests.queue.old_report import old_queue_report
from tests.queue.test_services import act, call, open_, take

MONDAY = MONDAY_8AM.date()
CENTER_URL = "/can-bo/bao-cao/"
PROVINCE_URL = "/can-bo/bao-cao/tinh/"
DAY = {"tu": "07/07/2025", "den": "07/07/2025"}


def at(hour: int, minute: int):
    return MONDAY_8AM.replace(hour=hour, minute=minute)


def approx(minutes: float):
    return pytest.approx(minutes, abs=1e-9)


@pytest.fixture
def day(queue):
    return play_day(queue)


def play_day(q):
    """The day of the module docstring, played through the services."""
    q.officer1.last_name, q.officer1.first_name = "Nguyễn Thị", "Lan"
    q.officer1.save()
    q.officer2.last_name, q.officer2.first_name = "Trần Văn", "Hùng"
    q.officer2.save()
    open_(q, q.counter1, q.officer1, at(7, 55))
    open_(q, q.counter2, q.officer2, at(7, 55))
    t1 = take(q, now=at(8, 0))
    t2 = take(q, now=at(8, 1))
    t3 = take(q, now=at(8, 2))
    t4 = take(q, q.land, now=at(8, 3))
    assert call(q.counter1, q.officer1, at(8, 5)) == t1
    act(t1, TicketAction.START, q.counter1, q.officer1, at(8, 6))
    assert call(q.counter2, q.officer2, at(8, 9)) == t2
    act(t2, TicketAction.START, q.counter2, q.officer2, at(8, 9))
    act(t1, TicketAction.END, q.counter1, q.officer1, at(8, 12))
    assert call(q.counter1, q.officer1, at(8, 12)) == t3
    act(t2, TicketAction.END, q.counter2, q.officer2, at(8, 13))
    act(t3, TicketAction.RECALL, q.counter1, q.officer1, at(8, 12) + timedelta(seconds=30))
    act(t3, TicketAction.SKIP, q.counter1, q.officer1, at(8, 13))
    assert call(q.counter2, q.officer2, at(8, 14)) == t4
    act(t4, TicketAction.START, q.counter2, q.officer2, at(8, 14))
    act(t4, TicketAction.TRANSFER, q.counter2, q.officer2, at(8, 15), to_area=q.civil)
    assert call(q.counter1, q.officer1, at(8, 21)) == t4
    act(t4, TicketAction.START, q.counter1, q.officer1, at(8, 21))
    act(t4, TicketAction.END, q.counter1, q.officer1, at(8, 33))
    t5 = take(q, now=at(9, 10))
    with transaction.atomic():
        services.cancel_ticket(t5, now=at(9, 15), actor="phone")
    t7 = take(q, q.land, now=at(14, 5))
    assert call(q.counter2, q.officer2, at(14, 6)) == t7
    take(q, now=at(14, 10))
    act(t7, TicketAction.START, q.counter2, q.officer2, at(14, 7))
    act(t7, TicketAction.END, q.counter2, q.officer2, at(14, 27))
    return q


def report(q, detail=True):
    return queue_report(MONDAY, MONDAY, center=q.center, detail=detail)


class TestNearestRank:
    """Worked by hand: rank = ⌈p·n/100⌉, 1-based, on the sorted values."""

    @pytest.mark.parametrize(
        ("values", "p", "expected"),
        [
            ([15, 20, 35, 40, 50], 5, 15),  # ⌈0,25⌉ = 1
            ([15, 20, 35, 40, 50], 30, 20),  # ⌈1,5⌉ = 2
            ([15, 20, 35, 40, 50], 40, 20),  # ⌈2⌉ = 2
            ([15, 20, 35, 40, 50], 50, 35),  # ⌈2,5⌉ = 3
            ([15, 20, 35, 40, 50], 90, 50),  # ⌈4,5⌉ = 5
            ([15, 20, 35, 40, 50], 100, 50),
            (list(range(1, 11)), 90, 9),  # ⌈9⌉ = 9: 0.9 × 10 in floating point is 9.000…02
            (list(range(1, 12)), 90, 10),  # ⌈9,9⌉ = 10
            (list(range(1, 21)), 90, 18),
            ([7], 90, 7),
        ],
    )
    def test_table(self, values, p, expected):
        assert nearest_rank(values, p) == expected

    def test_no_values(self):
        assert nearest_rank([], 90) is None


class TestDay:
    def test_row_times_equal_the_events(self, day):
        """The docstring's promise: the row's timestamps are the events' times."""
        for ticket in Ticket.objects.all():
            events = {e.action: e.at for e in TicketEvent.objects.filter(ticket=ticket)}
            assert ticket.issued_at == events["issue"]
            if ticket.started_at:
                assert ticket.started_at == max(e.at for e in ticket.events.filter(action="start"))
            if ticket.ended_at:
                assert ticket.ended_at in (
                    events.get("end"),
                    events.get("skip"),
                    events.get("cancel"),
                )

    def test_totals(self, day):
        total = report(day).total
        assert (total.issued, total.served, total.no_show, total.cancelled) == (7, 4, 1, 1)
        assert (total.transferred, total.unfinished, total.called) == (1, 1, 5)
        assert total.wait.count == 5
        assert total.wait.average == approx(7)
        assert total.wait.p90 == approx(11)
        assert total.service.count == 4
        assert total.service.average == approx(10.5)
        assert total.service.p90 == approx(20)

    def test_per_area(self, day):
        civil, land = report(day).areas
        assert civil.label == "Hộ tịch – Chứng thực" and land.label == "Đất đai"
        # Issued and waited where the number was taken; ended where it ended (T4 → Hộ tịch).
        assert (civil.issued, civil.served, civil.no_show, civil.cancelled) == (5, 3, 1, 1)
        assert (civil.transferred, civil.unfinished) == (0, 1)
        assert civil.wait.average == approx(23 / 3) and civil.wait.p90 == approx(10)
        assert civil.service.average == approx(22 / 3) and civil.service.p90 == approx(12)
        assert (land.issued, land.served, land.transferred) == (2, 1, 1)
        assert land.wait.average == approx(6) and land.wait.p90 == approx(11)
        assert land.service.average == approx(20) and land.service.p90 == approx(20)

    def test_per_counter_and_officer(self, day):
        data = report(day)
        one, two = data.counters
        assert (one.label, two.label) == ("Quầy số 1", "Quầy số 2")
        # T4's first call was counter 2 (before the transfer); it ended at counter 1.
        assert (one.called, one.served, one.no_show) == (2, 2, 1)
        assert one.wait.average == approx(7.5) and one.wait.p90 == approx(10)
        assert one.service.average == approx(9) and one.service.p90 == approx(12)
        assert (two.called, two.served, two.no_show) == (3, 2, 0)
        assert two.wait.average == approx(20 / 3) and two.wait.p90 == approx(11)
        assert two.service.average == approx(12) and two.service.p90 == approx(20)
        lan, hung = sorted(data.officers, key=lambda r: r.label)
        assert (lan.label, hung.label) == ("Nguyễn Thị Lan", "Trần Văn Hùng")
        assert (lan.called, lan.served, lan.wait.p90) == (2, 2, approx(10))
        assert (hung.called, hung.served, hung.service.p90) == (3, 2, approx(20))

    def test_no_detail_without_asking(self, day):
        data = report(day, detail=False)
        assert data.counters is None and data.officers is None

    def test_heatmap_in_vietnam_time(self, day):
        heat = report(day).heatmap
        assert heat.cells == {(1, 8): 4, (1, 9): 1, (1, 14): 2}
        assert heat.hours == list(range(7, 17))
        assert heat.total == 7

    def test_another_day_is_not_counted(self, day):
        tuesday = MONDAY + timedelta(days=1)
        assert queue_report(tuesday, tuesday, center=day.center).total.issued == 0

    def test_the_province_sees_centers_not_names(self, day):
        data = queue_report(MONDAY, MONDAY, province=day.center.province)
        (row,) = data.centers
        assert row.label == day.center.commune and row.issued == 7 and row.served == 4
        assert row.wait.p90 == approx(11)
        assert data.counters is None and data.officers is None


class TestAppointments:
    def test_booked_kept_no_show(self, queue):
        tuesday_9 = MONDAY_8AM.replace(day=8, hour=9)
        booked = []
        with transaction.atomic():
            for start in (tuesday_9, tuesday_9, tuesday_9, tuesday_9 + timedelta(hours=1)):
                booked.append(
                    services.book_appointment(area=queue.civil, starts_at=start, now=MONDAY_8AM)
                )
        with transaction.atomic():
            services.check_in(
                center=queue.center, now=tuesday_9 - timedelta(minutes=10), code=booked[0].code
            )
            services.cancel_appointment(booked[1], now=MONDAY_8AM)
            assert services.release_no_shows(now=tuesday_9 + timedelta(minutes=20)) == 1
        tuesday = tuesday_9.date()
        data = queue_report(tuesday, tuesday, center=queue.center)
        total = data.appointments
        assert (total.booked, total.kept, total.no_show, total.cancelled, total.pending) == (
            3,
            1,
            1,
            1,
            1,
        )
        assert total.kept_rate == approx(50)
        (civil,) = data.appointment_rows
        assert civil.label == "Hộ tịch – Chứng thực" and civil.booked == 3
        assert Appointment.objects.count() == 4
        # The checked-in booking became a ticket of that day.
        assert data.total.issued == 1


# --- the dashboards -----------------------------------------------------------------------


@pytest.fixture
def people(day, monkeypatch):
    monkeypatch.setattr(views, "clock", Clock(MONDAY_8AM.replace(day=8, hour=9)))
    far_center = make_center("000.00.40.H40", "Xã Lạc Dương")
    far_center.province = "Tỉnh Lâm Đồng"
    far_center.save()
    return {
        "leader": make_staff("lanhdao", "leader", day.center),
        "province": make_staff("tinh", "provincial_viewer", None, province=day.center.province),
        "far_province": make_staff("tinh2", "provincial_viewer", None, province="Tỉnh Lâm Đồng"),
        "queue": day,
    }


def get(client, user, base, **params):
    client.force_login(user)
    return client.get(f"{base}?{urlencode({**DAY, **params})}")


def page(response):
    return html.fromstring(response.content.decode())


def cells(doc, table, key):
    (row,) = doc.xpath(f'//div[@data-table="{table}"]//tbody/tr[@data-key="{key}"]')
    return [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]


NAMES = ("Nguyễn Thị Lan", "Trần Văn Hùng", "quay1", "quay2")


class TestDashboard:
    def test_the_center_officer_sees_the_queue_section(self, client, people):
        q = people["queue"]
        response = get(client, q.officer1, CENTER_URL)
        assert response.status_code == 200
        doc = page(response)
        (section,) = doc.xpath('//section[@id="hang-doi"]')
        figures = {
            e.get("data-figure"): e.text_content().strip()
            for e in section.xpath(".//*[@data-figure]")
        }
        assert figures["queue_issued"] == "7"
        assert figures["queue_served"] == "4"
        assert figures["queue_no_show"] == "1"
        assert figures["queue_wait"] == "7,0"
        assert figures["queue_wait_p90"] == "11,0"
        civil = cells(doc, "hang-doi-khu-vuc", str(q.civil.pk))
        assert civil == [
            "Hộ tịch – Chứng thực",
            "5",
            "3",
            "1",
            "1",
            "0",
            "7,7",
            "10,0",
            "7,3",
            "12,0",
        ]
        officer = cells(doc, "hang-doi-can-bo", str(q.officer2.pk))
        assert officer[:3] == ["Trần Văn Hùng", "3", "2"]
        assert cells(doc, "hang-doi-quay", str(q.counter1.pk))[:2] == ["Quầy số 1", "2"]
        # The heatmap: Monday 08:00–08:59 holds four numbers.
        (cell,) = doc.xpath('//*[@data-chart="heatmap"]//*[@data-weekday="1"][@data-hour="8"]')
        assert cell.get("data-value") == "4"

    def test_the_provincial_viewer_gets_centers_without_names(self, client, people):
        q = people["queue"]
        response = get(client, people["province"], PROVINCE_URL)
        assert response.status_code == 200
        doc = page(response)
        row = cells(doc, "hang-doi-trung-tam", str(q.center.pk))
        assert row[:3] == [q.center.commune, "7", "4"]
        content = response.content.decode()
        assert not any(name in content for name in NAMES)
        # The center's page, opened from the province: areas, no counters and no officers.
        response = get(
            client, people["province"], CENTER_URL, **{"trung-tam": q.center.agency_code}
        )
        content = response.content.decode()
        assert 'data-table="hang-doi-khu-vuc"' in content
        assert 'data-table="hang-doi-quay"' not in content
        assert 'data-table="hang-doi-can-bo"' not in content
        assert not any(name in content for name in NAMES)

    def test_the_viewer_of_another_province_sees_nothing_of_it(self, client, people):
        q = people["queue"]
        far = people["far_province"]
        code = {"trung-tam": q.center.agency_code}
        assert get(client, far, CENTER_URL, **code).status_code == 404
        assert get(client, far, CENTER_URL + "xlsx", **code).status_code == 404
        response = get(client, far, PROVINCE_URL)
        assert response.status_code == 200
        content = response.content.decode()
        assert q.center.commune not in content
        assert 'data-table="hang-doi-trung-tam"' not in content

    def test_excel_holds_the_tables(self, client, people):
        response = get(client, people["leader"], CENTER_URL + "xlsx")
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        for sheet in ("Hàng đợi theo khu vực", "Hàng đợi theo quầy", "Hàng đợi theo cán bộ",
                      "Lịch hẹn", "Giờ cao điểm"):  # fmt: skip
            assert sheet in book.sheetnames
        rows = list(book["Hàng đợi theo khu vực"].iter_rows(min_row=5, values_only=True))
        civil = next(r for r in rows if r[0] == "Hộ tịch – Chứng thực")
        assert civil[1:6] == (5, 3, 1, 1, 0)
        assert civil[6] == approx(23 / 3) and civil[7] == approx(10)
        officers = [
            r[0] for r in book["Hàng đợi theo cán bộ"].iter_rows(min_row=5, values_only=True)
        ]
        assert "Nguyễn Thị Lan" in officers
        heat = list(book["Giờ cao điểm"].iter_rows(min_row=4, values_only=True))
        monday = next(r for r in heat if r[0] == "Thứ Hai")
        header = heat[0]
        assert monday[header.index("8h")] == 4
        # One table alone, by its key.
        one = get(client, people["leader"], CENTER_URL + "xlsx", bang="hang-doi-khu-vuc")
        assert load_workbook(io.BytesIO(one.content)).sheetnames == ["Hàng đợi theo khu vực"]

    def test_no_names_in_the_province_excel(self, client, people):
        q = people["queue"]
        response = get(client, people["province"], PROVINCE_URL + "xlsx")
        book = load_workbook(io.BytesIO(response.content))
        assert "Hàng đợi theo trung tâm" in book.sheetnames
        assert "Hàng đợi theo cán bộ" not in book.sheetnames
        text = " ".join(
            str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r if v
        )
        assert q.center.commune in text
        assert not any(name in text for name in NAMES)
        code = {"trung-tam": q.center.agency_code}
        response = get(
            client, people["province"], CENTER_URL + "xlsx", bang="hang-doi-can-bo", **code
        )
        assert response.status_code == 400

    def test_a_center_without_a_queue_shows_no_section(self, client, people):
        from motcua.queue.models import ServiceArea

        Ticket.objects.all().delete()
        Appointment.objects.all().delete()
        ServiceArea.objects.all().delete()
        doc = page(get(client, people["leader"], CENTER_URL))
        assert not doc.xpath('//section[@id="hang-doi"]')


def play_days(q, seed: int = 7) -> None:
    """Three working days of varied tickets, played through the services: served with and
    without a recall, skipped, cancelled, transferred (then served, skipped or left waiting),
    left waiting at closing; the officers swap counters on the second day."""
    rng = random.Random(seed)
    areas = {q.civil: [q.counter1, q.counter2], q.land: [q.counter2]}
    other = {q.civil: q.land, q.land: q.civil}
    for offset in range(3):
        day_start = MONDAY_8AM + timedelta(days=offset)
        staff = {q.counter1: q.officer1, q.counter2: q.officer2}
        if offset == 1:
            staff = {q.counter1: q.officer2, q.counter2: q.officer1}
        for counter, officer in staff.items():
            open_(q, counter, officer, day_start - timedelta(minutes=5))
        now = day_start
        for _n in range(14):
            area = rng.choice([q.civil, q.civil, q.land])
            now += timedelta(seconds=rng.randint(30, 900))
            ticket = take(q, area, now=now)
            roll = rng.random()
            if roll < 0.1:
                now += timedelta(seconds=rng.randint(10, 300))
                with transaction.atomic():
                    services.cancel_ticket(ticket, now=now, actor="phone")
                continue
            counter = rng.choice(areas[area])
            now += timedelta(seconds=rng.randint(5, 1500))
            assert call(counter, staff[counter], now) == ticket
            if rng.random() < 0.2:
                now += timedelta(seconds=rng.randint(5, 60))
                act(ticket, TicketAction.RECALL, counter, staff[counter], now)
            if roll < 0.25:
                now += timedelta(seconds=rng.randint(30, 120))
                act(ticket, TicketAction.SKIP, counter, staff[counter], now)
                continue
            if roll < 0.45:
                now += timedelta(seconds=rng.randint(10, 200))
                target = other[area]
                act(ticket, TicketAction.TRANSFER, counter, staff[counter], now, to_area=target)
                if roll < 0.3:
                    now += timedelta(seconds=rng.randint(10, 200))
                    with transaction.atomic():
                        services.cancel_ticket(ticket, now=now, actor="phone")
                    continue
                counter = rng.choice(areas[target])
                now += timedelta(seconds=rng.randint(5, 900))
                assert call(counter, staff[counter], now) == ticket
                if roll < 0.35:
                    now += timedelta(seconds=rng.randint(30, 120))
                    act(ticket, TicketAction.SKIP, counter, staff[counter], now)
                    continue
            now += timedelta(seconds=rng.randint(0, 40))
            act(ticket, TicketAction.START, counter, staff[counter], now)
            now += timedelta(seconds=rng.randint(60, 1800), microseconds=rng.randint(0, 999999))
            act(ticket, TicketAction.END, counter, staff[counter], now)
        # Left at closing: one transferred after its call, two never called.
        late = take(q, q.land, now=now + timedelta(minutes=1))
        assert call(q.counter2, staff[q.counter2], now + timedelta(minutes=2)) == late
        act(
            late,
            TicketAction.TRANSFER,
            q.counter2,
            staff[q.counter2],
            now + timedelta(minutes=3),
            to_area=q.civil,
        )
        take(q, q.civil, now=now + timedelta(minutes=4))
        take(q, q.land, now=now + timedelta(minutes=5))


class TestSameAsTheOldComputation:
    """The database's aggregation gives, to the row, the figures of the former computation
    (every ticket read into Python, grouped there: ``tests.queue.old_report``)."""

    def test_center_with_detail(self, queue):
        play_days(queue)
        transfers = TicketEvent.objects.filter(action=TicketAction.TRANSFER)
        assert transfers.values("ticket").distinct().count() >= 3
        last = MONDAY + timedelta(days=2)
        new = queue_report(MONDAY, last, center=queue.center, detail=True)
        old = old_queue_report(MONDAY, last, center=queue.center, detail=True)
        assert new.total.issued == Ticket.objects.count()
        assert new == old

    def test_one_day_and_the_province(self, queue):
        play_days(queue, seed=11)
        one_day = MONDAY + timedelta(days=1)
        for kwargs in ({"center": queue.center}, {"province": queue.center.province}):
            new = queue_report(one_day, one_day, **kwargs)
            old = old_queue_report(one_day, one_day, **kwargs)
            assert new.total.issued > 0
            assert new == old

    def test_the_hand_worked_day(self, day):
        assert report(day) == old_queue_report(MONDAY, MONDAY, center=day.center, detail=True)

    def test_no_tickets(self, queue):
        new = queue_report(MONDAY, MONDAY, center=queue.center, detail=True)
        assert new == old_queue_report(MONDAY, MONDAY, center=queue.center, detail=True)
        assert new.total.issued == 0 and new.total.wait.p90 is None
