"""Reading an Excel bank: find the sheet and its header row, map the columns (options and their feedback by letter),
then read every row with :class:`~.rows.RowReader`, collecting every error before refusing the file."""
from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from common.tabular import UnreadableFile, find_header, open_workbook, sheet_rows, workbook_sheets

from ..model import FormatError, ParseError, Question
from .rows import Layout, RowReader
from .spec import (_BY_KEY, _HEADER_WORDS, _OPTION_FEEDBACK_RE, _OPTION_HEADER_RE, HEADER_SEARCH_ROWS, MAX_BLANK_RUN,
                   MAX_QUESTIONS, SHEET, _key)

logger = logging.getLogger("exams.formats.xlsx")


def parse_xlsx(data: bytes) -> list[Question]:
    """Read an Excel bank; raise :class:`ParseError` listing every problem (row and column) if there is any."""
    try:
        workbook = open_workbook(data)
    except UnreadableFile as exc:
        if exc.reason == UnreadableFile.TOO_LARGE:
            raise ParseError([FormatError(0, _("the workbook is too large; split the bank into several files"))])
        raise ParseError([FormatError(0, _("the file is not an Excel workbook (.xlsx); open it in Excel and save it "
                                           "as “Excel Workbook (.xlsx)”"))])
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


def _is_header(cells: list[str]) -> bool:
    keys = {_HEADER_WORDS.get(_key(h)) for h in cells}
    return "text" in keys and "kind" in keys


def _parse_workbook(workbook) -> list[Question]:
    for sheet in workbook_sheets(workbook, preferred=SHEET):
        rows = sheet_rows(sheet)
        found = find_header(rows, _is_header, search_rows=HEADER_SEARCH_ROWS)
        if found is not None:
            return _read_table(*found, rows)
    raise ParseError([FormatError(0, _("no sheet has the template's header row (with the columns “%(kind)s” and "
                                       "“%(text)s”); download the Excel template and copy the questions into it") % {
        "kind": _BY_KEY["kind"].header, "text": _BY_KEY["text"].header})])


def _layout(row: int, headers: list[str]) -> Layout:
    layout, errors = Layout({}, [], {}), []
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


def _read_table(header_row: int, headers: list[str], rows) -> list[Question]:
    layout = _layout(header_row, headers)
    questions: list[Question] = []
    errors: list[FormatError] = []
    blank_run = 0
    no_index = layout.columns.get("no", (-1, ""))[0]
    for number, cells in rows:
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
        reader = RowReader(number, layout, cells)
        question = reader.read()
        errors.extend(reader.errors)
        if question is not None:
            questions.append(question)
    if errors:
        raise ParseError(errors)
    if not questions:
        raise ParseError([FormatError(header_row, _("there is no question below the header row"))])
    return questions


