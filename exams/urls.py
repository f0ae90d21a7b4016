"""Every page of the exams app; the JSON endpoints of the exam room are in exams.api (mounted under /api/)."""
from django.urls import path

from .views import bank, builder, grading, room, sessions

app_name = "exams"
urlpatterns = [
    # The question bank (trainers)
    path("ngan-hang-cau-hoi/", bank.bank, name="bank"),
    path("ngan-hang-cau-hoi/nhap/", bank.bank_import, name="bank_import"),
    path("ngan-hang-cau-hoi/mau-excel/", bank.bank_template, name="bank_template"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/", bank.topic_detail, name="topic"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/xuat/<str:fmt>/", bank.topic_export, name="topic_export"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/da-ngung/", bank.topic_retired, name="topic_retired"),
    path("ngan-hang-cau-hoi/chu-de/<int:pk>/them-cau-hoi/", bank.question_create, name="question_create"),
    path("ngan-hang-cau-hoi/cau-hoi/<int:pk>/", bank.question_detail, name="question"),
    path("ngan-hang-cau-hoi/cau-hoi/<int:pk>/sua/", bank.question_edit, name="question_edit"),
    path("ngan-hang-cau-hoi/cau-hoi/<int:pk>/ngung-dung/", bank.question_retire, name="question_retire"),
    path("ngan-hang-cau-hoi/tep/<int:version_id>/<path:name>", bank.question_file, name="question_file"),
    # Trainers: building an exam on one screen (settings, sections, candidates), with its live checks
    path("thi/soan/", builder.exam_build, name="exam_build"),
    path("thi/<int:pk>/soan/", builder.exam_build, name="exam_edit"),
    path("thi/soan/so-thi-sinh/", builder.builder_audience, name="builder_audience"),
    path("thi/soan/cau-hoi.json", builder.builder_questions, name="builder_questions"),
    path("thi/soan/kiem-tra-phan/", builder.builder_sections, name="builder_sections"),
    path("thi/<int:pk>/soan/kiem-tra-phan/", builder.builder_sections, name="builder_sections_exam"),
    path("thi/soan/xem-thu/", builder.builder_preview, name="builder_preview"),
    path("thi/<int:pk>/soan/xem-thu/", builder.builder_preview, name="builder_preview_exam"),
    # Candidates: their exams, the room, their results
    path("thi/", room.my_exams, name="my_exams"),
    path("thi/<int:pk>/bat-dau/", room.exam_start, name="start"),
    path("thi/lam-bai/<int:pk>/", room.exam_room, name="room"),
    path("thi/ket-qua/", room.exam_results, name="my_results"),
    path("thi/ket-qua/<int:pk>/", room.exam_review, name="review"),
    # Trainers, one exam: the sitting live, grading, results
    path("thi/<int:pk>/giam-sat/", grading.monitor, name="monitor"),
    path("thi/<int:pk>/giam-sat.json", grading.monitor_live, name="monitor_live"),
    path("thi/<int:pk>/cham-tu-luan/", grading.essay_queue, name="essay_queue"),
    path("thi/<int:pk>/cham-tu-luan/<int:slot_pk>/", grading.essay_grade, name="essay_grade"),
    path("thi/<int:pk>/cham-lai/", grading.regrade, name="regrade"),
    path("thi/<int:pk>/ket-qua/", grading.results, name="results"),
    path("thi/<int:pk>/ket-qua.csv", grading.results_csv, name="results_csv"),
    # Exam sessions (kỳ sát hạch): the council's pages and the supervisors' consoles
    path("ky-sat-hach/", sessions.session_list, name="sessions"),
    path("ky-sat-hach/<int:pk>/", sessions.session_detail, name="session"),
    path("ky-sat-hach/<int:pk>/cham-phuc-khao/", sessions.second_marking_desk, name="second_marking_desk"),
    path("ky-sat-hach/<int:pk>/in/<str:kind>.pdf", sessions.session_print, name="session_print"),
    path("ky-sat-hach/<int:pk>/ket-qua.xlsx", sessions.session_results_xlsx, name="session_results_xlsx"),
    path("ky-sat-hach/phong/<int:pk>/", sessions.room_console, name="room_console"),
    path("ky-sat-hach/phong/<int:pk>/trang-thai.json", sessions.room_live_json, name="room_live"),
    path("ky-sat-hach/phong/<int:pk>/bien-ban.pdf", sessions.room_minutes_pdf, name="room_minutes"),
    path("ky-sat-hach/phuc-khao/<int:pk>/", sessions.second_marking_request, name="second_marking_request"),
]
