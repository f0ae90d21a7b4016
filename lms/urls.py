from django.urls import path

from . import views

app_name = "lms"
urlpatterns = [
    path("hoc-tap/", views.my_learning, name="my_learning"),
    path("hoc-tap/bai-hoc/<int:lesson_id>/da-hoc/", views.lesson_done, name="lesson_done"),
    path("hoc-tap/chung-chi/<str:code>.pdf", views.certificate_download, name="certificate_pdf"),
    path("hoc-tap/quan-ly/", views.manage, name="manage"),
    path("hoc-tap/quan-ly/yeu-cau/moi/", views.requirement_new, name="requirement_new"),
    path("hoc-tap/quan-ly/yeu-cau/<int:pk>/", views.requirement_detail, name="requirement"),
    path("hoc-tap/quan-ly/yeu-cau/<int:pk>/sua/", views.requirement_edit, name="requirement_edit"),
    path("hoc-tap/quan-ly/yeu-cau/<int:pk>/ghi-danh/", views.requirement_enrol, name="requirement_enrol"),
    path("hoc-tap/quan-ly/can-bo/<int:pk>/", views.official_record, name="official_record"),
    path("hoc-tap/quan-ly/tap-huan/moi/", views.session_new, name="session_new"),
    path("hoc-tap/quan-ly/tap-huan/<int:pk>/", views.session_detail, name="session"),
    path("hoc-tap/quan-ly/tap-huan/<int:pk>/sua/", views.session_edit, name="session_edit"),
    path("hoc-tap/quan-ly/tap-huan/<int:pk>/moi/", views.session_invite, name="session_invite"),
    path("hoc-tap/quan-ly/tap-huan/<int:pk>/diem-danh/", views.attendance_add, name="attendance_add"),
    path("hoc-tap/quan-ly/tap-huan/<int:pk>/nhap-diem-danh/", views.attendance_import, name="attendance_import"),
    path("hoc-tap/quan-ly/mau-diem-danh.xlsx", views.attendance_template, name="attendance_template"),
    path("xac-minh/", views.verify, name="verify_form"),
    path("xac-minh/<str:code>/", views.verify, name="verify"),
]
