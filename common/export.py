"""The one writer of files people download: CSV that Excel opens with Vietnamese intact, .xlsx workbooks, the empty
import templates (headers, dropdowns, a guide sheet). The response that carries a file is `common.views.download`.

No user-typed text ever becomes a formula. In a workbook every text cell is written as text (a name that starts with
"=" stays a name); in CSV, where Excel decides for itself, a text that starts with = + - @ (and is not a plain
number or phone number) gets a leading apostrophe, which Excel shows as text and does not display.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER_RE = re.compile(r"^[+-]?[\d .,]*\d[\d .,]*%?$")  # "-1,5", "+84 912 345 678", "12.5%"
_ILLEGAL_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # control characters a workbook cannot hold


# --- CSV ---------------------------------------------------------------------------------------------------------

def csv_safe(value) -> object:
    """A CSV cell: None as empty, a text Excel would run as a formula made inert with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_START) \
            and not _PLAIN_NUMBER_RE.match(value):
        return "'" + value
    return value


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """A CSV file that Excel opens with Vietnamese intact: UTF-8 with a byte-order mark (without it Excel reads the
    file in the machine's legacy code page)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([csv_safe(v) for v in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


# --- Workbooks ---------------------------------------------------------------------------------------------------

def cell_set(cell, value) -> None:
    """Put a value in a cell; text stays text even when it starts with "=" (never a formula), and characters a
    workbook cannot hold are dropped. An empty text leaves the cell empty."""
    if isinstance(value, str):
        value = _ILLEGAL_RE.sub("", value)
        cell.value = value or None
        if value:
            cell.data_type = "s"
    else:
        cell.value = value


def text_cell(sheet, value, **style):
    """A cell for a write-only sheet (streamed workbooks), written like :func:`cell_set`; `style` sets font etc."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    cell_set(cell, value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def row_append(sheet, values: Iterable) -> None:
    """Append a row to a sheet (ordinary or write-only) with every text written as text."""
    if type(sheet).__name__ == "WriteOnlyWorksheet":
        sheet.append([v if hasattr(v, "data_type") else text_cell(sheet, v) for v in values])
        return
    values = [(_ILLEGAL_RE.sub("", v) or None) if isinstance(v, str) else v for v in values]
    sheet.append(values)
    if values:
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # append reads a leading "=" as a formula


def xlsx_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_table(header: Iterable, rows: Iterable[Iterable], *, title: str) -> bytes:
    """A one-sheet workbook: a bold header row, then the rows, streamed (a province's list is tens of thousands)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, h, font=bold) for h in header])
    for row in rows:
        row_append(sheet, row)
    return xlsx_bytes(workbook)


# --- Import templates --------------------------------------------------------------------------------------------

def template_csv(columns) -> bytes:
    """An empty CSV template: the header row only."""
    return csv_bytes([c.header for c in columns], [])


def template_workbook(columns, *, title: str, lists: Mapping[str, Iterable[str]] | None = None,
                      guide_title: str = "Hướng dẫn", guide_note: str = "", list_rows: int = 60000):
    """An empty import template for `columns` (common.tabular.Column): the headers on a sheet named `title`, bold on
    a light fill and frozen, a dropdown for each column in `lists` (key → the words it accepts), and a guide sheet
    listing each column, whether it is required and how to fill it in. Returns the openpyxl Workbook, so a caller
    can add sheets (e.g. the unit codes) before :func:`xlsx_bytes`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = tuple(columns)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i)
        cell_set(cell, col.header)
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[cell.column_letter].width = col.width or max(14, len(col.header) + 4)
    sheet.freeze_panes = "A2"
    letters = {c.key: sheet.cell(row=1, column=i).column_letter for i, c in enumerate(columns, start=1)}
    for key, values in (lists or {}).items():
        validation = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        sheet.add_data_validation(validation)
        validation.add(f"{letters[key]}2:{letters[key]}{list_rows}")
    guide = workbook.create_sheet(guide_title)
    row_append(guide, [_("Column"), _("Required"), _("How to fill it in")])
    for cell in guide[1]:
        cell.font = bold
    for col in columns:
        row_append(guide, [col.header, _("Yes") if col.required else "", str(col.help)])
    if guide_note:
        guide.append([])
        row_append(guide, [guide_note])
    guide.column_dimensions["A"].width, guide.column_dimensions["C"].width = 28, 90
    return workbook


def bold_header(sheet, headers: Iterable[str]) -> None:
    """A bold header row on an ordinary sheet (a template's extra sheet, e.g. the unit codes)."""
    from openpyxl.styles import Font

    row_append(sheet, headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
