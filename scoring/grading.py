"""Pure grading rules: plain values in, a fraction of the question's points out. No models, no database, so the
exam engine, the LMS and reports all use the same rules.

`grade` reads a response in the internal numbering:
  single / truefalse: {"choice": i}            multiple: {"choices": [i, j]}
  short: {"text": "..."}                      numeric: {"value": "3,5"}
  matching: {"pairs": {"0": j, "1": k}}       ordering: {"order": [i, j, k]}
  essay: {"text": "..."} (graded by hand: None here)
where an option's i is its position on the paper (`option_order[i]` is its index in the bank's choices; true is 0
and false 1), a matching item's key is its index among the pairs that have an item, j its index in
`matching_options`, and an ordering item's i its index in the correct order.

The candidate never sees that numbering: each paper gets its own random identifiers (`paper_layout`), and the exam
room answers in them ({"choice": "kqmtwa"}, {"pairs": {"hzrbde": "pvxcsu"}}, {"order": ["nfyage", …]}).
`from_paper` turns such a response back into the internal numbering before anything reads it. Papers frozen before
identifiers existed store none and answer in the internal numbering itself.
"""
from __future__ import annotations

import re
import secrets

from common.text import fold


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
    if not is_answered(kind, response):
        return 0.0  # an empty essay too: there is nothing for a grader to read
    if kind == "essay":
        return None
    raw = _raw(kind, data, response, option_order, all_or_nothing)
    if penalty <= 0:
        return _clamp(raw)
    if raw > 0:
        return min(1.0, raw)
    return max(-1.0, min(raw, -penalty))


def is_answered(kind: str, response: dict | None) -> bool:
    """Whether the candidate gave an answer: the one rule for grading, statistics ("blank") and the exam room's
    "answered" marks (its twin in static/js/exam-room.js)."""
    return response is not None and not _blank(kind, response)


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
            return float(choices[order[_index(response["choice"])]]["fraction"])
        if kind == "multiple":
            picked = {order[_index(i)] for i in response.get("choices", [])}
            if all_or_nothing:
                right = {i for i, c in enumerate(choices) if c["fraction"] > 0}
                return 1.0 if picked == right else 0.0
            return sum(choices[i]["fraction"] for i in picked)
        if kind == "short":
            given = str(response.get("text", ""))
            best = 0.0
            for c in choices:
                if short_matches(c["text"], given):
                    best = max(best, c["fraction"])
            return best
        if kind == "numeric":
            return numeric_match(data, float(str(response.get("value", "")).strip().replace(",", ".")))[0]
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
            given = [items[_index(i)] for i in response.get("order", [])]
            return 1.0 if given == items else 0.0
    except (IndexError, KeyError, TypeError, ValueError):
        return 0.0  # a malformed response earns nothing rather than failing the whole attempt
    return 0.0


def numeric_match(data: dict, value: float) -> tuple[float, dict | None]:
    """(fraction, answer) a number earns: the best answer whose range holds it, else the "any other answer" (a
    numeric answer without a value, Moodle's "*"), else nothing."""
    numeric = data.get("numeric", [])
    hits = [n for n in numeric if n.get("value") is not None and abs(value - n["value"]) <= n["tolerance"] + 1e-9]
    if hits:
        best = max(hits, key=lambda n: n["fraction"])
        return best["fraction"], best
    other = next((n for n in numeric if n.get("value") is None), None)
    return (other["fraction"], other) if other is not None else (0.0, None)


_WILDCARD = re.compile(r"(?<!\\)\*+")


def short_matches(key: str, given: str) -> bool:
    """Whether a short answer matches a key, ignoring case and diacritics. As in Moodle's short-answer question, a
    `*` in the key stands for any run of characters (``*Nội vụ`` matches "Sở Nội vụ"), and ``\\*`` is a star."""
    if _WILDCARD.search(key):
        parts = [part.replace("\\*", "*") for part in _WILDCARD.split(key)]
        # fold() trims: keep a space that stood next to a star ("Chủ tịch * xã" needs the words apart).
        pattern = ".*".join((" " if p[:1].isspace() and p.strip() else "") + re.escape(fold(p))
                            + (" " if p[-1:].isspace() and p.strip() else "") for p in parts)
        return re.fullmatch(pattern, fold(given), flags=re.S) is not None
    key = key.replace("\\*", "*")
    return fold(key) == fold(given) or key.strip().lower() == given.strip().lower()


def _index(value) -> int:
    # A negative number would count from the end of a Python list: another name for a real option or item.
    i = int(value)
    if i < 0:
        raise IndexError(i)
    return i


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
        return matches[_index(j)]
    except (IndexError, TypeError, ValueError):
        return None


