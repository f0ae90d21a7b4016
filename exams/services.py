"""Writes for the question bank: saving questions as versions, and importing whole banks all-or-nothing."""
from __future__ import annotations

import dataclasses
import functools
import datetime as dt
import ipaddress
import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from random import Random

import nh3
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.grading import from_paper, grade, paper_layout

from . import formats
from .formats.model import Choice, NumericAnswer
from .models import (Answer, Attempt, AttemptEvent, AttemptQuestion, Exam, ExamOverride, Question, QuestionVersion,
                     Topic)
from .signals import attempt_graded

logger = logging.getLogger(__name__)

CONTENT_FIELDS = ("choices", "answers", "numeric", "pairs", "order", "truth")


def version_data(q: formats.Question) -> dict:
    """The kind-specific part of a neutral question, as stored in `QuestionVersion.data`."""
    raw = asdict(q)
    data = {k: raw[k] for k in CONTENT_FIELDS}
    data["pairs"] = [list(p) for p in data["pairs"]]
    return data


def to_format(version: QuestionVersion, *, category: str = "", tags: list[str] | None = None) -> formats.Question:
    """A stored version back in the neutral format, for export (difficulty and tags are the question's own;
    `tags` saves a query when the caller has them already)."""
    d = version.data
    question = version.question
    return formats.Question(
        kind=question.kind, name=version.name, text=version.text, category=category,
        choices=[Choice(**c) for c in d.get("choices", [])], general_feedback=version.general_feedback,
        default_mark=float(version.default_mark), answers=list(d.get("answers", [])),
        numeric=[NumericAnswer(**n) for n in d.get("numeric", [])], pairs=[tuple(p) for p in d.get("pairs", [])],
        order=list(d.get("order", [])), truth=d.get("truth"), difficulty=question.difficulty,
        tags=sorted(tags if tags is not None else (t.name for t in question.tags.all())),
        grader_info=version.grader_info)


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


# --- Sittings: the exam room's contract ---------------------------------------------------------------------

# A save that left the browser just before the deadline may arrive a moment after it.
SAVE_GRACE = dt.timedelta(seconds=5)


class ExamRefused(Exception):
    """The candidate may not start or continue; the message says why, in words they understand."""


class AttemptClosed(ExamRefused):
    pass


def _draw(exam: Exam, rng: Random) -> list[tuple[Question, Decimal, tuple[int, int]]]:
    # Every start pays this (2,000 candidates may start within a minute): the sections with their topics and fixed
    # questions in two queries, one id query per drawn pool, then all drawn questions in one. Each pick carries its
    # blueprint slot: (section, which of the section's questions), which the shuffle that follows does not move.
    fixed_q = Question.objects.filter(is_active=True).select_related("current_version")
    sections = exam.sections.select_related("topic").prefetch_related(
        Prefetch("fixed_questions", queryset=fixed_q, to_attr="fixed_active"))
    sections = list(sections)
    picks: list[tuple[Question | int, Decimal, tuple[int, int]]] = []
    # Fixed questions first, so a random section never draws a question the paper already holds.
    taken = {q.pk for section in sections for q in section.fixed_active}
    for section in sections:
        if section.fixed_active:
            picks.extend((q, section.points_per_question, (section.pk, n))
                         for n, q in enumerate(section.fixed_active, start=1))
            continue
        pool = Question.objects.filter(topic__path__startswith=section.topic.path, is_active=True,
                                       current_version__isnull=False).exclude(kind="description")
        if section.difficulty:
            pool = pool.filter(difficulty=section.difficulty)
        ids = [i for i in pool.values_list("id", flat=True) if i not in taken]
        if len(ids) < section.draw_count:
            raise ExamRefused(_("This exam cannot be started: a section has fewer questions than it draws. "
                                "Please tell the trainer."))
        drawn = rng.sample(ids, section.draw_count)
        taken.update(drawn)
        picks.extend((i, section.points_per_question, (section.pk, n)) for n, i in enumerate(drawn, start=1))
    by_id = Question.objects.select_related("current_version").in_bulk([q for q, *_ in picks if isinstance(q, int)])
    return [(by_id[q] if isinstance(q, int) else q, points, place) for q, points, place in picks]


