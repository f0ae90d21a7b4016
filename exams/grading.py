"""Trainers' grading after submission: the essay queue, regrading after a question is corrected, and the final
grade across attempts by the exam's grading method. Every change of a grade writes a `GradeChange` row and sends
`exams.signals.attempt_graded` once the transaction commits (the LMS recomputes completion on it)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from scoring.grading import from_paper, grade

from .models import Answer, Attempt, AttemptQuestion, Exam, GradeChange, Question, QuestionVersion
from .signals import attempt_graded

FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.TIMED_OUT)
CENT = Decimal("0.01")
CHOICE_KINDS = ("single", "multiple", "truefalse")


class GradingRefused(Exception):
    """A grade cannot be recorded; the message says why, for the trainer."""


# --- Scores -----------------------------------------------------------------------------------------------------

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


# --- Essays -----------------------------------------------------------------------------------------------------

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


# --- Regrade after a question is corrected ---------------------------------------------------------------------

@dataclass
class SlotChange:
    slot: AttemptQuestion
    old_version: QuestionVersion
    new_version: QuestionVersion
    old_fraction: float | None
    new_fraction: float

    @property
    def changed(self) -> bool:
        return self.old_fraction is None or abs(self.old_fraction - self.new_fraction) > 1e-9


@dataclass
class AttemptChange:
    attempt: Attempt
    old_score: Decimal | None
    new_score: Decimal
    old_passed: bool | None
    new_passed: bool | None
    slots: list[SlotChange] = field(default_factory=list)
    paper: dict = field(default_factory=dict, repr=False)  # slot -> (points, fraction) before the regrade

    @property
    def old_percent(self) -> Decimal | None:
        return percent_of(self.old_score, self.attempt.max_score)

    @property
    def new_percent(self) -> Decimal | None:
        return percent_of(self.new_score, self.attempt.max_score)

    @property
    def outcome_changed(self) -> bool:
        return self.old_passed != self.new_passed


@dataclass
class Skipped:
    slot: AttemptQuestion
    reason: str


@dataclass
class RegradePlan:
    """What a regrade does (dry run) or did (applied): attempts whose grade changes, every slot that moves to its
    question's current version, slots left alone and why, and sittings still open (not touched)."""

    changes: list[AttemptChange] = field(default_factory=list)
    moves: list[SlotChange] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    in_progress: int = 0
    applied: bool = False

    @property
    def unchanged(self) -> int:
        """Slots that move to the current version without a change of grade."""
        return sum(not m.changed for m in self.moves)


def incompatibility(old: QuestionVersion, new: QuestionVersion) -> str:
    """Why a frozen paper's answer cannot be regraded with a corrected version ("" when it can): answers refer
    to options and items by position, so their number must not change."""
    kind = old.question.kind
    if new.question.kind != kind:
        return _("the question type changed")
    if kind == "essay":
        return _("essays keep their manual grade")
    a, b = old.data or {}, new.data or {}
    if kind in CHOICE_KINDS and len(a.get("choices", [])) != len(b.get("choices", [])):
        return _("the number of options changed (%(old)s → %(new)s)") % {
            "old": len(a.get("choices", [])), "new": len(b.get("choices", []))}
    if kind == "matching":
        def shape(d):
            return len([p for p in d.get("pairs", []) if p[0]]), len({p[1] for p in d.get("pairs", [])})
        if shape(a) != shape(b):
            return _("the number of items or matches changed")
    if kind == "ordering" and len(a.get("order", [])) != len(b.get("order", [])):
        return _("the number of items to order changed")
    return ""


