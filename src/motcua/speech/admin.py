"""The radio's bulletins and the centers' pronunciation entries in the admin, each center's
own only (``CenterScopedAdmin``). The back-office page (/can-bo/dai-truyen-thanh/) is where
officers work; the admin is for the center administrator's overview and clean-up."""

from django.contrib import admin

from motcua.centers.scoping import CenterScopedAdmin
from motcua.speech.models import Bulletin, CenterPronunciation


@admin.register(Bulletin)
class BulletinAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["title", "center", "status", "play_at", "played_at", "created_at"]
    list_filter = ["center", "status"]
    search_fields = ["title"]
    readonly_fields = ["status", "audio_seconds", "render_seconds", "played_at", "created_by"]


@admin.register(CenterPronunciation)
class CenterPronunciationAdmin(CenterScopedAdmin):
    personal_data = False
    list_display = ["written", "spoken", "section", "center"]
    list_filter = ["center", "section"]
    search_fields = ["written", "spoken"]
