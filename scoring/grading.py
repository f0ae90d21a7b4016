"""Pure grading rules: plain values in, a fraction of the question's points out. No models, no database, so the
exam engine, the LMS and reports all use the same rules.

A response is what the exam room sends for one question, in the option numbering of the frozen paper:
  single / truefalse: {"choice": i}            multiple: {"choices": [i, j]}
  short: {"text": "..."}                      numeric: {"value": "3,5"}
  matching: {"pairs": {"0": j, "1": k}}       ordering: {"order": [i, j, k]}
  essay: {"text": "..."} (graded by hand: None here)
"""
from __future__ import annotations

from org.text import fold


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def grade(kind: str, data: dict, response: dict | None, *, option_order: list[int] | None = None,
          all_or_nothing: bool = False, penalty: float = 0.0) -> float | None:
    """The fraction a response earns, or None if a person must grade it. `option_order[i]` is the index in
    `data["choices"]` of the option shown i-th on the paper.

    Partial credit by default (multiple response by the options' weights, matching per pair). `all_or_nothing`
    gives multiple response, matching and ordering full marks only when entirely right. Without a `penalty` the
    result lies in 0..1; with negative marking (`penalty` > 0, a share of the question's points) a wrong answer
    costs that share, and the bank's own negative weights count, down to -1. An empty answer never costs."""
    if kind == "description":
        return None
    if response is None or _blank(kind, response):
        return 0.0  # an empty essay too: there is nothing for a grader to read
    if kind == "essay":
        return None
    raw = _raw(kind, data, response, option_order, all_or_nothing)
    if penalty <= 0:
        return _clamp(raw)
    if raw > 0:
        return min(1.0, raw)
    return max(-1.0, min(raw, -penalty))


def _blank(kind: str, response: dict) -> bool:
    if kind in ("single", "truefalse"):
        return response.get("choice") is None
    if kind == "multiple":
        return not response.get("choices")
    if kind in ("short", "essay"):
        return not str(response.get("text", "")).strip()
    if kind == "numeric":
        return not str(response.get("value", "")).strip()
    if kind == "matching":
        return not response.get("pairs")
    if kind == "ordering":
        return not response.get("order")
    return False


def _raw(kind: str, data: dict, response: dict, option_order, all_or_nothing: bool) -> float:
    choices = data.get("choices", [])
    order = option_order or list(range(len(choices)))
    try:
        if kind in ("single", "truefalse"):
            return float(choices[order[int(response["choice"])]]["fraction"])
        if kind == "multiple":
            picked = {order[int(i)] for i in response.get("choices", [])}
            if all_or_nothing:
                right = {i for i, c in enumerate(choices) if c["fraction"] > 0}
                return 1.0 if picked == right else 0.0
            return sum(choices[i]["fraction"] for i in picked)
        if kind == "short":
            given = str(response.get("text", ""))
            best = 0.0
            for c in choices:
                if fold(c["text"]) == fold(given) or c["text"].strip().lower() == given.strip().lower():
                    best = max(best, c["fraction"])
            return best
        if kind == "numeric":
            value = float(str(response.get("value", "")).strip().replace(",", "."))
            return max((n["fraction"] for n in data.get("numeric", [])
                        if abs(value - n["value"]) <= n["tolerance"] + 1e-9), default=0.0)
        if kind == "matching":
            pairs = [p for p in data.get("pairs", []) if p[0]]
            if not pairs:
                return 0.0
            answers = response.get("pairs", {})
            right = sum(1 for i, (_item, match) in enumerate(pairs)
                        if str(i) in answers and _match_text(data, answers[str(i)]) == match)
            if all_or_nothing:
                return 1.0 if right == len(pairs) else 0.0
            return right / len(pairs)
        if kind == "ordering":
            items = data.get("order", [])
            given = [items[int(i)] for i in response.get("order", [])]
            return 1.0 if given == items else 0.0
    except (IndexError, KeyError, TypeError, ValueError):
        return 0.0  # a malformed response earns nothing rather than failing the whole attempt
    return 0.0


def percent(score: float, max_score: float) -> float | None:
    """A score as a percentage of the maximum (the 100-point scale), never below 0."""
    if not max_score:
        return None
    return max(0.0, score * 100.0 / max_score)


def on_ten(percent_value: float | None) -> float | None:
    """The 10-point scale Vietnamese results are read on, to two decimals (72.5% → 7.25)."""
    return None if percent_value is None else round(percent_value / 10.0, 2)


def combine_attempts(method: str, percents: list[float]) -> float | None:
    """The final grade across attempts, in attempt order: highest, last, first or average."""
    if not percents:
        return None
    if method == "last":
        return percents[-1]
    if method == "first":
        return percents[0]
    if method == "average":
        return sum(percents) / len(percents)
    return max(percents)


def _match_text(data: dict, j) -> str | None:
    matches = sorted({p[1] for p in data.get("pairs", [])})
    try:
        return matches[int(j)]
    except (IndexError, TypeError, ValueError):
        return None


def matching_options(data: dict) -> list[str]:
    """The answers a matching question offers, in the fixed order responses refer to."""
    return sorted({p[1] for p in data.get("pairs", [])})