def ip_allowed(ranges: str, ip: str | None) -> bool:
    """Whether `ip` lies in one of the ranges (one address or CIDR per line); empty ranges allow any address."""
    networks = [line.strip() for line in (ranges or "").splitlines() if line.strip() and not line.strip().startswith("#")]
    if not networks:
        return True
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    for net in networks:
        try:
            if address in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue  # refused when the exam was saved; an old bad line never opens the room
    return False


@dataclass
class Terms:
    """The rules that apply to one official for one exam, once their accommodation is taken into account."""

    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    attempts_allowed: int
    minutes: int


def exam_terms(*, exam: Exam, official) -> Terms:
    """The exam's window, attempts and time for this official, with their personal accommodation if any."""
    override = ExamOverride.objects.filter(exam=exam, official=official).first()
    terms = Terms(exam.opens_at, exam.closes_at, exam.attempts_allowed, exam.time_limit_minutes)
    if override is not None:
        terms.opens_at = override.opens_at or terms.opens_at
        terms.closes_at = override.closes_at or terms.closes_at
        if terms.attempts_allowed:
            terms.attempts_allowed += override.extra_attempts
        terms.minutes += override.extra_minutes
    return terms


@transaction.atomic
def attempt_start(*, exam: Exam, official, access_code: str = "", code_checked: bool = False, ip: str | None = None,
                  now: dt.datetime | None = None) -> Attempt:
    """Start a sitting, or resume the open one. Checks eligibility (the exam's audience), the window and attempts
    (with the official's accommodation), the access code (also to resume, unless `code_checked`: this browser
    session gave it already) and the allowed IP ranges. Starting draws and freezes the paper: question versions,
    their order, each question's option order and the paper's own identifiers. The server's clock sets the
    deadline."""
    from org.selectors import in_audience

    now = now or timezone.now()
    if not ip_allowed(exam.allowed_ip_ranges, ip):
        raise _ip_refused(ip)
    open_attempt = Attempt.objects.select_for_update().filter(exam=exam, official=official,
                                                             status=Attempt.Status.IN_PROGRESS).first()
    if open_attempt is not None:
        if open_attempt.deadline + SAVE_GRACE <= now:
            attempt_submit(attempt=open_attempt, now=now, timed_out=True)
        else:
            if not code_checked:
                access_code_check(exam=exam, official=official, code=access_code)
            AttemptEvent.objects.create(attempt=open_attempt, kind="resume", at=now, ip=ip)
            return open_attempt
    if not exam.is_published:
        raise ExamRefused(_("This exam is not open now."))
    if not in_audience(exam, official):
        raise ExamRefused(_("You are not on the list of candidates for this exam. If you think you should be, "
                            "contact your unit's personnel officer."))
    terms = exam_terms(exam=exam, official=official)
    if (terms.opens_at and now < terms.opens_at) or (terms.closes_at and now >= terms.closes_at):
        raise ExamRefused(_("This exam is not open now."))
    access_code_check(exam=exam, official=official, code=access_code)
    done = Attempt.objects.filter(exam=exam, official=official).count()
    if terms.attempts_allowed and done >= terms.attempts_allowed:
        raise ExamRefused(_("You have used all the attempts this exam allows."))
    rng = Random(secrets.randbits(64))
    drawn = _draw(exam, rng)
    if exam.shuffle_questions:
        rng.shuffle(drawn)
    deadline = now + dt.timedelta(minutes=terms.minutes)
    if terms.closes_at:
        deadline = min(deadline, terms.closes_at)
    try:
        attempt = Attempt.objects.create(exam=exam, official=official, number=done + 1, started_at=now,
                                         deadline=deadline, started_ip=ip, slot_count=len(drawn),
                                         max_score=sum((p for _q, p, _b in drawn), Decimal(0)))
    except IntegrityError:  # a second tab started at the same moment: use the sitting it created
        raise ExamRefused(_("This exam was just started in another window. Reload the page to continue."))
    slots = []
    for i, (question, points, (section_id, draw)) in enumerate(drawn, start=1):
        # Each paper its own option order and identifiers, from the system's cryptographic RNG: nothing the candidate
        # receives can be computed from the sitting's number or the bank (ARCHITECTURE.md, the exam contract).
        order, elements = paper_layout(question.kind, question.current_version.data, shuffle=exam.shuffle_options)
        slots.append(AttemptQuestion(attempt=attempt, slot=i, version=question.current_version, points=points,
                                     option_order=order, elements=elements, section_id=section_id, draw=draw))
    AttemptQuestion.objects.bulk_create(slots)
    AttemptEvent.objects.create(attempt=attempt, kind="start", at=now, ip=ip)
    return attempt


