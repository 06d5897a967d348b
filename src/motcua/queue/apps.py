from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueConfig(AppConfig):
    name = "motcua.queue"
    label = "queue"
    verbose_name = _("Xếp hàng, gọi số")