def matching_options(data: dict) -> list[str]:
    """The answers a matching question offers, in the fixed order responses refer to."""
    return sorted({p[1] for p in data.get("pairs", [])})


# --- The paper's own identifiers ---------------------------------------------------------------------------------

ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz"  # letters only: an identifier never reads as a number or a position
ID_LENGTH = 6


def _new_ids(count: int) -> list[str]:
    """`count` distinct identifiers, each letter uniform over ID_ALPHABET, from the system's cryptographic source: one
    read of random bytes for all of them (a read per letter cost 33 µs a question against 4.4 µs, bench/README.md);
    bytes at or above the largest multiple of the alphabet's size are dropped, so that no letter is likelier."""
    size = len(ID_ALPHABET)
    limit = 256 - 256 % size
    ids: dict[str, None] = {}
    while len(ids) < count:
        letters = [ID_ALPHABET[b % size] for b in secrets.token_bytes(2 * ID_LENGTH * (count - len(ids))) if b < limit]
        for start in range(0, len(letters) - ID_LENGTH + 1, ID_LENGTH):
            if len(ids) == count:
                break
            ids["".join(letters[start:start + ID_LENGTH])] = None
    return list(ids)


def paper_layout(kind: str, data: dict, *, shuffle: bool) -> tuple[list[int], dict]:
    """Draw one paper's view of a question with a cryptographic RNG: the option order (`option_order`) and, for
    every option, matching item, match and ordering item, in the order shown, [its identifier, its internal
    number]. Identifiers are random and unique within the question, so neither their values nor their order say
    which is right. `shuffle` (the exam's "shuffle options") also shuffles matching items and matches; ordering
    items are always shuffled and, from three items on, never shown in the right order."""
    rng = secrets.SystemRandom()

    def drawn(count: int, always: bool = False) -> list[int]:
        numbers = list(range(count))
        if shuffle or always:
            rng.shuffle(numbers)
        return numbers

    option_order: list[int] = []
    lists: dict[str, list[int]] = {}
    if kind in ("single", "multiple"):
        option_order = drawn(len(data.get("choices", [])))
        lists["options"] = list(range(len(option_order)))  # a position on the paper: `option_order` maps it
    elif kind == "truefalse":
        lists["options"] = [0, 1]  # true, then false, on every paper
    elif kind == "matching":
        lists["items"] = drawn(len([p for p in data.get("pairs", []) if p[0]]))
        lists["matches"] = drawn(len(matching_options(data)))
    elif kind == "ordering":
        count = len(data.get("order", []))
        items = drawn(count, always=True)
        # Never shown already in the right order; with two items that rule would itself give the order away.
        while count > 2 and items == sorted(items):
            rng.shuffle(items)
        lists["items"] = items
    ids = iter(_new_ids(sum(len(v) for v in lists.values())))
    return option_order, {key: [[next(ids), n] for n in numbers] for key, numbers in lists.items()}


def _numbers(elements: dict, key: str) -> dict[str, int]:
    return {i: n for i, n in elements.get(key) or ()}


def _known(numbers: dict[str, int], given) -> int | None:
    return numbers.get(given) if isinstance(given, str) else None


def from_paper(kind: str, response, elements: dict | None):
    """A stored response in the paper's identifiers, in the internal numbering `grade` and the review read (see the
    module's docstring), given the slot's frozen `elements` (from `paper_layout`). A slot without identifiers (a
    paper started before they existed) already answers in that numbering: returned as it is. An identifier that
    is not on this paper counts as no answer, so a guess earns nothing."""
    if not elements or not isinstance(response, dict):
        return response
    out = dict(response)
    if kind in ("single", "truefalse"):
        out["choice"] = _known(_numbers(elements, "options"), response.get("choice"))
    elif kind == "multiple":
        options, picked = _numbers(elements, "options"), response.get("choices")
        chosen = [_known(options, c) for c in picked] if isinstance(picked, list) else []
        out["choices"] = list(dict.fromkeys(n for n in chosen if n is not None))
    elif kind == "matching":
        items, matches, pairs = _numbers(elements, "items"), _numbers(elements, "matches"), response.get("pairs")
        out["pairs"] = {str(items[i]): _known(matches, m) for i, m in pairs.items()
                        if i in items and _known(matches, m) is not None} if isinstance(pairs, dict) else {}
    elif kind == "ordering":
        items, order = _numbers(elements, "items"), response.get("order")
        given = [_known(items, i) for i in order] if isinstance(order, list) else []
        out["order"] = [] if None in given else given  # one unknown item and the order cannot be the paper's
    return out
