"""Writes for the LMS: who must do what (assignment follows the roster), lesson progress, completions and
certificates, enrolment by hand and attendance. Every function is safe to run twice."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from org.models import Official
from org.selectors import audience_q

from . import rules, selectors
from .models import (Assignment, Attendance, Certificate, CertificateTemplate, Completion, LessonProgress, Requirement,
                     TrainingSession)
from .selectors import chunks

logger = logging.getLogger(__name__)

# Above this many officials a roster change re-evaluates every requirement in full: one pass over the audience is
# cheaper than long IN (...) lists.
FULL_PASS_OVER = 5000


# --- Assignment ------------------------------------------------------------------------------------------------

@dataclass
class AssignResult:
    created: int = 0
    reactivated: int = 0
    deactivated: int = 0
    completed: int = 0
    touched: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "touched"}


def _due(requirement: Requirement, assigned_on: dt.date) -> dt.date | None:
    return rules.due_for(due_date=requirement.due_date, assigned_on=assigned_on,
                         requirement_created_on=timezone.localdate(requirement.created_at),
                         newcomer_days=requirement.newcomer_days)


@transaction.atomic
def requirement_assign(*, requirement: Requirement, official_ids: list[int] | None = None,
                       now: dt.datetime | None = None) -> AssignResult:
    """Bring a requirement's rule assignments in line with its audience (for everyone, or for the officials
    given): new members get an assignment, returning members get theirs back, leavers' become inactive (never
    deleted; manual enrolments are left alone). Then completions are computed for the newcomers."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if official_ids is not None and len(official_ids) > FULL_PASS_OVER:
        official_ids = None
    result = AssignResult()
    audience = Official.objects.filter(audience_q(requirement)) if requirement.is_active else Official.objects.none()
    existing_qs = Assignment.objects.filter(requirement=requirement)
    if official_ids is None:
        wanted = set(audience.values_list("pk", flat=True))
        existing = {oid: (pk, active, source) for pk, oid, active, source in
                    existing_qs.values_list("pk", "official_id", "active", "source")}
    else:
        wanted, existing = set(), {}
        for chunk in chunks(official_ids):
            wanted |= set(audience.filter(pk__in=chunk).values_list("pk", flat=True))
            existing |= {oid: (pk, active, source) for pk, oid, active, source in
                         existing_qs.filter(official_id__in=chunk).values_list("pk", "official_id", "active", "source")}
    new = sorted(wanted - existing.keys())
    due = _due(requirement, today)
    status = rules.assignment_status(today=today, due_at=due, started=False, completed=False, expires_at=None,
                                     renewal_window_days=requirement.renewal_window_days)
    Assignment.objects.bulk_create(
        [Assignment(requirement=requirement, official_id=oid, assigned_at=now, due_at=due, status=status,
                    source=Assignment.Source.RULE) for oid in new],
        batch_size=2000, ignore_conflicts=True)
    back = [pk for oid, (pk, active, _s) in existing.items() if oid in wanted and not active]
    gone = [pk for oid, (pk, active, source) in existing.items()
            if oid not in wanted and active and source == Assignment.Source.RULE]
    for chunk in chunks(back):
        Assignment.objects.filter(pk__in=chunk).update(active=True, deactivated_at=None, updated_at=now)
    for chunk in chunks(gone):
        Assignment.objects.filter(pk__in=chunk).update(active=False, deactivated_at=now, updated_at=now)
    result.created, result.reactivated, result.deactivated = len(new), len(back), len(gone)
    back_set = set(back)
    result.touched = new + [oid for oid, (pk, _a, _s) in existing.items() if pk in back_set]
    if result.touched:
        result.completed = len(completion_evaluate(requirement=requirement, official_ids=result.touched, now=now))
        assignment_status_refresh(requirement=requirement, today=today, official_ids=result.touched)
    return result


