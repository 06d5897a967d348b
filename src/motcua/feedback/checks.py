"""System check: the feedback deadlines setting is readable for every kind (start-up, not the
first citizen's submission, is where a typo in it must show)."""

from __future__ import annotations

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def feedback_deadlines_check(app_configs=None, **kwargs) -> list[Error]:
    from motcua.feedback.services import ANSWER_WORKING_DAYS, answer_working_days

    errors = []
    for kind in ANSWER_WORKING_DAYS:
        try:
            answer_working_days(kind)
        except ImproperlyConfigured as exc:
            errors.append(
                Error(
                    str(exc),
                    hint="A whole number of working days (1-90), or one per kind: "
                    '{"complaint": 15, "suggestion": 15}.',
                    id="feedback.E001",
                )
            )
            break
    return errors
