"""Reads for the LMS: what satisfies a requirement for many officials at once (a few queries per chunk, not per
person), each official's learning, and who may see or edit which requirement, session or record."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from org import roles
from org.models import Official, Unit
from org.selectors import Scope, scope_for

from . import rules
from .models import (Assignment, Attendance, Certificate, Completion, LessonProgress, Requirement, TrainingSession)

CHUNK = 900  # ids per IN (...) list: below SQLite's and PostgreSQL's comfortable limits


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


# --- What satisfies a requirement -----------------------------------------------------------------------------

def module_lessons(module_ids: Iterable[int]) -> dict[int, list[int]]:
    """Live lessons of each module (course page id → lesson page ids, in reading order)."""
    from content.models import CoursePage, LessonPage

    out: dict[int, list[int]] = {}
    for course in CoursePage.objects.filter(pk__in=list(module_ids)).only("id", "path", "depth"):
        out[course.pk] = list(LessonPage.objects.live().filter(path__startswith=course.path, depth=course.depth + 1)
                              .order_by("path").values_list("pk", flat=True))
    return out


@dataclass
class Evidence:
    """What one official has done towards one requirement."""

    parts: rules.Parts = field(default_factory=rules.Parts)
    started_at: dt.datetime | None = None
    detail: dict = field(default_factory=dict)


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return min(x for x in (a, b) if x) if (a or b) else None


def requirement_evidence(requirement: Requirement, official_ids: Iterable[int]) -> dict[int, Evidence]:
    """For each official: when they finished the modules, passed the exam and attended a session, and when they
    first started anything. The exam verdict comes from `exams.grading` (its grading method and pass mark)."""
    ids = list(official_ids)
    out: dict[int, Evidence] = {oid: Evidence() for oid in ids}
    if not ids:
        return out
    modules = module_lessons(requirement.modules.values_list("pk", flat=True))
    done: dict[int, dict[int, dt.datetime]] = defaultdict(dict)  # official → lesson → completed_at
    first: dict[int, dt.datetime] = {}
    if modules:
        for chunk in chunks(ids):
            rows = LessonProgress.objects.filter(course_id__in=list(modules), official_id__in=chunk).values_list(
                "official_id", "lesson_id", "completed_at", "started_at")
            for oid, lesson_id, completed, started in rows:
                first[oid] = _earliest(first.get(oid), started)
                if completed:
                    done[oid][lesson_id] = completed
    exam_passed: set[int] = set()
    exam_last: dict[int, dt.datetime] = {}
    if requirement.exam_id:
        from exams.grading import officials_passed
        from exams.models import Attempt

        for chunk in chunks(ids):
            exam_passed |= set(officials_passed(exam=requirement.exam, official_ids=chunk))
            # The grading module says whether they passed; the date is that of their latest finished sitting.
            for oid, last, started in (Attempt.objects.filter(exam_id=requirement.exam_id, official_id__in=chunk)
                                       .values("official_id").annotate(last=Max("submitted_at"), first=Min("started_at"))
                                       .values_list("official_id", "last", "first")):
                first[oid] = _earliest(first.get(oid), started)
                if last:
                    exam_last[oid] = last
    attended: dict[int, dt.datetime] = {}
    if requirement.requires_attendance:
        for chunk in chunks(ids):
            for oid, when in (Attendance.objects.filter(session__requirement=requirement, present=True,
                                                        official_id__in=chunk)
                              .values("official_id").annotate(last=Max("session__starts_at"))
                              .values_list("official_id", "last")):
                attended[oid] = when
                first[oid] = _earliest(first.get(oid), when)
    for oid in ids:
        modules_at = None
        if modules and all(lessons for lessons in modules.values()):
            mine = done.get(oid, {})
            if all(lesson in mine for lessons in modules.values() for lesson in lessons):
                modules_at = max(mine[lesson] for lessons in modules.values() for lesson in lessons)
        exam_at = exam_last.get(oid) if oid in exam_passed else None
        ev = out[oid]
        ev.parts = rules.Parts(modules=modules_at, exam=exam_at, attendance=attended.get(oid))
        ev.started_at = first.get(oid)
        ev.detail = {
            "lessons_done": sum(1 for lessons in modules.values() for lesson in lessons if lesson in done.get(oid, {})),
            "lessons_total": sum(len(lessons) for lessons in modules.values()),
        }
    return out


# --- Who may see and edit what --------------------------------------------------------------------------------

def can_manage_lms(user) -> bool:
    """Administrators and personnel officers set requirements, sessions and enrolments."""
    return roles.is_admin(user) or roles.is_personnel(user)


def _owned_by_scope_q(scope: Scope) -> Q:
    """Requirements and sessions a personnel officer sees: province-wide ones and those owned by a unit in, above or
    below one of their subtrees (one set above them may still bind their officials)."""
    ancestors = {int(p) for path in scope.unit_paths for p in path.strip("/").split("/") if p}
    return Q(scope_unit__isnull=True) | scope.path_q("scope_unit__path") | Q(scope_unit_id__in=sorted(ancestors))


def requirements_visible_to(user) -> QuerySet[Requirement]:
    """Administrators see all requirements; personnel officers the province-wide ones and those of units in,
    above or below their subtrees (a requirement set above them may still bind their officials)."""
    qs = Requirement.objects.select_related("exam", "scope_unit")
    if roles.is_admin(user):
        return qs
    if not roles.is_personnel(user):
        return qs.none()
    return qs.filter(_owned_by_scope_q(scope_for(user)))


def can_edit(user, obj) -> bool:
    """Administrators edit anything; personnel officers what belongs to a unit inside their subtrees."""
    if roles.is_admin(user):
        return True
    if not roles.is_personnel(user) or obj.scope_unit_id is None:
        return False
    scope = scope_for(user)
    return bool(scope.unit_paths) and Unit.objects.filter(scope.path_q("path"), pk=obj.scope_unit_id).exists()


def sessions_visible_to(user) -> QuerySet[TrainingSession]:
    """Training sessions a manager may see (same rule as requirements)."""
    qs = TrainingSession.objects.select_related("requirement", "scope_unit")
    if roles.is_admin(user):
        return qs
    if not roles.is_personnel(user):
        return qs.none()
    return qs.filter(_owned_by_scope_q(scope_for(user)))


def officials_in_scope(user) -> QuerySet[Official]:
    """Officials whose learning record a manager may open: personnel officers their subtree, administrators all."""
    scope: Scope = scope_for(user)
    if not scope.can_manage:
        return Official.objects.none()
    return scope.officials()


# --- An official's learning -------------------------------------------------------------------------------

@dataclass
class ModuleProgress:
    course: object
    done: int
    total: int
    resume: object | None  # the lesson to open next
    resume_position: float = 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done >= self.total


def module_progress(official: Official, course_ids: Iterable[int]) -> dict[int, ModuleProgress]:
    """Lessons done of each module, and where to resume: the last lesson opened and not finished, else the first
    lesson not finished."""
    from content.models import CoursePage, LessonPage

    course_ids = list(dict.fromkeys(course_ids))
    courses = CoursePage.objects.in_bulk(course_ids)
    lessons = module_lessons(course_ids)
    all_lessons = LessonPage.objects.in_bulk([lid for ids in lessons.values() for lid in ids])
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(official=official, course_id__in=course_ids)}
    out = {}
    for cid in course_ids:
        if cid not in courses:
            continue
        ids = lessons.get(cid, [])
        unfinished = [lid for lid in ids if not (lid in progress and progress[lid].completed_at)]
        opened = sorted((progress[lid] for lid in unfinished if lid in progress), key=lambda p: p.updated_at)
        resume_id = opened[-1].lesson_id if opened else (unfinished[0] if unfinished else None)
        out[cid] = ModuleProgress(course=courses[cid], done=len(ids) - len(unfinished), total=len(ids),
                                  resume=all_lessons.get(resume_id) if resume_id else None,
                                  resume_position=progress[resume_id].position if resume_id in progress else 0.0)
    return out


def lesson_progress_of(official: Official, lesson_id: int) -> LessonProgress | None:
    """An official's progress in one lesson, or None before they open it."""
    return LessonProgress.objects.filter(official=official, lesson_id=lesson_id).first()


