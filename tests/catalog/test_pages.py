"""The public catalog pages: home, search, sector and procedure, and their error answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import RequestFactory

from motcua.catalog.models import Procedure, ProcedureChannel, RequiredDocument, Sector
from motcua.catalog.views import format_fee, format_time
from motcua.core import views as core_views

HTML = "text/html; charset=utf-8"
TOO_LONG = "Nội dung tìm kiếm quá dài"
NOT_FOUND = "Không tìm thấy trang hoặc thủ tục bạn cần"
NOT_ALLOWED = "Trang này chỉ để xem thông tin"
SQL_LIKE = "'; DROP TABLE catalog_procedure; --"
MIXED_SCRIPT = "khai sinh ДОКУМЕНТ 出生"


def row_counts() -> tuple[int, ...]:
    return (
        Procedure.objects.count(),
        ProcedureChannel.objects.count(),
        RequiredDocument.objects.count(),
        Sector.objects.count(),
    )


@pytest.fixture
def unchanged(tiny_catalog):
    """Fails the test if the request under test wrote anything to the catalog."""
    before = row_counts()
    yield
    assert row_counts() == before


def text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
class TestHome:
    def test_shows_search_box_popular_procedures_and_sectors(self, client, tiny_catalog):
        response = client.get("/")
        assert response.status_code == 200
        assert response["Content-Type"] == HTML
        body = text(response)
        assert "Bạn cần làm thủ tục gì?" in body
        assert '<label for="q"' in body and 'id="q" name="q"' in body
        assert body.index("Thủ tục đăng ký khai sinh") < body.index("Chứng thực bản sao")
        assert 'href="/linh-vuc/ho-tich/"' in body
        assert "1 thủ tục" in body
        assert '<html lang="vi">' in body

    def test_hides_draft_procedures_and_their_sector(self, client, tiny_catalog):
        body = text(client.get("/"))
        assert "Đăng ký tạm trú" not in body
        assert "Đăng ký, quản lý cư trú" not in body

    def test_works_with_an_empty_catalog(self, client, db):
        response = client.get("/")
        assert response.status_code == 200

    @pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
    def test_other_methods_get_a_vietnamese_405(self, client, unchanged, method):
        response = getattr(client, method)(
            "/", data="q=khai", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 405
        assert response["Content-Type"] == HTML
        assert response["Allow"] == "GET, HEAD"
        assert NOT_ALLOWED in text(response)

    def test_post_without_csrf_token_is_405_not_403(self, unchanged):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post("/thu-tuc/", {"q": "khai sinh"})
        assert response.status_code == 405


@pytest.mark.django_db
class TestSearch:
    def test_lists_matches_with_a_reason(self, client, tiny_catalog, fake_finder):
        response = client.get("/thu-tuc/", {"q": "khai sinh"})
        assert response.status_code == 200
        body = text(response)
        assert 'href="/thu-tuc/1.001193/"' in body
        assert "Tên thủ tục có “khai sinh”." in body
        assert 'value="khai sinh"' in body

    def test_results_cost_one_query(
        self, client, tiny_catalog, fake_finder, django_assert_num_queries
    ):
        # The procedures are loaded with only the fields the list shows (issue 10): a field
        # the template used beyond them would cost one query per result. The stand-in finder
        # reads the catalog once itself.
        with django_assert_num_queries(2):
            body = text(client.get("/thu-tuc/", {"q": "đăng ký"}))
        procedure = Procedure.objects.select_related("sector").get(code="1.001193")
        assert body.count('class="card"') == 1
        assert f">{procedure.name}<" in body
        assert f"Mã {procedure.code} · {procedure.sector.name}" in body

    def test_never_lists_a_draft_even_if_the_finder_returns_it(
        self, client, tiny_catalog, fake_finder
    ):
        body = text(client.get("/thu-tuc/", {"q": "tạm trú"}))
        assert "1.004194" not in body
        assert "Chưa tìm thấy thủ tục phù hợp" in body

    @pytest.mark.parametrize("query", ["", "   ", "\t\n", "\x00\x07\x1b"])
    def test_empty_query_shows_the_search_form_and_sectors(
        self, client, unchanged, fake_finder, query
    ):
        response = client.get("/thu-tuc/", {"q": query})
        assert response.status_code == 200
        body = text(response)
        assert "Tìm theo lĩnh vực" in body
        assert 'class="result-count"' not in body

    def test_missing_query_shows_the_search_form(self, client, tiny_catalog):
        assert client.get("/thu-tuc/").status_code == 200

    @pytest.mark.parametrize("length", [501, 10_000])
    def test_too_long_query_is_a_400_in_vietnamese(self, client, unchanged, fake_finder, length):
        response = client.get("/thu-tuc/", {"q": "a" * length})
        assert response.status_code == 400
        assert response["Content-Type"] == HTML
        body = text(response)
        assert TOO_LONG in body
        assert "tối đa 500 ký tự" in body
        assert "a" * 501 not in body

    def test_query_of_exactly_500_characters_is_searched(self, client, unchanged, fake_finder):
        assert client.get("/thu-tuc/", {"q": "a" * 500}).status_code == 200

    def test_control_characters_are_ignored(self, client, unchanged, fake_finder):
        response = client.get("/thu-tuc/", {"q": "khai\x00sinh\x07"})
        assert response.status_code == 200
        assert 'href="/thu-tuc/1.001193/"' in text(response)

    @pytest.mark.parametrize("query", [MIXED_SCRIPT, SQL_LIKE, "<script>alert(1)</script>"])
    def test_odd_queries_are_answered_and_escaped(self, client, unchanged, fake_finder, query):
        response = client.get("/thu-tuc/", {"q": query})
        assert response.status_code == 200
        assert "<script>alert" not in text(response)
        assert Procedure.objects.filter(code="1.001193").exists()

    def test_punctuation_only_query_gets_the_finders_message(self, client, unchanged, fake_finder):
        response = client.get("/thu-tuc/", {"q": "!!! ???"})
        assert response.status_code == 400
        assert "Vui lòng nhập tên thủ tục" in text(response)

    def test_live_search_returns_only_the_results_fragment(self, client, tiny_catalog, fake_finder):
        response = client.get("/thu-tuc/", {"q": "khai sinh"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        body = text(response)
        assert "<html" not in body
        assert 'href="/thu-tuc/1.001193/"' in body

    def test_live_search_shows_the_finders_message_in_the_fragment(
        self, client, unchanged, fake_finder
    ):
        response = client.get("/thu-tuc/", {"q": "!!!"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert 'role="alert"' in text(response)
        assert "Vui lòng nhập tên thủ tục" in text(response)

    def test_post_is_a_405(self, client, unchanged):
        response = client.post("/thu-tuc/", {"q": "khai sinh"})
        assert response.status_code == 405
        assert NOT_ALLOWED in text(response)


@pytest.mark.django_db
@pytest.mark.slow
class TestSearchWithTheRealFinder:
    def test_khai_sinh_finds_the_birth_registration_first(self, client, catalog):
        response = client.get("/thu-tuc/", {"q": "khai sinh"})
        assert response.status_code == 200
        body = text(response)
        first = body.index('href="/thu-tuc/')
        assert body[first:].startswith('href="/thu-tuc/1.001193/"')
        assert "Thủ tục đăng ký khai sinh" in body

    @pytest.mark.parametrize("query", [MIXED_SCRIPT, SQL_LIKE, "khai\x00sinh", "a" * 500])
    def test_odd_queries_never_fail(self, client, catalog, query):
        before = row_counts()
        assert client.get("/thu-tuc/", {"q": query}).status_code in (200, 400)
        assert row_counts() == before


@pytest.mark.django_db
class TestProcedurePage:
    def test_shows_everything_a_citizen_needs(self, client, tiny_catalog):
        response = client.get("/thu-tuc/1.001193/")
        assert response.status_code == 200
        assert response["Content-Type"] == HTML
        body = text(response)
        for expected in [
            '<h1 id="procedure-title">Thủ tục đăng ký khai sinh</h1>',
            "1.001193",
            "Hộ tịch",
            "Ủy ban nhân dân cấp xã",
            "Nộp trực tiếp tại Trung tâm Phục vụ hành chính công xã",
            "Nộp trực tuyến trên Cổng Dịch vụ công quốc gia",
            "1 ngày làm việc",
            "Theo quy định của HĐND tỉnh",
            "Miễn phí",
            "Giấy chứng sinh",
            "Bắt buộc",
            "Tùy trường hợp",
            "Bản chính: 1",
            "Bản sao: 0",
            "Mẫu: Tờ khai đăng ký khai sinh (mẫu TT 04/2024/TT-BTP)",
            "Khi nhờ người khác đi nộp.",
            "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công.",
            "Giấy khai sinh",
            "Một phần",
            "123/2015/NĐ-CP – Nghị định về hộ tịch",
            'href="https://dichvucong.gov.vn/',
            "Thông tin cần đối chiếu với Cổng Dịch vụ công quốc gia",
            "thời hạn giải quyết",
        ]:
            assert expected in body, expected
        assert "cổng chỉ ghi số" not in body

    def test_repeats_only_notes_that_add_information(self, client, tiny_catalog):
        body = text(client.get("/thu-tuc/1.001193/"))
        assert '<p class="note">Mức lệ phí do HĐND tỉnh quyết định.</p>' in body
        assert '<p class="note">1</p>' not in body
        assert '<p class="note">Miễn phí</p>' not in body

    def test_same_day_and_fee_amounts(self, client, tiny_catalog):
        body = text(client.get("/thu-tuc/2.000815/"))
        assert "Trong ngày" in body
        assert "2.000 đồng" in body
        assert "50.000 đồng" in body
        assert "3 ngày làm việc" in body
        assert "Bản sao: 1" in body
        assert "Thông tin cần đối chiếu" not in body

    @pytest.mark.parametrize(
        "path",
        [
            "/thu-tuc/9.999999/",
            "/thu-tuc/1.004194/",  # a draft is not public
            "/thu-tuc/%27%3B%20DROP%20TABLE%20catalog_procedure%3B%20--/",
            "/thu-tuc/" + "9" * 300 + "/",
        ],
    )
    def test_unknown_or_unpublished_code_is_a_vietnamese_404(self, client, unchanged, path):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == HTML
        assert NOT_FOUND in text(response)
        assert "Về trang chủ để tìm thủ tục" in text(response)

    def test_post_is_a_405(self, client, unchanged):
        response = client.post("/thu-tuc/1.001193/")
        assert response.status_code == 405
        assert NOT_ALLOWED in text(response)

    def test_head_is_allowed(self, client, tiny_catalog):
        assert client.head("/thu-tuc/1.001193/").status_code == 200


@pytest.mark.django_db
class TestSectorPage:
    def test_lists_published_procedures_of_the_sector(self, client, tiny_catalog):
        response = client.get("/linh-vuc/ho-tich/")
        assert response.status_code == 200
        body = text(response)
        assert "Lĩnh vực Hộ tịch" in body
        assert 'href="/thu-tuc/1.001193/"' in body
        assert "Chứng thực bản sao" not in body

    @pytest.mark.parametrize("code", ["khong-co", "dang-ky-quan-ly-cu-tru"])
    def test_unknown_or_empty_sector_is_a_404(self, client, unchanged, code):
        response = client.get(f"/linh-vuc/{code}/")
        assert response.status_code == 404
        assert NOT_FOUND in text(response)

    def test_post_is_a_405(self, client, unchanged):
        assert client.post("/linh-vuc/ho-tich/").status_code == 405


@pytest.mark.django_db
class TestErrorHandlers:
    def test_unknown_page_is_a_vietnamese_404(self, client, db):
        response = client.get("/khong-co-trang-nay/")
        assert response.status_code == 404
        assert NOT_FOUND in text(response)

    def test_disallowed_host_is_a_vietnamese_400(self, client, db):
        response = client.get("/", HTTP_HOST="evil.example")
        assert response.status_code == 400
        assert "Yêu cầu gửi lên không hợp lệ" in text(response)

    def test_server_error_page_is_vietnamese(self):
        response = core_views.server_error(RequestFactory().get("/"))
        assert response.status_code == 500
        assert "Hệ thống đang gặp sự cố" in text(response)

    def test_server_error_under_api_is_json(self):
        response = core_views.server_error(RequestFactory().get("/api/v1/sectors"))
        assert response.status_code == 500
        assert response["Content-Type"].startswith("application/json")


def channel(**fields) -> ProcedureChannel:
    return ProcedureChannel(channel="direct", **fields)


class TestFormatTime:
    @pytest.mark.parametrize(
        ("value", "unit", "expected"),
        [
            (Decimal(3), "working_days", "3 ngày làm việc"),
            (Decimal(0), "working_days", "Trong ngày"),
            (Decimal("0.5"), "working_days", "0,5 ngày làm việc"),
            (Decimal(15), "days", "15 ngày"),
            (Decimal(4), "hours", "4 giờ làm việc"),
            (None, "", "Chưa có thông tin"),
        ],
    )
    def test_formats(self, value, unit, expected):
        assert format_time(channel(time_value=value, time_unit=unit)) == expected


class TestFormatFee:
    @pytest.mark.parametrize(
        ("fee", "note", "expected"),
        [
            (50_000, "", "50.000 đồng"),
            (1_500_000, "", "1.500.000 đồng"),
            (0, "", "Miễn phí"),
            (None, "Mức thu do Hội đồng nhân dân tỉnh quy định", "Theo quy định của HĐND tỉnh"),
            (None, "theo Nghị quyết của HĐND tỉnh", "Theo quy định của HĐND tỉnh"),
            (None, "", "Chưa có thông tin"),
        ],
    )
    def test_formats(self, fee, note, expected):
        assert format_fee(channel(fee_vnd=fee, fee_note=note)) == expected
