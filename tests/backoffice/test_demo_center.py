"""``motcua demo-center`` creates the demo officers, idempotently, and prints them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from motcua.centers.models import StaffMembership

pytestmark = pytest.mark.django_db


class TestDemoCenter:
    def test_creates_officers_once(self, settings):
        settings.MOTCUA_DEMO = True
        out = StringIO()
        call_command("demo_center", stdout=out)
        call_command("demo_center", stdout=StringIO())
        text = out.getvalue()
        for username in ("tiepnhan", "hotich", "lanhdao", "quantrixa", "tinh"):
            assert f"{username} / motcua-demo-2026" in text
            assert authenticate(username=username, password="motcua-demo-2026") is not None
        roles = dict(StaffMembership.objects.values_list("user__username", "role"))
        assert roles == {
            "tiepnhan": "reception",
            "hotich": "specialist",
            "lanhdao": "leader",
            "quantrixa": "center_admin",
            "tinh": "provincial_viewer",
        }
        # Only the center administrator opens the admin.
        staff = StaffMembership.objects.filter(user__is_staff=True)
        assert list(staff.values_list("user__username", flat=True)) == ["quantrixa"]
        # The provincial officer reads the province of the demo center, no center of their own.
        tinh = StaffMembership.objects.get(user__username="tinh")
        assert (tinh.center, tinh.province) == (None, "Tỉnh Phú Thọ")
        hotich = StaffMembership.objects.get(user__username="hotich")
        assert hotich.unit.code == "tu-phap-ho-tich"
        assert hotich.user.groups.get().name == "Công chức chuyên môn"
