"""The public signature check is bounded (issue 9): size, pages, revisions, time, and a rate
limit per address, each with a Vietnamese message; one request cannot hold a CPU for long."""

from __future__ import annotations

import io
import multiprocessing
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from motcua.core.models import RateCounter
from motcua.signing import limits, services, views

from .test_services import stored_bytes
from .test_views import page

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, **extra):
    return client.post(
        reverse("signing:check_upload"),
        {"tep": SimpleUploadedFile("ket-qua.pdf", data, content_type="application/pdf")},
        **extra,
    )


def pages_pdf(count: int) -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    for number in range(count):
        drawing.drawString(72, 720, f"Trang {number + 1}")
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def revised_pdf(revisions: int) -> bytes:
    """A one-page PDF saved again ``revisions`` times as incremental updates."""
    data = pages_pdf(1)
    for number in range(revisions):
        writer = PdfWriter(io.BytesIO(data), incremental=True)
        writer.add_metadata({"/Subject": f"Sửa lần {number}"})
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


class TestPages:
    def test_too_many_pages_is_refused_before_validation(self, client, monkeypatch):
        monkeypatch.setattr(services, "verify_signed_pdf", lambda *a, **k: pytest.fail("validated"))
        data = pages_pdf(limits.MAX_PAGES + 1)
        assert len(PdfReader(io.BytesIO(data)).pages) == limits.MAX_PAGES + 1
        response = upload(client, data)
        assert response.status_code == 422
        assert f"Tệp có {limits.MAX_PAGES + 1} trang" in page(response)

    def test_a_short_unsigned_file_is_checked(self, client):
        response = upload(client, pages_pdf(3))
        assert response.status_code == 200
        assert "Tệp không có chữ ký số" in page(response)


class TestRevisions:
    def test_too_many_incremental_updates_is_refused(self, client, monkeypatch):
        monkeypatch.setattr(limits, "MAX_REVISIONS", 3)
        monkeypatch.setattr(services, "verify_signed_pdf", lambda *a, **k: pytest.fail("validated"))
        response = upload(client, revised_pdf(4))
        assert response.status_code == 422
        assert "Tệp quá phức tạp" in page(response)


def spin(*args, **kwargs):
    while True:
        pass


class TestTimeBudget:
    def test_a_slow_validation_is_stopped_and_answered(self, client, monkeypatch):
        monkeypatch.setattr(services, "verify_signed_pdf", spin)
        monkeypatch.setattr(limits, "TIME_BUDGET_SECONDS", 0.5)
        started = time.monotonic()
        response = upload(client, pages_pdf(1))
        assert time.monotonic() - started < 3
        assert response.status_code == 422
        assert "Tệp quá phức tạp" in page(response)
        # The worker was killed, not left spinning in the background.
        assert multiprocessing.active_children() == []

    def test_a_genuine_copy_is_verified_well_within_the_budget(self, client, signed):
        started = time.monotonic()
        response = upload(client, stored_bytes(signed))
        assert response.status_code == 200
        assert "Chữ ký số hợp lệ" in page(response)
        assert time.monotonic() - started < limits.TIME_BUDGET_SECONDS

    def test_an_exception_in_the_child_comes_back(self):
        with pytest.raises(ZeroDivisionError):
            limits.run_with_deadline(divmod, 1, 0, seconds=5)


class TestSize:
    def test_over_the_limit_is_refused_without_reading_it(self, client, monkeypatch):
        monkeypatch.setattr(views, "MAX_UPLOAD_BYTES", 1000)
        monkeypatch.setattr(limits, "pdf_shape", lambda data: pytest.fail("parsed"))
        response = upload(client, pages_pdf(1) + b" " * 2000)
        assert response.status_code == 400
        assert "quá lớn" in page(response)


class TestRateLimit:
    def test_per_address_with_retry_after(self, client):
        data = pages_pdf(1)
        for _ in range(views.UPLOAD_LIMIT.hits):
            assert upload(client, data, REMOTE_ADDR="203.0.113.7").status_code == 200
        response = upload(client, data, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 429
        assert "quá nhiều tệp" in page(response)
        assert 0 < int(response["Retry-After"]) <= views.UPLOAD_LIMIT.window_seconds
        # Another address is not affected; the key holds the address only.
        assert upload(client, data, REMOTE_ADDR="203.0.113.8").status_code == 200
        assert set(RateCounter.objects.values_list("key", flat=True)) == {
            "signing-check:203.0.113.7",
            "signing-check:203.0.113.8",
        }

    def test_the_form_itself_is_not_counted(self, client):
        for _ in range(views.UPLOAD_LIMIT.hits + 1):
            assert client.get(reverse("signing:check_upload")).status_code == 200
        assert not RateCounter.objects.exists()
