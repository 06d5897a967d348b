"""The queue's pages over HTTP: the phone, the kiosk, the reception desk and the counter screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.kiosk.models import KioskDevice
from motcua.queue.models import Appointment, Ticket, TicketEvent
from tests.dossiers.conftest import make_center
from tests.queue.conftest import MONDAY_8AM, PASSWORD, make_officer


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(MONDAY_8AM)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def take_url(queue):
    return reverse("queue:take", kwargs={"agency": queue.center.agency_code})


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


class TestThePhone:
    def test_take_a_number_and_follow_it(self, client, queue, clock):
        page = client.get(take_url(queue))
        assert page.status_code == 200
        assert "Hộ tịch – Chứng thực" in page.content.decode()
        response = client.post(take_url(queue), {"area": queue.civil.pk})
        ticket = Ticket.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("queue:ticket", kwargs={"token": ticket.token})
        assert (ticket.source, ticket.number) == ("phone", 1001)
        page = client.get(response["Location"]).content.decode()
        assert ">1001<" in page
        assert "Sắp đến lượt ông/bà" in page
        assert "<svg" in page  # the QR to follow it on another phone

    def test_people_ahead_and_a_wait_from_todays_service(self, client, queue, clock):
        for _ in range(3):
            client.post(take_url(queue), {"area": queue.civil.pk})
        last = Ticket.objects.order_by("-number").first()
        page = client.get(reverse("queue:ticket", kwargs={"token": last.token})).content.decode()
        assert "Còn <strong>2</strong> người trước ông/bà" in page
        assert "Chưa có quầy nào của khu vực này mở" in page

    def test_a_called_number_says_which_counter(self, client, queue, clock):
        client.post(take_url(queue), {"area": queue.civil.pk})
        officer = signed_in(self._client(), queue.officer2)
        officer.post(reverse("queue_counter:take", kwargs={"number": 2}))
        officer.post(reverse("queue_counter:act"), {"counter": 2, "action": "call"})
        ticket = Ticket.objects.get()
        status = client.get(reverse("queue:ticket_status", kwargs={"token": ticket.token}))
        assert "quầy số 2" in status.content.decode()

    def test_cancel_a_number(self, client, queue, clock):
        client.post(take_url(queue), {"area": queue.civil.pk})
        ticket = Ticket.objects.get()
        client.post(reverse("queue:ticket_cancel", kwargs={"token": ticket.token}))
        ticket.refresh_from_db()
        assert ticket.status == "cancelled"
        again = client.post(reverse("queue:ticket_cancel", kwargs={"token": ticket.token}))
        assert again.status_code == 409
        assert "Hủy số" in again.content.decode()

    @pytest.mark.parametrize(
        "data",
        [{}, {"area": "999999"}, {"area": "abc"}, {"area": "1", "priority": "vip"}],
        ids=["none", "unknown", "text", "bad-priority"],
    )
    def test_bad_input_gets_a_message_and_no_number(self, client, queue, clock, data):
        response = client.post(take_url(queue), data)
        assert response.status_code == 400
        assert 'class="q-error"' in response.content.decode()
        assert not Ticket.objects.exists()

    def test_another_centers_area_is_refused(self, client, queue, clock):
        other = make_center("000.00.99.H45", "Xã Khác")
        response = client.post(
            reverse("queue:take", kwargs={"agency": other.agency_code}), {"area": queue.civil.pk}
        )
        assert response.status_code == 400
        assert not Ticket.objects.exists()

    def test_closed_hours_explain_themselves(self, client, queue, clock):
        clock.now = MONDAY_8AM.replace(hour=18)
        response = client.post(take_url(queue), {"area": queue.civil.pk})
        assert response.status_code == 400
        assert "Trung tâm cấp số từ 07:00 đến 17:00" in response.content.decode()
        assert not Ticket.objects.exists()

    def test_unknown_center_and_ticket_are_404(self, client, queue, clock):
        assert client.get(reverse("queue:take", kwargs={"agency": "nope"})).status_code == 404
        assert client.get(reverse("queue:ticket", kwargs={"token": "x" * 16})).status_code == 404

    def test_a_phone_cannot_empty_the_queue(self, client, queue, clock):
        codes = [
            client.post(take_url(queue), {"area": queue.civil.pk}).status_code for _ in range(8)
        ]
        assert codes == [302] * 6 + [429] * 2
        assert Ticket.objects.count() == 6

    def test_the_door_poster_has_the_qr(self, client, queue, clock):
        page = client.get(reverse("queue:poster", kwargs={"agency": queue.center.agency_code}))
        assert page.status_code == 200
        assert page.content.decode().count("<svg") == 2

    def test_the_print_view(self, client, queue, clock):
        client.post(take_url(queue), {"area": queue.civil.pk})
        ticket = Ticket.objects.get()
        page = client.get(reverse("queue:ticket_print", kwargs={"token": ticket.token}))
        assert ">1001<" in page.content.decode()
        assert "ticket-print.css" in page.content.decode()

    def test_the_80mm_pdf(self, client, queue, clock):
        import io

        from pypdf import PdfReader

        client.post(take_url(queue), {"area": queue.civil.pk, "priority": "elderly"})
        ticket = Ticket.objects.get()
        response = client.get(reverse("queue:ticket_pdf", kwargs={"token": ticket.token}))
        assert response["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        page = reader.pages[0]
        assert round(float(page.mediabox.width) / 72 * 25.4) == 80
        text = page.extract_text()
        assert "1001" in text and "Hộ tịch – Chứng thực" in text and "Người cao tuổi" in text

    @staticmethod
    def _client():
        from django.test import Client

        return Client()


class TestAppointments:
    def slot(self, hour=9, minute=0, days=1):
        return (MONDAY_8AM + timedelta(days=days)).replace(hour=hour, minute=minute)

    def test_book_then_check_in_at_the_kiosk(self, client, queue, clock):
        url = reverse("queue:book", kwargs={"agency": queue.center.agency_code})
        page = client.get(url, {"khu-vuc": queue.civil.pk, "ngay": "2025-07-08"}).content.decode()
        assert self.slot().isoformat() in page
        response = client.post(
            url,
            {"area": queue.civil.pk, "slot": self.slot().isoformat(), "id_number": "001099012345"},
        )
        appointment = Appointment.objects.get()
        assert response["Location"] == reverse(
            "queue:appointment", kwargs={"token": appointment.token}
        )
        assert "001099012345" not in str(Appointment.objects.values().get())
        clock.now = self.slot(8, 50)
        kiosk = kiosk_client(queue)
        response = kiosk.post(reverse("kiosk:queue_check_in"), {"id_number": "001099012345"})
        assert response.status_code == 302
        ticket = Ticket.objects.get()
        appointment.refresh_from_db()
        assert (appointment.status, appointment.ticket_id) == ("checked_in", ticket.pk)
        assert ticket.source == "appointment"

    def test_a_full_slot_is_refused(self, client, queue, clock):
        url = reverse("queue:book", kwargs={"agency": queue.center.agency_code})
        # civil: 2 counters × 2 places
        for _ in range(4):
            assert client.post(url, {"area": queue.civil.pk, "slot": self.slot().isoformat()})[
                "Location"
            ]
        response = client.post(url, {"area": queue.civil.pk, "slot": self.slot().isoformat()})
        assert response.status_code == 409
        assert "kín chỗ" in response.content.decode()
        assert Appointment.objects.count() == 4

    @pytest.mark.parametrize(
        "slot",
        ["yesterday", "not-a-date", "2025-07-08T09:07:00+07:00", "2025-07-08T12:00:00+07:00"],
    )
    def test_bad_slots(self, client, queue, clock, slot):
        url = reverse("queue:book", kwargs={"agency": queue.center.agency_code})
        if slot == "yesterday":
            slot = self.slot(days=-1).isoformat()
        response = client.post(url, {"area": queue.civil.pk, "slot": slot})
        assert response.status_code == 400
        assert not Appointment.objects.exists()

    def test_a_late_arrival_takes_an_ordinary_number(self, client, queue, clock):
        url = reverse("queue:book", kwargs={"agency": queue.center.agency_code})
        client.post(url, {"area": queue.civil.pk, "slot": self.slot().isoformat()})
        code = Appointment.objects.get().code
        clock.now = self.slot(9, 16)
        response = kiosk_client(queue).post(reverse("kiosk:queue_check_in"), {"code": code})
        assert response.status_code == 409
        assert "quá giờ giữ chỗ" in response.content.decode()
        assert not Ticket.objects.exists()

    def test_a_wrong_code(self, queue, clock):
        response = kiosk_client(queue).post(reverse("kiosk:queue_check_in"), {"code": "ZZZZZZ"})
        assert response.status_code == 404
        assert "Không tìm thấy lịch hẹn" in response.content.decode()


def kiosk_client(queue):
    """A browser that went through the kiosk's activation with a one-time code."""
    from django.test import Client

    device = KioskDevice.objects.create(name="Kiosk sảnh", center=queue.center)
    code = device.new_activation_code(now=timezone.now())
    device.save()
    client = Client()
    assert client.post("/kiosk/kich-hoat/", {"code": code}).status_code == 302
    return client


