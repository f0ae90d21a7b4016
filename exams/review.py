"""What a candidate may see of a finished sitting, by the exam's review policy.

The policy has two phases: right after submitting ("after_submit"), and once the exam has closed ("after_close").
Each phase allows, separately, the score, the outcome (passed or not), the correct answers and the feedback. This
module is the only place that turns a graded paper into something a candidate reads, so key material (right
options, model answers, per-question marks that tell right from wrong, per-option feedback) reaches a browser
only through it, and only when the policy allows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from scoring.grading import from_paper, matching_options, numeric_match, short_matches

from .formats.richtext import to_html

from .models import Answer, Attempt, ExamOverride

IN_PROGRESS, AFTER_SUBMIT, AFTER_CLOSE = "in_progress", "after_submit", "after_close"


@dataclass(frozen=True)
class Policy:
    phase: str
    score: bool = False
    outcome: bool = False
    answers: bool = False
    feedback: bool = False
    more_at: dt.datetime | None = None  # when the exam closes and the policy will show more than it does now


PARTS = ("score", "outcome", "answers", "feedback")


def exam_closing_time(exam) -> dt.datetime | None:
    """When the exam closes for everyone: its closing time, or a later personal window's end (someone still
    sitting must not learn the key from a colleague). None for an exam without a closing time, which never
    closes, so its "after close" column never applies."""
    if exam.closes_at is None:
        return None
    later = (ExamOverride.objects.filter(exam=exam, closes_at__gt=exam.closes_at)
             .order_by("-closes_at").values_list("closes_at", flat=True).first())
    return later or exam.closes_at


def exam_closed(exam, *, now: dt.datetime | None = None) -> bool:
    """Whether the exam has closed for everyone (see `exam_closing_time`)."""
    closes = exam_closing_time(exam)
    return closes is not None and (now or timezone.now()) >= closes


def review_policy(attempt: Attempt, *, now: dt.datetime | None = None) -> Policy:
    """Which parts of the review the candidate may see now."""
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return Policy(IN_PROGRESS)
    exam = attempt.exam
    closes = exam_closing_time(exam)
    phase = AFTER_CLOSE if closes is not None and (now or timezone.now()) >= closes else AFTER_SUBMIT
    suffix = "close" if phase == AFTER_CLOSE else "submit"
    more_later = (phase == AFTER_SUBMIT and closes is not None
                  and any(getattr(exam, f"show_{part}_after_close") and not getattr(exam, f"show_{part}_after_submit")
                          for part in PARTS))
    return Policy(phase, **{part: bool(getattr(exam, f"show_{part}_after_{suffix}")) for part in PARTS},
                  more_at=closes if more_later else None)


def _round(value: Decimal, places: str = "0.01") -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def attempt_summary(attempt: Attempt, *, now: dt.datetime | None = None, policy: Policy | None = None) -> dict:
    """The sitting's totals as the policy allows: score, maximum, percent and the 10-point mark (score), passed or
    not (outcome). `passed` stays None while an essay waits for a grader."""
    policy = policy or review_policy(attempt, now=now)
    out = {"id": attempt.pk, "exam": attempt.exam.title, "number": attempt.number, "status": attempt.status,
           "status_label": str(attempt.get_status_display()), "phase": policy.phase,
           "submitted_at": attempt.submitted_at,
           # The parts the policy allows now, so a part's name appears only when its content may.
           "allows": [part for part in PARTS if getattr(policy, part)],
           "more_at": policy.more_at}
    if policy.phase == IN_PROGRESS:
        return out
    out["pending_grading"] = attempt.needs_manual_grading
    score, best = attempt.score or Decimal(0), attempt.max_score
    if policy.score:
        out["score"] = _round(score)
        out["max_score"] = _round(best)
        out["percent"] = _round(score * 100 / best, "0.1") if best else None
        out["score10"] = _round(score * 10 / best) if best else None  # the 10-point scale of Vietnamese tests
    if policy.outcome:
        out["pass_percent"] = _round(attempt.exam.pass_percent, "0.1")
        out["passed"] = (None if attempt.needs_manual_grading or not best
                         else score * 100 / best >= attempt.exam.pass_percent)
    return out


# --- Per question ---------------------------------------------------------------------------------------------

def _choice_index(s, shown) -> int | None:
    """The index in `data["choices"]` of the option shown at paper position `shown`."""
    try:
        shown = int(shown)
        order = s.option_order or list(range(len(s.version.data.get("choices", []))))
        return order[shown] if shown >= 0 else None
    except (IndexError, TypeError, ValueError):
        return None


def _rich(s, text: str) -> SafeString:
    """A rich field of the slot's question (option, item, feedback) as the exam room shows it: in its format,
    sanitised, its files served to whoever may see the paper."""
    from .selectors import file_urls

    data = s.version.data
    return mark_safe(to_html(text, data.get("format", "html"), file_urls(s.version_id, data)))


def _pair(s, item: str, match: str) -> SafeString:
    return mark_safe(f"{_rich(s, item)} → {conditional_escape(match)}")


def _choice_text(s, kind: str, index: int) -> str:
    if kind == "truefalse":
        return str(_("True")) if index == 0 else str(_("False"))
    return _rich(s, s.version.data["choices"][index]["text"])


def _picked(s, kind: str, response: dict) -> list[int]:
    """Indices (in the stored choices) of what the candidate picked in a choice question."""
    choices = s.version.data.get("choices", [])
    raw = [response.get("choice")] if kind in ("single", "truefalse") else list(response.get("choices") or [])
    picked = []
    for shown in raw:
        i = _choice_index(s, shown) if kind != "truefalse" else (int(shown) if str(shown) in ("0", "1") else None)
        if i is not None and (kind == "truefalse" or i < len(choices)) and i not in picked:
            picked.append(i)
    return picked


def _readable(s, kind: str, response: dict | None) -> list[str]:
    """The candidate's response as lines a person reads, in the paper's own words."""
    if not response or kind == "description":
        return []
    data = s.version.data
    try:
        if kind in ("single", "multiple", "truefalse"):
            return [_choice_text(s, kind, i) for i in _picked(s, kind, response)]
        if kind == "matching":
            items = [p[0] for p in data.get("pairs", []) if p[0]]
            matches = matching_options(data)
            given = response.get("pairs") or {}
            lines = []
            for i, item in enumerate(items):
                j = given.get(str(i))
                if j is not None and 0 <= int(j) < len(matches):
                    lines.append(_pair(s, item, matches[int(j)]))
            return lines
        if kind == "ordering":
            items = data.get("order", [])
            return [mark_safe(f"{n}. {_rich(s, items[int(i)])}")
                    for n, i in enumerate(response.get("order") or [], start=1)
                    if 0 <= int(i) < len(items)]
        if kind == "numeric":
            value = str(response.get("value", "")).strip()
            return [value] if value else []
        text = str(response.get("text", "")).strip()
        return [text] if text else []
    except (TypeError, ValueError, AttributeError):
        return []  # a malformed stored response shows as unanswered rather than breaking the page


def _number(x: float) -> str:
    from django.utils.formats import number_format

    from .formats.model import format_number

    text = format_number(float(x))
    try:
        return number_format(Decimal(text), use_l10n=True)
    except ArithmeticError:
        return text


def _right_answer(s, kind: str) -> list[str]:
    """The correct answer in readable lines: key material, only for a policy that allows answers."""
    data = s.version.data
    choices = data.get("choices", [])
    if kind == "single":
        best = max((c["fraction"] for c in choices), default=0)
        return [_rich(s, c["text"]) for c in choices if c["fraction"] == best and best > 0]
    if kind == "multiple":
        return [_rich(s, c["text"]) for c in choices if c["fraction"] > 0]
    if kind == "truefalse":
        truth = data.get("truth")
        if truth is None and choices:
            truth = choices[0]["fraction"] > 0
        return [str(_("True")) if truth else str(_("False"))]
    if kind == "short":
        best = max((c["fraction"] for c in choices), default=0)
        full = [c["text"] for c in choices if c["fraction"] == best and best > 0]
        return [" / ".join(full or data.get("answers", []))] if (full or data.get("answers")) else []
    if kind == "numeric":
        out = []
        for n in data.get("numeric", []):
            if n.get("fraction", 1) >= 1 and n.get("value") is not None:
                out.append(_number(n["value"]) + (f" ± {_number(n['tolerance'])}" if n.get("tolerance") else ""))
        return out
    if kind == "matching":
        return [_pair(s, item, match) for item, match in data.get("pairs", []) if item]
    if kind == "ordering":
        return [mark_safe(f"{n}. {_rich(s, t)}") for n, t in enumerate(data.get("order", []), start=1)]
    return []


def _option_feedback(s, kind: str, response: dict | None) -> list[str]:
    """The feedback written for what the candidate answered: key material, only when feedback is allowed."""
    if not response:
        return []
    data = s.version.data
    choices = data.get("choices", [])
    try:
        if kind in ("single", "multiple"):
            return [_rich(s, choices[i]["feedback"]) for i in _picked(s, kind, response) if choices[i].get("feedback")]
        if kind == "truefalse":
            return [_rich(s, choices[i]["feedback"]) for i in _picked(s, kind, response)
                    if i < len(choices) and choices[i].get("feedback")]
        if kind == "short":
            given = str(response.get("text", ""))
            hits = [c for c in choices if short_matches(c["text"], given)]
            best = max(hits, key=lambda c: c["fraction"], default=None)
            return [_rich(s, best["feedback"])] if best and best.get("feedback") else []
        if kind == "numeric":
            raw = str(response.get("value", "")).strip().replace(",", ".")
            if not raw:
                return []
            _fraction, best = numeric_match(data, float(raw))
            return [_rich(s, best["feedback"])] if best and best.get("feedback") else []
    except (IndexError, KeyError, TypeError, ValueError):
        return []
    return []


def _combined_feedback(s) -> list[str]:
    """Moodle's combined feedback (for any correct, partially correct or incorrect response), by the mark earned."""
    combined = s.version.data.get("feedback") or {}
    verdict = _verdict(s.fraction)
    key = {"right": "correct", "partial": "partial", "wrong": "incorrect"}.get(verdict or "")
    return [_rich(s, combined[key])] if key and combined.get(key) else []


