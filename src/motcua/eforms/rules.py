"""The checks a definition's rules ask for, on already-cleaned values.

Pure functions: values in, (field, message) pairs out, `today` passed in. Every message ends with
the legal source of the rule, so a citizen (and an officer) can see why the kiosk refuses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from motcua.eforms.schema import (
    After,
    AgeAtLeast,
    Before,
    Condition,
    FormDefinition,
    IdNumber,
    MaxLength,
    NotFuture,
    NotPast,
    PersonName,
    PhoneVN,
    RequiredWhen,
    RuleBase,
)

# Letters of any script with their combining marks, spaces, hyphens and apostrophes (Hơ-Mông,
# K'Sor). Bộ luật Dân sự 2015, Điều 26: a name is not made of digits or of signs that are not
# letters.
NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")

# Vietnamese mobile numbers since the 2018 move to 10 digits: 03x, 05x, 07x, 08x, 09x.
MOBILE = re.compile(r"^0[35789]\d{8}$")


def explain(rule: RuleBase, message: str | None = None) -> str:
    return _("%(message)s (Căn cứ: %(source)s)") % {
        "message": message or rule.message,
        "source": rule.source,
    }


def is_filled(value: Any) -> bool:
    return value not in (None, "", False, [])


def holds(condition: Condition, values: Mapping[str, Any]) -> bool:
    value = values.get(condition.field)
    if condition.filled is not None:
        return is_filled(value) == condition.filled
    return value is not None and str(value) == condition.equals


def normalize_phone(raw: str) -> str:
    """'+84 912.345.678' -> '0912345678'; other characters are kept so the check fails."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def check(
    definition: FormDefinition, values: Mapping[str, Any], *, today: date
) -> Iterator[tuple[str, str]]:
    """Yield (field name, message with its legal source) for every rule the values break."""
    for name, message, source in check_with_sources(definition, values, today=today):
        yield name, _("%(message)s (Căn cứ: %(source)s)") % {"message": message, "source": source}


def check_with_sources(
    definition: FormDefinition, values: Mapping[str, Any], *, today: date
) -> Iterator[tuple[str, str, str]]:
    """Yield (field name, message, legal source) for every rule the values break.

    The kiosk shows the message next to the field and the source behind a "Căn cứ" toggle.

    Fields missing from `values` (they failed their own cleaning) are skipped: the citizen
    already sees that error, and a second one about the same empty box would only confuse.
    """
    for field in definition.fields():
        if field.name not in values:
            continue
        value = values[field.name]
        for rule in field.rules:
            if isinstance(rule, RequiredWhen):
                if holds(rule.when, values) and not is_filled(value):
                    yield field.name, rule.message, rule.source
                continue
            if not is_filled(value):
                continue
            for name, message in _check_one(rule, field.name, value, values, today):
                yield name, message, rule.source


def _check_one(
    rule: RuleBase, name: str, value: Any, values: Mapping[str, Any], today: date
) -> Iterator[tuple[str, str]]:
    if isinstance(rule, NotFuture):
        if value > today:
            yield name, rule.message
    elif isinstance(rule, NotPast):
        if value < today:
            yield name, rule.message
    elif isinstance(rule, AgeAtLeast):
        if rule.when and not holds(rule.when, values):
            return
        on = values.get(rule.on_field) if rule.on_field else today
        if isinstance(on, date) and age_on(value, on) < rule.years:
            yield name, rule.message
    elif isinstance(rule, Before):
        other = values.get(rule.field)
        if isinstance(other, date) and value > other:
            yield name, rule.message
    elif isinstance(rule, After):
        other = values.get(rule.field)
        if isinstance(other, date) and value < other:
            yield name, rule.message
    elif isinstance(rule, MaxLength):
        if len(str(value)) > rule.value:
            yield name, rule.message
    elif isinstance(rule, PersonName):
        text = unicodedata.normalize("NFC", " ".join(str(value).split()))
        if not NAME.match(text):
            yield name, rule.message
    elif isinstance(rule, PhoneVN):
        if not MOBILE.match(normalize_phone(str(value))):
            yield name, rule.message
    elif isinstance(rule, IdNumber):
        yield from _check_id_number(rule, name, value, values, today)


def _check_id_number(
    rule: IdNumber, name: str, value: Any, values: Mapping[str, Any], today: date
) -> Iterator[tuple[str, str]]:
    from motcua.identity.parsing import validate_id_number

    birth = values.get(rule.birth_date_field) if rule.birth_date_field else None
    sex = values.get(rule.sex_field) if rule.sex_field else rule.sex
    errors = validate_id_number(
        str(value),
        birth_date=birth if isinstance(birth, date) else None,
        sex=sex or None,
        field=name,
        today=today,
    )
    for error in errors:
        target = error.field if error.field in values else name
        yield target, error.message
