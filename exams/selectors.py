"""Reads for the exams app: the question bank (topics, questions, a topic as an export file), the candidate's view
of their exams and paper, and the trainers' live monitor."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from random import Random

from django.db.models import Count, Q, QuerySet
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.export import XLSX_CONTENT_TYPE
from common.text import fold
from org import roles

from . import formats
from .formats.model import Choice, NumericAnswer, join_category
from .formats.richtext import to_html, to_plain
from .models import Question, QuestionVersion, Topic

EXPORT_FORMATS = {
    "xlsx": ("Excel", ".xlsx", XLSX_CONTENT_TYPE),
    "xml": ("Moodle XML", ".xml", "application/xml; charset=utf-8"),
    "gift": ("GIFT", ".gift", "text/plain; charset=utf-8"),
}


def can_use_bank(user) -> bool:
    """Trainers and administrators keep the question bank."""
    return roles.is_trainer_or_admin(user)


def topics_with_counts() -> QuerySet[Topic]:
    """Every topic in tree order with its number of questions in use (not counting sub-topics)."""
    return Topic.objects.annotate(n=Count("questions", filter=Q(questions__is_active=True))).order_by("path")


def questions_in(topic: Topic) -> QuerySet[Question]:
    """Questions in a topic and its sub-topics, with their current version."""
    return (Question.objects.filter(topic__path__startswith=topic.path, is_active=True)
            .select_related("current_version", "topic").order_by("topic__path", "id"))


def to_format(version: QuestionVersion, *, category: str = "", tags: list[str] | None = None,
              with_files: bool = True) -> formats.Question:
    """A stored version back in the neutral format, for export (difficulty, tags and ID number are the question's
    own; `tags` saves a query when the caller has them already). `with_files` reads the files it carries."""
    d = version.data
    question = version.question
    return formats.Question(
        kind=question.kind, name=version.name, text=version.text, category=category,
        choices=[Choice(**c) for c in d.get("choices", [])], general_feedback=version.general_feedback,
        default_mark=float(version.default_mark), answers=list(d.get("answers", [])),
        numeric=[NumericAnswer(**n) for n in d.get("numeric", [])], pairs=[tuple(p) for p in d.get("pairs", [])],
        order=list(d.get("order", [])), truth=d.get("truth"), difficulty=question.difficulty,
        tags=sorted(tags if tags is not None else (t.name for t in question.tags.all())),
        grader_info=version.grader_info, format=d.get("format", "html"), idnumber=question.idnumber,
        hints=list(d.get("hints", [])), feedback=dict(d.get("feedback", {})), settings=dict(d.get("settings", {})),
        files=version_files(version) if with_files else {})


def version_files(version: QuestionVersion) -> dict[str, bytes]:
    """The files a version carries, name → content (a file missing from storage is left out)."""
    from django.core.files.storage import default_storage

    out = {}
    for name, path in version.data.get("files", {}).items():
        try:
            with default_storage.open(path, "rb") as handle:
                out[name] = handle.read()
        except OSError:
            continue
    return out


def file_urls(version_id: int, data: dict) -> dict[str, str]:
    """Where the platform serves each file of a version (after a permission check: exams.views.bank.question_file)."""
    from django.urls import reverse

    return {name: reverse("exams:question_file", args=[version_id, name]) for name in data.get("files", {})}


def category_descriptions(topic: Topic) -> dict[str, str]:
    """The descriptions of a topic's sub-topics by their category path below it, for a Moodle XML export."""
    depth = topic.path.count("/")
    names = dict(Topic.objects.filter(path__startswith=topic.path).values_list("pk", "name"))
    out = {}
    for sub in Topic.objects.filter(path__startswith=topic.path).exclude(description=""):
        ids = [int(i) for i in sub.path.strip("/").split("/")][depth - 1:]
        out[join_category([names[i] for i in ids])] = sub.description
    return out


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
    """A file ready to be sent as a download."""

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
        content = formats.write_moodle_xml(questions, category_descriptions(topic)).encode("utf-8")
    else:
        content = formats.write_gift(questions).encode("utf-8")
    name = slugify(fold(topic.name)) or "chu-de"
    return ExportFile(content, f"ngan-hang-{name}{extension}", content_type)


