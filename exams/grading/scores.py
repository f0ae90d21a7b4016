"""Scores of a sitting from its slots, pass/fail, and the check that every stored grade equals a regrade of the
stored answers (`attempts_grade_mismatches`). Signals `attempt_graded` after a change commits."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import QuerySet

from scoring.grading import from_paper, grade

from ..models import Answer, Attempt, AttemptQuestion, Exam
from ..signals import attempt_graded
from .base import CENT, FINISHED


def _earned(points: Decimal, fraction: float) -> Decimal:
    # The same rounding as exams.services.attempt_submit, so a regrade that changes nothing gives the same score.
    return points * Decimal(str(round(fraction, 6)))


def score_of(slots: Iterable[tuple[Decimal, float | None]]) -> Decimal:
    """An attempt's score from its slots' (points, fraction); slots waiting for a grader (None) earn nothing yet."""
    total = sum((_earned(p, f) for p, f in slots if f is not None), Decimal(0))
    return max(total, Decimal(0)).quantize(CENT)  # negative marking never takes an attempt below zero


def attempts_grade_mismatches(attempts: QuerySet[Attempt]) -> list[tuple[Attempt, list[int]]]:
    """The exam contract's invariant, checked: every finished sitting's stored grade equals a regrade of its stored
    answers. Returns the sittings where it does not hold, with the slots whose stored fraction differs from a fresh
    grade of the stored answer ([] when only the total differs). Hand-graded fractions are taken as they are.
    Writes nothing."""
    attempts = list(attempts.filter(status__in=FINISHED).select_related("exam"))
    answers: dict[tuple[int, int], dict] = {
        (a, s): r for a, s, r in Answer.objects.filter(attempt__in=attempts).values_list("attempt_id", "slot",
                                                                                          "response")}
    slots: dict[int, list[AttemptQuestion]] = {}
    for s in (AttemptQuestion.objects.filter(attempt__in=attempts).select_related("version__question")
              .order_by("attempt_id", "slot")):
        slots.setdefault(s.attempt_id, []).append(s)
    out = []
    for attempt in attempts:
        rules, wrong, paper = attempt.exam.grading_rules(), [], []
        for s in slots.get(attempt.pk, []):
            kind = s.version.question.kind
            fresh = grade(kind, s.version.data, from_paper(kind, answers.get((attempt.pk, s.slot)), s.elements),
                          option_order=s.option_order, **rules)
            if fresh is not None and (s.fraction is None or abs(fresh - s.fraction) > 1e-9):
                wrong.append(s.slot)
            paper.append((s.points, s.fraction if fresh is None else fresh))
        if wrong or score_of(paper) != attempt.score:
            out.append((attempt, wrong))
    return out


def percent_of(score: Decimal | None, max_score: Decimal | None) -> Decimal | None:
    """A score as a percentage of the paper, rounded to hundredths (the figure shown and compared to the pass mark)."""
    if score is None or not max_score:
        return None
    return (Decimal(score) * 100 / Decimal(max_score)).quantize(CENT, rounding=ROUND_HALF_UP)


def points_text(value) -> str:
    """Points as people write them here: "10", "1,5", "0,25" (decimal comma, no trailing zeros)."""
    from django.utils.formats import number_format

    value = Decimal(value).quantize(CENT)
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def attempt_passed(attempt: Attempt, exam: Exam | None = None) -> bool | None:
    """Whether one finished attempt reaches the pass mark; None while it is in progress or an essay waits."""
    exam = exam or attempt.exam
    if attempt.status not in FINISHED or attempt.needs_manual_grading:
        return None
    percent = percent_of(attempt.score, attempt.max_score)
    return None if percent is None else percent >= exam.pass_percent


def _send_graded(attempts: list[Attempt]) -> None:
    def send():
        for attempt in attempts:
            attempt_graded.send(sender=Attempt, attempt=attempt)
    transaction.on_commit(send)
