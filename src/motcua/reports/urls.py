from django.urls import path

from motcua.reports import views

app_name = "reports"

# Mounted at /can-bo/bao-cao/ (motcua.urls), inside the officer area and its sign-in.
urlpatterns = [
    path("", views.center_dashboard, name="center"),
    path("xlsx", views.center_xlsx, name="center_xlsx"),
    path("bao-cao.pdf", views.center_pdf, name="center_pdf"),
    path("tinh/", views.province_dashboard, name="province"),
    path("tinh/xlsx", views.province_xlsx, name="province_xlsx"),
    path("tinh/bao-cao.pdf", views.province_pdf, name="province_pdf"),
]
