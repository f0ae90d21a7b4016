"""What the reports add to lower apps' pages through their extension points (`exams.slots`): the link to an exam's
statistics beside the trainer's other links for that exam."""
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail import hooks

from exams import slots as exams_slots

_STYLES = {"list": ' · <a href="{}">{}</a>', "button": ' <a class="btn btn-ghost" href="{}">{}</a>',
           "small-button": ' <a class="btn btn-small btn-ghost" href="{}">{}</a>'}


@hooks.register(exams_slots.EXAM_TRAINER_LINKS)
def exam_statistics_link(context, exam, style):
    return format_html(_STYLES[style], reverse("reports:exam_statistics", args=[exam.pk]), _("Statistics"))
