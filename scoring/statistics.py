"""Item and test statistics of an exam, with the definitions of Moodle's quiz statistics report, so trainers who
come from Moodle read the same numbers (Moodle: question/classes/statistics/questions/calculator.php and
mod/quiz/report/statistics/classes/calculator.php; docs.moodle.org/dev/Quiz_statistics_calculations).

Pure: a long table of responses in, plain dataclasses out; no models, no database. One module of some 450 lines on
purpose: the test-level figures (α, error ratio, SEM) and the per-question and per-slot rows are computed from the
same per-attempt tables in one pass, and reading them side by side with Moodle's two calculators is how they are
checked.

The responses table has one row per question on a finished paper:
  attempt_id, official_id, number (the official's attempt number), slot (position on the paper),
  question_id, kind, max_mark (the slot's points), fraction (None while an essay waits for a grader),
  chosen (tuple of the bank's choice indices picked, for single/multiple/true-false; None otherwise),
  answered (bool: the candidate gave an answer);
  and, where the papers record it, blueprint_slot (the slot of the exam's blueprint the row fills, Moodle's quiz
  slot number, which shuffling the paper does not move) and pool (what a random slot draws from, e.g. its section;
  None for a slot that holds a fixed question).

How the figures follow Moodle:
- Which attempts: `first`, `highest`, `last` finished attempt of each official, or `all` (Moodle's default is the
  quiz's grading method; averaging uses all). Each included attempt counts as a separate candidate. The highest is
  the highest graded attempt, as Moodle's grade is: a later attempt waiting for a grader does not hide it.
- Attempts with an essay still waiting for a grader are left out until it is graded (Moodle would count the
  ungraded answer as 0 and distort every figure).
- Marks are expressed as a percentage of the attempt's paper, so the test figures read on the 100-point scale; on a
  paper whose maximum is the same for everyone this is Moodle's calculation up to that constant scale. The attempt
  total is the plain sum of its questions' marks (as Moodle's item analysis does), not floored at 0.
- Facility index = mean fraction; SD = sample SD (n-1) of the fraction; both in %.
- Discrimination index = 100 × Pearson correlation of the question's mark with the rest of the test (total minus
  this question), over the attempts that had the question.
- Discriminative efficiency = 100 × cov(mark, rest) / cov(sorted marks, sorted rests): the discrimination achieved
  as a share of the most the question could achieve with the same spread of marks.
- Skewness and kurtosis = Moodle's k-statistics: k3/k2^1.5 and k4/k2^2 (excess kurtosis, sample-size corrected),
  the same as scipy.stats.skew(bias=False) and scipy.stats.kurtosis(bias=False).
- Coefficient of internal consistency (Cronbach's alpha; KR-20 when every question is right/wrong):
  p/(p-1) × (1 - Σ variance of each position / variance of totals), p = positions. As Moodle, a position is a slot
  of the blueprint (mod/quiz/report/statistics: the quiz's slots; a random slot counts whatever question each paper
  drew there), never where a shuffled paper happened to show it. Papers that do not record their blueprint slots
  fall back to the question when every paper holds the same questions, otherwise the position on the paper.
  Error ratio = √(1-alpha); standard error of measurement = SD × error ratio.
- Random slots get a row of their own beside the rows of the questions they drew (Moodle's per-slot row and its
  "sub-questions"): the same figures over every paper's mark in that slot; no random guess score (as Moodle).
  A drawn question's row keeps the discrimination against the rest of the test that Moodle's documentation defines
  (Moodle's code correlates a sub-question with the whole total, its own mark included).
- Random guess score: the mean fraction earned by picking one option at random (single choice, true/false); 1/m
  for matching with m answers; 0 for short and numeric answers; none for multiple response and essays (as Moodle).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .grading import grade, matching_options

WHICH = ("first", "highest", "last", "all")
# Moodle's default is the attempts that make the grade: the grading method, where averaging means all attempts.
WHICH_FOR_GRADING_METHOD = {"first": "first", "highest": "highest", "last": "last", "average": "all"}
CHOICE_KINDS = ("single", "multiple", "truefalse")

# Flags. A facility of 10 % or less, or 90 % or more, falls in Moodle's "very difficult" / "very easy" bands (or
# beyond; see facility_band), which FACILITY_LOW/HIGH mirror for the chart; a discrimination index
# under 30 % is what Moodle's question bank marks as "very likely" to need checking; a discriminative efficiency
# under 15 % is what the quiz statistics report marks as dubious.
FACILITY_LOW, FACILITY_HIGH = 10.0, 90.0
DISCRIMINATION_LOW = 30.0
EFFICIENCY_LOW = 15.0
FLAGS = ("too_hard", "too_easy", "negative_discrimination", "low_discrimination", "low_efficiency")

HISTOGRAM_BINS = 10
BASIS_NAMES = {"blueprint_slot": "blueprint", "question_id": "question", "slot": "slot"}
_EPS = 1e-9  # variances below this are rounding noise from equal marks


@dataclass
class OptionCount:
    """How often one of the bank's options was picked (distractor analysis)."""

    index: int
    text: str
    credit: float  # the option's fraction, in %
    count: int
    percent: float  # of the attempts that had the question

    @property
    def is_right(self) -> bool:
        return self.credit > 0


