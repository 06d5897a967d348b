from django.contrib import admin

from motcua.centers.models import Center, Unit


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    filter_horizontal = ["sectors"]


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["name", "agency_code", "commune", "province", "is_active"]
    search_fields = ["name", "agency_code", "commune"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "center"]
    list_filter = ["center"]
    filter_horizontal = ["sectors"]
