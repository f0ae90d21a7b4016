"""Reads for exam statistics: the responses of an exam's finished papers as the long table that
`scoring.statistics` computes on, and the computed statistics, cached until a paper is submitted or a grade changes."""
from __future__ import annotations

import json

import pandas as pd
from django.core.cache import cache
from django.db.models import Count, FloatField, Max, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from scoring import statistics as core
from scoring.grading import from_paper, is_answered

from .models import Answer, Attempt, AttemptQuestion, Exam, ExamSection, GradeChange, QuestionVersion

FINISHED = (Attempt.Status.SUBMITTED, Attempt.Status.TIMED_OUT)
CACHE_VERSION = 2  # bump when the computation changes, so no stale figures are served
CACHE_SECONDS = 7 * 24 * 3600  # the key changes with every submission or grade change; this only frees memory


def default_which(exam: Exam) -> str:
    """The attempts Moodle uses by default: those that make the grade (all of them when grades are averaged)."""
    return core.WHICH_FOR_GRADING_METHOD.get(exam.grading_method, "all")


def _chosen(kind: str, response, option_order: list) -> tuple[int, ...] | None:
    """The bank's indices of the options picked; the response holds positions on this candidate's paper."""
    if kind not in core.CHOICE_KINDS or not response:
        return None
    shown = response.get("choices") if kind == "multiple" else [response.get("choice")]
    out = []
    for position in shown or ():
        try:
            position = int(position)
            out.append(option_order[position] if option_order else position)
        except (IndexError, TypeError, ValueError):
            continue  # a malformed response counts as no option picked
    return tuple(out) or None


def _json_many(texts: list[str | None]) -> list:
    # One parse of a joined array instead of one per row: JSON decoding dominates reading 100,000 slots.
    return json.loads("[" + ",".join(t if t is not None else "null" for t in texts) + "]") if texts else []


def _blueprint(exam: Exam, slots: list[tuple]) -> tuple[dict[tuple[int, int], tuple[int, int | None]], dict]:
    """Number the blueprint slots the papers filled, as Moodle numbers a quiz's slots: the sections in their order
    (a section deleted since, after them), each section's draws in turn. Returns {(section, draw): (number, pool)},
    pool being the section when it draws at random (None for fixed questions), and each pool's name."""
    width: dict[int, int] = {}
    held: dict[tuple[int, int], set[int]] = {}
    for section_id, draw, question_id in slots:
        width[section_id] = max(width.get(section_id, 0), draw)
        held.setdefault((section_id, draw), set()).add(question_id)
    current = {pk: (bool(fixed), title or topic or "") for pk, title, topic, fixed in ExamSection.objects.filter(
        pk__in=list(width)).annotate(fixed=Count("fixed_questions")).values_list("pk", "title", "topic__name", "fixed")}
    order = [pk for pk in exam.sections.order_by("order", "id").values_list("pk", flat=True) if pk in width]
    order += sorted(pk for pk in width if pk not in order)
    numbers: dict[tuple[int, int], tuple[int, int | None]] = {}
    names = {}
    offset = 0
    for pk in order:
        if pk in current:
            random = not current[pk][0]
        else:  # a deleted section: random if its papers held different questions in one of its slots
            random = any(len(held.get((pk, d), ())) > 1 for d in range(1, width[pk] + 1))
        if random:
            names[pk] = current.get(pk, (False, ""))[1]
        for draw in range(1, width[pk] + 1):
            numbers[(pk, draw)] = (offset + draw, pk if random else None)
        offset += width[pk]
    return numbers, names


def exam_responses(exam: Exam) -> tuple[pd.DataFrame, dict[int, dict], dict]:
    """Every question of the exam's finished papers, one row each (the table `scoring.statistics` takes, with the
    blueprint slot when every paper records one), the bank content of each question (name, kind and data of the
    newest version a paper holds), and the names of the pools random slots draw from."""
    finished = {"attempt__exam": exam, "attempt__status__in": FINISHED}
    slots = list(AttemptQuestion.objects.filter(**finished).values_list(
        "attempt_id", "attempt__official_id", "attempt__number", "slot", "version_id", "version__question_id",
        "version__question__kind", Cast("points", FloatField()), "fraction", Cast("option_order", TextField()),
        "section_id", "draw", Cast("elements", TextField())))
    given = list(Answer.objects.filter(**finished).values_list("attempt_id", "slot", Cast("response", TextField())))
    answers = dict(zip(((a, s) for a, s, _r in given), _json_many([r for _a, _s, r in given])))
    orders = _json_many([row[9] for row in slots])
    papers = _json_many([row[12] for row in slots])
    recorded = all(row[10] is not None and row[11] is not None for row in slots)
    numbers, pools = _blueprint(exam, [(row[10], row[11], row[5]) for row in slots]) if recorded else ({}, {})
    rows = []
    newest: dict[int, int] = {}
    for (attempt_id, official_id, number, slot, version_id, question_id, kind, points, fraction, _o, section_id,
         draw, _e), order, paper in zip(slots, orders, papers):
        response = from_paper(kind, answers.get((attempt_id, slot)), paper)
        place = numbers.get((section_id, draw), (None, None))
        rows.append((attempt_id, official_id, number, slot, question_id, kind, points, fraction,
                     _chosen(kind, response, order), is_answered(kind, response), place[0], place[1]))
        newest[question_id] = max(newest.get(question_id, 0), version_id)
    df = pd.DataFrame(rows, columns=["attempt_id", "official_id", "number", "slot", "question_id", "kind",
                                     "max_mark", "fraction", "chosen", "answered", "blueprint_slot", "pool"])
    df["pool"] = pd.Series([r[11] for r in rows], index=df.index, dtype=object)
    questions = {v["question_id"]: {"name": v["name"], "kind": v["question__kind"], "data": v["data"]}
                 for v in QuestionVersion.objects.filter(pk__in=newest.values())
                 .values("question_id", "name", "question__kind", "data")}
    return df, questions, pools


def _cache_key(exam: Exam, which: str) -> str:
    done = Attempt.objects.filter(exam=exam, status__in=FINISHED).aggregate(n=Count("id"), last=Max("submitted_at"))
    change = GradeChange.objects.filter(attempt__exam=exam).aggregate(last=Max("id"))["last"]
    last = done["last"].timestamp() if done["last"] else 0
    rules = f"{int(exam.all_or_nothing)}-{float(exam.negative_marking_percent or 0):g}"  # 0 and Decimal("0.00") alike
    return f"exam-stats:{CACHE_VERSION}:{exam.pk}:{which}:{done['n']}:{last}:{change or 0}:{rules}"


def cached_statistics_of(exam: Exam, *, which: str | None = None) -> core.ExamStatistics | None:
    """The statistics already computed for the exam's current papers and grades, or None."""
    return cache.get(_cache_key(exam, which or default_which(exam)))


def statistics_of(exam: Exam, *, which: str | None = None) -> core.ExamStatistics:
    """Item and test statistics of the exam (Moodle's definitions), from cache when no paper was submitted and no
    grade changed since they were computed."""
    which = which if which in core.WHICH else default_which(exam)
    key = _cache_key(exam, which)
    result = cache.get(key)
    if result is None:
        df, questions, pools = exam_responses(exam)
        result = core.exam_statistics(df, questions, which=which, rules=exam.grading_rules(), pools=pools)
        result.computed_at = timezone.now()
        cache.set(key, result, CACHE_SECONDS)
    return result

