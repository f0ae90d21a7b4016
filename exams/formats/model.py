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
essay          the text; ``grader_info`` holds the rubric notes for graders (never shown to candidates)
description    only the text (an information block, not graded)
=============  ==========================================================================================

Every kind may carry a ``difficulty`` (1 easy, 2 medium, 3 hard; None when the file does not say) and ``tags``.
Not every format can hold them: GIFT keeps neither, Moodle XML keeps the tags and the rubric notes, the Excel
template keeps everything.

What a trainer wrote in Moodle comes along too (:class:`Question` fields):

* ``format``: how the rich fields are written — ``html``, ``moodle`` (Moodle's auto-format: HTML allowed, line
  breaks kept), ``plain`` or ``markdown``. It applies to the text, the options and their feedback, the general and
  combined feedback, the hints, matching items and ordering items, and the rubric notes. Short-answer keys,
  numbers and matching answers are plain text always (they are compared or shown in a list, as in Moodle).
  ``formats.richtext.to_html`` renders a field, sanitised.
* ``idnumber`` (Moodle's ID number), ``hints`` (shown one by one in Moodle's interactive mode), ``feedback`` (the
  combined feedback: ``correct``, ``partial``, ``incorrect``), ``settings`` (what the kind's options were:
  ``shuffle``, ``numbering``, ``usecase``, ``penalty``, the essay's ``responseformat``, ``responsetemplate``,
  ``responsefieldlines``, word limits and attachments …), ``files`` (name → bytes, referred to in the texts as
  ``@@PLUGINFILE@@/name``, as Moodle writes them).
* A numerical answer whose ``value`` is None is Moodle's "any other answer" (``*``): it applies when no other
  answer matches.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from common.text import format_number  # noqa: F401  (re-exported: the formats write numbers with it)

KINDS = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering", "essay", "description")
NAME_LENGTH = 80


@dataclass
class Choice:
    text: str
    fraction: float  # in [-1, 1]: 1.0 fully correct, 0.5 half credit, negative is a penalty
    feedback: str = ""


TEXT_FORMATS = ("html", "moodle", "plain", "markdown")
# Moodle's list of grades an answer may carry (question_bank::fraction_options_full), as fractions: a Moodle XML file
# with any other grade is refused, as Moodle refuses it.
GRADE_FRACTIONS = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                   0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)


def is_moodle_grade(fraction: float) -> bool:
    """Whether the fraction is one of Moodle's grades or its negative (within Moodle's own 0.00001)."""
    return any(abs(abs(fraction) - option) < 0.00001 for option in GRADE_FRACTIONS)
PLUGINFILE = "@@PLUGINFILE@@/"


@dataclass
class NumericAnswer:
    value: float | None  # None: "any other answer" (Moodle's *)
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
    difficulty: int | None = None  # 1 easy, 2 medium, 3 hard; None: not given
    tags: list[str] = field(default_factory=list)
    grader_info: str = ""
    format: str = "html"  # of every rich field: see TEXT_FORMATS and the module's notes
    idnumber: str = ""
    hints: list[str] = field(default_factory=list)
    feedback: dict[str, str] = field(default_factory=dict)  # combined: "correct", "partial", "incorrect"
    settings: dict = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    # 1-based line where the question starts in the source file; not part of equality, so a question read back
    # from a written file compares equal to the one that was written.
    source_line: int = field(default=0, compare=False)


@dataclass
class FormatError:
    line: int
    message: str
    column: str = ""  # the column's header, for spreadsheets

    def __str__(self) -> str:
        if self.line and self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.line, "column": self.column, "message": self.message}
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


def format_percent(fraction: float) -> str:
    """A fraction as the percentage Moodle formats write (0.5 → "50", 0.3333333 → "33.33333"), chosen so that
    reading it back (percentage / 100) gives exactly the same fraction."""
    percent = fraction * 100
    for digits in range(16):
        text = format_number(round(percent, digits))
        if float(text) / 100 == fraction:
            return text
    return repr(percent)


# --- Numbers as people type them, and category paths ------------------------------------------------------------

_PLAIN_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_OR_DECIMAL_RE = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")


def parse_decimal(text: str) -> float:
    """A number as Vietnamese users type it: "3,5" (decimal comma), "3.5", "1.000.000" or "1.000,5" (dots for
    thousands). Raises ValueError with a message for the user when the text is not a number or could be read two
    ways ("2.500" is two and a half for some, two thousand five hundred for others)."""
    raw = str(text).strip()
    cleaned = raw.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):  # 1.000,5
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:  # 1,000.5
            cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(".") > 1 and re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    elif _THOUSANDS_OR_DECIMAL_RE.match(cleaned):
        raise ValueError(_("“%(value)s” could be read two ways: write a decimal with a comma (e.g. 2,5) and a "
                           "thousand without a separator (e.g. 2500)") % {"value": raw})
    if not _PLAIN_NUMBER_RE.match(cleaned):
        raise ValueError(_("“%(value)s” is not a number (write decimals with a comma, e.g. 2,5)") % {"value": raw})
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(_("“%(value)s” is not a number (write decimals with a comma, e.g. 2,5)") % {"value": raw})
    return value


def format_decimal(value: float) -> str:
    """A number with a decimal comma, the shortest text that reads back as the same float: 2,5; 60; 1e-07."""
    return format_number(value).replace(".", ",")


def split_category(path: str) -> list[str]:
    """The topic names in a category path, Moodle's way: "/" separates, "//" is a slash inside a name
    ("Nghị định 61//2018" is "Nghị định 61/2018")."""
    parts = clean_category(path).replace("//", "\ue010").split("/")
    return [p.replace("\ue010", "/").strip() for p in parts if p.strip()]


def join_category(names: list[str]) -> str:
    """The category path for topic names, slashes inside a name doubled (see :func:`split_category`)."""
    return "/".join(name.replace("/", "//") for name in names)
