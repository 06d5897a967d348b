from django.urls import path

from motcua.assist import views

app_name = "assist"

urlpatterns = [
    path("ho-tro/", views.start, name="start"),
    path("ho-tro/ma-xac-nhan/", views.code, name="code"),
    path("ho-tro/san-sang/", views.ready, name="ready"),
]