@dataclass
class QuestionStatistics:
    question_id: int
    number: int
    name: str
    kind: str
    attempts: int
    facility: float | None = None  # %
    sd: float | None = None  # % of the question's marks
    random_guess: float | None = None  # %
    discrimination: float | None = None  # %
    efficiency: float | None = None  # %
    blank: int = 0
    options: list[OptionCount] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)  # the blueprint slots it filled (Moodle's "positions")
    pool: object = None  # the pool it was drawn from, None for a fixed question

    @property
    def blank_percent(self) -> float:
        return 100 * self.blank / self.attempts if self.attempts else 0.0

    @property
    def band(self) -> str:
        return facility_band(self.facility)


@dataclass
class SlotStatistics:
    """A random slot of the blueprint (Moodle's per-slot row): the marks of whatever question each paper drew there."""

    slot: int  # the blueprint slot number (Moodle's Q#)
    pool: object  # what it draws from (the key given in the table)
    pool_name: str
    attempts: int
    questions: int = 0  # how many different questions it drew
    facility: float | None = None  # %
    sd: float | None = None  # % of the slot's marks
    discrimination: float | None = None  # %
    efficiency: float | None = None  # %
    blank: int = 0
    flags: list[str] = field(default_factory=list)
    random_guess = None  # Moodle gives a random slot none

    @property
    def band(self) -> str:
        return facility_band(self.facility)


@dataclass
class OverallStatistics:
    attempts: int = 0
    mean: float | None = None  # % of the paper
    median: float | None = None
    sd: float | None = None
    skewness: float | None = None
    kurtosis: float | None = None
    alpha: float | None = None  # %, Moodle's "coefficient of internal consistency"
    error_ratio: float | None = None  # %
    standard_error: float | None = None  # % of the paper
    positions: int = 0
    # "blueprint": slots of the blueprint; papers without them: "question" (same questions) or "slot" (positions)
    position_basis: str = "question"
    random_slots: int = 0  # blueprint slots that draw from a pool
    dichotomous: bool = True  # every mark is all or nothing: alpha is KR-20


@dataclass
class ExamStatistics:
    which: str
    test: OverallStatistics
    questions: list[QuestionStatistics]
    histogram: list[tuple[int, int, int]]  # (from %, to %, attempts)
    officials: int = 0
    pending: int = 0  # chosen attempts left out because an essay waits for a grader
    computed_at: object = None
    slots: list[SlotStatistics] = field(default_factory=list)  # the random slots of the blueprint
    # Moodle's order of rows: ("slot", SlotStatistics) and ("question", QuestionStatistics), see `_layout`
    rows: list[tuple[str, object]] = field(default_factory=list)

    @property
    def flagged(self) -> list[QuestionStatistics]:
        return [q for q in self.questions if q.flags]


def facility_band(facility: float | None) -> str:
    """Moodle's reading of a facility index (docs: Quiz statistics report)."""
    if facility is None:
        return ""
    for upper, band in ((5, "extremely_difficult"), (10, "very_difficult"), (20, "difficult"),
                        (34, "moderately_difficult"), (65, "about_right"), (80, "fairly_easy"), (89, "easy"),
                        (94, "very_easy")):
        if facility <= upper + 0.5:  # Moodle's bands are whole percentages
            return band
    return "extremely_easy"


