"""Writes to the question bank: questions saved as versions, retired or brought back, topics, and whole banks
imported all-or-nothing (`parse_bank_file` reads the file first, so a file with any error writes nothing)."""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from .. import formats
from ..formats import richtext
from ..models import Question, QuestionVersion, Topic

CONTENT_FIELDS = ("choices", "answers", "numeric", "pairs", "order", "truth")
# Kept in `QuestionVersion.data` only when the question has them, so versions saved before they existed compare
# equal to a re-import that has none.
EXTRA_FIELDS = ("hints", "feedback", "settings")
FILE_ROOT = "bank-files"


def version_data(q: formats.Question, files: dict[str, str] | None = None) -> dict:
    """The kind-specific part of a neutral question, as stored in `QuestionVersion.data`; `files` maps each file's
    name to where it is stored."""
    raw = asdict(q)
    data = {k: raw[k] for k in CONTENT_FIELDS}
    data["pairs"] = [list(p) for p in data["pairs"]]
    if q.format != "html":  # versions saved before formats existed hold HTML
        data["format"] = q.format
    data.update({k: raw[k] for k in EXTRA_FIELDS if raw[k]})
    if files:
        data["files"] = files
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
    return richtext.sanitise(html)


def sanitised(q: formats.Question) -> formats.Question:
    """The question with its HTML fields made safe. Only HTML is rewritten: plain text stays exactly as typed (a
    “<” or “&” in it is shown as such), Moodle and Markdown texts are sanitised when shown, and keys compared with
    what candidates type (short answers, numbers, matching answers) are never touched."""
    if q.format != "html":
        return q
    rich_choices = q.kind in ("single", "multiple")
    return dataclasses.replace(
        q, text=clean_html(q.text), general_feedback=clean_html(q.general_feedback),
        grader_info=clean_html(q.grader_info),
        choices=[dataclasses.replace(c, text=clean_html(c.text) if rich_choices else c.text,
                                     feedback=clean_html(c.feedback)) for c in q.choices],
        numeric=[dataclasses.replace(n, feedback=clean_html(n.feedback)) for n in q.numeric],
        pairs=[(clean_html(item), match) for item, match in q.pairs],
        order=[clean_html(item) for item in q.order],
        hints=[clean_html(hint) for hint in q.hints],
        feedback={key: clean_html(text) for key, text in q.feedback.items()},
        settings={**q.settings, **({"responsetemplate": clean_html(q.settings["responsetemplate"])}
                                   if q.settings.get("responsetemplate") else {})})


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base)[-120:] or "tep"


