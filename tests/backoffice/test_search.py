"""Search by code, name or ID number: POST only, and never another center's dossiers."""

from __future__ import annotations

import pytest

from motcua.backoffice import selectors

from .conftest import vn

pytestmark = pytest.mark.django_db

NOW = vn(2025, 7, 7, 10, 0)


def search(client, query: str) -> str:
    response = client.post("/can-bo/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def signed_in(client, officers):
    client.force_login(officers["reception"])
    return client


class TestSearchPage:
    def test_by_code(self, signed_in, dossier):
        html = search(signed_in, dossier.code.lower())
        assert "Kết quả tìm kiếm: 1 hồ sơ" in html and dossier.code in html

    def test_by_code_tail(self, signed_in, dossier):
        assert "Kết quả tìm kiếm: 1 hồ sơ" in search(signed_in, dossier.code[-4:])

    def test_by_name_without_accents(self, signed_in, dossier):
        assert "Kết quả tìm kiếm: 1 hồ sơ" in search(signed_in, "nguyen thi anh tuyet")
        assert "Kết quả tìm kiếm: 1 hồ sơ" in search(signed_in, "Tuyết")
        assert "Kết quả tìm kiếm: 0 hồ sơ" in search(signed_in, "Tuyết Mai")

    def test_by_id_number(self, signed_in, dossier):
        assert "Kết quả tìm kiếm: 1 hồ sơ" in search(signed_in, "001190012345")
        # A prefix of someone's number finds nothing: no fishing through personal data.
        assert "Kết quả tìm kiếm: 0 hồ sơ" in search(signed_in, "0011900123")

    def test_other_center_is_not_found(self, signed_in, dossier, foreign_dossier):
        for query in [foreign_dossier.code, "Bí Mật", "036099001122"]:
            html = search(signed_in, query)
            assert "Kết quả tìm kiếm: 0 hồ sơ" in html, query
            assert "Bí Mật" not in html.replace(f'value="{query}"', "")

    def test_query_string_does_not_search(self, signed_in, dossier):
        html = signed_in.get("/can-bo/?q=001190012345").content.decode()
        assert "Kết quả tìm kiếm" not in html

    def test_search_form_posts(self, signed_in, db):
        html = signed_in.get("/can-bo/").content.decode()
        form = html[html.index('class="bo-search"') - 60 :]
        form = form[: form.index("</form>")]
        assert 'method="post"' in form and 'name="q"' in form

    def test_anonymous_search_is_refused(self, client, dossier):
        response = client.post("/can-bo/", {"q": "001190012345"})
        assert response.status_code == 302
        assert "001190012345" not in response["Location"]


class TestSearchSelector:
    def test_empty_query_finds_nothing(self, officers, dossier):
        assert selectors.search(officers["reception"].membership, "  ", now=NOW) == []

    def test_provincial_viewer_searches_the_province_by_code(
        self, officers, dossier, foreign_dossier
    ):
        viewer = officers["provincial_viewer"].membership
        rows = selectors.search(viewer, foreign_dossier.code, now=NOW)
        assert [r.dossier.code for r in rows] == [foreign_dossier.code]

    def test_provincial_viewer_cannot_unmask_by_id_number_or_name(
        self, officers, dossier, foreign_dossier
    ):
        viewer = officers["provincial_viewer"].membership
        assert selectors.search(viewer, "036099001122", now=NOW) == []
        assert selectors.search(viewer, foreign_dossier.applicant_name, now=NOW) == []
        assert selectors.search(viewer, foreign_dossier.applicant_name.split()[-1], now=NOW) == []
        # The same words find the dossier for an officer of its center (the data is there).
        assert selectors.search(officers["reception"].membership, dossier.applicant_name, now=NOW)
