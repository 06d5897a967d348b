"""Read-only views of dossiers for administrators. Changes go through the services only."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.centers.scoping import CenterScopedAdmin
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DocumentInline(ReadOnlyInline):
    model = DossierDocument
    readonly_fields = (
        "position",
        "name",
        "originals",
        "copies",
        "provided_on_paper",
        "file",
        "size",
    )
    fields = readonly_fields


class EventInline(ReadOnlyInline):
    model = DossierEvent
    readonly_fields = ("seq", "at", "action", "from_status", "to_status", "actor", "note", "data")
    fields = readonly_fields
    ordering = ["seq"]


@admin.register(Dossier)
class DossierAdmin(CenterScopedAdmin):
    list_display = [
        "code",
        "applicant_name",
        "procedure",
        "status",
        "channel",
        "received_at",
        "due_at",
        "unit",
    ]
    list_filter = ["status", "channel", "center", "unit", "received_at"]
    # The admin searches by GET: a typed citizen's name would land in the URL, the browser
    # history and access logs (NĐ 13/2023). Names are searched in the officer inbox, by POST.
    search_fields = ["code", "procedure__code", "procedure__name"]
    search_help_text = _(
        "Tìm theo mã hồ sơ hoặc thủ tục. Tìm theo họ tên người nộp ở trang hồ sơ của cán bộ "
        "(/can-bo/), để dữ liệu cá nhân không nằm trên địa chỉ trang."
    )
    list_select_related = ["procedure", "unit"]
    date_hierarchy = "received_at"
    inlines = [DocumentInline, EventInline]
    fieldsets = [
        (
            None,
            {"fields": ["code", "center", "procedure", "status", "unit", "slip_links"]},
        ),
        (
            _("Người nộp"),
            {
                "fields": [
                    "applicant_name",
                    "applicant_id_number",
                    "applicant_birth_date",
                    "applicant_sex",
                    "applicant_address",
                    "applicant_phone",
                    "applicant_email",
                ]
            },
        ),
        (
            _("Tiếp nhận"),
            {
                "fields": [
                    "channel",
                    "submitted_by",
                    "received_at",
                    "time_limit_value",
                    "time_limit_unit",
                    "due_at",
                    "fee_vnd",
                    "result_delivery",
                    "idempotency_key",
                ]
            },
        ),
        (_("Tờ khai"), {"fields": ["form_version", "form_data"]}),
    ]

    @admin.display(description=_("giấy hẹn (Mẫu 01)"))
    def slip_links(self, obj: Dossier) -> str:
        url = reverse("dossiers:slip", args=[obj.code])
        return format_html(
            '<a href="{}?kho=a5" target="_blank">A5</a> · '
            '<a href="{}?kho=80" target="_blank">khổ 80 mm</a>',
            url,
            url,
        )

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dossier._meta.fields] + ["slip_links"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing needs "view" permission; nothing here may be edited by hand.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