def requirements_assign(*, official_ids: list[int] | None = None, now: dt.datetime | None = None) -> dict[int, dict]:
    """Re-run assignment for every requirement (active ones add and remove people, inactive ones only remove).
    Returns the counts per requirement id."""
    out = {}
    for requirement in Requirement.objects.all():
        out[requirement.pk] = requirement_assign(requirement=requirement, official_ids=official_ids, now=now).as_dict()
    return out


@transaction.atomic
def enrol(*, requirement: Requirement, officials, by=None, now: dt.datetime | None = None) -> int:
    """Enrol officials by hand (a unit subtree or an audience chosen by a personnel officer). A manual enrolment
    stays whatever the requirement's rule says. Returns how many were newly enrolled or re-activated."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = list(officials.values_list("pk", flat=True)) if hasattr(officials, "values_list") else [o.pk for o in officials]
    existing = {}
    for chunk in chunks(ids):
        existing |= dict(Assignment.objects.filter(requirement=requirement, official_id__in=chunk)
                         .values_list("official_id", "active"))
    due = _due(requirement, today)
    new = [oid for oid in ids if oid not in existing]
    Assignment.objects.bulk_create(
        [Assignment(requirement=requirement, official_id=oid, assigned_at=now, due_at=due, enrolled_by=by,
                    source=Assignment.Source.MANUAL) for oid in new], batch_size=2000, ignore_conflicts=True)
    back = [oid for oid, active in existing.items() if not active]
    for chunk in chunks(back):
        Assignment.objects.filter(requirement=requirement, official_id__in=chunk).update(
            active=True, deactivated_at=None, source=Assignment.Source.MANUAL, enrolled_by=by, updated_at=now)
    touched = new + back
    if touched:
        completion_evaluate(requirement=requirement, official_ids=touched, now=now)
        assignment_status_refresh(requirement=requirement, today=today, official_ids=touched)
    return len(touched)


def requirement_dates_changed(*, requirement: Requirement) -> int:
    """After the due date or grace period changed: recompute each assignment's due date and status."""
    rows = list(Assignment.objects.filter(requirement=requirement).only("pk", "assigned_at", "due_at"))
    changed = []
    for a in rows:
        due = _due(requirement, timezone.localdate(a.assigned_at))
        if due != a.due_at:
            a.due_at = due
            changed.append(a)
    Assignment.objects.bulk_update(changed, ["due_at"], batch_size=2000)
    assignment_status_refresh(requirement=requirement)
    return len(changed)


def assignment_status_refresh(*, requirement: Requirement | None = None, today: dt.date | None = None,
                              official_ids: list[int] | None = None) -> int:
    """Recompute the stored status of active assignments from their dates (the same rule as
    `rules.assignment_status`), in one UPDATE per requirement. Run nightly, as dates pass."""
    today = today or timezone.localdate()
    requirements = [requirement] if requirement else list(Requirement.objects.all())
    updated = 0
    for req in requirements:
        window_end = today + dt.timedelta(days=req.renewal_window_days)
        status = Case(
            When(Q(completed_at__isnull=False) & (Q(expires_at__isnull=True) | Q(expires_at__gt=window_end)),
                 then=Value(Assignment.Status.COMPLETED)),
            When(Q(completed_at__isnull=False) & Q(expires_at__gt=today), then=Value(Assignment.Status.EXPIRING)),
            When(Q(completed_at__isnull=False) | Q(due_at__lt=today), then=Value(Assignment.Status.OVERDUE)),
            When(started_at__isnull=False, then=Value(Assignment.Status.IN_PROGRESS)),
            default=Value(Assignment.Status.NOT_STARTED),
        )
        base = Assignment.objects.filter(requirement=req, active=True)
        if official_ids is None:
            updated += base.update(status=status)
        else:
            for chunk in chunks(official_ids):
                updated += base.filter(official_id__in=chunk).update(status=status)
    return updated


# --- Completion and certificates -------------------------------------------------------------------------------

