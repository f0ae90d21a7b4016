"""Admin screens for trainers: topics, exams (settings, candidates, access, review), sections and personal
accommodations (admin wiring only)."""
from django import forms
from django.contrib import messages
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import (FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, Panel,
                                  TabbedInterface)
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import CreateView, EditView, IndexView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .forms.admin import ExamAdminForm, ExamOverrideAdminForm, ExamSectionAdminForm, ExamSessionAdminForm
from .models import Exam, ExamOverride, ExamSection, ExamSession, Topic


class TopicViewSet(ModelViewSet):
    model = Topic
    icon = "folder-open-inverse"
    form_fields = ["name", "parent"]
    list_display = ["name", "parent"]
    search_fields = ["name"]


class ExamIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        return [*super().header_buttons, HeaderButton(_("Build an exam on one screen"),
                                                      url=reverse("exams:exam_build"), icon_name="tasks")]


class ExamEditView(EditView):
    @cached_property
    def header_buttons(self):
        return [*super().header_buttons, HeaderButton(_("Open on one screen"),
                                                      url=reverse("exams:exam_edit", args=[self.object.pk]),
                                                      icon_name="tasks")]


class ExamViewSet(ModelViewSet):
    """The exam's screens in the admin, tab by tab; the exams app's builder (exams:exam_build) puts the settings
    trainers need most, the sections and the candidates on one screen, and both screens link to each other."""

    model = Exam
    icon = "tasks"
    index_view_class = ExamIndexView
    edit_view_class = ExamEditView
    # "Có" / "Không" rather than Wagtail's "True" / "False" (or icons whose titles say True and False).
    list_display = ["title", "time_limit_minutes", "opens_at", "closes_at",
                    Column("is_published", label=_("published"), sort_key="is_published",
                           accessor=lambda exam: gettext("Yes") if exam.is_published else gettext("No"))]
    list_filter = ["is_published"]
    search_fields = ["title"]
    edit_handler = TabbedInterface([
        ObjectList([
            FieldPanel("title"), FieldPanel("instructions"),
            FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("pass_percent")]),
            FieldRowPanel([FieldPanel("attempts_allowed"), FieldPanel("grading_method")]),
            FieldRowPanel([FieldPanel("all_or_nothing"), FieldPanel("negative_marking_percent")]),
            FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
            FieldPanel("layout"),
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            FieldPanel("is_published"),
        ], heading=_("Settings")),
        ObjectList([
            MultiFieldPanel([
                FieldPanel("audience_units"),
                FieldPanel("audience_include_subunits"),
                FieldPanel("audience_reform_officers"), FieldPanel("audience_one_stop_receivers"),
                FieldPanel("audience_leaders"),
                FieldPanel("audience_categories"),
            ], heading=_("Candidates by rule"),
                help_text=_("Officials in the chosen units × ticked roles (any of them) × ticked categories. "
                            "Nothing chosen and no list below: every official.")),
            FieldPanel("listed_codes"),
        ], heading=_("Candidates")),
        ObjectList([FieldPanel("access_code"), FieldPanel("allowed_ip_ranges")], heading=_("Access")),
        ObjectList([
            MultiFieldPanel([FieldPanel("show_score_after_submit"), FieldPanel("show_outcome_after_submit"),
                             FieldPanel("show_answers_after_submit"), FieldPanel("show_feedback_after_submit")],
                            heading=_("Right after submitting")),
            MultiFieldPanel([FieldPanel("show_score_after_close"), FieldPanel("show_outcome_after_close"),
                             FieldPanel("show_answers_after_close"), FieldPanel("show_feedback_after_close")],
                            heading=_("After the exam closes")),
        ], heading=_("Review")),
    ], base_form_class=ExamAdminForm)


class SectionMarksPanel(Panel):
    """The mark each question of a saved section carries on the paper, beside its own default mark."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "exams/admin/section_marks.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            saved = bool(self.instance and self.instance.pk)
            context["marks"] = self.instance.paper_marks() if saved else None
            context["warnings"] = self.instance.mark_warnings() if saved else []
            return context


class _MarkWarnings:
    """After a section is saved, say where its points differ from the questions' own default marks."""

    def save_action(self):
        response = super().save_action()
        if not self.expects_json_response:
            for warning in self.object.mark_warnings():
                messages.warning(self.request, warning)
        return response


class ExamSectionCreateView(_MarkWarnings, CreateView):
    pass


class ExamSectionEditView(_MarkWarnings, EditView):
    pass


