"""The commune radio page in the back office: write or upload the day's bulletin, check how it
will be read, fix the center's pronunciations, make the audio, download or schedule it.

Every officer of a center (not a provincial viewer, who only reads reports) may use it, for
their own center's bulletins only: another center's bulletin answers 404, like a dossier.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import cast

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.backoffice.access import CenterOfficerRequest, OfficerRequest, officer_required
from motcua.dossiers.states import Role
from motcua.speech import bulletins, radio
from motcua.speech.errors import SpeechError
from motcua.speech.models import Bulletin, CenterPronunciation
from motcua.speech.normalize import PronunciationFileError, normalize

MAX_TRY_CHARS = 500


def radio_officer(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An officer of a center; sets ``request.center``."""

    @officer_required
    @wraps(view)
    def wrapper(request: OfficerRequest, *args, **kwargs) -> HttpResponseBase:
        membership = request.membership
        center = membership.center
        if center is None or membership.role == Role.PROVINCIAL_VIEWER:
            return render(
                request,
                "backoffice/403.html",
                {
                    "membership": membership,
                    "title": _("Không có quyền"),
                    "message": _("Chỉ cán bộ của trung tâm soạn được bản tin truyền thanh."),
                },
                status=403,
            )
        center_request = cast(CenterOfficerRequest, request)
        center_request.center = center
        return view(center_request, *args, **kwargs)

    return wrapper


class BulletinForm(forms.ModelForm):
    upload = forms.FileField(
        label=gettext_lazy("hoặc tải lên tệp văn bản (.txt, UTF-8)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )

    class Meta:
        model = Bulletin
        fields = ["title", "text", "intro", "outro", "pause_ms", "play_at"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 14, "maxlength": radio.MAX_BULLETIN_CHARS}),
            "play_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "play_at": gettext_lazy(
                "Để trống nếu chưa hẹn. Máy phát ở loa chạy lệnh “motcua speech due-bulletins "
                "--play” mỗi phút sẽ phát bản tin khi đến giờ."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False
        play_at = cast(forms.DateTimeField, self.fields["play_at"])
        play_at.input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]

    def clean(self):
        data = super().clean() or {}
        upload = data.get("upload")
        text = data.get("text") or ""
        try:
            if upload:
                text = bulletins.read_upload(upload.read(bulletins.MAX_UPLOAD_BYTES + 1))
            data["text"] = radio.check_text(text)
        except SpeechError as exc:
            self.add_error("upload" if upload else "text", str(exc))
        return data


class PronunciationForm(forms.ModelForm):
    class Meta:
        model = CenterPronunciation
        fields = ["section", "written", "spoken"]

    def clean_spoken(self):
        return " ".join(self.cleaned_data["spoken"].split())


def _bulletin(request: CenterOfficerRequest, pk: int) -> Bulletin:
    return get_object_or_404(Bulletin, pk=pk, center=request.center)


def _script(bulletin_or_text, center_id: int):
    text = bulletin_or_text if isinstance(bulletin_or_text, str) else bulletin_or_text.text
    try:
        return radio.script(text, bulletins.center_pronunciations(center_id)), ""
    except PronunciationFileError as exc:
        return [], str(exc)


@radio_officer
@require_http_methods(["GET", "POST"])
def index(request: CenterOfficerRequest) -> HttpResponse:
    center = request.center
    form = BulletinForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            bulletin = bulletins.create_bulletin(center, request.user, form.cleaned_data)
        messages.success(request, _("Đã lưu bản tin. Kiểm tra cách đọc rồi bấm “Tạo âm thanh”."))
        return redirect("radio:detail", pk=bulletin.pk)
    items = Bulletin.objects.filter(center=center).order_by("-created_at")[:50]
    return render(
        request,
        "speech/radio/index.html",
        {"membership": request.membership, "form": form, "bulletins": items},
        status=400 if request.method == "POST" else 200,
    )


