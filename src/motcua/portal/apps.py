from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = "Cổng công dân"