def attempts_of(user):
    """Sittings the user may open: only their own."""
    from .models import Attempt

    return Attempt.objects.filter(official__user=user).select_related("exam")


def candidate_paper(attempt) -> list[dict]:
    """The frozen paper as the candidate's browser receives it: texts and options in this candidate's order, each
    under this paper's own random identifier; never which option is right, no feedback, no fractions, no model
    answers. (A start from a paper prepared at check-in replies with the paper rendered then: `api._fresh_room`.)"""
    paper = []
    # Plain rows, not model instances: every start and every reload renders the whole paper (bench/README.md).
    rows = attempt.slots.order_by("slot").values_list("slot", "points", "option_order", "elements", "version__text",
                                                      "version__data", "version__question__kind", "version_id")
    for slot, points, option_order, elements, text, data, kind, version_id in rows:
        paper.append(_paper_item(attempt, slot, points, option_order, elements, text, data, kind, version_id))
    return paper


def prepared_paper_render(slots: list) -> list[dict]:
    """The paper as candidate_paper sends it, for a paper drawn at check-in ([[version id, points, option order,
    elements, section id, draw], …]): the same items, before any sitting exists."""
    from .models import QuestionVersion

    versions = {pk: (text, data, kind) for pk, text, data, kind in QuestionVersion.objects.filter(
        pk__in=[row[0] for row in slots]).values_list("pk", "text", "data", "question__kind")}
    return [_paper_item(None, slot, points, order, elements, *versions[version_id], version_id)
            for slot, (version_id, points, order, elements, _section, _draw) in enumerate(slots, start=1)]


def drawn_paper_render(paper: list) -> list[dict]:
    """The paper as candidate_paper sends it, for a sitting whose paper was just drawn (`services.paper_draw`'s rows,
    each version with its question in hand): the start's reply, without reading back the slots it has just written."""
    return [_paper_item(None, slot, points, order, elements, version.text, version.data, version.question.kind,
                        version.pk)
            for slot, (version, points, order, elements, _section, _draw) in enumerate(paper, start=1)]


def _paper_item(attempt, slot, points, option_order, elements, text, data, kind, version_id) -> dict:
    """One question of a paper as the candidate receives it."""
    rich = _Rich(data, version_id)
    item = {"slot": slot, "kind": kind, "text": rich(text), "points": float(points)}
    if kind == "essay" and data.get("settings", {}).get("responsetemplate"):
        item["template"] = rich.plain(data["settings"]["responsetemplate"])  # the answer box starts with it
    if elements:
        texts = _element_texts(kind, data, option_order, rich)
        item.update({key: [{"id": i, "text": texts[key][n]} for i, n in shown] for key, shown in elements.items()})
    else:
        item.update(_legacy_elements(attempt, slot, kind, data, option_order, rich))
    return item


@lru_cache(maxsize=20000)
def _rendered_cached(text: str, fmt: str) -> str:
    return to_html(text, fmt, None)


def _rendered(text: str, fmt: str, version_id: int, urls) -> str:
    """A paper's field as HTML. Versions never change, so a field rendered once is kept (per process, bounded):
    every start and every reload of a 60-question paper would otherwise sanitise some 300 fields."""
    if urls:
        return to_html(text, fmt, urls)  # a field with files: its addresses depend on the version
    return _rendered_cached(text, fmt)


class _Rich:
    """A paper question's rich fields as HTML in its text format (options, items), its files at their address.
    The room inserts them as HTML: they are sanitised here. Matching answers are plain text (a list to pick from)."""

    def __init__(self, data: dict, version_id: int):
        self.format = data.get("format", "html")
        self.version_id = version_id
        self.urls = file_urls(version_id, data) if data.get("files") else None

    def __call__(self, text: str) -> str:
        return _rendered(text, self.format, self.version_id if self.urls else 0, self.urls)

    def plain(self, text: str) -> str:
        """For a place that holds only text (the items of an ordering question are picked from lists)."""
        return to_plain(text, self.format)


def _element_texts(kind: str, data: dict, option_order: list[int], rich) -> dict[str, list[str]]:
    # By the internal numbers `scoring.grading.paper_layout` pairs with each identifier.
    from scoring.grading import matching_options

    if kind in ("single", "multiple"):
        return {"options": [rich(data["choices"][j]["text"]) for j in option_order]}
    if kind == "truefalse":
        return {"options": [escape(_("True")), escape(_("False"))]}
    if kind == "matching":
        return {"items": [rich(p[0]) for p in data.get("pairs", []) if p[0]], "matches": matching_options(data)}
    if kind == "ordering":
        return {"items": [rich.plain(t) for t in data.get("order", [])]}
    return {}


