from django.urls import path

from motcua.assistant import views

app_name = "assistant"

urlpatterns = [
    path("", views.chat, name="chat"),
]