def module_open_to(official: Official, course) -> bool:
    """Whether an official may have a module's lessons count as studied: it is open to their roles (the course's
    audience), or a requirement they are assigned to names it."""
    if course.for_all_officials or (course.for_reform_officers and official.is_reform_officer) or (
            course.for_one_stop_receivers and official.is_one_stop_receiver):
        return True
    return Assignment.objects.filter(official=official, active=True, requirement__modules=course.pk).exists()


def lessons_studied(official: Official, course_id: int) -> set[int]:
    """Ids of the lessons of a module the official has marked as studied."""
    return set(LessonProgress.objects.filter(official=official, course_id=course_id, completed_at__isnull=False)
               .values_list("lesson_id", flat=True))


@dataclass
class LearningItem:
    assignment: Assignment
    modules: list[ModuleProgress]
    exam: object | None
    exam_grade: object | None
    sessions: list[TrainingSession]
    attended: bool


def my_learning(official: Official, *, today: dt.date | None = None) -> dict:
    """Everything the "My learning" page shows: required items with status and progress, other modules in
    progress, completions (history) with certificates, and assignments no longer required."""
    today = today or timezone.localdate()
    assignments = list(Assignment.objects.filter(official=official).select_related("requirement", "requirement__exam")
                       .prefetch_related("requirement__modules").order_by("due_at", "requirement__title"))
    active = [a for a in assignments if a.active]
    course_ids = [m.pk for a in active for m in a.requirement.modules.all()]
    lesson_courses = list(LessonProgress.objects.filter(official=official).values_list("course_id", flat=True).distinct())
    progress = module_progress(official, [*course_ids, *lesson_courses])
    grades = {}
    for a in active:
        exam = a.requirement.exam
        if exam is not None and exam.pk not in grades:
            from exams.grading import official_exam_grade

            grades[exam.pk] = official_exam_grade(exam=exam, official=official)
    attended_sessions = set(Attendance.objects.filter(official=official, present=True).values_list("session_id", flat=True))
    now = timezone.now()
    items = []
    for a in active:
        req = a.requirement
        sessions = []
        if req.requires_attendance:
            sessions = [s for s in req.sessions.filter(ends_at__gte=now).order_by("starts_at")[:3]]
        attended = req.requires_attendance and req.sessions.filter(pk__in=attended_sessions).exists()
        items.append(LearningItem(
            assignment=a, modules=[progress[m.pk] for m in req.modules.all() if m.pk in progress],
            exam=req.exam, exam_grade=grades.get(req.exam_id) if req.exam_id else None,
            sessions=sessions, attended=attended))
    required_courses = set(course_ids)
    other = [p for cid, p in progress.items() if cid not in required_courses and cid in set(lesson_courses)]
    completions = list(Completion.objects.filter(official=official).select_related("requirement", "certificate")
                       .order_by("-completed_at"))
    return {
        "items": items,
        "other_modules": other,
        "completions": completions,
        "no_longer_required": [a for a in assignments if not a.active],
        "certificates": [c.certificate for c in completions if hasattr(c, "certificate")],
        "today": today,
    }