@transaction.atomic
def exam_override_save(*, exam: Exam, official, extra_minutes: int = 0, opens_at=None, closes_at=None,
                       extra_attempts: int = 0, reason: str = "", by=None) -> ExamOverride:
    """Give one official an accommodation for an exam (replacing any earlier one). An open sitting gets the
    extra time at once."""
    override, _created = ExamOverride.objects.update_or_create(
        exam=exam, official=official,
        defaults={"extra_minutes": extra_minutes, "opens_at": opens_at, "closes_at": closes_at,
                  "extra_attempts": extra_attempts, "reason": reason, "created_by": by})
    attempt_extend_open(exam=exam, official=official)
    return override


def attempt_extend_open(*, exam: Exam, official) -> None:
    """Recompute the deadline of the official's open sitting from their current terms (an accommodation given
    mid-sitting counts at once)."""
    attempt = Attempt.objects.select_for_update().filter(exam=exam, official=official,
                                                        status=Attempt.Status.IN_PROGRESS).first()
    if attempt is None:
        return
    terms = exam_terms(exam=exam, official=official)
    deadline = attempt.started_at + dt.timedelta(minutes=terms.minutes)
    if terms.closes_at:
        deadline = min(deadline, terms.closes_at)
    if deadline != attempt.deadline:
        AttemptEvent.objects.create(attempt=attempt, kind="deadline", at=timezone.now(),
                                    detail={"from": attempt.deadline.isoformat(), "to": deadline.isoformat()})
        attempt.deadline = deadline
        attempt.save(update_fields=["deadline"])


class TakenOver(ExamRefused):
    pass


class IpRefused(ExamRefused):
    """The request comes from outside the exam's allowed IP ranges."""


class AccessCodeNeeded(ExamRefused):
    """Opening the sitting in a new session needs the exam's access code again (as Moodle's password rule)."""


