"""The generic renderer: valid submissions, each rule's refusal, the checklist, locked fields."""

import json
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from motcua.catalog.models import Procedure
from motcua.eforms.registry import definition_for
from motcua.eforms.rendering import (
    build_form,
    card_values,
    documents,
    form_data,
    keep_uploads,
    release_uploads,
)

from .conftest import CARD, CODES, TODAY, VALID

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def errors_of(form, name):
    return " ".join(form.errors.get(name, []))


@pytest.mark.django_db
class TestValidSubmission:
    @pytest.mark.parametrize("code", CODES)
    def test_realistic_answers_are_accepted(self, submit, code):
        form = submit(code, VALID[code])
        assert form.is_valid(), form.errors.as_json()
        data = form_data(form)
        json.dumps(data, ensure_ascii=False)
        assert set(data) == {f.name for f in form.definition.fields()}

    @pytest.mark.parametrize("code", CODES)
    def test_each_form_renders_every_field(self, catalog, code):
        procedure = Procedure.objects.get(code=code)
        definition = definition_for(code)
        form = build_form(definition, procedure=procedure, today=TODAY)
        html = render_to_string("eforms/form.html", {"form": form, "definition": definition})
        for field in definition.fields():
            assert f'name="{field.name}"' in html
        assert definition.title in html

    def test_dates_are_iso_and_money_is_integer_dong(self, submit):
        form = submit("1.001612", VALID["1.001612"])
        assert form.is_valid(), form.errors.as_json()
        data = form_data(form)
        assert data["owner_birth_date"] == "1988-03-04"
        assert data["capital"] == 50_000_000
        assert data["employees"] == 2

    def test_phone_is_normalized(self, submit):
        form = submit("1.000894", VALID["1.000894"])
        assert form.is_valid(), form.errors.as_json()
        assert form_data(form)["contact_phone"] == "0912345678"


