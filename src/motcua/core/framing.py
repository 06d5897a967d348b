"""Pages a kiosk prints through a hidden frame of its own page.

Every page refuses to be framed (``X-Frame-Options: DENY``, CSP ``frame-ancestors 'none'``),
against clickjacking. The kiosk prints the slip and the queue ticket by loading them into a
hidden frame of the same page (no new tab the next citizen could open, docs/kiosk.md), so those
two responses allow framing by this site only.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import SELF
from csp.decorators import csp_replace
from django.views.decorators.clickjacking import xframe_options_sameorigin


def printable_in_same_origin_frame(view: Callable) -> Callable:
    return xframe_options_sameorigin(csp_replace({"frame-ancestors": [SELF]})(view))
