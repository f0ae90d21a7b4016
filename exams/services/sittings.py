"""A sitting's life on the server: starting it (eligibility, window, attempts, the drawn and frozen paper),
accommodations that move its deadline, submitting and grading it, and the periodic finalisation of sittings whose time
is over. The server's clock decides; answers are saved by `answers`, the room's rules are in `room`."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from random import Random

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.grading import from_paper, grade, paper_layout

from ..models import Attempt, AttemptEvent, AttemptQuestion, Exam, ExamOverride, Question
from ..signals import attempt_graded
from .errors import ExamRefused
from .room import access_code_check, ip_allowed, ip_refusal

logger = logging.getLogger(__name__)

# A save that left the browser just before the deadline may arrive a moment after it.
SAVE_GRACE = dt.timedelta(seconds=5)


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



@dataclass
class Terms:
    """The rules that apply to one official for one exam, once their accommodation is taken into account."""

    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    attempts_allowed: int
    minutes: int


_LOOK_UP = object()


def exam_terms(*, exam: Exam, official, seat=_LOOK_UP, override=_LOOK_UP) -> Terms:
    """The exam's window, attempts and time for this official, with their personal accommodation if any and the
    time a supervisor added in the room (`seat`, when the caller has it; None: the exam has no session). `override`:
    the accommodation when the caller knows it (None: there is none)."""
    from ..models import Seat

    if override is _LOOK_UP:
        override = ExamOverride.objects.filter(exam=exam, official=official).first()
    terms = Terms(exam.opens_at, exam.closes_at, exam.attempts_allowed, exam.time_limit_minutes)
    # Time a supervisor added in the room (an incident) counts like an accommodation.
    if seat is not _LOOK_UP:
        terms.minutes += seat.extra_minutes if seat is not None else 0
    else:
        terms.minutes += sum(Seat.objects.filter(room_shift__shift__exam=exam, candidate__official=official)
                             .values_list("extra_minutes", flat=True))
    if override is not None:
        terms.opens_at = override.opens_at or terms.opens_at
        terms.closes_at = override.closes_at or terms.closes_at
        if terms.attempts_allowed:
            terms.attempts_allowed += override.extra_attempts
        terms.minutes += override.extra_minutes
    return terms


def paper_draw(exam: Exam) -> list[tuple]:
    """A new paper: (version, points, option order, identifiers, section id, draw) per slot, in paper order. Each
    paper its own questions, option order and identifiers, from the system's cryptographic RNG: nothing the
    candidate receives can be computed from the sitting's number or the bank (ARCHITECTURE.md, the exam
    contract). Used at the start, and at a session's check-in (services.sessions)."""
    rng = Random(secrets.randbits(64))
    drawn = _draw(exam, rng)
    if exam.shuffle_questions:
        rng.shuffle(drawn)
    paper = []
    for question, points, (section_id, draw) in drawn:
        version = question.current_version
        version.question = question  # known, not queried: the start's reply renders the paper from these
        order, elements = paper_layout(question.kind, version.data, shuffle=exam.shuffle_options)
        paper.append((version, points, order, elements, section_id, draw))
    return paper


def attempt_start(*, exam: Exam, official, access_code: str = "", code_checked: bool = False, ip: str | None = None,
                  now: dt.datetime | None = None, prepared_tried: bool = False) -> Attempt:
    """Start a sitting, or resume the open one. Checks eligibility (the exam's audience), the window and attempts
    (with the official's accommodation), the access code (also to resume, unless `code_checked`: this browser
    session gave it already) and the allowed IP ranges. Starting draws and freezes the paper: question versions,
    their order, each question's option order and the paper's own identifiers. The server's clock sets the
    deadline. `prepared_tried`: the caller has tried `attempt_start_prepared` itself (the API's start)."""
    from .sessions import attempt_start_prepared

    now = now or timezone.now()
    if not ip_allowed(exam.allowed_ip_ranges, ip):
        raise ip_refusal(ip)
    # A whole room starts within seconds of its shift opening: the usual case is a read and one statement, atomic
    # by itself (no transaction around it).
    started = None if prepared_tried else attempt_start_prepared(exam_id=exam.pk, user_id=official.user_id, ip=ip,
                                                                  now=now)
    if started is not None:
        started.exam, started.official = exam, official
        return started
    return _attempt_start(exam=exam, official=official, access_code=access_code, code_checked=code_checked, ip=ip,
                          now=now)


