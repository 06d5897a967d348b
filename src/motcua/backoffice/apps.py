from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "motcua.backoffice"
    label = "backoffice"
    verbose_name = _("Bộ phận một cửa (cán bộ)")

    def ready(self) -> None:
        # The role groups carry admin permissions, which exist only after every app's
        # permissions are created: this app comes last in INSTALLED_APPS, so its post_migrate
        # runs after them (like Django's own create_permissions).
        post_migrate.connect(_ensure_role_groups, sender=self)


def _ensure_role_groups(sender, **kwargs) -> None:
    from motcua.backoffice.services import ensure_role_groups

    ensure_role_groups(using=kwargs.get("using", "default"))
