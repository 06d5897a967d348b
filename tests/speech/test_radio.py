"""The commune radio: splitting and reading a bulletin, making its audio, the back-office page
(each center its own), the pronunciation entries, and the shell commands."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from motcua.centers.models import Center
from motcua.dossiers.states import Role
from motcua.speech import audio, bulletins, radio
from motcua.speech.errors import SpeechError
from motcua.speech.models import Bulletin, CenterPronunciation
from tests.backoffice.conftest import make_officer
from tests.dossiers.conftest import make_center

from .conftest import needs_encoder, needs_espeak

TEXT = (
    "Thông báo của UBND xã Hiền Lương.\n"
    "Từ ngày 01/07/2025, người dân đăng ký tạm trú tại Bộ phận một cửa. Lệ phí 15.000đ. "
    "Giờ làm việc 7h30-11h30.\n"
    "\n"
    "HTX Tân Tiến mời xã viên họp lúc 14h ngày 5/7."
)


@pytest.fixture(autouse=True)
def radio_dir(settings, tmp_path):
    settings.MOTCUA_SPEECH_RADIO_DIR = str(tmp_path / "radio")
    settings.MOTCUA_SPEECH_RADIO_RUNNER = "inline"
    return tmp_path / "radio"


def seconds_of(path) -> float:
    if path.suffix == ".wav":
        samples, rate, _ = audio.read_wav(path)
        return samples.size / rate
    run = subprocess.run(
        ["soxi", "-D", str(path)] if shutil.which("soxi") else
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(run.stdout.strip())


class TestScript:
    def test_sentences_and_paragraphs(self):
        paragraphs = radio.script(TEXT)
        assert [len(p) for p in paragraphs] == [1, 3, 1]
        assert paragraphs[0][0].reading == "Thông báo của ủy ban nhân dân xã Hiền Lương."
        assert "mười lăm nghìn đồng" in paragraphs[1][1].reading
        assert "bảy giờ ba mươi phút đến mười một giờ ba mươi phút" in paragraphs[1][2].reading

    def test_abbreviation_with_a_dot_does_not_end_a_sentence(self):
        assert radio.split_sentences("Họp tại TP. Việt Trì. Mời dự.") == [
            "Họp tại TP. Việt Trì.",
            "Mời dự.",
        ]

    def test_numbers_with_dots_stay_whole(self):
        assert radio.split_sentences("Phí 1.250.000 đồng. Hết.") == ["Phí 1.250.000 đồng.", "Hết."]

    def test_run_on_text_is_cut_into_bounded_pieces(self):
        pieces = radio.split_sentences(", ".join(["một mục dài dòng"] * 200))
        assert len(pieces) > 1 and all(len(p) <= radio.MAX_SENTENCE_CHARS + 1 for p in pieces)

    def test_control_characters_and_windows_line_ends(self):
        cleaned = radio.clean_text("Dòng một\r\nDòng\x00 hai\x1b\u200b.")
        assert cleaned == "Dòng một\nDòng  hai  ."

    def test_no_digit_reaches_the_voice(self):
        for paragraph in radio.script(TEXT + "\nSố 0912 345 678, phòng 2.01, 83/148 hộ."):
            for sentence in paragraph:
                assert not any(ch.isdigit() for ch in sentence.reading), sentence.reading

    @pytest.mark.parametrize(
        "text, message",
        [("", "trống"), ("   \n\t ", "trống"), ("a" * (radio.MAX_BULLETIN_CHARS + 1), "quá dài")],
    )
    def test_refused_texts(self, text, message):
        with pytest.raises(SpeechError, match=message):
            radio.check_text(text)

    def test_ten_thousand_characters_are_accepted(self):
        text = ("Xã thông báo lịch tiêm chủng tháng 7. " * 300)[:10_000]
        assert len(radio.check_text(text)) == 10_000


class TestUpload:
    def test_utf8_with_bom_and_utf16(self):
        assert bulletins.read_upload("\ufeffXin chào bà con".encode()) == "Xin chào bà con"
        assert bulletins.read_upload("Xin chào".encode("utf-16")) == "Xin chào"

    def test_legacy_encoding_is_refused_not_guessed(self):
        with pytest.raises(SpeechError, match="UTF-8"):
            bulletins.read_upload("Thông báo".encode("cp1258"))

    def test_binary_and_oversized(self):
        with pytest.raises(SpeechError, match="văn bản thuần"):
            bulletins.read_upload(b"PK\x03\x04\x00\x00")
        with pytest.raises(SpeechError, match="quá lớn"):
            bulletins.read_upload(b"a" * (bulletins.MAX_UPLOAD_BYTES + 1))


@needs_espeak
class TestRender:
    def test_jingles_and_pauses_make_it_longer(self, tmp_path):
        bare = radio.render(TEXT, tmp_path / "a.wav", fmt="wav", intro=False, outro=False)
        full = radio.render(TEXT, tmp_path / "b.wav", fmt="wav", pause=2.0)
        assert bare.sentences == full.sentences == 5
        assert seconds_of(tmp_path / "a.wav") == pytest.approx(bare.seconds, abs=0.01)
        # 4 gaps, the two between paragraphs twice as long: 6 pause units at +1.3 s each; two
        # jingles and the silences around them
        extra = 6 * 1.3 + 2 * radio.jingle(22050).size / 22050 + 0.6 + 0.8
        assert full.seconds - bare.seconds == pytest.approx(extra, abs=0.05)

    def test_progress_is_reported_per_sentence(self, tmp_path):
        seen = []
        radio.render(TEXT, tmp_path / "a.wav", fmt="wav", progress=lambda d, t: seen.append((d, t)))
        assert seen == [(i, 5) for i in range(6)]

    def test_mixed_scripts_do_not_crash(self, tmp_path):
        result = radio.render(
            "Chào bà con. Hello everyone. 你好. Привет. 🎉", tmp_path / "m.wav", fmt="wav"
        )
        assert result.seconds > 1

    def test_bad_pause(self, tmp_path):
        with pytest.raises(SpeechError, match="Khoảng nghỉ"):
            radio.render(TEXT, tmp_path / "a.wav", fmt="wav", pause=10)

    @needs_encoder
    def test_broadcast_command_writes_an_mp3(self, tmp_path):
        src = tmp_path / "ban-tin.txt"
        src.write_text(TEXT, encoding="utf-8")
        out = tmp_path / "ban-tin.mp3"
        stdout = StringIO()
        call_command("speech", "broadcast", str(src), "-o", str(out), stdout=stdout)
        assert out.read_bytes()[:3] == b"ID3" or out.read_bytes()[0] == 0xFF
        duration = seconds_of(out)
        assert 20 < duration < 120
        minutes, secs = divmod(round(duration), 60)
        assert f"MP3, {minutes} phút {secs:02d} giây, 5 câu" in stdout.getvalue()

    def test_broadcast_command_errors(self, tmp_path):
        with pytest.raises(CommandError, match="đuôi tệp"):
            call_command("speech", "broadcast", "x.txt", "-o", str(tmp_path / "a.flac"))
        with pytest.raises(CommandError, match="Không đọc được tệp"):
            call_command("speech", "broadcast", str(tmp_path / "none.txt"), "-o", "a.mp3")
        empty = tmp_path / "empty.txt"
        empty.write_text("  \n")
        with pytest.raises(CommandError, match="trống"):
            call_command("speech", "broadcast", str(empty), "-o", str(tmp_path / "a.wav"))


# ---------------------------------------------------------------------------------------------
# The back-office page


@pytest.fixture
def center(db) -> Center:
    return make_center()


@pytest.fixture
def other_center(db) -> Center:
    return make_center("000.00.26.H45", commune="Xã Tân Sơn")


@pytest.fixture
def officer(center):
    return make_officer("canbo", Role.RECEPTION, center)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def other_admin_client(client, other_center):
    client.force_login(make_officer("quantri-khac", Role.CENTER_ADMIN, other_center))
    return client


def make_bulletin(center, **fields) -> Bulletin:
    fields.setdefault("title", "Bản tin sáng")
    return Bulletin.objects.create(center=center, text=TEXT, **fields)


@pytest.mark.django_db
class TestAccess:
    def test_anonymous_goes_to_login(self, client):
        response = client.get("/can-bo/dai-truyen-thanh/")
        assert response.status_code == 302 and "/can-bo/dang-nhap/" in response["Location"]

    def test_provincial_viewer_is_refused(self, client, center):
        client.force_login(
            make_officer("tinh", Role.PROVINCIAL_VIEWER, None, province="Tỉnh Phú Thọ")
        )
        assert client.get("/can-bo/dai-truyen-thanh/").status_code == 403

    def test_another_centers_admin_sees_nothing_of_ours(self, other_admin_client, center):
        ours = make_bulletin(center, title="Tin riêng xã Hiền Lương")
        entry = CenterPronunciation.objects.create(
            center=center, written="HTX", spoken="hợp tác xã nông nghiệp"
        )
        base = f"/can-bo/dai-truyen-thanh/{ours.pk}"
        listing = other_admin_client.get("/can-bo/dai-truyen-thanh/").content.decode()
        assert "Tin riêng xã Hiền Lương" not in listing
        assert other_admin_client.get(f"{base}/").status_code == 404
        assert other_admin_client.get(f"{base}/tien-do/").status_code == 404
        assert other_admin_client.get(f"{base}/am-thanh/").status_code == 404
        response = other_admin_client.post(f"{base}/", {"action": "render"})
        assert response.status_code == 404
        response = other_admin_client.post(
            f"{base}/", {"title": "Sửa trộm", "text": "x", "pause_ms": 700}
        )
        assert response.status_code == 404
        assert other_admin_client.post(f"{base}/", {"action": "delete"}).status_code == 404
        dictionary = other_admin_client.get("/can-bo/dai-truyen-thanh/cach-doc/")
        assert "nông nghiệp" not in dictionary.content.decode()
        gone = other_admin_client.post("/can-bo/dai-truyen-thanh/cach-doc/", {"delete": entry.pk})
        assert gone.status_code == 404
        ours.refresh_from_db()
        assert ours.title == "Tin riêng xã Hiền Lương" and ours.status == Bulletin.Status.DRAFT
        assert CenterPronunciation.objects.filter(pk=entry.pk).exists()

    def test_admin_site_is_scoped_too(self, client, center, other_center):
        ours = make_bulletin(center, title="Tin riêng xã Hiền Lương")
        client.force_login(make_officer("qt-nha", Role.CENTER_ADMIN, center))
        assert "Tin riêng xã Hiền Lương" in client.get("/admin/speech/bulletin/").content.decode()
        client.force_login(make_officer("qt-khac", Role.CENTER_ADMIN, other_center))
        listing = client.get("/admin/speech/bulletin/")
        assert listing.status_code == 200
        assert "Tin riêng xã Hiền Lương" not in listing.content.decode()
        change = client.get(f"/admin/speech/bulletin/{ours.pk}/change/")
        assert change.status_code == 302  # the admin's "no such object" redirect


@pytest.mark.django_db
class TestPage:
    def test_create_from_pasted_text(self, officer_client, center):
        response = officer_client.post(
            "/can-bo/dai-truyen-thanh/",
            {"title": "Tin sáng thứ hai", "text": TEXT, "pause_ms": 700, "intro": "on"},
        )
        bulletin = Bulletin.objects.get()
        assert response.status_code == 302 and bulletin.center == center
        assert bulletin.intro and not bulletin.outro
        page = officer_client.get(f"/can-bo/dai-truyen-thanh/{bulletin.pk}/").content.decode()
        assert "ủy ban nhân dân xã Hiền Lương" in page  # the reading text is shown
        assert "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm" in page

    def test_create_from_an_uploaded_file(self, officer_client):
        upload = SimpleUploadedFile("tin.txt", TEXT.encode("utf-8"), content_type="text/plain")
        response = officer_client.post(
            "/can-bo/dai-truyen-thanh/",
            {"title": "Tin", "text": "", "upload": upload, "pause_ms": 700},
        )
        assert response.status_code == 302
        assert Bulletin.objects.get().text == TEXT

    @pytest.mark.parametrize(
        "fields, message",
        [
            ({"text": ""}, "Bản tin trống"),
            ({"text": "x" * (radio.MAX_BULLETIN_CHARS + 5)}, "quá dài"),
            ({"pause_ms": 50}, "200"),
            ({"play_at": "ngày mai"}, "Nhập"),
        ],
    )
    def test_bad_input_is_refused_with_a_message(self, officer_client, fields, message):
        data = {"title": "Tin", "text": TEXT, "pause_ms": 700, **fields}
        response = officer_client.post("/can-bo/dai-truyen-thanh/", data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Bulletin.objects.exists()

    def test_binary_upload_is_refused(self, officer_client):
        upload = SimpleUploadedFile("tin.txt", b"\x00\x01PK binary", content_type="text/plain")
        response = officer_client.post(
            "/can-bo/dai-truyen-thanh/", {"title": "Tin", "upload": upload, "pause_ms": 700}
        )
        assert response.status_code == 400 and not Bulletin.objects.exists()

    @needs_espeak
    def test_render_then_download(self, officer_client, center, django_capture_on_commit_callbacks):
        bulletin = make_bulletin(center)
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.post(
                f"/can-bo/dai-truyen-thanh/{bulletin.pk}/", {"action": "render"}
            )
        assert response.status_code == 302
        bulletin.refresh_from_db()
        assert bulletin.status == Bulletin.Status.READY, bulletin.error
        assert (bulletin.done_sentences, bulletin.total_sentences) == (5, 5)
        assert bulletin.audio_seconds > 20
        download = officer_client.get(f"/can-bo/dai-truyen-thanh/{bulletin.pk}/am-thanh/")
        assert download.status_code == 200
        assert "attachment" in download["Content-Disposition"]
        assert download["Content-Type"] in ("audio/mpeg", "audio/wav")
        fragment = officer_client.get(f"/can-bo/dai-truyen-thanh/{bulletin.pk}/tien-do/")
        assert "hx-trigger" not in fragment.content.decode()  # finished: polling stops
        assert "<audio" in fragment.content.decode()

    @needs_espeak
    def test_editing_the_text_drops_the_old_audio(
        self, officer_client, center, django_capture_on_commit_callbacks
    ):
        bulletin = make_bulletin(center)
        with django_capture_on_commit_callbacks(execute=True):
            officer_client.post(f"/can-bo/dai-truyen-thanh/{bulletin.pk}/", {"action": "render"})
        bulletin.refresh_from_db()
        old = bulletins.audio_path(bulletin)
        assert old is not None
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.post(
                f"/can-bo/dai-truyen-thanh/{bulletin.pk}/",
                {"title": bulletin.title, "text": "Nội dung mới.", "pause_ms": 700},
            )
        assert response.status_code == 302
        bulletin.refresh_from_db()
        assert bulletin.status == Bulletin.Status.DRAFT and not old.exists()
        assert (
            officer_client.get(f"/can-bo/dai-truyen-thanh/{bulletin.pk}/am-thanh/").status_code
            == 404
        )

    @needs_espeak
    def test_changing_only_the_title_or_time_keeps_the_audio(
        self, officer_client, center, django_capture_on_commit_callbacks
    ):
        bulletin = make_bulletin(center, intro=True, outro=True)
        with django_capture_on_commit_callbacks(execute=True):
            officer_client.post(f"/can-bo/dai-truyen-thanh/{bulletin.pk}/", {"action": "render"})
        bulletin.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            response = officer_client.post(
                f"/can-bo/dai-truyen-thanh/{bulletin.pk}/",
                {"title": "Tin chiều", "text": TEXT, "pause_ms": 700, "intro": "on",
                 "outro": "on", "play_at": "2026-12-08T17:00"},
            )  # fmt: skip
        assert response.status_code == 302
        bulletin.refresh_from_db()
        assert bulletin.title == "Tin chiều" and bulletin.status == Bulletin.Status.READY
        assert bulletins.audio_path(bulletin) is not None
        assert timezone.localtime(bulletin.play_at).strftime("%H:%M %d/%m") == "17:00 08/12"

    def test_progress_fragment_polls_while_working(self, officer_client, center):
        bulletin = make_bulletin(
            center, status=Bulletin.Status.RENDERING, done_sentences=2, total_sentences=5
        )
        body = officer_client.get(
            f"/can-bo/dai-truyen-thanh/{bulletin.pk}/tien-do/"
        ).content.decode()
        assert 'hx-trigger="every 1s"' in body and 'value="40"' in body and "2/5 câu" in body

    def test_an_interrupted_render_can_be_restarted(self, officer_client, center):
        bulletin = make_bulletin(center, status=Bulletin.Status.RENDERING, total_sentences=5)
        Bulletin.objects.filter(pk=bulletin.pk).update(
            updated_at=timezone.now() - bulletins.STALE_AFTER - timedelta(minutes=1)
        )
        body = officer_client.get(
            f"/can-bo/dai-truyen-thanh/{bulletin.pk}/tien-do/"
        ).content.decode()
        assert "bị gián đoạn" in body and "hx-trigger" not in body and 'value="render"' in body

    def test_a_stale_thread_cannot_overwrite_a_newer_render(self, center):
        bulletin = make_bulletin(center)
        bulletins.start_render(bulletin)  # token A (on_commit never runs in this test)
        old_token = bulletin.render_token
        bulletins.start_render(bulletin)  # token B
        bulletins.run_render(bulletin.pk, old_token)  # the thread of A wakes up late
        bulletin.refresh_from_db()
        assert bulletin.status == Bulletin.Status.QUEUED and not bulletin.audio_file


@pytest.mark.django_db
class TestDictionary:
    def test_an_entry_changes_the_reading_for_this_center_only(
        self, officer_client, center, other_center
    ):
        response = officer_client.post(
            "/can-bo/dai-truyen-thanh/cach-doc/",
            {"section": "abbreviations", "written": "HTX", "spoken": "hợp tác xã"},
        )
        assert response.status_code == 302
        trial = officer_client.get("/can-bo/dai-truyen-thanh/cach-doc/", {"thu": "HTX Tân Tiến"})
        assert "hợp tác xã Tân Tiến" in trial.content.decode()
        ours = radio.script("HTX Tân Tiến họp.", bulletins.center_pronunciations(center.pk))
        theirs = radio.script("HTX Tân Tiến họp.", bulletins.center_pronunciations(other_center.pk))
        assert ours[0][0].reading == "hợp tác xã Tân Tiến họp."
        assert "hợp tác xã" not in theirs[0][0].reading

    def test_saving_again_updates_the_entry(self, officer_client, center):
        for spoken in ("hợp tác", "hợp tác xã"):
            officer_client.post(
                "/can-bo/dai-truyen-thanh/cach-doc/",
                {"section": "abbreviations", "written": "HTX", "spoken": spoken},
            )
        assert list(CenterPronunciation.objects.values_list("spoken", flat=True)) == ["hợp tác xã"]
        ours = radio.script("HTX.", bulletins.center_pronunciations(center.pk))
        assert ours[0][0].reading == "hợp tác xã."

    @pytest.mark.parametrize(
        "written, spoken, message",
        [
            ("HTX", "hợp tác xã 2", "không có chữ số"),
            ("HTX", "...", "phải có chữ"),
            ("12", "mười hai", "bắt đầu bằng chữ"),
            ("", "hợp tác xã", "bắt buộc"),
        ],
    )
    def test_bad_entries(self, officer_client, written, spoken, message):
        response = officer_client.post(
            "/can-bo/dai-truyen-thanh/cach-doc/",
            {"section": "abbreviations", "written": written, "spoken": spoken},
        )
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not CenterPronunciation.objects.exists()

    def test_a_unit_entry_is_read_after_a_number(self, center):
        CenterPronunciation.objects.create(
            center=center, section="units", written="sào", spoken="sào Bắc Bộ"
        )
        reading = radio.script("Diện tích 3 sào.", bulletins.center_pronunciations(center.pk))
        assert reading[0][0].reading == "Diện tích ba sào Bắc Bộ."


@pytest.mark.django_db
class TestDueBulletins:
    def test_lists_only_due_and_unplayed(self, center):
        now = timezone.now()
        make_bulletin(center, title="Đến giờ", play_at=now - timedelta(minutes=1))
        make_bulletin(center, title="Chưa đến", play_at=now + timedelta(hours=1))
        make_bulletin(center, title="Đã phát", play_at=now - timedelta(hours=1), played_at=now)
        make_bulletin(center, title="Không hẹn")
        out = StringIO()
        call_command("speech", "due-bulletins", stdout=out)
        lines = out.getvalue().strip().splitlines()
        assert len(lines) == 1 and "Đến giờ" in lines[0] and "chưa có âm thanh" in lines[0]

    @needs_espeak
    def test_render_and_play_marks_it_played(self, center):
        bulletin = make_bulletin(center, play_at=timezone.now() - timedelta(minutes=1))
        out = StringIO()
        call_command(
            "speech", "due-bulletins", "--render", "--play", "--player", "true", stdout=out
        )
        bulletin.refresh_from_db()
        assert bulletin.status == Bulletin.Status.READY and bulletin.played_at is not None
        assert str(bulletins.audio_path(bulletin)) in out.getvalue()
        again = StringIO()
        call_command("speech", "due-bulletins", stdout=again)
        assert "Không có bản tin nào" in again.getvalue()

    def test_nothing_due(self, center):
        out = io.StringIO()
        call_command("speech", "due-bulletins", stdout=out)
        assert "Không có bản tin nào đến giờ phát" in out.getvalue()
