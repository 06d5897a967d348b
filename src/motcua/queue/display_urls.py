"""The calling display's addresses, included by the queue's urls under ``/hang-doi/``."""

from django.urls import path

from motcua.queue import display_views

urlpatterns = [
    path("<str:agency_code>/man-hinh/", display_views.display, name="display"),
    path(
        "<str:agency_code>/man-hinh/trang-thai/",
        display_views.display_state_view,
        name="display_state",
    ),
    path(
        "<str:agency_code>/man-hinh/su-kien/",
        display_views.display_events,
        name="display_events",
    ),
    path(
        "<str:agency_code>/man-hinh/loa/<int:event_id>.wav",
        display_views.announcement,
        name="display_announcement",
    ),
]
