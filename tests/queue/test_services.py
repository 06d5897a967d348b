"""The queue's writers: numbers, the calling order, a ticket's life, refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from motcua.queue import services
from motcua.queue.models import Counter, QueueSettings, Ticket, TicketEvent, TicketSequence
from motcua.queue.states import QueueError, TicketAction, TicketStatus
from tests.queue.conftest import MONDAY_8AM, VIETNAM, make_officer


def take(queue, area=None, *, now=MONDAY_8AM, priority="", source="kiosk"):
    with transaction.atomic():
        return services.issue_ticket(
            center=queue.center,
            area=area or queue.civil,
            source=source,
            now=now,
            actor="kiosk:1",
            priority=priority,
        )


def open_(queue, counter, officer, now=MONDAY_8AM):
    with transaction.atomic():
        return services.open_counter(counter, officer=officer, now=now)


def call(counter, officer, now=MONDAY_8AM, **kwargs):
    with transaction.atomic():
        return services.call_next(counter, officer=officer, now=now, **kwargs)


def act(ticket, action, counter, officer, now=MONDAY_8AM, **kwargs):
    with transaction.atomic():
        return services.act_on_ticket(
            ticket, action, counter=counter, officer=officer, now=now, **kwargs
        )


class TestNumbers:
    def test_numbers_count_up_per_area_from_its_first_number(self, queue):
        civil = [take(queue).number for _ in range(3)]
        land = [take(queue, queue.land).number for _ in range(2)]
        assert civil == [1001, 1002, 1003]
        assert land == [2001, 2002]
        assert TicketSequence.objects.get(area=queue.civil).last_number == 3

    def test_numbers_restart_at_midnight_in_vietnam_not_in_utc(self, queue):
        settings = QueueSettings.objects.create(center=queue.center, open_on_days_off=True)
        settings.open_before_minutes = 180
        settings.save()
        queue.center.morning_start = queue.center.morning_start.replace(hour=0, minute=0)
        queue.center.afternoon_end = queue.center.afternoon_end.replace(hour=23, minute=59)
        queue.center.save()
        before = MONDAY_8AM.replace(hour=23, minute=58)
        after = before + timedelta(minutes=4)  # 00:02 Tuesday in Vietnam, 17:02 Monday UTC
        assert take(queue, now=before).number == 1001
        assert take(queue, now=before).number == 1002
        first_tuesday = take(queue, now=after)
        assert first_tuesday.number == 1001
        assert str(first_tuesday.day) == "2025-07-08"

    def test_a_rolled_back_number_is_handed_out_again(self, queue):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.issue_ticket(
                center=queue.center, area=queue.civil, source="kiosk", now=MONDAY_8AM, actor="k"
            )
            raise RuntimeError("the printer jammed")
        assert take(queue).number == 1001

    def test_the_issue_is_logged(self, queue):
        ticket = take(queue, priority="elderly")
        event = TicketEvent.objects.get(ticket=ticket)
        assert (event.action, event.to_status, event.data["priority"]) == (
            "issue",
            "waiting",
            "elderly",
        )


class TestRefusedNumbers:
    @pytest.mark.parametrize(
        ("hour", "minute"), [(6, 59), (17, 0), (22, 0)], ids=["early", "closing", "night"]
    )
    def test_outside_hours(self, queue, hour, minute):
        with pytest.raises(QueueError, match="cấp số từ 07:00 đến 17:00"):
            take(queue, now=MONDAY_8AM.replace(hour=hour, minute=minute))
        assert not Ticket.objects.exists()

    def test_half_an_hour_before_opening_is_allowed(self, queue):
        assert take(queue, now=MONDAY_8AM.replace(hour=7, minute=0)).number == 1001

    def test_on_a_sunday(self, queue):
        with pytest.raises(QueueError, match="ngày nghỉ"):
            take(queue, now=MONDAY_8AM - timedelta(days=1))
        assert not TicketSequence.objects.exists()

    def test_on_national_day(self, queue):
        with pytest.raises(QueueError, match="ngày nghỉ"):
            take(queue, now=MONDAY_8AM.replace(month=9, day=2))

    def test_a_closed_center(self, queue):
        queue.center.is_active = False
        queue.center.save()
        with pytest.raises(QueueError, match="không hoạt động"):
            take(queue)

    def test_an_area_of_another_center(self, queue):
        from tests.dossiers.conftest import make_center

        other = make_center("000.00.99.H45", "Xã Khác")
        with pytest.raises(QueueError, match="không thuộc trung tâm"), transaction.atomic():
            services.issue_ticket(
                center=other, area=queue.civil, source="kiosk", now=MONDAY_8AM, actor="k"
            )

    def test_a_paused_area_and_unknown_values(self, queue):
        queue.land.is_active = False
        queue.land.save()
        with pytest.raises(QueueError, match="tạm ngừng"):
            take(queue, queue.land)
        with pytest.raises(QueueError, match="ưu tiên"):
            take(queue, priority="vip")
        with pytest.raises(QueueError, match="Nơi lấy số"):
            take(queue, source="fax")
        assert not Ticket.objects.exists()


class TestCallingOrder:
    def test_first_come_first_called(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        first = take(queue)
        second = take(queue, now=MONDAY_8AM + timedelta(minutes=1))
        assert call(queue.counter1, queue.officer1).pk == first.pk
        act(first, TicketAction.SKIP, queue.counter1, queue.officer1)
        assert call(queue.counter1, queue.officer1).pk == second.pk

    def test_priority_goes_ahead_by_its_weight(self, queue):
        QueueSettings.objects.create(center=queue.center, priority_minutes=30)
        open_(queue, queue.counter1, queue.officer1)
        long_waiting = take(queue, now=MONDAY_8AM - timedelta(minutes=45))
        recent = take(queue, now=MONDAY_8AM - timedelta(minutes=10))
        elderly = take(queue, now=MONDAY_8AM, priority="elderly")
        order = []
        for _ in range(3):
            ticket = call(queue.counter1, queue.officer1, now=MONDAY_8AM + timedelta(minutes=1))
            order.append(ticket.pk)
            act(ticket, TicketAction.SKIP, queue.counter1, queue.officer1)
        # 30 minutes of weight: ahead of the one who waited 10 minutes, not of the one who
        # waited 45.
        assert order == [long_waiting.pk, elderly.pk, recent.pk]

    def test_a_counter_calls_only_its_areas(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        open_(queue, queue.counter2, queue.officer2)
        land = take(queue, queue.land)
        assert call(queue.counter1, queue.officer1) is None
        assert call(queue.counter2, queue.officer2).pk == land.pk

    def test_two_counters_never_call_the_same_number(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        open_(queue, queue.counter2, queue.officer2)
        a, b = take(queue), take(queue)
        called = {call(queue.counter1, queue.officer1).pk, call(queue.counter2, queue.officer2).pk}
        assert called == {a.pk, b.pk}

    def test_yesterdays_waiting_numbers_are_not_called_today(self, queue):
        take(queue, now=MONDAY_8AM - timedelta(days=3))  # Friday
        open_(queue, queue.counter1, queue.officer1)
        assert call(queue.counter1, queue.officer1) is None


class TestATicketsLife:
    def test_call_start_end_timed_by_events(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        ticket = take(queue)
        t = MONDAY_8AM
        call(queue.counter1, queue.officer1, now=t + timedelta(minutes=5))
        act(
            ticket,
            TicketAction.RECALL,
            queue.counter1,
            queue.officer1,
            now=t + timedelta(minutes=6),
        )
        act(
            ticket, TicketAction.START, queue.counter1, queue.officer1, now=t + timedelta(minutes=7)
        )
        act(ticket, TicketAction.END, queue.counter1, queue.officer1, now=t + timedelta(minutes=19))
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.DONE
        assert ticket.recalls == 1
        log = list(ticket.events.values_list("action", "from_status", "to_status", "actor"))
        assert log == [
            ("issue", "", "waiting", "kiosk:1"),
            ("call", "waiting", "called", "officer:quay1"),
            ("recall", "called", "called", "officer:quay1"),
            ("start", "called", "serving", "officer:quay1"),
            ("end", "serving", "done", "officer:quay1"),
        ]
        times = [e.at - t for e in ticket.events.all()]
        assert times == [timedelta(minutes=m) for m in (0, 5, 6, 7, 19)]

    def test_transfer_keeps_the_number_and_its_place(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        open_(queue, queue.counter2, queue.officer2)
        ticket = take(queue)
        later_land = take(queue, queue.land, now=MONDAY_8AM + timedelta(minutes=3))
        call(queue.counter1, queue.officer1)
        act(ticket, TicketAction.TRANSFER, queue.counter1, queue.officer1, to_area=queue.land)
        ticket.refresh_from_db()
        assert (ticket.number, ticket.area_id, ticket.status) == (1001, queue.land.pk, "waiting")
        # counter 2 serves land: the transferred citizen waited longer, comes first.
        assert call(queue.counter2, queue.officer2).pk == ticket.pk
        assert later_land.status == "waiting"


class TestRefusedActions:
    def test_a_double_call_is_refused(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        take(queue), take(queue)
        first = call(queue.counter1, queue.officer1)
        with pytest.raises(QueueError, match=f"đang có số {first.number}"):
            call(queue.counter1, queue.officer1)
        assert Ticket.objects.filter(status="called").count() == 1

    def test_a_stale_screen_is_refused(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        ticket = take(queue)
        take(queue)
        call(queue.counter1, queue.officer1)
        act(ticket, TicketAction.SKIP, queue.counter1, queue.officer1)
        with pytest.raises(QueueError, match="Màn hình đã cũ"):
            call(queue.counter1, queue.officer1, expected_current=ticket.pk)
        with pytest.raises(QueueError, match="không còn ở quầy"):
            act(ticket, TicketAction.END, queue.counter1, queue.officer1)
        assert Ticket.objects.filter(status="waiting").count() == 1

    def test_a_counter_that_is_not_the_officers(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        take(queue)
        with pytest.raises(QueueError, match="không phải quầy bạn đang trực"):
            call(queue.counter1, queue.officer2)
        assert Ticket.objects.get().status == "waiting"

    def test_yesterdays_staffing_does_not_count(self, queue):
        open_(queue, queue.counter1, queue.officer1, now=MONDAY_8AM - timedelta(days=3))
        take(queue)
        with pytest.raises(QueueError, match="Nhận quầy"):
            call(queue.counter1, queue.officer1)

    def test_an_officer_of_another_center(self, queue):
        from tests.dossiers.conftest import make_center

        stranger = make_officer("quay_khac", make_center("000.00.99.H45", "Xã Khác"))
        with pytest.raises(QueueError, match="không thuộc trung tâm của bạn"):
            open_(queue, queue.counter1, stranger)
        assert Counter.objects.get(pk=queue.counter1.pk).officer_id is None

    def test_a_paused_counter_calls_nobody(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        take(queue)
        with transaction.atomic():
            services.set_paused(queue.counter1, officer=queue.officer1, paused=True, now=MONDAY_8AM)
        with pytest.raises(QueueError, match="tạm dừng"):
            call(queue.counter1, queue.officer1)

    def test_a_transition_the_table_does_not_have(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        ticket = take(queue)
        call(queue.counter1, queue.officer1)
        with pytest.raises(QueueError, match="Kết thúc phục vụ"):
            act(ticket, TicketAction.END, queue.counter1, queue.officer1)
        ticket.refresh_from_db()
        assert ticket.status == "called"

    def test_a_colleague_cannot_take_over_a_counter_mid_service(self, queue):
        open_(queue, queue.counter1, queue.officer1)
        take(queue)
        call(queue.counter1, queue.officer1)
        with pytest.raises(QueueError, match="cán bộ khác"):
            open_(queue, queue.counter1, queue.officer2)


@pytest.mark.django_db(transaction=True)
def test_services_refuse_to_run_outside_a_transaction():
    from tests.queue.conftest import Setup

    queue = Setup()
    with pytest.raises(RuntimeError, match="atomic"):
        services.issue_ticket(
            center=queue.center, area=queue.civil, source="kiosk", now=MONDAY_8AM, actor="k"
        )
    assert not Ticket.objects.exists()


def test_the_local_day_is_vietnams(queue):
    late_utc = MONDAY_8AM.astimezone(VIETNAM).replace(hour=23, minute=30)
    assert str(services.local_day(late_utc)) == "2025-07-07"


class TestStatementBudget:
    def test_a_number_costs_five_statements(self, queue, django_assert_max_num_queries):
        take(queue)  # the day's sequence row exists: the usual case
        # settings, calendar, the sequence UPDATE … RETURNING, the ticket, its event (+ the
        # savepoint pair of the test's transaction): the number row stays locked for two inserts.
        with django_assert_max_num_queries(7):
            take(queue)
