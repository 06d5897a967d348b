from django.urls import path

from motcua.speech import radio_views

app_name = "radio"

urlpatterns = [
    path("", radio_views.index, name="index"),
    path("cach-doc/", radio_views.dictionary, name="dictionary"),
    path("<int:pk>/", radio_views.detail, name="detail"),
    path("<int:pk>/tien-do/", radio_views.progress, name="progress"),
    path("<int:pk>/am-thanh/", radio_views.download, name="download"),
]
