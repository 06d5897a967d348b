from django.contrib import admin
from django.urls import include, path

from motcua.api import api
from motcua.backoffice.login_views import admin_login

admin.site.site_header = "motcua – Quản trị Trung tâm Phục vụ hành chính công"
admin.site.site_title = "motcua"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    # The admin signs in through the officer login (lockout, second factor): no login of its own.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("kiosk/", include("motcua.kiosk.urls")),
    path("hang-doi/", include("motcua.queue.urls")),
    path("ho-so/", include("motcua.dossiers.urls")),
    path("xac-thuc/", include("motcua.signing.urls")),
    path("bieu-mau/", include("motcua.eforms.urls")),
    path("dinh-danh/", include("motcua.identity.urls")),
    path("lich/", include("motcua.workcalendar.urls")),
    path("trung-tam/", include("motcua.centers.urls")),
    # The calling display (issue 11); the lead's queue urls include display_urls in their place.
    # Ratings, feedback (phản ánh, kiến nghị), assisted submission, guides (issue 13).
    path("", include("motcua.feedback.urls")),
    path("", include("motcua.assist.urls")),
    path("", include("motcua.guides.urls")),
    path("can-bo/bao-cao/", include("motcua.reports.urls")),
    path("can-bo/quay/", include("motcua.queue.counter_urls")),
    path("can-bo/dai-truyen-thanh/", include("motcua.speech.radio_urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.catalog.urls")),
]

handler400 = "motcua.core.views.bad_request"
handler404 = "motcua.core.views.not_found"
handler500 = "motcua.core.views.server_error"