def completion_evaluate(*, requirement: Requirement, official_ids: list[int] | None = None,
                        now: dt.datetime | None = None) -> list[Completion]:
    """Record a completion for each official (all assigned, or those given) whose lessons, exam and attendance
    now satisfy the requirement, issue its certificate, and update their assignment. Officials with a valid
    completion outside its renewal window are skipped. Returns the new completions."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    window_start = today + dt.timedelta(days=requirement.renewal_window_days)
    needs = Q(completed_at__isnull=True) | Q(expires_at__isnull=False, expires_at__lte=window_start)
    # Only officials who did something towards it can change: one EXISTS per part skips the idle majority.
    qs = Assignment.objects.filter(requirement=requirement).filter(_activity_q(requirement))
    rows = []
    if official_ids is None:
        rows = list(qs.filter(needs))
    else:
        for chunk in chunks(official_ids):
            rows += list(qs.filter(needs, official_id__in=chunk))
    if not rows:
        return []
    evidence = selectors.requirement_evidence(requirement, [a.official_id for a in rows])
    needs_modules = requirement.modules.exists()
    new: list[Completion] = []
    changed: list[Assignment] = []
    for a in rows:
        ev = evidence[a.official_id]
        touched = False
        if ev.started_at and a.started_at is None:
            a.started_at = ev.started_at
            touched = True
        not_before = rules.renewal_not_before(last_expires_at=a.expires_at, has_completion=a.completed_at is not None,
                                              renewal_window_days=requirement.renewal_window_days)
        if not_before is not False:
            parts = rules.Parts(*(timezone.localtime(p) if p else None
                                  for p in (ev.parts.modules, ev.parts.exam, ev.parts.attendance)))
            when = rules.completed_at(needs_modules=needs_modules, needs_exam=requirement.exam_id is not None,
                                      needs_attendance=requirement.requires_attendance, parts=parts,
                                      not_before=not_before)
            if when is not None and (a.completed_at is None or when > a.completed_at):
                when = min(when, now)
                expires = rules.expiry_for(timezone.localdate(when), requirement.validity_months)
                new.append(Completion(official_id=a.official_id, requirement=requirement, completed_at=when,
                                      expires_at=expires, source=Completion.Source.AUTO, evidence={
                                          "modules": _iso(parts.modules), "exam": _iso(parts.exam),
                                          "attendance": _iso(parts.attendance), **ev.detail}))
                a.completed_at, a.expires_at = when, expires
                touched = True
        if touched:
            a.status = rules.assignment_status(today=today, due_at=a.due_at, started=a.started_at is not None,
                                               completed=a.completed_at is not None, expires_at=a.expires_at,
                                               renewal_window_days=requirement.renewal_window_days)
            changed.append(a)
    with transaction.atomic():
        Completion.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        saved = _completions_by_key(requirement, new)
        for a in changed:
            c = saved.get((a.official_id, a.completed_at))
            if c is not None:
                a.completion = c
        Assignment.objects.bulk_update(changed, ["started_at", "completed_at", "expires_at", "status", "completion"],
                                       batch_size=1000)
        certificates_issue(completions=list(saved.values()))
    return list(saved.values())


def _activity_q(requirement: Requirement):
    from exams.models import Attempt

    module_ids = list(requirement.modules.values_list("pk", flat=True))
    parts = []
    if module_ids:
        parts.append(Exists(LessonProgress.objects.filter(official_id=OuterRef("official_id"), course_id__in=module_ids)))
    if requirement.exam_id:
        parts.append(Exists(Attempt.objects.filter(official_id=OuterRef("official_id"), exam_id=requirement.exam_id)))
    if requirement.requires_attendance:
        parts.append(Exists(Attendance.objects.filter(official_id=OuterRef("official_id"),
                                                      session__requirement=requirement)))
    if not parts:
        return Q(pk__in=[])
    q = Q(parts[0])
    for part in parts[1:]:
        q |= part
    return q


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _completions_by_key(requirement: Requirement, new: list[Completion]) -> dict[tuple[int, dt.datetime], Completion]:
    # bulk_create with ignore_conflicts leaves no primary keys: read the rows back.
    out = {}
    for chunk in chunks([c.official_id for c in new]):
        for c in Completion.objects.filter(requirement=requirement, official_id__in=chunk).select_related(
                "official", "requirement"):
            out[(c.official_id, c.completed_at)] = c
    wanted = {(c.official_id, c.completed_at) for c in new}
    return {k: v for k, v in out.items() if k in wanted}


def completions_evaluate_for(*, official_ids: list[int], now: dt.datetime | None = None) -> int:
    """Recompute completions of some officials for every requirement they are assigned (after a lesson is
    finished, an exam graded or attendance recorded). Returns how many new completions."""
    req_ids = set()
    for chunk in chunks(official_ids):
        req_ids |= set(Assignment.objects.filter(official_id__in=chunk).values_list("requirement_id", flat=True))
    n = 0
    for requirement in Requirement.objects.filter(pk__in=req_ids):
        n += len(completion_evaluate(requirement=requirement, official_ids=official_ids, now=now))
    return n


CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U to misread


def certificate_code() -> str:
    """A random verification code such as 7KQ2-M9XD-P4TR (60 bits: not guessable)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _certificate(completion: Completion, template: CertificateTemplate | None, serial: int | None) -> Certificate:
    requirement = completion.requirement
    return Certificate(
        completion=completion, code=certificate_code(), holder_name=completion.official.full_name,
        title=(template.programme if template and template.programme else requirement.title),
        completed_on=timezone.localdate(completion.completed_at), valid_until=completion.expires_at,
        template=template, serial=serial, number=template.number(serial) if template else "",
        letterhead=template.letterhead() if template else {})