@pytest.mark.django_db
class TestRules:
    def test_required_field_missing(self, submit):
        data = {**VALID["1.001193"], "child_full_name": ""}
        form = submit("1.001193", data)
        assert not form.is_valid()
        assert errors_of(form, "child_full_name") == "Chưa điền."
        # The summary (and the field, eforms/field.html) names whose field it is (issue 14).
        item = next(i for i in form.error_summary() if i["anchor"] == "id_child_full_name")
        assert item["label"] == "Họ, chữ đệm, tên của trẻ"

    def test_future_birth_date(self, submit):
        data = {**VALID["1.001193"], "child_birth_date": "16/09/2025"}
        form = submit("1.001193", data)
        assert not form.is_valid()
        message = errors_of(form, "child_birth_date")
        assert "không thể sau ngày hôm nay" in message
        # The legal source is kept beside the message, for the "Căn cứ" toggle.
        assert "Căn cứ" not in message
        assert "Luật Hộ tịch 2014" in " ".join(form.error_sources["child_birth_date"])

    def test_thirtieth_of_february_is_not_a_date(self, submit):
        data = {**VALID["1.001193"], "child_birth_date": "30/02/2024"}
        form = submit("1.001193", data)
        assert not form.is_valid()
        assert "không có thật" in errors_of(form, "child_birth_date")

    def test_iso_dates_are_accepted_too(self, submit):
        form = submit("1.001193", {**VALID["1.001193"], "child_birth_date": "2025-09-01"})
        assert form.is_valid(), form.errors.as_json()

    def test_groom_aged_19_is_refused(self, submit):
        data = {
            **VALID["1.000894"],
            "husband_birth_date": "16/09/2005",
            "husband_id_number": "066205654321",
        }
        form = submit("1.000894", data)
        assert not form.is_valid()
        message = errors_of(form, "husband_birth_date")
        assert "từ đủ 20 tuổi" in message
        assert "Luật Hôn nhân và gia đình 2014, Điều 8" in " ".join(
            form.error_sources["husband_birth_date"]
        )

    def test_groom_on_his_20th_birthday_is_accepted(self, submit):
        data = {
            **VALID["1.000894"],
            "husband_birth_date": "15/09/2005",
            "husband_id_number": "066205654321",
        }
        form = submit("1.000894", data)
        assert form.is_valid(), form.errors.as_json()

    def test_bride_aged_18_is_accepted(self, submit):
        data = {
            **VALID["1.000894"],
            "wife_birth_date": "15/09/2007",
            "wife_id_number": "066307123456",
        }
        form = submit("1.000894", data)
        assert form.is_valid(), form.errors.as_json()

    def test_bride_a_day_short_of_18_is_refused(self, submit):
        data = {
            **VALID["1.000894"],
            "wife_birth_date": "16/09/2007",
            "wife_id_number": "066307123456",
        }
        form = submit("1.000894", data)
        assert not form.is_valid()
        assert "từ đủ 18 tuổi" in errors_of(form, "wife_birth_date")

    def test_invalid_id_number_for_the_father(self, submit):
        form = submit("1.001193", {**VALID["1.001193"], "father_id_number": "07908800123"})
        assert not form.is_valid()
        assert "12 chữ số" in errors_of(form, "father_id_number")
        assert not form.errors.get("mother_id_number")

    def test_father_id_number_must_match_his_sex_and_birth_year(self, submit):
        # 079192004321 is a woman born in 1992.
        form = submit("1.001193", {**VALID["1.001193"], "father_id_number": "079192004321"})
        assert not form.is_valid()
        message = errors_of(form, "father_id_number")
        assert "giới tính" in message and "năm sinh" in message

    def test_id_number_typed_with_spaces(self, submit):
        form = submit("1.001193", {**VALID["1.001193"], "mother_id_number": "079 192 004 321"})
        assert form.is_valid(), form.errors.as_json()

    @pytest.mark.parametrize("phone", ["0212345678", "091234567", "09123456789", "0912-abc-678"])
    def test_bad_phone(self, submit, phone):
        form = submit("1.004222", {**VALID["1.004222"], "phone": phone})
        assert not form.is_valid()
        assert "10 chữ số" in errors_of(form, "phone")

    @pytest.mark.parametrize(
        "phone", ["0381234567", "+84 38 123 4567", "84981234567", "0912.345.678"]
    )
    def test_good_phone(self, submit, phone):
        form = submit("1.004222", {**VALID["1.004222"], "phone": phone})
        assert form.is_valid(), form.errors.as_json()

    def test_death_before_birth(self, submit):
        data = {**VALID["1.000656"], "death_date": "01/01/1939", "death_notice_date": ""}
        form = submit("1.000656", data)
        assert not form.is_valid()
        assert "Ngày chết không thể trước ngày sinh" in errors_of(form, "death_date")

    def test_mother_born_after_the_child(self, submit):
        form = submit("1.001193", {**VALID["1.001193"], "mother_birth_date": "02/09/2025"})
        assert not form.is_valid()
        assert "phải trước ngày sinh của trẻ" in errors_of(form, "mother_birth_date")

    def test_required_when_a_witness_is_needed(self, submit):
        data = {
            **VALID["2.000884"],
            "signing_method": "Không ký và không điểm chỉ được (có người làm chứng)",
        }
        form = submit("2.000884", data)
        assert not form.is_valid()
        assert "hai người làm chứng" in errors_of(form, "witness1_full_name")

    def test_witnesses_with_valid_numbers_are_accepted(self, submit):
        data = {
            **VALID["2.000884"],
            "signing_method": "Không ký và không điểm chỉ được (có người làm chứng)",
            "witness1_full_name": "Trần Văn Ba",
            "witness1_id_number": "066070111222",
            "witness2_full_name": "Lê Thị Tư",
            "witness2_id_number": "066175333444",
        }
        form = submit("2.000884", data)
        assert form.is_valid(), form.errors.as_json()

    def test_max_length(self, submit):
        form = submit("1.001193", {**VALID["1.001193"], "child_full_name": "A" * 101})
        assert not form.is_valid()
        assert "Tối đa 100 ký tự" in errors_of(form, "child_full_name")

    def test_temporary_residence_cannot_end_in_the_past(self, submit):
        form = submit("1.004194", {**VALID["1.004194"], "stay_until": "14/09/2025"})
        assert not form.is_valid()
        assert "từ hôm nay trở đi" in errors_of(form, "stay_until")

    def test_household_member_needs_a_valid_number(self, submit):
        data = {
            **VALID["1.004222"],
            "member1_full_name": "Nguyễn Văn Bình",
            "member1_birth_date": "01/02/2015",
            "member1_sex": "Nam",
            "member1_relation": "Con",
            "member1_id_number": "079115000111",
        }
        form = submit("1.004222", data)
        assert not form.is_valid()
        assert "thế kỷ" in errors_of(form, "member1_id_number")
        form = submit("1.004222", {**data, "member1_id_number": "079215000111"})
        assert form.is_valid(), form.errors.as_json()

    def test_money_must_be_digits(self, submit):
        form = submit("1.001612", {**VALID["1.001612"], "capital": "năm mươi triệu"})
        assert not form.is_valid()
        assert "chữ số" in errors_of(form, "capital")

    def test_pledge_must_be_ticked(self, submit):
        data = {k: v for k, v in VALID["2.000815"].items() if k != "pledge"}
        form = submit("2.000815", data)
        assert not form.is_valid()
        assert "pledge" in form.errors