def random_guess_score(kind: str, data: Mapping, rules: Mapping | None = None) -> float | None:
    """The fraction a candidate earns on average by guessing (0..1, negative with negative marking), or None
    where Moodle does not estimate it."""
    rules = dict(rules or {})
    if kind in ("single", "truefalse"):
        n = len(data.get("choices", []))
        if not n:
            return None
        return sum(grade(kind, dict(data), {"choice": i}, **rules) for i in range(n)) / n
    if kind == "matching":
        m = len(matching_options(dict(data)))
        return 1.0 / m if m else None
    if kind in ("short", "numeric"):
        return 0.0
    if kind == "ordering":
        n = len(data.get("order", []))
        return 1.0 / math.factorial(n) if n else None  # our ordering questions are all or nothing
    return None  # multiple response, essay, description


def choose_attempts(attempts: pd.DataFrame, which: str) -> pd.DataFrame:
    """The attempts the statistics use, from a table indexed by attempt_id with official_id, number, total and
    (optionally) graded: each official's first, highest (ties: the earlier) or last finished attempt, or all of them.
    The highest is the highest graded one, as Moodle's grade is (an attempt waiting for a grader has no grade yet);
    it waits only when none is graded."""
    if which == "all" or attempts.empty:
        return attempts
    if which == "highest":
        ordered = attempts.assign(_graded=attempts["graded"] if "graded" in attempts else True).sort_values(
            ["official_id", "_graded", "total", "number"], ascending=[True, False, False, True])
        return ordered.groupby("official_id", sort=False).head(1).drop(columns="_graded").sort_index()
    if which == "last":
        return attempts.sort_values("number").groupby("official_id").tail(1).sort_index()
    return attempts.sort_values("number").groupby("official_id").head(1).sort_index()


def _var(a: np.ndarray) -> float:
    v = float(np.var(a, ddof=1)) if len(a) > 1 else 0.0
    return 0.0 if v < _EPS else v


def _cov(x: np.ndarray, y: np.ndarray) -> float:
    return float(((x - x.mean()) * (y - y.mean())).sum() / (len(x) - 1))


def _figures(item, g: pd.DataFrame) -> None:
    """Facility, SD, discrimination and discriminative efficiency of one item (a question or a slot) over the rows
    of the attempts that had it."""
    s = len(g)
    f = g["fraction"].to_numpy(dtype=float)
    x = g["score"].to_numpy(dtype=float)
    y = g["rest"].to_numpy(dtype=float)
    item.facility = float(f.mean()) * 100
    if s > 1:
        item.sd = math.sqrt(_var(f)) * 100
        var_x, var_y = _var(x), _var(y)
        cov = _cov(x, y)
        if var_x and var_y:
            item.discrimination = 100 * cov / math.sqrt(var_x * var_y)
        # The most covariance these marks could have with the rest: best paired with best.
        cov_max = _cov(np.sort(x), np.sort(y)) if var_x and var_y else 0.0
        if cov_max > _EPS:
            item.efficiency = 100 * cov / cov_max
    answered = g["answered"].to_numpy(dtype=bool) if "answered" in g else np.ones(s, dtype=bool)
    item.blank = int(s - answered.sum())


def _question(qid: int, g: pd.DataFrame, info: Mapping, rules: Mapping | None) -> QuestionStatistics:
    kind = str(info.get("kind") or g["kind"].iloc[0])
    data = info.get("data") or {}
    s = len(g)
    q = QuestionStatistics(question_id=int(qid), number=0, name=str(info.get("name") or f"#{qid}"), kind=kind,
                           attempts=s)
    _figures(q, g)
    guess = random_guess_score(kind, data, rules)
    q.random_guess = None if guess is None else guess * 100
    if kind in CHOICE_KINDS:
        counts: dict[int, int] = {}
        for chosen in g["chosen"]:
            for i in chosen or ():
                counts[int(i)] = counts.get(int(i), 0) + 1
        for i, c in enumerate(data.get("choices", [])):
            n = counts.get(i, 0)
            q.options.append(OptionCount(index=i, text=str(c.get("text", "")), credit=float(c.get("fraction", 0)) * 100,
                                         count=n, percent=100 * n / s))
    q.flags = question_flags(q)
    return q


