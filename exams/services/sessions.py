"""Exam sessions (kỳ sát hạch): the candidate list and its numbers, seats in rooms and shifts, check-in, opening
and closing a room's shift, incidents, the council's publication of results and second marking. Every change is
written to the session's log with who did it and when."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import aware, execute_prepared

from ..models import (Attempt, AttemptEvent, AttemptQuestion, Candidate, ExamSession, Incident, PreparedPaper,
                      RoomShift, Seat, SecondMarking, SessionLog, Shift)
from .errors import ExamRefused
from .room import room_rules_forget


def _log(session, action: str, *, by=None, room_shift=None, **detail) -> None:
    SessionLog.objects.create(session=session, room_shift=room_shift, action=action, detail=detail, by=by,
                              at=timezone.now())


# --- The candidate list ------------------------------------------------------------------------------------------

@transaction.atomic
def session_candidates_add(*, session: ExamSession, officials, by=None) -> int:
    """Put officials on the list, each with the next candidate number (prefix and four digits, in the order given);
    one already on it keeps their number. Returns how many were added."""
    ExamSession.objects.select_for_update().get(pk=session.pk)  # numbers are handed out one list change at a time
    have = set(session.candidates.values_list("official_id", flat=True))
    taken = set(session.candidates.values_list("number", flat=True))
    n, added = session.candidates.count(), []
    for official in officials:
        if official.pk in have:
            continue
        n += 1
        number = f"{session.number_prefix}{n:04d}"
        while number in taken:
            n += 1
            number = f"{session.number_prefix}{n:04d}"
        taken.add(number)
        have.add(official.pk)
        added.append(Candidate(session=session, official=official, number=number))
    Candidate.objects.bulk_create(added)
    if added:
        _log(session, "candidates_added", by=by, count=len(added))
    return len(added)


def session_candidates_from_audience(*, session: ExamSession, by=None) -> int:
    """The officials of the session's audience onto its list, by unit and name."""
    from org.models import Official
    from org.selectors import audience_q

    officials = Official.objects.filter(audience_q(session)).order_by("unit__path", "full_name", "employee_code")
    return session_candidates_add(session=session, officials=officials, by=by)


def session_candidates_from_codes(*, session: ExamSession, codes: list[tuple[int, str]], by=None) -> int:
    """The officials with these employee codes ((row, code) as read from a file) onto the list; any unknown code
    refuses the whole file, naming its row."""
    from org.models import Official, OfficialStatus

    found = {o.employee_code: o for o in Official.objects.filter(employee_code__in=[c for _r, c in codes],
                                                                  status=OfficialStatus.ACTIVE)}
    errors = [_("Row %(row)s: no active official has the employee code “%(code)s”.") % {"row": row, "code": code}
              for row, code in codes if code not in found]
    if errors:
        raise ValidationError(errors)
    return session_candidates_add(session=session, officials=[found[c] for _r, c in codes], by=by)


@transaction.atomic
def session_room_shifts_sync(*, session: ExamSession) -> int:
    """Every shift of the session has every one of its rooms (a room's shift is what a supervisor opens). Returns
    how many were added."""
    have = set(RoomShift.objects.filter(shift__session=session).values_list("shift_id", "room_id"))
    new = [RoomShift(shift=shift, room=room) for shift in session.shifts.all() for room in session.rooms.all()
           if (shift.pk, room.pk) not in have]
    RoomShift.objects.bulk_create(new)
    return len(new)


# --- Seats ---------------------------------------------------------------------------------------------------------