@transaction.atomic
def _attempt_start(*, exam: Exam, official, access_code: str, code_checked: bool, ip: str | None,
                   now: dt.datetime) -> Attempt:
    """The general path of `attempt_start`: every rule checked under the lock of the person's sittings."""
    from org.selectors import in_audience

    from .sessions import paper_copy_prepared, seat_for_start, seat_start_check

    # An exam of a session (kỳ sát hạch) is started only in the candidate's room, once its shift is open.
    seat = seat_for_start(exam=exam, official=official)
    if seat is not None:
        seat_start_check(seat=seat, ip=ip)
    # One query: the person's sittings of this exam, locked (the open one is resumed; the others are counted; a
    # READY one, prepared at a session's check-in, is the one this start turns on).
    mine = list(Attempt.with_prepared.select_for_update().filter(exam=exam, official=official))
    ready = next((a for a in mine if a.status == Attempt.Status.READY), None)
    if ready is not None:
        mine.remove(ready)
    open_attempt = next((a for a in mine if a.status == Attempt.Status.IN_PROGRESS), None)
    if open_attempt is not None:
        if open_attempt.deadline + SAVE_GRACE <= now:
            attempt_submit(attempt=open_attempt, now=now, timed_out=True)
        else:
            if not code_checked:
                access_code_check(exam=exam, official=official, code=access_code, resuming=True)
            AttemptEvent.objects.create(attempt=open_attempt, kind="resume", at=now, ip=ip)
            return open_attempt
    if not exam.is_published:
        raise ExamRefused(_("This exam is not open now."))
    if seat is None and not in_audience(exam, official):  # a session's list replaces the exam's audience
        raise ExamRefused(_("You are not on the list of candidates for this exam. If you think you should be, "
                            "contact your unit's personnel officer."))
    terms = exam_terms(exam=exam, official=official, seat=seat)  # a refused seat never gets here
    if (terms.opens_at and now < terms.opens_at) or (terms.closes_at and now >= terms.closes_at):
        raise ExamRefused(_("This exam is not open now."))
    access_code_check(exam=exam, official=official, code=access_code)
    done = len(mine)
    if terms.attempts_allowed and done >= terms.attempts_allowed:
        raise ExamRefused(_("You have used all the attempts this exam allows."))
    prepared = getattr(seat, "paper", None) if seat is not None else None
    deadline = now + dt.timedelta(minutes=terms.minutes)
    if terms.closes_at:
        deadline = min(deadline, terms.closes_at)
    if ready is not None and prepared is not None and prepared.attempt_id == ready.pk:
        # The sitting and its 60 slots were written at check-in: a whole room's start is one UPDATE each.
        ready.status, ready.started_at, ready.deadline, ready.started_ip = (Attempt.Status.IN_PROGRESS, now,
                                                                              deadline, ip)
        ready.save(update_fields=["status", "started_at", "deadline", "started_ip"])
        AttemptEvent.objects.create(attempt=ready, kind="start", at=now, ip=ip, detail={"seat": seat.pk})
        ready.exam, ready.prepared_paper_id = exam, prepared.pk  # the reply sends the paper rendered at check-in
        return ready
    paper = paper_draw(exam) if prepared is None else []
    try:
        attempt = Attempt.objects.create(
            exam=exam, official=official, number=done + 1, started_at=now, deadline=deadline, started_ip=ip,
            slot_count=prepared.slot_count if prepared else len(paper),
            max_score=prepared.max_score if prepared else sum((row[1] for row in paper), Decimal(0)))
    except IntegrityError:  # a second tab started at the same moment: use the sitting it created
        raise ExamRefused(_("This exam was just started in another window. Reload the page to continue."))
    if prepared is not None:  # drawn, frozen and rendered at check-in: the start copies it
        paper_copy_prepared(prepared_id=prepared.pk, attempt=attempt)
        AttemptEvent.objects.create(attempt=attempt, kind="start", at=now, ip=ip, detail={"seat": seat.pk})
        attempt.prepared_paper_id = prepared.pk  # the reply sends the paper rendered at check-in
        return attempt
    paper_write(attempt=attempt, paper=paper)
    AttemptEvent.objects.create(attempt=attempt, kind="start", at=now, ip=ip)
    attempt.drawn_paper = paper  # the reply renders it from memory: nothing to read back, no answers yet
    return attempt


# A drawn paper's slots in one statement, from one array per column (PostgreSQL): the ORM's bulk_create built and
# adapted 60 model instances per start, about a sixth of a start's time under cProfile.
_PAPER_WRITE = """
INSERT INTO exams_attemptquestion (attempt_id, slot, version_id, points, option_order, elements, comment, section_id,
                                   draw)
SELECT %(attempt)s, s.slot, s.version, s.points, CAST(s.option_order AS jsonb), CAST(s.elements AS jsonb), '',
       s.section, s.draw
FROM unnest(CAST(%(slot)s AS int[]), CAST(%(version)s AS bigint[]), CAST(%(points)s AS numeric[]),
            CAST(%(option_order)s AS text[]), CAST(%(elements)s AS text[]), CAST(%(section)s AS bigint[]),
            CAST(%(draw)s AS int[])) AS s(slot, version, points, option_order, elements, section, draw)
"""


def paper_write(*, attempt: Attempt, paper: list[tuple]) -> None:
    """The sitting's frozen slots from `paper_draw`'s rows, numbered from 1 in paper order."""
    import json

    from django.db import connection

    from common.db import execute_prepared

    if connection.vendor != "postgresql":
        AttemptQuestion.objects.bulk_create([
            AttemptQuestion(attempt=attempt, slot=i, version=version, points=points, option_order=order,
                            elements=elements, section_id=section_id, draw=draw)
            for i, (version, points, order, elements, section_id, draw) in enumerate(paper, start=1)])
        return
    columns = {"attempt": attempt.pk, "slot": list(range(1, len(paper) + 1)),
               "version": [row[0].pk for row in paper], "points": [row[1] for row in paper],
               "option_order": [json.dumps(row[2]) for row in paper], "elements": [json.dumps(row[3]) for row in paper],
               "section": [row[4] for row in paper], "draw": [row[5] for row in paper]}
    execute_prepared(_PAPER_WRITE, columns, fetch=False)


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



@transaction.atomic
def attempt_submit(*, attempt: Attempt, now: dt.datetime | None = None, timed_out: bool = False) -> Attempt:
    """Finish a sitting and grade it. Safe to call twice: a finished sitting is returned unchanged."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return attempt
    responses = {answer.slot: answer.response for answer in attempt.answers.all()}
    total, manual = Decimal(0), False
    slots = list(attempt.slots.select_related("version__question"))
    rules = attempt.exam.grading_rules()
    for slot in slots:
        kind = slot.version.question.kind
        slot.fraction = grade(kind, slot.version.data, from_paper(kind, responses.get(slot.slot), slot.elements),
                              option_order=slot.option_order, **rules)
        if slot.fraction is None:
            manual = True
        else:
            total += slot.points * Decimal(str(round(slot.fraction, 6)))
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

