"""One row of an Excel bank read into a question: the type, the options by letter, "Đáp án đúng" in each type's
notation (letters with weights, Đúng/Sai, accepted texts, numbers with a tolerance), every problem kept with its
column. Long because each of the nine question types has its rules; they are small methods side by side."""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..model import (Choice, FormatError, NumericAnswer, Question, default_name, format_decimal, format_percent,
                     parse_decimal)
from .spec import (_BY_KEY, _DIFFICULTY_WORDS, _FALSE_WORDS, _KIND_WORDS, _TRUE_WORDS, ANY_OTHER, DIFFICULTY_NAMES,
                   FALSE_NAME, FORMAT_NAMES, FORMAT_WORDS, KIND_NAMES, LETTERS, MARK_MAX, NAME_MAX, TAG_MAX, TRUE_NAME,
                   _key, option_header)

@dataclass
class Layout:
    """Where each column of the header row is."""

    columns: dict[str, tuple[int, str]]  # key → (index, header as written)
    options: list[tuple[str, int, str]]  # (letter, index, header) in letter order
    feedback: dict[str, tuple[int, str]]  # letter → (index, header)



# One letter of "Đáp án đúng" ("B", "B.", "A (50%)", "D: -100%") and what separates it from the next.
_CHOICE_TOKEN_RE = re.compile(
    r"\s*([A-Za-z])(?![^\W\d_])[.)]?\s*"
    r"(?:\(\s*([+-]?\d+(?:[.,]\d+)*)\s*%?\s*\)|[:=]\s*([+-]?\d+(?:[.,]\d+)*)\s*%?|([+-]?\d+(?:[.,]\d+)*)\s*%?)?"
    r"(?:\s*[,;]|\s+|\s*$)")
_WEIGHT_SUFFIX_RE = re.compile(r"^(.*?)\s*\(\s*([+-]?\d+(?:[.,]\d+)*)\s*%\s*\)$", re.S)
_PLUS_MINUS_RE = re.compile(r"±|\+/-|\+-")


