from django.urls import path

from motcua.payments import views

app_name = "payments_officer"

urlpatterns = [
    path("ho-so/<str:code>/tien-mat/", views.cash, name="cash"),
    path("ho-so/<str:code>/bien-lai.pdf", views.officer_receipt, name="receipt"),
]