@transaction.atomic
def session_seats_assign(*, session: ExamSession, by=None) -> int:
    """Give every candidate without a seat in a shift one, room after room in candidate-number order, seats 1, 2, …
    up to each room's size. Refused, changing nothing, when the rooms of a shift have too few seats."""
    candidates = list(session.candidates.order_by("number"))
    made = 0
    for shift in session.shifts.prefetch_related("rooms__room"):
        rooms = sorted(shift.rooms.all(), key=lambda rs: rs.room.name)
        if not rooms:
            raise ValidationError(_("The shift “%(shift)s” has no rooms.") % {"shift": shift.name})
        placed = set(Seat.objects.filter(room_shift__shift=shift).values_list("candidate_id", flat=True))
        free = {rs.pk: [n for n in range(1, rs.room.seats + 1)
                        if n not in set(rs.seats.values_list("seat", flat=True))] for rs in rooms}
        waiting = [c for c in candidates if c.pk not in placed]
        if len(waiting) > sum(len(f) for f in free.values()):
            raise ValidationError(_("The rooms of “%(shift)s” have %(seats)s free seats for %(n)s candidates.") % {
                "shift": shift.name, "seats": sum(len(f) for f in free.values()), "n": len(waiting)})
        new = []
        for rs in rooms:
            for number in free[rs.pk]:
                if not waiting:
                    break
                new.append(Seat(candidate=waiting.pop(0), room_shift=rs, seat=number))
        Seat.objects.bulk_create(new)
        made += len(new)
    _log(session, "seats_assigned", by=by, count=made)
    return made


@transaction.atomic
def seat_move(*, seat: Seat, room_shift: RoomShift, number: int, by=None, reason: str = "") -> Seat:
    """Move a candidate to another seat (in the same shift), e.g. when a computer fails."""
    seat = Seat.objects.select_for_update().select_related("room_shift__shift").get(pk=seat.pk)
    if room_shift.shift_id != seat.room_shift.shift_id:
        raise ValidationError(_("A candidate can move only to a seat of the same shift."))
    if not 1 <= number <= room_shift.room.seats:
        raise ValidationError(_("Room %(room)s has seats 1 to %(n)s.") % {"room": room_shift.room.name,
                                                                         "n": room_shift.room.seats})
    if Seat.objects.filter(room_shift=room_shift, seat=number).exclude(pk=seat.pk).exists():
        raise ValidationError(_("Seat %(n)s is taken.") % {"n": number})
    before = (seat.room_shift.room.name, seat.seat)
    seat.room_shift, seat.seat = room_shift, number
    seat.save(update_fields=["room_shift", "seat"])
    if seat.room_shift.status == RoomShift.Status.OPEN:
        Incident.objects.create(room_shift=room_shift, seat=seat, kind=Incident.Kind.MOVED, reason=reason or "-",
                                by=by, at=timezone.now())
    _log(room_shift.shift.session, "seat_moved", by=by, room_shift=room_shift, seat=seat.pk,
         before=list(before), after=[room_shift.room.name, number], reason=reason)
    return seat


# --- In the room ---------------------------------------------------------------------------------------------------

def _prepare_paper(seat: Seat) -> None:
    """Draw, freeze and render the seat's paper now, and write the candidate's sitting with its slots in the READY
    state, so that the start is one UPDATE of one row when the whole room starts (bench/README.md). No sitting is
    prepared for a candidate who has used the exam's attempts: their start is refused as before."""
    from ..selectors import prepared_paper_render
    from .sittings import exam_terms, paper_draw

    if PreparedPaper.objects.filter(seat=seat).exists():
        return
    exam, official = seat.room_shift.shift.exam, seat.candidate.official
    paper = paper_draw(exam)
    slots = [[version.pk, str(points), order, elements, section_id, draw]
             for version, points, order, elements, section_id, draw in paper]
    max_score = sum((row[1] for row in paper), Decimal(0))
    prepared = PreparedPaper.objects.create(seat=seat, slots=slots, slot_count=len(slots), max_score=max_score,
                                            rendered=prepared_paper_render(slots))
    mine = list(Attempt.with_prepared.select_for_update().filter(exam=exam, official=official))
    stale = [a.pk for a in mine if a.status == Attempt.Status.READY]
    if stale:  # prepared for another seat of this exam (the candidate was re-seated): this paper replaces it
        Attempt.with_prepared.filter(pk__in=stale).delete()
    begun = [a for a in mine if a.status != Attempt.Status.READY]
    allowed = exam_terms(exam=exam, official=official, seat=seat).attempts_allowed
    if allowed and len(begun) >= allowed:
        return
    now = timezone.now()
    attempt = Attempt.with_prepared.create(
        exam=exam, official=official, number=max((a.number for a in begun), default=0) + 1,
        status=Attempt.Status.READY, started_at=now, deadline=now, slot_count=len(slots), max_score=max_score)
    paper_copy_prepared(prepared_id=prepared.pk, attempt=attempt)
    PreparedPaper.objects.filter(pk=prepared.pk).update(attempt=attempt)


