"""The LMS's JSON endpoints: the signed-in official's learning and their lesson progress (the lesson page's
resume point). Officials only ever reach their own records."""
import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from org.guards import official_or_403

from . import selectors, services
from .models import LessonProgress

router = Router(tags=["lms"])


def _official(request):
    return official_or_403(request, _("Only officials on the roster have a learning record."), api=True)


class ModuleOut(Schema):
    id: int
    title: str
    lessons_done: int
    lessons_total: int
    resume_url: str | None


class ItemOut(Schema):
    requirement_id: int
    title: str
    plan_clause: str
    status: str
    status_label: str
    due_at: dt.date | None
    completed_at: dt.datetime | None
    expires_at: dt.date | None
    modules: list[ModuleOut]
    exam_title: str | None
    exam_passed: bool | None
    requires_attendance: bool
    attended: bool


class CertificateOut(Schema):
    code: str
    title: str
    completed_on: dt.date
    valid_until: dt.date | None
    pdf_url: str
    verify_url: str


class LearningOut(Schema):
    items: list[ItemOut]
    certificates: list[CertificateOut]


class ProgressIn(Schema):
    position: float | None = Field(None, ge=0, le=1)
    anchor: str = Field("", max_length=64)
    completed: bool = False
    # What the reader did to finish the lesson; it must be the way the lesson's course counts lessons as studied.
    how: Literal["end", "next", "button"] = "button"


class ProgressOut(Schema):
    lesson_id: int
    position: float
    anchor: str
    completed_at: dt.datetime | None


@router.get("/lms/my-learning", response=LearningOut, summary="My required training, progress and certificates")
def my_learning(request):
    from django.urls import reverse

    data = selectors.my_learning(_official(request))
    items = []
    for item in data["items"]:
        a, req = item.assignment, item.assignment.requirement
        items.append({
            "requirement_id": req.pk, "title": req.title, "plan_clause": req.plan_clause, "status": a.status,
            "status_label": str(a.get_status_display()), "due_at": a.due_at, "completed_at": a.completed_at,
            "expires_at": a.expires_at,
            "modules": [{"id": m.course.pk, "title": m.course.title, "lessons_done": m.done, "lessons_total": m.total,
                         "resume_url": m.resume.url if m.resume else None} for m in item.modules],
            "exam_title": item.exam.title if item.exam else None,
            "exam_passed": item.exam_grade.passed if item.exam_grade else None,
            "requires_attendance": req.requires_attendance, "attended": item.attended,
        })
    certs = [{"code": c.code, "title": c.title, "completed_on": c.completed_on, "valid_until": c.valid_until,
              "pdf_url": reverse("lms:certificate_pdf", args=[c.code]), "verify_url": reverse("lms:verify", args=[c.code])}
             for c in data["certificates"]]
    return {"items": items, "certificates": certs}


def _lesson(lesson_id: int):
    from content.models import LessonPage

    return get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)


def _out(lesson_id: int, progress: LessonProgress | None) -> dict:
    if progress is None:
        return {"lesson_id": lesson_id, "position": 0.0, "anchor": "", "completed_at": None}
    return {"lesson_id": lesson_id, "position": progress.position, "anchor": progress.anchor,
            "completed_at": progress.completed_at}


@router.get("/lms/lessons/{lesson_id}/progress", response=ProgressOut, summary="My progress in a lesson")
def lesson_progress_get(request, lesson_id: int):
    official = _official(request)
    lesson = _lesson(lesson_id)
    return _out(lesson.pk, LessonProgress.objects.filter(official=official, lesson_id=lesson.pk).first())


@router.post("/lms/lessons/{lesson_id}/progress", response=ProgressOut,
             summary="Record my resume point in a lesson, or mark it studied (as its course counts lessons: how)")
def lesson_progress_post(request, lesson_id: int, payload: ProgressIn):
    official = _official(request)
    lesson = _lesson(lesson_id)
    existing = LessonProgress.objects.filter(official=official, lesson_id=lesson.pk).first()
    position = payload.position
    if position is not None and existing is not None:
        position = max(position, existing.position)  # the furthest point reached, whatever order requests arrive in
    try:
        progress = services.lesson_progress_record(official=official, lesson=lesson, position=position,
                                                   anchor=payload.anchor, completed=payload.completed,
                                                   how=payload.how if payload.completed else None)
    except PermissionDenied as refused:
        raise HttpError(403, str(refused)) from None
    except ValidationError as refused:
        raise HttpError(409, " ".join(refused.messages)) from None
    return _out(lesson.pk, progress)
