from django.urls import path

from motcua.backoffice import documents_views, login_views, views

app_name = "backoffice"

urlpatterns = [
    path("dang-nhap/", login_views.OfficerLoginView.as_view(), name="login"),
    path("dang-nhap/ma-xac-thuc/", login_views.login_code, name="login_code"),
    path("dang-xuat/", login_views.OfficerLogoutView.as_view(), name="logout"),
    path("bao-mat/xac-thuc-hai-buoc/", login_views.second_factor, name="second_factor"),
    path("quan-tri/tai-khoan-bi-khoa/", login_views.locked_accounts, name="locked_accounts"),
    path("", views.inbox, name="inbox"),
    path("ho-so/<str:code>/", views.dossier_page, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_action, name="action"),
    path("ho-so/<str:code>/giay-to/<int:position>/", views.document_file, name="document"),
]

# Documents digitized once, reused (motcua.backoffice.documents_views).
urlpatterns += [
    path(
        "ho-so/<str:code>/giay-to/<int:position>/so-hoa/",
        documents_views.digitize,
        name="digitize_document",
    ),
    path(
        "ho-so/<str:code>/giay-to/<int:position>/tai-su-dung/<int:citizen_document_id>/",
        documents_views.reuse,
        name="reuse_document",
    ),
    path(
        "ho-so/<str:code>/giay-to/<int:position>/kho/<int:citizen_document_id>/",
        documents_views.stored_file,
        name="stored_document",
    ),
]

# Paper forms Mẫu 02–05 of a dossier and the tracking book (Mẫu 06).
from motcua.backoffice.papers_views import urlpatterns as paper_urlpatterns  # noqa: E402

urlpatterns += paper_urlpatterns

# Receiving a dossier at the counter or by post (motcua.backoffice.intake_views).
from motcua.backoffice.intake_views import urlpatterns as intake_urlpatterns  # noqa: E402

urlpatterns += intake_urlpatterns

# The result document: the draft read before signing, its pages, the signed file.
from motcua.backoffice.result_views import urlpatterns as result_urlpatterns  # noqa: E402

urlpatterns += result_urlpatterns
