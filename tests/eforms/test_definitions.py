"""Every definition file loads, names real procedures and only references its own fields."""

import json

import pytest

from motcua.catalog.services import bundled_catalog_path
from motcua.eforms import registry
from motcua.eforms.schema import FieldType, FormDefinition

from .conftest import CODES

EXPECTED = {
    "1.001193": "khai-sinh",
    "1.000894": "ket-hon",
    "1.000656": "khai-tu",
    "1.004873": "xac-nhan-tinh-trang-hon-nhan",
    "2.000635": "ban-sao-trich-luc-ho-tich",
    "2.000815": "chung-thuc-ban-sao",
    "2.000884": "chung-thuc-chu-ky",
    "1.004222": "dang-ky-thuong-tru",
    "1.004194": "dang-ky-tam-tru",
    "1.001612": "thanh-lap-ho-kinh-doanh",
}


def bundled_codes():
    data = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
    return {p["code"] for p in data["procedures"]}


class TestAllDefinitions:
    def test_every_file_loads(self):
        files = sorted(registry.DEFINITIONS_DIR.glob("*.json"))
        assert len(files) == 11
        for path in files:
            registry.read_definition(path)

    def test_the_ten_procedures_have_their_own_form(self):
        forms = {code: registry.definition_for(code).form for code in EXPECTED}
        assert forms == EXPECTED
        assert sorted(EXPECTED) == CODES

    def test_every_named_procedure_exists_in_the_bundled_catalog(self):
        codes = bundled_codes()
        for definition in registry.all_definitions():
            assert set(definition.procedures) <= codes, definition.form

    def test_every_rule_references_existing_fields(self):
        for definition in registry.all_definitions():
            names = {f.name for f in definition.fields()}
            for field in definition.fields():
                for rule in field.rules:
                    assert set(rule.referenced_fields()) <= names, (definition.form, field.name)

    def test_every_definition_and_rule_cites_a_source(self):
        for definition in registry.all_definitions():
            assert definition.source.strip()
            for field in definition.fields():
                for rule in field.rules:
                    assert rule.source.strip() and rule.message.strip()

    def test_every_person_with_an_id_number_is_checked(self):
        for definition in registry.all_definitions():
            for field in definition.fields():
                if field.type == FieldType.ID_NUMBER:
                    assert any(r.type == "id_number" for r in field.rules)

    def test_marriage_ages_follow_article_8(self):
        definition = registry.definition_for("1.000894")
        ages = {
            name: next(r for r in definition.field(name).rules if r.type == "age_at_least").years
            for name in ("husband_birth_date", "wife_birth_date")
        }
        assert ages == {"husband_birth_date": 20, "wife_birth_date": 18}

    def test_fulfilled_documents_match_catalog_rows(self):
        data = json.loads(bundled_catalog_path().read_text(encoding="utf-8"))
        names = {p["code"]: [d["name"] for d in p.get("documents", [])] for p in data["procedures"]}
        for definition in registry.all_definitions():
            for prefix in definition.fulfils_documents:
                matched = [
                    n
                    for code in definition.procedures
                    for n in names[code]
                    if n.casefold().startswith(prefix.casefold())
                ]
                assert matched, (definition.form, prefix)


def minimal(**overrides):
    base = {
        "form": "thu",
        "version": 1,
        "title": "Thử",
        "source": "Thông tư thử",
        "procedures": ["1.001193"],
        "sections": [
            {
                "title": "A",
                "fields": [
                    {"name": "birth", "label": "Ngày sinh", "type": "date"},
                    {"name": "death", "label": "Ngày chết", "type": "date"},
                ],
            }
        ],
    }
    base.update(overrides)
    return base


def with_rule(rule, field_type="date"):
    definition = minimal()
    definition["sections"][0]["fields"][1]["rules"] = [rule]
    definition["sections"][0]["fields"][1]["type"] = field_type
    return definition