def _verdict(fraction: float | None) -> str | None:
    if fraction is None:
        return None
    return "right" if fraction >= 1 - 1e-9 else ("partial" if fraction > 1e-9 else "wrong")


def attempt_review(attempt: Attempt, *, now: dt.datetime | None = None) -> dict:
    """What the candidate may see of their sitting now, per the exam's review matrix: the totals the policy
    allows and, per question, their own response; whether it was right and the right answer (answers allowed),
    the feedback for what they answered and the general feedback (feedback allowed), the grader's comment on an
    essay (feedback allowed) with its mark (score allowed). Nothing at all while the sitting is in progress."""
    policy = review_policy(attempt, now=now)
    out = attempt_summary(attempt, policy=policy)
    if policy.phase == IN_PROGRESS:
        return out
    answers = {a.slot: a.response for a in Answer.objects.filter(attempt=attempt)}
    questions = []
    for s in attempt.slots.select_related("version__question").order_by("slot"):
        kind = s.version.question.kind
        response = from_paper(kind, answers.get(s.slot), s.elements)
        item = {"slot": s.slot, "kind": kind, "text": _rich(s, s.version.text), "points": _round(s.points),
                "response": _readable(s, kind, response)}
        item["answered"] = bool(item["response"])
        if kind == "essay":
            graded = s.fraction is not None
            item["graded"] = graded
            if policy.score and graded:
                # An essay's mark says nothing about any key, so the score column alone allows it.
                item["earned"] = _round(s.points * Decimal(str(round(s.fraction, 6))))
            if policy.feedback and s.comment:
                item["comment"] = s.comment
        elif kind != "description":
            if policy.answers:
                item["verdict"] = _verdict(s.fraction)
                item["right_answer"] = _right_answer(s, kind)
                # A per-question mark tells right from wrong, and the marks add up to the score: both must be
                # allowed.
                if policy.score and s.fraction is not None:
                    item["earned"] = _round(s.points * Decimal(str(round(s.fraction, 6))))
            if policy.feedback:
                item["feedback"] = _option_feedback(s, kind, response) + _combined_feedback(s)
        if policy.feedback and s.version.general_feedback:
            item["general_feedback"] = _rich(s, s.version.general_feedback)
        questions.append(item)
    out["questions"] = questions
    return out
