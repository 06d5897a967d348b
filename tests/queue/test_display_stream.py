"""The calling display's event stream, through the ASGI application as uvicorn runs it.

Calls are made with the queue's services in real transactions (``transactional_db``): the
broadcast is an after-commit handler, so a test transaction that never commits would prove
nothing.
"""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connection, transaction
from django.utils import timezone

from motcua.queue import live, services
from motcua.queue.models import TicketEvent
from tests.queue.conftest import Setup
from tests.queue.display_helpers import (
    AsgiStream,
    call,
    call_then_roll_back,
    issue,
    open_counters,
)

MESSAGE_KEYS = {"id", "kind", "action", "number", "counter", "area", "status", "at", "waiting"}


@pytest.fixture
def live_queue(transactional_db, settings):
    settings.MOTCUA_DISPLAY_HEARTBEAT = 0.3
    setup = Setup()
    open_counters(setup)
    yield setup
    live.stop_listener()


def events_path(setup) -> str:
    return f"/hang-doi/{setup.center.agency_code}/man-hinh/su-kien/"


class TestStream:
    def test_a_committed_call_reaches_the_open_display(self, live_queue):
        first = issue(live_queue)
        issue(live_queue, live_queue.land)

        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            assert await stream.open() == 200
            assert stream.response_headers["content-type"].startswith("text/event-stream")
            assert stream.response_headers["cache-control"].startswith("no-cache")
            assert stream.response_headers["x-accel-buffering"] == "no"
            hello = await stream.next_event()
            assert hello.retry == 3000
            ticket = await sync_to_async(call)(live_queue)
            [event] = await stream.ticket_events(1)
            await stream.close()
            return ticket, event

        ticket, event = async_to_sync(scenario)()
        assert ticket.pk == first.pk
        message = event.message
        row = TicketEvent.objects.get(ticket=first, action="call")
        assert event.id == str(row.pk) == str(message["id"])
        assert set(message) == MESSAGE_KEYS
        assert (message["kind"], message["number"], message["counter"]) == ("call", 1001, 1)
        assert message["area"] == "Hộ tịch – Chứng thực"
        assert {line["name"]: line["waiting"] for line in message["waiting"]} == {
            "Hộ tịch – Chứng thực": 0,
            "Đất đai": 1,
        }

    def test_a_rolled_back_call_sends_nothing(self, live_queue):
        issue(live_queue)
        issue(live_queue)

        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            await stream.open()
            await sync_to_async(call_then_roll_back)(live_queue)
            after_rollback = await stream.ticket_events(1, timeout=1.0)
            ticket = await sync_to_async(call)(live_queue)
            after_commit = await stream.ticket_events(1)
            await stream.close()
            return after_rollback, ticket, after_commit

        after_rollback, ticket, after_commit = async_to_sync(scenario)()
        assert after_rollback == []
        # The rolled-back call left no row: the committed one took the same first number.
        assert ticket.number == 1001
        assert [e.message["number"] for e in after_commit] == [1001]
        assert TicketEvent.objects.filter(action="call").count() == 1

    def test_heartbeats_are_comment_lines(self, live_queue):
        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            await stream.open()
            await stream.next_event()  # retry hint
            beat = await stream.next_event(timeout=3, skip_comments=False)
            await stream.close()
            return beat

        beat = async_to_sync(scenario)()
        assert beat is not None and beat.comments == ["ping"] and beat.data == ""

    def test_another_centers_display_hears_nothing(self, live_queue):
        from tests.dossiers.conftest import make_center

        other = make_center("000.00.99.H45", "Xã Khác")
        issue(live_queue)

        async def scenario():
            stream = AsgiStream(f"/hang-doi/{other.agency_code}/man-hinh/su-kien/")
            await stream.open()
            await sync_to_async(call)(live_queue)
            heard = await stream.ticket_events(1, timeout=1.0)
            await stream.close()
            return heard

        assert async_to_sync(scenario)() == []

    def test_a_closed_connection_leaves_the_hub(self, live_queue):
        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            await stream.open()
            await stream.next_event()
            during = live.hub.count(live_queue.center.pk)
            await stream.close()
            await asyncio.sleep(0.1)
            return during, live.hub.count(live_queue.center.pk)

        assert async_to_sync(scenario)() == (1, 0)