def files_store(files: dict[str, bytes]) -> dict[str, str]:
    """Save a question's files where the platform keeps them, by content (the same file is stored once, and a
    re-imported question finds its files unchanged): name → storage path."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = {}
    for name, content in files.items():
        digest = hashlib.sha256(content).hexdigest()
        path = f"{FILE_ROOT}/{digest[:2]}/{digest}/{_safe_name(name)}"
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(content))
        stored[name] = path
    return stored


def _version_fields(q: formats.Question) -> dict:
    """What a version stores for a (sanitised) neutral question."""
    return {"name": q.name or formats.model.default_name(q.text), "text": q.text,
            "data": version_data(q, files_store(q.files)), "general_feedback": q.general_feedback,
            "grader_info": q.grader_info, "default_mark": Decimal(str(q.default_mark))}


def _same(version: QuestionVersion, fields: dict) -> bool:
    return all(getattr(version, k) == v for k, v in fields.items())


@transaction.atomic
def question_save(*, q: formats.Question, topic: Topic, question: Question | None = None, by=None,
                  difficulty: int | None = None, expected_version: int | None = None) -> tuple[Question, bool]:
    """Create a question, or add a version to an existing one when its content changed; difficulty (`difficulty`
    or `q.difficulty`), tags, ID number and topic live on the question and change without a version. Returns the
    question and whether a version was written; papers already drawn keep the version they hold.
    `expected_version` refuses the save (ValidationError) when someone saved a newer version since the editor
    opened."""
    from django.core.exceptions import ValidationError

    q = sanitised(q)
    fields = _version_fields(q)
    difficulty = difficulty or q.difficulty
    if question is None:
        question = Question.objects.create(topic=topic, kind=q.kind, created_by=by, idnumber=q.idnumber[:100],
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
        question.idnumber = q.idnumber[:100] or question.idnumber
        if sorted(t.name for t in question.tags.all()) != sorted(q.tags):
            question.tags.set(q.tags)
        if current and _same(current, fields):
            question.save(update_fields=["topic", "difficulty", "idnumber"])
            return question, False
    number = 1  # a new question's first version needs no look-up (imports save thousands)
    if question.current_version_id:
        number += question.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = QuestionVersion.objects.create(question=question, number=number, created_by=by, **fields)
    question.current_version = version
    question.save(update_fields=["topic", "difficulty", "idnumber", "current_version"])
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
    updated: int = 0
    unchanged: int = 0
    skipped: list = dataclasses.field(default_factory=list)  # formats.FormatError: questions left out, with why


def _fingerprint(kind: str, fields: dict) -> str:
    import json

    return json.dumps([kind, fields["name"], fields["text"], fields["data"], fields["general_feedback"],
                       fields["grader_info"], str(Decimal(fields["default_mark"]).normalize())],
                      sort_keys=True, ensure_ascii=False)


class _Match:
    """Finds the question a re-imported one already is, in its topic: by ID number, else by the same content."""

    def __init__(self):
        self.by_topic: dict[int, tuple[dict[str, Question], dict[str, Question]]] = {}

    def find(self, topic: Topic, q: formats.Question) -> Question | None:
        if topic.pk not in self.by_topic:
            ids, contents = {}, {}
            for question in Question.objects.filter(topic=topic, current_version__isnull=False) \
                    .select_related("current_version").order_by("-is_active", "id"):
                if question.idnumber:
                    ids.setdefault(question.idnumber, question)
                v = question.current_version
                contents.setdefault(_fingerprint(question.kind, {
                    "name": v.name, "text": v.text, "data": v.data, "general_feedback": v.general_feedback,
                    "grader_info": v.grader_info, "default_mark": v.default_mark}), question)
            self.by_topic[topic.pk] = (ids, contents)
        ids, contents = self.by_topic[topic.pk]
        if q.idnumber and q.idnumber[:100] in ids:
            return ids[q.idnumber[:100]]
        found = contents.get(_fingerprint(q.kind, _version_fields(sanitised(q))))
        if found is not None and found.idnumber and q.idnumber and found.idnumber != q.idnumber:
            return None
        return found

    def add(self, topic: Topic, question: Question) -> None:
        if question.idnumber and topic.pk in self.by_topic:
            self.by_topic[topic.pk][0].setdefault(question.idnumber, question)


@transaction.atomic
def bank_import(*, root: Topic, questions: list[formats.Question], by=None,
                categories: dict[str, str] | None = None,
                skipped: list | None = None) -> BankImportResult:
    """Add parsed questions under `root`, their categories becoming sub-topics (with the descriptions in
    `categories`). The caller has parsed the whole file first, so a file with any error never reaches here: all
    questions or none. Re-importing the same file changes nothing: a question already in its topic (the same ID
    number, else the same content) is left as it is, or gets a new version when the file changed it; one the file
    retires is not brought back into use."""
    before = Topic.objects.count()
    topics: dict[str, Topic] = {}
    match = _Match()
    result = BankImportResult(created=0, topics=0, skipped=list(skipped or []))
    for category, description in (categories or {}).items():
        topic = _category_topic(root, category, topics)
        if description and topic != root and topic.description != description:
            topic.description = richtext.sanitise(description)
            topic.save(update_fields=["description"])
    for q in questions:
        topic = _category_topic(root, q.category, topics)
        existing = match.find(topic, q)
        question, written = question_save(q=q, topic=topic, question=existing, by=by)
        if existing is None:
            result.created += 1
            match.add(topic, question)
        elif written:
            result.updated += 1
        else:
            result.unchanged += 1
    result.topics = Topic.objects.count() - before
    return result


def _category_topic(root: Topic, category: str, topics: dict[str, Topic]) -> Topic:
    if category not in topics:
        # Moodle's category path: "top/" is its root and "//" a slash inside a name ("Nghị định 61//2018").
        parts = formats.model.split_category(category)
        if parts and parts[0].lower() in ("top", "default"):
            parts = parts[1:]
        topic = root
        for part in parts:
            topic = topic_get_or_create(name=part[:255], parent=topic)
        topics[category] = topic
    return topics[category]


@dataclass
class BankFile:
    """A bank file read: its questions, the questions left out with why, and the categories' descriptions."""

    questions: list
    skipped: list
    categories: dict


def read_bank_file(*, filename: str, data: bytes) -> BankFile:
    """As `parse_bank_file`, keeping what Moodle XML says beside its questions."""
    skipped, categories = [], {}
    if filename.lower().endswith(".xml"):
        questions = formats.parse_moodle_xml(data, warnings=skipped, categories=categories)
    else:
        questions = parse_bank_file(filename=filename, data=data)
    if not questions and not skipped:
        raise formats.ParseError([formats.FormatError(0, _("the file has no questions"))])
    return BankFile(questions, skipped, categories)


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

