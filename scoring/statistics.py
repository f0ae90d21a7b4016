"""Item and test statistics of an exam, with the definitions of Moodle's quiz statistics report, so trainers who
come from Moodle read the same numbers (Moodle: question/classes/statistics/questions/calculator.php and
mod/quiz/report/statistics/classes/calculator.php; docs.moodle.org/dev/Quiz_statistics_calculations).

Pure: a long table of responses in, plain dataclasses out; no models, no database.

The responses table has one row per question on a finished paper:
  attempt_id, official_id, number (the official's attempt number), slot (position on the paper),
  question_id, kind, max_mark (the slot's points), fraction (None while an essay waits for a grader),
  chosen (tuple of the bank's choice indices picked, for single/multiple/true-false; None otherwise),
  answered (bool: the candidate gave an answer).

How the figures follow Moodle:
- Which attempts: `first`, `highest`, `last` finished attempt of each official, or `all` (Moodle's default is the
  quiz's grading method; averaging uses all). Each included attempt counts as a separate candidate.
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
  p/(p-1) × (1 - Σ variance of each position / variance of totals), p = positions on the paper. A position is a
  question when every paper holds the same questions, otherwise a slot of the paper (Moodle's "random question"
  slots). Error ratio = √(1-alpha); standard error of measurement = SD × error ratio.
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

    @property
    def blank_percent(self) -> float:
        return 100 * self.blank / self.attempts if self.attempts else 0.0

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
    position_basis: str = "question"  # or "slot" when papers draw different questions
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
    """The attempts the statistics use, from a table indexed by attempt_id with official_id, number and total:
    each official's first, highest (ties: the earlier) or last finished attempt, or all of them."""
    if which == "all" or attempts.empty:
        return attempts
    if which == "highest":
        ordered = attempts.sort_values(["official_id", "total", "number"], ascending=[True, False, True])
        return ordered.groupby("official_id", sort=False).head(1).sort_index()
    if which == "last":
        return attempts.sort_values("number").groupby("official_id").tail(1).sort_index()
    return attempts.sort_values("number").groupby("official_id").head(1).sort_index()


def _var(a: np.ndarray) -> float:
    v = float(np.var(a, ddof=1)) if len(a) > 1 else 0.0
    return 0.0 if v < _EPS else v


def _cov(x: np.ndarray, y: np.ndarray) -> float:
    return float(((x - x.mean()) * (y - y.mean())).sum() / (len(x) - 1))


def _question(qid: int, g: pd.DataFrame, info: Mapping, rules: Mapping | None) -> QuestionStatistics:
    kind = str(info.get("kind") or g["kind"].iloc[0])
    data = info.get("data") or {}
    s = len(g)
    f = g["fraction"].to_numpy(dtype=float)
    x = g["score"].to_numpy(dtype=float)
    y = g["rest"].to_numpy(dtype=float)
    q = QuestionStatistics(question_id=int(qid), number=0, name=str(info.get("name") or f"#{qid}"), kind=kind,
                           attempts=s, facility=float(f.mean()) * 100)
    guess = random_guess_score(kind, data, rules)
    q.random_guess = None if guess is None else guess * 100
    if s > 1:
        q.sd = math.sqrt(_var(f)) * 100
        var_x, var_y = _var(x), _var(y)
        cov = _cov(x, y)
        if var_x and var_y:
            q.discrimination = 100 * cov / math.sqrt(var_x * var_y)
        # The most covariance this question's marks could have with the rest: best paired with best.
        cov_max = _cov(np.sort(x), np.sort(y)) if var_x and var_y else 0.0
        if cov_max > _EPS:
            q.efficiency = 100 * cov / cov_max
    answered = g["answered"].to_numpy(dtype=bool) if "answered" in g else np.ones(s, dtype=bool)
    q.blank = int(s - answered.sum())
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


def question_flags(q: QuestionStatistics) -> list[str]:
    """The reasons to look at a question again (codes of FLAGS)."""
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
    t = OverallStatistics(attempts=s, position_basis="question" if basis == "question_id" else "slot")
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
                    which: str = "all", rules: Mapping | None = None) -> ExamStatistics:
    """Per-question and per-test statistics of an exam's finished attempts (see the module docstring).
    `questions` maps question_id to {"name", "kind", "data"} (the bank's content, for options and guessing);
    `rules` are the exam's marking rules as `scoring.grading.grade` takes them."""
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

    same_questions = df.groupby("attempt_id")["question_id"].apply(frozenset).nunique() == 1
    basis = "question_id" if same_questions else "slot"
    result.test = overall_statistics(totals.to_numpy(dtype=float), df, basis=basis)
    result.histogram = histogram(totals.to_numpy(dtype=float))

    groups = list(df.groupby("question_id", sort=True))
    # A fixed paper in a fixed order keeps its order; drawn or shuffled papers list questions in bank order.
    if all(g["slot"].nunique() == 1 for _qid, g in groups):
        groups.sort(key=lambda item: int(item[1]["slot"].iloc[0]))
    for number, (qid, g) in enumerate(groups, start=1):
        q = _question(qid, g, questions.get(int(qid), {}), rules)
        q.number = number
        result.questions.append(q)
    return result