class TestSeveralSqliteWorkers:
    @pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL uses NOTIFY")
    def test_a_call_handled_by_another_worker_arrives_by_polling(self, live_queue, monkeypatch):
        monkeypatch.setenv(live.WORKERS_VARIABLE, "2")
        # The call is handled by another worker process: this process's hub never hears of it.
        monkeypatch.setattr(live.hub, "deliver", lambda center_id, message: 0)
        issue(live_queue)

        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            await stream.open()
            await stream.next_event()
            ticket = await sync_to_async(call)(live_queue)
            # Polls every second; a loaded CI machine needs more than a few of them.
            got = await stream.ticket_events(1, timeout=15)
            await stream.close()
            return ticket, got

        ticket, got = async_to_sync(scenario)()
        assert [e.message["number"] for e in got] == [ticket.number]


class TestReplay:
    def test_last_event_id_replays_the_calls_missed_while_disconnected(self, live_queue):
        for _ in range(3):
            issue(live_queue)
        first = call(live_queue)
        seen = TicketEvent.objects.get(ticket=first, action="call").pk
        # The TV is offline: counter 2 calls, counter 1 ends and calls again.
        second = call(live_queue, live_queue.counter2, live_queue.officer2)
        with transaction.atomic():
            services.act_on_ticket(
                first,
                "skip",
                counter=live_queue.counter1,
                officer=live_queue.officer1,
                now=timezone.now(),
            )
        third = call(live_queue)

        async def scenario():
            stream = AsgiStream(events_path(live_queue), headers={"Last-Event-ID": str(seen)})
            await stream.open()
            replayed = await stream.ticket_events(10, timeout=1.0)
            await stream.close()
            return replayed

        replayed = async_to_sync(scenario)()
        # Events just before the last one seen come again (two commits may land in the opposite
        # order of their ids); the page skips ids it already has. Everything after it is there.
        overlap = [e for e in replayed if int(e.id) < seen]
        assert all(e.message["action"] == "issue" for e in overlap)
        replayed = [e for e in replayed if int(e.id) > seen]
        assert [(e.message["kind"], e.message["number"]) for e in replayed] == [
            ("call", second.number),
            ("other", first.number),
            ("call", third.number),
        ]
        assert str(seen) not in [e.id for e in replayed]
        # Calls of the last minute are still announced after the reconnection.
        assert not any(e.message.get("late") for e in replayed)

    def test_the_query_parameter_serves_the_first_connection(self, live_queue):
        issue(live_queue)
        issue(live_queue)
        before = TicketEvent.objects.order_by("-pk").first().pk
        ticket = call(live_queue)

        async def scenario():
            stream = AsgiStream(events_path(live_queue), query=f"sau={before}")
            await stream.open()
            replayed = await stream.ticket_events(1)
            await stream.close()
            return replayed

        [event] = async_to_sync(scenario)()
        assert event.message["number"] == ticket.number

    @pytest.mark.parametrize("value", ["abc", "-1", "1e9", "١٢", "9" * 40])
    def test_a_malformed_last_event_id_is_ignored(self, live_queue, value):
        issue(live_queue)
        call(live_queue)

        async def scenario():
            stream = AsgiStream(events_path(live_queue), headers={"Last-Event-ID": value})
            status = await stream.open()
            replayed = await stream.ticket_events(1, timeout=0.5)
            await stream.close()
            return status, replayed

        assert async_to_sync(scenario)() == (200, [])


