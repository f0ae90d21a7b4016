"""What the ported Moodle format tests share: the fixtures, and assertions made on what a user sees.

Moodle keeps a text format per field (question text, each answer, each feedback); the neutral question keeps one
(``Question.format``) and the parsers may bring fields of other formats to it. So a field is compared by how it is
shown (``richtext.to_html`` of the field in the question's format) with how Moodle's expected text is shown in
Moodle's expected format, not by its raw characters, wherever Moodle's test mixes formats.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from django.utils import translation

from exams.formats.model import ParseError, Question
from exams.formats.richtext import to_html

FIXTURES = Path(__file__).parent / "fixtures"

# Moodle's format constants, as the neutral model names them.
FORMAT_HTML, FORMAT_MOODLE, FORMAT_PLAIN, FORMAT_MARKDOWN = "html", "moodle", "plain", "markdown"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def shown(text: str, fmt: str) -> str:
    """A field as the exam room shows it, white space collapsed as a browser collapses it."""
    return " ".join(to_html(text, fmt).split())


def assert_shown(question: Question, actual: str, expected: str, expected_format: str) -> None:
    """A field of the question shows as Moodle's expected text in Moodle's expected format."""
    assert shown(actual, question.format) == shown(expected, expected_format), (actual, question.format)


def assert_choices(question: Question, expected: list[tuple]) -> None:
    """Choices as Moodle expects them: (text, text format, fraction, feedback, feedback format)."""
    assert len(question.choices) == len(expected), question.choices
    for choice, (text, text_format, fraction, feedback, feedback_format) in zip(question.choices, expected):
        assert_shown(question, choice.text, text, text_format)
        assert choice.fraction == pytest.approx(fraction)
        assert_shown(question, choice.feedback, feedback, feedback_format)


def combined(question: Question) -> dict[str, str]:
    """The combined feedback, without the parts that are empty (Moodle stores empty texts, we may not)."""
    return {key: value for key, value in question.feedback.items() if value}


# What Moodle assumes when a file does not say. A setting may be left out of ``Question.settings`` when it is
# this default (so a written file reads back the same); an absent setting means this value.
MOODLE_DEFAULTS = {"shuffle": True, "numbering": "abc", "usecase": False, "hidden": False,
                   "responseformat": "editor", "responserequired": 1, "responsefieldlines": 15, "attachments": 0,
                   "attachmentsrequired": 0, "minwordlimit": 0, "maxwordlimit": 0, "responsetemplate": ""}


def same_value(value, expected) -> bool:
    """A setting compared with Moodle's value whatever its type in settings ("42", 42 and 42.0 alike; "1", 1,
    "true" and True alike)."""
    if value is None:
        return expected in (None, "", 0, False)
    if isinstance(expected, bool):
        if isinstance(value, str):
            return (value.strip().lower() in ("1", "true", "yes")) == expected
        return bool(value) == expected
    if isinstance(expected, (int, float)):
        try:
            return float(value) == pytest.approx(float(expected))
        except (TypeError, ValueError):
            return False
    return value == expected


def assert_setting(question: Question, key: str, expected) -> None:
    """The question's setting is Moodle's value; a setting left out is Moodle's default for it."""
    value = question.settings[key] if key in question.settings else MOODLE_DEFAULTS.get(key)
    assert same_value(value, expected), (key, question.settings.get(key, "(not set)"), expected)


def parse_keeping_warnings(parse, data):
    """Parse, collecting the questions skipped but reported (cloze and the like)."""
    warnings: list = []
    questions = parse(data, warnings=warnings)
    return questions, warnings


def refusal(parse, data, **kwargs) -> list[tuple[int, str]]:
    """The (line, message) of every problem a refused file is refused for, in English."""
    with translation.override("en"), pytest.raises(ParseError) as caught:
        parse(data, **kwargs)
    return [(error.line, error.message) for error in caught.value.errors]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th occurrence of a string in a file."""
    lines = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def lines_of(text: str, pattern: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), 1) if re.search(pattern, line)]


def by_name(questions: list[Question]) -> dict[str, Question]:
    return {question.name: question for question in questions}


def assert_same_question(read: Question, written: Question) -> None:
    """A question read back from a written file is the one that was written, for everything the format carries.

    The settings may gain defaults the writer spelled out, and empty combined-feedback parts may be dropped or
    added; every setting the written question had must come back."""
    for field in dataclasses.fields(Question):
        if field.name in ("settings", "feedback", "source_line"):
            continue
        assert getattr(read, field.name) == getattr(written, field.name), field.name
    assert combined(read) == combined(written)
    for key, value in written.settings.items():
        assert_setting(read, key, value)
