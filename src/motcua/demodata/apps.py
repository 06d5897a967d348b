from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoDataConfig(AppConfig):
    name = "motcua.demodata"
    label = "demodata"
    verbose_name = _("Dữ liệu mẫu")
