"""The shape of a form definition file (definitions/<procedure code>.json).

A definition is data: fields, Vietnamese labels and help, and the rules that check them, each
rule carrying its message and the legal text it comes from. Everything that a renderer or a rule
relies on is checked here when the file is loaded, so a broken definition fails at start-up and in
the test suite, never in front of a citizen.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
# Names of the checklist widgets the renderer adds; a definition must not collide with them.
RESERVED_PREFIX = "doc_"
GENERIC_FORM = "generic"

# What the kiosk reads from the citizen's card (QR of the CCCD / Căn cước: 7 fields).
CARD_KEYS = frozenset(
    {"id_number", "old_id_number", "full_name", "birth_date", "sex", "address", "issue_date"}
)
# Where a default may come from besides a literal text: the card, or the center's own commune.
CENTER_KEYS = frozenset({"commune", "province", "place"})


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    DATE = "date"
    SELECT = "select"
    RADIO = "radio"
    CHECKBOX = "checkbox"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    EMAIL = "email"
    INTEGER = "integer"
    MONEY = "money"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Strict):
    """Holds when `field` equals `equals`, or (with `filled`) when it has any value."""

    field: str
    equals: str | None = None
    filled: bool | None = None

    @model_validator(mode="after")
    def one_test(self) -> Condition:
        if (self.equals is None) == (self.filled is None):
            raise ValueError("a condition needs exactly one of 'equals' or 'filled'")
        return self


class RuleBase(Strict):
    message: str = Field(min_length=1)
    source: str = Field(min_length=1)

    def referenced_fields(self) -> list[str]:
        return []


class NotFuture(RuleBase):
    type: Literal["not_future"]


class NotPast(RuleBase):
    type: Literal["not_past"]


class AgeAtLeast(RuleBase):
    """On a birth date: the person is at least `years` old on `on_field` (default: today)."""

    type: Literal["age_at_least"]
    years: int = Field(ge=1, le=150)
    on_field: str | None = None
    when: Condition | None = None

    def referenced_fields(self) -> list[str]:
        names = [self.on_field] if self.on_field else []
        return names + ([self.when.field] if self.when else [])


class Before(RuleBase):
    """This date is on or before the date in `field`."""

    type: Literal["before"]
    field: str

    def referenced_fields(self) -> list[str]:
        return [self.field]


class After(RuleBase):
    """This date is on or after the date in `field`."""

    type: Literal["after"]
    field: str

    def referenced_fields(self) -> list[str]:
        return [self.field]


class IdNumber(RuleBase):
    """A valid personal identification number, consistent with the person's birth date and sex."""

    type: Literal["id_number"]
    birth_date_field: str | None = None
    sex_field: str | None = None
    # For people whose sex the form itself fixes (bên nam, người mẹ...).
    sex: Literal["Nam", "Nữ"] | None = None

    @model_validator(mode="after")
    def one_sex(self) -> IdNumber:
        if self.sex and self.sex_field:
            raise ValueError("give 'sex' or 'sex_field', not both")
        return self

    def referenced_fields(self) -> list[str]:
        return [f for f in (self.birth_date_field, self.sex_field) if f]


class PhoneVN(RuleBase):
    type: Literal["phone_vn"]


class PersonName(RuleBase):
    """A person's name: letters (with their diacritics), spaces, hyphens and apostrophes only."""

    type: Literal["person_name"]


class MaxLength(RuleBase):
    type: Literal["max_length"]
    value: int = Field(ge=1, le=10_000)


class RequiredWhen(RuleBase):
    type: Literal["required_when"]
    when: Condition

    def referenced_fields(self) -> list[str]:
        return [self.when.field]


Rule = Annotated[
    NotFuture
    | NotPast
    | AgeAtLeast
    | Before
    | After
    | IdNumber
    | PhoneVN
    | MaxLength
    | PersonName
    | RequiredWhen,
    Field(discriminator="type"),
]

DATE_RULES = {"not_future", "not_past", "age_at_least", "before", "after"}


class Choice(Strict):
    value: str
    label: str