def certificate_by_code(code: str) -> Certificate | None:
    """A certificate by its verification code, typed with or without dashes, in any case."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 12:
        return None
    formatted = "-".join(cleaned[i:i + 4] for i in range(0, 12, 4))
    return Certificate.objects.select_related("completion").filter(code=formatted).first()


def certificates_of(user) -> QuerySet[Certificate]:
    """Certificates a user may download: their own; managers also those of officials in their scope."""
    from org.selectors import official_of

    qs = Certificate.objects.select_related("completion", "completion__official", "completion__requirement")
    own = official_of(user)
    cond = Q(completion__official=own) if own else Q(pk__in=[])
    scope = scope_for(user)
    if scope.can_manage:
        if scope.all_officials:
            return qs
        cond |= scope.path_q("completion__official__unit__path")
    return qs.filter(cond)


def behind_in(scope: Scope, *, today: dt.date, limit: int = 50) -> dict:
    """Who is behind in a scope's subtrees (for the weekly digest): overdue and due within two weeks."""
    base = Assignment.objects.filter(scope.path_q("official__unit__path"), active=True, official__status="active")
    overdue = base.filter(status=Assignment.Status.OVERDUE)
    soon = base.filter(status__in=[Assignment.Status.NOT_STARTED, Assignment.Status.IN_PROGRESS],
                       due_at__isnull=False, due_at__lte=today + dt.timedelta(days=14))
    rows = list(overdue.select_related("official", "official__unit", "requirement")
                .order_by("due_at", "official__unit__path", "official__full_name")[:limit])
    return {"overdue_count": overdue.count(), "soon_count": soon.count(), "overdue": rows}
