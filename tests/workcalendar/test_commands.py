"""``motcua calendar due`` and ``motcua calendar days``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.centers.models import Center


def run(*args) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestCalendarDue:
    def test_issue_example(self):
        assert run("due", "--received", "2026-02-13T10:00", "--working-days", "3") == (
            "2026-02-25T10:00+07:00\n"
        )

    def test_received_with_an_offset(self):
        output = run("due", "--received", "2026-02-13T03:00+00:00", "--working-days", "3")
        assert output == "2026-02-25T10:00+07:00\n"

    def test_calendar_days(self):
        output = run("due", "--received", "2026-02-09T10:00", "--days", "7")
        assert output == "2026-02-23T17:00+07:00\n"

    def test_hours(self):
        output = run("due", "--received", "2026-03-09 10:30", "--hours", "2")
        assert output == "2026-03-09T14:30+07:00\n"

    def test_same_day(self):
        output = run("due", "--received", "2026-03-09T09:00", "--working-days", "0")
        assert output == "2026-03-09T17:00+07:00\n"

    def test_after_cutoff_flag(self):
        args = ["due", "--received", "2026-02-12T15:30", "--working-days", "0"]
        assert run(*args) == "2026-02-12T17:00+07:00\n"
        assert run(*args, "--after-cutoff-next-day") == "2026-02-13T17:00+07:00\n"

    def test_seconds_are_printed_only_when_present(self):
        output = run("due", "--received", "2026-03-09T08:00", "--hours", "0.001")
        assert output == "2026-03-09T08:00:04+07:00\n"

    def test_center_office_hours(self):
        Center.objects.create(
            agency_code="000.00.12.H19",
            name="Trung tâm thử",
            commune="Xã A",
            province="Tỉnh B",
            afternoon_end="16:30",
        )
        output = run(
            "due",
            "--received",
            "2026-03-09T09:00",
            "--working-days",
            "0",
            "--center",
            "000.00.12.H19",
        )
        assert output == "2026-03-09T16:30+07:00\n"


@pytest.mark.django_db
class TestCalendarDueBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--received", "13/02/2026", "--working-days", "3"], "Không đọc được thời điểm"),
            (["--received", "2026-02-30T10:00", "--working-days", "3"], "Không đọc được"),
            (["--received", "2026-02-13T10:00", "--working-days", "-1"], "không âm"),
            (["--received", "2026-02-13T10:00", "--working-days", "ba"], "phải là một số"),
            (["--received", "2026-02-13T10:00", "--hours", "nan"], "phải là một số"),
            (["--received", "2026-02-13T10:00"], "Cần ghi thời hạn"),
            (["--received", "2026-02-13T10:00", "--days", "2", "--hours", "3"], "Chỉ ghi một"),
            (["--received", "2026-02-13T10:00", "--days", "1.5"], "số nguyên"),
            (["--working-days", "1", "--center", "không-có"], "Không có trung tâm"),
        ],
    )
    def test_clear_vietnamese_error(self, args, message):
        with pytest.raises(CommandError, match=message):
            run("due", *args)


@pytest.mark.django_db
class TestCalendarDays:
    def test_lists_tet_2026(self):
        lines = run("days", "--from", "2026-02-10", "--to", "2026-02-28").splitlines()
        assert len(lines) == 19
        assert lines[0] == "2026-02-10  Thứ Ba    làm việc"
        assert lines[4] == "2026-02-14  Thứ Bảy   nghỉ      Thứ Bảy"
        assert lines[7] == "2026-02-17  Thứ Ba    nghỉ      Tết Nguyên đán Bính Ngọ (Mùng 1)"
        assert lines[13] == "2026-02-23  Thứ Hai   làm việc"

    def test_shows_the_swapped_saturday_as_working(self):
        (line,) = run("days", "--from", "2026-08-22", "--to", "2026-08-22").splitlines()
        assert line.startswith("2026-08-22  Thứ Bảy   làm việc  Làm bù")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--from", "2026-02-30", "--to", "2026-03-01"], "Không đọc được ngày --from"),
            (["--from", "2026-02-10", "--to", "mai"], "Không đọc được ngày --to"),
            (["--from", "2026-02-10", "--to", "2026-02-01"], "phải là ngày sau"),
            (["--from", "2000-01-01", "--to", "2026-01-01"], "tối đa"),
        ],
    )
    def test_bad_input(self, args, message):
        with pytest.raises(CommandError, match=message):
            run("days", *args)
