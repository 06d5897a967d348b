"""The whole counter visit over HTTP: a number → the call → the walk-in dossier → the slip → the
end of service, with the rows and both logs checked (issue 11, "Done means")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.queue.models import Counter, ServiceArea, Ticket, TicketEvent

from .test_counter_intake import CHOOSE, DONE, FORM, pdf_text, scan, submit_birth

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(center, officers, tiny_catalog, fake_finder, clock, monkeypatch):
    # The queue reads the same frozen moment as the back office (Monday 7/7/2025, 9:30).
    monkeypatch.setattr(timezone, "now", clock)
    area = ServiceArea.objects.create(
        center=center, code="ho-tich", name="Hộ tịch – Chứng thực", first_number=1001
    )
    desk = Counter.objects.create(center=center, number=2)
    desk.areas.add(area)
    return area


def test_a_walk_in_visit_from_number_to_slip(client, center, officers, counter, clock):
    phone = client.__class__()
    response = phone.post(
        reverse("queue:take", kwargs={"agency": center.agency_code}), {"area": counter.pk}
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()

    client.force_login(officers["reception"])
    client.post(reverse("queue_counter:take", kwargs={"number": 2}))
    act = reverse("queue_counter:act")
    client.post(act, {"counter": 2, "action": "call"})
    client.post(act, {"counter": 2, "action": "start", "ticket": ticket.pk})
    board = client.get(reverse("queue_counter:board")).content.decode()
    intake = f"/can-bo/tiep-nhan/?ticket={ticket.pk}"
    assert intake in board  # "Tiếp nhận hồ sơ" from the ticket being served

    assert client.get(intake).status_code == 200
    assert scan(client, ticket=str(ticket.pk))["Location"] == CHOOSE
    key = client.get(FORM).context["submit_key"]
    response = submit_birth(client, key)
    assert response.status_code == 302 and response["Location"] == DONE

    dossier = Dossier.objects.get()
    ticket.refresh_from_db()
    assert dossier.channel == "counter"
    assert ticket.dossier_id == dossier.pk and ticket.status == "serving"
    first = DossierEvent.objects.filter(dossier=dossier).order_by("pk").first()
    assert (first.action, first.actor) == ("receive", f"user:{officers['reception'].pk}")

    slip = client.get(reverse("dossiers:slip", kwargs={"code": dossier.code}), {"kho": "80"})
    assert slip["Content-Type"] == "application/pdf"
    assert dossier.code in pdf_text(slip)

    client.post(act, {"counter": 2, "action": "end", "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.status == "done"
    log = list(TicketEvent.objects.filter(ticket=ticket).values_list("action", "data"))
    assert [a for a, _ in log] == ["issue", "call", "start", "link_dossier", "end"]
    assert log[3][1] == {"dossier": dossier.code}


def test_a_ticket_the_officer_is_not_serving_refuses_the_intake(
    client, center, officers, counter, clock
):
    from django.db import transaction

    from motcua.queue import services

    with transaction.atomic():
        waiting = services.issue_ticket(
            center=center, area=counter, source="desk", now=clock(), actor="desk"
        )
    client.force_login(officers["reception"])
    scan(client, ticket=str(waiting.pk))
    key = client.get(FORM).context["submit_key"]
    response = submit_birth(client, key)
    assert response.status_code in (400, 409)
    assert "không phải số bạn đang phục vụ" in response.content.decode()
    assert not Dossier.objects.exists()
    waiting.refresh_from_db()
    assert waiting.dossier_id is None and waiting.status == "waiting"
