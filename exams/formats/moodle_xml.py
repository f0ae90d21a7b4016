"""Moodle XML (``<quiz>``): read and write.

Read: multichoice (single or multiple by ``<single>``), truefalse, shortanswer, numerical, matching, essay,
description, ordering (the widely used qtype_ordering plugin: answers in order of their ``fraction``), and
``<question type="category">`` for the category of the questions after it (without ``$course$/``-like prefixes;
its ``<info>`` is the category's description, given back through ``categories``).

What a trainer wrote comes along, both ways: each field's text format (``format="html"``, ``moodle_auto_format``,
``plain_text``, ``markdown``; a question whose fields came in several formats is brought to HTML, which shows them
all), embedded files (``<file name=… encoding="base64">`` referred to as ``@@PLUGINFILE@@/name``, and the old
``<image>``/``<image_base64>``), ``<idnumber>``, ``<tags>``, the combined feedback, the hints, an essay's
``<graderinfo>``, response template and settings, and each kind's options (shuffling, numbering, case
sensitivity, penalty). A numerical ``*`` answer is "any other answer" (``value`` None).

As strict as Moodle: an answer grade outside Moodle's list is refused, and so is a question whose grades cannot
give full marks (single choice, short answer and numerical need a 100% answer; the positive grades of a
multiple-response question add up to 100%). Question types Moodle has and the platform does not (cloze
``multianswer``, calculated, drag and drop, …) are skipped and reported in ``warnings`` with their line; the rest
of the file imports.
``source_line`` is the line of the ``<question>`` element, and errors name it as well.

Fractions are percentages in the file (``fraction="50"``) and 0.5 in :class:`Choice`.
"""
from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import richtext
from .model import (PLUGINFILE, Choice, FormatError, NumericAnswer, ParseError, Question, UnsupportedQuestion,
                    clean_category, default_name, format_number, format_percent, is_moodle_grade)

TYPES = {"multichoice": "choice", "truefalse": "truefalse", "shortanswer": "short", "numerical": "numeric",
         "matching": "matching", "essay": "essay", "description": "description", "ordering": "ordering"}
KIND_TO_TYPE = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
                "short": "shortanswer", "numeric": "numerical", "matching": "matching", "essay": "essay",
                "description": "description", "ordering": "ordering"}
# Moodle's own types the platform does not run: skipped with a warning, the rest of the file imports.
SKIPPED_TYPES = {"cloze": gettext_lazy("Cloze (embedded answers)"),
                 "multianswer": gettext_lazy("Cloze (embedded answers)"),
                 "calculated": gettext_lazy("Calculated"), "calculatedsimple": gettext_lazy("Simple calculated"),
                 "calculatedmulti": gettext_lazy("Calculated multichoice"),
                 "ddwtos": gettext_lazy("Drag and drop into text"),
                 "gapselect": gettext_lazy("Select missing words"),
                 "ddimageortext": gettext_lazy("Drag and drop onto image"),
                 "ddmarker": gettext_lazy("Drag and drop markers"),
                 "randomsamatch": gettext_lazy("Random short-answer matching"), "random": gettext_lazy("Random"),
                 "multichoiceset": gettext_lazy("All-or-nothing multiple choice")}
FORMATS_IN = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
FORMATS_OUT = {ours: theirs for theirs, ours in FORMATS_IN.items()}
COMBINED = {"correct": "correctfeedback", "partial": "partiallycorrectfeedback", "incorrect": "incorrectfeedback"}
# What Moodle assumes when a file does not say; a setting equal to it is not kept (so a written file reads back the
# same).
DEFAULTS = {"shuffle": True, "numbering": "abc", "usecase": False, "responseformat": "editor",
            "responserequired": "1", "responsefieldlines": "15", "attachments": "0", "attachmentsrequired": "0",
            "layouttype": "VERTICAL", "selecttype": "ALL", "selectcount": "0", "gradingtype": "ABSOLUTE_POSITION",
            "hidden": False}
ESSAY_SETTINGS = ("responseformat", "responserequired", "responsefieldlines", "minwordlimit", "maxwordlimit",
                  "attachments", "attachmentsrequired", "maxbytes", "filetypeslist")


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


