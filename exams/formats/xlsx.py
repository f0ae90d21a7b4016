"""The Excel question bank (.xlsx): the way Vietnamese trainers keep their banks, one row per question.

The sheet "Câu hỏi" has one header row and one question per row below it:

===================  ==========================================================================================
column               what to write
===================  ==========================================================================================
STT                  a running number (not read)
Chủ đề               the topic path, "Cơ chế một cửa/Thẩm quyền"; "//" is a slash inside a name
Loại câu hỏi         Một đáp án, Nhiều đáp án, Đúng-Sai, Trả lời ngắn, Số, Ghép cặp, Sắp xếp, Tự luận, Mô tả
Mức độ               Dễ, Trung bình, Khó (also 1–3, or Nhận biết / Thông hiểu / Vận dụng); empty: not given
Tên câu hỏi          optional short name or code; the start of the text when empty
Nội dung câu hỏi     the question
Phương án A, B, …    choices; matching "vế trái = vế phải" ("... = X" adds a wrong match); ordering: the
                     items in the right order
Đáp án đúng          choices: "B", "A, C" (the right ones share 100%), weights "A (50%); D (-100%)";
                     Đúng-Sai: Đúng or Sai; short answers: accepted texts separated by ";", "phối hợp (50%)";
                     numeric: "3,5 ± 0,1", several separated by ";"; essays: a model answer (kept for graders)
Điểm                 default mark (1 when empty)
Phản hồi chung       general feedback
Hướng dẫn chấm       essays: rubric notes for graders, never shown to candidates
Thẻ                  tags separated by commas
Phản hồi A, B, …     feedback for picking that option (short and numeric: for the 1st, 2nd, … answer)
===================  ==========================================================================================

Headers are matched without regard to case and diacritics ("noi dung cau hoi" works), a few common variants are
accepted, unknown columns are ignored, and the header row may sit below a title (within the first ten rows). The
headers and type names are the file's vocabulary and stay Vietnamese; the guide sheet is translated.

Numbers follow Vietnamese usage: a decimal comma, dots for thousands; Excel number cells are read as numbers.
The whole sheet is read first; every problem is reported with its row and column, and nothing is returned if
there is any. The writer writes the same layout, so a written file reads back as the same questions.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _

from common.text import fold

from .model import (Choice, FormatError, NumericAnswer, ParseError, Question, UnsupportedQuestion, default_name,
                    format_decimal, format_percent, parse_decimal)

logger = logging.getLogger(__name__)

SHEET = "Câu hỏi"
GUIDE_SHEET = "Hướng dẫn"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MIN_OPTIONS = 6  # columns A–F are always written; more when a question needs them
HEADER_SEARCH_ROWS = 10
MAX_QUESTIONS = 20000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_BLANK_RUN = 2000  # a sheet formatted far below its last question is not read to row 1,048,576
NAME_MAX, TAG_MAX, MARK_MAX = 255, 100, 9999.99

KIND_NAMES = {"single": "Một đáp án", "multiple": "Nhiều đáp án", "truefalse": "Đúng-Sai",
              "short": "Trả lời ngắn", "numeric": "Số", "matching": "Ghép cặp", "ordering": "Sắp xếp",
              "essay": "Tự luận", "description": "Mô tả"}
DIFFICULTY_NAMES = {1: "Dễ", 2: "Trung bình", 3: "Khó"}
TRUE_NAME, FALSE_NAME = "Đúng", "Sai"
EMPTY_ITEM = "..."  # the left side of a wrong match: a cell starting with "=" would be a formula in Excel


def _key(text: str) -> str:
    """Header and word matching: no case, no diacritics, dashes and slashes as spaces."""
    return " ".join(re.sub(r"[-–/_.:*()]", " ", fold(text)).split())


_KIND_WORDS = {
    **{_key(name): kind for kind, name in KIND_NAMES.items()},
    **{kind: kind for kind in KIND_NAMES},
    "1 dap an": "single", "trac nghiem": "single", "trac nghiem 1 dap an": "single",
    "trac nghiem mot dap an": "single", "chon mot": "single", "single choice": "single",
    "trac nghiem nhieu dap an": "multiple", "chon nhieu": "multiple", "multiple response": "multiple",
    "multiple choice": "multiple", "dung sai": "truefalse", "d s": "truefalse", "true false": "truefalse",
    "dien khuyet": "short", "dien tu": "short", "short answer": "short", "tra loi so": "numeric",
    "dang so": "numeric", "numeric": "numeric", "numerical": "numeric", "ghep noi": "matching",
    "noi cot": "matching", "sap xep thu tu": "ordering", "essay": "essay", "mo ta": "description",
    "doan mo ta": "description", "thong tin": "description",
}
_DIFFICULTY_WORDS = {
    "de": 1, "1": 1, "easy": 1, "nhan biet": 1,
    "trung binh": 2, "tb": 2, "2": 2, "medium": 2, "thong hieu": 2,
    "kho": 3, "3": 3, "hard": 3, "van dung": 3, "van dung cao": 3,
}
_TRUE_WORDS = {"dung", "d", "true", "t", "x", "co", "1"}
_FALSE_WORDS = {"sai", "s", "false", "f", "khong", "0"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("no", "STT", 6, ("so thu tu", "tt")),
    Column("category", "Chủ đề", 26, ("danh muc", "chuyen de")),
    Column("kind", "Loại câu hỏi", 16, ("loai", "dang cau hoi", "kieu cau hoi")),
    Column("difficulty", "Mức độ", 13, ("do kho", "muc do kho")),
    Column("name", "Tên câu hỏi", 22, ("ma cau hoi", "ten")),
    Column("text", "Nội dung câu hỏi", 60, ("cau hoi", "noi dung")),
    # Phương án A, B, … come here
    Column("answer", "Đáp án đúng", 18, ("dap an",)),
    Column("mark", "Điểm", 8, ("diem so", "diem mac dinh")),
    Column("feedback", "Phản hồi chung", 36, ("giai thich", "phan hoi")),
    Column("grader_info", "Hướng dẫn chấm", 36, ("huong dan cham diem", "barem")),
    Column("tags", "Thẻ", 18, ("the", "tu khoa")),
    # Phản hồi A, B, … come last: most banks leave them empty
)
_BY_KEY = {c.key: c for c in COLUMNS}
_HEADER_WORDS = {alias: c.key for c in COLUMNS for alias in (_key(c.header), *c.aliases)}
_OPTION_HEADER_RE = re.compile(r"^(?:phuong an|lua chon|dap an) ([a-z])$")
_OPTION_FEEDBACK_RE = re.compile(r"^phan hoi (?:phuong an |dap an )?([a-z])$")


def option_header(letter: str) -> str:
    return f"Phương án {letter}"


def feedback_header(letter: str) -> str:
    return f"Phản hồi {letter}"


# --- Reading -----------------------------------------------------------------------------------------------------

def parse_xlsx(data: bytes) -> list[Question]:
    """Read an Excel bank; raise :class:`ParseError` listing every problem (row and column) if there is any."""
    import zipfile

    import openpyxl

    not_a_workbook = ParseError([FormatError(0, _("the file is not an Excel workbook (.xlsx); open it in Excel and "
                                                  "save it as “Excel Workbook (.xlsx)”"))])
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_a_workbook
    if unpacked > MAX_UNPACKED_BYTES:  # a small file that unpacks to gigabytes is refused before it is read
        raise ParseError([FormatError(0, _("the workbook is too large; split the bank into several files"))])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it skips (e.g. data validation)
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file makes openpyxl raise many kinds of error
        raise not_a_workbook
    try:
        return _parse_workbook(workbook)
    except ParseError:
        raise
    except Exception:  # read-only mode parses each sheet while it is read: damage shows up only now
        logger.warning("Unreadable workbook in a question-bank import", exc_info=True)
        raise ParseError([FormatError(0, _("the workbook could not be read to the end; open it in Excel, save it "
                                           "again as “Excel Workbook (.xlsx)” and import that file"))])
    finally:
        workbook.close()


def _parse_workbook(workbook) -> list[Question]:
    sheets = sorted(workbook.worksheets, key=lambda ws: _key(ws.title) != _key(SHEET))
    for sheet in sheets:
        sheet.reset_dimensions()  # some programs write a wrong used range; read what is there
        rows = enumerate(sheet.iter_rows(values_only=True), 1)
        for number, values in rows:
            if number > HEADER_SEARCH_ROWS:
                break
            headers = [_cell_text(v) for v in values]
            keys = {_HEADER_WORDS.get(_key(h)) for h in headers}
            if "text" in keys and "kind" in keys:
                return _read_table(number, headers, rows)
    raise ParseError([FormatError(0, _("no sheet has the template's header row (with the columns “%(kind)s” and "
                                       "“%(text)s”); download the Excel template and copy the questions into it") % {
        "kind": _BY_KEY["kind"].header, "text": _BY_KEY["text"].header})])


@dataclass
class _Layout:
    columns: dict[str, tuple[int, str]]  # key → (index, header as written)
    options: list[tuple[str, int, str]]  # (letter, index, header) in letter order
    feedback: dict[str, tuple[int, str]]  # letter → (index, header)


def _layout(row: int, headers: list[str]) -> _Layout:
    layout, errors = _Layout({}, [], {}), []
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = _key(header)
        if not key:
            continue
        option, feedback = _OPTION_HEADER_RE.match(key), _OPTION_FEEDBACK_RE.match(key)
        slot = (f"option {option.group(1)}" if option else f"feedback {feedback.group(1)}" if feedback
                else _HEADER_WORDS.get(key))
        if slot is None:
            continue  # a column of the trainer's own, e.g. notes
        if slot in seen:
            errors.append(FormatError(row, _("this column appears twice (also “%(other)s”)") % {
                "other": seen[slot]}, header))
            continue
        seen[slot] = header
        if option:
            layout.options.append((option.group(1).upper(), index, header))
        elif feedback:
            layout.feedback[feedback.group(1).upper()] = (index, header)
        else:
            layout.columns[slot] = (index, header)
    if errors:
        raise ParseError(errors)
    layout.options.sort()
    return layout


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_decimal(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y" if value.time() == dt.time() else "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _read_table(header_row: int, headers: list[str], rows) -> list[Question]:
    layout = _layout(header_row, headers)
    questions: list[Question] = []
    errors: list[FormatError] = []
    blank_run = 0
    no_index = layout.columns.get("no", (-1, ""))[0]
    for number, values in rows:
        cells = [_cell_text(v) for v in values]
        if not any(text for index, text in enumerate(cells) if index != no_index):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if len(questions) + 1 > MAX_QUESTIONS:
            errors.append(FormatError(number, _("a file may hold at most %(n)s questions; split it into several "
                                                "files") % {"n": MAX_QUESTIONS}))
            break
        reader = _RowReader(number, layout, cells)
        question = reader.read()
        errors.extend(reader.errors)
        if question is not None:
            questions.append(question)
    if errors:
        raise ParseError(errors)
    if not questions:
        raise ParseError([FormatError(header_row, _("there is no question below the header row"))])
    return questions


# One letter of "Đáp án đúng" ("B", "B.", "A (50%)", "D: -100%") and what separates it from the next.
_CHOICE_TOKEN_RE = re.compile(
    r"\s*([A-Za-z])(?![^\W\d_])[.)]?\s*"
    r"(?:\(\s*([+-]?\d+(?:[.,]\d+)*)\s*%?\s*\)|[:=]\s*([+-]?\d+(?:[.,]\d+)*)\s*%?|([+-]?\d+(?:[.,]\d+)*)\s*%?)?"
    r"(?:\s*[,;]|\s+|\s*$)")
_WEIGHT_SUFFIX_RE = re.compile(r"^(.*?)\s*\(\s*([+-]?\d+(?:[.,]\d+)*)\s*%\s*\)$", re.S)
_PLUS_MINUS_RE = re.compile(r"±|\+/-|\+-")


class _RowReader:
    def __init__(self, row: int, layout: _Layout, cells: list[str]):
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


# --- Writing -----------------------------------------------------------------------------------------------------

def _percent_text(fraction: float) -> str:
    return format_percent(fraction).replace(".", ",") + "%"


def _choice_spec(question: Question) -> str:
    letters = LETTERS[:len(question.choices)]
    fractions = [choice.fraction for choice in question.choices]
    if question.kind == "single":
        if sum(1 for f in fractions if f == 1.0) != 1:
            raise UnsupportedQuestion(question, "Excel")
        parts = [letter if f == 1.0 else f"{letter} ({_percent_text(f)})"
                 for letter, f in zip(letters, fractions) if f != 0]
    else:
        positive = [f for f in fractions if f > 0]
        shared = bool(positive) and all(f == 1.0 / len(positive) for f in positive)  # "A, C": they share 100%
        parts = [letter if f > 0 and shared else f"{letter} ({_percent_text(f)})"
                 for letter, f in zip(letters, fractions) if f != 0]
    return ("; " if any("," in part for part in parts) else ", ").join(parts)


def _weighted(text: str, fraction: float) -> str:
    return text if fraction == 1.0 else f"{text} ({_percent_text(fraction)})"


def _pair_text(question: Question, item: str, match: str) -> str:
    left = item or EMPTY_ITEM
    if "=" not in left and "->" not in left + match and "→" not in left + match:
        return f"{left} = {match}"
    if "->" not in left and "→" not in left:
        return f"{left} -> {match}"
    raise UnsupportedQuestion(question, "Excel")


def _row(question: Question) -> tuple[list[str], list[str], str]:
    """(options, feedback per option, right answer) for one question."""
    kind = question.kind
    if kind in ("single", "multiple"):
        return ([c.text for c in question.choices], [c.feedback for c in question.choices],
                _choice_spec(question))
    if kind == "truefalse":
        feedback = {c.text.lower(): c.feedback for c in question.choices}
        return ([TRUE_NAME, FALSE_NAME], [feedback.get("true", ""), feedback.get("false", "")],
                TRUE_NAME if question.truth else FALSE_NAME)
    if kind == "short":
        choices = question.choices or [Choice(text, 1.0) for text in question.answers]
        if any(";" in c.text or _WEIGHT_SUFFIX_RE.match(c.text) for c in choices):
            raise UnsupportedQuestion(question, "Excel")
        return [], [c.feedback for c in choices], "; ".join(_weighted(c.text, c.fraction) for c in choices)
    if kind == "numeric":
        texts = [format_decimal(a.value) + (f" ± {format_decimal(a.tolerance)}" if a.tolerance else "")
                 for a in question.numeric]
        return ([], [a.feedback for a in question.numeric],
                "; ".join(_weighted(t, a.fraction) for t, a in zip(texts, question.numeric)))
    if kind == "matching":
        return [_pair_text(question, item, match) for item, match in question.pairs], [], ""
    if kind == "ordering":
        return list(question.order), [], ""
    if kind in ("essay", "description"):
        return [], [], ""
    raise UnsupportedQuestion(question, "Excel")


def write_xlsx(questions: list[Question], *, rows_to_format: int = 500) -> bytes:
    """An Excel bank in the template's layout (with the guide sheet); reading it back gives the same questions.
    Rows below the questions keep the dropdowns, so the file can be extended in Excel."""
    import openpyxl

    rows = [(question, *_row(question)) for question in questions]
    width = max([MIN_OPTIONS, *(len(options) for _q, options, _f, _a in rows),
                 *(len(feedback) for _q, _o, feedback, _a in rows)])
    if width > len(LETTERS):
        raise UnsupportedQuestion(next(q for q, o, f, _a in rows if max(len(o), len(f)) > len(LETTERS)), "Excel")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    headers = _headers(width)
    _write_header(sheet, headers)
    for number, (question, options, feedback, answer) in enumerate(rows, 1):
        values = {"no": number, "category": question.category, "kind": KIND_NAMES[question.kind],
                  "difficulty": DIFFICULTY_NAMES.get(question.difficulty or 0, ""), "name": question.name,
                  "text": question.text, "answer": answer, "mark": _number_cell(question.default_mark),
                  "feedback": question.general_feedback, "grader_info": question.grader_info,
                  "tags": ", ".join(question.tags)}
        values.update({f"option {LETTERS[i]}": text for i, text in enumerate(options)})
        values.update({f"feedback {LETTERS[i]}": text for i, text in enumerate(feedback) if text})
        for column, (key, _header, _width) in enumerate(headers, 1):
            _set(sheet.cell(number + 1, column), values.get(key, ""))
    _format_rows(sheet, headers, len(rows), rows_to_format)
    _guide(workbook.create_sheet(GUIDE_SHEET), width)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_template() -> bytes:
    """The empty bank template trainers download: the guide sheet and three example rows to overwrite."""
    return write_xlsx(EXAMPLES, rows_to_format=1000)


def _headers(width: int) -> list[tuple[str, str, int]]:
    """(key, header, width) for every column, options and their feedback in place."""
    out = []
    for column in COLUMNS:
        if column.key == "answer":
            out += [(f"option {LETTERS[i]}", option_header(LETTERS[i]), 28) for i in range(width)]
        out.append((column.key, column.header, column.width))
    out += [(f"feedback {LETTERS[i]}", feedback_header(LETTERS[i]), 24) for i in range(width)]
    return out


def _number_cell(value: float) -> float | int:
    return int(value) if value == int(value) else value


_ILLEGAL_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _set(cell, value) -> None:
    if isinstance(value, str):
        value = _ILLEGAL_RE.sub("", value)
        cell.value = value or None
        if value:
            cell.data_type = "s"  # text, even when it starts with "=": never a formula
    else:
        cell.value = value


def _help(key: str) -> str:
    """The note on a header cell."""
    kinds = ", ".join(KIND_NAMES.values())
    notes = {
        "no": _("Running number; not read."),
        "category": _("Topic path under the topic you import into, e.g. “Cơ chế một cửa/Thẩm quyền”. Empty: the "
                      "topic itself."),
        "kind": _("One of: %(kinds)s.") % {"kinds": kinds},
        "difficulty": _("Dễ, Trung bình or Khó. May be left empty."),
        "name": _("Optional short name or code; the start of the question is used when empty."),
        "text": _("The question as candidates see it. Alt+Enter starts a new line."),
        "answer": _("Letters of the right options (“B”, “A, C”); Đúng or Sai; accepted answers separated by ; ; a "
                    "number such as 3,5 ± 0,1. See the guide sheet."),
        "mark": _("Default mark of the question; 1 when empty."),
        "feedback": _("Shown to candidates after the exam when the review allows it."),
        "grader_info": _("Essays only: what graders look for. Never shown to candidates."),
        "tags": _("Keywords separated by commas."),
    }
    if key.startswith("option "):
        return _("An option. Matching: “left side = right side”. Ordering: the items in the right order.")
    if key.startswith("feedback "):
        return _("Feedback for a candidate who picks this option (short and numeric answers: for the answer in "
                 "this position).")
    return notes.get(key, "")


def _write_header(sheet, headers) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    fill = PatternFill("solid", start_color="1F4E79")
    option_fill = PatternFill("solid", start_color="2E75B6")
    side = Side(style="thin", color="BFBFBF")
    for column, (key, header, width) in enumerate(headers, 1):
        cell = sheet.cell(1, column, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = option_fill if key.startswith(("option ", "feedback ")) else fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(left=side, right=side, top=side, bottom=side)
        note = _help(key)
        if note:
            cell.comment = Comment(note, "CCHC", width=300, height=110)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"


def _format_rows(sheet, headers, filled: int, extra: int) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    last_row = max(filled + 1, extra + 1)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, max_row=filled + 1):
        for cell in row:
            cell.alignment = wrap
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{filled + 1}"
    letter_of = {key: get_column_letter(i) for i, (key, _h, _w) in enumerate(headers, 1)}
    lists = (("kind", KIND_NAMES.values(), _("Question type"), _("Choose a type from the list.")),
             ("difficulty", DIFFICULTY_NAMES.values(), _("Difficulty"), _("Choose Dễ, Trung bình or Khó.")))
    for key, values, title, message in lists:
        # A warning, not a stop: a pasted synonym ("Thông hiểu") is still accepted by the import.
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                    showErrorMessage=True, errorStyle="warning", errorTitle=title, error=message,
                                    promptTitle=title, prompt=message, showInputMessage=True)
        validation.add(f"{letter_of[key]}2:{letter_of[key]}{last_row}")
        sheet.add_data_validation(validation)
    mark = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(MARK_MAX),
                          allow_blank=True, showErrorMessage=True, errorTitle=_("Mark"),
                          error=_("Enter a mark of 0 or more."))
    mark.add(f"{letter_of['mark']}2:{letter_of['mark']}{last_row}")
    sheet.add_data_validation(mark)


def _guide(sheet, width: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    last = LETTERS[width - 1]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    head_fill = PatternFill("solid", start_color="DDEBF7")
    sheet.sheet_properties.tabColor = "2E75B6"
    for letter, size in (("A", 22), ("B", 48), ("C", 36), ("D", 48)):
        sheet.column_dimensions[letter].width = size
    lines: list[tuple[str, ...] | None] = [
        (_("How to fill in the question bank"),),
        (_("Write one question per row of the sheet “%(sheet)s”, below its header row. Keep the header row as it "
           "is; columns you add yourself are ignored. Replace the example rows with your own questions.") % {
            "sheet": SHEET},),
        (_("When you import the file, all of it is checked first: if any row is wrong, nothing is imported and "
           "every problem is listed with its row and column. Fix them and import again."),),
        (_("Numbers use a decimal comma (2,5). Percentages are written like 50% or -100%."),),
        None,
        (_("Column"), _("What to write"), _("Example")),
        ("STT", _help("no"), "1"),
        ("Chủ đề", _("Topic path: sub-topics are created under the topic you import into. Separate levels with "
                     "/; write // for a slash inside a name (e.g. Nghị định 61//2018)."), "Cơ chế một cửa/Thẩm quyền"),
        ("Loại câu hỏi", _help("kind"), KIND_NAMES["single"]),
        ("Mức độ", _help("difficulty"), DIFFICULTY_NAMES[2]),
        ("Tên câu hỏi", _help("name"), "MC-01"),
        ("Nội dung câu hỏi", _help("text"), "Bộ phận Một cửa cấp xã do ai quyết định thành lập?"),
        (f"Phương án A … {last}", _help("option A"), "Chủ tịch UBND cấp xã"),
        ("Đáp án đúng", _("Depends on the type, see the table below."), "A"),
        ("Điểm", _help("mark"), "1"),
        ("Phản hồi chung", _help("feedback"), "Xem Điều 7 Nghị định 61/2018/NĐ-CP."),
        ("Hướng dẫn chấm", _help("grader_info"), "Nêu đủ 4 bước: tiếp nhận, chuyển, giải quyết, trả kết quả."),
        ("Thẻ", _help("tags"), "một cửa, NĐ 61"),
        (f"Phản hồi A … {last}", _help("feedback A"), "Chưa đúng: cấp huyện chỉ lập Bộ phận Một cửa cấp huyện."),
        None,
        (_("Type"), _("Options (Phương án A, B, …)"), _("Right answer (Đáp án đúng)"), _("Example")),
        (KIND_NAMES["single"], _("Two or more options."),
         _("The letter of the right option. Other options may earn part of the mark or lose marks: "
           "“B; C (50%); D (-50%)”."), "B"),
        (KIND_NAMES["multiple"], _("Two or more options."),
         _("The letters of the right options, which share 100% equally; or give each a percentage, wrong ones "
           "negative. The right ones must add up to 100%."), "A, C   —   A (50%); C (50%); D (-100%)"),
        (KIND_NAMES["truefalse"], _("Leave empty (or write Đúng and Sai). Phản hồi A is shown for Đúng, Phản hồi B "
                                    "for Sai."), _("Đúng or Sai."), TRUE_NAME),
        (KIND_NAMES["short"], _("Leave empty."),
         _("The accepted answers separated by ;, each worth 100% unless a percentage follows in brackets. Answers "
           "are compared ignoring case, extra spaces and diacritics."), "liên thông; phối hợp (50%)"),
        (KIND_NAMES["numeric"], _("Leave empty."),
         _("The number, with the tolerance after ± if any; several answers separated by ;."),
         "3,5 ± 0,1   —   60; 60 ± 5 (50%)"),
        (KIND_NAMES["matching"], _("One pair per option: “left side = right side”. “... = right side” adds a wrong "
                                   "match with no left side."), _("Leave empty."),
         "Đăng ký khai sinh = UBND cấp xã"),
        (KIND_NAMES["ordering"], _("The items in the right order; candidates see them shuffled."), _("Leave empty."),
         "Tiếp nhận hồ sơ"),
        (KIND_NAMES["essay"], _("Leave empty."),
         _("Optional model answer; like Hướng dẫn chấm it goes to the graders only."), ""),
        (KIND_NAMES["description"], _("Leave empty."), _("Leave empty. A block of information between questions, "
                                                         "not graded."), ""),
    ]
    for number, line in enumerate(lines, 1):
        if line is None:
            continue
        for column, text in enumerate(line, 1):
            cell = sheet.cell(number, column)
            _set(cell, text)
            cell.alignment = wrap
        if len(line) == 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=4)
            sheet.row_dimensions[number].height = 18 if number == 1 else 32
        elif line[0] in (_("Column"), _("Type")):
            for column in range(1, len(line) + 1):
                sheet.cell(number, column).font = bold
                sheet.cell(number, column).fill = head_fill
    sheet["A1"].font = Font(bold=True, size=14)


EXAMPLES = [
    Question(kind="single", name="MC-01", category="Cơ chế một cửa/Thẩm quyền", difficulty=1,
             text="Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?",
             choices=[Choice("Chủ tịch Ủy ban nhân dân cấp xã", 1.0),
                      Choice("Chủ tịch Ủy ban nhân dân cấp huyện", 0.0,
                             "Chưa đúng: cấp huyện chỉ thành lập Bộ phận Một cửa cấp huyện."),
                      Choice("Giám đốc Sở Nội vụ", 0.0)],
             general_feedback="Xem khoản 3 Điều 7 Nghị định 61/2018/NĐ-CP.", tags=["một cửa", "NĐ 61/2018"]),
    Question(kind="multiple", name="MC-02", category="Cơ chế một cửa/Tiếp nhận hồ sơ", difficulty=2,
             text="Tổ chức, cá nhân có thể nộp hồ sơ thủ tục hành chính bằng những cách nào?",
             choices=[Choice("Trực tiếp tại Bộ phận Một cửa", 0.5),
                      Choice("Qua dịch vụ bưu chính công ích", 0.5),
                      Choice("Qua tin nhắn cá nhân cho cán bộ tiếp nhận", -1.0, "Không được phép.")],
             tags=["một cửa"]),
    Question(kind="essay", name="HT-01", category="Hộ tịch", difficulty=3, default_mark=5.0,
             text="Trình bày các bước tiếp nhận, giải quyết và trả kết quả hồ sơ đăng ký khai tử tại Bộ phận Một "
                  "cửa cấp xã.",
             grader_info="Nêu đủ 4 bước (1 điểm mỗi bước): tiếp nhận, chuyển hồ sơ, giải quyết, trả kết quả; "
                         "1 điểm cho căn cứ pháp lý.", tags=["hộ tịch"]),
]