def _numbered(completions: list[Completion]) -> list[Certificate]:
    """Certificates for the completions, numbered from their requirement's template series in the order given.
    Call inside a transaction: the template rows stay locked until it ends, and a rollback gives the numbers back,
    so concurrent issuers neither skip nor repeat one."""
    templates: dict[int, CertificateTemplate] = {}
    wanted = sorted({c.requirement.certificate_template_id for c in completions} - {None})
    for template in CertificateTemplate.objects.select_for_update().filter(pk__in=wanted).order_by("pk"):
        templates[template.pk] = template  # locked in one order: two issuers cannot deadlock
        # An admin form saved with a stale counter (its page opened before the last issue) cannot make a number
        # repeat: the series goes on after the highest number issued.
        last = Certificate.objects.filter(template=template).aggregate(last=Max("serial"))["last"] or 0
        template.next_number = max(template.next_number, last + 1)
    certs = []
    for c in completions:
        template = templates.get(c.requirement.certificate_template_id)
        serial = None
        if template is not None:
            serial = template.next_number
            template.next_number += 1
        certs.append(_certificate(c, template, serial))
    for template in templates.values():
        CertificateTemplate.objects.filter(pk=template.pk).update(next_number=template.next_number)
    return certs


def certificates_issue(*, completions: list[Completion]) -> list[Certificate]:
    """Issue the certificate of each completion that has none yet, numbered in the order given."""
    if not completions:
        return []
    have = set()
    for chunk in chunks([c.pk for c in completions]):
        have |= set(Certificate.objects.filter(completion_id__in=chunk).values_list("completion_id", flat=True))
    todo = [c for c in completions if c.pk not in have]
    try:
        with transaction.atomic():
            certs = _numbered(todo)
            Certificate.objects.bulk_create(certs, batch_size=1000)
    except IntegrityError:  # a code clash (about 1 in 10^18) or a concurrent issue: one at a time instead
        certs = [certificate_issue(completion=c) for c in todo]
    return certs


def certificate_issue(*, completion: Completion) -> Certificate:
    """The certificate of one completion, issued now (with the next number of its template's series) if it has
    none."""
    existing = Certificate.objects.filter(completion=completion).first()
    if existing:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                cert = _numbered([completion])[0]
                cert.save(force_insert=True)
                return cert
        except IntegrityError:
            existing = Certificate.objects.filter(completion=completion).first()
            if existing:
                return existing
    raise RuntimeError("could not draw a unique certificate code")