@transaction.atomic
def seat_check_in(*, seat: Seat, present: bool, identity_checked: bool = False, by=None) -> Seat:
    """Mark a candidate present (identity checked or not) or absent. A present candidate's paper is drawn now."""
    seat = Seat.objects.select_for_update(of=("self",)).select_related(
        "room_shift__shift__session", "room_shift__shift__exam", "room_shift__room",
        "candidate__official").get(pk=seat.pk)
    if seat.room_shift.status == RoomShift.Status.CLOSED:
        raise ValidationError(_("This room's shift is closed."))
    if seat.attendance == Seat.Attendance.REMOVED:
        raise ValidationError(_("This candidate was removed from the room."))
    seat.attendance = Seat.Attendance.PRESENT if present else Seat.Attendance.ABSENT
    seat.identity_checked = bool(present and identity_checked)
    seat.checked_in_at, seat.checked_in_by = timezone.now(), by
    seat.save(update_fields=["attendance", "identity_checked", "checked_in_at", "checked_in_by"])
    if present:
        try:
            _prepare_paper(seat)
        except ExamRefused:
            pass  # the bank cannot fill the paper: the start will say so; check-in still counts
    _log(seat.room_shift.shift.session, "check_in", by=by, room_shift=seat.room_shift, seat=seat.pk,
         attendance=seat.attendance, identity_checked=seat.identity_checked)
    return seat


@transaction.atomic
def room_shift_open(*, room_shift: RoomShift, by=None) -> RoomShift:
    """Open a room's shift: its present candidates may start now, from the room's addresses."""
    room_shift = RoomShift.objects.select_for_update().select_related("shift__session").get(pk=room_shift.pk)
    if room_shift.status != RoomShift.Status.WAITING:
        raise ValidationError(_("This room's shift is already open or closed."))
    room_shift.status, room_shift.opened_at, room_shift.opened_by = RoomShift.Status.OPEN, timezone.now(), by
    room_shift.save(update_fields=["status", "opened_at", "opened_by"])
    session = room_shift.shift.session
    if session.status == ExamSession.Status.PLANNED:
        ExamSession.objects.filter(pk=session.pk).update(status=ExamSession.Status.RUNNING)
    _log(session, "room_opened", by=by, room_shift=room_shift)
    transaction.on_commit(room_rules_forget)  # its addresses hold for every save (other processes: ROOM_RULES_TTL)
    return room_shift


@transaction.atomic
def room_shift_close(*, room_shift: RoomShift, by=None) -> RoomShift:
    """Close a room's shift: every sitting still open in it is submitted now; nobody may start any more."""
    from .sittings import attempt_submit

    room_shift = RoomShift.objects.select_for_update().select_related("shift__session", "shift__exam").get(
        pk=room_shift.pk)
    if room_shift.status != RoomShift.Status.OPEN:
        raise ValidationError(_("Only an open room's shift can be closed."))
    for attempt in Attempt.objects.filter(exam=room_shift.shift.exam, status=Attempt.Status.IN_PROGRESS,
                                          official__exam_candidacies__seats__room_shift=room_shift):
        attempt_submit(attempt=attempt)
    # Papers prepared for candidates who never started (absent, removed, or did not press "Bắt đầu") are dropped.
    Attempt.with_prepared.filter(status=Attempt.Status.READY, prepared__seat__room_shift=room_shift).delete()
    room_shift.status, room_shift.closed_at, room_shift.closed_by = RoomShift.Status.CLOSED, timezone.now(), by
    room_shift.save(update_fields=["status", "closed_at", "closed_by"])
    _log(room_shift.shift.session, "room_closed", by=by, room_shift=room_shift)
    transaction.on_commit(room_rules_forget)
    return room_shift