@pytest.mark.django_db
class TestDocumentChecklist:
    def required_document(self, code):
        return Procedure.objects.get(code=code).documents.get(requirement="required")

    def test_missing_required_document_is_refused(self, submit):
        form = submit("2.000815", VALID["2.000815"], paper=False)
        assert not form.is_valid()
        document = self.required_document("2.000815")
        assert "Giấy tờ bắt buộc" in errors_of(form, f"doc_{document.pk}_paper")
        assert "2.000815" in " ".join(form.error_sources[f"doc_{document.pk}_paper"])

    def test_paper_ticked_is_accepted(self, submit):
        form = submit("2.000815", VALID["2.000815"])
        assert form.is_valid(), form.errors.as_json()
        (entry,) = documents(form)
        assert entry["provided_on_paper"] is True
        assert entry["file"] is None
        assert entry["requirement"] == "required"

    def test_uploaded_pdf_is_accepted(self, submit):
        document = self.required_document("2.000815")
        upload = SimpleUploadedFile("bang.pdf", PDF_BYTES, "application/pdf")
        form = submit(
            "2.000815", VALID["2.000815"], paper=False, files={f"doc_{document.pk}_file": upload}
        )
        assert form.is_valid(), form.errors.as_json()
        (entry,) = documents(form)
        assert entry["provided_on_paper"] is False
        assert entry["content_type"] == "application/pdf"
        assert entry["size"] == len(PDF_BYTES)
        assert len(entry["sha256"]) == 64
        assert entry["file"].read() == PDF_BYTES

    def test_a_pdf_name_on_plain_text_is_refused(self, submit):
        document = self.required_document("2.000815")
        upload = SimpleUploadedFile("bang.pdf", b"just some text, not a PDF", "application/pdf")
        form = submit(
            "2.000815", VALID["2.000815"], paper=False, files={f"doc_{document.pk}_file": upload}
        )
        assert not form.is_valid()
        assert "không phải ảnh chụp (JPEG), ảnh quét (PNG) hoặc PDF" in errors_of(
            form, f"doc_{document.pk}_file"
        )

    def test_oversize_file_is_refused(self, submit, settings):
        settings.MOTCUA_UPLOAD_MAX_BYTES = 1024
        document = self.required_document("2.000815")
        upload = SimpleUploadedFile("bang.pdf", PDF_BYTES + b"0" * 2048, "application/pdf")
        form = submit(
            "2.000815", VALID["2.000815"], paper=False, files={f"doc_{document.pk}_file": upload}
        )
        assert not form.is_valid()
        assert "quá lớn" in errors_of(form, f"doc_{document.pk}_file")

    def test_conditional_documents_are_optional(self, submit):
        procedure = Procedure.objects.get(code="1.001193")
        required = {
            f"doc_{d.pk}_paper": "on" for d in procedure.documents.filter(requirement="required")
        }
        form = submit("1.001193", {**VALID["1.001193"], **required}, paper=False)
        assert form.is_valid(), form.errors.as_json()

    def test_the_declaration_itself_is_not_asked_for_again(self, submit):
        procedure = Procedure.objects.get(code="1.001193")
        eform_rows = procedure.documents.filter(name__startswith="Mẫu hộ tịch điện tử tương tác")
        others = procedure.documents.filter(requirement="required").exclude(
            pk__in=eform_rows.values("pk")
        )
        ticked = {f"doc_{d.pk}_paper": "on" for d in others}
        form = submit("1.001193", {**VALID["1.001193"], **ticked}, paper=False)
        assert form.is_valid(), form.errors.as_json()
        by_form = [d for d in documents(form) if d["provided_by_form"]]
        assert {d["document_id"] for d in by_form} >= set(eform_rows.values_list("pk", flat=True))

    def test_an_accepted_upload_survives_an_error_elsewhere(self, submit, store):
        document = self.required_document("2.000815")
        upload = SimpleUploadedFile("bang.pdf", PDF_BYTES, "application/pdf")
        data = {**VALID["2.000815"], "copies": ""}
        form = submit("2.000815", data, paper=False, files={f"doc_{document.pk}_file": upload})
        assert not form.is_valid()
        html = render_to_string("eforms/form.html", {"form": form, "definition": form.definition})
        token = form.data[f"doc_{document.pk}_token"]
        assert f'value="{token}"' in html
        assert "Đã nhận tệp “bang.pdf”" in html

        # The browser sends the token back, not the file.
        again = submit(
            "2.000815",
            {**VALID["2.000815"], f"doc_{document.pk}_token": token},
            paper=False,
        )
        assert again.is_valid(), again.errors.as_json()
        (entry,) = documents(again)
        assert entry["file"].read() == PDF_BYTES
        assert entry["sha256"]
        release_uploads(again)
        assert store.get(token) is None

    def test_a_valid_form_can_park_its_files_for_a_confirmation_step(self, submit, store):
        document = self.required_document("2.000815")
        upload = SimpleUploadedFile("bang.pdf", PDF_BYTES, "application/pdf")
        form = submit(
            "2.000815", VALID["2.000815"], paper=False, files={f"doc_{document.pk}_file": upload}
        )
        assert form.is_valid()
        keep_uploads(form)
        token = form.data[f"doc_{document.pk}_token"]
        assert store.get(token).read() == PDF_BYTES

    def test_a_forged_token_is_ignored(self, submit):
        document = self.required_document("2.000815")
        data = {**VALID["2.000815"], f"doc_{document.pk}_token": "../../etc/passwd"}
        form = submit("2.000815", data, paper=False)
        assert not form.is_valid()
        assert "Giấy tờ bắt buộc" in errors_of(form, f"doc_{document.pk}_paper")


