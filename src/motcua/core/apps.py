from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from motcua.core.backup import secure_sqlite_files

        # The embedded database holds citizens' personal data (Nghị định 13/2023/NĐ-CP):
        # readable by the service account only, whatever the umask was.
        connection_created.connect(secure_sqlite_files, dispatch_uid="motcua.secure_sqlite")

        from motcua.core import checks  # noqa: F401 (registers the deploy checks)
