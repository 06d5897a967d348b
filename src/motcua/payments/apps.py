from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Phí, lệ phí và thanh toán")

    def ready(self) -> None:
        from motcua.dossiers.panels import on_panel
        from motcua.dossiers.slip import on_slip_block
        from motcua.payments import views
        from motcua.payments.qr import slip_block

        # The dossier app shows what this app has to say without importing it (panels.py).
        on_panel("track", views.track_panel, name="payments.track")
        on_panel("officer", views.officer_panel, name="payments.officer")
        on_slip_block(slip_block, name="payments.qr")
