"""The citizen's signed-in session, kept apart from the officers' ``django.contrib.auth``.

The session (server-side, database) holds only the citizen row's id, how they signed in and
when; never the ID number. It ends after ``MOTCUA_PORTAL_IDLE_SECONDS`` without a request
(30 minutes by default, like the national portal) and on "Đăng xuất". The session key is
changed at sign-in and sign-out, so a key planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import cast

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from motcua.portal.models import Citizen
from motcua.portal.states import SEES_RECORDS

KEY = "portal_citizen"
CHALLENGE_KEY = "portal_challenge"
OIDC_KEYS_PREFIX = "_state_vneid_"


def idle_seconds() -> int:
    return int(getattr(settings, "MOTCUA_PORTAL_IDLE_SECONDS", 30 * 60))


def start(request: HttpRequest, citizen: Citizen, assurance: str) -> None:
    request.session.cycle_key()
    request.session.pop(CHALLENGE_KEY, None)
    request.session[KEY] = {"id": citizen.pk, "assurance": assurance, "seen": time.time()}


def end(request: HttpRequest) -> None:
    for key in [k for k in request.session.keys() if k.startswith("portal_")]:  # noqa: SIM118 (a session has no __iter__)
        request.session.pop(key, None)
    request.session.cycle_key()


class SignedIn:
    def __init__(self, citizen: Citizen, assurance: str):
        self.citizen = citizen
        self.assurance = assurance

    @property
    def sees_records(self) -> bool:
        return self.assurance in SEES_RECORDS


def current(request: HttpRequest, *, now: float | None = None) -> SignedIn | None:
    stored = request.session.get(KEY)
    if not isinstance(stored, dict):
        return None
    now = time.time() if now is None else now
    if now - float(stored.get("seen", 0)) > idle_seconds():
        end(request)
        return None
    citizen_id = stored.get("id")
    citizen = None if citizen_id is None else Citizen.objects.filter(pk=citizen_id).first()
    if citizen is None:
        end(request)
        return None
    stored["seen"] = now
    request.session[KEY] = stored
    return SignedIn(citizen, stored.get("assurance", ""))


class CitizenRequest(HttpRequest):
    """A request that passed ``citizen_required``, for the type checker: Django's own request
    object with the signed-in citizen."""

    citizen: SignedIn


def citizen_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        signed_in = current(request)
        if signed_in is None:
            return redirect("portal:sign_in")
        citizen_request = cast(CitizenRequest, request)
        citizen_request.citizen = signed_in
        return view(citizen_request, *args, **kwargs)

    return wrapper
