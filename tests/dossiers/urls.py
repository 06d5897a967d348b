"""The dossier pages mounted as in ``motcua.urls``, without the other apps' routes."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ho-so/", include("motcua.dossiers.urls")),
    path("", include("motcua.catalog.urls")),
]
