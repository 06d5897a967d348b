"""Shared data for the e-form tests: the bundled catalog, a card, a valid answer per form."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest
from django.db import transaction

from motcua.catalog import services
from motcua.catalog.models import Procedure
from motcua.catalog.schema import CatalogFile
from motcua.eforms.registry import definition_for
from motcua.eforms.rendering import build_form
from motcua.eforms.uploads import UploadStore

TODAY = date(2025, 9, 15)

CARD = {
    "id_number": "079088001234",
    "old_id_number": None,
    "full_name": "Nguyễn Văn An",
    "birth_date": date(1988, 3, 4),
    "sex": "Nam",
    "address": "Số 12 đường Lê Lợi, phường Bến Thành, TP. Hồ Chí Minh",
    "issue_date": date(2021, 4, 15),
}

ADDRESS = "Thôn 3, xã Hòa An, tỉnh Đắk Lắk"

REQUESTER = {
    "requester_full_name": "Nguyễn Văn An",
    "requester_id_number": "079088001234",
    "requester_birth_date": "04/03/1988",
    "requester_address": CARD["address"],
    "requester_phone": "0912 345 678",
}

CT01_PERSON = {
    "full_name": "Nguyễn Văn An",
    "birth_date": "04/03/1988",
    "sex": "Nam",
    "id_number": "079088001234",
    "phone": "0912345678",
    "household_head_name": "Nguyễn Văn Tư",
    "household_relation": "Con",
    "household_head_id_number": "079060001111",
    "new_address": ADDRESS,
    "owner_consent": "on",
    "pledge": "on",
}

VALID = {
    "1.001193": {
        **REQUESTER,
        "requester_relationship": "Cha",
        "child_full_name": "Nguyễn Minh Khang",
        "child_birth_date": "01/09/2025",
        "child_sex": "Nam",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "child_birth_place": "Bệnh viện Từ Dũ, TP. Hồ Chí Minh",
        "child_hometown": "Quảng Nam",
        "mother_full_name": "Trần Thị Bình",
        "mother_birth_date": "12/07/1992",
        "mother_ethnicity": "Kinh",
        "mother_nationality": "Việt Nam",
        "mother_address": CARD["address"],
        "mother_id_number": "079192004321",
        "father_full_name": "Nguyễn Văn An",
        "father_birth_date": "04/03/1988",
        "father_ethnicity": "Kinh",
        "father_nationality": "Việt Nam",
        "father_address": CARD["address"],
        "father_id_number": "079088001234",
        "copies": "1",
        "pledge": "on",
    },
    "1.000894": {
        "wife_full_name": "Lê Thị Hoa",
        "wife_birth_date": "20/10/2000",
        "wife_ethnicity": "Kinh",
        "wife_nationality": "Việt Nam",
        "wife_address": ADDRESS,
        "wife_id_number": "066300123456",
        "wife_marriage_count": "1",
        "husband_full_name": "Phạm Văn Nam",
        "husband_birth_date": "15/01/1996",
        "husband_ethnicity": "Ê-đê",
        "husband_nationality": "Việt Nam",
        "husband_address": ADDRESS,
        "husband_id_number": "066096654321",
        "husband_marriage_count": "1",
        "contact_phone": "+84 912.345.678",
        "copies": "2",
        "pledge": "on",
    },
    "1.000656": {
        **REQUESTER,
        "requester_relationship": "Con",
        "deceased_full_name": "Nguyễn Văn Bảy",
        "deceased_birth_date": "01/01/1940",
        "deceased_sex": "Nam",
        "deceased_ethnicity": "Kinh",
        "deceased_nationality": "Việt Nam",
        "deceased_address": ADDRESS,
        "deceased_id_number": "066040012345",
        "death_date": "10/09/2025",
        "death_time": "14 giờ 30 phút",
        "death_place": "Tại nhà, " + ADDRESS,
        "death_cause": "Bệnh già",
        "death_notice_number": "125/GBT",
        "death_notice_issuer": "Trạm Y tế xã Hòa An",
        "death_notice_date": "11/09/2025",
        "copies": "1",
        "pledge": "on",
    },
    "1.004873": {
        **REQUESTER,
        "subject_full_name": "Nguyễn Văn An",
        "subject_birth_date": "04/03/1988",
        "subject_sex": "Nam",
        "subject_ethnicity": "Kinh",
        "subject_nationality": "Việt Nam",
        "subject_address": CARD["address"],
        "subject_id_number": "079088001234",
        "marital_status": "Chưa đăng ký kết hôn với ai",
        "purpose": "Để đăng ký kết hôn với bà Lê Thị Hoa tại UBND xã Hòa An",
        "copies": "1",
        "pledge": "on",
    },
    "2.000635": {
        **REQUESTER,
        "subject_full_name": "Nguyễn Văn An",
        "subject_birth_date": "04/03/1988",
        "subject_sex": "Nam",
        "subject_id_number": "079088001234",
        "record_type": "Khai sinh",
        "registration_office": "UBND phường Bến Thành, quận 1, TP. Hồ Chí Minh",
        "registration_date": "10/03/1988",
        "registration_number": "45",
        "registration_book": "01/1988",
        "copies": "2",
        "pledge": "on",
    },
    "2.000815": {
        **{k: v for k, v in REQUESTER.items() if k != "requester_address"},
        "document_name": "Bằng tốt nghiệp trung học phổ thông",
        "document_origin": "Cơ quan, tổ chức Việt Nam",
        "pages": "1",
        "copies": "3",
        "pledge": "on",
    },
    "2.000884": {
        **{k: v for k, v in REQUESTER.items() if k != "requester_address"},
        "document_name": "Giấy ủy quyền nhận hộ lương hưu",
        "document_language": "Tiếng Việt",
        "signers": "1",
        "copies": "2",
        "signing_method": "Ký",
        "pledge": "on",
    },
    "1.004222": {
        **CT01_PERSON,
        "request": "Đăng ký thường trú vào hộ của cha là ông Nguyễn Văn Tư",
        "residence_basis": "Về ở với người thân (vợ, chồng, cha, mẹ, con...)",
    },
    "1.004194": {
        **CT01_PERSON,
        "household_relation": "Khác",
        "request": "Đăng ký tạm trú tại nhà trọ của ông Nguyễn Văn Tư",
        "stay_until": "15/09/2026",
        "residence_basis": "Thuê, mượn, ở nhờ",
    },
    "1.001612": {
        "business_name": "Hộ kinh doanh Hoa Mai",
        "business_address": ADDRESS,
        "business_lines": "Bán lẻ lương thực, thực phẩm\nDịch vụ ăn uống",
        "capital": "50.000.000",
        "employees": "2",
        "established_by": "Một cá nhân thành lập",
        "owner_full_name": "Nguyễn Văn An",
        "owner_birth_date": "04/03/1988",
        "owner_sex": "Nam",
        "owner_ethnicity": "Kinh",
        "owner_nationality": "Việt Nam",
        "owner_id_number": "079088001234",
        "owner_permanent_address": CARD["address"],
        "owner_phone": "0987654321",
        "pledge": "on",
    },
}

CODES = sorted(VALID)


LAND_CODE = "1.012753"  # Đăng ký đất đai lần đầu: no form of its own.


@cache
def _subset() -> CatalogFile:
    full = services.read_catalog_file(services.bundled_catalog_path())
    wanted = {*VALID, LAND_CODE}
    return full.model_copy(update={"procedures": [p for p in full.procedures if p.code in wanted]})


@pytest.fixture
def catalog(db) -> None:
    """The bundled catalog records of the ten procedures and a land one (the real documents)."""
    with transaction.atomic():
        services.import_catalog(_subset())


def paper_for(procedure: Procedure) -> dict[str, str]:
    """Tick “bản giấy tại quầy” for every document of the procedure."""
    return {f"doc_{d.pk}_paper": "on" for d in procedure.documents.all()}


@pytest.fixture
def store(tmp_path) -> UploadStore:
    return UploadStore(tmp_path / "pending")


@pytest.fixture
def submit(catalog, store):
    """Build and bind the form of a procedure with the given answers (documents on paper)."""

    def _submit(code, data, *, files=None, paper=True, locked=None, today=TODAY):
        procedure = Procedure.objects.get(code=code)
        definition = definition_for(code)
        payload = {**(paper_for(procedure) if paper else {}), **data}
        return build_form(
            definition,
            procedure=procedure,
            data=payload,
            files=files or {},
            locked=locked,
            today=today,
            store=store,
        )

    return _submit