@pytest.mark.django_db
class TestLockedFields:
    def locked(self, code):
        return card_values(definition_for(code), CARD)

    def test_card_values_fill_the_prefilled_fields(self, catalog):
        values = self.locked("1.004222")
        assert values == {
            "full_name": "Nguyễn Văn An",
            "birth_date": date(1988, 3, 4),
            "sex": "Nam",
            "id_number": "079088001234",
        }

    def test_unchanged_locked_values_are_accepted(self, submit):
        form = submit("1.004222", VALID["1.004222"], locked=self.locked("1.004222"))
        assert form.is_valid(), form.errors.as_json()

    def test_a_changed_locked_value_is_refused(self, submit):
        data = {**VALID["1.004222"], "full_name": "Nguyễn Văn Bình"}
        form = submit("1.004222", data, locked=self.locked("1.004222"))
        assert not form.is_valid()
        assert "lấy từ thẻ căn cước" in errors_of(form, "full_name")
        # The page shows the card's value again, not the tampered one.
        assert form["full_name"].value() == "Nguyễn Văn An"

    def test_locked_values_are_used_when_not_submitted(self, submit):
        data = {k: v for k, v in VALID["1.004222"].items() if k not in ("sex", "birth_date")}
        form = submit("1.004222", data, locked=self.locked("1.004222"))
        assert form.is_valid(), form.errors.as_json()
        assert form_data(form)["sex"] == "Nam"
        assert form_data(form)["birth_date"] == "1988-03-04"

    def test_locked_inputs_render_read_only(self, catalog):
        procedure = Procedure.objects.get(code="1.004222")
        definition = definition_for("1.004222")
        values = self.locked("1.004222")
        form = build_form(
            definition, procedure=procedure, initial=values, locked=values, today=TODAY
        )
        html = str(form["full_name"]) + str(form["sex"]) + str(form["birth_date"])
        assert 'value="Nguyễn Văn An"' in html and "readonly" in html
        assert 'value="04/03/1988"' in html
        assert "disabled" in str(form["sex"])


