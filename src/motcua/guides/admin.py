from django import forms
from django.contrib import admin

from motcua.centers.scoping import CenterScopedAdmin
from motcua.guides.checks import check_captions, check_media
from motcua.guides.models import ProcedureGuide


class GuideForm(forms.ModelForm):
    class Meta:
        model = ProcedureGuide
        fields = ["center", "procedure", "title", "position", "media", "captions", "is_published"]

    def clean_media(self):
        media = self.cleaned_data.get("media")
        if media is not None and hasattr(media, "content_type"):
            self._sniffed = check_media(media)
        return media

    def clean_captions(self):
        captions = self.cleaned_data.get("captions")
        if captions and hasattr(captions, "content_type"):
            check_captions(captions)
        return captions

    def save(self, commit=True):
        guide = super().save(commit=False)
        if getattr(self, "_sniffed", None):
            guide.media_type = self._sniffed
            guide.size = self.cleaned_data["media"].size
        if commit:
            guide.save()
        return guide


@admin.register(ProcedureGuide)
class ProcedureGuideAdmin(CenterScopedAdmin):
    personal_data = False
    form = GuideForm
    list_display = ["title", "procedure", "center", "media_type", "is_published"]
    list_filter = ["center", "is_published"]
    autocomplete_fields = []
    raw_id_fields = ["procedure"]
