from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueConfig(AppConfig):
    name = "motcua.queue"
    label = "queue"
    verbose_name = _("Xếp hàng, gọi số")

    def ready(self) -> None:
        from motcua.backoffice.intake_hooks import on_counter_intake
        from motcua.queue.intake import link_ticket

        on_counter_intake(link_ticket, name="queue.link_ticket")
