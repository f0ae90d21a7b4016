"""The neutral representation every interchange format reads into and writes from.

Plain dataclasses, no Django models: a parser turns a file into a list of :class:`Question`, a writer turns the
list back into text, and a later step maps them onto the question-bank models.

How each kind uses the fields:

=============  ==========================================================================================
kind           fields
=============  ==========================================================================================
single         ``choices`` (exactly one meant as the right answer; others may carry partial credit)
multiple       ``choices`` with weights; the positive fractions add up to 1
truefalse      ``truth`` and ``choices`` = [Choice("true", …), Choice("false", …)] carrying the feedback
               shown for picking that answer (the fraction of the right one is 1, the other 0)
short          ``answers`` (accepted texts) and ``choices`` (the same texts with their fraction and feedback)
numeric        ``numeric``
matching       ``pairs`` (item, match); an empty item is an extra wrong match
ordering       ``order`` (items in the correct order)
essay          only the text
description    only the text (an information block, not graded)
=============  ==========================================================================================
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

KINDS = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering", "essay", "description")
NAME_LENGTH = 80


@dataclass
class Choice:
    text: str
    fraction: float  # in [-1, 1]: 1.0 fully correct, 0.5 half credit, negative is a penalty
    feedback: str = ""


@dataclass
class NumericAnswer:
    value: float
    tolerance: float = 0.0
    fraction: float = 1.0
    feedback: str = ""


@dataclass
class Question:
    kind: str
    name: str
    text: str
    category: str = ""
    choices: list[Choice] = field(default_factory=list)
    general_feedback: str = ""
    default_mark: float = 1.0
    answers: list[str] = field(default_factory=list)
    numeric: list[NumericAnswer] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    truth: bool | None = None
    # 1-based line where the question starts in the source file; not part of equality, so a question read back
    # from a written file compares equal to the one that was written.
    source_line: int = field(default=0, compare=False)


@dataclass
class FormatError:
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return _("Row %(row)s: %(message)s") % {"row": self.line, "message": self.message}
        return self.message


class ParseError(Exception):
    """The file was refused: nothing in it should be imported. ``errors`` lists every problem found."""

    def __init__(self, errors: list[FormatError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


class UnsupportedQuestion(ValueError):
    """A writer was given a question its format cannot hold."""

    def __init__(self, question: Question, format_name: str):
        super().__init__(_("the %(format)s format cannot hold the question “%(name)s” (kind: %(kind)s)") % {
            "format": format_name, "name": question.name, "kind": question.kind})
        self.question = question


_TAG_RE = re.compile(r"<[^>]*>")
_CONTEXT_RE = re.compile(r"^\$[a-z0-9_]+\$/?")


def clean_category(path: str) -> str:
    """A category path as Moodle writes it, without the context prefix: "$course$/top/Một cửa" → "top/Một cửa"."""
    return _CONTEXT_RE.sub("", path.strip()).strip()


def default_name(text: str) -> str:
    """A name for a question that has none: its text without markup, cut at a word near NAME_LENGTH."""
    plain = " ".join(_TAG_RE.sub(" ", text).split())
    if len(plain) <= NAME_LENGTH:
        return plain
    cut = plain[:NAME_LENGTH].rsplit(" ", 1)[0] or plain[:NAME_LENGTH]
    return cut + "…"


def format_number(value: float) -> str:
    """The shortest text that reads back as the same float: 5 rather than 5.0."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_percent(fraction: float) -> str:
    """A fraction as the percentage Moodle formats write (0.5 → "50", 0.3333333 → "33.33333"), chosen so that
    reading it back (percentage / 100) gives exactly the same fraction."""
    percent = fraction * 100
    for digits in range(16):
        text = format_number(round(percent, digits))
        if float(text) / 100 == fraction:
            return text
    return repr(percent)
