"""The due date of an online dossier: provisional until reception accepts it, then fixed from
the acceptance (decision 0007), on every page the citizen reads and on the slip (Mẫu 01).

The clock is frozen for the whole flow (sign-in, submission, acceptance): every view reads
``timezone.now()``, so the test moves it the way the calendar would.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import slip_token, tracking_token
from motcua.dossiers.slip import format_moment

from .conftest import birth_answers, photo, sign_in, vn
from .test_submit_online import accept, start_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    state = {"now": None}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])
    return state


def submit_online(client) -> Dossier:
    draft = start_draft(client)
    form = client.get(f"/cong-dan/ban-nhap/{draft}/").context["form"]
    data = birth_answers(form.fields)
    data[next(n for n in form.fields if n.endswith("_file"))] = photo()
    assert client.post(f"/cong-dan/ban-nhap/{draft}/", data).status_code == 302
    page = client.get(f"/cong-dan/ban-nhap/{draft}/xac-nhan/").content.decode()
    key = re.search(r'name="submit_key" value="([0-9a-f]+)"', page).group(1)
    response = client.post(f"/cong-dan/ban-nhap/{draft}/xac-nhan/", {"submit_key": key})
    assert response.status_code == 302
    return Dossier.objects.get(channel="online")


def portal_page(client, dossier) -> str:
    response = client.get(f"/cong-dan/ho-so/{dossier.code}/")
    assert response.status_code == 200
    return response.content.decode()


def tracking_page(client, dossier) -> str:
    response = client.get(f"/ho-so/tra-cuu/{dossier.code}/", {"t": tracking_token(dossier.code)})
    assert response.status_code == 200
    return response.content.decode()


def slip_text(client, dossier, now) -> str:
    response = client.get(
        f"/ho-so/{dossier.code}/phieu-hen.pdf", {"t": slip_token(dossier, now=now)}
    )
    assert response.status_code == 200, response.content[:300]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


# Birth registration (1.001193): 1 working day. 2027-01-01 (Friday) is New Year's Day.
CASES = {
    "friday evening, accepted monday morning": (
        vn(2026, 12, 4, 19, 30),  # submitted
        "17:00 07/12/2026",  # provisional: the close of the next working day's count
        vn(2026, 12, 7, 10, 15),  # accepted
        vn(2026, 12, 8, 10, 15),  # due: 1 working day from the acceptance
    ),
    "holiday eve, accepted after the long weekend": (
        vn(2026, 12, 31, 21, 0),
        "17:00 04/01/2027",
        vn(2027, 1, 5, 9, 0),
        vn(2027, 1, 6, 9, 0),
    ),
    "accepted after office hours counts from the next opening": (
        vn(2026, 12, 5, 10, 0),  # Saturday
        "17:00 07/12/2026",
        vn(2026, 12, 7, 18, 30),  # Monday, after 17:00
        vn(2026, 12, 8, 17, 0),
    ),
}


class TestOnlineDossierDueDate:
    @pytest.mark.parametrize("case", CASES, ids=list(CASES))
    def test_due_date_is_provisional_then_fixed_from_the_acceptance(
        self, client, known_citizen, clock, case
    ):
        submitted_at, provisional, accepted_at, due = CASES[case]
        clock["now"] = submitted_at
        sign_in(client)
        dossier = submit_online(client)
        assert dossier.status == "submitted" and dossier.received_at == submitted_at

        page = portal_page(client, dossier)
        assert f"Hẹn trả kết quả (dự kiến)</dt><dd>{provisional}" in page
        track = tracking_page(client, dossier)
        assert "Ngày hẹn trả kết quả (dự kiến)" in track and provisional in track
        slip = slip_text(client, dossier, submitted_at)
        assert "PHIẾU ĐĂNG KÝ HỒ SƠ" in slip
        assert f"Ngày hẹn trả (dự kiến): {provisional[6:]}" in slip
        # Online: registered through the portal, checked on its electronic copies.
        assert "Cổng dịch vụ công" in slip and "Kiosk" not in slip
        assert "mang đến quầy" not in slip

        clock["now"] = accepted_at
        accept(dossier)
        dossier.refresh_from_db()
        assert dossier.status == "received"
        assert dossier.received_at == accepted_at
        assert dossier.due_at == due
        event = dossier.events.get(action="accept")
        assert datetime.fromisoformat(event.data["registered_at"]) == submitted_at
        assert datetime.fromisoformat(event.data["due_at"]) == due

        fixed = timezone.localtime(due).strftime("%H:%M %d/%m/%Y")
        # Days later the idle session has ended: she signs in again. Her latest dossier (this
        # one) recorded only a phone and these tests send e-mail only, so she types her e-mail.
        sign_in(client, contact="lan@example.vn")
        page = portal_page(client, dossier)
        assert f"Hẹn trả kết quả</dt><dd>{fixed}" in page
        assert "dự kiến" not in page
        track = tracking_page(client, dossier)
        assert "Ngày hẹn trả kết quả</dt><dd>" + fixed in track
        assert "dự kiến" not in track
        slip = slip_text(client, dossier, accepted_at)
        assert "PHIẾU ĐĂNG KÝ" not in slip and "dự kiến" not in slip
        assert f"Ngày hẹn trả kết quả: {fixed[6:]}" in slip
        assert f"4. Thời gian nhận hồ sơ: {format_moment(accepted_at)}" in slip
        assert f"giải quyết hồ sơ: {format_moment(due)}" in slip

    def test_the_confirmation_page_says_the_date_is_provisional(self, client, known_citizen, clock):
        clock["now"] = vn(2026, 12, 4, 19, 30)
        sign_in(client)
        draft = start_draft(client)
        form = client.get(f"/cong-dan/ban-nhap/{draft}/").context["form"]
        data = birth_answers(form.fields)
        data[next(n for n in form.fields if n.endswith("_file"))] = photo()
        client.post(f"/cong-dan/ban-nhap/{draft}/", data)
        page = client.get(f"/cong-dan/ban-nhap/{draft}/xac-nhan/").content.decode()
        assert "Dự kiến trả kết quả" in page and "07/12/2026" in page