class RowReader:
    """Reads one data row against the header layout; ``errors`` holds what is wrong with it."""

    def __init__(self, row: int, layout: Layout, cells: list[str]):
        self.row, self.layout, self.cells = row, layout, cells
        self.errors: list[FormatError] = []

    def get(self, key: str) -> str:
        index = self.layout.columns.get(key, (-1, ""))[0]
        return self.cells[index] if 0 <= index < len(self.cells) else ""

    def header(self, key: str) -> str:
        return self.layout.columns.get(key, (0, _BY_KEY[key].header))[1]

    def fail(self, key_or_header: str, message: str) -> None:
        header = self.header(key_or_header) if key_or_header in _BY_KEY else key_or_header
        self.errors.append(FormatError(self.row, message, header))

    def options(self) -> list[tuple[str, str, str]]:
        """The filled options as (letter, header, text), refusing gaps (letters must keep their meaning)."""
        filled = [(letter, header, self.cells[index] if index < len(self.cells) else "")
                  for letter, index, header in self.layout.options]
        last = max((i for i, (_l, _h, text) in enumerate(filled) if text), default=-1)
        for letter, header, text in filled[:last + 1]:
            if not text:
                self.fail(header, _("this option is empty but a later one is filled; leave no gaps between "
                                    "options"))
        return [option for option in filled[:last + 1] if option[2]]

    def option_feedback(self) -> dict[str, tuple[str, str]]:
        out = {}
        for letter, (index, header) in self.layout.feedback.items():
            text = self.cells[index] if index < len(self.cells) else ""
            if text:
                out[letter] = (header, text)
        return out

    def percent(self, header: str, text: str) -> float | None:
        try:
            value = parse_decimal(text)
        except ValueError as exc:
            self.fail(header, str(exc))
            return None
        if not -100 <= value <= 100:
            self.fail(header, _("the percentage “%(value)s” must be between -100 and 100") % {"value": text})
            return None
        return value / 100

    def read(self) -> Question | None:
        kind_text, text = self.get("kind"), self.get("text")
        kind = _KIND_WORDS.get(_key(kind_text))
        if not kind_text:
            self.fail("kind", _("choose the question type: %(kinds)s") % {"kinds": ", ".join(KIND_NAMES.values())})
        elif kind is None:
            self.fail("kind", _("“%(value)s” is not a question type; choose one of: %(kinds)s") % {
                "value": kind_text, "kinds": ", ".join(KIND_NAMES.values())})
        if not text:
            self.fail("text", _("the question has no text"))
        name = self.get("name")
        if len(name) > NAME_MAX:
            self.fail("name", _("the name is longer than %(n)s characters") % {"n": NAME_MAX})
        question = Question(kind=kind or "description", name=name or default_name(text), text=text,
                            category=self.get("category"), general_feedback=self.get("feedback"),
                            grader_info=self.get("grader_info"), source_line=self.row)
        question.idnumber = self.get("idnumber")
        question.format = self.read_format()
        question.difficulty = self.read_difficulty()
        question.default_mark = self.read_mark()
        question.tags = self.read_tags()
        if kind is not None:
            feedback = self.option_feedback()
            getattr(self, f"read_{kind}")(question, feedback)
            if kind not in ("single", "multiple", "truefalse", "short", "numeric"):
                for _letter, (header, _text) in sorted(feedback.items()):
                    self.fail(header, _("this type of question has no feedback per option; leave it empty or use "
                                        "“%(column)s”") % {"column": _BY_KEY["feedback"].header})
            if kind != "essay" and question.grader_info:
                self.fail("grader_info", _("only essays have rubric notes; leave this empty or use “%(column)s”")
                          % {"column": _BY_KEY["feedback"].header})
        return None if self.errors else question

    def read_format(self) -> str:
        value = self.get("format")
        if not value:
            return "plain"
        fmt = FORMAT_WORDS.get(_key(value))
        if fmt is None:
            self.fail("format", _("“%(value)s” is not a text format; write %(formats)s") % {
                "value": value, "formats": ", ".join(FORMAT_NAMES.values())})
        return fmt or "plain"

    def read_difficulty(self) -> int | None:
        value = self.get("difficulty")
        if not value:
            return None
        level = _DIFFICULTY_WORDS.get(_key(value))
        if level is None:
            self.fail("difficulty", _("“%(value)s” is not a difficulty; write %(levels)s") % {
                "value": value, "levels": ", ".join(DIFFICULTY_NAMES.values())})
        return level

    def read_mark(self) -> float:
        value = self.get("mark")
        if not value:
            return 1.0
        try:
            mark = parse_decimal(value)
        except ValueError as exc:
            self.fail("mark", str(exc))
            return 1.0
        if not 0 <= mark <= MARK_MAX:
            self.fail("mark", _("the mark must be between 0 and %(max)s") % {"max": format_decimal(MARK_MAX)})
        elif round(mark, 2) != mark:
            self.fail("mark", _("the mark may have at most two decimals"))
        return mark

    def read_tags(self) -> list[str]:
        tags = []
        for tag in re.split(r"[,;\n]", self.get("tags")):
            tag = " ".join(tag.split())
            if len(tag) > TAG_MAX:
                self.fail("tags", _("the tag “%(tag)s…” is longer than %(n)s characters") % {
                    "tag": tag[:30], "n": TAG_MAX})
            elif tag and tag not in tags:
                tags.append(tag)
        return tags

    def no_options(self, kind_hint: str) -> None:
        for _letter, header, _text in self.options():
            self.fail(header, kind_hint)
            break

    def no_answer(self) -> None:
        if self.get("answer"):
            self.fail("answer", _("this type of question has no right answer to write here; leave it empty"))

    # --- one method per kind ---------------------------------------------------------------------------------

    def read_choice_letters(self, options, single: bool) -> list[float] | None:
        """Fractions for the options from “Đáp án đúng”: "B", "A, C", "A (50%); D (-100%)"."""
        spec, letters = self.get("answer"), [letter for letter, _h, _t in options]
        if not spec:
            self.fail("answer", _("write the letter of the right option, e.g. B") if single else
                      _("write the letters of the right options, e.g. A, C"))
            return None
        given: dict[str, float | None] = {}
        position = 0
        while position < len(spec):
            token = _CHOICE_TOKEN_RE.match(spec, position)
            if token is None or token.end() == position:
                self.fail("answer", _("“%(text)s” cannot be read: write option letters such as “A, C”, each "
                                      "with an optional percentage, e.g. “A (50%%); D (-100%%)”") % {
                    "text": spec[position:].strip()})
                return None
            letter = token.group(1).upper()
            weight = token.group(2) or token.group(3) or token.group(4)
            if letter not in letters:
                self.fail("answer", _("“%(letter)s” is not one of the filled options (%(first)s–%(last)s)") % {
                    "letter": letter, "first": letters[0] if letters else "A", "last": letters[-1] if letters
                    else "A"})
                return None
            if letter in given:
                self.fail("answer", _("the option %(letter)s is named twice") % {"letter": letter})
                return None
            given[letter] = None if weight is None else self.percent(self.header("answer"), weight)
            if weight is not None and given[letter] is None:
                return None
            position = token.end()
        fractions = {letter: 0.0 for letter in letters}
        if single:
            for letter, fraction in given.items():
                fractions[letter] = 1.0 if fraction is None else fraction
            if sum(1 for f in fractions.values() if f == 1.0) != 1:
                self.fail("answer", _("a single-choice question needs exactly one right option (worth 100%%); "
                                      "choose “%(multiple)s” for several") % {"multiple": KIND_NAMES["multiple"]})
                return None
        else:
            explicit = sum(f for f in given.values() if f is not None and f > 0)
            shared = [letter for letter, f in given.items() if f is None]
            remaining = 1.0 - explicit
            if shared and remaining <= 0.00001:
                self.fail("answer", _("the percentages already add up to 100%%; give the other letters a "
                                      "percentage too"))
                return None
            for letter, fraction in given.items():
                fractions[letter] = remaining / len(shared) if fraction is None else fraction
            positive = sum(f for f in fractions.values() if f > 0)
            if abs(positive - 1) > 0.001:
                self.fail("answer", _("the right options add up to %(total)s%%; in a multiple-response question "
                                      "they must add up to 100%%") % {
                    "total": format_percent(positive).replace(".", ",")})
                return None
        return [fractions[letter] for letter in letters]

    def _choices(self, question: Question, feedback, single: bool) -> None:
        options = self.options()
        if len(options) < 2:
            self.fail(option_header("B"), _("a choice question needs at least two options"))
            return
        fractions = self.read_choice_letters(options, single)
        letters = [letter for letter, _h, _t in options]
        for letter, (header, _text) in sorted(feedback.items()):
            if letter not in letters:
                self.fail(header, _("there is no option %(letter)s for this feedback") % {"letter": letter})
        if fractions is not None:
            question.choices = [Choice(text, fraction, feedback.get(letter, ("", ""))[1])
                                for (letter, _h, text), fraction in zip(options, fractions)]

    def read_single(self, question: Question, feedback) -> None:
        self._choices(question, feedback, single=True)

    def read_multiple(self, question: Question, feedback) -> None:
        self._choices(question, feedback, single=False)

    def read_truefalse(self, question: Question, feedback) -> None:
        options = self.options()
        words = [_key(text) for _l, _h, text in options]
        if options and words not in (["dung", "sai"], ["true", "false"]):
            self.fail(options[0][1], _("a true/false question takes no options: leave them empty, or write "
                                       "%(true)s and %(false)s") % {"true": TRUE_NAME, "false": FALSE_NAME})
            return
        answer = _key(self.get("answer"))
        if answer in _TRUE_WORDS or (options and answer == "a"):
            truth = True
        elif answer in _FALSE_WORDS or (options and answer == "b"):
            truth = False
        else:
            self.fail("answer", _("write %(true)s or %(false)s") % {"true": TRUE_NAME, "false": FALSE_NAME})
            return
        for letter, (header, _text) in sorted(feedback.items()):
            if letter not in "AB":
                self.fail(header, _("a true/false question has feedback only for A (%(true)s) and B (%(false)s)")
                          % {"true": TRUE_NAME, "false": FALSE_NAME})
        question.truth = truth
        question.choices = [Choice("true", 1.0 if truth else 0.0, feedback.get("A", ("", ""))[1]),
                            Choice("false", 0.0 if truth else 1.0, feedback.get("B", ("", ""))[1])]

    def _answer_feedback(self, count: int, feedback) -> list[str]:
        """Short and numeric: "Phản hồi A" is for the first answer, B for the second, …"""
        for letter, (header, _text) in sorted(feedback.items()):
            if LETTERS.index(letter) >= count:
                self.fail(header, _("there is no answer %(n)s in “%(column)s” for this feedback") % {
                    "n": LETTERS.index(letter) + 1, "column": self.header("answer")})
        return [feedback.get(LETTERS[i], ("", ""))[1] if i < len(LETTERS) else "" for i in range(count)]

    def _weighted_parts(self) -> list[tuple[str, float]] | None:
        parts = []
        for part in self.get("answer").split(";"):
            part = part.strip()
            if not part:
                continue
            weighted = _WEIGHT_SUFFIX_RE.match(part)
            fraction = 1.0
            if weighted:
                fraction = self.percent(self.header("answer"), weighted.group(2))
                if fraction is None:
                    return None
                part = weighted.group(1).strip()
                if not part:
                    self.fail("answer", _("an answer is empty"))
                    return None
            parts.append((part, fraction))
        return parts

    def read_short(self, question: Question, feedback) -> None:
        self.no_options(_("a short-answer question takes no options: write the accepted answers in “%(column)s”, "
                          "separated by ;") % {"column": self.header("answer")})
        parts = self._weighted_parts()
        if parts is None:
            return
        if not parts:
            self.fail("answer", _("write the accepted answers, separated by ;"))
            return
        texts = self._answer_feedback(len(parts), feedback)
        question.choices = [Choice(text, fraction, texts[i]) for i, (text, fraction) in enumerate(parts)]
        question.answers = [choice.text for choice in question.choices]

    def read_numeric(self, question: Question, feedback) -> None:
        self.no_options(_("a numeric question takes no options: write the right number in “%(column)s”, e.g. "
                          "3,5 ± 0,1") % {"column": self.header("answer")})
        parts = self._weighted_parts()
        if parts is None:
            return
        if not parts:
            self.fail("answer", _("write the right number, e.g. 60 or 3,5 ± 0,1"))
            return
        answers = []
        for text, fraction in parts:
            value, _sign, tolerance = (piece.strip() for piece in _split_plus_minus(text))
            if value == ANY_OTHER and not tolerance:  # any other number, as Moodle's "*"
                answers.append(NumericAnswer(None, 0.0, fraction))
                continue
            try:
                answers.append(NumericAnswer(parse_decimal(value), abs(parse_decimal(tolerance or "0")), fraction))
            except ValueError as exc:
                self.fail("answer", str(exc))
                return
        for answer, text in zip(answers, self._answer_feedback(len(answers), feedback)):
            answer.feedback = text
        question.numeric = answers

    def read_matching(self, question: Question, feedback) -> None:
        self.no_answer()
        for _letter, header, text in self.options():
            item, match = _split_pair(text)
            if match is None:
                self.fail(header, _("write the pair as “left side = right side”"))
            elif not match:
                self.fail(header, _("the right side of the pair is empty"))
            else:
                question.pairs.append((item, match))
        if not self.errors and sum(1 for item, _match in question.pairs if item) < 2:
            self.fail(option_header("B"), _("a matching question needs at least two pairs"))

    def read_ordering(self, question: Question, feedback) -> None:
        self.no_answer()
        question.order = [text for _l, _h, text in self.options()]
        if len(question.order) < 2:
            self.fail(option_header("B"), _("an ordering question needs at least two items"))
        elif len(set(question.order)) != len(question.order):
            self.fail(option_header("A"), _("two items are the same; every item must be different"))

    def read_essay(self, question: Question, feedback) -> None:
        self.no_options(_("an essay takes no options; leave them empty"))
        model_answer = self.get("answer")
        if model_answer:  # many banks keep the model answer there; it goes to the graders, never to candidates
            question.grader_info = "\n\n".join(filter(None, [question.grader_info, model_answer]))

    def read_description(self, question: Question, feedback) -> None:
        self.no_options(_("a description takes no options; leave them empty"))
        self.no_answer()


def _split_plus_minus(text: str) -> tuple[str, str, str]:
    match = _PLUS_MINUS_RE.search(text)
    if match is None:
        return text, "", ""
    return text[:match.start()], match.group(0), text[match.end():]


def _split_pair(text: str) -> tuple[str, str | None]:
    """ "left = right" (or "left -> right" when a side holds "="); "... = right" is a wrong match."""
    arrows = [p for p in (text.find("->"), text.find("→")) if p >= 0]
    if arrows:
        at = min(arrows)
        item, match = text[:at], text[at + (1 if text[at] == "→" else 2):]
    elif "=" in text:
        item, _sign, match = text.partition("=")
    else:
        return text, None
    item = item.strip()
    return ("" if item in ("", "...", "…") else item), match.strip()