def parse_moodle_xml(data: bytes | str, warnings: list[FormatError] | None = None,
                     categories: dict[str, str] | None = None) -> list[Question]:
    """Read a Moodle XML quiz; raise :class:`ParseError` listing every problem if there is any. Questions of a type
    the platform does not run are skipped and noted in `warnings`; each category's description goes in
    `categories` (path → HTML)."""
    root, lines = _read_tree(data)
    if root.tag != "quiz":
        raise ParseError([FormatError(lines.get(root, 1), _(
            "this is not a Moodle XML question file: the outer element is <%(tag)s>, not <quiz>") % {
            "tag": root.tag})])
    questions, errors, category, skipped = [], [], "", 0
    for index, element in enumerate(root.findall("question"), 1):
        line, qtype = lines.get(element, 0), element.get("type", "")
        if qtype == "category":
            category = clean_category(_text(element.find("category")))
            info = _text(element.find("info"))
            if categories is not None and info:
                categories[category] = richtext.convert(info, _format_of(element.find("info")), "html")
            continue
        if qtype in SKIPPED_TYPES:
            skipped += 1
            if warnings is not None:
                warnings.append(FormatError(line, _(
                    "question %(index)s (“%(name)s”) is a Moodle “%(type)s” question, which the platform does not "
                    "run: it was skipped; the other questions were read") % {
                    "index": index, "name": _text(element.find("name")) or qtype, "type": SKIPPED_TYPES[qtype]}))
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
    if not questions and not skipped and not errors:  # as Moodle: "There are no questions in the import file"
        errors.append(FormatError(lines.get(root, 1), _("the file has no questions")))
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


def _format_of(element: ET.Element | None, default: str = "moodle") -> str:
    if element is None:
        return default
    return FORMATS_IN.get((element.get("format") or "").strip().lower(), default)


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() in ("1", "true", "yes")


