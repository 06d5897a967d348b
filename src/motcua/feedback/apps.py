from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = _("Đánh giá, phản ánh, kiến nghị")

    def ready(self) -> None:
        from motcua.feedback import checks  # noqa: F401  (registers the system check)