class TestSchemaRejects:
    def test_a_rule_naming_an_unknown_field(self):
        rule = {"type": "after", "field": "nope", "message": "m", "source": "s"}
        with pytest.raises(ValueError, match="unknown 'nope'"):
            FormDefinition.model_validate(with_rule(rule))

    def test_a_rule_without_source(self):
        rule = {"type": "not_future", "message": "m"}
        with pytest.raises(ValueError, match="source"):
            FormDefinition.model_validate(with_rule(rule))

    def test_a_date_rule_on_a_text_field(self):
        rule = {"type": "not_future", "message": "m", "source": "s"}
        with pytest.raises(ValueError, match="date rules"):
            FormDefinition.model_validate(with_rule(rule, "text"))

    def test_an_id_number_field_without_its_rule(self):
        definition = minimal()
        definition["sections"][0]["fields"].append(
            {"name": "so", "label": "Số", "type": "id_number"}
        )
        with pytest.raises(ValueError, match="id_number rule"):
            FormDefinition.model_validate(definition)

    def test_an_unknown_rule_type(self):
        with pytest.raises(ValueError):
            FormDefinition.model_validate(
                with_rule({"type": "magic", "message": "m", "source": "s"})
            )

    def test_a_duplicate_field(self):
        definition = minimal()
        definition["sections"].append(definition["sections"][0])
        with pytest.raises(ValueError, match="defined twice"):
            FormDefinition.model_validate(definition)

    def test_a_select_without_choices(self):
        definition = minimal()
        definition["sections"][0]["fields"].append({"name": "x", "label": "X", "type": "select"})
        with pytest.raises(ValueError, match="choices"):
            FormDefinition.model_validate(definition)

    def test_an_unknown_prefill(self):
        definition = minimal()
        definition["sections"][0]["fields"][0]["prefill"] = "card.mother"
        with pytest.raises(ValueError, match="prefill"):
            FormDefinition.model_validate(definition)

    def test_a_reserved_field_name(self):
        definition = minimal()
        definition["sections"][0]["fields"][0]["name"] = "doc_1_paper"
        with pytest.raises(ValueError, match="bad field name"):
            FormDefinition.model_validate(definition)

    def test_a_procedure_code_that_is_not_national(self):
        with pytest.raises(ValueError, match="national procedure code"):
            FormDefinition.model_validate(minimal(procedures=["1001193"]))


@pytest.mark.django_db
class TestDefinitionFor:
    def test_generic_form_takes_the_procedure_name(self, tiny_catalog):
        definition = registry.definition_for("1.004194")
        assert definition.form == "dang-ky-tam-tru"
        generic = registry.definition_for("9.999999")
        assert generic.is_generic and generic.title == "Phiếu đề nghị giải quyết thủ tục hành chính"

    def test_generic_title_is_the_procedure_name(self, catalog):
        definition = registry.definition_for("1.012753")
        assert definition.is_generic
        assert definition.title.startswith("Đăng ký đất đai")


class TestKioskFriendlyDefinitions:
    """Issue 14: names checked as names, pick lists and defaults instead of typing."""

    def test_every_name_of_a_person_is_checked_as_a_name(self):
        for definition in registry.all_definitions():
            for field in definition.fields():
                if field.name.endswith("full_name") or field.name == "household_head_name":
                    kinds = {rule.type for rule in field.rules}
                    assert "person_name" in kinds, (definition.form, field.name)

    def test_ethnicity_is_picked_and_nationality_defaults_to_viet_nam(self):
        for definition in registry.all_definitions():
            for field in definition.fields():
                if field.name.endswith("ethnicity"):
                    assert field.type == FieldType.SELECT and field.default == "Kinh"
                    assert len(field.choices or []) == 54, (definition.form, field.name)
                if field.name.endswith("nationality"):
                    assert field.default == "Việt Nam", (definition.form, field.name)

    def test_birth_registration_reuses_the_card_for_the_parent_who_applies(self):
        definition = registry.definition_for("1.001193")
        for parent, who in (("mother", "Mẹ"), ("father", "Cha")):
            for key in ("full_name", "birth_date", "address", "id_number"):
                field = definition.field(f"{parent}_{key}")
                assert field.prefill == f"card.{key}"
                assert field.prefill_when.field == "requester_relationship"
                assert field.prefill_when.equals == who
        choices = [c.value for c in definition.field("requester_relationship").choices]
        assert choices[:2] == ["Mẹ", "Cha"]


class TestSchemaRejectsKioskAttributes:
    def test_prefill_when_without_a_prefill(self):
        definition = minimal()
        definition["sections"][0]["fields"][0]["prefill_when"] = {
            "field": "death",
            "filled": True,
        }
        with pytest.raises(ValueError, match="prefill_when needs a prefill"):
            FormDefinition.model_validate(definition)

    @pytest.mark.parametrize("default", ["card.password", "center.mayor"])
    def test_a_default_from_nowhere(self, default):
        definition = minimal()
        definition["sections"][0]["fields"][0]["default"] = default
        with pytest.raises(ValueError, match="unknown default"):
            FormDefinition.model_validate(definition)

    def test_depends_on_a_field_of_another_section(self):
        definition = minimal()
        definition["sections"][0]["depends_on"] = "nope"
        with pytest.raises(ValueError, match="depends_on"):
            FormDefinition.model_validate(definition)
