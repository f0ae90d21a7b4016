from django.urls import path

from . import account_views, reorganisation_views, views

app_name = "org"
urlpatterns = [
    path("toi/", views.dashboard, name="dashboard"),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/sap-xep/", reorganisation_views.reorganisation_list, name="reorganisation_list"),
    path("don-vi/sap-xep/<int:pk>/", reorganisation_views.reorganisation_detail, name="reorganisation_detail"),
    path("don-vi/sap-xep/<int:pk>/them-dong/", reorganisation_views.reorganisation_add_line, name="reorganisation_add_line"),
    path("don-vi/sap-xep/<int:pk>/phan-bo/", reorganisation_views.allocate_view, name="reorganisation_allocate"),
    path("don-vi/sap-xep/<int:pk>/ap-dung/", reorganisation_views.apply_view, name="reorganisation_apply"),
    path("don-vi/sap-xep/<int:pk>/hoan-tac/", reorganisation_views.reverse_view, name="reorganisation_reverse"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit_detail"),
    path("don-vi/<str:code>/to-chuc-lai/", views.unit_reorganise, name="unit_reorganise"),
    path("don-vi/<str:code>/them-don-vi/", views.unit_create_child, name="unit_create_child"),
    path("can-bo/", views.official_list, name="official_list"),
    path("can-bo/<int:pk>/", views.official_detail, name="official_detail"),
    path("can-bo/<int:pk>/chuyen-don-vi/", views.official_transfer, name="official_transfer"),
    path("nhap-du-lieu/", views.import_page, name="import"),
    path("nhap-du-lieu/<int:pk>/", views.import_job, name="import_job"),
    path("nhap-du-lieu/<int:pk>/nhap-that/", views.import_job_confirm, name="import_job_confirm"),
    path("nhap-du-lieu/mau/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("quan-tri/nguoi-dung/", account_views.user_list, name="user_admin_list"),
    path("quan-tri/nguoi-dung/<int:pk>/", account_views.user_detail, name="user_admin_detail"),
    path("quan-tri/nguoi-dung/<int:pk>/cap-vai-tro/", account_views.role_grant, name="user_admin_role_grant"),
    path("quan-tri/nguoi-dung/<int:pk>/thu-hoi-vai-tro/", account_views.role_revoke, name="user_admin_role_revoke"),
    path("quan-tri/nguoi-dung/<int:pk>/pham-vi/<int:grant_pk>/bo/", account_views.scope_remove,
         name="user_admin_scope_remove"),
    path("quan-tri/nguoi-dung/<int:pk>/ban-giao/", account_views.scope_hand_over, name="user_admin_hand_over"),
]
