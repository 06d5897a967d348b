from django.urls import path

from motcua.kiosk import views
from motcua.queue import kiosk_views as queue_views
from motcua.speech import kiosk_views as speech_views

app_name = "kiosk"

urlpatterns = [
    path("", views.start, name="start"),
    path("kich-hoat/", views.activate, name="activate"),
    path("the/", views.identify, name="identify"),
    path("thu-tuc/", views.choose, name="choose"),
    path("thu-tuc/linh-vuc/<slug:sector>/", views.choose_sector, name="choose_sector"),
    path("thu-tuc/tat-ca/", views.choose_all, name="choose_all"),
    path("to-khai/<str:code>/", views.fill, name="fill"),
    path("xac-nhan/", views.review, name="review"),
    path("phieu-hen/", views.done, name="done"),
    path("ket-thuc/", views.finish, name="finish"),
    path("lay-so/", queue_views.take, name="queue_take"),
    path("lich-hen/", queue_views.check_in, name="queue_check_in"),
    path("so-thu-tu/<int:ticket_id>/", queue_views.ticket, name="queue_ticket"),
    # Voice (motcua.speech): the "Nói" button's recording, the "Nghe" button's prompts.
    path("giong-noi/", speech_views.transcribe, name="voice_transcribe"),
    path("nghe/thu-tuc/<str:code>/", speech_views.listen_procedure, name="listen_procedure"),
    path("nghe/<slug:prompt>/", speech_views.listen_prompt, name="listen_prompt"),
]
