"""Who may see which dossier in the back office.

Every page and action goes through ``officer_required`` and then ``dossier_for``:

- anonymous → the officer login page;
- signed in without an active staff membership → 403 (a Vietnamese page);
- a dossier of another center (or, for a provincial viewer, another province) → 404, the same
  answer as a code that does not exist, so a guessed code reveals nothing.

What an officer may *do* is the workflow table's business (``dossiers.states.guard``), not this
module's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.centers.models import Center, StaffMembership
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import normalize_code
from motcua.dossiers.states import OFFICER_ROLES, Role


class OfficerRequest(HttpRequest):
    """A request that passed ``officer_required``, for the type checker: Django's own request
    object with the signed-in officer and their active membership."""

    user: User
    membership: StaffMembership


class CenterOfficerRequest(OfficerRequest):
    """An officer's request on a page that works at the officer's own center (intake, the
    radio bulletins), for the type checker: with that center, which a provincial viewer lacks."""

    center: Center


def membership_of(user) -> StaffMembership | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        StaffMembership.objects.select_related("center", "unit", "user")
        # A digital-team member has a membership but is no officer (motcua.assist).
        .filter(user=user, is_active=True, role__in=OFFICER_ROLES)
        .first()
    )


def officer_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Sign-in and a membership; sets ``request.membership`` for the view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_of(request.user)
        if membership is None:
            return render(
                request,
                "backoffice/403.html",
                {
                    "title": _("Tài khoản chưa được phân công"),
                    "message": _(
                        "Tài khoản của bạn chưa được phân công vai trò tại trung tâm nào. "
                        "Xin liên hệ quản trị trung tâm để được cấp quyền."
                    ),
                },
                status=403,
            )
        officer_request = cast(OfficerRequest, request)
        officer_request.membership = membership
        return view(officer_request, *args, **kwargs)

    return wrapper


def visible_dossiers(membership: StaffMembership) -> QuerySet[Dossier]:
    """Every dossier the member may read: their center's, or their province's for a viewer."""
    dossiers = Dossier.objects.select_related("procedure", "center", "unit", "assignee")
    if membership.role == Role.PROVINCIAL_VIEWER:
        return dossiers.filter(center__province=membership.province)
    if membership.center_id is None:
        # Only a provincial viewer has no center (the membership's check constraint).
        return dossiers.none()
    return dossiers.filter(center_id=membership.center_id)


def dossier_for(membership: StaffMembership, code: str) -> Dossier:
    """The dossier with this code if the member may read it; otherwise 404 (never 403)."""
    dossier = visible_dossiers(membership).filter(code=normalize_code(code)).first()
    if dossier is None:
        raise Http404(code)
    return dossier
