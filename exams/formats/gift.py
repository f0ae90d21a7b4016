"""Moodle GIFT: read and write.

A question is a run of non-blank lines; blank lines, ``$CATEGORY:`` lines and the end of the file end it. Lines
whose first non-blank characters are ``//`` are comments, wherever they are (so ``http://…`` inside a line is text).
The whole file is read before anything is returned: every problem is collected with the line where its question
starts, and :class:`ParseError` is raised if there is any.

Choices made where GIFT (or Moodle's reader) is loose:

* An answer block with ``=`` answers and ``~`` answers is single choice and must have exactly one ``=``. One with
  only ``~`` answers is multiple response when some answer has a positive ``%weight%`` and the positive weights
  add up to 100%; with no positive weight it is a single-choice question missing its ``=`` (an error).
* Weights may be any percentage from -100 to 100 (decimals allowed, e.g. ``%33.33333%``), not only Moodle's list.
* Answers inside one block that are all ``=`` are short answers, unless they contain ``->`` (matching).
* A numeric range ``#1..10`` is kept as its midpoint and half-width (value 5.5, tolerance 4.5), as Moodle does.
* Text after the answer block makes a "fill in" question: the block's place is shown as ``_____``.
* ``\\n`` is a line break and ``\\\\`` a backslash besides the escapes ``\\~ \\= \\# \\{ \\} \\:``; any other
  backslash is kept as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import richtext
from .model import (Choice, FormatError, NumericAnswer, ParseError, Question, UnsupportedQuestion, clean_category,
                    default_name, format_number, format_percent)

BLANK = "_____"
TRUE_WORDS = {"T", "TRUE"}
FALSE_WORDS = {"F", "FALSE"}

# While the structure is read, escaped characters are private-use placeholders, so "\=" is never taken for "=".
_ESCAPES = {"~": "\ue000", "=": "\ue001", "#": "\ue002", "{": "\ue003", "}": "\ue004", ":": "\ue005",
            "\\": "\ue006", "n": "\ue007"}
_RESTORE = str.maketrans({placeholder: ("\n" if char == "n" else char) for char, placeholder in _ESCAPES.items()})
_ESCAPE_RE = re.compile(r"\\(.)", re.S)
_COMMENT_RE = re.compile(r"^\s*//")
_CATEGORY_RE = re.compile(r"^\s*\$CATEGORY:(.*)$", re.I)
_FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT_RE = re.compile(r"^%([^%]*)%")
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class _Block:
    line: int
    category: str
    text: str
    comments: str = ""


def _protect(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def _clean(text: str) -> str:
    """Protected text → what the user meant: escapes restored, format prefix dropped, outer blanks stripped."""
    return _FORMAT_RE.sub("", text, count=1).translate(_RESTORE).strip()


def _blocks(text: str) -> list[_Block]:
    """Questions as runs of non-blank lines. A comment line inside a run belongs to its question (Moodle reads the
    ``[id:…]`` and ``[tag:…]`` in it); a run of comments alone is skipped."""
    blocks: list[_Block] = []
    category, start, lines, comments = "", 0, [], []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if _COMMENT_RE.match(line):
            comments.append(line.strip()[2:])
            continue
        category_line = _CATEGORY_RE.match(line)
        if category_line or not line.strip():
            if lines:
                blocks.append(_Block(start, category, "\n".join(lines), "\n".join(comments)))
                lines = []
            comments = []
            if category_line:
                category = clean_category(category_line.group(1))
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        blocks.append(_Block(start, category, "\n".join(lines), "\n".join(comments)))
    return blocks


# Moodle's tokens in a question's comments: "// [id:KT-01] [tag:một cửa] [tag:2025]", "]" escaped as "\]".
_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]")
_TAG_TOKEN_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]")


def _id_and_tags(comments: str) -> tuple[str, list[str]]:
    found = _ID_RE.search(comments)
    idnumber = found.group(1).replace("\\]", "]").strip() if found else ""
    tags = [t.replace("\\]", "]").strip() for t in _TAG_TOKEN_RE.findall(comments)]
    return idnumber, [t for t in tags if t]


def parse_gift(text: str, warnings: list[FormatError] | None = None) -> list[Question]:
    """Read GIFT text; raise :class:`ParseError` listing every problem if there is any. (GIFT has nothing that is
    skipped with a warning; `warnings` is accepted as the other readers do.)"""
    questions, errors = [], []
    for block in _blocks(text.lstrip("\ufeff")):
        question, problems = _QuestionReader(block).read()
        errors.extend(problems)
        if question is not None:
            questions.append(question)
    if errors:
        raise ParseError(errors)
    return questions


class _QuestionReader:
    def __init__(self, block: _Block):
        self.block = block
        self.errors: list[FormatError] = []
        self.format = "moodle"

    def rich(self, text: str) -> str:
        """A formatted field: Moodle lets each answer and feedback name its own format ("=[markdown]…"); one that
        differs from the question's is shown the same way, converted to HTML (or to plain text in a plain question)."""
        prefix = _FORMAT_RE.match(text.strip())
        cleaned = _clean(text)
        own = prefix.group(1).lower() if prefix else self.format
        if own == self.format:
            return cleaned
        return richtext.convert(cleaned, own, "plain" if self.format == "plain" else "html")

    def fail(self, message: str) -> None:
        error = FormatError(self.block.line, message)
        if error not in self.errors:
            self.errors.append(error)

    def read(self) -> tuple[Question | None, list[FormatError]]:
        raw = _protect(self.block.text).strip()
        name = ""
        if raw.startswith("::"):
            end = raw.find("::", 2)
            if end < 0:
                self.fail(_("the title opened with :: is never closed"))
                return None, self.errors
            name = _clean(raw[2:end])
            raw = raw[end + 2:]

        idnumber, tags = _id_and_tags(self.block.comments)
        prefix = _FORMAT_RE.match(raw.lstrip())
        question = Question(kind="description", name=name, text="", category=self.block.category,
                            source_line=self.block.line, idnumber=idnumber, tags=tags,
                            format=prefix.group(1).lower() if prefix else "moodle")
        self.format = question.format
        opening, closing = raw.find("{"), raw.find("}")
        if opening < 0:
            if closing >= 0:
                self.fail(_("there is a } without a matching {; write \\} for a literal brace"))
            question.text = _clean(raw)
        elif 0 <= closing < opening:
            self.fail(_("there is a } without a matching {; write \\} for a literal brace"))
        else:
            closing = raw.find("}", opening + 1)
            if closing < 0:
                self.fail(_("the answer block opened with { is never closed (a blank line ends a question)"))
                return None, self.errors
            inner, before, after = raw[opening + 1:closing], raw[:opening], raw[closing + 1:]
            if "{" in inner or "{" in after or "}" in after:
                self.fail(_("a question can have only one answer block { … }; write \\{ and \\} for literal "
                            "braces"))
            question.text = _clean(before + BLANK + after if after.strip() else before)
            self.read_answers(question, inner)
        if not question.text:
            self.fail(_("the question has no text"))
        question.name = question.name or default_name(question.text)
        return (None if self.errors else question), self.errors

    # --- the answer block ------------------------------------------------------------------------------------

    def read_answers(self, question: Question, inner: str) -> None:
        body, marker, general = inner.partition("####")
        question.general_feedback = self.rich(general) if marker else ""
        body = body.strip()
        if not body:
            question.kind = "essay"
        elif body.startswith("#"):
            question.kind = "numeric"
            question.numeric = self.read_numeric(body[1:])
        elif body.split("#", 1)[0].strip().upper() in TRUE_WORDS | FALSE_WORDS:
            self.read_truefalse(question, body)
        else:
            lead, tokens = _tokens(body)
            if lead:
                self.fail(_("“%(text)s” is not marked as an answer with = or ~") % {"text": _clean(lead)})
            if not tokens:
                return
            if any("->" in content for _mark, content in tokens):
                self.read_matching(question, tokens)
            elif any(mark == "~" for mark, _content in tokens):
                self.read_choices(question, tokens)
            else:
                question.kind = "short"
                question.choices = [self.read_answer(content, 1.0, rich=False) for _mark, content in tokens]
                question.answers = [choice.text for choice in question.choices]

    def read_truefalse(self, question: Question, body: str) -> None:
        word, *feedback = body.split("#")
        truth = word.strip().upper() in TRUE_WORDS
        wrong = self.rich(feedback[0]) if feedback else ""
        right = self.rich("#".join(feedback[1:]))
        question.kind, question.truth = "truefalse", truth
        question.choices = [Choice("true", 1.0 if truth else 0.0, right if truth else wrong),
                            Choice("false", 0.0 if truth else 1.0, wrong if truth else right)]

    def read_choices(self, question: Question, tokens: list[tuple[str, str]]) -> None:
        question.choices = [self.read_answer(content, 1.0 if mark == "=" else 0.0) for mark, content in tokens]
        marked = sum(mark == "=" for mark, _content in tokens)
        positive = sum(choice.fraction for choice in question.choices if choice.fraction > 0)
        question.kind = "single" if marked or not positive else "multiple"
        if self.errors:  # a bad weight or an empty answer was reported; the checks below would only echo it
            return
        if question.kind == "single":
            if marked != 1:
                self.fail(_("a single-choice question needs exactly one answer marked ="))
        elif abs(positive - 1) > 0.001:
            self.fail(_("the positive weights add up to %(total)s%%; in a multiple-response question they "
                        "must add up to 100%%") % {"total": format_percent(positive)})

    def read_matching(self, question: Question, tokens: list[tuple[str, str]]) -> None:
        question.kind = "matching"
        for mark, content in tokens:
            item, arrow, match = content.partition("->")
            if mark != "=" or not arrow:
                self.fail(_("every answer of a matching question must look like “=item -> match”"))
                return
            if not _clean(match):
                self.fail(_("an answer is empty"))
                return
            question.pairs.append((self.rich(item), _clean(match)))
        if sum(1 for item, _match in question.pairs if item) < 2:
            self.fail(_("a matching question needs at least two pairs"))

    def read_numeric(self, body: str) -> list[NumericAnswer]:
        """As Moodle reads it: answers separated by ``=``, each ``%weight%number:tolerance#feedback`` or
        ``low..high``; everything after the first ``~`` is the feedback for any other answer (worth 0)."""
        body, tilde, wrong = body.partition("~")
        parts = body.split("=")
        if not parts[0].strip():
            parts = parts[1:]
        if not parts:
            self.fail(_("a numerical question needs at least one number"))
            return []
        answers = []
        for part in parts:
            answer = self.read_answer(part, 1.0, clean=False)
            answers.append(self.read_number(answer.text, answer.fraction, answer.feedback))
        if tilde:
            _ignored, _marker, feedback = wrong.partition("#")
            answers.append(NumericAnswer(None, 0.0, 0.0, _clean(feedback)))
        return answers

    def read_number(self, text: str, fraction: float, feedback: str) -> NumericAnswer:
        text = _clean(text)
        if not text:
            self.fail(_("an answer is empty"))
            return NumericAnswer(0.0, 0.0, fraction, feedback)
        if ".." in text:
            low, high = (self.number(part) for part in text.split("..", 1))
            return NumericAnswer((low + high) / 2, abs(high - low) / 2, fraction, feedback)
        value, _colon, tolerance = text.partition(":")
        return NumericAnswer(self.number(value), self.number(tolerance or "0"), fraction, feedback)

    def number(self, text: str) -> float:
        text = text.strip()
        if not _NUMBER_RE.match(text):
            self.fail(_("“%(value)s” is not a number (write decimals with a dot, e.g. 0.5)") % {"value": text})
            return 0.0
        return float(text)

    def read_answer(self, content: str, fraction: float, clean: bool = True, rich: bool = True) -> Choice:
        """One ``=``/``~`` answer: optional %weight%, the text, optional #feedback."""
        content = content.strip()
        if content.startswith("%"):
            weight = _WEIGHT_RE.match(content)
            number = weight.group(1).strip() if weight else ""
            if weight and _NUMBER_RE.match(number) and -100 <= float(number) <= 100:
                fraction = float(number) / 100
                content = content[weight.end():]
            else:
                shown = weight.group(0) if weight else content.split()[0]
                self.fail(_("“%(weight)s” is not a valid weight: write a percentage from -100 to 100, e.g. %%50%%")
                          % {"weight": shown.translate(_RESTORE)})
                content = content[weight.end():] if weight else content[len(shown):]
        text, _marker, feedback = content.partition("#")
        if clean:
            text = self.rich(text) if rich else _clean(text)
            if not text:
                self.fail(_("an answer is empty"))
        return Choice(text, fraction, self.rich(feedback))


