from django.urls import path

from motcua.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("dang-nhap/", views.OfficerLoginView.as_view(), name="login"),
    path("dang-xuat/", views.OfficerLogoutView.as_view(), name="logout"),
    path("", views.inbox, name="inbox"),
    path("ho-so/<str:code>/", views.dossier_page, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_action, name="action"),
    path("ho-so/<str:code>/giay-to/<int:position>/", views.document_file, name="document"),
]

# Paper forms Mẫu 02–05 of a dossier and the tracking book (Mẫu 06).
from motcua.backoffice.papers_views import urlpatterns as paper_urlpatterns  # noqa: E402

urlpatterns += paper_urlpatterns
