from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeechConfig(AppConfig):
    name = "motcua.speech"
    label = "speech"
    verbose_name = _("Tiếng nói")