def _tokens(body: str) -> tuple[str, list[tuple[str, str]]]:
    """Split an answer block at every = and ~: the text before the first one, then (mark, content) pairs."""
    parts = re.split(r"([=~])", body)
    return parts[0].strip(), [(parts[i], parts[i + 1]) for i in range(1, len(parts), 2)]


# --- Writing -----------------------------------------------------------------------------------------------------

def _escape(text: str, start: bool = True) -> str:
    out = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        out = out.replace(char, "\\" + char)
    out = out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    # A text that itself starts like a format prefix gets an explicit one, so reading drops only that.
    return "[moodle]" + out if start and _FORMAT_RE.match(out) else out


def _answer(mark: str, fraction: float, default: float, text: str, feedback: str = "") -> str:
    weight = "" if fraction == default and not text.startswith("%") else f"%{format_percent(fraction)}%"
    return f"{mark}{weight}{_escape(text)}" + (f"#{_escape(feedback)}" if feedback else "")


def _numeric(answer: NumericAnswer) -> str:
    value = format_number(answer.value) + (f":{format_number(answer.tolerance)}" if answer.tolerance else "")
    return value + (f"#{_escape(answer.feedback)}" if answer.feedback else "")


def _block(question: Question) -> str | None:
    """The answer block of a question, or None for a description."""
    kind, general = question.kind, question.general_feedback
    tail = f"####{_escape(general)}" if general else ""
    lines: list[str]
    opening = "{"
    if kind == "description":
        return None
    if kind == "essay":
        return "{" + tail + "}"
    if kind == "truefalse":
        truth = bool(question.truth)
        feedback = {choice.text.lower(): choice.feedback for choice in question.choices}
        right, wrong = feedback.get(str(truth).lower(), ""), feedback.get(str(not truth).lower(), "")
        # {TRUE#shown to those who answer wrong#shown to those who answer right}
        marks = ("TRUE" if truth else "FALSE") + (f"#{_escape(wrong)}" if wrong or right else "") \
            + (f"#{_escape(right)}" if right else "")
        return "{" + marks + tail + "}"
    if kind == "numeric":
        answers = [answer for answer in question.numeric if answer.value is not None]
        other = [f"~#{_escape(answer.feedback)}" if answer.feedback else "~"
                 for answer in question.numeric if answer.value is None][:1]  # GIFT's "any other answer"
        if len(answers) == 1 and answers[0].fraction == 1 and not other:
            return "{#" + _numeric(answers[0]) + tail + "}"
        opening = "{#"
        lines = [_answer("=", answer.fraction, 1.0, "") + _numeric(answer) for answer in answers] + other
    elif kind == "single":
        best = max(range(len(question.choices)), key=lambda i: question.choices[i].fraction, default=-1)
        lines = [_answer("=", c.fraction, 1.0, c.text, c.feedback) if i == best
                 else _answer("~", c.fraction, 0.0, c.text, c.feedback) for i, c in enumerate(question.choices)]
    elif kind == "multiple":
        lines = [_answer("~", c.fraction, 0.0, c.text, c.feedback) for c in question.choices]
    elif kind == "short":
        choices = question.choices or [Choice(text, 1.0) for text in question.answers]
        lines = [_answer("=", c.fraction, 1.0, c.text, c.feedback) for c in choices]
    elif kind == "matching":
        lines = [f"={_escape(item)} -> {_escape(match)}" for item, match in question.pairs]
    else:
        raise UnsupportedQuestion(question, "GIFT")
    return opening + "\n" + "".join(f"\t{line}\n" for line in lines) + (f"\t{tail}\n" if tail else "") + "}"


