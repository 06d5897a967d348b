"""Ratings from the tracking page, the kiosk and the counter's tablet: once, after the result,
the citizen's own dossier only; KPI 5.4 moves."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from motcua.dossiers.models import DossierEvent
from motcua.dossiers.services import tracking_token
from motcua.feedback.device import COOKIE_NAME
from motcua.feedback.models import RatingDevice, ServiceRating
from motcua.kiosk.device import COOKIE_NAME as KIOSK_COOKIE
from motcua.kiosk.models import KioskDevice
from motcua.reports import kpi
from tests.dossiers.conftest import submit

from .conftest import ended_ticket, with_result

pytestmark = pytest.mark.django_db
# From the dossiers' July 2025 receipt to today, so the ratings given now are within the period.
JULY = (timezone.datetime(2025, 7, 1).date(), timezone.localdate())


def rate_events(dossier):
    return DossierEvent.objects.filter(dossier=dossier, action="rate")


def track(client, dossier, digits="5678"):
    return client.post("/ho-so/tra-cuu/", {"ma": dossier.code, "so": digits})


def token_in(response) -> str:
    match = re.search(r'name="t" value="([^"]+)"', response.content.decode())
    return match.group(1) if match else ""


class TestTrackingPage:
    def test_the_faces_show_only_after_the_result(self, client, dossier):
        response = track(client, dossier)
        assert response.status_code == 200
        assert b"data-rating-box" not in response.content
        with_result(dossier)
        assert b"data-rating-box" in track(client, dossier).content

    def test_rating_once_writes_the_event_and_moves_kpi_5_4(self, client, dossier):
        token = token_in(track(client, with_result(dossier)))
        before = kpi.compute(*JULY).indices["5.4"].rate
        assert before == 100.0
        response = client.post(
            "/danh-gia/ho-so/",
            {"t": token, "rating": "dissatisfied", "comment": "Chờ lâu quá"},
        )
        assert response.status_code == 200
        assert "Cảm ơn" in response.content.decode()
        event = rate_events(dossier).get()
        assert event.data == {"rating": "dissatisfied", "complaint": False}
        assert event.actor == "citizen:tracking"
        row = ServiceRating.objects.get(dossier=dossier)
        assert (row.comment, row.source, row.event_id) == ("Chờ lâu quá", "tracking", event.pk)
        after = kpi.compute(*JULY)
        assert after.dissatisfied == 1 and after.rated == 1
        assert after.indices["5.4"].rate == 0.0
        # A second rating (same form, same token) is refused and changes nothing.
        again = client.post("/danh-gia/ho-so/", {"t": token, "rating": "very_satisfied"})
        assert again.status_code == 409
        assert "đã được đánh giá" in again.content.decode()
        assert rate_events(dossier).count() == 1
        assert b"data-rating-box" not in track(client, dossier).content

    def test_rating_before_the_result_is_refused(self, client, dossier):
        from motcua.feedback.tokens import rating_token

        response = client.post(
            "/danh-gia/ho-so/", {"t": rating_token(dossier.code), "rating": "satisfied"}
        )
        assert response.status_code == 409
        assert "chưa có kết quả" in response.content.decode()
        assert not rate_events(dossier).exists()

    def test_without_the_second_factor_token_nothing_is_rated(self, client, dossier):
        with_result(dossier)
        for token in ("", "forged", f"{dossier.code}:abc", tracking_token(dossier.code)):
            response = client.post("/danh-gia/ho-so/", {"t": token, "rating": "satisfied"})
            assert response.status_code == 400
        assert not rate_events(dossier).exists()

    def test_a_bad_rating_value_is_refused(self, client, dossier):
        token = token_in(track(client, with_result(dossier)))
        response = client.post("/danh-gia/ho-so/", {"t": token, "rating": "5 sao"})
        assert response.status_code == 400
        assert "Xin chọn một mức đánh giá" in response.content.decode()
        assert not rate_events(dossier).exists()


@pytest.fixture
def kiosk(client, center):
    device = KioskDevice.objects.create(center=center, name="Kiosk thử")
    code = device.new_activation_code(now=timezone.now())
    device.save()
    assert client.post("/kiosk/kich-hoat/", {"code": code}).status_code == 302
    assert KIOSK_COOKIE in client.cookies
    return client


class TestKiosk:
    def test_needs_a_registered_kiosk(self, client):
        assert client.get("/kiosk/danh-gia/").status_code == 403

    def test_code_and_last_four_then_faces(self, kiosk, dossier):
        with_result(dossier)
        page = kiosk.post("/kiosk/danh-gia/", {"code": dossier.code, "last_four": "2345"})
        assert page.status_code == 200
        token = token_in(page)
        done = kiosk.post("/kiosk/danh-gia/", {"t": token, "rating": "very_satisfied"})
        assert done.status_code == 200 and "Cảm ơn" in done.content.decode()
        assert rate_events(dossier).get().actor.startswith("kiosk:")

    def test_the_slip_qr_stands_for_the_digits(self, kiosk, dossier):
        with_result(dossier)
        scan = (
            f"https://motcua.example/ho-so/tra-cuu/{dossier.code}/?t={tracking_token(dossier.code)}"
        )
        page = kiosk.post("/kiosk/danh-gia/", {"scan": scan})
        assert token_in(page)
        forged = kiosk.post("/kiosk/danh-gia/", {"scan": scan.replace("?t=", "?t=x")})
        assert forged.status_code == 400 and not token_in(forged)

    def test_another_citizens_dossier_is_not_found(self, kiosk, center, procedure, dossier):
        with_result(dossier)
        page = kiosk.post("/kiosk/danh-gia/", {"code": dossier.code, "last_four": "9999"})
        assert page.status_code == 400 and not token_in(page)

    def test_wrong_last_four_is_rate_limited(self, kiosk, dossier):
        with_result(dossier)
        statuses = [
            kiosk.post(
                "/kiosk/danh-gia/", {"code": dossier.code, "last_four": f"{n:04d}"}
            ).status_code
            for n in range(7)
        ]
        assert statuses[:5] == [400] * 5
        assert statuses[5:] == [429, 429]
        # Even the right digits wait now: the limit stops a guesser, whatever they guess.
        right = kiosk.post("/kiosk/danh-gia/", {"code": dossier.code, "last_four": "2345"})
        assert right.status_code == 429


@pytest.fixture
def tablet_device(counter, center):
    return RatingDevice.objects.create(center=center, counter=counter, name="Máy đánh giá quầy 3")


def activate(client, device):
    code = device.new_activation_code(now=timezone.now())
    device.save()
    response = client.post("/danh-gia/quay/kich-hoat/", {"code": code})
    assert response.status_code == 302 and COOKIE_NAME in response.cookies
    return client


class TestTablet:
    def test_unregistered_browser_is_refused(self, client):
        assert client.get("/danh-gia/quay/").status_code == 403

    def test_wrong_activation_code(self, client, tablet_device):
        tablet_device.new_activation_code(now=timezone.now())
        tablet_device.save()
        assert client.post("/danh-gia/quay/kich-hoat/", {"code": "00000000"}).status_code in (400,)

    def test_visit_rating_records_counter_and_officer_once(
        self, client, tablet_device, counter, officer
    ):
        activate(client, tablet_device)
        idle = client.get("/danh-gia/quay/")
        assert b'name="rating"' not in idle.content
        ticket = ended_ticket(counter, officer)
        page = client.get("/danh-gia/quay/")
        assert page.content.count(b'name="rating"') == 3
        response = client.post("/danh-gia/quay/", {"ticket": ticket.pk, "rating": "satisfied"})
        assert response.status_code == 200 and "Cảm ơn" in response.content.decode()
        row = ServiceRating.objects.get(ticket=ticket)
        assert (row.counter_id, row.officer_id, row.dossier_id, row.source) == (
            counter.pk,
            officer.pk,
            None,
            "tablet",
        )
        again = client.post("/danh-gia/quay/", {"ticket": ticket.pk, "rating": "dissatisfied"})
        assert again.status_code == 409
        assert ServiceRating.objects.filter(ticket=ticket).count() == 1

    def test_visit_with_a_dossier_that_has_its_result_rates_the_dossier(
        self, client, tablet_device, counter, officer, dossier
    ):
        activate(client, tablet_device)
        with_result(dossier)
        before = kpi.compute(*JULY)
        ticket = ended_ticket(counter, officer, dossier=dossier)
        client.post("/danh-gia/quay/", {"ticket": ticket.pk, "rating": "dissatisfied"})
        event = rate_events(dossier).get()
        assert event.actor == tablet_device.actor
        assert ServiceRating.objects.get(ticket=ticket).event_id == event.pk
        after = kpi.compute(*JULY)
        assert after.dissatisfied == before.dissatisfied + 1
        assert after.indices["5.4"].rate < before.indices["5.4"].rate

    def test_visit_with_a_dossier_still_in_progress_rates_only_the_visit(
        self, client, tablet_device, counter, officer, dossier
    ):
        activate(client, tablet_device)
        ticket = ended_ticket(counter, officer, dossier=dossier)
        client.post("/danh-gia/quay/", {"ticket": ticket.pk, "rating": "satisfied"})
        assert ServiceRating.objects.get(ticket=ticket).dossier_id is None
        assert not rate_events(dossier).exists()

    def test_old_visits_and_other_counters_are_not_rateable(
        self, client, tablet_device, counter, officer, other_center
    ):
        from motcua.queue.models import Counter, ServiceArea

        activate(client, tablet_device)
        old = ended_ticket(counter, officer, minutes_ago=30)
        area = ServiceArea.objects.create(center=other_center, code="x", name="Khu khác")
        elsewhere = Counter.objects.create(center=other_center, number=1)
        elsewhere.areas.add(area)
        theirs = ended_ticket(elsewhere, officer, number=1002)
        for ticket in (old, theirs):
            response = client.post("/danh-gia/quay/", {"ticket": ticket.pk, "rating": "satisfied"})
            assert response.status_code == 409
        assert not ServiceRating.objects.exists()

    def test_tablet_of_another_center_cannot_rate_this_counter(
        self, client, counter, officer, other_center
    ):
        from motcua.queue.models import Counter

        theirs = Counter.objects.create(center=other_center, number=9)
        device = RatingDevice.objects.create(center=other_center, counter=theirs, name="B")
        activate(client, device)
        ticket = ended_ticket(counter, officer)
        assert b'name="rating"' not in client.get("/danh-gia/quay/").content
        response = client.post("/danh-gia/quay/", {"ticket": ticket.pk, "rating": "satisfied"})
        assert response.status_code == 409
        # A device pointed at another center's counter is no device at all.
        RatingDevice.objects.filter(pk=device.pk).update(counter=counter)
        assert client.get("/danh-gia/quay/").status_code == 403
        assert not ServiceRating.objects.exists()

    def test_bad_ticket_value(self, client, tablet_device):
        activate(client, tablet_device)
        assert (
            client.post("/danh-gia/quay/", {"ticket": "1 OR 1", "rating": "x"}).status_code == 400
        )


def test_dossier_rated_at_the_tablet_cannot_be_rated_again_online(
    client, center, procedure, counter, officer
):
    dossier, _ = submit(center, procedure, key="fb-2")
    with_result(dossier)
    device = RatingDevice.objects.create(center=center, counter=counter, name="T")
    activate(client, device)
    ticket = ended_ticket(counter, officer, dossier=dossier)
    client.post("/danh-gia/quay/", {"ticket": ticket.pk, "rating": "satisfied"})
    assert b"data-rating-box" not in track(client, dossier).content
