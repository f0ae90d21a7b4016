"""The essay queue: essays waiting or graded, shown without the candidate's name, and a grader's mark on one."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from scoring.grading import grade

from ..models import Answer, Attempt, AttemptQuestion, Exam, GradeChange
from .scores import _earned, _send_graded, points_text, score_of
from .base import CENT, FINISHED, GradingRefused


def essays_of(*, exam: Exam, show: str = "waiting") -> QuerySet[AttemptQuestion]:
    """Essay answers of the exam's finished sittings: `waiting` for a grader, already `graded`, or `all`; grouped
    by question, oldest submission first."""
    qs = (AttemptQuestion.objects
          .filter(attempt__exam=exam, attempt__status__in=FINISHED, version__question__kind="essay")
          .select_related("version__question", "attempt__official__unit", "graded_by")
          .order_by("version__question_id", "attempt__submitted_at", "attempt_id", "slot"))
    if show == "waiting":
        return qs.filter(fraction__isnull=True)
    if show == "graded":
        return qs.filter(fraction__isnull=False)
    return qs


def essay_counts(*, exam: Exam) -> dict[str, int]:
    """How many essay answers wait for a grader and how many are graded, for the queue's header."""
    return essays_of(exam=exam, show="all").aggregate(
        waiting=Count("pk", filter=Q(fraction__isnull=True)), graded=Count("pk", filter=Q(fraction__isnull=False)))


def anonymous_code(attempt_id: int) -> str:
    """A stable code that stands for a candidate in the anonymised queue and reveals nothing about them."""
    return salted_hmac("exams.grading.anonymous", str(attempt_id)).hexdigest()[:8].upper()


@dataclass
class EssayItem:
    slot: AttemptQuestion
    text: str
    code: str

    @property
    def points_given(self) -> Decimal | None:
        if self.slot.fraction is None:
            return None
        return _earned(self.slot.points, self.slot.fraction).quantize(CENT)

    @property
    def given_text(self) -> str:
        return "" if self.points_given is None else points_text(self.points_given)

    @property
    def max_text(self) -> str:
        return points_text(self.slot.points)


def essay_items(slots: Iterable[AttemptQuestion]) -> list[EssayItem]:
    """The candidates' texts for a page of essay slots, read in one query."""
    slots = list(slots)
    answers = {(a.attempt_id, a.slot): a.response
               for a in Answer.objects.filter(attempt_id__in={s.attempt_id for s in slots})
               .filter(slot__in={s.slot for s in slots})}
    items = []
    for s in slots:
        response = answers.get((s.attempt_id, s.slot)) or {}
        text = response.get("text", "") if isinstance(response, dict) else ""
        items.append(EssayItem(slot=s, text=str(text or ""), code=anonymous_code(s.attempt_id)))
    return items


@transaction.atomic
def essay_grade(*, slot: AttemptQuestion, points: Decimal, comment: str = "", by=None,
                now: dt.datetime | None = None) -> GradeChange | None:
    """Record a grader's points (0..the slot's points) and comment for one essay answer, recompute the attempt's
    score, audit the change and tell listeners. Re-grading is allowed; an unchanged grade writes nothing."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=slot.attempt_id)
    if attempt.status not in FINISHED:
        raise GradingRefused(_("This sitting is still in progress: it can be graded once it is submitted."))
    slots = list(attempt.slots.select_related("version__question"))
    target = next((s for s in slots if s.pk == slot.pk), None)
    if target is None or target.version.question.kind != "essay":
        raise GradingRefused(_("Only essay answers are graded by hand."))
    points = Decimal(points)
    if points < 0 or points > target.points:
        raise GradingRefused(_("Points must be between 0 and %(max)s.") % {"max": points_text(target.points)})
    comment = (comment or "").strip()
    new_fraction = float(points / target.points) if target.points else 0.0
    old_fraction = target.fraction
    if old_fraction is not None and abs(old_fraction - new_fraction) < 1e-9 and comment == target.comment:
        return None
    old_points = None if old_fraction is None else _earned(target.points, old_fraction).quantize(CENT)
    target.fraction, target.comment, target.graded_by, target.graded_at = new_fraction, comment, by, now
    target.save(update_fields=["fraction", "comment", "graded_by", "graded_at"])
    old_score = attempt.score
    attempt.score = score_of((s.points, s.fraction) for s in slots)
    attempt.needs_manual_grading = any(s.fraction is None for s in slots)
    attempt.save(update_fields=["score", "needs_manual_grading"])
    change = GradeChange.objects.create(
        attempt=attempt, slot=target.slot, kind=GradeChange.Kind.MANUAL, old_fraction=old_fraction,
        new_fraction=new_fraction, old_score=old_score, new_score=attempt.score, by=by, at=now, note=comment,
        detail={"question": target.version.question_id, "version": target.version.number,
                "old_points": None if old_points is None else str(old_points),
                "points": str(points.quantize(CENT)), "max_points": str(target.points)})
    _send_graded([attempt])
    return change
