"""Property tests over the public pages and routes that take free input (issue 9): whatever a
stranger types or uploads, the answer is a page or JSON with a 2xx/4xx status, never a 500."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from .budget import fuzz

pytestmark = pytest.mark.django_db

FUZZ = fuzz(max_examples=25)
# Text a browser can send: any character but lone surrogates (not encodable in a URL or body).
queries = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="khai sinh\x00\x07\u202e\u200b%_'\";<>*", max_size=30),
    st.sampled_from(["a" * 501, "\x00" * 10, "🙂" * 50, "khai sinh " * 40]),
)


@FUZZ
@given(query=queries)
def test_public_search_with_the_real_finder(client, catalog, query):
    page = client.get("/thu-tuc/", {"q": query})
    assert page.status_code in (200, 400)
    api = client.get("/api/v1/procedures", {"q": query})
    assert api.status_code in (200, 400)
    assert "detail" in api.json() or "items" in api.json()


@FUZZ
@given(code=st.text(min_size=1, max_size=40))
def test_procedure_and_sector_paths(client, tiny_catalog, code):
    quoted = quote(code, safe="")
    for path in (f"/thu-tuc/{quoted}/", f"/linh-vuc/{quoted}/", f"/xac-thuc/{quoted}/"):
        assert client.get(path).status_code in (200, 301, 302, 400, 404), path
    response = client.get(f"/api/v1/procedures/{quoted}")
    assert response.status_code in (200, 400, 404, 422)
    assert json.loads(response.content)


@FUZZ
@given(text=st.text(max_size=300))
def test_identity_parse_api(client, text):
    response = client.post(
        "/api/v1/identity/parse", {"text": text}, content_type="application/json"
    )
    assert response.status_code in (200, 422)


@FUZZ
@given(
    data=st.binary(max_size=2000),
    prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"]),
)
def test_identity_qr_image_api(client, data, prefix):
    upload = SimpleUploadedFile("the.png", prefix + data, content_type="image/png")
    response = client.post("/api/v1/identity/qr-image", {"image": upload})
    assert response.status_code in (200, 413, 422)


@pytest.mark.parametrize("query", ["a", "và", "\u0301", "\u0303 \u0301", "khai sinh \u0301"])
def test_a_query_of_fillers_only_is_answered(client, catalog, query):
    """Found by the property test above: bm25s raised IndexError on an empty token list, and
    ValueError on the empty token a lone combining mark folds to."""
    assert client.get("/thu-tuc/", {"q": query}).status_code in (200, 400)
    assert client.get("/api/v1/procedures", {"q": query}).status_code in (200, 400)
