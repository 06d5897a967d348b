from django.urls import path

from motcua.queue import counter_views

app_name = "queue_counter"

urlpatterns = [
    path("", counter_views.board, name="board"),
    path("dang-cho/", counter_views.waiting_panel, name="waiting"),
    path("nhan-quay/<int:number>/", counter_views.take_counter, name="take"),
    path("thao-tac/", counter_views.act, name="act"),
    path("cap-so/", counter_views.desk, name="desk"),
]
