"""The queue's setup in the Vietnamese admin: areas, counters and rules of the own center.

Tickets, their log and appointments are read-only here: only the queue's services write them
(one writer, the event log stays true).
"""

from django.contrib import admin

from motcua.centers.scoping import CenterScopedAdmin
from motcua.queue.models import Appointment, Counter, QueueSettings, ServiceArea, Ticket


class ReadOnlyAdmin(CenterScopedAdmin):
    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceArea)
class ServiceAreaAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["name", "code", "first_number", "center", "is_active", "position"]
    list_filter = ["center", "is_active"]
    filter_horizontal = ["sectors"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Counter)
class CounterAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["number", "name", "center", "is_active", "officer", "staffed_on", "paused"]
    list_filter = ["center", "is_active"]
    filter_horizontal = ["areas"]
    readonly_fields = ["officer", "staffed_on", "paused"]

    def get_readonly_fields(self, request, obj=None):
        # A counter stays in its center: moving it would show its calls on another center's TV.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["center"] if obj is not None and not request.user.is_superuser else fields


@admin.register(QueueSettings)
class QueueSettingsAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["center", "priority_minutes", "no_show_grace_minutes", "open_on_days_off"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    personal_data = False
    list_display = ["number", "area", "day", "status", "priority", "source", "counter"]
    list_filter = ["day", "status", "area", "source"]
    date_hierarchy = "day"
    exclude = ["token"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "area", "starts_at", "status"]
    list_filter = ["status", "area"]
    date_hierarchy = "starts_at"
    exclude = ["id_number_hash", "token"]
