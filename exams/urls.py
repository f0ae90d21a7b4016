from django.urls import path

from . import bank_views, grading_views, views

app_name = "exams"
urlpatterns = [
    path("ngan-hang-cau-hoi/", views.bank, name="bank"),
    path("ngan-hang-cau-hoi/nhap/", views.bank_import, name="bank_import"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/", views.topic_detail, name="topic"),
    path("thi/", views.my_exams, name="my_exams"),
    path("thi/<int:pk>/bat-dau/", views.exam_start, name="start"),
    path("thi/lam-bai/<int:pk>/", views.exam_room, name="room"),
    path("thi/ket-qua/", views.exam_results, name="results"),
    path("thi/ket-qua/<int:pk>/", views.exam_review, name="review"),
    path("thi/<int:pk>/giam-sat/", views.monitor, name="monitor"),
    *bank_views.urlpatterns,
    *grading_views.urlpatterns,
]
