"""Aiken: single-choice questions as plain text.

::

    Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?
    A. Chủ tịch Ủy ban nhân dân cấp xã
    B) Chủ tịch Ủy ban nhân dân cấp huyện
    ANSWER: A

The question text may run over several lines (they are kept, joined by line breaks); options are one line each,
lettered ``A.`` or ``A)`` (a space after is optional, as in Moodle); the ``ANSWER:`` line ends the question. Blank lines between questions are optional,
but a blank line or a new text line after the options without an ``ANSWER:`` line means that line is missing.
"""
from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .model import Choice, FormatError, ParseError, Question, UnsupportedQuestion, default_name
from .richtext import to_plain

# As Moodle's reader (question/format/aiken/format.php): a capital letter and "." or ")" start an option, with or
# without a space after them ("A)Text" is an option too).
_OPTION_RE = re.compile(r"^([A-Z])[.)]\s*(.*)$")
_ANSWER_RE = re.compile(r"^ANSWER\s*:\s*(.*)$", re.I)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class _Draft:
    def __init__(self, line: int):
        self.line = line
        self.text: list[str] = []
        self.options: list[tuple[str, str]] = []


def parse_aiken(text: str, warnings: list[FormatError] | None = None) -> list[Question]:
    """Read Aiken text (plain text, as Moodle reads it: ``<`` and ``&`` are themselves); raise :class:`ParseError`
    listing every problem if there is any."""
    questions: list[Question] = []
    errors: list[FormatError] = []
    draft: _Draft | None = None
    orphan = False  # inside options that have no question; they were reported once

    def missing_answer(draft: _Draft) -> None:
        errors.append(FormatError(draft.line, _("the question has no “ANSWER: letter” line")))

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        answer = _ANSWER_RE.match(line)
        option = _OPTION_RE.match(line)
        if not line:
            if draft is not None and draft.options:
                missing_answer(draft)
                draft = None
            orphan = False
        elif answer:
            if draft is None:
                if not orphan:
                    errors.append(FormatError(number, _("this ANSWER: line has no question before it")))
            else:
                question = _finish(draft, answer.group(1).strip().upper(), number, errors)
                if question is not None:
                    questions.append(question)
            draft, orphan = None, False
        elif option:
            if draft is None:
                if not orphan:
                    errors.append(FormatError(number, _("these options have no question before them")))
                orphan = True
                continue
            if not (option.group(2) or "").strip():
                errors.append(FormatError(number, _("an answer is empty")))
            draft.options.append((option.group(1), (option.group(2) or "").strip()))
        else:
            if draft is not None and draft.options:
                missing_answer(draft)
                draft = None
            if draft is None:
                draft = _Draft(number)
            draft.text.append(line)
            orphan = False
    if draft is not None:
        missing_answer(draft)
    if errors:
        raise ParseError(sorted(errors, key=lambda e: e.line))
    return questions


def _finish(draft: _Draft, letter: str, line: int, errors: list[FormatError]) -> Question | None:
    letters = [option_letter for option_letter, _text in draft.options]
    if len(draft.options) < 2:
        errors.append(FormatError(draft.line, _("a question needs at least two options")))
        return None
    if letter not in letters:
        errors.append(FormatError(line, _("“ANSWER: %(letter)s” does not name one of the options") % {
            "letter": letter}))
        return None
    right = letters.index(letter)
    text = "\n".join(draft.text)
    return Question(kind="single", name=default_name(text), text=text,
                    choices=[Choice(option_text, 1.0 if i == right else 0.0)
                             for i, (_letter, option_text) in enumerate(draft.options)],
                    format="plain", source_line=draft.line)


def write_aiken(questions: list[Question]) -> str:
    """Aiken text for single-choice questions. Aiken keeps only the text, the options and the one right answer:
    names, categories, feedback and partial credit are not written."""
    chunks = []
    for question in questions:
        if question.kind != "single" or not 2 <= len(question.choices) <= len(LETTERS):
            raise UnsupportedQuestion(question, "Aiken")
        right = max(range(len(question.choices)), key=lambda i: question.choices[i].fraction)
        # Aiken holds plain text only: a question written in HTML, Markdown or Moodle's format is written as text.
        lines = [line.strip() for line in to_plain(question.text, question.format).splitlines() if line.strip()]
        lines += [f"{LETTERS[i]}. {_one_line(to_plain(choice.text, question.format))}"
                  for i, choice in enumerate(question.choices)]
        lines.append(f"ANSWER: {LETTERS[right]}")
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n" if chunks else ""


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text.strip())
