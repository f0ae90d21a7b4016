"""The final grade across attempts by the exam's grading method (highest, average, first, last) and the results
table trainers read."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from scoring.grading import grade

from ..models import Attempt, Exam, GradeChange
from .scores import percent_of
from .base import CENT, FINISHED


@dataclass(frozen=True)
class ExamGrade:
    """An official's final grade for an exam by its grading method. `score` is on the 10-point scale used in
    Vietnamese results; attempts waiting for an essay grader do not count yet (`pending_manual`)."""

    percent: Decimal | None
    score: Decimal | None
    passed: bool | None
    attempts: int
    pending_manual: bool


def final_percent(method: str, percents: list[Decimal]) -> Decimal | None:
    """The final percentage from graded attempts' percentages in attempt order, by grading method."""
    if not percents:
        return None
    if method == Exam.GradingMethod.LAST:
        return percents[-1]
    if method == Exam.GradingMethod.FIRST:
        return percents[0]
    if method == Exam.GradingMethod.AVERAGE:
        return (sum(percents, Decimal(0)) / len(percents)).quantize(CENT, rounding=ROUND_HALF_UP)
    return max(percents)


def _exam_grade(exam: Exam, attempts: list[tuple]) -> ExamGrade | None:
    """`attempts`: (number, status, score, max_score, needs_manual_grading) of one official, in number order."""
    finished = [a for a in attempts if a[1] in FINISHED]
    if not finished:
        return None
    percents = [p for _n, _s, score, max_score, manual in finished if not manual
                for p in [percent_of(score, max_score)] if p is not None]
    percent = final_percent(exam.grading_method, percents)
    score = None if percent is None else (percent / 10).quantize(CENT, rounding=ROUND_HALF_UP)  # as the percentage
    return ExamGrade(percent=percent, score=score,
                     passed=None if percent is None else percent >= exam.pass_percent, attempts=len(finished),
                     pending_manual=any(a[4] for a in finished))


ATTEMPT_FIELDS = ("number", "status", "score", "max_score", "needs_manual_grading")


def official_exam_grade(*, exam: Exam, official) -> ExamGrade | None:
    """The official's final grade for the exam by its grading method (highest, last, first or average of the
    finished attempts); None if they have no finished attempt."""
    rows = list(Attempt.objects.filter(exam=exam, official=official).order_by("number")
                .values_list(*ATTEMPT_FIELDS))
    return _exam_grade(exam, rows)


def officials_passed(*, exam: Exam, official_ids: Iterable[int] | QuerySet | None = None) -> set[int]:
    """Ids of officials (among `official_ids`, or all) whose final grade reaches the exam's pass mark. One query;
    `official_ids` may be a queryset of ids, used as a subquery."""
    qs = Attempt.objects.filter(exam=exam, status__in=FINISHED, needs_manual_grading=False, score__isnull=False,
                                max_score__gt=0)
    if official_ids is not None:
        qs = qs.filter(official_id__in=official_ids if isinstance(official_ids, QuerySet) else list(official_ids))
    percents: dict[int, list[Decimal]] = {}
    for official_id, score, max_score in qs.order_by("official_id", "number").values_list(
            "official_id", "score", "max_score"):
        percents.setdefault(official_id, []).append(percent_of(score, max_score))
    return {o for o, p in percents.items() if final_percent(exam.grading_method, p) >= exam.pass_percent}


@dataclass
class ResultRow:
    official: object
    grade: ExamGrade | None
    in_progress: bool


def exam_results(*, exam: Exam) -> list[ResultRow]:
    """Every official who has sat the exam, in unit-tree and name order, with their final grade: one query."""
    rows: dict[int, list] = {}
    officials = {}
    for a in (Attempt.objects.filter(exam=exam).select_related("official__unit")
              .order_by("official__unit__path", "official__name_folded", "official_id", "number")):
        officials[a.official_id] = a.official
        rows.setdefault(a.official_id, []).append(tuple(getattr(a, f) for f in ATTEMPT_FIELDS))
    return [ResultRow(official=officials[o], grade=_exam_grade(exam, attempts),
                      in_progress=any(a[1] == Attempt.Status.IN_PROGRESS for a in attempts))
            for o, attempts in rows.items()]


def grade_changes_of(*, exam: Exam) -> QuerySet[GradeChange]:
    """The audit trail of the exam's grade changes, newest first."""
    return (GradeChange.objects.filter(attempt__exam=exam)
            .select_related("attempt__official__unit", "by").order_by("-at", "-id"))
