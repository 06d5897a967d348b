"""The calendar admin, in Vietnamese."""

import pytest
from django.contrib.auth import get_user_model

from motcua.workcalendar.models import CalendarDay


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("quantri-lich", "a@example.vn", "x-Pass-123")
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.urls("tests.workcalendar.urls")
class TestCalendarDayAdmin:
    def test_list_shows_seeded_days_in_vietnamese(self, admin_client):
        body = admin_client.get("/admin/workcalendar/calendarday/").content.decode()
        assert "Lịch nghỉ lễ và làm bù" in body
        assert "Tết Nguyên đán Bính Ngọ (Mùng 1)" in body
        assert "Thứ Bảy" in body

    def test_adding_a_swapped_saturday(self, admin_client):
        response = admin_client.post(
            "/admin/workcalendar/calendarday/add/",
            {"date": "07/03/2026", "kind": "working_day", "name": "Làm bù (thử)", "note": ""},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert CalendarDay.objects.get(name="Làm bù (thử)").date.isoformat() == "2026-03-07"

    def test_iso_date_is_accepted_too(self, admin_client):
        admin_client.post(
            "/admin/workcalendar/calendarday/add/",
            {"date": "2026-03-10", "kind": "day_off", "name": "Nghỉ thêm", "note": ""},
        )
        assert CalendarDay.objects.get(name="Nghỉ thêm").date.isoformat() == "2026-03-10"

    def test_duplicate_date_is_refused(self, admin_client):
        response = admin_client.post(
            "/admin/workcalendar/calendarday/add/",
            {"date": "17/02/2026", "kind": "day_off", "name": "Trùng", "note": ""},
        )
        assert response.status_code == 200
        assert not CalendarDay.objects.filter(name="Trùng").exists()