def question_flags(q: QuestionStatistics | SlotStatistics) -> list[str]:
    """The reasons to look at a question (or a random slot) again (codes of FLAGS)."""
    flags = []
    if q.facility is not None and q.attempts > 1:
        if q.band in ("extremely_difficult", "very_difficult"):
            flags.append("too_hard")
        elif q.band in ("very_easy", "extremely_easy"):
            flags.append("too_easy")
    if q.discrimination is not None:
        if q.discrimination < 0:
            flags.append("negative_discrimination")
        elif q.discrimination < DISCRIMINATION_LOW:
            flags.append("low_discrimination")
    if q.efficiency is not None and q.efficiency < EFFICIENCY_LOW and "negative_discrimination" not in flags:
        flags.append("low_efficiency")
    return flags


def histogram(percents, bins: int = HISTOGRAM_BINS) -> list[tuple[int, int, int]]:
    """Attempts per band of the 100-point scale (0–10, 10–20, …, 90–100; 100 falls in the last band)."""
    width = 100 // bins
    counts = [0] * bins
    for p in percents:
        counts[min(bins - 1, max(0, int(p // width)))] += 1
    return [(i * width, (i + 1) * width, counts[i]) for i in range(bins)]


def overall_statistics(totals: np.ndarray, scores: pd.DataFrame, *, basis: str) -> OverallStatistics:
    """Moodle's test statistics of attempt totals (% of the paper); `scores` holds each question's mark in the same
    unit with its position (`basis` column) for the coefficient of internal consistency."""
    s = len(totals)
    t = OverallStatistics(attempts=s, position_basis=BASIS_NAMES[basis])
    if not s:
        return t
    t.mean = float(totals.mean())
    t.median = float(np.median(totals))
    t.positions = int(scores[basis].nunique())
    t.dichotomous = bool(scores["fraction"].isin([0.0, 1.0]).all())
    if s < 2:
        return t
    d = totals - t.mean
    power2, power3, power4 = float((d**2).sum()), float((d**3).sum()), float((d**4).sum())
    t.sd = math.sqrt(power2 / (s - 1))
    if s < 3:
        return t
    m2, m3, m4 = power2 / s, power3 / s, power4 / s
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    if k2 < _EPS:
        return t
    t.skewness = k3 / k2**1.5
    if s > 3:
        k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
        t.kurtosis = k4 / (k2 * k2)
    p = t.positions
    if p > 1:
        # Moodle sums the variance of every position that more than one attempt reached.
        variances = scores.groupby(basis)["score"].var(ddof=1).fillna(0.0)
        t.alpha = 100 * p / (p - 1) * (1 - float(variances.sum()) / k2)
        t.error_ratio = 100 * math.sqrt(max(0.0, 1 - t.alpha / 100))
        t.standard_error = t.error_ratio * t.sd / 100
    return t


def exam_statistics(responses: pd.DataFrame, questions: Mapping[int, Mapping] | None = None, *,
                    which: str = "all", rules: Mapping | None = None,
                    pools: Mapping | None = None) -> ExamStatistics:
    """Per-question, per-random-slot and per-test statistics of an exam's finished attempts (see the module
    docstring). `questions` maps question_id to {"name", "kind", "data"} (the bank's content, for options and
    guessing); `rules` are the exam's marking rules as `scoring.grading.grade` takes them; `pools` names the pools
    of the table's `pool` column."""
    if which not in WHICH:
        raise ValueError(f"which must be one of {WHICH}")
    questions = questions or {}
    df = responses.copy()
    if "kind" in df:
        df = df[df["kind"] != "description"]
    empty = ExamStatistics(which=which, test=OverallStatistics(), questions=[], histogram=histogram([]))
    if df.empty:
        return empty
    df["fraction"] = pd.to_numeric(df["fraction"], errors="coerce").astype(float)
    df["max_mark"] = df["max_mark"].astype(float)
    df["mark"] = df["fraction"].fillna(0.0) * df["max_mark"]
    attempts = df.groupby("attempt_id").agg(official_id=("official_id", "first"), number=("number", "first"),
                                            total=("mark", "sum"), paper=("max_mark", "sum"),
                                            graded=("fraction", lambda f: bool(f.notna().all())))
    chosen = choose_attempts(attempts, which)
    used = chosen[chosen["graded"] & (chosen["paper"] > 0)]
    result = ExamStatistics(which=which, test=OverallStatistics(), questions=[], histogram=histogram([]),
                            officials=int(used["official_id"].nunique()),
                            pending=int((~chosen["graded"]).sum()))
    if used.empty:
        return result
    df = df[df["attempt_id"].isin(used.index)].copy()
    paper = df["attempt_id"].map(used["paper"])
    df["score"] = df["mark"] * 100 / paper
    totals = used["total"] * 100 / used["paper"]
    df["rest"] = df["attempt_id"].map(totals) - df["score"]

    blueprint = "blueprint_slot" in df and bool(df["blueprint_slot"].notna().all())
    if blueprint:
        basis = "blueprint_slot"
        df["blueprint_slot"] = df["blueprint_slot"].astype(int)
        # Object dtype, so a fixed slot's pool stays None whatever dtype pandas inferred for the column.
        pools_of_rows = [None if pd.isna(p) else p for p in df["pool"]] if "pool" in df else [None] * len(df)
        df["pool"] = pd.Series(pools_of_rows, index=df.index, dtype=object)
    elif df.groupby("attempt_id")["question_id"].apply(frozenset).nunique() == 1:
        basis = "question_id"
    else:
        basis = "slot"
    result.test = overall_statistics(totals.to_numpy(dtype=float), df, basis=basis)
    result.histogram = histogram(totals.to_numpy(dtype=float))

    groups = dict(list(df.groupby("question_id", sort=True)))
    built = {qid: _question(qid, g, questions.get(int(qid), {}), rules) for qid, g in groups.items()}
    if blueprint:
        for qid, q in built.items():
            q.slots = sorted(int(n) for n in groups[qid]["blueprint_slot"].unique())
            drawn_from = [p for p in groups[qid]["pool"] if p is not None]
            q.pool = drawn_from[0] if drawn_from else None
        for number, g in df[df["pool"].notna()].groupby("blueprint_slot", sort=True):
            pool = g["pool"].iloc[0]
            slot = SlotStatistics(slot=int(number), pool=pool, pool_name=str((pools or {}).get(pool, "")),
                                  attempts=len(g), questions=int(g["question_id"].nunique()))
            _figures(slot, g)
            slot.flags = question_flags(slot)
            result.slots.append(slot)
        result.test.random_slots = len(result.slots)
        result.rows = _layout(df, built, result.slots)
        result.questions = [q for kind, q in result.rows if kind == "question"]
    else:
        ordered = list(built.values())
        # A fixed paper in a fixed order keeps its order; drawn or shuffled papers list questions in bank order.
        if all(groups[q.question_id]["slot"].nunique() == 1 for q in ordered):
            ordered.sort(key=lambda q: int(groups[q.question_id]["slot"].iloc[0]))
        result.questions = ordered
        result.rows = [("question", q) for q in ordered]
    for number, q in enumerate(result.questions, start=1):
        q.number = number
    return result


def _layout(df: pd.DataFrame, questions: Mapping[int, QuestionStatistics],
            slots: list[SlotStatistics]) -> list[tuple[str, object]]:
    """Moodle's order of rows: the blueprint's slots in order; a fixed slot shows its question, a random slot its
    own row, and after the last of consecutive slots drawing from one pool come the questions that pool gave
    (in bank order)."""
    pool_of = {int(n): g.iloc[0] for n, g in df.groupby("blueprint_slot")["pool"]}
    slot_rows = {s.slot: s for s in slots}
    numbers = sorted(pool_of)
    rows: list[tuple[str, object]] = []
    shown: set[int] = set()
    for i, number in enumerate(numbers):
        pool = pool_of[number]
        if pool is None:
            for q in sorted(questions.values(), key=lambda q: q.question_id):
                if q.question_id not in shown and q.pool is None and q.slots and q.slots[0] == number:
                    rows.append(("question", q))
                    shown.add(q.question_id)
            continue
        rows.append(("slot", slot_rows[number]))
        if i + 1 < len(numbers) and pool_of[numbers[i + 1]] == pool:
            continue
        for q in sorted(questions.values(), key=lambda q: q.question_id):
            if q.question_id not in shown and q.pool == pool:
                rows.append(("question", q))
                shown.add(q.question_id)
    rows.extend(("question", q) for qid, q in sorted(questions.items()) if qid not in shown)
    return rows
