"""Where form definitions come from: the JSON files in definitions/, checked once at load."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from motcua.eforms.schema import GENERIC_FORM, FormDefinition

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"


class DefinitionError(Exception):
    """A definition file does not match the schema or collides with another one."""


def read_definition(path: Path) -> FormDefinition:
    try:
        return FormDefinition.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, OSError) as exc:
        raise DefinitionError(f"{path.name}: {exc}") from exc


@cache
def _load(directory: Path = DEFINITIONS_DIR) -> tuple[dict[str, FormDefinition], FormDefinition]:
    by_code: dict[str, FormDefinition] = {}
    generic = None
    for path in sorted(directory.glob("*.json")):
        definition = read_definition(path)
        if definition.is_generic:
            if definition.procedures:
                raise DefinitionError(f"{path.name}: the generic form names no procedure")
            generic = definition
            continue
        if path.stem not in definition.procedures:
            raise DefinitionError(f"{path.name}: file name is not one of its procedure codes")
        for code in definition.procedures:
            if code in by_code:
                raise DefinitionError(f"{path.name}: procedure {code} already has a form")
            by_code[code] = definition
    if generic is None:
        raise DefinitionError(f"{directory}: {GENERIC_FORM}.json is missing")
    return by_code, generic


def all_definitions() -> list[FormDefinition]:
    """Every specific definition, then the generic one."""
    by_code, generic = _load()
    unique = {d.form: d for d in by_code.values()}
    return [*sorted(unique.values(), key=lambda d: d.procedures[0]), generic]


def definition_for(procedure_code: str) -> FormDefinition:
    """The procedure's own form, or the generic one titled with the procedure's name."""
    by_code, generic = _load()
    if procedure_code in by_code:
        return by_code[procedure_code]
    from motcua.catalog.models import Procedure

    name = Procedure.objects.filter(code=procedure_code).values_list("name", flat=True).first()
    return generic.model_copy(update={"title": name}) if name else generic