def lms_permissions_setup() -> None:
    """Trainers edit certificate templates in the admin (none may delete one a certificate was issued from: the
    database refuses); personnel officers, who have no admin, choose one on their requirements. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    from org import roles

    perms = Permission.objects.filter(content_type__app_label="lms", codename__in=[
        f"{action}_certificatetemplate" for action in ("add", "change", "view")])
    trainer, _created = Group.objects.get_or_create(name=roles.TRAINER)
    trainer.permissions.add(*perms)


# --- Lesson progress -------------------------------------------------------------------------------------------

def lesson_progress_record(*, official: Official, lesson, position: float | None = None, anchor: str = "",
                           completed: bool = False, how: str | None = None) -> LessonProgress:
    """Remember where an official is in a lesson (the furthest point reached), and mark it finished; finishing
    queues the completion check for their requirements. A lesson only counts as studied in a module open to the
    official (PermissionDenied otherwise); `how` is what the reader did ("end", "next" or "button", from a page
    or the API), refused unless it is the way the lesson's course counts lessons (its `lesson_completion`)."""
    course = lesson.get_parent()
    if completed:
        course = course.specific
        if not selectors.module_open_to(official, course):
            raise PermissionDenied(_("This module is neither assigned nor open to you: its lessons do not count "
                                     "as studied."))
        if how is not None and how != course.lesson_completion:
            raise ValidationError(_("In this course a lesson counts as studied %(way)s.")
                                  % {"way": _LESSON_WAYS.get(course.lesson_completion, "")})
    progress, created = LessonProgress.objects.get_or_create(official=official, lesson_id=lesson.pk,
                                                             defaults={"course_id": course.pk})
    fields = []
    if position is not None:
        progress.position = max(0.0, min(1.0, float(position)))
        progress.anchor = (anchor or "")[:64]
        fields += ["position", "anchor"]
    if completed:
        progress.completed_at = timezone.now()
        fields.append("completed_at")
    progress.save(update_fields=[*fields, "updated_at"] if fields else None)
    if created or completed:  # started (in progress) or maybe satisfied now; scrolling alone changes neither
        from .tasks import completions_evaluate_task

        transaction.on_commit(lambda: completions_evaluate_task.delay(official_ids=[official.pk]))
    return progress


_LESSON_WAYS = {"end": gettext_lazy("when the reader reaches its end"),
                "next": gettext_lazy("when the reader goes on to the next lesson"),
                "button": gettext_lazy("when the reader presses \"Mark as studied\"")}


# --- Sessions and attendance -----------------------------------------------------------------------------------

def attendance_record(*, session: TrainingSession, official: Official, present: bool = True, note: str = "",
                      by=None, source: str = Attendance.Source.MANUAL) -> Attendance:
    """Record whether one official attended a session, and recompute their completion."""
    if session.starts_at > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    row, _created = Attendance.objects.update_or_create(
        session=session, official=official,
        defaults={"present": present, "note": note[:255], "recorded_by": by, "source": source})
    _after_attendance(session, [official.pk])
    return row


def _after_attendance(session: TrainingSession, official_ids: list[int]) -> None:
    if session.requirement_id:
        from .tasks import completions_evaluate_task

        transaction.on_commit(lambda: completions_evaluate_task.delay(official_ids=official_ids))


@transaction.atomic
def attendance_import(*, session: TrainingSession, rows: list[tuple[int, dict]], by=None) -> int:
    """Write validated sign-in sheet rows (see `lms.imports.attendance_validate`) in one transaction."""
    ids = []
    for _row_no, row in rows:
        Attendance.objects.update_or_create(
            session=session, official=row["official"],
            defaults={"present": row["present"], "note": row["note"], "recorded_by": by,
                      "source": Attendance.Source.IMPORT})
        ids.append(row["official"].pk)
    _after_attendance(session, ids)
    return len(ids)


def session_invitees(session: TrainingSession):
    """Officials invited to a session (its audience)."""
    return Official.objects.filter(audience_q(session))
