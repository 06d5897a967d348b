from django.urls import path

from motcua.payments import views

app_name = "payments"

urlpatterns = [
    # A bank's or payment platform's confirmation; <provider> names an adapter in the settings.
    path("xac-nhan/<slug:provider>/", views.webhook, name="webhook"),
    path("ho-so/<str:code>/bien-lai.pdf", views.public_receipt, name="receipt"),
]
