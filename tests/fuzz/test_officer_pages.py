"""Officer pages with free input besides the action forms (issue 9): the inbox search, the
paper forms' event number, the tracking book's dates and the digitizing upload."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from .budget import fuzz

pytestmark = pytest.mark.django_db

FUZZ = fuzz(max_examples=25)
odd = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["²", "9" * 40, "-1", "١٢", "\x00", "9999-99-99", "2025-02-30", " "]),
)


class TestInboxSearch:
    @pytest.mark.parametrize("query", ["001190\x00012345", "Nguyễn\u202eThị", "\u200b"])
    def test_hidden_characters_are_refused_with_a_message(self, client, officers, query):
        client.force_login(officers["reception"])
        response = client.post("/can-bo/", {"q": query})
        assert response.status_code == 400
        assert "Nội dung tìm kiếm có" in response.content.decode()

    @FUZZ
    @given(query=st.text(max_size=60), view=odd)
    def test_random_search_and_view(self, client, officers, dossier, query, view):
        client.force_login(officers["reception"])
        assert client.post(f"/can-bo/?xem={quote(view)}", {"q": query}).status_code in (200, 400)


class TestPapers:
    @pytest.mark.parametrize("raw", ["²", "9" * 40, "١"])
    def test_an_odd_event_number_is_not_found(self, client, officers, dossier, raw):
        client.force_login(officers["reception"])
        response = client.get(f"/can-bo/ho-so/{dossier.code}/mau/03.pdf", {"su-kien": raw})
        assert response.status_code == 404

    @FUZZ
    @given(seq=odd, date_from=odd, date_to=odd, kind=odd)
    def test_random_parameters(
        self, client, clock, officers, dossier, seq, date_from, date_to, kind
    ):
        client.force_login(officers["reception"])
        paper = client.get(f"/can-bo/ho-so/{dossier.code}/mau/02.pdf", {"su-kien": seq})
        assert paper.status_code in (200, 400, 404)
        book = client.get(
            "/can-bo/so-theo-doi/", {"tu": date_from, "den": date_to, "dinh-dang": kind}
        )
        assert book.status_code in (200, 400)


class TestDigitize:
    @FUZZ
    @given(
        content=st.binary(max_size=300),
        prefix=st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"]),
        name=st.text(max_size=30).filter(lambda n: posixpath.basename(n) not in ("", ".", "..")),
        valid_until=odd,
    )
    def test_random_uploads(
        self, client, clock, officers, dossier, content, prefix, name, valid_until
    ):
        client.raise_request_exception = False
        client.force_login(officers["reception"])
        upload = SimpleUploadedFile(name or "x", prefix + content, content_type="image/png")
        with transaction.atomic():
            response = client.post(
                f"/can-bo/ho-so/{dossier.code}/giay-to/1/so-hoa/",
                {"file": upload, "valid_until": valid_until},
            )
            transaction.set_rollback(True)
        assert response.status_code in (302, 400, 404)

    @pytest.mark.parametrize(
        "filename",
        [
            "a/",
            "..",
            "/",
            "\x00.png",
            "scan\u202egnp.exe",
            "a" * 500 + ".png",
            "ả" * 200 + ".png",
            "🙂" * 100,
        ],
    )
    def test_hostile_file_names(self, client, clock, officers, dossier, filename):
        client.force_login(officers["reception"])
        body = (
            b'--abc\r\nContent-Disposition: form-data; name="file"; filename="'
            + filename.encode()
            + b'"\r\nContent-Type: image/png\r\n\r\n%PDF-1.4\n%%EOF\r\n--abc--\r\n'
        )
        response = client.generic(
            "POST",
            f"/can-bo/ho-so/{dossier.code}/giay-to/1/so-hoa/",
            body,
            content_type="multipart/form-data; boundary=abc",
        )
        assert response.status_code in (302, 400)
        for document in dossier.documents.exclude(file=""):
            assert "\x00" not in document.file.name and "\u202e" not in document.file.name
