from django.urls import path

from motcua.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.sign_in, name="sign_in"),
    path("dang-nhap/ma/", views.sign_in_code, name="sign_in_code"),
    path("dang-xuat/", views.sign_out, name="sign_out"),
    path("vneid/", views.vneid_begin, name="vneid"),
    path("vneid/ve/", views.vneid_callback, name="vneid_callback"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/danh-gia/", views.rate, name="rate"),
    path("kho/<int:citizen_document_id>/", views.paper_file, name="paper"),
    path("nop-ho-so/", views.choose, name="choose"),
    path("nop-ho-so/<str:code>/", views.start, name="start"),
    path("ban-nhap/<uuid:draft>/", views.fill, name="fill"),
    path("ban-nhap/<uuid:draft>/xac-nhan/", views.review, name="review"),
    path("ban-nhap/<uuid:draft>/xoa/", views.delete_draft, name="delete_draft"),
]
