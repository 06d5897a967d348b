from django.urls import path

from motcua.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("tra-cuu/", views.track_search, name="track_search"),
    path("tra-cuu/<str:code>/", views.track, name="track"),
    path("<str:code>/phieu-hen.pdf", views.slip_pdf, name="slip"),
]
