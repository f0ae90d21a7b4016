"""Writing an Excel bank in the template's layout: one row per question, options and their feedback by letter, the
header notes and dropdowns, and the guide sheet; reading the file back gives the same questions."""
from __future__ import annotations

from django.utils.translation import gettext as _

from common.export import cell_set, xlsx_bytes

from ..model import Choice, Question, UnsupportedQuestion, format_decimal, format_percent
from .guide import EXAMPLES, _guide
from .rows import _WEIGHT_SUFFIX_RE
from .spec import (ANY_OTHER, COLUMNS, DIFFICULTY_NAMES, EMPTY_ITEM, FALSE_NAME, FORMAT_NAMES, GUIDE_SHEET, KIND_NAMES,
                   LETTERS, MARK_MAX, MIN_OPTIONS, SHEET, TRUE_NAME, _help, feedback_header, option_header)


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
        texts = [ANY_OTHER if a.value is None else
                 format_decimal(a.value) + (f" ± {format_decimal(a.tolerance)}" if a.tolerance else "")
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
                  "tags": ", ".join(question.tags), "idnumber": question.idnumber,
                  "format": "" if question.format == "plain" else FORMAT_NAMES.get(question.format, "")}
        values.update({f"option {LETTERS[i]}": text for i, text in enumerate(options)})
        values.update({f"feedback {LETTERS[i]}": text for i, text in enumerate(feedback) if text})
        for column, (key, _header, _width) in enumerate(headers, 1):
            cell_set(sheet.cell(number + 1, column), values.get(key, ""))
    _format_rows(sheet, headers, len(rows), rows_to_format)
    _guide(workbook.create_sheet(GUIDE_SHEET), width)
    return xlsx_bytes(workbook)


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


def _write_header(sheet, headers) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    fill = PatternFill("solid", start_color="1F4E79")
    option_fill = PatternFill("solid", start_color="2E75B6")
    side = Side(style="thin", color="BFBFBF")
    for column, (key, header, width) in enumerate(headers, 1):
        cell = sheet.cell(1, column)
        cell_set(cell, header)
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