class TestRefusals:
    def test_an_unknown_center_is_a_vietnamese_404(self, live_queue):
        async def scenario():
            stream = AsgiStream("/hang-doi/KHONG-CO/man-hinh/su-kien/")
            status = await stream.open()
            return status, (await stream.read_body()).decode()

        status, body = async_to_sync(scenario)()
        assert status == 404
        assert "Không tìm thấy" in body

    def test_a_center_that_is_not_active_says_so(self, live_queue):
        live_queue.center.is_active = False
        live_queue.center.save()

        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            status = await stream.open()
            return status, (await stream.read_body()).decode()

        status, body = async_to_sync(scenario)()
        assert status == 503
        assert "không hoạt động" in body

    def test_outside_asgi_the_stream_ends_after_the_replay(self, client, live_queue):
        # Django's test client, like a WSGI server, cannot hold an endless response.
        issue(live_queue)
        before = TicketEvent.objects.order_by("-pk").first().pk
        ticket = call(live_queue)
        response = client.get(events_path(live_queue), headers={"Last-Event-ID": str(before)})
        assert response.status_code == 200
        body = response.content.decode()
        assert body.startswith("retry: 3000")
        assert f'"number":{ticket.number}' in body

    def test_post_is_refused(self, client, live_queue):
        response = client.post(events_path(live_queue))
        assert response.status_code == 405


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="LISTEN/NOTIFY needs PostgreSQL (DATABASE_URL=postgres://…); SQLite runs one process",
)
class TestNotifyAcrossProcesses:
    """Two listeners on two connections stand for two app servers: both hear one call."""

    def test_both_listeners_receive_the_call(self, live_queue):
        issue(live_queue)

        async def scenario():
            hubs = [live.Hub(), live.Hub()]
            listeners = [live.Listener(live.listener_params(), hub) for hub in hubs]
            for listener in listeners:
                listener.start()
            try:
                for listener in listeners:
                    assert await asyncio.to_thread(listener.ready.wait, 10)
                subscriptions = [hub.subscribe(live_queue.center.pk) for hub in hubs]
                ticket = await sync_to_async(call)(live_queue)
                got = [await asyncio.wait_for(s.get(), 5) for s in subscriptions]
                return ticket, got
            finally:
                for listener in listeners:
                    await asyncio.to_thread(listener.stop)

        ticket, got = async_to_sync(scenario)()
        assert [m["number"] for m in got] == [ticket.number, ticket.number]
        assert got[0] == got[1]

    def test_a_dropped_listener_connection_reconnects_and_resyncs(self, live_queue):
        async def scenario():
            hub = live.Hub()
            listener = live.Listener(live.listener_params(), hub)
            listener.POLL_SECONDS = 0.5
            listener.start()
            try:
                assert await asyncio.to_thread(listener.ready.wait, 10)
                subscription = hub.subscribe(live_queue.center.pk)

                def kill():
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = 'motcua-display-listener'"
                        )

                await sync_to_async(kill)()
                first = await asyncio.wait_for(subscription.get(), 15)
                await sync_to_async(issue)(live_queue)
                ticket = await sync_to_async(call)(live_queue)
                second = await asyncio.wait_for(subscription.get(), 5)
                return listener.connections, first, second, ticket
            finally:
                await asyncio.to_thread(listener.stop)

        connections, first, second, ticket = async_to_sync(scenario)()
        assert connections >= 2
        assert first == live.RESYNC
        assert second["number"] == ticket.number

    def test_the_stream_over_asgi_uses_notify(self, live_queue):
        issue(live_queue)

        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            await stream.open()
            ticket = await sync_to_async(call)(live_queue)
            [event] = await stream.ticket_events(1)
            await stream.close()
            return ticket, event

        ticket, event = async_to_sync(scenario)()
        assert event.message["number"] == ticket.number

    def test_the_listener_uses_its_own_url_when_one_is_set(self, live_queue, settings):
        # What docs/deploy.md sets behind PgBouncer: Django's queries through the pooler, the
        # LISTEN connection to PostgreSQL itself.
        params = connection.get_connection_params()
        direct = (
            f"postgresql://{params['user']}@{params.get('host') or 'localhost'}:"
            f"{params.get('port') or 5432}/{params['dbname']}"
        )
        settings.MOTCUA_LISTEN_DATABASE_URL = direct
        assert live.listener_params()["conninfo"] == direct
        issue(live_queue)

        async def scenario():
            hub = live.Hub()
            listener = live.Listener(live.listener_params(), hub)
            listener.start()
            try:
                assert await asyncio.to_thread(listener.ready.wait, 10)
                subscription = hub.subscribe(live_queue.center.pk)
                ticket = await sync_to_async(call)(live_queue)
                return listener.deaf, ticket, await asyncio.wait_for(subscription.get(), 5)
            finally:
                await asyncio.to_thread(listener.stop)

        deaf, ticket, got = async_to_sync(scenario)()
        assert deaf is False
        assert got["number"] == ticket.number

    def test_a_listener_that_hears_nobody_makes_the_streams_read_the_rows(
        self, live_queue, monkeypatch
    ):
        # Behind a transaction-mode pooler the connection check fails (tests/deploy shows it
        # with a real PgBouncer) and notifications never arrive.
        monkeypatch.setattr(live.Listener, "_hears_others", lambda self, conn: False)
        monkeypatch.setattr(live.hub, "deliver", lambda center_id, message: 0)
        issue(live_queue)

        async def scenario():
            stream = AsgiStream(events_path(live_queue))
            await stream.open()
            await stream.next_event()
            ticket = await sync_to_async(call)(live_queue)
            got = await stream.ticket_events(1, timeout=5)
            await stream.close()
            return ticket, got

        ticket, got = async_to_sync(scenario)()
        assert live.needs_polling()
        assert [e.message["number"] for e in got] == [ticket.number]
