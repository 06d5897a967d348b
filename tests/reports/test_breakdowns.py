"""Breakdowns, the province ranking and the 766 group scores, on hand-computed cases."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from motcua.centers.models import Unit
from motcua.reports.kpi import (
    GROUPS,
    IndexValue,
    KpiError,
    Slice,
    breakdown,
    compute,
    ranking,
    score,
    targets,
)
from motcua.reports.models import DossierFact, KpiCell
from tests.dossiers.conftest import make_center, submit, submit_received, vn
from tests.dossiers.test_actions import act

pytestmark = pytest.mark.django_db

Q3 = (date(2025, 7, 1), date(2025, 9, 30))


def finished(center, procedure, key, *, received, done, officer=None, channel="kiosk"):
    dossier, _ = submit(center, procedure, key=key, now=received, channel=channel)
    unit = Unit.objects.get_or_create(center=center, code="u", defaults={"name": "Tư pháp"})[0]
    data = {"unit_id": unit.pk}
    if officer is not None:
        data["user_id"] = officer.pk
    act(dossier, "assign", "reception", at=received.replace(hour=11), **data)
    act(dossier, "mark_result_ready", "specialist", at=done)
    return dossier


@pytest.fixture
def officers(db):
    users = get_user_model().objects
    return (
        users.create_user("chuyenvien1", first_name="Lan", last_name="Nguyễn Thị"),
        users.create_user("chuyenvien2", first_name="Minh", last_name="Trần Văn"),
    )


class TestBreakdown:
    def test_by_month_in_order_with_vietnamese_labels(self, center, procedure):
        # Due 3 working days later; done the next day: early.
        finished(center, procedure, "a", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 8, 9))
        finished(center, procedure, "b", received=vn(2025, 9, 1, 9), done=vn(2025, 9, 3, 9))
        finished(center, procedure, "c", received=vn(2025, 9, 8, 9), done=vn(2025, 9, 25, 9))
        rows = breakdown(*Q3, "month")
        assert [(r.key, r.label, r.report.received) for r in rows] == [
            ("2025-07", "Tháng 7/2025", 1),
            ("2025-09", "Tháng 9/2025", 2),
        ]
        september = rows[1].report
        assert (september.resolved_early, september.resolved_late) == (1, 1)
        assert september.indices["2.1"].rate == 50.0

    def test_by_officer_and_the_officer_slice(self, center, procedure, officers):
        lan, minh = officers
        finished(
            center, procedure, "a", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 8, 9), officer=lan
        )
        finished(
            center, procedure, "b", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 30, 9), officer=lan
        )
        finished(
            center, procedure, "c", received=vn(2025, 7, 8, 9), done=vn(2025, 7, 9, 9), officer=minh
        )
        submit(center, procedure, key="d", now=vn(2025, 7, 9, 9))  # not assigned
        rows = {r.label: r.report for r in breakdown(*Q3, "officer")}
        assert set(rows) == {"Nguyễn Thị Lan", "Trần Văn Minh", "Chưa phân công"}
        assert (rows["Nguyễn Thị Lan"].received, rows["Nguyễn Thị Lan"].resolved_late) == (2, 1)
        assert rows["Trần Văn Minh"].indices["2.1"].rate == 100.0
        only_lan = compute(*Q3, slice=Slice(officer="chuyenvien1"))
        assert (only_lan.received, only_lan.indices["2.1"].rate) == (2, 50.0)

    def test_by_sector_and_channel(self, center, procedure):
        finished(center, procedure, "a", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 8, 9))
        submit_received(center, procedure, key="b", now=vn(2025, 7, 7, 10), channel="online")
        sectors = breakdown(*Q3, "sector")
        assert [(r.label, r.report.received) for r in sectors] == [("Hộ tịch", 2)]
        channels = {r.key: (r.label, r.report.received) for r in breakdown(*Q3, "channel")}
        assert channels == {"kiosk": ("Kiosk tự phục vụ", 1), "online": ("Trực tuyến", 1)}

    def test_unknown_breakdown_is_an_error(self):
        with pytest.raises(KpiError, match="Không có cách chia"):
            breakdown(*Q3, "weather")


class TestRanking:
    def test_centers_of_the_province_best_first_with_shared_ranks(self, center, procedure):
        other = make_center("000.00.25.H46", "Xã Đông Thành")
        third = make_center("000.00.25.H47", "Xã Tây Sơn")
        make_center("000.00.01.H01", "Phường Ba Đình").__class__.objects.filter(
            agency_code="000.00.01.H01"
        ).update(province="Thành phố Hà Nội")
        finished(center, procedure, "a", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 8, 9))
        finished(other, procedure, "b", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 30, 9))
        finished(third, procedure, "c", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 8, 9))
        rows = ranking("Tỉnh Phú Thọ", *Q3)
        assert [(r.rank, r.commune) for r in rows] == [
            (1, "Xã Hiền Lương"),
            (1, "Xã Tây Sơn"),
            (3, "Xã Đông Thành"),
        ]
        assert rows[0].score.total > rows[2].score.total
        assert rows[0].report.received == 1
        # The ranking's figures are the center's own report.
        alone = compute(*Q3, slice=Slice(center=center.agency_code))
        assert rows[0].report.indices["2.1"].rate == alone.indices["2.1"].rate


class TestScore:
    def value(self, code, rate):
        return IndexValue(code, "", 1, 1, rate, None, "")

    def test_full_marks_at_the_thresholds(self):
        indices = {
            code: self.value(code, rate)
            for code, rate in {
                "2.1": 100.0,
                "3.3": 50.0,  # full points from 50% [766, 3.3]
                "3.6": 100.0,
                "4.1": 100.0,
                "4.2": 80.0,
                "4.3": 80.0,
                "5.4": 90.0,
            }.items()
        }
        result = score(indices)
        assert (result.points, result.max_points, result.total) == (82.0, 82.0, 100.0)
        assert sum(g.max_points for g in result.groups) == 82.0  # group 1 (18) is not measurable

    def test_below_the_threshold_points_are_proportional(self):
        indices = {"2.1": self.value("2.1", 90.0), "3.3": self.value("3.3", 25.0)}
        result = score(indices)
        # 2.1: 20 × 0,9 = 18; 3.3: 12 × 25/50 = 6; only these two were measured (32 points).
        assert (result.points, result.max_points) == (24.0, 32.0)
        assert result.total == 75.0
        group3 = next(g for g in result.groups if g.code == "3")
        assert (group3.points, group3.max_points) == (6.0, 22.0)

    def test_nothing_measured(self):
        result = score({"2.1": self.value("2.1", None)})
        assert result.total is None and all(g.points is None for g in result.groups)

    def test_group_maxima_are_the_decisions(self):
        maxima = {g.code: sum(p for _, p in g.parts) for g in GROUPS}
        assert maxima == {"2": 20.0, "3": 22.0, "4": 22.0, "5": 18.0}

    def test_targets_and_missed_marks(self, center, procedure, settings):
        settings.MOTCUA_KPI_TARGETS = {"2.1": 100.0}
        assert targets()["2.1"] == 100.0 and targets()["3.3"] == 98.0
        finished(center, procedure, "a", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 30, 9))
        finished(center, procedure, "b", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 8, 9))
        index = compute(*Q3).indices["2.1"]
        assert (index.rate, index.target, index.missed_target) == (50.0, 100.0, True)


class TestRebuildCommand:
    def test_rebuild_restores_deleted_facts_and_cells(self, center, procedure, capsys):
        finished(center, procedure, "a", received=vn(2025, 7, 7, 9), done=vn(2025, 7, 8, 9))
        before = compute(*Q3)
        DossierFact.objects.all().delete()
        KpiCell.objects.all().delete()
        assert compute(*Q3).received == 0
        call_command("kpi_rebuild")
        assert "1 hồ sơ" in capsys.readouterr().out
        assert compute(*Q3) == before