def _plan(*, exam: Exam, question: Question | None) -> RegradePlan:
    plan = RegradePlan()
    open_papers = Attempt.objects.filter(exam=exam, status=Attempt.Status.IN_PROGRESS)
    if question is not None:
        open_papers = open_papers.filter(slots__version__question=question).distinct()
    plan.in_progress = open_papers.count()
    outdated = (AttemptQuestion.objects
                .filter(attempt__exam=exam, attempt__status__in=FINISHED,
                        version__question__current_version__isnull=False)
                .exclude(version_id=F("version__question__current_version_id")))
    if question is not None:
        outdated = outdated.filter(version__question=question)
    slots = list(outdated.select_related("version__question__current_version", "attempt__official__unit")
                 .order_by("attempt_id", "slot"))
    if not slots:
        return plan
    # Only the answers of the outdated slots, in one query.
    answers = {(a["attempt_id"], a["slot"]): a["response"] for a in Answer.objects.filter(
        Exists(outdated.filter(attempt_id=OuterRef("attempt_id"), slot=OuterRef("slot")))
    ).values("attempt_id", "slot", "response")}
    for s in slots:
        current = s.version.question.current_version
        reason = incompatibility(s.version, current)
        if reason:
            plan.skipped.append(Skipped(slot=s, reason=reason))
            continue
        kind = s.version.question.kind
        new = grade(kind, current.data, from_paper(kind, answers.get((s.attempt_id, s.slot)), s.elements),
                    option_order=s.option_order, **exam.grading_rules())
        if new is None:
            plan.skipped.append(Skipped(slot=s, reason=_("this answer is graded by hand")))
            continue
        plan.moves.append(SlotChange(s, s.version, current, s.fraction, new))
    changed: dict[int, list[SlotChange]] = {}
    for m in plan.moves:
        if m.changed:
            changed.setdefault(m.slot.attempt_id, []).append(m)
    if not changed:
        return plan
    papers: dict[int, dict[int, tuple[Decimal, float | None]]] = {}
    for attempt_id, no, points, fraction in (AttemptQuestion.objects.filter(attempt_id__in=list(changed))
                                             .values_list("attempt_id", "slot", "points", "fraction")):
        papers.setdefault(attempt_id, {})[no] = (points, fraction)
    for attempt_id, moved in changed.items():
        attempt = moved[0].slot.attempt
        attempt.exam = exam
        after = {**papers[attempt_id], **{c.slot.slot: (c.slot.points, c.new_fraction) for c in moved}}
        new_score = score_of(after.values())
        new_passed = None
        if not attempt.needs_manual_grading:
            pct = percent_of(new_score, attempt.max_score)
            new_passed = None if pct is None else pct >= exam.pass_percent
        plan.changes.append(AttemptChange(attempt=attempt, old_score=attempt.score, new_score=new_score,
                                          old_passed=attempt_passed(attempt, exam), new_passed=new_passed,
                                          slots=moved, paper=papers[attempt_id]))
    plan.changes.sort(key=lambda c: (c.attempt.official.unit.path, c.attempt.official.name_folded,
                                     c.attempt.number))
    return plan


def regrade_preview(*, exam: Exam, question: Question | None = None) -> RegradePlan:
    """Dry run: whose score would change if the exam's finished papers (or only their slots of `question`) were
    regraded with each question's current version. Writes nothing."""
    return _plan(exam=exam, question=question)


@transaction.atomic
def regrade_apply(*, exam: Exam, question: Question | None = None, by=None,
                  now: dt.datetime | None = None) -> RegradePlan:
    """Point finished papers' outdated slots at their question's current version where compatible, regrade them,
    update scores, audit each changed slot and tell listeners. Applying twice changes nothing the second time."""
    now = now or timezone.now()
    # Lock the finished sittings so a grader saving an essay at the same moment cannot interleave.
    list(Attempt.objects.select_for_update().filter(exam=exam, status__in=FINISHED).values_list("pk", flat=True))
    plan = _plan(exam=exam, question=question)
    for m in plan.moves:
        m.slot.version, m.slot.fraction = m.new_version, m.new_fraction
    AttemptQuestion.objects.bulk_update([m.slot for m in plan.moves], ["version", "fraction"], batch_size=500)
    audit = []
    for change in plan.changes:
        paper, running = dict(change.paper), change.old_score
        for c in change.slots:
            # Each row records the score after its own slot changed, so one attempt's rows read as a sequence.
            paper[c.slot.slot] = (c.slot.points, c.new_fraction)
            before, running = running, score_of(paper.values())
            audit.append(GradeChange(
                attempt=change.attempt, slot=c.slot.slot, kind=GradeChange.Kind.REGRADE,
                old_fraction=c.old_fraction, new_fraction=c.new_fraction, old_score=before, new_score=running,
                by=by, at=now, detail={"question": c.new_version.question_id, "from_version": c.old_version.number,
                                       "to_version": c.new_version.number}))
        change.attempt.score = change.new_score
    attempts = [c.attempt for c in plan.changes]
    Attempt.objects.bulk_update(attempts, ["score"], batch_size=500)
    GradeChange.objects.bulk_create(audit, batch_size=500)
    plan.applied = True
    if attempts:
        _send_graded(attempts)
    return plan


def regrade_questions(*, exam: Exam) -> list[dict]:
    """Questions on the exam's finished papers, with how many slots hold a version older than the current one."""
    rows = (AttemptQuestion.objects.filter(attempt__exam=exam, attempt__status__in=FINISHED)
            .values("version__question_id")
            .annotate(slots=Count("pk"),
                      outdated=Count("pk", filter=~Q(version_id=F("version__question__current_version_id"))))
            .order_by("version__question_id"))
    questions = Question.objects.select_related("current_version").in_bulk([r["version__question_id"] for r in rows])
    return [{"question": questions[r["version__question_id"]], "slots": r["slots"], "outdated": r["outdated"]}
            for r in rows]


# --- The final grade across attempts ---------------------------------------------------------------------------

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
