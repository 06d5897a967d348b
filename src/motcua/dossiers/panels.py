"""Blocks other apps add to the dossier's pages, without the dossier app importing them.

The same rule as the event spine (``events.py``): an app that has something to show on a
dossier page (the payment QR and receipt, issue 13) registers a panel in its
``AppConfig.ready()``. Two pages carry panels:

- ``track``: the public tracking page, rendered only after the second factor (the slip's
  token or the last four digits), so a panel may show what that holder may see;
- ``officer``: the back office's dossier page, for a member who may read the dossier
  (``backoffice.access``); the panel still decides what the member's role may do.

A panel returns safe HTML (``render_to_string``) or "" when it has nothing to say. The slip
(Mẫu 01) has its own list of blocks in ``slip.py``, since it is drawn, not rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

PAGES = ("track", "officer")
Panel = Callable[[HttpRequest, "Dossier"], str]
_panels: dict[str, dict[str, Panel]] = {page: {} for page in PAGES}


def on_panel(page: str, panel: Panel, *, name: str) -> Panel:
    """Register ``panel`` on ``page``; a name registered again replaces its panel in place."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; expected one of {PAGES}")
    _panels[page][name] = panel
    return panel


def render_panels(page: str, request: HttpRequest, dossier: Dossier) -> list[SafeString]:
    """The HTML of every panel registered on ``page`` for ``dossier``, in registration order."""
    rendered = (panel(request, dossier) for panel in list(_panels[page].values()))
    # Panels render Django templates (escaped); the strings are marked safe only here.
    return [mark_safe(html) for html in rendered if html]  # noqa: S308
