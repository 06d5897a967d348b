from django.urls import path

from motcua.guides import views

app_name = "guides"

urlpatterns = [
    path("huong-dan/<int:guide_id>/tep", views.media, name="media"),
    path("huong-dan/<int:guide_id>/phu-de.vtt", views.captions, name="captions"),
]
