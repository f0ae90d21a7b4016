"""Admin screens for trainers: topics, exams and their sections (admin wiring only)."""
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Exam, ExamSection, Topic


class TopicViewSet(ModelViewSet):
    model = Topic
    icon = "folder-open-inverse"
    form_fields = ["name", "parent"]
    list_display = ["name", "parent"]
    search_fields = ["name"]


class ExamViewSet(ModelViewSet):
    model = Exam
    icon = "tasks"
    form_fields = ["title", "instructions", "time_limit_minutes", "pass_percent", "attempts_allowed",
                   "grading_method", "shuffle_questions", "shuffle_options", "opens_at", "closes_at", "access_code",
                   "show_score_after_submit", "show_answers_after_close", "is_published"]
    list_display = ["title", "time_limit_minutes", "opens_at", "closes_at", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title"]


class ExamSectionViewSet(ModelViewSet):
    model = ExamSection
    icon = "list-ul"
    form_fields = ["exam", "order", "title", "topic", "difficulty", "draw_count", "points_per_question"]
    list_display = ["exam", "topic", "draw_count", Column("pool_warning", label=_("Pool size"))]
    list_filter = ["exam"]


class ExamsGroup(ModelViewSetGroup):
    menu_label = _("Exams")
    menu_icon = "tasks"
    items = (ExamViewSet, ExamSectionViewSet, TopicViewSet)


@hooks.register("register_admin_viewset")
def register_exams():
    return ExamsGroup()