class Throttled(ExamRefused):
    """Too many tries: wait `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class AnswerInvalid(ExamRefused):
    """An answer the database cannot or must not store (too large, or characters that are not text)."""


def _ip_refused(ip: str | None) -> IpRefused:
    return IpRefused(_("This exam can only be taken from the exam room's computers (your address is %(ip)s). Ask "
                       "the proctor.") % {"ip": ip or "?"})


# Exams that admit only some addresses, with their ranges: read at most every ROOM_RULES_TTL seconds per process, in one
# query for all exams. The autosave is the hottest request of an exam (bench/README.md): its statement is told which of
# them refuse this address and writes nothing for their sittings, so it pays no look-up of its own.
ROOM_RULES_TTL = 30.0
_ranged_exams: dict[str, object] = {"until": 0.0, "ranges": {}, "by_ip": {}}


def room_rules_forget() -> None:
    """Drop this process's copy of the exams' IP ranges (after an exam is saved, say): read again at the next save."""
    _ranged_exams["until"] = 0.0


def _exams_refusing(ip: str | None) -> list[int]:
    """The exams whose IP ranges do not admit `ip` (worked out once per address while the copy lasts)."""
    now = time.monotonic()
    if _ranged_exams["until"] <= now:
        _ranged_exams["ranges"] = dict(Exam.objects.exclude(allowed_ip_ranges="").values_list("pk", "allowed_ip_ranges"))
        _ranged_exams["by_ip"] = {}
        _ranged_exams["until"] = now + ROOM_RULES_TTL
    by_ip = _ranged_exams["by_ip"]
    if ip not in by_ip:
        if len(by_ip) > 10_000:
            by_ip.clear()
        by_ip[ip] = [pk for pk, ranges in _ranged_exams["ranges"].items() if not ip_allowed(ranges, ip)]
    return by_ip[ip]


def sitting_guard(*, attempt: Attempt, ip: str | None) -> None:
    """The rules every request of an open sitting obeys, not only its start: the exam's allowed IP ranges.
    Raises IpRefused."""
    if attempt.status == Attempt.Status.IN_PROGRESS and not ip_allowed(attempt.exam.allowed_ip_ranges, ip):
        raise _ip_refused(ip)


ACCESS_CODE_TRIES = 5
ACCESS_CODE_WINDOW = 300  # seconds


def access_code_check(*, exam: Exam, official, code: str) -> None:
    """Check an exam's access code, at most ACCESS_CODE_TRIES wrong guesses per person and exam in
    ACCESS_CODE_WINDOW seconds (a code is short: it must not be guessed by trying). Raises ExamRefused or Throttled."""
    from common.http import failures_count, failure_record

    if not exam.access_code:
        return
    key = f"exam-code:{exam.pk}:{official.pk}"
    if failures_count(key) >= ACCESS_CODE_TRIES:
        raise Throttled(_("The access code was entered wrongly too many times. Wait %(minutes)s minutes or ask the "
                          "proctor.") % {"minutes": ACCESS_CODE_WINDOW // 60}, retry_after=ACCESS_CODE_WINDOW)
    if not secrets.compare_digest(code.strip().encode(), exam.access_code.encode()):
        failure_record(key, period=ACCESS_CODE_WINDOW)
        raise ExamRefused(_("The access code is not right. Ask the proctor for it."))


def attempt_claim(*, attempt: Attempt, client: str, ip: str | None = None, now: dt.datetime | None = None) -> None:
    """The tab `client` now holds the sitting (opening it on another device takes it over)."""
    if client and attempt.active_client != client:
        Attempt.objects.filter(pk=attempt.pk).update(active_client=client)
        AttemptEvent.objects.create(attempt=attempt, kind="takeover" if attempt.active_client else "open",
                                    at=now or timezone.now(), ip=ip, detail={"client": client})
        attempt.active_client = client


EVENTS_PER_MINUTE = 60


def attempt_log(*, attempt: Attempt, kind: str, ip: str | None = None, detail: dict | None = None) -> None:
    """Record a focus loss or reconnect reported by the exam room, for the trainers' monitor; at most
    EVENTS_PER_MINUTE per sitting (a script must not flood the audit trail). Raises Throttled."""
    from common.http import rate_exceeded

    if rate_exceeded(f"exam-events:{attempt.pk}", limit=EVENTS_PER_MINUTE, period=60):
        raise Throttled(_("Too many events from this exam room; they are recorded again in a minute."),
                        retry_after=60)
    AttemptEvent.objects.create(attempt=attempt, kind=kind[:24], at=timezone.now(), ip=ip, detail=detail or {})


ANSWER_MAX_BYTES = 64 * 1024
SLOT_MAX = 32767  # the column's range


def _answer_checked(response: dict) -> None:
    """Refuse an answer that is too large, or holds U+0000 or a lone surrogate (PostgreSQL's jsonb stores neither,
    and such an answer would be retried for ever)."""
    def bad(value) -> bool:
        if isinstance(value, str):
            return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)
        if isinstance(value, dict):
            return any(bad(k) or bad(v) for k, v in value.items())
        if isinstance(value, list):
            return any(bad(v) for v in value)
        return False

    if bad(response):
        raise AnswerInvalid(_("This answer contains characters that are not text (for example a null character). "
                              "Remove them and answer again."))
    if len(json.dumps(response, ensure_ascii=False).encode()) > ANSWER_MAX_BYTES:
        raise AnswerInvalid(_("This answer is too long: at most %(kb)s KB can be saved for one question.")
                            % {"kb": ANSWER_MAX_BYTES // 1024})


@functools.lru_cache(maxsize=4)
def _answer_write_sql(vendor: str, owner_checked: bool) -> str:
    q = connection.ops.quote_name
    a, o = Attempt._meta, Attempt._meta.get_field("official").related_model._meta
    table = q(Answer._meta.db_table)
    cols = ", ".join(q(c) for c in ("attempt_id", "slot", "response", "seq", "saved_at"))
    owner = f"INNER JOIN {q(o.db_table)} o ON o.{q('id')} = a.{q('official_id')} " if owner_checked else ""
    return (f"INSERT INTO {table} ({cols}) "
            f"SELECT a.{q('id')}, %s, %s, %s, %s FROM {q(a.db_table)} a {owner}"
            f"WHERE a.{q('id')} = %s {'AND o.' + q('user_id') + ' = %s ' if owner_checked else ''}"
            f"AND a.{q('status')} = %s AND a.{q('deadline')} >= %s "
            f"AND (%s = '' OR a.{q('active_client')} = '' OR a.{q('active_client')} = %s) "
            f"AND %s BETWEEN 1 AND a.{q('slot_count')} "
            # The exams whose IP ranges refuse this address (usually none), as one parameter: the text stays the same
            # and the statement prepared.
            f"AND a.{q('exam_id')} "
            f"{'<> ALL(%s::bigint[]) ' if vendor == 'postgresql' else 'NOT IN (SELECT value FROM json_each(%s)) '}"
            # SQLite has no row locks: its writers are serialised by the database lock a submit holds till commit.
            f"{'FOR KEY SHARE OF a ' if vendor == 'postgresql' else ''}"
            f"ON CONFLICT ({q('attempt_id')}, {q('slot')}) DO UPDATE SET "
            f"{q('response')} = excluded.{q('response')}, {q('seq')} = excluded.{q('seq')}, "
            f"{q('saved_at')} = excluded.{q('saved_at')} WHERE {table}.{q('seq')} < excluded.{q('seq')} "
            f"RETURNING {q('seq')}")


def _answer_write(*, attempt_id: int, user_id: int | None, slot: int, response: dict, seq: int, now: dt.datetime,
                  client: str, refused_exams: list[int] = ()) -> int | None:
    """Store an answer in one statement, autocommitted (durable when it returns): insert it, or overwrite the stored
    one only if this sequence number is newer (the ORM cannot say "only if newer"). The same statement checks the
    sitting (owner when `user_id` is given, status, deadline, tab, slot, the exams refusing this address) and, on
    PostgreSQL, holds a KEY SHARE lock
    on the sitting's row while it writes. A submit or finalisation locks that row FOR UPDATE before it reads the
    answers, so the two are ordered: a save that comes first is in the grade; a save that comes during or after waits
    for the submit to commit, then finds the sitting finished and writes nothing (the caller answers 410). KEY SHARE
    is the weakest lock that conflicts with FOR UPDATE: saves do not wait for each other, nor for a claim or a
    deadline change. Returns the stored seq, or None when nothing was written."""
    sql = _answer_write_sql(connection.vendor, user_id is not None)
    params = [slot, _db(Answer, "response", response), seq, _db(Answer, "saved_at", now), attempt_id,
              *([user_id] if user_id is not None else []), Attempt.Status.IN_PROGRESS,
              _db(Attempt, "deadline", now - SAVE_GRACE), client, client, slot,
              list(refused_exams) if connection.vendor == "postgresql" else json.dumps(list(refused_exams))]
    if connection.vendor == "postgresql":
        # A prepared statement, once per connection (psycopg keeps it by the query's text): PostgreSQL then skips
        # parsing and planning on every later autosave (bench/README.md). Django's own cursors send parameters
        # inline and cannot prepare.
        import psycopg

        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            written = cursor.execute(sql, params, prepare=True).fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written = cursor.fetchone()
    return written[0] if written is not None else None


def _db(model, name: str, value):
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _why_not_saved(*, attempt: Attempt, slot: int, now: dt.datetime, client: str) -> int | None:
    """Nothing was written: say why (raise), or return the newer sequence number already stored, or None when the
    sitting now admits the save after all (its deadline was just extended, say)."""
    if attempt.status == Attempt.Status.SUBMITTED:
        raise AttemptClosed(_("This exam has already been submitted. This answer was not recorded."))
    if attempt.status != Attempt.Status.IN_PROGRESS or now > attempt.deadline + SAVE_GRACE:
        raise AttemptClosed(_("Time is up for this exam. This answer was not recorded."))
    if client and attempt.active_client and client != attempt.active_client:
        raise TakenOver(_("This exam was opened on another device or tab. Continue there; answers from this "
                          "window are no longer recorded."))
    if not 1 <= slot <= min(attempt.slot_count, SLOT_MAX):
        raise ExamRefused(_("There is no question %(n)s on this paper.") % {"n": slot})
    # An answer with this or a newer sequence number is already stored: reply with it (idempotent).
    return Answer.objects.filter(attempt=attempt, slot=slot).values_list("seq", flat=True).first()


def _save(write, load, *, slot: int, now: dt.datetime, client: str) -> int:
    for _try in range(2):
        written = write() if 1 <= slot <= SLOT_MAX else None
        if written is not None:
            return written
        stored = _why_not_saved(attempt=load(), slot=slot, now=now, client=client)
        if stored is not None:
            return stored
    raise AttemptClosed(_("This exam has already been submitted. This answer was not recorded."))


def answer_save(*, attempt: Attempt, slot: int, response: dict, seq: int, now: dt.datetime | None = None,
                client: str = "") -> int:
    """Store one answer if its sequence number is newer than the stored one, while the sitting is open (refused
    once a submit or finalisation has begun). Returns the sequence number now stored, so a retried request gets the
    same reply (idempotent). Raises AttemptClosed, TakenOver, AnswerInvalid or ExamRefused."""
    now = now or timezone.now()
    _answer_checked(response)

    def load():
        attempt.refresh_from_db(fields=["status", "deadline", "active_client", "slot_count"])
        return attempt

    return _save(lambda: _answer_write(attempt_id=attempt.pk, user_id=None, slot=slot, response=response, seq=seq,
                                       now=now, client=client), load, slot=slot, now=now, client=client)


def answer_save_own(*, user, attempt_id: int, slot: int, response: dict, seq: int, client: str = "",
                    ip: str | None = None, now: dt.datetime | None = None) -> int:
    """The exam room's autosave, for the signed-in official's own sitting: the hottest request of an exam
    (bench/README.md). When the save is accepted, which is nearly always, ownership, status, deadline, tab and
    slot, and the exam's IP ranges (from this process's memory), are checked by the very statement that writes
    (`_answer_write`: one round trip, ordered with any submit). When it writes nothing, the sitting is loaded and says
    why: Attempt.DoesNotExist (not theirs, or no such sitting), AttemptClosed, TakenOver, IpRefused, AnswerInvalid,
    ExamRefused, or the newer sequence number already stored."""
    from .selectors import attempts_of

    now = now or timezone.now()
    if not user.is_authenticated:
        raise Attempt.DoesNotExist
    _answer_checked(response)

    def load():
        attempt = attempts_of(user).get(pk=attempt_id)  # someone else's sitting is a 404, not a refusal
        sitting_guard(attempt=attempt, ip=ip)
        if attempt.exam_id in _exams_refusing(ip):  # the ranges changed since this process read them
            room_rules_forget()
        return attempt

    return _save(lambda: _answer_write(attempt_id=attempt_id, user_id=user.pk, slot=slot, response=response, seq=seq,
                                       now=now, client=client, refused_exams=_exams_refusing(ip)), load, slot=slot,
                 now=now, client=client)


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now: dt.datetime | None = None, timed_out: bool = False) -> Attempt:
    """Finish a sitting and grade it. Safe to call twice: a finished sitting is returned unchanged."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return attempt
    answers = {a.slot: a.response for a in attempt.answers.all()}
    total, manual = Decimal(0), False
    slots = list(attempt.slots.select_related("version__question"))
    rules = attempt.exam.grading_rules()
    for s in slots:
        s.fraction = grade(s.version.question.kind, s.version.data,
                           from_paper(s.version.question.kind, answers.get(s.slot), s.elements),
                           option_order=s.option_order, **rules)
        if s.fraction is None:
            manual = True
        else:
            total += s.points * Decimal(str(round(s.fraction, 6)))
    total = max(total, Decimal(0))  # negative marking never takes an attempt below zero
    AttemptQuestion.objects.bulk_update(slots, ["fraction"])
    attempt.status = Attempt.Status.TIMED_OUT if timed_out else Attempt.Status.SUBMITTED
    attempt.submitted_at = min(now, attempt.deadline) if timed_out else now
    attempt.score = total.quantize(Decimal("0.01"))
    attempt.needs_manual_grading = manual
    attempt.save(update_fields=["status", "submitted_at", "score", "needs_manual_grading"])
    AttemptEvent.objects.create(attempt=attempt, kind="timeout" if timed_out else "submit", at=now)
    transaction.on_commit(lambda: attempt_graded.send(sender=Attempt, attempt=attempt))
    return attempt


