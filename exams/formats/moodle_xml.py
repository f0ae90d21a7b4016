"""Moodle XML (``<quiz>``): read and write.

Read: multichoice (single or multiple by ``<single>``), truefalse, shortanswer, numerical, matching, essay,
description, ordering (the widely used qtype_ordering plugin: answers in order of their ``fraction``), and
``<question type="category">`` for the category of the questions after it (without ``$course$/``-like prefixes).
``<tags>`` and an essay's ``<graderinfo>`` (the rubric notes for graders) are kept, both ways. Everything else a
Moodle question may carry (penalties, embedded files, units, …) is ignored.
``source_line`` is the line of the ``<question>`` element, and errors name it as well.

Fractions are percentages in the file (``fraction="50"``) and 0.5 in :class:`Choice`. A numerical answer ``*``
(Moodle's "any other answer") has no number and is left out.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _

from .model import (Choice, FormatError, NumericAnswer, ParseError, Question, UnsupportedQuestion, clean_category,
                    default_name, format_number, format_percent)

TYPES = {"multichoice": "choice", "truefalse": "truefalse", "shortanswer": "short", "numerical": "numeric",
         "matching": "matching", "essay": "essay", "description": "description", "ordering": "ordering"}
KIND_TO_TYPE = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
                "short": "shortanswer", "numeric": "numerical", "matching": "matching", "essay": "essay",
                "description": "description", "ordering": "ordering"}


def _read_tree(data: bytes | str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """Parse with expat into an ElementTree, noting the line of every element (ElementTree keeps none)."""
    parser = expat.ParserCreate()
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}

    def start(tag, attributes):
        lines[builder.start(tag, attributes)] = parser.CurrentLineNumber

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ParseError([FormatError(exc.lineno, _(
            "the file is not valid XML (%(reason)s at column %(column)s)") % {
            "reason": expat.ErrorString(exc.code), "column": exc.offset + 1})])
    return builder.close(), lines


def parse_moodle_xml(data: bytes | str) -> list[Question]:
    """Read a Moodle XML quiz; raise :class:`ParseError` listing every problem if there is any."""
    root, lines = _read_tree(data)
    if root.tag != "quiz":
        raise ParseError([FormatError(lines.get(root, 1), _(
            "this is not a Moodle XML question file: the outer element is <%(tag)s>, not <quiz>") % {
            "tag": root.tag})])
    questions, errors, category = [], [], ""
    for index, element in enumerate(root.findall("question"), 1):
        line, qtype = lines.get(element, 0), element.get("type", "")
        if qtype == "category":
            category = clean_category(_text(element.find("category")))
            continue
        if qtype not in TYPES:
            errors.append(FormatError(line, _("question %(index)s has the type “%(type)s”, which cannot be "
                                              "imported") % {"index": index, "type": qtype}))
            continue
        reader = _QuestionReader(element, line)
        question = reader.read(TYPES[qtype], category)
        errors.extend(reader.errors)
        if not reader.errors:
            questions.append(question)
    if errors:
        raise ParseError(errors)
    return questions


def _text(element: ET.Element | None) -> str:
    """The content of the <text> child of an element (Moodle wraps every text so), stripped."""
    if element is None:
        return ""
    text = element.find("text")
    if text is None:
        return ""
    # HTML written without CDATA arrives as child elements: keep it as markup.
    inner = (text.text or "") + "".join(ET.tostring(child, encoding="unicode") for child in text)
    return inner.strip()


class _QuestionReader:
    def __init__(self, element: ET.Element, line: int):
        self.element = element
        self.line = line
        self.errors: list[FormatError] = []

    def fail(self, message: str) -> None:
        error = FormatError(self.line, message)
        if error not in self.errors:
            self.errors.append(error)

    def number(self, text: str | None, default: float = 0.0) -> float:
        if text is None or not text.strip():
            return default
        try:
            value = float(text.strip())
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(_("“%(value)s” is not a number (write decimals with a dot, e.g. 0.5)") % {
                "value": text.strip()})
            return default
        return value

    def fraction(self, answer: ET.Element) -> float:
        percent = self.number(answer.get("fraction"), 0.0)
        if not -100 <= percent <= 100:
            self.fail(_("the answer fraction “%(value)s” must be a percentage from -100 to 100") % {
                "value": answer.get("fraction")})
        return percent / 100

    def choices(self) -> list[Choice]:
        return [Choice(_text(answer), self.fraction(answer), _text(answer.find("feedback")))
                for answer in self.element.findall("answer")]

    def read(self, kind: str, category: str) -> Question:
        element = self.element
        text = _text(element.find("questiontext"))
        grade = element.find("defaultgrade")
        question = Question(kind=kind, name=_text(element.find("name")) or default_name(text), text=text,
                            category=category, general_feedback=_text(element.find("generalfeedback")),
                            default_mark=self.number(grade.text if grade is not None else None, 1.0),
                            grader_info=_text(element.find("graderinfo")),
                            tags=[tag for tag in (_text(t) for t in element.findall("tags/tag")) if tag],
                            source_line=self.line)
        if not text:
            self.fail(_("the question has no text"))
        getattr(self, f"read_{kind}")(question)
        return question

    def read_choice(self, question: Question) -> None:
        single = (self.element.findtext("single") or "true").strip().lower()
        question.kind = "single" if single in ("true", "1") else "multiple"
        question.choices = self.choices()
        if not question.choices:
            self.fail(_("the question has no answers"))
        if any(not choice.text for choice in question.choices):
            self.fail(_("an answer is empty"))

    def read_truefalse(self, question: Question) -> None:
        feedback, fractions = {}, {}
        for position, answer in enumerate(self.element.findall("answer")):
            word = _text(answer).lower()
            word = word if word in ("true", "false") else ("true", "false")[position % 2]
            feedback[word], fractions[word] = _text(answer.find("feedback")), self.fraction(answer)
        if not fractions:
            self.fail(_("the question has no answers"))
        question.truth = fractions.get("true", 0) > fractions.get("false", 0)
        question.choices = [Choice("true", 1.0 if question.truth else 0.0, feedback.get("true", "")),
                            Choice("false", 0.0 if question.truth else 1.0, feedback.get("false", ""))]

    def read_short(self, question: Question) -> None:
        question.choices = self.choices()
        question.answers = [choice.text for choice in question.choices]
        if not question.choices:
            self.fail(_("the question has no answers"))
        if any(not choice.text for choice in question.choices):
            self.fail(_("an answer is empty"))

    def read_numeric(self, question: Question) -> None:
        for answer in self.element.findall("answer"):
            value = _text(answer)
            if value == "*":  # Moodle's "any other answer": no number to keep
                continue
            if not value:
                self.fail(_("an answer is empty"))
                continue
            question.numeric.append(NumericAnswer(self.number(value), abs(self.number(answer.findtext("tolerance"))),
                                                  self.fraction(answer), _text(answer.find("feedback"))))
        if not question.numeric and not self.errors:
            self.fail(_("the question has no answers"))

    def read_matching(self, question: Question) -> None:
        for sub in self.element.findall("subquestion"):
            match = _text(sub.find("answer"))
            if not match:
                self.fail(_("an answer is empty"))
            question.pairs.append((_text(sub), match))
        if sum(1 for item, _match in question.pairs if item) < 2:
            self.fail(_("a matching question needs at least two pairs"))

    def read_ordering(self, question: Question) -> None:
        answers = self.element.findall("answer")
        # qtype_ordering stores each item's position in "fraction"; keep file order where that is not a number.
        positions = []
        for position, answer in enumerate(answers):
            try:
                positions.append((float(answer.get("fraction", "")), position))
            except ValueError:
                positions.append((float(position), position))
        question.order = [_text(answers[position]) for _key, position in sorted(positions)]
        if len(question.order) < 2:
            self.fail(_("an ordering question needs at least two items"))
        if any(not item for item in question.order):
            self.fail(_("an answer is empty"))

    def read_essay(self, question: Question) -> None:
        pass

    def read_description(self, question: Question) -> None:
        pass


# --- Writing -----------------------------------------------------------------------------------------------------

def _add(parent: ET.Element, tag: str, value: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if value is not None:
        element.text = value
    return element


def _add_text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = _add(parent, tag, **attributes)
    _add(element, "text", value)
    return element


def _add_answer(parent: ET.Element, fraction: str, text: str, feedback: str = "") -> ET.Element:
    answer = _add_text(parent, "answer", text, fraction=fraction, format="html")
    _add_text(answer, "feedback", feedback, format="html")
    return answer


def write_moodle_xml(questions: list[Question]) -> str:
    """A Moodle XML quiz for the questions; a category pseudo-question precedes each change of category."""
    quiz = ET.Element("quiz")
    category = ""
    for question in questions:
        qtype = KIND_TO_TYPE.get(question.kind)
        if qtype is None:
            raise UnsupportedQuestion(question, "Moodle XML")
        if question.category != category:
            category = question.category
            _add_text(_add(quiz, "question", type="category"), "category", f"$course$/{category}")
        element = _add(quiz, "question", type=qtype)
        _add_text(element, "name", question.name)
        _add_text(element, "questiontext", question.text, format="html")
        _add_text(element, "generalfeedback", question.general_feedback, format="html")
        _add(element, "defaultgrade", format_number(question.default_mark))
        _write_answers(element, question)
        if question.kind != "essay" and question.grader_info:  # Moodle reads it for essays only; we keep it all
            _add_text(element, "graderinfo", question.grader_info, format="html")
        if question.tags:
            tags = _add(element, "tags")
            for tag in question.tags:
                _add_text(tags, "tag", tag)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _write_answers(element: ET.Element, question: Question) -> None:
    kind = question.kind
    if kind in ("single", "multiple"):
        _add(element, "single", "true" if kind == "single" else "false")
        _add(element, "shuffleanswers", "true")
        _add(element, "answernumbering", "abc")
        for choice in question.choices:
            _add_answer(element, format_percent(choice.fraction), choice.text, choice.feedback)
    elif kind == "truefalse":
        feedback = {choice.text.lower(): choice.feedback for choice in question.choices}
        for word, right in (("true", bool(question.truth)), ("false", not question.truth)):
            _add_answer(element, "100" if right else "0", word, feedback.get(word, ""))
    elif kind == "short":
        _add(element, "usecase", "0")
        for choice in question.choices or [Choice(text, 1.0) for text in question.answers]:
            _add_answer(element, format_percent(choice.fraction), choice.text, choice.feedback)
    elif kind == "numeric":
        for answer in question.numeric:
            node = _add_answer(element, format_percent(answer.fraction), format_number(answer.value), answer.feedback)
            _add(node, "tolerance", format_number(answer.tolerance))
    elif kind == "matching":
        _add(element, "shuffleanswers", "true")
        for item, match in question.pairs:
            sub = _add_text(element, "subquestion", item, format="html")
            _add_text(sub, "answer", match)
    elif kind == "ordering":
        _add(element, "layouttype", "VERTICAL")
        _add(element, "selecttype", "ALL")
        _add(element, "selectcount", "0")
        _add(element, "gradingtype", "ABSOLUTE_POSITION")
        for position, item in enumerate(question.order, 1):
            _add_text(element, "answer", item, fraction=str(position), format="html")
    elif kind == "essay":
        _add(element, "responseformat", "editor")
        _add(element, "responsefieldlines", "15")
        _add_text(element, "graderinfo", question.grader_info, format="html")
