from django.urls import path

from motcua.feedback import officer_views, views

app_name = "feedback"

urlpatterns = [
    path("phan-anh/", views.feedback_form, name="form"),
    path("phan-anh/<str:token>/", views.feedback_status, name="status"),
    path("danh-gia/ho-so/", views.track_rate, name="track_rate"),
    path("kiosk/danh-gia/", views.kiosk_rate, name="kiosk_rate"),
    path("danh-gia/quay/", views.tablet, name="tablet"),
    path("danh-gia/quay/kich-hoat/", views.tablet_activate, name="tablet_activate"),
    path("can-bo/phan-anh/", officer_views.queue, name="officer_queue"),
    path("can-bo/phan-anh/<str:reference>/", officer_views.detail, name="officer_detail"),
    path(
        "can-bo/phan-anh/<str:reference>/tep/<int:attachment_id>/",
        officer_views.attachment,
        name="officer_attachment",
    ),
    path(
        "can-bo/phan-anh/<str:reference>/<str:action>/",
        officer_views.act,
        name="officer_act",
    ),
]
