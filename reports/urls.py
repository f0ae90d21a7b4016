"""The reports app's pages: coverage, the periodic report and its export jobs, the public page, exam statistics."""
from django.urls import path

from .views import coverage, statistics

app_name = "reports"
urlpatterns = [
    path("thi/<int:exam_id>/thong-ke/", statistics.exam_statistics_page, name="exam_statistics"),
    path("thi/<int:exam_id>/thong-ke.csv", statistics.exam_statistics_csv, name="exam_statistics_csv"),
    path("bao-cao/", coverage.coverage_page, name="coverage"),
    path("bao-cao/chua-hoan-thanh/", coverage.missing_page, name="missing"),
    path("bao-cao/dinh-ky/", coverage.period_export, name="period_export"),
    path("bao-cao/xuat/<int:pk>/", coverage.export_job_page, name="export_job"),
    path("bao-cao/xuat/<int:pk>/tai-ve/", coverage.export_download, name="export_download"),
    path("cong-khai/", coverage.public_page, name="public"),
]
