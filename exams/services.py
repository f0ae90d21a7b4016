"""Writes for the question bank: saving questions as versions, and importing whole banks all-or-nothing."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from . import formats
from .formats.model import Choice, NumericAnswer
from .models import Question, QuestionVersion, Topic

CONTENT_FIELDS = ("choices", "answers", "numeric", "pairs", "order", "truth")


def version_data(q: formats.Question) -> dict:
    """The kind-specific part of a neutral question, as stored in `QuestionVersion.data`."""
    raw = asdict(q)
    data = {k: raw[k] for k in CONTENT_FIELDS}
    data["pairs"] = [list(p) for p in data["pairs"]]
    return data


def to_format(version: QuestionVersion, *, category: str = "") -> formats.Question:
    """A stored version back in the neutral format, for export."""
    d = version.data
    return formats.Question(
        kind=version.question.kind, name=version.name, text=version.text, category=category,
        choices=[Choice(**c) for c in d.get("choices", [])], general_feedback=version.general_feedback,
        default_mark=float(version.default_mark), answers=list(d.get("answers", [])),
        numeric=[NumericAnswer(**n) for n in d.get("numeric", [])], pairs=[tuple(p) for p in d.get("pairs", [])],
        order=list(d.get("order", [])), truth=d.get("truth"))


def topic_get_or_create(*, name: str, parent: Topic | None) -> Topic:
    """A topic by name under a parent, created (with its path) if it does not exist."""
    topic = Topic.objects.filter(name=name, parent=parent).first()
    if topic is None:
        topic = Topic.objects.create(name=name, parent=parent, path="")
        topic.path = f"{parent.path if parent else '/'}{topic.pk}/"
        topic.save(update_fields=["path"])
    return topic


def topic_for_category(*, root: Topic, category: str) -> Topic:
    """The topic under `root` for a category path such as "top/Một cửa/Quy trình" ("top" is Moodle's root)."""
    parts = [p.strip() for p in category.split("/") if p.strip()]
    if parts and parts[0].lower() in ("top", "default"):
        parts = parts[1:]
    topic = root
    for part in parts:
        topic = topic_get_or_create(name=part[:255], parent=topic)
    return topic


@transaction.atomic
def question_save(*, q: formats.Question, topic: Topic, question: Question | None = None, by=None,
                  difficulty: int | None = None) -> tuple[Question, bool]:
    """Create a question, or add a version to an existing one when its content changed. Returns the question
    and whether a version was written; papers already drawn keep the version they hold."""
    fields = {"name": q.name or formats.model.default_name(q.text), "text": q.text, "data": version_data(q),
              "general_feedback": q.general_feedback, "default_mark": Decimal(str(q.default_mark))}
    if question is None:
        question = Question.objects.create(topic=topic, kind=q.kind, created_by=by,
                                           **({"difficulty": difficulty} if difficulty else {}))
    else:
        current = question.current_version
        if current and all(getattr(current, k) == v for k, v in fields.items()) and question.topic_id == topic.pk:
            return question, False
        question.topic = topic
    number = (question.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = QuestionVersion.objects.create(question=question, number=number, created_by=by, **fields)
    question.current_version = version
    question.save(update_fields=["topic", "current_version"])
    return question, True


@dataclass
class BankImportResult:
    created: int
    topics: int


@transaction.atomic
def bank_import(*, root: Topic, questions: list[formats.Question], by=None) -> BankImportResult:
    """Add parsed questions under `root`, their categories becoming sub-topics. The caller has parsed the whole
    file first, so a file with any error never reaches here: all questions or none."""
    before = Topic.objects.count()
    for q in questions:
        question_save(q=q, topic=topic_for_category(root=root, category=q.category), by=by)
    return BankImportResult(created=len(questions), topics=Topic.objects.count() - before)


def parse_bank_file(*, filename: str, data: bytes) -> list[formats.Question]:
    """Read a bank file by its extension (.gift, .txt for Aiken or GIFT, .xml for Moodle XML); raises
    formats.ParseError naming each bad line."""
    name = filename.lower()
    if name.endswith(".xml"):
        return formats.parse_moodle_xml(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise formats.ParseError([formats.FormatError(line, _("the file is not UTF-8 encoded."))])
    if name.endswith(".gift"):
        return formats.parse_gift(text)
    if name.endswith(".txt"):
        # Aiken files are recognisable by their "ANSWER:" lines; anything else is read as GIFT.
        looks_aiken = any(line.strip().upper().startswith("ANSWER:") for line in text.splitlines())
        return formats.parse_aiken(text) if looks_aiken else formats.parse_gift(text)
    raise formats.ParseError([formats.FormatError(0, _("Only .gift, .txt (GIFT or Aiken) and .xml (Moodle XML) "
                                                       "question files can be imported."))])
