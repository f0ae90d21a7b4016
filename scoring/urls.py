from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("thi/<int:exam_id>/thong-ke/", views.exam_statistics, name="exam_statistics"),
    path("thi/<int:exam_id>/thong-ke.csv", views.exam_statistics_csv, name="exam_statistics_csv"),
]
