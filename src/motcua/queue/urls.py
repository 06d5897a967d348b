from django.urls import path

from motcua.queue import views
from motcua.queue.display_urls import urlpatterns as display_urlpatterns

app_name = "queue"

urlpatterns = [
    path("ve/<str:token>/", views.ticket_page, name="ticket"),
    path("ve/<str:token>/trang-thai/", views.ticket_status, name="ticket_status"),
    path("ve/<str:token>/in/", views.ticket_print, name="ticket_print"),
    path("ve/<str:token>/in.pdf", views.ticket_pdf, name="ticket_pdf"),
    path("ve/<str:token>/huy/", views.ticket_cancel, name="ticket_cancel"),
    path("lich-hen/<str:token>/", views.appointment_page, name="appointment"),
    path("lich-hen/<str:token>/huy/", views.appointment_cancel, name="appointment_cancel"),
    path("<str:agency>/", views.take_number, name="take"),
    path("<str:agency>/dat-lich/", views.book, name="book"),
    path("<str:agency>/ma-qr/", views.door_poster, name="poster"),
]

# The TV page, its event stream and the loudspeaker (display_views.py).
urlpatterns += display_urlpatterns
