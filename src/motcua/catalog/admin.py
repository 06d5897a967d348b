from django.contrib import admin

from motcua.catalog.forms import ProcedureAdminForm
from motcua.catalog.models import Procedure, ProcedureChannel, RequiredDocument, Sector
from motcua.centers.scoping import SuperuserWritesAdmin


class ChannelInline(admin.TabularInline):
    model = ProcedureChannel
    extra = 0


class DocumentInline(admin.StackedInline):
    model = RequiredDocument
    extra = 0


@admin.register(Sector)
class SectorAdmin(SuperuserWritesAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Procedure)
class ProcedureAdmin(SuperuserWritesAdmin):
    form = ProcedureAdminForm
    list_display = ["code", "name", "sector", "status", "online_level", "popularity", "updated_at"]
    list_filter = ["status", "sector", "online_level"]
    search_fields = ["code", "name"]
    list_select_related = ["sector"]
    inlines = [ChannelInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "sector", "level", "agency", "decision"]}),
        (
            "Nội dung",
            {"fields": ["subjects", "steps", "conditions", "result", "legal_basis"]},
        ),
        (
            "Công bố",
            {
                "fields": [
                    "status",
                    "valid_from",
                    "valid_to",
                    "version",
                    "online_level",
                    "popularity",
                    "source_url",
                    "uncertain_fields",
                ]
            },
        ),
    ]