FINALISE_BATCH = 100


def attempts_finalise_overdue(*, now: dt.datetime | None = None, batch: int = FINALISE_BATCH) -> int:
    """Submit every sitting whose deadline has passed (the periodic task, every 30 s). Safe to run twice, and runs
    that overlap share the work instead of queueing on the same rows: each takes a batch of sittings no other run
    holds (SKIP LOCKED on PostgreSQL). When a whole exam ends at once, thousands are overdue together
    (bench/README.md). A sitting that cannot be graded is logged and left for the next run; it does not hold up
    the others."""
    now = now or timezone.now()
    count, failed = 0, set()
    while True:
        with transaction.atomic():
            # NO KEY UPDATE: skip the sittings another finaliser run holds, but not those an autosave holds for a
            # moment (its KEY SHARE lock); attempt_submit then waits for that save, which is in the grade.
            ids = list(Attempt.objects.select_for_update(skip_locked=True, no_key=True)
                       .filter(status=Attempt.Status.IN_PROGRESS, deadline__lt=now - SAVE_GRACE)
                       .exclude(pk__in=failed).order_by("deadline", "pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return count
            for attempt in Attempt.objects.filter(pk__in=ids).order_by("pk"):
                try:
                    if attempt_submit(attempt=attempt, now=now, timed_out=True).status == Attempt.Status.TIMED_OUT:
                        count += 1
                except Exception:  # noqa: BLE001 — one bad sitting must not stop the deadline for everyone
                    logger.exception("Could not finalise attempt %s", attempt.pk)
                    failed.add(attempt.pk)


def exam_permissions_setup() -> None:
    """Trainers build topics, exams and sections in the admin. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    from org import roles

    trainer, _created = Group.objects.get_or_create(name=roles.TRAINER)
    codenames = [f"{action}_{model}" for model in ("exam", "examsection", "examoverride", "topic")
                 for action in ("add", "change", "delete", "view")]
    trainer.permissions.add(*Permission.objects.filter(content_type__app_label="exams", codename__in=codenames))
