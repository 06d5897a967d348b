"""Officer downloads: Mẫu 02–05 of a dossier and the tracking book, access-checked."""

from __future__ import annotations

import io

import pytest
from django.template.loader import render_to_string
from openpyxl import load_workbook

from motcua.dossiers.book import HEADER_ROW
from tests.backoffice.conftest import PASSWORD

from .conftest import act, make_officer, pdf_text, submit, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, staff):
    client.login(username="tiepnhan", password=PASSWORD)
    return client


def paper_url(dossier, form: str) -> str:
    return f"/can-bo/ho-so/{dossier.code}/mau/{form}.pdf"


class TestDossierPaper:
    def test_control_sheet_is_a_pdf_with_the_code(self, signed_in, dossier):
        response = signed_in.get(paper_url(dossier, "05"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
        assert dossier.code in pdf_text(response.content)

    def test_supplement_request_from_its_event(self, signed_in, dossier, staff):
        act(
            dossier,
            staff["reception"],
            "reception",
            "request_supplement",
            vn(2025, 7, 7, 9, 30),
            note="Nộp thêm bản sao sổ hộ khẩu",
        )
        response = signed_in.get(paper_url(dossier, "02"))
        assert response.status_code == 200
        assert "Nộp thêm bản sao sổ hộ khẩu" in pdf_text(response.content)

    def test_a_chosen_event_by_its_number(self, signed_in, dossier, staff):
        event = act(
            dossier,
            staff["reception"],
            "reception",
            "refuse",
            vn(2025, 7, 7, 9, 30),
            note="Không thuộc thẩm quyền",
        )
        assert signed_in.get(paper_url(dossier, "03") + f"?su-kien={event.seq}").status_code == 200
        assert signed_in.get(paper_url(dossier, "03") + "?su-kien=1").status_code == 404
        assert signed_in.get(paper_url(dossier, "03") + "?su-kien=x").status_code == 404

    @pytest.mark.parametrize("form", ["02", "03", "04"])
    def test_404_without_the_event(self, signed_in, dossier, form):
        assert signed_in.get(paper_url(dossier, form)).status_code == 404

    def test_404_for_an_unknown_form(self, signed_in, dossier):
        assert signed_in.get(paper_url(dossier, "07")).status_code == 404

    def test_anonymous_goes_to_the_login(self, client, dossier):
        for form in ("02", "03", "04", "05"):
            response = client.get(paper_url(dossier, form))
            assert response.status_code == 302
            assert response["Location"].startswith("/can-bo/dang-nhap/?next=")

    def test_another_centers_officer_gets_404(self, client, dossier, other_center):
        make_officer("khac", "reception", other_center)
        client.login(username="khac", password=PASSWORD)
        for form in ("02", "03", "04", "05"):
            assert client.get(paper_url(dossier, form)).status_code == 404


class TestTrackingBook:
    URL = "/can-bo/so-theo-doi/"

    def test_excel_of_the_officers_center_only(self, signed_in, center, other_center, procedure):
        mine, _ = submit(center, procedure, key="1", now=vn(2025, 7, 7, 9, 5))
        submit(other_center, procedure, key="2", now=vn(2025, 7, 7, 9, 6))
        response = signed_in.get(self.URL, {"tu": "2025-07-01", "den": "2025-07-31"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.cell(HEADER_ROW, 2).value == "Mã hồ sơ"
        codes = [r[1] for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
        assert codes == [mine.code]

    def test_pdf(self, signed_in, center, procedure):
        submit(center, procedure, key="1", now=vn(2025, 7, 7, 9, 5))
        response = signed_in.get(
            self.URL, {"tu": "2025-07-07", "den": "2025-07-07", "dinh-dang": "pdf"}
        )
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "Nguyễn Thị Ánh Tuyết" in pdf_text(response.content)

    @pytest.mark.parametrize(
        "params, message",
        [
            ({"tu": "2025-13-01", "den": "2025-07-31"}, "không hợp lệ"),
            ({"tu": "01/07/2025", "den": "2025-07-31"}, "năm-tháng-ngày"),
            ({"tu": "2025-07-31", "den": "2025-07-01"}, "Ngày kết thúc phải"),
            ({"tu": "2025-01-01", "den": "2026-01-02"}, "tối đa 366 ngày"),
            ({"tu": "2025-07-01", "den": "2025-07-31", "dinh-dang": "csv"}, "xlsx hoặc pdf"),
        ],
    )
    def test_bad_input_is_400_in_vietnamese(self, signed_in, params, message):
        response = signed_in.get(self.URL, params)
        assert response.status_code == 400
        assert message in response.content.decode()

    def test_a_leap_year_is_allowed(self, signed_in):
        response = signed_in.get(self.URL, {"tu": "2024-01-01", "den": "2024-12-31"})
        assert response.status_code == 200

    def test_anonymous_goes_to_the_login(self, client, db):
        response = client.get(self.URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/can-bo/dang-nhap/?next=")

    def test_provincial_viewer_has_no_center_book(self, client, db):
        make_officer("tinh", "provincial_viewer", None, province="Tỉnh Phú Thọ")
        client.login(username="tinh", password=PASSWORD)
        assert client.get(self.URL).status_code == 403


class TestPapersInclude:
    def test_links_to_the_control_sheet_and_each_paper_event(self, dossier, staff):
        event = act(
            dossier,
            staff["reception"],
            "reception",
            "refuse",
            vn(2025, 7, 7, 9, 30),
            note="Không thuộc thẩm quyền",
        )
        html = render_to_string(
            "backoffice/_papers.html",
            {"dossier": dossier, "timeline": [{"event": e} for e in dossier.events.all()]},
        )
        assert paper_url(dossier, "05") in html
        assert f"{paper_url(dossier, '03')}?su-kien={event.seq}" in html
        assert paper_url(dossier, "02") not in html
