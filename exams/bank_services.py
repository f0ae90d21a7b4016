"""Question-bank work beyond saving versions and importing (those are in `services`): retiring questions and
exporting a topic as a file."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from common.text import fold

from . import formats
from .formats.model import join_category
from .models import Question, Topic

EXPORT_FORMATS = {
    "xlsx": ("Excel", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xml": ("Moodle XML", ".xml", "application/xml; charset=utf-8"),
    "gift": ("GIFT", ".gift", "text/plain; charset=utf-8"),
}


@transaction.atomic
def question_set_active(*, question: Question, active: bool) -> Question:
    """Retire a question (no new exam draws it; papers that hold it keep it) or bring it back into use."""
    Question.objects.filter(pk=question.pk).update(is_active=active)
    question.is_active = active
    return question


def topic_questions(topic: Topic, *, active: bool = True):
    """The questions of a topic and its sub-topics, in use or retired, with what export and lists need."""
    return (Question.objects.filter(topic__path__startswith=topic.path, is_active=active,
                                    current_version__isnull=False)
            .select_related("current_version", "topic").order_by("topic__path", "id"))


def tags_of(questions) -> dict[int, list[str]]:
    """Tag names by question id in one query (taggit's prefetch builds a queryset per question: slow for
    thousands)."""
    from django.contrib.contenttypes.models import ContentType
    from taggit.models import TaggedItem

    out: dict[int, list[str]] = {}
    rows = TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(Question),
                                     object_id__in=questions.values("pk")).values_list("object_id", "tag__name")
    for question_id, name in rows:
        out.setdefault(question_id, []).append(name)
    return out


def topic_as_questions(topic: Topic) -> list[formats.Question]:
    """The questions in use under a topic in the neutral format. Categories are paths below the topic
    ("Quy trình/Tiếp nhận"), so importing the file into a topic recreates the sub-topics under it."""
    from .services import to_format

    names = dict(Topic.objects.filter(path__startswith=topic.path).values_list("pk", "name"))
    depth = topic.path.count("/")
    out = []
    questions = topic_questions(topic)
    tags = tags_of(questions)
    for question in questions:
        ids = [int(i) for i in question.topic.path.strip("/").split("/")][depth - 1:]
        version = question.current_version
        version.question = question  # already loaded: no query per question
        out.append(to_format(version, category=join_category([names[i] for i in ids]),
                             tags=tags.get(question.pk, [])))
    return out


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def topic_export(*, topic: Topic, fmt: str) -> ExportFile:
    """A topic's questions in use (with its sub-topics) as a GIFT, Moodle XML or Excel file. Raises
    formats.UnsupportedQuestion when the format cannot hold one of them (GIFT has no ordering questions)."""
    _label, extension, content_type = EXPORT_FORMATS[fmt]
    questions = topic_as_questions(topic)
    if fmt == "xlsx":
        content = formats.write_xlsx(questions)
    elif fmt == "xml":
        content = formats.write_moodle_xml(questions).encode("utf-8")
    else:
        content = formats.write_gift(questions).encode("utf-8")
    name = slugify(fold(topic.name)) or "chu-de"
    return ExportFile(content, f"ngan-hang-{name}{extension}", content_type)