class _QuestionReader:
    def __init__(self, element: ET.Element, line: int):
        self.element = element
        self.line = line
        self.errors: list[FormatError] = []
        self.target = "html"

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

    # --- formats and files ---------------------------------------------------------------------------------

    def rich_elements(self, kind: str) -> list[ET.Element]:
        """The elements whose text is shown formatted (not the keys compared with what candidates type)."""
        element = self.element
        found = [element.find(tag) for tag in ("questiontext", "generalfeedback", "graderinfo", "responsetemplate",
                                               *COMBINED.values())]
        found += element.findall("hint") + element.findall("answer/feedback")
        if kind in ("choice", "ordering"):
            found += element.findall("answer")
        if kind == "matching":
            found += element.findall("subquestion")
        return [e for e in found if e is not None and _text(e)]

    def choose_format(self, kind: str) -> None:
        """The question's one format: its fields' own when they agree, else HTML (each field converted)."""
        seen = {_format_of(e) for e in self.rich_elements(kind)}
        if self.element.findtext("image"):
            seen.add("html")
        question_format = _format_of(self.element.find("questiontext"))
        self.target = question_format if seen <= {question_format} else "html"

    def rich(self, element: ET.Element | None) -> str:
        return richtext.convert(_text(element), _format_of(element), self.target) if element is not None else ""

    def files(self) -> dict[str, bytes]:
        files = {}
        for node in self.element.iter("file"):
            name = (node.get("name") or "").strip()
            if not name:
                continue
            folder = (node.get("path") or "/").strip().strip("/")
            name = f"{folder}/{name}" if folder else name  # the text refers to @@PLUGINFILE@@/folder/name
            try:
                files[name] = base64.b64decode("".join((node.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                self.fail(_("the embedded file “%(name)s” is not valid base64") % {"name": name})
        return files

    def old_image(self, question: Question) -> None:
        """Moodle 1.x's <image> and <image_base64>: the file comes along and is shown under the text."""
        name = (self.element.findtext("image") or "").strip()
        if not name:
            return
        name = name.rsplit("/", 1)[-1]
        encoded = "".join((self.element.findtext("image_base64") or "").split())
        if encoded:
            try:
                question.files[name] = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                self.fail(_("the embedded file “%(name)s” is not valid base64") % {"name": name})
                return
        if name in question.files:  # as Moodle appends it
            question.text += f' <img src="{PLUGINFILE}{name}" />'

    # --- reading -------------------------------------------------------------------------------------------

    def choices(self, rich: bool = True) -> list[Choice]:
        return [Choice(self.rich(answer) if rich else _text(answer), self.fraction(answer),
                       self.rich(answer.find("feedback")))
                for answer in self.element.findall("answer")]

    def read(self, kind: str, category: str) -> Question:
        element = self.element
        self.choose_format(kind)
        text = self.rich(element.find("questiontext"))
        grade = element.find("defaultgrade")
        question = Question(kind=kind, name=_text(element.find("name")) or default_name(text), text=text,
                            category=category, general_feedback=self.rich(element.find("generalfeedback")),
                            default_mark=self.number(grade.text if grade is not None else None, 1.0),
                            grader_info=self.rich(element.find("graderinfo")),
                            tags=[tag for tag in (_text(t) for t in element.findall("tags/tag")) if tag],
                            format=self.target, idnumber=(element.findtext("idnumber") or "").strip(),
                            hints=[self.rich(hint) for hint in element.findall("hint") if _text(hint)],
                            feedback={key: self.rich(element.find(tag)) for key, tag in COMBINED.items()
                                      if _text(element.find(tag))},
                            files=self.files(), source_line=self.line)
        if element.find("penalty") is not None:
            question.settings["penalty"] = self.number(element.findtext("penalty"))
        if _flag(element.findtext("hidden")):
            question.settings["hidden"] = True
        if not text:
            self.fail(_("the question has no text"))
        self.old_image(question)
        getattr(self, f"read_{kind}")(question)
        question.settings = {key: value for key, value in question.settings.items()
                             if key not in DEFAULTS or DEFAULTS[key] != value}
        return question

    def check_grades(self, fractions: list[float], *, sums: bool = False) -> None:
        """Moodle's own checks on import: every grade from its list, and full marks possible."""
        wrong = [f for f in fractions if not is_moodle_grade(f)]
        if wrong:
            self.fail(_("the grade %(grade)s%% is not one Moodle allows (100, 90, 83.33333, 80, 75, 70, 66.66667, "
                        "60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0 or "
                        "their negatives)") % {"grade": format_percent(wrong[0])})
        elif sums:
            total = round(sum(f for f in fractions if f > 0), 2)
            if fractions and abs(total - 1) > 0.001:
                self.fail(_("the positive grades add up to %(total)s%%; in a multiple-response question they must "
                            "add up to 100%%") % {"total": format_percent(total)})
        elif fractions and abs(max(fractions) - 1) > 0.00001:
            self.fail(_("no answer is worth 100%: one of them must be, so that full marks are possible"))

    def read_choice(self, question: Question) -> None:
        single = (self.element.findtext("single") or "true").strip().lower()
        question.kind = "single" if single in ("true", "1") else "multiple"
        question.choices = self.choices()
        self.read_options(question)
        if not question.choices:
            self.fail(_("the question has no answers"))
        elif any(not choice.text for choice in question.choices):
            self.fail(_("an answer is empty"))
        else:
            self.check_grades([c.fraction for c in question.choices], sums=question.kind == "multiple")

    def read_options(self, question: Question) -> None:
        element = self.element
        # As Moodle's import_multichoice: a file that does not say shuffles nothing.
        question.settings["shuffle"] = _flag(element.findtext("shuffleanswers"))
        for tag, key in (("answernumbering", "numbering"), ("showstandardinstruction", "showstandardinstruction")):
            if element.findtext(tag) is not None and element.findtext(tag).strip():
                question.settings[key] = element.findtext(tag).strip()
        if element.find("shownumcorrect") is not None:
            question.settings["shownumcorrect"] = True

    def read_truefalse(self, question: Question) -> None:
        feedback, fractions = {}, {}
        for position, answer in enumerate(self.element.findall("answer")):
            word = _text(answer).lower()
            word = word if word in ("true", "false") else ("true", "false")[position % 2]
            feedback[word], fractions[word] = self.rich(answer.find("feedback")), self.fraction(answer)
        if not fractions:
            self.fail(_("the question has no answers"))
        question.truth = fractions.get("true", 0) > fractions.get("false", 0)
        question.choices = [Choice("true", 1.0 if question.truth else 0.0, feedback.get("true", "")),
                            Choice("false", 0.0 if question.truth else 1.0, feedback.get("false", ""))]

    def read_short(self, question: Question) -> None:
        question.choices = self.choices(rich=False)  # keys: compared with what candidates type, never formatted
        question.answers = [choice.text for choice in question.choices]
        if self.element.find("usecase") is not None:
            question.settings["usecase"] = _flag(self.element.findtext("usecase"))
        if not question.choices:
            self.fail(_("the question has no answers"))
        elif any(not choice.text for choice in question.choices):
            self.fail(_("an answer is empty"))
        else:
            self.check_grades([c.fraction for c in question.choices])

    def read_numeric(self, question: Question) -> None:
        for answer in self.element.findall("answer"):
            value = _text(answer)
            if not value:
                self.fail(_("an answer is empty"))
                continue
            number = None if value == "*" else self.number(value)  # "*": Moodle's "any other answer"
            question.numeric.append(NumericAnswer(number, abs(self.number(answer.findtext("tolerance"))),
                                                  self.fraction(answer), self.rich(answer.find("feedback"))))
        if not question.numeric and not self.errors:
            self.fail(_("the question has no answers"))
        elif not self.errors:
            self.check_grades([n.fraction for n in question.numeric])

    def read_matching(self, question: Question) -> None:
        if self.element.find("shuffleanswers") is not None:
            question.settings["shuffle"] = _flag(self.element.findtext("shuffleanswers"))
        for sub in self.element.findall("subquestion"):
            match = _text(sub.find("answer"))
            if not match:
                self.fail(_("an answer is empty"))
            question.pairs.append((self.rich(sub), match))
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
        question.order = [self.rich(answers[position]) for _key, position in sorted(positions)]
        for tag in ("layouttype", "selecttype", "selectcount", "gradingtype", "showgrading", "numberingstyle"):
            if (self.element.findtext(tag) or "").strip():
                question.settings[tag] = self.element.findtext(tag).strip()
        if len(question.order) < 2:
            self.fail(_("an ordering question needs at least two items"))
        if any(not item for item in question.order):
            self.fail(_("an answer is empty"))

    def read_essay(self, question: Question) -> None:
        for tag in ESSAY_SETTINGS:
            value = (self.element.findtext(tag) or "").strip()
            if value:
                question.settings[tag] = value
        template = self.rich(self.element.find("responsetemplate"))
        if template:
            question.settings["responsetemplate"] = template

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


def write_moodle_xml(questions: list[Question], categories: dict[str, str] | None = None) -> str:
    """A Moodle XML quiz for the questions; a category pseudo-question (with its description from `categories`,
    path → HTML) precedes each change of category."""
    quiz = ET.Element("quiz")
    category = None
    for question in questions:
        qtype = KIND_TO_TYPE.get(question.kind)
        if qtype is None:
            raise UnsupportedQuestion(question, "Moodle XML")
        if question.category != category:
            category = question.category
            node = _add(quiz, "question", type="category")
            _add_text(node, "category", f"$course$/{category}" if category else "$course$")
            if categories and categories.get(category):
                _add_text(node, "info", categories[category], format="html")
        _QuestionWriter(question).write(_add(quiz, "question", type=qtype))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


class _QuestionWriter:
    def __init__(self, question: Question):
        self.question = question
        self.format = FORMATS_OUT.get(question.format, "html")
        self.unplaced = dict(question.files)

    def rich(self, parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
        """A formatted field, with the files its text refers to embedded in it (as Moodle writes them)."""
        element = _add_text(parent, tag, value, **attributes, format=self.format)
        for name in [n for n in self.unplaced if PLUGINFILE + n in value]:
            self.file(element, name)
        return element

    def file(self, element: ET.Element, name: str) -> None:
        content = self.unplaced.pop(name)
        _add(element, "file", base64.b64encode(content).decode("ascii"), name=name, path="/", encoding="base64")

    def answer(self, parent: ET.Element, fraction: float, text: str, feedback: str, rich: bool = True) -> ET.Element:
        attributes = {"fraction": format_percent(fraction)}
        node = self.rich(parent, "answer", text, **attributes) if rich else \
            _add_text(parent, "answer", text, **attributes, format="moodle_auto_format")
        self.rich(node, "feedback", feedback)
        return node

    def write(self, element: ET.Element) -> None:
        question = self.question
        _add_text(element, "name", question.name)
        text_node = self.rich(element, "questiontext", question.text)
        self.rich(element, "generalfeedback", question.general_feedback)
        _add(element, "defaultgrade", format_number(question.default_mark))
        if "penalty" in question.settings:
            _add(element, "penalty", format_number(float(question.settings["penalty"])))
        _add(element, "hidden", "1" if question.settings.get("hidden") else "0")
        _add(element, "idnumber", question.idnumber)
        self.answers(element)
        if question.kind != "essay" and question.grader_info:  # Moodle reads it for essays only; we keep it all
            self.rich(element, "graderinfo", question.grader_info)
        for hint in question.hints:
            self.rich(element, "hint", hint)
        if question.tags:
            tags = _add(element, "tags")
            for tag in question.tags:
                _add_text(tags, "tag", tag)
        for name in list(self.unplaced):  # files no text refers to still travel with the question
            self.file(text_node, name)

    def combined(self, element: ET.Element) -> None:
        for key, tag in COMBINED.items():
            self.rich(element, tag, self.question.feedback.get(key, ""))
        if self.question.settings.get("shownumcorrect"):
            _add(element, "shownumcorrect")

    def answers(self, element: ET.Element) -> None:
        question, kind, settings = self.question, self.question.kind, self.question.settings
        if kind in ("single", "multiple"):
            _add(element, "single", "true" if kind == "single" else "false")
            _add(element, "shuffleanswers", "true" if settings.get("shuffle", True) else "false")
            _add(element, "answernumbering", str(settings.get("numbering", "abc")))
            if "showstandardinstruction" in settings:
                _add(element, "showstandardinstruction", str(settings["showstandardinstruction"]))
            self.combined(element)
            for choice in question.choices:
                self.answer(element, choice.fraction, choice.text, choice.feedback)
        elif kind == "truefalse":
            feedback = {choice.text.lower(): choice.feedback for choice in question.choices}
            for word, right in (("true", bool(question.truth)), ("false", not question.truth)):
                self.answer(element, 1.0 if right else 0.0, word, feedback.get(word, ""), rich=False)
        elif kind == "short":
            _add(element, "usecase", "1" if settings.get("usecase") else "0")
            for choice in question.choices or [Choice(text, 1.0) for text in question.answers]:
                self.answer(element, choice.fraction, choice.text, choice.feedback, rich=False)
        elif kind == "numeric":
            for answer in question.numeric:
                value = "*" if answer.value is None else format_number(answer.value)
                node = self.answer(element, answer.fraction, value, answer.feedback, rich=False)
                _add(node, "tolerance", format_number(answer.tolerance))
        elif kind == "matching":
            _add(element, "shuffleanswers", "true" if settings.get("shuffle", True) else "false")
            self.combined(element)
            for item, match in question.pairs:
                sub = self.rich(element, "subquestion", item)
                _add_text(sub, "answer", match)
        elif kind == "ordering":
            for tag, default in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                                 ("gradingtype", "ABSOLUTE_POSITION")):
                _add(element, tag, str(settings.get(tag, default)))
            self.combined(element)
            for position, item in enumerate(question.order, 1):
                self.rich(element, "answer", item, fraction=str(position))
        elif kind == "essay":
            defaults = {"responseformat": "editor", "responserequired": "1", "responsefieldlines": "15",
                        "attachments": "0", "attachmentsrequired": "0"}
            for tag in ESSAY_SETTINGS:
                value = settings.get(tag, defaults.get(tag))
                if value is not None:
                    _add(element, tag, str(value))
            self.rich(element, "graderinfo", question.grader_info)
            self.rich(element, "responsetemplate", settings.get("responsetemplate", ""))
