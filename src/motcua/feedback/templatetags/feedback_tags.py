"""``{% rating_box dossier %}``: the faces on the tracking page, once the dossier can be rated.

The citizen's portal posts the same box to its own address (``{% rating_box dossier url form %}``):
she is signed in and the dossier is hers, so the rating is recorded as the portal's and she comes
back to her dossier."""

from django import template
from django.urls import reverse

from motcua.feedback.forms import RatingForm
from motcua.feedback.services import can_rate
from motcua.feedback.tokens import rating_token

register = template.Library()


@register.inclusion_tag("feedback/_rating_box.html", takes_context=True)
def rating_box(context, dossier, action_url: str = "", form: RatingForm | None = None):
    show = can_rate(dossier)
    return {
        "dossier": dossier,
        "show": show,
        "token": rating_token(dossier.code),
        "form": form or RatingForm(),
        "csrf_token": context.get("csrf_token"),
        # Reversed only when the box is drawn: pages mounted without the feedback routes (the
        # dossier tests' URL conf) show no box and must not need them.
        "action_url": action_url or (reverse("feedback:track_rate") if show else ""),
    }
