"""What the LMS shows on lower apps' pages, through their extension points (`content.slots`, `org.slots`): on a
lesson, the learner's progress, how it counts as studied, the LMS's stylesheet and the progress script; in a
module's list, the lessons studied; on an official's own page, their learning card; on an official's roster page,
the link to their learning record. Only for the signed-in official's own learning: pages that show it are
personal, and the page cache never serves signed-in users. Also the admin's certificate templates, which
trainers edit."""
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _, gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet

from content import slots as content_slots
from org import slots as org_slots
from org.selectors import official_of

from . import selectors
from .models import CertificateTemplate


def _official(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return None
    return context.get("current_official") or official_of(user)


def _once(context, key, compute):
    # Several places of one page need the same row: read it once per rendering.
    if key not in context.render_context:
        context.render_context[key] = compute()
    return context.render_context[key]


def _learning(context, lesson) -> dict | None:
    """{"official", "progress", "open", "way"} for the signed-in official, None for anyone else: whether the
    lesson's module is open to them, and how its course counts a lesson as studied."""
    def compute():
        official = _official(context)
        if official is None:
            return None
        course = context.get("course") or lesson.get_parent().specific
        return {"official": official, "progress": selectors.lesson_progress_of(official, lesson.pk),
                "open": selectors.module_open_to(official, course), "way": course.lesson_completion}
    return _once(context, ("lms.learning", lesson.pk), compute)


@hooks.register(content_slots.LESSON_HEAD)
def lesson_stylesheet(context, lesson):
    return format_html('<link rel="stylesheet" href="{}">', static("lms/lms.css"))


@hooks.register(content_slots.LESSON_ARTICLE_ATTRS)
def lesson_progress_attributes(context, lesson):
    learning = _learning(context, lesson)
    if not learning:
        return ""
    progress = learning["progress"]
    attrs = format_html(' data-progress-api="{}" data-csrf="{}" data-position="{}" data-anchor="{}"',
                        reverse("api:lesson_progress_get", kwargs={"lesson_id": lesson.pk}),
                        context.get("csrf_token", ""), "%.3f" % ((progress.position if progress else 0) or 0),
                        (progress.anchor if progress else "") or "")
    if learning["open"] and not (progress and progress.completed_at):
        # The script finishes the lesson the course's way: at its end, or on "Next lesson" (lms.css styles it).
        attrs += format_html(' data-completion="{}"', learning["way"])
    return attrs


@hooks.register(content_slots.LESSON_AFTER_ARTICLE)
def lesson_progress_bar(context, lesson):
    learning = _learning(context, lesson)
    if not learning:
        return ""
    return render_to_string("lms/_lesson_progress.html", {"learning": learning, "lesson": lesson,
                                                           "next_lesson": context.get("next_lesson"),
                                                           "csrf_token": context.get("csrf_token")})


@hooks.register(content_slots.LESSON_SCRIPTS)
def lesson_progress_script(context, lesson):
    return format_html('<script src="{}" defer></script>', static("js/lesson-progress.js"))


@hooks.register(content_slots.MODULE_LESSON)
def lesson_studied_mark(context, module, lesson):
    def compute():
        official = _official(context)
        return selectors.lessons_studied(official, module.pk) if official else set()
    if lesson.pk not in _once(context, ("lms.studied", module.pk), compute):
        return ""
    return format_html(' <span class="status-done" data-testid="studied">✓ {}</span>', _("studied"))


@hooks.register(org_slots.DASHBOARD_OFFICIAL)
def learning_card(context, official):
    return render_to_string("lms/_dashboard_card.html", {"official": official})


@hooks.register(org_slots.OFFICIAL_PAGE)
def learning_record_card(context, official):
    return render_to_string("lms/_official_record_card.html", {"official": official})


class CertificateTemplateViewSet(ModelViewSet):
    model = CertificateTemplate
    icon = "doc-full"
    menu_label = gettext_lazy("Certificate templates")
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["name", "issuer", "signer_name", "next_number"]
    search_fields = ["name", "issuer", "signer_name"]
    edit_handler = ObjectList([
        FieldPanel("name"),
        MultiFieldPanel([FieldPanel("issuer_parent"), FieldPanel("issuer"), FieldPanel("title"),
                         FieldPanel("programme")], heading=gettext_lazy("Letterhead")),
        MultiFieldPanel([FieldPanel("place"), FieldPanel("signer_authority"), FieldPanel("signer_position"),
                         FieldPanel("signer_name")], heading=gettext_lazy("Date line and signature")),
        FieldRowPanel([FieldPanel("number_suffix"), FieldPanel("next_number")], heading=gettext_lazy("Number series")),
    ])


@hooks.register("register_admin_viewset")
def register_certificate_templates():
    return CertificateTemplateViewSet("certificate_templates")
