from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "motcua.notices"
    label = "notices"
    verbose_name = _("Thông báo cho công dân")

    def ready(self) -> None:
        from motcua.dossiers import events
        from motcua.notices import services

        # The outbox row is written in the action's transaction (a rolled-back action leaves
        # no notice); sending happens after the commit (services.queue_for_event).
        events.on_event(services.follow_event, phase=events.IN_TRANSACTION, name="notices.outbox")
