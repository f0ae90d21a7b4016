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


def grade(kind: str, data: dict, response: dict | None, *, option_order: list[int] | None = None) -> float | None:
    """The fraction (0..1) a response earns, or None if a person must grade it. `option_order[i]` is the index in
    `data["choices"]` of the option shown i-th on the paper."""
    if response is None or kind == "description":
        return 0.0 if kind != "description" else None
    choices = data.get("choices", [])
    order = option_order or list(range(len(choices)))
    try:
        if kind in ("single", "truefalse"):
            i = response.get("choice")
            return _clamp(choices[order[int(i)]]["fraction"]) if i is not None else 0.0
        if kind == "multiple":
            picked = {order[int(i)] for i in response.get("choices", [])}
            return _clamp(sum(choices[i]["fraction"] for i in picked))
        if kind == "short":
            given = str(response.get("text", ""))
            best = 0.0
            for c in choices:
                if fold(c["text"]) == fold(given) or c["text"].strip().lower() == given.strip().lower():
                    best = max(best, c["fraction"])
            return _clamp(best)
        if kind == "numeric":
            raw = str(response.get("value", "")).strip().replace(",", ".")
            if not raw:
                return 0.0
            value = float(raw)
            return _clamp(max((n["fraction"] for n in data.get("numeric", [])
                               if abs(value - n["value"]) <= n["tolerance"] + 1e-9), default=0.0))
        if kind == "matching":
            pairs = [p for p in data.get("pairs", []) if p[0]]
            if not pairs:
                return 0.0
            answers = response.get("pairs", {})
            right = sum(1 for i, (_item, match) in enumerate(pairs)
                        if str(i) in answers and _match_text(data, answers[str(i)]) == match)
            return right / len(pairs)
        if kind == "ordering":
            items = data.get("order", [])
            given = [items[int(i)] for i in response.get("order", [])]
            return 1.0 if given == items else 0.0
        if kind == "essay":
            return None
    except (IndexError, KeyError, TypeError, ValueError):
        return 0.0  # a malformed response earns nothing rather than failing the whole attempt
    return 0.0


def _match_text(data: dict, j) -> str | None:
    matches = sorted({p[1] for p in data.get("pairs", [])})
    try:
        return matches[int(j)]
    except (IndexError, TypeError, ValueError):
        return None


def matching_options(data: dict) -> list[str]:
    """The answers a matching question offers, in the fixed order responses refer to."""
    return sorted({p[1] for p in data.get("pairs", [])})
