from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "motcua.reports"
    label = "reports"
    verbose_name = _("Báo cáo, chỉ số")

    def ready(self) -> None:
        from motcua.dossiers import events
        from motcua.reports import rollups

        # The KPI facts and cells are a projection of the dossier log, kept in the event's own
        # transaction: a report read after the commit includes the event, a rollback leaves
        # no trace (docs/kpi.md).
        events.on_event(
            rollups.follow_event, phase=events.IN_TRANSACTION, name="reports.kpi_projection"
        )
