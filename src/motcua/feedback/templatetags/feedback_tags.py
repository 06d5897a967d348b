"""``{% rating_box dossier %}``: the faces on the tracking page, once the dossier can be rated."""

from django import template

from motcua.feedback.forms import RatingForm
from motcua.feedback.services import can_rate
from motcua.feedback.tokens import rating_token

register = template.Library()


@register.inclusion_tag("feedback/_rating_box.html", takes_context=True)
def rating_box(context, dossier):
    return {
        "dossier": dossier,
        "show": can_rate(dossier),
        "token": rating_token(dossier.code),
        "form": RatingForm(),
        "csrf_token": context.get("csrf_token"),
        "action": "feedback:track_rate",
    }
