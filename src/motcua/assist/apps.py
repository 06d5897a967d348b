from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "motcua.assist"
    label = "assist"
    verbose_name = _("Hỗ trợ nộp hồ sơ (tổ công nghệ số cộng đồng)")
