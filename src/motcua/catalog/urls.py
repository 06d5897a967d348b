from django.urls import path

from motcua.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.search, name="search"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("linh-vuc/<slug:code>/", views.sector_detail, name="sector"),
]