def _comment(question: Question) -> str:
    """Moodle's comment line for the ID number and tags ("// [id:KT-01] [tag:một cửa]"), or nothing."""
    tokens = ([f"[id:{question.idnumber.replace(']', chr(92) + ']')}]"] if question.idnumber else []) + \
        [f"[tag:{tag.replace(']', chr(92) + ']')}]" for tag in question.tags]
    return "// " + " ".join(tokens) + "\n" if tokens else ""


def _write_question(question: Question) -> str:
    text = question.text
    block = _block(question)
    before, blank, after = text.partition(BLANK)
    if block is None:
        body = _escape(text, start=False)
    elif blank and after.strip():  # fill in: the block stands where the blank is
        body = _escape(before, start=False) + block + _escape(after, start=False)
    else:
        body = f"{_escape(text, start=False)} {block}"
    # GIFT's own default is Moodle's auto-format; any other is named, and so is a text that starts like a prefix.
    prefix = f"[{question.format}]" if question.format != "moodle" or _FORMAT_RE.match(body) else ""
    return f"{_comment(question)}::{_escape(question.name)}::{prefix}{body}"


def write_gift(questions: list[Question]) -> str:
    """GIFT text for the questions; a ``$CATEGORY:`` line precedes each change of category."""
    chunks, category = [], ""
    for question in questions:
        if question.category != category:
            category = question.category
            chunks.append(f"$CATEGORY: {category}")
        chunks.append(_write_question(question))
    return "\n\n".join(chunks) + "\n" if chunks else ""
