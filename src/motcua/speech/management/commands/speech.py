"""``motcua speech``: reading text, spoken files and the center's recorded voice.

- ``motcua speech normalize`` reads lines on standard input, prints one reading line per line;
- ``motcua speech say TEXT -o FILE.wav|.mp3|.ogg [--voice KIND] [--chime]``;
- ``motcua speech call NUMBER COUNTER -o FILE`` the queue announcement (clip set when chosen);
- ``motcua speech clips list`` the recording list; ``motcua speech clips import DIR [--rate]``;
- ``motcua speech transcribe FILE`` prints the words said in a recording (viet-asr);
- ``motcua speech broadcast FILE.txt -o bulletin.mp3`` a radio bulletin, jingles and pauses;
- ``motcua speech due-bulletins [--render] [--play] [--player CMD]`` bulletins due on air.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.speech import audio
from motcua.speech.announce import synthesize_call
from motcua.speech.clips import DEFAULT_RATE, RECORDING_LIST, import_clips
from motcua.speech.conf import clips_dir
from motcua.speech.errors import SpeechError, VoiceError
from motcua.speech.normalize import PronunciationFileError, normalize
from motcua.speech.tts import VOICE_KINDS, get_voice, synthesize


def _format_of(output: str) -> str:
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in audio.FORMATS:
        raise CommandError(
            f"Không biết định dạng của tệp “{output}”: đuôi tệp phải là .wav, .mp3 hoặc .ogg."
        )
    return suffix


class Command(BaseCommand):
    help = "Tiếng nói tiếng Việt: chuẩn hóa văn bản để đọc, tạo tệp âm thanh, bộ giọng thu âm."
    # No database, no URLs: a technician can test the loudspeaker on a half-set-up PC.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "normalize", help="Đọc từng dòng ở đầu vào chuẩn, in ra cách đọc (không còn chữ số)."
        )
        say = sub.add_parser("say", help="Đọc một câu thành tệp âm thanh.")
        say.add_argument("text", help="Câu cần đọc (đặt trong dấu nháy).")
        say.add_argument("-o", "--output", required=True, help="Tệp ra: .wav, .mp3 hoặc .ogg")
        say.add_argument("--voice", choices=VOICE_KINDS, help="Giọng (mặc định: theo cấu hình)")
        say.add_argument("--chime", action="store_true", help="Thêm tiếng chuông phía trước.")
        call = sub.add_parser("call", help="Lời gọi số thứ tự thành tệp âm thanh.")
        call.add_argument("number", type=int, help="Số thứ tự")
        call.add_argument("counter", type=int, help="Số quầy")
        call.add_argument("-o", "--output", required=True, help="Tệp ra: .wav, .mp3 hoặc .ogg")
        call.add_argument("--voice", choices=VOICE_KINDS, help="Giọng (mặc định: theo cấu hình)")
        call.add_argument("--no-chime", action="store_true", help="Không có tiếng chuông.")
        clips = sub.add_parser("clips", help="Bộ giọng thu âm của trung tâm.")
        clips_sub = clips.add_subparsers(dest="clips_action", required=True)
        clips_sub.add_parser("list", help="In danh sách các đoạn cần thu âm.")
        imp = clips_sub.add_parser("import", help="Kiểm tra và nhập thư mục các đoạn đã thu.")
        imp.add_argument("directory", help="Thư mục chứa các tệp WAV đã thu")
        imp.add_argument("--rate", type=int, default=DEFAULT_RATE, help="Tần số lấy mẫu chung (Hz)")
        tr = sub.add_parser("transcribe", help="In ra lời nói trong một tệp ghi âm (tiếng Việt).")
        tr.add_argument("file", help="Tệp ghi âm: .wav (hoặc .webm, .ogg, .m4a khi có ffmpeg)")
        tr.add_argument("--timing", action="store_true", help="In thêm thời lượng và tốc độ.")
        bc = sub.add_parser("broadcast", help="Đọc một bản tin (.txt) thành tệp âm thanh.")
        bc.add_argument("file", help="Tệp văn bản UTF-8 của bản tin ('-' là đầu vào chuẩn)")
        bc.add_argument("-o", "--output", required=True, help="Tệp ra: .mp3, .ogg hoặc .wav")
        bc.add_argument("--no-intro", action="store_true", help="Không có nhạc hiệu mở đầu.")
        bc.add_argument("--no-outro", action="store_true", help="Không có nhạc hiệu kết thúc.")
        bc.add_argument(
            "--pause", type=float, default=0.7, help="Nghỉ giữa các câu, giây (0,2–3; mặc định 0,7)"
        )
        bc.add_argument("--voice", choices=VOICE_KINDS, help="Giọng (mặc định: theo cấu hình)")
        due = sub.add_parser(
            "due-bulletins", help="Các bản tin truyền thanh đã đến giờ phát mà chưa phát."
        )
        due.add_argument(
            "--render", action="store_true", help="Tạo âm thanh cho bản tin đến giờ mà chưa có."
        )
        due.add_argument(
            "--play",
            action="store_true",
            help="Phát lần lượt qua loa của máy này rồi đánh dấu đã phát.",
        )
        due.add_argument(
            "--player",
            default="",
            help="Lệnh phát tệp (mặc định: play của sox, ffplay hoặc aplay)",
        )

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action.replace('-', '_')}")(**options)
        except (SpeechError, PronunciationFileError, audio.AudioError) as exc:
            raise CommandError(str(exc)) from None

    def _normalize(self, **options) -> None:
        for line in sys.stdin:
            self.stdout.write(normalize(line.rstrip("\r\n")))

    def _voice(self, kind: str | None):
        if not kind:
            return None
        try:
            return get_voice(kind)
        except VoiceError as exc:
            raise CommandError(f"Giọng “{kind}” không dùng được: {exc}.") from None

    def _say(self, text: str, output: str, voice: str | None, chime: bool, **options) -> None:
        fmt = _format_of(output)
        if not text.strip():
            raise CommandError("Văn bản trống: không có gì để đọc.")
        path = synthesize(text, fmt, voice=self._voice(voice), chime=chime)
        shutil.copyfile(path, output)
        self.stdout.write(f"Đã ghi {output}.")

    def _call(
        self, number: int, counter: int, output: str, voice: str | None, no_chime: bool, **options
    ) -> None:
        fmt = _format_of(output)
        path = synthesize_call(number, counter, fmt, chime=not no_chime, voice=self._voice(voice))
        shutil.copyfile(path, output)
        self.stdout.write(f"Đã ghi {output}.")

    def _transcribe(self, file: str, timing: bool, **options) -> None:
        from motcua.speech import asr

        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc.strerror}.") from None
        result = asr.transcribe(data, asr.content_type_for(path.name))
        self.stdout.write(result.text)
        if timing:
            self.stderr.write(
                f"{result.audio_seconds:.2f} s âm thanh, {result.elapsed_seconds:.2f} s xử lý "
                f"(RTF {result.rtf:.2f})"
            )

    def _broadcast(
        self,
        file: str,
        output: str,
        no_intro: bool,
        no_outro: bool,
        pause: float,
        voice: str | None,
        **options,
    ) -> None:
        from motcua.speech import radio
        from motcua.speech.bulletins import read_upload

        fmt = _format_of(output)
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc.strerror}.") from None
        result = radio.render(
            read_upload(data),
            Path(output),
            fmt=fmt,
            intro=not no_intro,
            outro=not no_outro,
            pause=pause,
            voice=self._voice(voice),
        )
        minutes, seconds = divmod(round(result.seconds), 60)
        self.stdout.write(
            f"Đã ghi {output}: {fmt.upper()}, {minutes} phút {seconds:02d} giây, "
            f"{result.sentences} câu, {result.words} tiếng, tạo trong {result.elapsed:.1f} giây."
        )

    def _due_bulletins(self, render: bool, play: bool, player: str, **options) -> None:
        from django.utils import timezone

        from motcua.speech import bulletins

        due = list(bulletins.due_bulletins())
        if not due:
            self.stdout.write("Không có bản tin nào đến giờ phát.")
            return
        for bulletin in due:
            if render and not bulletins.audio_path(bulletin):
                bulletins.run_render_now(bulletin)
                bulletin.refresh_from_db()
            path = bulletins.audio_path(bulletin)
            when = timezone.localtime(bulletin.play_at).strftime("%d/%m/%Y %H:%M")
            state = str(path) if path else f"chưa có âm thanh ({bulletin.get_status_display()})"
            self.stdout.write(
                f"{bulletin.pk}\t{when}\t{bulletin.center.name}\t{bulletin.title}\t{state}"
            )
            if play and path:
                bulletins.play(path, player)
                bulletins.mark_played(bulletin, timezone.now())

    def _clips(self, clips_action: str, **options) -> None:
        if clips_action == "list":
            self._clips_list()
        else:
            self._clips_import(Path(options["directory"]), options["rate"])

    def _clips_list(self) -> None:
        self.stdout.write(
            "Thu từng đoạn thành một tệp WAV một kênh (mono), 16–48 kHz, phòng yên tĩnh, "
            "đặt tên tệp theo cột đầu (ví dụ mot.wav) hoặc theo đúng lời đọc (một.wav)."
        )
        for spec in RECORDING_LIST:
            says = f"“{spec.says}”" if spec.says else ""
            extra = (f" ({spec.hint})" if spec.says else spec.hint) if spec.hint else ""
            optional = "" if spec.required else " [không bắt buộc]"
            self.stdout.write(f"{spec.name + '.wav':<18} {says}{extra}{optional}")

    def _clips_import(self, directory: Path, rate: int) -> None:
        dest = clips_dir()
        report = import_clips(directory, dest, rate)
        for note in report.notes:
            self.stdout.write(f"  • {note}")
        if not report.ok:
            lines = ["Chưa nhập bộ giọng: sửa các lỗi sau rồi chạy lại (bộ cũ vẫn giữ nguyên)."]
            for spec in report.missing:
                lines.append(f"  - Thiếu {spec.name}.wav: lời đọc “{spec.says}”.")
            lines += [f"  - {problem}" for problem in report.problems]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            f"Đã nhập {len(report.imported)} đoạn vào {dest} ({rate} Hz). "
            "Đặt MOTCUA_SPEECH_VOICE=clips để dùng giọng này."
        )
