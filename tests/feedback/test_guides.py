"""Guide videos on a procedure page: uploads checked, served with range requests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.guides.admin import GuideForm
from motcua.guides.checks import check_captions, check_media
from motcua.guides.models import ProcedureGuide

pytestmark = pytest.mark.django_db
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40  # 10,252 bytes
VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nBước 1: chuẩn bị giấy tờ\n".encode()


@pytest.fixture
def guide(center, procedure):
    guide = ProcedureGuide(center=center, procedure=procedure, title="Cách nộp hồ sơ kết hôn")
    guide.media.save("v", ContentFile(MP4), save=False)
    guide.captions.save("c", ContentFile(VTT), save=False)
    guide.media_type, guide.size = "video/mp4", len(MP4)
    guide.save()
    return guide


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class TestRanges:
    def test_whole_file_says_it_accepts_ranges(self, client, guide):
        response = client.get(f"/huong-dan/{guide.pk}/tep")
        assert response.status_code == 200 and response["Accept-Ranges"] == "bytes"
        assert body(response) == MP4 and response["Content-Type"] == "video/mp4"

    @pytest.mark.parametrize(
        ("header", "first", "last"),
        [
            ("bytes=0-99", 0, 99),
            ("bytes=100-", 100, len(MP4) - 1),
            ("bytes=-50", len(MP4) - 50, len(MP4) - 1),
            ("bytes=10000-99999", 10000, len(MP4) - 1),
        ],
    )
    def test_partial_content(self, client, guide, header, first, last):
        response = client.get(f"/huong-dan/{guide.pk}/tep", HTTP_RANGE=header)
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes {first}-{last}/{len(MP4)}"
        assert body(response) == MP4[first : last + 1]
        assert response["Content-Length"] == str(last - first + 1)

    @pytest.mark.parametrize(
        "header",
        [
            "bytes=99999-",
            "bytes=50-10",
            "bytes=abc",
            "items=0-1",
            "bytes=-",
            "bytes=0-1,5-6",
            "bytes=-0",
        ],
    )
    def test_bad_or_unsatisfiable_range_is_416(self, client, guide, header):
        response = client.get(f"/huong-dan/{guide.pk}/tep", HTTP_RANGE=header)
        assert response.status_code == 416
        assert response["Content-Range"] == f"bytes */{len(MP4)}"

    def test_captions_and_the_procedure_page(self, client, guide, procedure):
        response = client.get(f"/huong-dan/{guide.pk}/phu-de.vtt")
        assert response["Content-Type"].startswith("text/vtt") and body(response) == VTT

    def test_unpublished_is_404(self, client, guide):
        ProcedureGuide.objects.filter(pk=guide.pk).update(is_published=False)
        assert client.get(f"/huong-dan/{guide.pk}/tep").status_code == 404


class TestUploadChecks:
    def test_type_is_sniffed_not_trusted(self):
        assert check_media(SimpleUploadedFile("a.mp4", MP4)) == "video/mp4"
        with pytest.raises(ValidationError, match="MP4, WebM"):
            check_media(SimpleUploadedFile("a.mp4", b"<script>alert(1)</script>" * 10, "video/mp4"))

    def test_oversized_video_is_refused(self, settings):
        settings.MOTCUA_GUIDE_MAX_VIDEO_BYTES = 1024 * 1024
        with pytest.raises(ValidationError, match="quá lớn"):
            check_media(SimpleUploadedFile("a.mp4", MP4 + b"\x00" * (1024 * 1024)))

    def test_captions_must_be_webvtt(self):
        check_captions(SimpleUploadedFile("c.vtt", VTT))
        with pytest.raises(ValidationError, match="WebVTT"):
            check_captions(SimpleUploadedFile("c.vtt", b"1\n00:00:00,000 --> 00:00:02,000\nSRT\n"))
        with pytest.raises(ValidationError, match="UTF-8"):
            check_captions(SimpleUploadedFile("c.vtt", b"WEBVTT\n\xff\xfe"))

    def test_admin_form_stores_the_sniffed_type(self, center, procedure):
        form = GuideForm(
            data={
                "center": center.pk,
                "procedure": procedure.pk,
                "title": "Video",
                "position": 1,
                "is_published": "on",
            },
            files={
                "media": SimpleUploadedFile("x.bin", MP4, "application/octet-stream"),
                "captions": SimpleUploadedFile("c.vtt", VTT),
            },
        )
        assert form.is_valid(), form.errors
        guide = form.save()
        assert (guide.media_type, guide.size) == ("video/mp4", len(MP4))

    def test_center_admin_cannot_attach_a_guide_to_another_center(
        self, client, center, other_center, procedure
    ):
        from tests.security.tenants import make_member

        admin_b = make_member("quantri_b", "center_admin", other_center)
        client.force_login(admin_b)
        response = client.post(
            "/admin/guides/procedureguide/add/",
            {
                "center": center.pk,
                "procedure": procedure.pk,
                "title": "X",
                "position": 1,
                "media": SimpleUploadedFile("v.mp4", MP4),
            },
        )
        assert not ProcedureGuide.objects.filter(center=center).exists()
        assert response.status_code in (200, 403)
