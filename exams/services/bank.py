"""Writes to the question bank: questions saved as versions, retired or brought back, topics, and whole banks
imported all-or-nothing (`parse_bank_file` reads the file first, so a file with any error writes nothing)."""
from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from decimal import Decimal

import nh3
from django.db import transaction
from django.utils.translation import gettext as _

from .. import formats
from ..models import Question, QuestionVersion, Topic

CONTENT_FIELDS = ("choices", "answers", "numeric", "pairs", "order", "truth")


def version_data(q: formats.Question) -> dict:
    """The kind-specific part of a neutral question, as stored in `QuestionVersion.data`."""
    raw = asdict(q)
    data = {k: raw[k] for k in CONTENT_FIELDS}
    data["pairs"] = [list(p) for p in data["pairs"]]
    return data


def topic_get_or_create(*, name: str, parent: Topic | None) -> Topic:
    """A topic by name under a parent, created (with its path) if it does not exist."""
    topic = Topic.objects.filter(name=name, parent=parent).first()
    if topic is None:
        topic = Topic.objects.create(name=name, parent=parent, path="")
        topic.path = f"{parent.path if parent else '/'}{topic.pk}/"
        topic.save(update_fields=["path"])
    return topic


def clean_html(html: str) -> str:
    """Question HTML reduced to safe markup: a bank imported from anywhere must not run script in the exam room."""
    return nh3.clean(html, link_rel="noopener noreferrer") if html else html


def sanitised(q: formats.Question) -> formats.Question:
    """The question with every HTML field (text, feedback, options) made safe."""
    return dataclasses.replace(
        q, text=clean_html(q.text), general_feedback=clean_html(q.general_feedback),
        grader_info=clean_html(q.grader_info),
        choices=[dataclasses.replace(c, text=clean_html(c.text), feedback=clean_html(c.feedback)) for c in q.choices],
        numeric=[dataclasses.replace(n, feedback=clean_html(n.feedback)) for n in q.numeric])


@transaction.atomic
def question_save(*, q: formats.Question, topic: Topic, question: Question | None = None, by=None,
                  difficulty: int | None = None, expected_version: int | None = None) -> tuple[Question, bool]:
    """Create a question, or add a version to an existing one when its content changed; difficulty (`difficulty`
    or `q.difficulty`), tags and topic live on the question and change without a version. Returns the question
    and whether a version was written; papers already drawn keep the version they hold. `expected_version`
    refuses the save (ValidationError) when someone saved a newer version since the editor opened."""
    from django.core.exceptions import ValidationError

    q = sanitised(q)
    fields = {"name": q.name or formats.model.default_name(q.text), "text": q.text, "data": version_data(q),
              "general_feedback": q.general_feedback, "grader_info": q.grader_info,
              "default_mark": Decimal(str(q.default_mark))}
    difficulty = difficulty or q.difficulty
    if question is None:
        question = Question.objects.create(topic=topic, kind=q.kind, created_by=by,
                                           **({"difficulty": difficulty} if difficulty else {}))
        if q.tags:
            question.tags.set(q.tags)
    else:
        if q.kind != question.kind:  # papers are graded by the question's kind: it never changes
            raise ValidationError(_("A question keeps its type; create a new question instead."))
        question = Question.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=question.pk)
        current = question.current_version
        if expected_version is not None and current is not None and current.number != expected_version:
            raise ValidationError(_("Someone saved version %(n)s of this question while you were editing it. Open "
                                    "the question again and redo your change.") % {"n": current.number})
        question.topic = topic
        question.difficulty = difficulty or question.difficulty
        if sorted(t.name for t in question.tags.all()) != sorted(q.tags):
            question.tags.set(q.tags)
        if current and all(getattr(current, k) == v for k, v in fields.items()):
            question.save(update_fields=["topic", "difficulty"])
            return question, False
    number = 1  # a new question's first version needs no look-up (imports save thousands)
    if question.current_version_id:
        number += question.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = QuestionVersion.objects.create(question=question, number=number, created_by=by, **fields)
    question.current_version = version
    question.save(update_fields=["topic", "difficulty", "current_version"])
    return question, True


@transaction.atomic
def question_set_active(*, question: Question, active: bool) -> Question:
    """Retire a question (no new exam draws it; papers that hold it keep it) or bring it back into use."""
    Question.objects.filter(pk=question.pk).update(is_active=active)
    question.is_active = active
    return question


@dataclass
class BankImportResult:
    created: int
    topics: int


@transaction.atomic
def bank_import(*, root: Topic, questions: list[formats.Question], by=None) -> BankImportResult:
    """Add parsed questions under `root`, their categories becoming sub-topics. The caller has parsed the whole
    file first, so a file with any error never reaches here: all questions or none. Difficulty, tags and rubric
    notes come along where the file has them."""
    before = Topic.objects.count()
    topics: dict[str, Topic] = {}
    for q in questions:
        if q.category not in topics:
            # Moodle's category path: "top/" is its root and "//" a slash inside a name ("Nghị định 61//2018").
            parts = formats.model.split_category(q.category)
            if parts and parts[0].lower() in ("top", "default"):
                parts = parts[1:]
            topic = root
            for part in parts:
                topic = topic_get_or_create(name=part[:255], parent=topic)
            topics[q.category] = topic
        question_save(q=q, topic=topics[q.category], by=by)
    return BankImportResult(created=len(questions), topics=Topic.objects.count() - before)


def parse_bank_file(*, filename: str, data: bytes) -> list[formats.Question]:
    """Read a bank file by its extension (.gift, .txt for Aiken or GIFT, .xml for Moodle XML, .xlsx for the Excel
    template); raises formats.ParseError naming each bad line (and column, for Excel)."""
    name = filename.lower()
    if name.endswith(".xml"):
        return formats.parse_moodle_xml(data)
    if name.endswith((".xlsx", ".xlsm")):
        return formats.parse_xlsx(data)
    if name.endswith(".xls"):
        raise formats.ParseError([formats.FormatError(0, _("This is the old Excel format (.xls). Open it in Excel and "
                                                           "save it as “Excel Workbook (.xlsx)”."))])
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
    raise formats.ParseError([formats.FormatError(0, _("Only .gift, .txt (GIFT or Aiken), .xml (Moodle XML) and "
                                                       ".xlsx (the Excel template) question files can be "
                                                       "imported."))])