@radio_officer
@require_http_methods(["GET", "POST"])
def detail(request: CenterOfficerRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    form = BulletinForm(instance=bulletin)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "render":
            with transaction.atomic():
                bulletins.request_render(bulletin)
            return redirect("radio:detail", pk=bulletin.pk)
        if action == "mark-unplayed":
            bulletins.mark_unplayed(bulletin)
            return redirect("radio:detail", pk=bulletin.pk)
        if action == "delete":
            with transaction.atomic():
                bulletins.delete_bulletin(bulletin)
            messages.success(request, _("Đã xóa bản tin."))
            return redirect("radio:index")
        # Validated on a scratch instance: a ModelForm writes its data into its instance while
        # validating, and the service must see the old values to know what changed.
        form = BulletinForm(request.POST, request.FILES, instance=Bulletin(center=bulletin.center))
        if form.is_valid():
            with transaction.atomic():
                bulletins.update_bulletin(bulletin, form.cleaned_data)
            messages.success(request, _("Đã lưu bản tin."))
            return redirect("radio:detail", pk=bulletin.pk)
        status = 400
    paragraphs, dictionary_error = _script(bulletin, bulletin.center_id)
    return render(
        request,
        "speech/radio/detail.html",
        {
            "membership": request.membership,
            "bulletin": bulletin,
            "form": form,
            "paragraphs": paragraphs,
            "dictionary_error": dictionary_error,
            **_progress_context(bulletin),
        },
        status=status,
    )


def _progress_context(bulletin: Bulletin) -> dict:
    return {
        "bulletin": bulletin,
        "stale": bulletins.is_stale(bulletin),
        "has_audio": bulletin.status == Bulletin.Status.READY and bulletins.audio_path(bulletin),
    }


@radio_officer
@require_GET
def progress(request: CenterOfficerRequest, pk: int) -> HttpResponse:
    """The progress fragment that the page polls (HTMX) while the audio is being made."""
    bulletin = _bulletin(request, pk)
    return render(request, "speech/radio/_progress.html", _progress_context(bulletin))


@radio_officer
@require_GET
def download(request: CenterOfficerRequest, pk: int) -> FileResponse:
    bulletin = _bulletin(request, pk)
    path = bulletins.audio_path(bulletin) if bulletin.status == Bulletin.Status.READY else None
    if path is None:
        raise Http404(_("Bản tin chưa có âm thanh."))
    inline = request.GET.get("nghe") == "1"
    name = f"ban-tin-{bulletin.pk}-{bulletin.created_at:%Y%m%d}{path.suffix}"
    response = FileResponse(
        path.open("rb"),
        as_attachment=not inline,
        filename=name,
        content_type={".mp3": "audio/mpeg", ".ogg": "audio/ogg"}.get(path.suffix, "audio/wav"),
    )
    return response


@radio_officer
@require_http_methods(["GET", "POST"])
def dictionary(request: CenterOfficerRequest) -> HttpResponse:
    center = request.center
    form = PronunciationForm()
    status = 200
    if request.method == "POST":
        delete = request.POST.get("delete")
        if delete:
            entry = bulletins.delete_pronunciation(center, delete if delete.isdigit() else 0)
            if entry is None:
                raise Http404(_("Không có cách đọc này."))
            messages.success(request, _("Đã xóa cách đọc “%(w)s”.") % {"w": entry.written})
            return redirect("radio:dictionary")
        form = PronunciationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            entry = bulletins.set_pronunciation(
                center, data["section"], data["written"], data["spoken"]
            )
            messages.success(
                request,
                _("Đã lưu: “%(w)s” đọc là “%(s)s”.") % {"w": entry.written, "s": entry.spoken},
            )
            return redirect("radio:dictionary")
        status = 400
    trial = request.GET.get("thu", "")[:MAX_TRY_CHARS]
    reading = ""
    if trial.strip():
        try:
            reading = normalize(trial, pronunciations=bulletins.center_pronunciations(center.pk))
        except PronunciationFileError as exc:
            reading = str(exc)
    return render(
        request,
        "speech/radio/dictionary.html",
        {
            "membership": request.membership,
            "form": form,
            "entries": CenterPronunciation.objects.filter(center=center),
            "trial": trial,
            "reading": reading,
        },
        status=status,
    )
