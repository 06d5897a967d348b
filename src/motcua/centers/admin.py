from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.centers.models import Center, StaffMembership, Unit


def _own_center_id(request):
    """The center a non-superuser administers, or None for a superuser (sees every center)."""
    if request.user.is_superuser:
        return None
    membership = StaffMembership.objects.filter(user=request.user, is_active=True).first()
    return membership.center_id if membership else -1


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    filter_horizontal = ["sectors"]


class StaffInline(admin.TabularInline):
    model = StaffMembership
    fk_name = "center"
    extra = 0
    fields = ["user", "role", "unit", "is_active"]
    autocomplete_fields = ["user"]
    verbose_name = _("cán bộ")
    verbose_name_plural = _("cán bộ của trung tâm")


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["name", "agency_code", "commune", "province", "is_active"]
    search_fields = ["name", "agency_code", "commune"]
    inlines = [UnitInline, StaffInline]

    def get_queryset(self, request):
        center_id = _own_center_id(request)
        queryset = super().get_queryset(request)
        return queryset if center_id is None else queryset.filter(pk=center_id)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is StaffMembership:
            _sync_groups(formset)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "center"]
    list_filter = ["center"]
    filter_horizontal = ["sectors"]

    def get_queryset(self, request):
        center_id = _own_center_id(request)
        queryset = super().get_queryset(request)
        return queryset if center_id is None else queryset.filter(center=center_id)


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "full_name", "role", "center", "unit", "is_active"]
    list_filter = ["role", "is_active", "center"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "province"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "center", "unit"]
    fieldsets = [
        (None, {"fields": ["user", "role", "is_active"]}),
        (_("Nơi làm việc"), {"fields": ["center", "unit", "province"]}),
    ]

    @admin.display(description=_("họ và tên"), ordering="user__last_name")
    def full_name(self, obj: StaffMembership) -> str:
        return f"{obj.user.last_name} {obj.user.first_name}".strip()

    def get_queryset(self, request):
        center_id = _own_center_id(request)
        queryset = super().get_queryset(request)
        return queryset if center_id is None else queryset.filter(center=center_id)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        center_id = _own_center_id(request)
        if center_id is not None and db_field.name == "center":
            kwargs["queryset"] = Center.objects.filter(pk=center_id)
        if center_id is not None and db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.filter(center=center_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        from motcua.backoffice.services import sync_role_groups

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            sync_role_groups(obj.user)

    def delete_model(self, request, obj):
        from motcua.backoffice.services import sync_role_groups

        with transaction.atomic():
            user = obj.user
            super().delete_model(request, obj)
            sync_role_groups(user)


def _sync_groups(formset) -> None:
    from motcua.backoffice.services import sync_role_groups

    users = {form.instance.user for form in formset.forms if form.instance.user_id}
    for user in users:
        sync_role_groups(user)
