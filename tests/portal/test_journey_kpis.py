"""The citizen's whole journey over HTTP, and the center's dashboard figures after each step:
submitted online with a paper from the store, accepted by reception (2.1, 3.3, 4.3), paid by
a signed bank callback (3.6), finished with a result and rated from the portal (5.4)."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.feedback.models import ServiceRating
from motcua.payments.adapters import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from motcua.payments.models import Payment
from tests.payments.conftest import SECRET

from .conftest import CITIZEN_ID, jpeg
from .journey import (
    COPY,
    COPY_ANSWERS,
    COPY_FEE,
    RECORD_TYPE,
    center_report,
    figures,
    finish_with_result,
    import_copy_procedure,
    open_collection_account,
    stored_card,
)
from .test_submit_online import accept, submit_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_adapter(settings):
    settings.MOTCUA_PAYMENT_ADAPTERS = {
        "hmac-json": {
            "class": "motcua.payments.adapters.HmacJsonAdapter",
            "secrets": [SECRET],
            "tolerance_seconds": 300,
            "method": "online_provincial",
        }
    }


def bank_callback(dossier: Dossier, amount_vnd: int):
    """The bank's signed confirmation, from a client that is not the citizen's."""
    body = json.dumps(
        {
            "transaction_id": "FAKEBANK000001",
            "dossier_code": dossier.code,
            "amount_vnd": amount_vnd,
            "paid_at": timezone.now().isoformat(),
            "channel": "online_provincial",
        }
    ).encode()
    stamp = str(int(time.time()))
    return Client().post(
        "/thanh-toan/xac-nhan/hmac-json/",
        body,
        content_type="application/json",
        headers={TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SECRET, stamp, body)},
    )


class TestTheJourneyMovesTheCentersFigures:
    def test_submit_reuse_accept_pay_result_rate(self, lan, center, bank_adapter):
        import_copy_procedure()
        open_collection_account(center)
        card = stored_card(CITIZEN_ID, jpeg((60, 40)))
        before = figures(center_report(center))
        assert before == {
            "2.1": (0, 0),
            "3.3": (0, 0),
            "3.6": (0, 0),
            "4.3": (0, 0),
            "5.4": (0, 0),
            "rated": (0, None),
        }

        # Submit online, the card taken from the store instead of a new photo.
        response = lan.post(f"/cong-dan/nop-ho-so/{COPY}/")
        draft = re.match(r"^/cong-dan/ban-nhap/([0-9a-f-]{36})/$", response["Location"]).group(1)
        page = lan.get(f"/cong-dan/ban-nhap/{draft}/")
        [(document_pk, offered)] = page.context["form"].stored.items()
        assert [value for value, _label in offered.papers] == [str(card.pk)]
        answers = {
            **COPY_ANSWERS,
            "record_type": RECORD_TYPE,
            "pledge": "on",
            f"reuse_{document_pk}": str(card.pk),
        }
        response = lan.post(f"/cong-dan/ban-nhap/{draft}/", answers)
        assert response.status_code == 302, response.content.decode()[:2000]
        lan.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": submit_key(lan, draft)})
        dossier = Dossier.objects.get(channel="online")
        assert dossier.fee_vnd == 2 * COPY_FEE
        # Registered, not yet received (decision 0007): nothing counts yet.
        assert figures(center_report(center)) == before

        accept(dossier)
        accepted = figures(center_report(center))
        assert accepted["2.1"] == (1, 1)  # in progress within its time limit
        assert accepted["3.3"] == (1, 1)
        assert accepted["4.3"] == (1, 1)
        assert accepted["3.6"] == (0, 1)  # a fee is due, not yet paid

        mine = f"/cong-dan/ho-so/{dossier.code}/"
        page = lan.get(mine).content.decode()
        assert f'data-amount="{2 * COPY_FEE}"' in page and 'data-payment="unpaid"' in page
        assert "{#" not in page and "#}" not in page  # no template comment leaks to her
        response = bank_callback(dossier, 2 * COPY_FEE)
        assert response.status_code == 200, response.content
        assert Payment.objects.get(dossier=dossier).method == "online_provincial"
        assert figures(center_report(center))["3.6"] == (1, 1)
        page = lan.get(mine).content.decode()
        assert 'data-payment="paid"' in page
        receipt = re.search(r'href="([^"]+bien-lai\.pdf\?t=[^"]+)"', page).group(1)
        pdf = lan.get(receipt.replace("&amp;", "&"))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

        finish_with_result(dossier)
        # 5.4 counts the late and the unhappy: a satisfied rating leaves its rate as it is, but
        # the dashboard stops saying that nobody has rated yet.
        assert center_report(center).indices["5.4"].note.startswith("Chưa có đánh giá")
        page = lan.get(mine).content.decode()
        assert "data-rating-box" in page
        rating = {"rating": "very_satisfied", "comment": "Nhanh, không phải đi lại."}
        response = lan.post(f"{mine}danh-gia/", rating)
        assert response.status_code == 302 and response["Location"] == mine
        rated = figures(center_report(center))
        assert rated["rated"] == (1, None)
        assert rated["5.4"] == (1, 1)
        assert center_report(center).indices["5.4"].note == ""
        assert rated["2.1"] == (1, 1)  # resolved on time now
        # Once: the box gives way to her rating, and a second one is refused.
        page = lan.get(mine).content.decode()
        assert "data-rating-box" not in page and "Bạn đã đánh giá hồ sơ này: Rất hài lòng" in page
        again = lan.post(f"{mine}danh-gia/", {**rating, "rating": "dissatisfied"})
        assert again.status_code == 409
        stored = ServiceRating.objects.get(dossier=dossier)
        assert (stored.rating, stored.source) == ("very_satisfied", "portal")
        assert figures(center_report(center))["5.4"] == (1, 1)
