"""Regrading after a question is corrected: which papers a corrected version can replace (a preview), then the
new marks applied, each change recorded as a `GradeChange`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.grading import from_paper, grade

from ..models import Answer, Attempt, AttemptQuestion, Exam, GradeChange, Question, QuestionVersion
from .scores import _send_graded, attempt_passed, percent_of, score_of
from .base import CHOICE_KINDS, FINISHED, GradingRefused


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
    from ..models import ExamSession

    if ExamSession.objects.filter(shifts__exam=exam, status=ExamSession.Status.PUBLISHED).exists():
        # Thông tư 06/2020: a computer-marked result is final once the council has published the list.
        raise GradingRefused(_("The council has published this exam's results: computer-marked results are final."))
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
