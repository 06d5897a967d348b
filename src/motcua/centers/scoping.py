"""Every Django admin page scoped to the administrator's own center.

Django's admin trusts ``is_staff`` and model permissions; a center's data is citizens' personal
data (Nghị định 13/2023/NĐ-CP), so in a province where many centers share one server the admin
must also know *whose* rows a person may reach. ``CenterScopedAdmin`` enforces it for every
model admin from the person's staff membership, whatever permissions their group carries:

- a superuser sees and changes everything (provincial IT);
- a center administrator (role ``center_admin``) reads and changes their own center's rows only:
  querysets, foreign-key and many-to-many choices, list filters, actions and object pages;
- another member (a provincial viewer, or an officer someone made staff) only reads, and never
  models that hold personal data: a provincial viewer reads centers and units of their province;
- anyone else sees nothing.

Shared national data (the catalog, the working-day calendar, role groups) is read-only for all
but superusers: a change there would move every center's due times and pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from motcua.centers.models import Center, StaffMembership, Unit
from motcua.dossiers.states import OFFICER_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin, _ListFilterT

    # The mixin's super() is the model admin or inline it is mixed into.
    _ChoicesBase = BaseModelAdmin[Any]
else:
    _ChoicesBase = object

_SCOPE_ATTRIBUTE = "_motcua_admin_scope"


@dataclass(frozen=True)
class AdminScope:
    """What one signed-in person may reach in the admin."""

    everything: bool
    center_ids: frozenset[int]
    may_write: bool
    may_read_personal_data: bool

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.center_ids


NOTHING = AdminScope(
    everything=False, center_ids=frozenset(), may_write=False, may_read_personal_data=False
)


def admin_scope(request: HttpRequest) -> AdminScope:
    """The scope of ``request.user``, computed once per request."""
    cached = getattr(request, _SCOPE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    scope = _compute_scope(request.user)
    setattr(request, _SCOPE_ATTRIBUTE, scope)
    return scope


def _compute_scope(user) -> AdminScope:
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return AdminScope(
            everything=True, center_ids=frozenset(), may_write=True, may_read_personal_data=True
        )
    membership = StaffMembership.objects.filter(user=user, is_active=True).first()
    if membership is None or membership.role not in OFFICER_ROLES:
        # A digital-team member (motcua.assist) sees nothing in the admin.
        return NOTHING
    if membership.role == Role.PROVINCIAL_VIEWER:
        ids = Center.objects.filter(province=membership.province).values_list("pk", flat=True)
        # A provincial viewer sees masked names only in the back office; the admin shows whole
        # records, so it shows them none (NĐ 13/2023, only to those who need it).
        return AdminScope(
            everything=False,
            center_ids=frozenset(ids),
            may_write=False,
            may_read_personal_data=False,
        )
    is_admin = membership.role == Role.CENTER_ADMIN
    # Every other role has a center (constraint membership_center_or_province): a row without
    # one cannot exist, and would reach nothing.
    center = membership.center_id
    return AdminScope(
        everything=False,
        center_ids=frozenset() if center is None else frozenset({center}),
        may_write=is_admin,
        may_read_personal_data=is_admin,
    )


def scoped_centers(scope: AdminScope) -> QuerySet[Center]:
    centers = Center.objects.all()
    return centers if scope.everything else centers.filter(pk__in=scope.center_ids)


def scoped_users(scope: AdminScope) -> QuerySet:
    """Accounts a center administrator manages: their center's staff, never a superuser."""
    users = get_user_model().objects.all()
    if scope.everything:
        return users
    return users.filter(membership__center__in=scope.center_ids, is_superuser=False)