class FormField(Strict):
    name: str
    label: str = Field(min_length=1)
    type: FieldType
    required: bool = False
    help: str = ""
    choices: list[Choice] | None = None
    rules: list[Rule] = []
    prefill: str | None = None
    # The card prefills this field only when the condition holds (the applicant is this person,
    # e.g. "Người đi đăng ký là: Mẹ" fills the mother's section from the card).
    prefill_when: Condition | None = None
    # Shown filled in and editable: a literal ("Kinh"), "card.<key>" or "center.<commune|
    # province|place>" (the commune's own address parts).
    default: str | None = None
    min_value: int | None = None
    max_value: int | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def strings_are_choices(cls, value: Any) -> Any:
        # "Nam" is shorthand for {"value": "Nam", "label": "Nam"}.
        if isinstance(value, list):
            return [{"value": c, "label": c} if isinstance(c, str) else c for c in value]
        return value

    @model_validator(mode="after")
    def consistent(self) -> FormField:
        if not FIELD_NAME.match(self.name) or self.name.startswith(RESERVED_PREFIX):
            raise ValueError(f"bad field name {self.name!r}")
        has_choices = self.type in (FieldType.SELECT, FieldType.RADIO)
        if has_choices != bool(self.choices):
            raise ValueError(f"{self.name}: choices go with select/radio fields, and only them")
        if self.prefill is not None:
            scope, _, key = self.prefill.partition(".")
            if scope != "card" or key not in CARD_KEYS:
                raise ValueError(f"{self.name}: unknown prefill {self.prefill!r}")
        if self.prefill_when is not None and self.prefill is None:
            raise ValueError(f"{self.name}: prefill_when needs a prefill")
        if self.default is not None:
            scope, dot, key = self.default.partition(".")
            if dot and scope == "card" and key not in CARD_KEYS:
                raise ValueError(f"{self.name}: unknown default {self.default!r}")
            if dot and scope == "center" and key not in CENTER_KEYS:
                raise ValueError(f"{self.name}: unknown default {self.default!r}")
        kinds = {rule.type for rule in self.rules}
        if self.type != FieldType.DATE and kinds & DATE_RULES:
            raise ValueError(f"{self.name}: date rules on a {self.type} field")
        # The type alone does not check a number: the rule must be there, with its source.
        if (self.type == FieldType.ID_NUMBER) != ("id_number" in kinds):
            raise ValueError(f"{self.name}: id_number fields carry exactly the id_number rule")
        if (self.type == FieldType.PHONE) != ("phone_vn" in kinds):
            raise ValueError(f"{self.name}: phone fields carry exactly the phone_vn rule")
        return self


class Section(Strict):
    title: str = Field(min_length=1)
    help: str = ""
    # Whose fields these are ("mẹ", "trẻ"): an error then names the person ("Ngày sinh của mẹ").
    person: str = ""
    # Optional sections start folded on the kiosk; they open when asked for or when in error.
    collapsed: bool = False
    # The section describes someone only when this field of it is filled (the father's name):
    # otherwise its other values, defaults included, are not part of the answers.
    depends_on: str | None = None
    fields: list[FormField] = Field(min_length=1)

    @model_validator(mode="after")
    def depends_on_own_field(self) -> Section:
        if self.depends_on and self.depends_on not in {f.name for f in self.fields}:
            raise ValueError(f"section {self.title!r}: depends_on names no field of it")
        return self


class FormDefinition(Strict):
    form: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    procedures: list[str]
    # Catalog documents this e-form stands in for (name prefixes, e.g. "Tờ khai đăng ký khai
    # sinh"): filling the form is providing them, so the checklist does not ask for them again.
    fulfils_documents: list[str] = []
    sections: list[Section] = Field(min_length=1)

    @field_validator("procedures")
    @classmethod
    def codes_are_national_codes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not PROCEDURE_CODE.match(code):
                raise ValueError(f"{code!r} is not a national procedure code")
        return codes

    @model_validator(mode="after")
    def references_resolve(self) -> FormDefinition:
        fields = {}
        for field in self.fields():
            if field.name in fields:
                raise ValueError(f"field {field.name!r} is defined twice")
            fields[field.name] = field
        for field in fields.values():
            if field.prefill_when and field.prefill_when.field not in fields:
                raise ValueError(f"{field.name}: prefill_when names unknown field")
            for rule in field.rules:
                for name in rule.referenced_fields():
                    if name not in fields:
                        raise ValueError(f"{field.name}: rule {rule.type} names unknown {name!r}")
                other: str | None = None
                if isinstance(rule, Before | After):
                    other = rule.field
                elif isinstance(rule, AgeAtLeast):
                    other = rule.on_field
                if other and fields[other].type != FieldType.DATE:
                    raise ValueError(f"{field.name}: {rule.type} needs a date in {other!r}")
                if (
                    isinstance(rule, IdNumber)
                    and rule.birth_date_field
                    and fields[rule.birth_date_field].type != FieldType.DATE
                ):
                    raise ValueError(f"{field.name}: birth_date_field is not a date")
        return self

    def fields(self) -> list[FormField]:
        return [field for section in self.sections for field in section.fields]

    def field(self, name: str) -> FormField:
        for field in self.fields():
            if field.name == name:
                return field
        raise KeyError(name)

    @property
    def is_generic(self) -> bool:
        return self.form == GENERIC_FORM
