"""Seed the official 2025 and 2026 decisions that the Labor Code alone does not fix.

The fixed holidays (1/1, Giỗ Tổ 10/3 âm lịch, 30/4, 1/5, 2/9; Bộ luật Lao động 2019 Điều 112)
and the compensatory day for a holiday on a rest day (Điều 111 khoản 3) also come from the
``holidays`` package; the rows here are the yearly decisions, written down so that they hold
even if the package changes, and so that an officer can read the basis in the admin.

Sources:
- 2025: Thông báo 6150/TB-LĐTBXH (Bộ Lao động – Thương binh và Xã hội, 11/2024) on holidays of
  cán bộ, công chức, viên chức in 2025: Tết Ất Tỵ off from Sat 25/1 to Sun 2/2/2025 (the five
  Tết days are Mon 27/1 – Fri 31/1); Fri 2/5/2025 swapped with Sat 26/4/2025 (work); Quốc
  khánh on Mon 1/9 and Tue 2/9/2025. Cross-checked with the ``holidays`` package 0.109, which
  cites the same notice.
- 2026: Tết Bính Ngọ off Mon 16/2 (giao thừa) – Fri 20/2/2026 (mùng 4), with the weekends
  14–22/2 off; Giỗ Tổ on Sun 26/4/2026 so Mon 27/4 is the compensatory day; Quốc khánh on
  Tue 1/9 and Wed 2/9/2026 with Mon 31/8 swapped with Sat 22/8/2026 (work). Taken from
  domain.md §5 and the ``holidays`` package 0.109 (whose 2026 reference is a thuvienphapluat.vn
  note, not the Bộ Nội vụ notice itself): ASSUMPTION until the notice number is checked.
- Ngày Văn hóa Việt Nam (24/11, from 2026; Nghị quyết 80-NQ/TW per the package) is left to the
  package: its legal basis as a paid day off is still to be verified.
"""

from datetime import date

from django.db import migrations

NOTE_2025 = "Thông báo 6150/TB-LĐTBXH (11/2024) về lịch nghỉ lễ, Tết năm 2025."
NOTE_2026 = (
    "Lịch nghỉ năm 2026 theo thông báo của Bộ Nội vụ (chưa đối chiếu số văn bản; nguồn: thư"
    " viện holidays 0.109 và thuvienphapluat.vn)."
)
NOTE_COMPENSATORY = "Bộ luật Lao động 2019 Điều 111 khoản 3: ngày lễ trùng ngày nghỉ hằng tuần."

SEED = [
    # 2025
    (date(2025, 1, 27), "holiday", "Tết Nguyên đán Ất Tỵ (nghỉ trước Tết)", NOTE_2025),
    (date(2025, 1, 28), "holiday", "Tết Nguyên đán Ất Tỵ (Giao thừa)", NOTE_2025),
    (date(2025, 1, 29), "holiday", "Tết Nguyên đán Ất Tỵ (Mùng 1)", NOTE_2025),
    (date(2025, 1, 30), "holiday", "Tết Nguyên đán Ất Tỵ (Mùng 2)", NOTE_2025),
    (date(2025, 1, 31), "holiday", "Tết Nguyên đán Ất Tỵ (Mùng 3)", NOTE_2025),
    (date(2025, 4, 26), "working_day", "Làm bù cho ngày nghỉ thứ Sáu 02/5/2025", NOTE_2025),
    (date(2025, 5, 2), "day_off", "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)", NOTE_2025),
    (date(2025, 9, 1), "holiday", "Quốc khánh (ngày liền kề)", NOTE_2025),
    # 2026
    (date(2026, 2, 16), "holiday", "Tết Nguyên đán Bính Ngọ (Giao thừa)", NOTE_2026),
    (date(2026, 2, 17), "holiday", "Tết Nguyên đán Bính Ngọ (Mùng 1)", NOTE_2026),
    (date(2026, 2, 18), "holiday", "Tết Nguyên đán Bính Ngọ (Mùng 2)", NOTE_2026),
    (date(2026, 2, 19), "holiday", "Tết Nguyên đán Bính Ngọ (Mùng 3)", NOTE_2026),
    (date(2026, 2, 20), "holiday", "Tết Nguyên đán Bính Ngọ (Mùng 4)", NOTE_2026),
    (
        date(2026, 4, 27),
        "day_off",
        "Nghỉ bù Giỗ Tổ Hùng Vương (26/4/2026 là Chủ nhật)",
        NOTE_COMPENSATORY,
    ),
    (date(2026, 8, 22), "working_day", "Làm bù cho ngày nghỉ thứ Hai 31/8/2026", NOTE_2026),
    (date(2026, 8, 31), "day_off", "Nghỉ hoán đổi (làm bù thứ Bảy 22/8/2026)", NOTE_2026),
    (date(2026, 9, 1), "holiday", "Quốc khánh (ngày liền kề)", NOTE_2026),
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    for day, kind, name, note in SEED:
        # An administrator may have entered the day already; their row wins.
        CalendarDay.objects.get_or_create(
            date=day, defaults={"kind": kind, "name": name, "note": note}
        )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    for day, kind, name, _note in SEED:
        CalendarDay.objects.filter(date=day, kind=kind, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