@transaction.atomic
def incident_record(*, room_shift: RoomShift, seat: Seat | None, kind: str, reason: str, minutes: int = 0,
                    by=None) -> Incident:
    """Record an incident. Time added extends the candidate's sitting at once; a removed candidate's sitting is
    submitted and they cannot start again; a pause is recorded, and its length is given back when it is resumed."""
    from .sittings import attempt_extend_open, attempt_submit

    room_shift = RoomShift.objects.select_related("shift__session", "shift__exam").get(pk=room_shift.pk)
    if not reason.strip():
        raise ValidationError(_("Write the reason: it goes into the minutes."))
    if kind not in Incident.Kind.values:
        raise ValidationError(_("Choose what happened."))
    if room_shift.status != RoomShift.Status.OPEN and kind != Incident.Kind.OTHER:
        raise ValidationError(_("Incidents for a candidate are recorded while the room's shift is open."))
    if seat is not None and seat.room_shift_id != room_shift.pk:
        raise ValidationError(_("This candidate is not in this room's shift."))
    if kind in (Incident.Kind.TIME_ADDED, Incident.Kind.PAUSED, Incident.Kind.RESUMED, Incident.Kind.REMOVED,
                Incident.Kind.MOVED) and seat is None:
        raise ValidationError(_("Choose the candidate."))
    if kind == Incident.Kind.TIME_ADDED and not 1 <= minutes <= 240:
        raise ValidationError(_("Add between 1 and 240 minutes."))
    now = timezone.now()
    exam = room_shift.shift.exam
    if kind == Incident.Kind.RESUMED:
        paused = Incident.objects.filter(seat=seat, kind=Incident.Kind.PAUSED).order_by("-at").first()
        if paused is None:
            raise ValidationError(_("This candidate was not paused."))
        minutes = max(1, int((now - paused.at).total_seconds() + 59) // 60)  # the pause, given back
    incident = Incident.objects.create(room_shift=room_shift, seat=seat, kind=kind, minutes=minutes,
                                       reason=reason.strip(), by=by, at=now)
    if kind in (Incident.Kind.TIME_ADDED, Incident.Kind.RESUMED):
        Seat.objects.filter(pk=seat.pk).update(extra_minutes=seat.extra_minutes + minutes)
        attempt_extend_open(exam=exam, official=seat.candidate.official)
    elif kind == Incident.Kind.REMOVED:
        Seat.objects.filter(pk=seat.pk).update(attendance=Seat.Attendance.REMOVED)
        attempt = Attempt.objects.filter(exam=exam, official=seat.candidate.official,
                                         status=Attempt.Status.IN_PROGRESS).first()
        if attempt is not None:
            attempt_submit(attempt=attempt)
    _log(room_shift.shift.session, "incident", by=by, room_shift=room_shift, kind=kind, minutes=minutes,
         seat=seat.pk if seat else None, reason=reason.strip())
    return incident


def seat_for_start(*, exam, official) -> Seat | None:
    """The seat of an exam that belongs to a session, for the official starting it (None: not a session exam)."""
    # An exam outside any session (the 60-s spread of bench/README.md) pays one small query, not the seat's joins.
    # A session's candidate usually starts through `attempt_start_prepared` and never gets here.
    if not Shift.objects.filter(exam=exam).exists():
        return None
    seat = (Seat.objects.filter(room_shift__shift__exam=exam, candidate__official=official)
            .select_related("room_shift__room", "room_shift__shift", "paper")
            .defer("paper__slots", "paper__rendered").order_by("-room_shift__status").first())
    return seat if seat is not None else Seat(attendance="none")


def seat_start_check(*, seat: Seat, ip: str | None) -> None:
    """Refuse a start outside the candidate's open room: not on the list, not checked in, removed, the shift not
    open (or closed), or a computer outside the room's addresses."""
    from .room import ip_allowed, ip_refusal

    if seat.pk is None:
        raise ExamRefused(_("You are not on the candidate list of this exam session."))
    if seat.room_shift.status == RoomShift.Status.WAITING:
        raise ExamRefused(_("Your room's shift (%(room)s, %(shift)s) has not been opened yet. Wait for the "
                            "supervisor.") % {"room": seat.room_shift.room.name, "shift": seat.room_shift.shift.name})
    if seat.room_shift.status == RoomShift.Status.CLOSED:
        raise ExamRefused(_("Your room's shift is closed."))
    if seat.attendance == Seat.Attendance.REMOVED:
        raise ExamRefused(_("You were removed from the room by the supervisor."))
    if seat.attendance != Seat.Attendance.PRESENT:
        raise ExamRefused(_("The supervisor has not checked you in yet."))
    if not ip_allowed(seat.room_shift.room.allowed_ip_ranges, ip):
        raise ip_refusal(ip)


# The start of a sitting prepared at check-in, in one read from the account's id: the official, the READY sitting
# (by its unique index), the exam's terms, its seat, the room's shift and addresses, the paper as rendered at
# check-in, and whether anything calls for the general path (a sitting begun before, an accommodation). Plain SQL,
# prepared once per connection on PostgreSQL: compiling these joins in the ORM and planning them in the database cost
# more than running them (bench/README.md, issue 16).
_PREPARED_START = """
SELECT s.id, s.attendance, s.extra_minutes, rs.status, r.allowed_ip_ranges, a.id, a.number, a.slot_count,
       a.max_score, p.id, CAST(p.rendered AS text),
       (SELECT COUNT(*) FROM exams_attempt b WHERE b.exam_id = %(exam)s AND b.official_id = o.id
                                               AND b.status <> %(ready)s),
       EXISTS (SELECT 1 FROM exams_examoverride x WHERE x.exam_id = %(exam)s AND x.official_id = o.id),
       o.id, e.title, e.layout, e.time_limit_minutes, e.attempts_allowed, e.opens_at, e.closes_at,
       e.allowed_ip_ranges, e.access_code, e.is_published
FROM org_official o
JOIN exams_attempt a ON a.official_id = o.id AND a.exam_id = %(exam)s AND a.status = %(ready)s
JOIN exams_exam e ON e.id = a.exam_id
JOIN exams_preparedpaper p ON p.attempt_id = a.id
JOIN exams_seat s ON s.id = p.seat_id
JOIN exams_roomshift rs ON rs.id = s.room_shift_id
JOIN exams_examroom r ON r.id = rs.room_id
WHERE o.user_id = %(user)s
"""

# The READY sitting turned on, only while it is still READY and its candidate still present in an open room (a
# second tab, a removal or the room's close in between: the general path decides).
_TURN_ON = """
UPDATE exams_attempt SET status = %(open)s, started_at = %(now)s, deadline = %(deadline)s, started_ip = %(ip)s
WHERE id = %(attempt)s AND status = %(ready)s
  AND EXISTS (SELECT 1 FROM exams_seat s JOIN exams_roomshift rs ON rs.id = s.room_shift_id
              WHERE s.id = %(seat)s AND s.attendance = %(present)s AND rs.status = %(room_open)s{lock})
"""
_PREPARED_TURN_ON = _TURN_ON.format(lock="")  # SQLite: one writer at a time, the close or removal is committed

# On PostgreSQL the same UPDATE and the start's event in one statement, atomic by itself: no transaction to open
# and commit around them. The seat and the room's shift are read FOR SHARE: a removal (an UPDATE of the seat) or the
# room's close (which locks its row FOR UPDATE) that has not committed yet is waited for and then seen, so that a
# candidate removed, or a room closed, at the very moment of the start never leaves a sitting running. Without the
# lock the start would read the rows as they were and the close would not find the sitting it was turning on.
_PREPARED_TURN_ON_LOGGED = f"""
WITH turned AS ({_TURN_ON.format(lock=" FOR SHARE OF s, rs").strip()} RETURNING id)
INSERT INTO exams_attemptevent (attempt_id, kind, at, ip, detail)
SELECT id, 'start', CAST(%(now)s AS timestamptz), CAST(%(ip)s AS inet), CAST(%(detail)s AS jsonb) FROM turned
"""


def attempt_start_prepared(*, exam_id: int, user_id: int | None, ip: str | None, now=None) -> Attempt | None:
    """The start of a session candidate whose sitting was prepared at check-in, when nothing is unusual: present,
    their room's shift open, at one of its addresses and the exam's, no sitting begun before, no accommodation, no
    access code, the exam published and within its window. One read from the account's id (the API's start calls it
    before loading the official or the exam), then one statement that turns the sitting on and records the start
    (two, in a transaction, on SQLite); the reply's paper comes with the read (`attempt.prepared_paper_text`). None:
    the general path (`attempt_start`) decides, refusals included."""
    from django.db import connection

    from ..models import Exam
    from .room import ip_allowed
    from .sittings import exam_terms

    if user_id is None:
        return None
    now = now or timezone.now()
    ready = Attempt.Status.READY
    rows, _count = execute_prepared(_PREPARED_START, {"exam": exam_id, "user": user_id, "ready": ready})
    if len(rows) != 1:
        return None
    (seat_id, attendance, extra_minutes, room_status, ranges, attempt_id, number, slot_count, max_score, paper_id,
     paper_text, begun, override, official_id, title, layout, minutes, attempts_allowed, opens_at, closes_at,
     exam_ranges, access_code, is_published) = rows[0]
    opens_at, closes_at = aware(opens_at), aware(closes_at)
    if (attendance != Seat.Attendance.PRESENT or room_status != RoomShift.Status.OPEN or begun or override
            or access_code or not is_published or (opens_at and now < opens_at) or (closes_at and now >= closes_at)
            or not ip_allowed(ranges, ip) or not ip_allowed(exam_ranges, ip)):
        return None
    exam = Exam(pk=exam_id, title=title, layout=layout, time_limit_minutes=minutes, attempts_allowed=attempts_allowed,
                opens_at=opens_at, closes_at=closes_at, allowed_ip_ranges=exam_ranges, access_code="",
                is_published=True)
    terms = exam_terms(exam=exam, official=None, seat=Seat(pk=seat_id, extra_minutes=extra_minutes), override=None)
    deadline = now + dt.timedelta(minutes=terms.minutes)
    if terms.closes_at:
        deadline = min(deadline, terms.closes_at)
    params = {"open": Attempt.Status.IN_PROGRESS, "now": now, "deadline": deadline, "ip": ip, "attempt": attempt_id,
              "ready": ready, "seat": seat_id, "present": Seat.Attendance.PRESENT, "room_open": RoomShift.Status.OPEN,
              "detail": json.dumps({"seat": seat_id})}
    attempt = Attempt(pk=attempt_id, exam=exam, official_id=official_id, number=number,
                      status=Attempt.Status.IN_PROGRESS, started_at=now, deadline=deadline, started_ip=ip,
                      slot_count=slot_count, max_score=Decimal(max_score))
    if connection.vendor == "postgresql":
        if execute_prepared(_PREPARED_TURN_ON_LOGGED, params, fetch=False)[1] != 1:
            return None
    else:
        with transaction.atomic():
            if execute_prepared(_PREPARED_TURN_ON, params, fetch=False)[1] != 1:
                return None
            AttemptEvent.objects.create(attempt=attempt, kind="start", at=now, ip=ip, detail={"seat": seat_id})
    attempt.prepared_paper_id, attempt.prepared_paper_text = paper_id, paper_text
    return attempt


# One statement, on the database: the sitting's slots copied from the prepared paper (PostgreSQL's JSON functions).
_COPY_PREPARED = """
INSERT INTO exams_attemptquestion (attempt_id, slot, version_id, points, option_order, elements, comment,
                                   section_id, draw)
SELECT %s, s.n, (s.v->>0)::bigint, (s.v->>1)::numeric, s.v->2, s.v->3, '', (s.v->>4)::bigint, (s.v->>5)::int
FROM exams_preparedpaper p, jsonb_array_elements(p.slots) WITH ORDINALITY AS s(v, n)
WHERE p.id = %s
"""


def paper_copy_prepared(*, prepared_id: int, attempt: Attempt) -> None:
    """The sitting's slots from the seat's prepared paper: one INSERT … SELECT on PostgreSQL, no Python per slot."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_COPY_PREPARED, [attempt.pk, prepared_id])
        return
    slots = PreparedPaper.objects.values_list("slots", flat=True).get(pk=prepared_id)
    AttemptQuestion.objects.bulk_create([
        AttemptQuestion(attempt=attempt, slot=i, version_id=version_id, points=Decimal(points), option_order=order,
                        elements=elements, section_id=section_id, draw=draw)
        for i, (version_id, points, order, elements, section_id, draw) in enumerate(slots, start=1)])


# --- Results ---------------------------------------------------------------------------------------------------------

@transaction.atomic
def session_publish(*, session: ExamSession, by=None) -> ExamSession:
    """The council publishes the official result list: every room's shift must be closed and every essay graded.
    A computer-marked result is final from now on."""
    session = ExamSession.objects.select_for_update().get(pk=session.pk)
    if session.status == ExamSession.Status.PUBLISHED:
        raise ValidationError(_("The results are already published."))
    if RoomShift.objects.filter(shift__session=session).exclude(status=RoomShift.Status.CLOSED).exists():
        raise ValidationError(_("Close every room's shift before publishing the results."))
    exams = [s.exam_id for s in session.shifts.all()]
    if Attempt.objects.filter(exam_id__in=exams, needs_manual_grading=True,
                              official__exam_candidacies__session=session).exists():
        raise ValidationError(_("Some essays are not graded yet."))
    session.status, session.published_at, session.published_by = ExamSession.Status.PUBLISHED, timezone.now(), by
    session.save(update_fields=["status", "published_at", "published_by"])
    _log(session, "published", by=by)
    return session


@transaction.atomic
def second_marking_request(*, session: ExamSession, slot: AttemptQuestion, reason: str, by=None) -> SecondMarking:
    """A candidate asks for second marking of an essay: only where the session allows it, only essays, only after
    publication."""
    session = ExamSession.objects.get(pk=session.pk)
    if not session.second_marking_allowed:
        raise ValidationError(_("This session does not allow second marking."))
    if session.status != ExamSession.Status.PUBLISHED:
        raise ValidationError(_("Second marking may be asked for once the results are published."))
    if slot.version.question.kind != "essay":
        raise ValidationError(_("Only essays are marked a second time; computer-marked results are final."))
    if not reason.strip():
        raise ValidationError(_("Write the reason for the request."))
    request = SecondMarking.objects.create(session=session, slot=slot, reason=reason.strip(),
                                           requested_at=timezone.now())
    _log(session, "second_marking_requested", by=by, slot=slot.pk)
    return request


@transaction.atomic
def second_marking_mark(*, request: SecondMarking, fraction: float, note: str = "", by=None) -> SecondMarking:
    """The second marker's mark (a share of the essay's points), recorded beside the first; never by whoever marked
    the essay the first time, nor once the council has decided. A mark given is its marker's: they may correct it
    before the decision, another marker may not overwrite it."""
    from ..session_selectors import first_graders

    request = SecondMarking.objects.select_for_update().select_related("session").get(pk=request.pk)
    if request.status == SecondMarking.Status.DECIDED:
        raise ValidationError(_("The council has already decided on this request."))
    if by is not None and by.pk in first_graders(request):
        raise ValidationError(_("You marked this essay the first time: the second mark must come from another "
                                "marker."))
    if request.marker_id is not None and by is not None and request.marker_id != by.pk:
        raise ValidationError(_("Another marker has already given the second mark for this essay."))
    if not 0 <= fraction <= 1:
        raise ValidationError(_("Enter a mark between 0 and the question's points."))
    request.marker, request.second_fraction, request.marker_note = by, fraction, note
    request.status = SecondMarking.Status.MARKED
    request.save(update_fields=["marker", "second_fraction", "marker_note", "status"])
    _log(request.session, "second_marked", by=by, request=request.pk, fraction=fraction)
    return request


@transaction.atomic
def second_marking_decide(*, request: SecondMarking, fraction: float, note: str, by=None) -> SecondMarking:
    """The council's decision: the essay's final mark, applied as an audited grade change."""
    from ..grading.essays import essay_grade

    if request.status != SecondMarking.Status.MARKED:
        raise ValidationError(_("The second marker has not marked this essay yet."))
    if not 0 <= fraction <= 1:
        raise ValidationError(_("Enter a mark between 0 and the question's points."))
    slot = request.slot
    essay_grade(slot=slot, points=(slot.points * Decimal(str(fraction))).quantize(Decimal("0.01")),
                comment=slot.comment, by=by)
    request.decided_fraction, request.decision_note = fraction, note
    request.decided_by, request.decided_at, request.status = by, timezone.now(), SecondMarking.Status.DECIDED
    request.save(update_fields=["decided_fraction", "decision_note", "decided_by", "decided_at", "status"])
    _log(request.session, "second_marking_decided", by=by, request=request.pk, fraction=fraction)
    return request
