from django.urls import path

from motcua.assistant import views

app_name = "assistant_kiosk"

urlpatterns = [
    path("", views.kiosk_chat, name="chat"),
]
