from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueConfig(AppConfig):
    name = "motcua.queue"
    label = "queue"
    verbose_name = _("Xếp hàng, gọi số")

    def ready(self) -> None:
        from motcua.queue import events, live

        # After the commit: the calling displays learn of every ticket event (docs/queue.md).
        events.on_ticket_event(live.broadcast, name="display")