class TestTheKiosk:
    def test_one_touch_gives_a_number(self, queue, clock):
        kiosk = kiosk_client(queue)
        page = kiosk.get(reverse("kiosk:queue_take")).content.decode()
        assert "Hộ tịch – Chứng thực" in page
        response = kiosk.post(reverse("kiosk:queue_take"), {"area": queue.land.pk})
        ticket = Ticket.objects.get()
        assert ticket.source == "kiosk" and ticket.number == 2001
        page = kiosk.get(response["Location"]).content.decode()
        assert ">2001<" in page

    def test_the_start_screen_offers_a_number(self, queue, clock):
        page = kiosk_client(queue).get(reverse("kiosk:start")).content.decode()
        assert reverse("kiosk:queue_take") in page
        assert reverse("kiosk:queue_check_in") in page

    def test_an_unregistered_browser_gets_no_number(self, client, queue, clock):
        response = client.post(reverse("kiosk:queue_take"), {"area": queue.civil.pk})
        assert response.status_code == 403
        assert not Ticket.objects.exists()


class TestTheCounterScreen:
    def test_a_whole_visit(self, client, queue, clock):
        take = self._take(queue, 2)
        officer = signed_in(client, queue.officer1)
        page = officer.get(reverse("queue_counter:board")).content.decode()
        assert "Chọn quầy làm việc hôm nay" in page
        officer.post(reverse("queue_counter:take", kwargs={"number": 1}))
        page = officer.get(reverse("queue_counter:board")).content.decode()
        assert "Gọi số tiếp theo" in page
        act = reverse("queue_counter:act")
        clock.advance(minutes=2)
        assert officer.post(act, {"counter": 1, "action": "call"}).status_code == 302
        first = Ticket.objects.get(number=take[0])
        assert first.status == "called"
        page = officer.get(reverse("queue_counter:board")).content.decode()
        assert f">{first.number}<" in page
        clock.advance(minutes=1)
        officer.post(act, {"counter": 1, "action": "start", "ticket": first.pk})
        clock.advance(minutes=9)
        officer.post(act, {"counter": 1, "action": "end", "ticket": first.pk})
        first.refresh_from_db()
        assert first.status == "done"
        assert [e.action for e in TicketEvent.objects.filter(ticket=first)] == [
            "issue",
            "call",
            "start",
            "end",
        ]

    def test_a_double_click_on_call_calls_once(self, client, queue, clock):
        self._take(queue, 2)
        officer = signed_in(client, queue.officer1)
        officer.post(reverse("queue_counter:take", kwargs={"number": 1}))
        act = reverse("queue_counter:act")
        officer.post(act, {"counter": 1, "action": "call"})
        second = officer.post(act, {"counter": 1, "action": "call"})
        assert second.status_code == 409
        assert "Kết thúc hoặc bỏ qua số đó" in second.content.decode()
        assert Ticket.objects.filter(status="called").count() == 1

    def test_a_stale_screen_changes_nothing(self, client, queue, clock):
        self._take(queue, 2)
        officer = signed_in(client, queue.officer1)
        officer.post(reverse("queue_counter:take", kwargs={"number": 1}))
        act = reverse("queue_counter:act")
        officer.post(act, {"counter": 1, "action": "call"})
        first = Ticket.objects.get(status="called")
        officer.post(act, {"counter": 1, "action": "skip", "ticket": first.pk})
        # the old tab still shows the first number and presses "end"
        response = officer.post(act, {"counter": 1, "action": "end", "ticket": first.pk})
        assert response.status_code == 409
        first.refresh_from_db()
        assert first.status == "no_show"

    def test_a_counter_that_is_not_mine(self, client, queue, clock):
        self._take(queue, 1)
        officer = signed_in(client, queue.officer1)
        officer.post(reverse("queue_counter:take", kwargs={"number": 1}))
        response = officer.post(reverse("queue_counter:act"), {"counter": 2, "action": "call"})
        assert response.status_code == 403
        assert Ticket.objects.get().status == "waiting"

    def test_another_centers_officer_sees_no_counter_and_calls_nothing(self, client, queue, clock):
        self._take(queue, 1)
        stranger = make_officer("quay_khac", make_center("000.00.99.H45", "Xã Khác"))
        officer = signed_in(client, stranger)
        page = officer.get(reverse("queue_counter:board")).content.decode()
        assert "Hộ tịch – Chứng thực" not in page
        officer.post(reverse("queue_counter:take", kwargs={"number": 1}))
        response = officer.post(reverse("queue_counter:act"), {"counter": 1, "action": "call"})
        assert response.status_code == 302
        assert Ticket.objects.get().status == "waiting"

    @pytest.mark.parametrize(
        "data",
        [
            {"counter": "1", "action": "explode"},
            {"counter": "x", "action": "call"},
            {"counter": "1", "action": "end", "ticket": "99999"},
            {"counter": "1", "action": "end", "ticket": "1" * 40},
        ],
    )
    def test_bad_posts_change_nothing(self, client, queue, clock, data):
        self._take(queue, 1)
        officer = signed_in(client, queue.officer1)
        officer.post(reverse("queue_counter:take", kwargs={"number": 1}))
        response = officer.post(reverse("queue_counter:act"), data, follow=True)
        assert response.status_code in (200, 409)
        assert Ticket.objects.get().status == "waiting"

    def test_the_desk_issues_and_prints(self, client, queue, clock):
        officer = signed_in(client, queue.officer1)
        response = officer.post(
            reverse("queue_counter:desk"), {"area": queue.civil.pk, "priority": "elderly"}
        )
        ticket = Ticket.objects.get()
        assert response["Location"].endswith("?in=1")
        assert (ticket.source, ticket.priority) == ("desk", "elderly")
        assert TicketEvent.objects.get().actor == "officer:quay1"

    def test_anonymous_is_sent_to_login(self, client, queue, clock):
        response = client.get(reverse("queue_counter:board"))
        assert response.status_code == 302
        assert "dang-nhap" in response["Location"]

    @staticmethod
    def _take(queue, count):
        from django.db import transaction

        from motcua.queue import services

        numbers = []
        for _ in range(count):
            with transaction.atomic():
                numbers.append(
                    services.issue_ticket(
                        center=queue.center,
                        area=queue.civil,
                        source="kiosk",
                        now=MONDAY_8AM,
                        actor="kiosk:1",
                    ).number
                )
        return numbers
