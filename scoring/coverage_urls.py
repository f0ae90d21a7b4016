from django.urls import path

from . import coverage_views as views

app_name = "reports"
urlpatterns = [
    path("bao-cao/", views.coverage_page, name="coverage"),
    path("bao-cao/chua-hoan-thanh/", views.missing_page, name="missing"),
    path("bao-cao/dinh-ky/", views.period_export, name="period_export"),
    path("bao-cao/xuat/<int:pk>/", views.export_job_page, name="export_job"),
    path("bao-cao/xuat/<int:pk>/trang-thai/", views.export_job_status, name="export_job_status"),
    path("bao-cao/xuat/<int:pk>/tai-ve/", views.export_download, name="export_download"),
    path("cong-khai/", views.public_page, name="public"),
]