def _choices_for(model: type[Model], scope: AdminScope) -> QuerySet | None:
    """The rows of a related model that a foreign-key or many-to-many field may point at."""
    from motcua.dossiers.models import Dossier
    from motcua.signing.models import SigningCertificate

    if model is Center:
        return scoped_centers(scope)
    if model is Unit:
        return Unit.objects.filter(center__in=scope.center_ids)
    if model is get_user_model():
        return scoped_users(scope)
    if model is Dossier:
        return Dossier.objects.filter(center__in=scope.center_ids)
    if model is SigningCertificate:
        return SigningCertificate.objects.filter(
            user__membership__center__in=scope.center_ids, user__is_superuser=False
        )
    if model is StaffMembership:
        return StaffMembership.objects.filter(center__in=scope.center_ids)
    # Any other row that belongs to a center (queue areas, counters…): that center's only.
    center_field = next(
        (f for f in model._meta.fields if f.name == "center" and f.related_model is Center), None
    )
    if center_field is not None:
        return model._default_manager.filter(center__in=scope.center_ids)
    return None


class ScopedChoicesMixin(_ChoicesBase):
    """Foreign-key and many-to-many choices limited to the scope (forms and inlines alike).

    The limited queryset is also what the submitted value is validated against, so a POST that
    names another center's row is refused by the form, not only hidden from the widget.
    """

    def _scoped_choices(self, db_field, request, kwargs: dict) -> dict:
        scope = admin_scope(request)
        if not scope.everything:
            choices = _choices_for(db_field.related_model, scope)
            if choices is not None:
                kwargs["queryset"] = choices
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CenterScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """A model admin whose rows belong to a center through ``center_lookup``.

    ``center_lookup`` is the ORM path from the model to its center (``"center"``,
    ``"dossier__center"``, ``"pk"`` for the center itself). ``personal_data`` models are hidden
    from members who may not read personal data.
    """

    center_lookup: str = "center"
    personal_data: bool = True

    def _visible_to(self, scope: AdminScope) -> bool:
        if scope.everything:
            return True
        if scope.nothing:
            return False
        return scope.may_read_personal_data or not self.personal_data

    def scope_queryset(self, queryset: QuerySet, scope: AdminScope) -> QuerySet:
        if scope.everything:
            return queryset
        if not self._visible_to(scope):
            return queryset.none()
        return queryset.filter(**{f"{self.center_lookup}__in": scope.center_ids})

    def get_queryset(self, request):
        return self.scope_queryset(super().get_queryset(request), admin_scope(request))

    def _in_scope(self, request, obj) -> bool:
        scope = admin_scope(request)
        if scope.everything:
            return True
        return self.scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), scope).exists()

    def has_module_permission(self, request) -> bool:
        return self._visible_to(admin_scope(request)) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if not self._visible_to(admin_scope(request)):
            return False
        if obj is not None and not self._in_scope(request, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return self._may_write(request) and super().has_add_permission(request, *args)

    def _may_write(self, request, obj=None) -> bool:
        scope = admin_scope(request)
        if not (scope.may_write and self._visible_to(scope)):
            return False
        return obj is None or self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_write(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_write(request, obj) and super().has_delete_permission(request, obj)

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        scope = admin_scope(request)
        if not scope.everything and len(scope.center_ids) == 1 and "center" in columns:
            columns.remove("center")  # the same center on every row
        return columns

    def get_list_filter(self, request):
        """Filters list only the scope's rows: no other center's name in the sidebar."""
        filters = list(super().get_list_filter(request))
        if admin_scope(request).everything:
            return filters
        relations = {
            f.name for f in self.model._meta.get_fields() if f.is_relation and f.many_to_one
        }
        scoped: list[_ListFilterT] = []
        for item in filters:
            if item == "center":
                continue  # one center only: the filter would name the others
            if isinstance(item, str) and item in relations:
                scoped.append((item, RelatedOnlyFieldListFilter))
            else:
                scoped.append(item)
        return scoped


class SuperuserWritesAdmin(admin.ModelAdmin):
    """National data shared by every center: read with a permission, changed by superusers."""

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def _superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Pages only a superuser may open at all (role groups, permissions)."""

    def has_module_permission(self, request) -> bool:
        return _superuser(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _superuser(request)

    def has_add_permission(self, request, *args) -> bool:
        return _superuser(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _superuser(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _superuser(request)