class ExamSectionViewSet(ModelViewSet):
    model = ExamSection
    icon = "list-ul"
    add_view_class = ExamSectionCreateView
    edit_view_class = ExamSectionEditView
    edit_handler = ObjectList([
        FieldPanel("exam"), FieldRowPanel([FieldPanel("order"), FieldPanel("title")]),
        MultiFieldPanel([FieldRowPanel([FieldPanel("topic"), FieldPanel("difficulty")]), FieldPanel("draw_count")],
                        heading=_("Draw from a topic")),
        FieldPanel("fixed_questions", widget=forms.SelectMultiple(attrs={"size": 12}),
                   help_text=_("Or choose the questions every candidate gets (the topic is then not used).")),
        # As a Moodle quiz slot's maximum mark: one mark for the whole section, so papers that draw different
        # questions from a pool are worth the same.
        FieldPanel("points_per_question",
                   help_text=_("Every question of this section carries these points on the paper, whatever its own "
                               "default mark in the bank.")),
        SectionMarksPanel(heading=_("Marks on the paper")),
    ], base_form_class=ExamSectionAdminForm)
    list_display = ["exam", "title", "topic", "draw_count", "points_per_question",
                    Column("pool_warning", label=_("Pool size")),
                    Column("mark_warning", label=_("Marks on the paper"))]
    list_filter = ["exam"]


class ExamOverrideViewSet(ModelViewSet):
    model = ExamOverride
    icon = "time"
    list_display = ["exam", "official", "extra_minutes", "opens_at", "closes_at", "extra_attempts"]
    list_filter = ["exam"]
    search_fields = ["official__full_name", "official__employee_code"]
    edit_handler = ObjectList([
        FieldPanel("exam"), FieldPanel("official_code"),
        FieldRowPanel([FieldPanel("extra_minutes"), FieldPanel("extra_attempts")]),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        FieldPanel("reason"),
    ], base_form_class=ExamOverrideAdminForm)


class _SessionRooms:
    """After a session is saved, every shift has every room (the supervisors' consoles hang on them)."""

    def save_instance(self):
        from .services import session_room_shifts_sync

        instance = super().save_instance()
        session_room_shifts_sync(session=instance)
        return instance


class ExamSessionCreateView(_SessionRooms, CreateView):
    pass


class ExamSessionEditView(_SessionRooms, EditView):
    pass


class ExamSessionViewSet(ModelViewSet):
    model = ExamSession
    icon = "group"
    add_view_class = ExamSessionCreateView
    edit_view_class = ExamSessionEditView
    list_display = ["title", "starts_on", "place", "status"]
    search_fields = ["title"]
    edit_handler = TabbedInterface([
        ObjectList([
            FieldPanel("title"), FieldPanel("decision"), FieldPanel("organiser"),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("place")]),
            FieldRowPanel([FieldPanel("number_prefix"), FieldPanel("second_marking_allowed")]),
        ], heading=_("Session")),
        ObjectList([InlinePanel("members", label=_("Council member"), panels=[
            FieldRowPanel([FieldPanel("full_name"), FieldPanel("position")]),
            FieldRowPanel([FieldPanel("role"), FieldPanel("user")])])], heading=_("Council")),
        ObjectList([InlinePanel("shifts", label=_("Shift"), panels=[
            FieldRowPanel([FieldPanel("name"), FieldPanel("exam"), FieldPanel("starts_at")])]),
            InlinePanel("rooms", label=_("Room"), panels=[
                FieldRowPanel([FieldPanel("name"), FieldPanel("location"), FieldPanel("seats")]),
                FieldPanel("allowed_ip_ranges")])], heading=_("Shifts and rooms")),
        ObjectList([
            MultiFieldPanel([
                FieldPanel("audience_units"), FieldPanel("audience_include_subunits"),
                FieldPanel("audience_reform_officers"), FieldPanel("audience_one_stop_receivers"),
                FieldPanel("audience_leaders"), FieldPanel("audience_categories"),
            ], heading=_("Candidates by rule")),
            FieldPanel("listed_codes"),
        ], heading=_("Candidates")),
    ], base_form_class=ExamSessionAdminForm)


class ExamsGroup(ModelViewSetGroup):
    menu_label = _("Exams")
    menu_icon = "tasks"
    items = (ExamViewSet, ExamSectionViewSet, ExamOverrideViewSet, TopicViewSet, ExamSessionViewSet)


@hooks.register("register_admin_viewset")
def register_exams():
    return ExamsGroup()


@hooks.register("org_dashboard_user")
def session_duties_card(context, user):
    """On the signed-in person's page: the exam sessions they sit on the council of, the ones they mark a second
    time for (with how many essays wait for their mark), and the rooms they supervise."""
    from django.template.loader import render_to_string

    from .models import CouncilMember, RoomShift

    from .session_selectors import MANAGING_ROLES

    seats = (CouncilMember.objects.filter(user=user, role__in=MANAGING_ROLES).select_related("session")
             .order_by("-session__starts_on")[:10])
    from django.db.models import Count, Q

    marking = (CouncilMember.objects.filter(user=user, role=CouncilMember.Role.MARKER).select_related("session")
               .annotate(waiting=Count("session__second_markings",
                                       filter=Q(session__second_markings__status="requested")))
               .order_by("-session__starts_on")[:10])
    rooms = (RoomShift.objects.filter(supervisors=user).exclude(status=RoomShift.Status.CLOSED)
             .select_related("shift__session", "room").order_by("shift__starts_at")[:20])
    if not seats and not rooms and not marking:
        return ""
    return render_to_string("exams/sessions/_dashboard_card.html", {"seats": seats, "rooms": rooms,
                                                                     "marking": marking})