@pytest.mark.django_db
class TestGenericForm:
    def test_land_procedure_gets_the_generic_form_with_its_documents(self, catalog):
        procedure = Procedure.objects.get(code="1.012753")
        definition = definition_for(procedure.code)
        assert definition.is_generic
        form = build_form(definition, procedure=procedure, today=TODAY)
        rows = form.document_rows()
        assert len(rows) == procedure.documents.count() > 0
        assert {f"doc_{d.pk}_paper" for d in procedure.documents.all()} <= set(form.fields)

    def test_generic_form_accepts_a_request(self, submit):
        data = {
            "requester_full_name": "Nguyễn Văn An",
            "requester_id_number": "079088001234",
            "requester_address": CARD["address"],
            "requester_phone": "0912345678",
            "request": "Đăng ký đất đai lần đầu cho thửa đất số 12, tờ bản đồ số 3.",
            "pledge": "on",
        }
        form = submit("1.012753", data)
        assert form.is_valid(), form.errors.as_json()
        assert form_data(form)["request"].startswith("Đăng ký đất đai")
        assert all(d["provided_on_paper"] for d in documents(form) if not d["provided_by_form"])


@pytest.mark.django_db
class TestRerenderKeepsInput:
    def test_typed_values_come_back_with_the_errors(self, submit):
        data = {
            **VALID["1.001193"],
            "child_birth_date": "30/02/2024",
            "child_full_name": "Nguyễn Minh Khang",
        }
        form = submit("1.001193", data)
        assert not form.is_valid()
        html = render_to_string("eforms/form.html", {"form": form, "definition": form.definition})
        assert 'value="Nguyễn Minh Khang"' in html
        assert 'value="30/02/2024"' in html
        assert 'class="ef-error-summary"' in html
        assert 'href="#id_child_birth_date"' in html
        assert 'id="id_child_birth_date-error"' in html
        assert 'aria-invalid="true"' in html

    def test_markup_for_the_kiosk(self, catalog):
        procedure = Procedure.objects.get(code="1.001193")
        definition = definition_for("1.001193")
        form = build_form(definition, procedure=procedure, today=TODAY)
        html = render_to_string("eforms/form.html", {"form": form, "definition": definition})
        for css in ("ef-section", "ef-field", "ef-help"):
            assert f'class="{css}' in html or f" {css}" in html
        assert 'inputmode="numeric"' in html
        assert 'type="tel"' in html
        assert 'autocomplete="off"' in html
        assert 'for="id_child_full_name"' in html
        assert 'aria-describedby="id_child_birth_date-help"' in html
        assert 'id="id_child_birth_date-help"' in html
        assert 'accept="image/jpeg,image/png,application/pdf"' in html
        assert 'aria-required="true"' in html
        assert not re.search(r"\srequired[\s>]", html)  # no browser bubbles in English