def _legacy_elements(attempt, slot: int, kind: str, data: dict, option_order: list[int], rich) -> dict:
    """A paper started before papers had their own identifiers: numbered as it was when it started, so a sitting
    that spans the upgrade keeps working."""
    from scoring.grading import matching_options

    if kind in ("single", "multiple"):
        return {"options": [{"id": i, "text": rich(data["choices"][j]["text"])} for i, j in enumerate(option_order)]}
    if kind == "truefalse":
        return {"options": [{"id": 0, "text": escape(_("True"))}, {"id": 1, "text": escape(_("False"))}]}
    if kind == "matching":
        return {"items": [{"id": i, "text": rich(p[0])} for i, p in enumerate(p for p in data.get("pairs", []) if p[0])],
                "matches": [{"id": j, "text": t} for j, t in enumerate(matching_options(data))]}
    if kind == "ordering":
        items = list(enumerate(data.get("order", [])))
        Random(f"{attempt.pk}-{slot}").shuffle(items)  # the same order on every reload
        if len(items) > 1 and [i for i, _t in items] == sorted(i for i, _t in items):
            items = items[1:] + items[:1]  # never shown already in the right order
        return {"items": [{"id": i, "text": rich.plain(t)} for i, t in items]}
    return {}


def exams_open_to(official, *, now=None) -> list:
    """Published exams this official is a candidate for and may sit now (their accommodation's window counts),
    plus any exam they have a sitting in progress: rows of exam, attempts, open attempt, attempts allowed."""
    from django.utils import timezone

    from org.selectors import audience_q

    from .models import Attempt, Exam, ExamOverride

    now = now or timezone.now()
    overrides = {o.exam_id: o for o in ExamOverride.objects.filter(official=official)}
    in_progress = set(Attempt.objects.filter(official=official, status=Attempt.Status.IN_PROGRESS)
                      .values_list("exam_id", flat=True))
    window = ((Q(opens_at__isnull=True) | Q(opens_at__lte=now)) & (Q(closes_at__isnull=True) | Q(closes_at__gt=now)))
    candidates = (Exam.objects.filter(is_published=True)
                  .filter(window | Q(pk__in=list(overrides)) | Q(pk__in=in_progress))
                  .order_by("closes_at", "title"))
    mine = {}
    for a in Attempt.objects.filter(official=official, exam__in=candidates).order_by("number"):
        mine.setdefault(a.exam_id, []).append(a)
    from org.models import Official

    from .models import Seat, Shift

    session_exams = set(Shift.objects.filter(exam__in=candidates).values_list("exam_id", flat=True))
    seated = set(Seat.objects.filter(candidate__official=official, room_shift__shift__exam__in=session_exams)
                 .exclude(attendance=Seat.Attendance.REMOVED).values_list("room_shift__shift__exam_id", flat=True))
    rows = []
    for exam in candidates:
        attempts = mine.get(exam.pk, [])
        current = next((a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None)
        override = overrides.get(exam.pk)
        opens = (override and override.opens_at) or exam.opens_at
        closes = (override and override.closes_at) or exam.closes_at
        if current is None:
            if (opens and now < opens) or (closes and now >= closes):
                continue
            if exam.pk in session_exams:  # a session's list, not the exam's audience, says who sits it
                if exam.pk not in seated:
                    continue
            elif not Official.objects.filter(audience_q(exam), pk=official.pk).exists():
                continue
        allowed = exam.attempts_allowed + (override.extra_attempts if override and exam.attempts_allowed else 0)
        rows.append({"exam": exam, "attempts": attempts, "current": current, "closes_at": closes,
                     "attempts_allowed": allowed, "extra_minutes": override.extra_minutes if override else 0,
                     "can_start": current is not None or not allowed or len(attempts) < allowed})
    return rows


IDLE_AFTER_SECONDS = 120


def exam_monitor(exam, *, now=None) -> list[dict]:
    """A live sitting for trainers: who started, who submitted, who is idle, focus losses — in one query."""
    from django.db.models import Max
    from django.utils import timezone

    from .models import Attempt

    now = now or timezone.now()
    rows = (Attempt.objects.filter(exam=exam).select_related("official__unit")
            .annotate(answered=Count("answers", distinct=True), last_save=Max("answers__saved_at"),
                      focus_lost=Count("events", filter=Q(events__kind="focus_lost"), distinct=True))
            .order_by("official__unit__path", "official__name_folded", "number"))
    out = []
    for a in rows:
        last = max(filter(None, [a.last_save, a.started_at]))
        out.append({"attempt": a, "answered": a.answered, "last_activity": last, "focus_lost": a.focus_lost,
                    "idle": a.status == Attempt.Status.IN_PROGRESS and (now - last).total_seconds() > IDLE_AFTER_SECONDS})
    return out


def exam_monitor_live(exam, *, now=None) -> dict:
    """The monitor's JSON: every sitting with its time left, and the candidates who have not started (the
    session's seats when the exam belongs to a session, else the exam's audience), grouped by room for a session."""
    from django.utils import timezone

    from org.models import Official
    from org.selectors import audience_q

    from .models import Attempt, Seat

    now = now or timezone.now()
    rows = exam_monitor(exam, now=now)
    seats = {s.candidate.official_id: s for s in Seat.objects.filter(room_shift__shift__exam=exam)
             .select_related("candidate__official__unit", "room_shift__room")}
    started = {r["attempt"].official_id for r in rows}
    out = []
    for r in rows:
        a = r["attempt"]
        seat = seats.get(a.official_id)
        out.append({"name": a.official.full_name, "unit": a.official.unit.name, "status": a.status,
                    "status_label": a.get_status_display(), "answered": r["answered"], "slots": a.slot_count,
                    "last_activity": timezone.localtime(r["last_activity"]).strftime("%H:%M:%S"),
                    "focus_lost": r["focus_lost"], "idle": r["idle"],
                    "seconds_left": max(0, int((a.deadline - now).total_seconds()))
                    if a.status == Attempt.Status.IN_PROGRESS else None,
                    "room": seat.room_shift.room.name if seat else "", "number": seat.candidate.number if seat else ""})
    if seats:
        waiting = [{"name": s.candidate.official.full_name, "unit": s.candidate.official.unit.name,
                    "room": s.room_shift.room.name, "number": s.candidate.number,
                    "attendance": s.get_attendance_display()}
                   for s in sorted(seats.values(), key=lambda s: (s.room_shift.room.name, s.seat))
                   if s.candidate.official_id not in started]
    else:
        waiting = [{"name": name, "unit": unit, "room": "", "number": code, "attendance": ""}
                   for name, unit, code in Official.objects.filter(audience_q(exam)).exclude(pk__in=started)
                   .order_by("unit__path", "name_folded").values_list("full_name", "unit__name", "employee_code")[:500]]
    return {"rows": out, "not_started": waiting,
            "counts": {"started": len(out), "submitted": sum(r["status"] != "in_progress" for r in out),
                       "idle": sum(r["idle"] for r in out), "not_started": len(waiting)}}


def exam_room_networks(*, now=None, lead_minutes: int = 60) -> list[str]:
    """The allowed IP ranges of published exams open now or opening within the hour (candidates sign in before the
    doors open): org.signin spares these rooms the open internet's per-address sign-in limits."""
    import datetime as dt

    from django.utils import timezone

    from .models import Exam

    now = now or timezone.now()
    texts = (Exam.objects.filter(is_published=True).exclude(allowed_ip_ranges="")
             .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now + dt.timedelta(minutes=lead_minutes)))
             .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
             .values_list("allowed_ip_ranges", flat=True))
    from .models import RoomShift

    # The rooms of exam sessions: open now, or whose shift starts within the hour.
    rooms = (RoomShift.objects.exclude(room__allowed_ip_ranges="")
             .filter(Q(status=RoomShift.Status.OPEN)
                     | Q(status=RoomShift.Status.WAITING, shift__starts_at__lte=now + dt.timedelta(minutes=lead_minutes),
                         shift__starts_at__gte=now - dt.timedelta(hours=12)))
             .values_list("room__allowed_ip_ranges", flat=True))
    return [line.strip() for text in [*texts, *rooms] for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]
