from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from motcua.centers.scoping import SuperuserWritesAdmin
from motcua.workcalendar.models import CalendarDay
from motcua.workcalendar.services import WEEKDAY_NAMES

# The Vietnamese locale defines no DATE_INPUT_FORMATS, so Django falls back to its defaults,
# which read 07/03/2026 as 3 July. Officers write day first; accept only day-first and ISO.
DAY_FIRST_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


class CalendarDayForm(forms.ModelForm):
    date = forms.DateField(
        label=_("ngày"),
        input_formats=DAY_FIRST_INPUT_FORMATS,
        widget=AdminDateWidget,
        help_text=_("Ghi ngày trước, ví dụ 22/08/2026."),
    )

    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "note"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SuperuserWritesAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "name", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("thứ"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAY_NAMES[obj.date.weekday()]
