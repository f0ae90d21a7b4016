"""Reads for exam sessions: who may manage a session or supervise a room, a room's seats live (for the supervisor's
console and the monitor), the counts and lists the minutes print, and the official result list."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from org import roles

from .models import (Attempt, AttemptEvent, CouncilMember, ExamSession, Incident, RoomShift, Seat)
from .selectors import IDLE_AFTER_SECONDS  # the monitor's own "idle": one definition
MANAGING_ROLES = (CouncilMember.Role.CHAIR, CouncilMember.Role.VICE_CHAIR, CouncilMember.Role.SECRETARY)


def sessions_visible_to(user) -> QuerySet[ExamSession]:
    """Trainers and administrators see every session; a council member sees the sessions they sit on."""
    if roles.is_trainer_or_admin(user):
        return ExamSession.objects.all()
    return ExamSession.objects.filter(Q(members__user=user) | Q(shifts__rooms__supervisors=user)).distinct()


def may_manage_session(user, session: ExamSession) -> bool:
    """Set up the session, publish results, decide on second marking: trainers, administrators, and the council's
    chair, vice chair and secretary."""
    return roles.is_trainer_or_admin(user) or session.members.filter(user=user, role__in=MANAGING_ROLES).exists()


def may_second_mark(user, session: ExamSession) -> bool:
    """Give second marks (phúc khảo) on the session's essays: its markers, and whoever may manage the session. A
    marker sees the requests' essays, not the session's setup, candidates, publication or decisions."""
    return (session.members.filter(user=user, role=CouncilMember.Role.MARKER).exists()
            or may_manage_session(user, session))


def session_roles_of(user, sessions) -> dict[int, set[str]]:
    """What the user may open for each listed session: {"manage", "mark"} (for the sessions' list)."""
    ids = [s.pk for s in sessions]
    if roles.is_trainer_or_admin(user):
        return {pk: {"manage", "mark"} for pk in ids}
    out: dict[int, set[str]] = {pk: set() for pk in ids}
    for session_id, role in CouncilMember.objects.filter(session_id__in=ids, user=user).values_list("session_id",
                                                                                                   "role"):
        if role in MANAGING_ROLES:
            out[session_id] |= {"manage", "mark"}
        elif role == CouncilMember.Role.MARKER:
            out[session_id].add("mark")
    return out


def first_graders(request) -> set[int]:
    """Who marked a second-marking request's essay before it was asked for (see `first_graders_of`)."""
    return first_graders_of([request])[request.pk]


def first_graders_of(requests) -> dict[int, set[int]]:
    """Per second-marking request, who marked its essay before it was asked for: the slot's grader and every hand
    grade of that slot recorded up to the request (the council's later decision does not count). One query."""
    from .models import GradeChange

    grades: dict[tuple[int, int], list] = {}
    for attempt_id, slot, at, by in GradeChange.objects.filter(
            attempt_id__in={r.slot.attempt_id for r in requests}, kind=GradeChange.Kind.MANUAL,
            by__isnull=False).values_list("attempt_id", "slot", "at", "by_id"):
        grades.setdefault((attempt_id, slot), []).append((at, by))
    out = {}
    for r in requests:
        slot = r.slot
        graders = {by for at, by in grades.get((slot.attempt_id, slot.slot), []) if at <= r.requested_at}
        if slot.graded_by_id and (slot.graded_at is None or slot.graded_at <= r.requested_at):
            graders.add(slot.graded_by_id)
        out[r.pk] = graders
    return out


def second_marking_queue(session: ExamSession, user) -> list[dict]:
    """The essays a marker marks a second time, without the candidate's name: each open request with its question,
    rubric notes, the candidate's answer and reason, under an anonymous code; the ones this marker already marked
    stay listed with their mark until the council decides. `own_first` marks an essay this user graded first."""
    from .grading.essays import essay_items
    from .models import SecondMarking

    requests = list(SecondMarking.objects.filter(session=session, status__in=(SecondMarking.Status.REQUESTED,
                                                                              SecondMarking.Status.MARKED))
                    .select_related("slot__version__question", "slot__attempt__exam")
                    .order_by("requested_at", "id"))
    items = {item.slot.pk: item for item in essay_items([r.slot for r in requests])}
    graders = first_graders_of(requests)
    return [{"request": r, "item": items[r.slot_id], "own_first": user.pk in graders[r.pk]} for r in requests]


def may_supervise(user, room_shift: RoomShift) -> bool:
    """Run a room's shift: its supervisors, and whoever may manage the session."""
    return (room_shift.supervisors.filter(pk=user.pk).exists()
            or may_manage_session(user, room_shift.shift.session))


def room_shifts_of(session: ExamSession) -> QuerySet[RoomShift]:
    return (RoomShift.objects.filter(shift__session=session).select_related("shift__exam", "room")
            .annotate(n_seats=Count("seats", distinct=True),
                      n_present=Count("seats", filter=Q(seats__attendance=Seat.Attendance.PRESENT), distinct=True))
            .order_by("shift__starts_at", "room__name"))


def room_live(room_shift: RoomShift, *, now: dt.datetime | None = None) -> list[dict]:
    """Every seat of a room's shift as the supervisor sees it: who they are, attendance, and where their sitting
    is (not started, answering, idle, focus lost, submitted) with the time left. Three queries."""
    now = now or timezone.now()
    exam_id = room_shift.shift.exam_id
    seats = list(room_shift.seats.select_related("candidate__official__unit").order_by("seat"))
    officials = [s.candidate.official_id for s in seats]
    attempts = {}
    for a in (Attempt.objects.filter(exam_id=exam_id, official_id__in=officials)
              .annotate(answered=Count("answers", distinct=True), last_save=Max("answers__saved_at"))
              .order_by("official_id", "number")):
        attempts[a.official_id] = a  # the latest sitting
    focus = {}
    for attempt_id, kind in (AttemptEvent.objects.filter(attempt__in=[a.pk for a in attempts.values()],
                                                         kind__in=("focus_lost", "focus_back"))
                             .order_by("attempt_id", "at", "id").values_list("attempt_id", "kind")):
        focus[attempt_id] = kind
    rows = []
    for seat in seats:
        official = seat.candidate.official
        attempt = attempts.get(official.pk)
        state, left, answered = "not_started", None, 0
        if seat.attendance in (Seat.Attendance.ABSENT, Seat.Attendance.REMOVED):
            state = seat.attendance
        if attempt is not None:
            answered = attempt.answered
            if attempt.status != Attempt.Status.IN_PROGRESS:
                state = "submitted" if seat.attendance != Seat.Attendance.REMOVED else "removed"
            else:
                left = max(0, int((attempt.deadline - now).total_seconds()))
                last = max(filter(None, [attempt.last_save, attempt.started_at]))
                if focus.get(attempt.pk) == "focus_lost":
                    state = "focus_lost"
                elif (now - last).total_seconds() > IDLE_AFTER_SECONDS:
                    state = "idle"
                else:
                    state = "answering"
        rows.append({"seat": seat.seat, "seat_id": seat.pk, "number": seat.candidate.number, "name": official.full_name,
                     "unit": official.unit.name if official.unit_id else "", "attendance": seat.attendance,
                     "identity_checked": seat.identity_checked, "state": state, "seconds_left": left,
                     "answered": answered, "extra_minutes": seat.extra_minutes,
                     "score": None if attempt is None or attempt.score is None else float(attempt.score),
                     "max_score": None if attempt is None else float(attempt.max_score),
                     "attempt_id": attempt.pk if attempt else None})
    return rows


def room_minutes(room_shift: RoomShift) -> dict:
    """What the minutes (biên bản) of a room's shift say: the counts, the incidents, the result list."""
    rows = room_live(room_shift)
    counts = {"seats": len(rows),
              "present": sum(r["attendance"] in (Seat.Attendance.PRESENT, Seat.Attendance.REMOVED) for r in rows),
              "absent": sum(r["attendance"] in (Seat.Attendance.ABSENT, Seat.Attendance.EXPECTED) for r in rows),
              "removed": sum(r["attendance"] == Seat.Attendance.REMOVED for r in rows),
              "submitted": sum(r["state"] in ("submitted", "removed") and r["attempt_id"] is not None for r in rows)}
    incidents = list(Incident.objects.filter(room_shift=room_shift).select_related("seat__candidate__official", "by")
                     .order_by("at", "id"))
    return {"rows": rows, "counts": counts, "incidents": incidents}


def session_results(session: ExamSession) -> list[dict]:
    """The official result list: every candidate, every part sat, score and outcome, in candidate-number order."""
    seats = (Seat.objects.filter(candidate__session=session)
             .select_related("candidate__official__unit", "room_shift__shift__exam", "room_shift__room")
             .order_by("candidate__number", "room_shift__shift__starts_at"))
    latest = {}
    for a in Attempt.objects.filter(exam__shifts__session=session,
                                    official__exam_candidacies__session=session).order_by("number"):
        latest[(a.exam_id, a.official_id)] = a
    out = []
    for seat in seats:
        exam = seat.room_shift.shift.exam
        attempt = latest.get((exam.pk, seat.candidate.official_id))
        percent = attempt.percent if attempt is not None else None
        out.append({"number": seat.candidate.number, "name": seat.candidate.official.full_name,
                    "unit": seat.candidate.official.unit.name if seat.candidate.official.unit_id else "",
                    "exam": exam.title, "room": seat.room_shift.room.name, "shift": seat.room_shift.shift.name,
                    "seat": seat.seat, "attendance": seat.get_attendance_display(),
                    "score": attempt.score if attempt is not None else None,
                    "max_score": attempt.max_score if attempt is not None else None,
                    "percent": percent,
                    "passed": None if percent is None or attempt.needs_manual_grading
                    else percent >= exam.pass_percent})
    return out


def second_marking_open_for(attempt) -> dict[int, str]:
    """The essay slots of a sitting whose candidate may ask for second marking now (slot number → slot id): the
    exam belongs to a published session that allows it, and no request for that slot is pending."""
    from .models import AttemptQuestion, SecondMarking

    session = (ExamSession.objects.filter(shifts__exam=attempt.exam_id, status=ExamSession.Status.PUBLISHED,
                                          second_marking_allowed=True, candidates__official=attempt.official_id)
               .first())
    if session is None:
        return {}
    asked = set(SecondMarking.objects.filter(slot__attempt=attempt).values_list("slot_id", flat=True))
    return {slot: pk for slot, pk in AttemptQuestion.objects.filter(attempt=attempt, version__question__kind="essay")
            .values_list("slot", "pk") if pk not in asked}


def second_markings_of(session: ExamSession):
    from .models import SecondMarking

    return (SecondMarking.objects.filter(session=session)
            .select_related("slot__attempt__official", "slot__attempt__exam", "marker", "decided_by")
            .order_by("status", "requested_at"))
