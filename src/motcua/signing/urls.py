from django.urls import path

from motcua.signing import views

app_name = "signing"

urlpatterns = [
    path("kiem-tra/", views.check_upload, name="check_upload"),
    path("<str:code>/", views.verify, name="verify"),
]
