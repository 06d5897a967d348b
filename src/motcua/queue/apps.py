from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueConfig(AppConfig):
    name = "motcua.queue"
    label = "queue"
    verbose_name = _("Xếp hàng, gọi số")

    def ready(self) -> None:
        from motcua.backoffice.intake_hooks import on_counter_intake
        from motcua.queue import events, live
        from motcua.queue.intake import link_ticket

        # The walk-in intake links the ticket being served to the dossier it received.
        on_counter_intake(link_ticket, name="queue.link_ticket")
        # After the commit: the calling displays learn of every ticket event (docs/queue.md).
        events.on_ticket_event(live.broadcast, name="display")
