"""The JSON API under /api/v1/: catalog routes, error shapes and the OpenAPI schema."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Procedure, ProcedureChannel, RequiredDocument, Sector

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
    before = row_counts()
    yield
    assert row_counts() == before


def assert_json_error(response, status: int, message: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert message in body["detail"]
    return body


@pytest.mark.django_db
class TestListProcedures:
    def test_without_query_lists_published_procedures(self, client, tiny_catalog):
        response = client.get("/api/v1/procedures")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["query"] is None
        assert body["count"] == 2
        assert [p["code"] for p in body["items"]] == ["1.001193", "2.000815"]
        assert body["items"][0]["sector"] == {"code": "ho-tich", "name": "Hộ tịch"}
        assert body["items"][0]["score"] is None

    def test_filters_by_sector(self, client, tiny_catalog):
        body = client.get("/api/v1/procedures", {"sector": "chung-thuc"}).json()
        assert [p["code"] for p in body["items"]] == ["2.000815"]

    def test_unknown_sector_gives_an_empty_list(self, client, tiny_catalog):
        body = client.get("/api/v1/procedures", {"sector": "khong-co"}).json()
        assert body["count"] == 0 and body["items"] == []

    def test_paginates(self, client, tiny_catalog):
        body = client.get("/api/v1/procedures", {"limit": 1, "offset": 1}).json()
        assert body["count"] == 2
        assert [p["code"] for p in body["items"]] == ["2.000815"]

    def test_query_returns_ranked_hits_with_score_and_reason(
        self, client, tiny_catalog, fake_finder
    ):
        body = client.get("/api/v1/procedures", {"q": "  khai sinh  "}).json()
        assert body["query"] == "khai sinh"
        assert body["items"][0]["code"] == "1.001193"
        assert body["items"][0]["score"] == 1.0
        assert body["items"][0]["reason"] == "Tên thủ tục có “khai sinh”."

    def test_a_hit_says_what_the_list_says_in_one_query(
        self, client, tiny_catalog, fake_finder, django_assert_num_queries
    ):
        # Hits are loaded with only the fields an item shows (issue 10); the stand-in finder
        # reads the catalog once itself.
        with django_assert_num_queries(2):
            hit = client.get("/api/v1/procedures", {"q": "khai sinh"}).json()["items"][0]
        listed = client.get("/api/v1/procedures").json()["items"]
        same = next(item for item in listed if item["code"] == hit["code"])
        assert {**hit, "score": None, "reason": None} == same
        assert same["sector"]["name"] and same["popularity"] is not None

    def test_query_never_returns_a_draft(self, client, tiny_catalog, fake_finder):
        body = client.get("/api/v1/procedures", {"q": "tạm trú"}).json()
        assert body["items"] == []

    @pytest.mark.parametrize("query", ["", "   ", "\x00\x01\x1f"])
    def test_empty_query_is_the_plain_list(self, client, unchanged, fake_finder, query):
        body = client.get("/api/v1/procedures", {"q": query}).json()
        assert body["query"] is None
        assert body["count"] == 2

    @pytest.mark.parametrize("length", [501, 10_000])
    def test_too_long_query_is_a_400(self, client, unchanged, fake_finder, length):
        assert_json_error(
            client.get("/api/v1/procedures", {"q": "x" * length}), 400, "tối đa 500 ký tự"
        )

    def test_control_characters_are_stripped(self, client, unchanged, fake_finder):
        body = client.get("/api/v1/procedures", {"q": "khai\x00sinh\x1b"}).json()
        assert body["query"] == "khai sinh"
        assert body["items"][0]["code"] == "1.001193"

    @pytest.mark.parametrize("query", [MIXED_SCRIPT, SQL_LIKE])
    def test_odd_queries_are_answered(self, client, unchanged, fake_finder, query):
        response = client.get("/api/v1/procedures", {"q": query})
        assert response.status_code == 200
        assert response.json()["query"] == query.strip()

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"limit": "abc"}, "limit"),
            ({"limit": 0}, "limit"),
            ({"limit": 1000}, "limit"),
            ({"offset": -1}, "offset"),
        ],
    )
    def test_bad_parameters_are_a_422_in_vietnamese(self, client, unchanged, params, name):
        body = assert_json_error(
            client.get("/api/v1/procedures", params), 422, "Tham số không hợp lệ"
        )
        assert name in body["detail"]
        assert body["errors"][0]["loc"][-1] == name
        assert body["errors"][0]["msg"].startswith("phải")


@pytest.mark.django_db
@pytest.mark.slow
class TestListProceduresWithTheRealFinder:
    def test_khai_sinh_ranks_birth_registration_first(self, client, catalog):
        body = client.get("/api/v1/procedures", {"q": "khai sinh", "limit": 5}).json()
        assert body["items"][0]["code"] == "1.001193"
        assert body["items"][0]["reason"]
        assert len(body["items"]) == 5
        scores = [item["score"] for item in body["items"]]
        assert scores == sorted(scores, reverse=True)

    @pytest.mark.parametrize("query", [MIXED_SCRIPT, SQL_LIKE, "\x00khai\x07sinh", "!!!"])
    def test_odd_queries_never_fail(self, client, catalog, query):
        before = row_counts()
        response = client.get("/api/v1/procedures", {"q": query})
        assert response.status_code in (200, 400)
        assert response["Content-Type"].startswith("application/json")
        assert row_counts() == before


@pytest.mark.django_db
class TestGetProcedure:
    def test_returns_every_field(self, client, tiny_catalog):
        response = client.get("/api/v1/procedures/1.001193")
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "Thủ tục đăng ký khai sinh"
        assert body["agency"] == "Ủy ban nhân dân cấp xã"
        assert body["steps"][0].startswith("Nộp hồ sơ")
        assert body["legal_basis"] == [{"code": "123/2015/NĐ-CP", "title": "Nghị định về hộ tịch"}]
        assert body["uncertain_fields"]
        assert [c["channel"] for c in body["channels"]] == ["direct", "online"]
        direct, online = body["channels"]
        assert direct["time_value"] == 1
        assert direct["time_text"] == "1 ngày làm việc"
        assert direct["fee_vnd"] is None
        assert direct["fee_text"] == "Theo quy định của HĐND tỉnh"
        assert online["fee_text"] == "Miễn phí"
        assert [d["name"] for d in body["documents"]] == [
            "Giấy chứng sinh",
            "Tờ khai đăng ký khai sinh",
            "Văn bản ủy quyền",
        ]
        assert body["documents"][2]["requirement"] == "conditional"
        assert body["documents"][2]["requirement_label"] == "Tùy trường hợp"

    def test_same_day_and_amounts(self, client, tiny_catalog):
        channels = client.get("/api/v1/procedures/2.000815").json()["channels"]
        assert [(c["time_text"], c["fee_text"]) for c in channels] == [
            ("Trong ngày", "2.000 đồng"),
            ("3 ngày làm việc", "50.000 đồng"),
        ]

    @pytest.mark.parametrize(
        "code", ["9.999999", "1.004194", "%27%3B%20DROP%20TABLE%20catalog_procedure%3B%20--"]
    )
    def test_unknown_or_draft_code_is_a_404(self, client, unchanged, code):
        assert_json_error(client.get(f"/api/v1/procedures/{code}"), 404, "Không tìm thấy")


@pytest.mark.django_db
class TestSectors:
    def test_lists_sectors_with_published_counts(self, client, tiny_catalog):
        response = client.get("/api/v1/sectors")
        assert response.status_code == 200
        assert response.json() == [
            {"code": "chung-thuc", "name": "Chứng thực", "procedure_count": 1},
            {"code": "ho-tich", "name": "Hộ tịch", "procedure_count": 1},
        ]


@pytest.mark.django_db
class TestErrors:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    @pytest.mark.parametrize(
        "path", ["/api/v1/procedures", "/api/v1/procedures/1.001193", "/api/v1/sectors"]
    )
    def test_wrong_method_is_a_json_405(self, client, unchanged, method, path):
        response = getattr(client, method)(path, data={}, content_type="application/json")
        assert_json_error(response, 405, "không được hỗ trợ")
        assert response["Allow"] == "GET"

    def test_post_without_csrf_token_is_405_not_403(self, unchanged):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post("/api/v1/sectors")
        assert_json_error(response, 405, "không được hỗ trợ")

    def test_unknown_api_path_is_a_json_404(self, client, db):
        assert_json_error(client.get("/api/v1/khong-co"), 404, "Không tìm thấy")


class TestOpenAPISchema:
    @pytest.fixture
    def schema(self, client) -> dict:
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        return response.json()

    def test_describes_the_catalog_routes(self, schema):
        assert schema["info"]["title"] == "motcua API"
        assert {"/api/v1/procedures", "/api/v1/procedures/{code}", "/api/v1/sectors"} <= set(
            schema["paths"]
        )

    def test_responses_are_typed(self, schema):
        detail = schema["paths"]["/api/v1/procedures/{code}"]["get"]["responses"]
        assert detail["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ProcedureDetailOut"
        )
        assert detail["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
        components = schema["components"]["schemas"]
        assert {"ProcedureListOut", "ProcedureItem", "ChannelOut", "DocumentOut"} <= set(components)
        assert components["ChannelOut"]["properties"]["fee_vnd"]["anyOf"][0]["type"] == "integer"

    def test_query_parameters_are_documented(self, schema):
        params = schema["paths"]["/api/v1/procedures"]["get"]["parameters"]
        assert {p["name"] for p in params} == {"q", "sector", "limit", "offset"}

    def test_docs_page_is_served(self, client):
        assert client.get("/api/v1/docs").status_code == 200

    def test_docs_page_works_offline(self, client):
        # Commune machines may have no Internet: the Swagger UI must come from our static files.
        body = client.get("/api/v1/docs").content.decode()
        assert "/static/ninja/swagger-ui-bundle.js" in body
        assert "cdn." not in body
