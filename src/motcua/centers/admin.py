"""Centers, units, staff and their accounts, each page scoped to the administrator's center.

A center administrator manages their own center only (``motcua.centers.scoping``): its units,
its staff and their accounts. They never see another center's rows, never a superuser's account,
and never the fields that grant more than a role (is_superuser, is_staff, permissions, groups):
the role decides the groups (``sync_role_groups``), so access always follows the membership.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OtpTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.centers.models import Center, StaffMembership, Unit
from motcua.centers.scoping import (
    CenterScopedAdmin,
    ScopedChoicesMixin,
    SuperuserOnlyAdmin,
    admin_scope,
    scoped_centers,
)
from motcua.dossiers.states import Role

User = get_user_model()

# Roles a center administrator may give: a provincial viewer reads a whole province, so only a
# superuser (provincial IT) appoints one.
CENTER_ROLES = [(value, label) for value, label in Role.choices if value != Role.PROVINCIAL_VIEWER]


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    filter_horizontal = ["sectors"]


class StaffInline(ScopedChoicesMixin, admin.TabularInline):
    model = StaffMembership
    fk_name = "center"
    extra = 0
    fields = ["user", "role", "unit", "is_active"]
    autocomplete_fields = ["user"]
    verbose_name = _("cán bộ")
    verbose_name_plural = _("cán bộ của trung tâm")


@admin.register(Center)
class CenterAdmin(CenterScopedAdmin):
    center_lookup = "pk"
    personal_data = False
    list_display = ["name", "agency_code", "commune", "province", "is_active"]
    search_fields = ["name", "agency_code", "commune"]
    inlines = [UnitInline, StaffInline]

    def get_inlines(self, request, obj):
        # Staff are managed from the accounts page (one place that also sets the role); the
        # inline stays for superusers, who place people in any center.
        if admin_scope(request).everything:
            return self.inlines
        return [UnitInline]

    def get_readonly_fields(self, request, obj=None):
        if admin_scope(request).everything:
            return []
        # The agency code starts every dossier code and the province decides which provincial
        # dashboards see the center: a center cannot move itself.
        return ["agency_code", "commune", "province", "is_active"]

    def has_add_permission(self, request, *args) -> bool:
        return admin_scope(request).everything and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None) -> bool:
        return admin_scope(request).everything and super().has_delete_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is StaffMembership:
            _sync_groups(formset)


@admin.register(Unit)
class UnitAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["name", "code", "center"]
    list_filter = ["center"]
    filter_horizontal = ["sectors"]


class CenterStaffMembershipForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("vai trò"), choices=CENTER_ROLES)

    class Meta:
        model = StaffMembership
        fields = ["role", "unit", "is_active"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(CenterScopedAdmin):
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

    def scope_queryset(self, queryset, scope):
        # A superuser's membership is theirs to manage (provincial IT): a center administrator
        # could otherwise deactivate it or change the superuser's role groups.
        queryset = super().scope_queryset(queryset, scope)
        return queryset if scope.everything else queryset.filter(user__is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        if admin_scope(request).everything:
            return self.fieldsets
        return [(None, {"fields": ["user", "center", "role", "unit", "is_active"]})]

    def get_readonly_fields(self, request, obj=None):
        if admin_scope(request).everything:
            return []
        # The person and the center are fixed: moving a membership to another account would
        # hand that account this center's access.
        return ["user", "center"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if not admin_scope(request).everything:
            kwargs["form"] = CenterStaffMembershipForm
        return super().get_form(request, obj, change, **kwargs)

    def has_add_permission(self, request, *args) -> bool:
        # New staff come with their account (the accounts page creates both in one step).
        return admin_scope(request).everything and super().has_add_permission(request, *args)

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

    def delete_queryset(self, request, queryset):
        from motcua.backoffice.services import sync_role_groups

        with transaction.atomic():
            users = [membership.user for membership in queryset.select_related("user")]
            super().delete_queryset(request, queryset)
            for user in users:
                sync_role_groups(user)


class CenterUserCreationForm(AdminUserCreationForm):
    """A new account of the administrator's center, created with its membership."""

    first_name = forms.CharField(label=_("tên"), max_length=150, required=False)
    last_name = forms.CharField(label=_("họ và tên đệm"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("vai trò"), choices=CENTER_ROLES)
    unit = forms.ModelChoiceField(
        label=_("đơn vị xử lý"), queryset=Unit.objects.none(), required=False
    )

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "first_name", "last_name")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CenterScopedAdmin, DjangoUserAdmin):
    center_lookup = "membership__center"
    center_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("first_name", "last_name", "email")}),
        (_("Trạng thái"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    center_add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "last_name",
                    "first_name",
                    "role",
                    "unit",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def scope_queryset(self, queryset, scope):
        queryset = super().scope_queryset(queryset, scope)
        return queryset if scope.everything else queryset.filter(is_superuser=False)

    def get_fieldsets(self, request, obj=None):
        if admin_scope(request).everything:
            return super().get_fieldsets(request, obj)
        return self.center_fieldsets if obj is not None else self.center_add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if admin_scope(request).everything:
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def get_list_display(self, request):
        if admin_scope(request).everything:
            return super().get_list_display(request)
        return ["username", "last_name", "first_name", "is_active"]

    def get_list_filter(self, request):
        if admin_scope(request).everything:
            return super().get_list_filter(request)
        return ["is_active"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        scope = admin_scope(request)
        if not scope.everything and obj is None:
            kwargs["form"] = self._creation_form(scope)
        # UserAdmin.get_form takes ``change`` among its keyword arguments.
        return super().get_form(request, obj, change=change, **kwargs)

    @staticmethod
    def _creation_form(scope):
        units = Unit.objects.filter(center__in=scope.center_ids)

        class Form(CenterUserCreationForm):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units

        return Form

    def save_model(self, request, obj, form, change):
        scope = admin_scope(request)
        if scope.everything or change:
            return super().save_model(request, obj, form, change)
        from motcua.backoffice.services import sync_role_groups

        center = scoped_centers(scope).get()
        with transaction.atomic():
            obj.is_superuser = False
            super().save_model(request, obj, form, change)
            StaffMembership.objects.create(
                user=obj,
                center=center,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data.get("unit"),
            )
            sync_role_groups(obj)


admin.site.unregister(Group)
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(CenterScopedAdmin, OtpTOTPDeviceAdmin):
    """Officers' authenticator apps: a center administrator removes a lost phone's device.

    Secrets are never shown after enrollment (OTP_ADMIN_HIDE_SENSITIVE_DATA); devices are added
    by the officer on the enrollment page, where the first code proves the phone has the key.
    """

    center_lookup = "user__membership__center"

    def scope_queryset(self, queryset, scope):
        # A superuser with a membership at the center keeps their second factor out of the
        # center administrator's reach: deleting it would leave their account on a password.
        queryset = super().scope_queryset(queryset, scope)
        return queryset if scope.everything else queryset.filter(user__is_superuser=False)

    def has_add_permission(self, request, *args) -> bool:
        return admin_scope(request).everything and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return admin_scope(request).everything and super().has_change_permission(request, obj)


@admin.register(Group)
class GroupAdmin(SuperuserOnlyAdmin, DjangoGroupAdmin):
    pass


def _sync_groups(formset) -> None:
    from motcua.backoffice.services import sync_role_groups

    users = {form.instance.user for form in formset.forms if form.instance.user_id}
    for user in users:
        sync_role_groups(user)
