"""The one tabular reader: rows of an uploaded .xlsx or .csv file as text, the header row found and its columns
matched to field keys, yes/no words, and every error of every row named by its row number.

Rosters and sign-in sheets (org, lms) read a whole file into a DataFrame with :func:`read_frame`; the question bank
(exams) walks the rows itself with :func:`open_workbook`, :func:`sheet_rows` and :func:`find_header`. Row numbers
are always the spreadsheet's own (the first row is 1), so an error points at the line a person sees in Excel.

Nothing here knows a domain: the columns, the words of a choice and the wording of a refusal are the caller's.
Low-level readers raise :class:`UnreadableFile` with a reason; :func:`read_frame` turns it into a
:class:`TableRefused` with the wording in :data:`REFUSALS`.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import pandas as pd
from openpyxl.utils import get_column_letter
from django.utils.translation import gettext as _, gettext_lazy

from . import legacy_text
from .text import fold, format_number

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a small .xlsx that unpacks to gigabytes is refused before it is read
PROGRESS_EVERY = 1000


# --- Headers and columns -----------------------------------------------------------------------------------------

def header_key(text: str) -> str:
    """Header and word matching: no case, no diacritics, dashes, slashes, stars and brackets as spaces."""
    return " ".join(re.sub(r"[-–/_.:*()]", " ", fold(text)).split())


@dataclass(frozen=True)
class Column:
    """One column a file may have: its field key, the header the template writes, and other headers accepted."""

    key: str
    header: str  # as written in the template (Vietnamese: the file's vocabulary)
    required: bool = False
    help: str = ""
    aliases: tuple[str, ...] = ()
    width: int = 0  # in the written template; 0 for "as wide as the header"

    def names(self) -> set[str]:
        return {header_key(self.header), header_key(self.key), *(header_key(a) for a in self.aliases)}

    def matches(self, raw_header: str) -> bool:
        return header_key(raw_header) in self.names()


def header_columns(headers: Iterable[str], columns: Iterable[Column]) -> dict[str, int]:
    """Field key → index of the first header that names it; headers naming no column are left out."""
    found: dict[str, int] = {}
    columns = tuple(columns)
    for index, raw in enumerate(headers):
        for column in columns:
            if column.key not in found and column.matches(str(raw)):
                found[column.key] = index
                break
    return found


# --- Yes/no and choice words -------------------------------------------------------------------------------------

# Words every file means the same way; a format adds its own (a roster's "c"/"k", a true/false answer's "đúng"/"sai").
YES_WORDS = frozenset({"x", "co", "1", "true"})
NO_WORDS = frozenset({"khong", "0", "false"})


def yes_no(value: str, *, yes: Iterable[str] = YES_WORDS, no: Iterable[str] = NO_WORDS,
           key: Callable[[str], str] = fold) -> bool | None:
    """True or False for a yes/no word (compared folded), None when the word is neither."""
    word = key(value)
    if word in yes:
        return True
    if word in no:
        return False
    return None


# --- Errors ------------------------------------------------------------------------------------------------------

@dataclass
class RowError:
    """One problem of a file, named by the row the spreadsheet shows (0: the whole file) and the column's header."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % self.as_dict()
        if self.row:
            return _("Row %(row)s: %(message)s") % self.as_dict()
        return self.message


class TableRefused(Exception):
    """The file was refused; nothing was written. ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


class UnreadableFile(Exception):
    """The file cannot be read as a table at all; ``reason`` is one of the constants below, ``row`` the line."""

    NOT_A_WORKBOOK = "not_a_workbook"
    TOO_LARGE = "too_large"
    DAMAGED = "damaged"
    NOT_UTF8 = "not_utf8"
    RAGGED = "ragged"
    UNSUPPORTED = "unsupported"
    LEGACY_AMBIGUOUS = "legacy_ambiguous"

    def __init__(self, reason: str, row: int = 0):
        super().__init__(reason)
        self.reason, self.row = reason, row


REFUSALS = {
    UnreadableFile.NOT_A_WORKBOOK: gettext_lazy("The file cannot be read as an Excel (.xlsx) workbook."),
    UnreadableFile.TOO_LARGE: gettext_lazy("The file cannot be read as an Excel (.xlsx) workbook."),
    UnreadableFile.DAMAGED: gettext_lazy("The file cannot be read as an Excel (.xlsx) workbook."),
    UnreadableFile.NOT_UTF8: gettext_lazy(
        "the file is not UTF-8 encoded (an invalid byte was found on this line). In Excel choose "
        "“Save as” → “CSV UTF-8 (Comma delimited)”, or upload the .xlsx file instead."),
    UnreadableFile.RAGGED: gettext_lazy("the line has a different number of columns from the header."),
    UnreadableFile.UNSUPPORTED: gettext_lazy("Only .xlsx and .csv files can be imported."),
    UnreadableFile.LEGACY_AMBIGUOUS: gettext_lazy(
        "The text of the file is in an old Vietnamese font encoding (TCVN3 or VNI) that cannot be told apart with "
        "certainty. Convert it to Unicode first: copy the cells, open UniKey's tools (“Công cụ…”, Ctrl+Shift+F6), "
        "choose the source encoding (TCVN3 or VNI Windows) and Unicode as the destination, press “Chuyển mã”, paste "
        "the cells back, set a Unicode font such as Times New Roman, save and upload the file again."),
}

# Shown to the importer when a file was converted (the import goes on); the first example is named.
LEGACY_NAMES = {legacy_text.TCVN3: "TCVN3 (ABC)", legacy_text.VNI: "VNI Windows"}


# --- Reading cells and rows --------------------------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as the text a person reads in it: numbers with a decimal comma, dates dd/mm/yyyy, no outer spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y" if value.time() == dt.time() else "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with its mark; otherwise refused with the line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(UnreadableFile.NOT_UTF8, data[: exc.start].count(b"\n") + 1)


CP1258, WINDOWS_BYTES = "cp1258", "windows"


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and what it was: "" (UTF-8 or UTF-16), CP1258 (Windows-1258, Excel's CSV on a
    Vietnamese Windows, tone marks composed) or WINDOWS_BYTES (another 8-bit file, read as Windows shows it: the
    cells are then judged for TCVN3 or VNI by :func:`read_frame`)."""
    try:
        return decode_text(data), ""
    except UnreadableFile:
        text = legacy_text.decode_legacy_csv(data)
        if text is not None:
            return text, CP1258
        return legacy_text.decode_windows_bytes(data), WINDOWS_BYTES


def _text_rows(text: str, *, check_width: bool = True) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV text; the delimiter (, ; or tab) is the one a line of the first ten has most of (a title
    line above the header has none). With `check_width`, a record longer than the first is refused."""
    lines = text.split("\n", 10)[:10]
    delimiter = max([",", ";", "\t"], key=lambda d: max(line.count(d) for line in lines))
    width, number = None, 0
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if width is None:
                width = len(record)
            elif check_width and len(record) > width:
                raise UnreadableFile(UnreadableFile.RAGGED, number)
            yield number, [cell.strip() for cell in record]
    except csv.Error:  # e.g. a NUL byte or an endless quoted cell: the record after the last good one is at fault
        raise UnreadableFile(UnreadableFile.RAGGED, number + 1)


def csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV file (delimiter , ; or tab, whichever the first line has most of), numbered from 1.
    A record longer than the header is refused: its cells would land under the wrong headers."""
    return _text_rows(decode_text(data))


def open_workbook(data: bytes):
    """An .xlsx workbook opened read-only with cached values; the caller closes it."""
    import openpyxl

    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile(UnreadableFile.NOT_A_WORKBOOK)
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFile(UnreadableFile.TOO_LARGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it skips (e.g. data validation)
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file makes openpyxl raise many kinds of error
        raise UnreadableFile(UnreadableFile.NOT_A_WORKBOOK)


def workbook_sheets(workbook, *, preferred: str = "") -> list:
    """The sheets in workbook order, the one titled `preferred` (compared as a header) first."""
    if not preferred:
        return list(workbook.worksheets)
    return sorted(workbook.worksheets, key=lambda ws: header_key(ws.title) != header_key(preferred))


def sheet_rows(sheet) -> Iterator[tuple[int, list[str]]]:
    """The rows of a read-only sheet as text, numbered as Excel shows them. Read-only mode parses the sheet while
    it is read, so damage found on the way is raised as :class:`UnreadableFile` (DAMAGED)."""
    sheet.reset_dimensions()  # some programs write a wrong used range; read what is there
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [cell_text(v) for v in values]
    except UnreadableFile:
        raise
    except Exception:
        raise UnreadableFile(UnreadableFile.DAMAGED)


def find_header(rows: Iterator[tuple[int, list[str]]], is_header: Callable[[list[str]], bool], *,
                search_rows: int = 10) -> tuple[int, list[str]] | None:
    """The first row among the first `search_rows` that `is_header` accepts, as (row number, cells); the rows
    below it are left in `rows` for the caller. None when there is none."""
    for number, cells in rows:
        if number > search_rows:
            return None
        if is_header(cells):
            return number, cells
    return None


def has_required(columns: Iterable[Column]) -> Callable[[list[str]], bool]:
    """A header test: the row names every required column."""
    required = [c for c in columns if c.required]
    return lambda cells: all(any(c.matches(cell) for cell in cells) for c in required)


# --- Whole files into DataFrames ---------------------------------------------------------------------------------

def _unique(headers: list[str]) -> list[str]:
    """Column names as pandas gives them: empty ones "Unnamed: i", repeated ones "name.1", "name.2"."""
    seen: dict[str, int] = {}
    out = []
    for index, header in enumerate(headers):
        name = header or f"Unnamed: {index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _frame(headers: list[str], rows: Iterable[tuple[int, list[str]]]) -> pd.DataFrame:
    """The rows below the header as a DataFrame indexed by row number; rows with nothing in them left out."""
    numbers, records = [], []
    width = len(headers)
    for number, cells in rows:
        if not any(cells):
            continue
        width = max(width, len(cells))
        numbers.append(number)
        records.append(cells)
    headers = _unique(headers + [""] * (width - len(headers)))
    records = [cells + [""] * (width - len(cells)) for cells in records]
    frame = pd.DataFrame(records, columns=headers, index=numbers, dtype=object)
    return frame if len(frame) else pd.DataFrame(columns=headers, dtype=object)


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")
_ROW_HIDDEN = re.compile(rb"\bhidden=\"(?:1|true)\"")


def hidden_rows(data: bytes, sheet) -> set[int]:
    """The numbers of the rows of a read-only sheet that Excel hides (hidden by hand or filtered out). Read-only
    mode does not load row properties, so the sheet's XML is scanned for them."""
    path = getattr(sheet, "_worksheet_path", "")
    try:
        xml = zipfile.ZipFile(io.BytesIO(data)).read(path.lstrip("/"))
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return set()
    if b"hidden=" not in xml:
        return set()
    hidden, number = set(), 0
    for match in _ROW_TAG.finditer(xml):
        attrs = match.group(1)
        given = _ROW_NUMBER.search(attrs)
        number = int(given.group(1)) if given else number + 1
        if _ROW_HIDDEN.search(attrs):
            hidden.add(number)
    return hidden


_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
_COL_MIN = re.compile(rb"\bmin=\"(\d+)\"")
_COL_MAX = re.compile(rb"\bmax=\"(\d+)\"")


def hidden_columns(data: bytes, sheet) -> set[int]:
    """The 1-based numbers of the columns of a read-only sheet that Excel hides (its <cols> in the sheet's XML)."""
    path = getattr(sheet, "_worksheet_path", "")
    try:
        xml = zipfile.ZipFile(io.BytesIO(data)).read(path.lstrip("/"))
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return set()
    hidden: set[int] = set()
    for match in _COL_TAG.finditer(xml.split(b"<sheetData", 1)[0]):
        attrs = match.group(1)
        low, high = _COL_MIN.search(attrs), _COL_MAX.search(attrs)
        if low and high and _ROW_HIDDEN.search(attrs):
            hidden.update(range(int(low.group(1)), min(int(high.group(1)), 16384) + 1))
    return hidden


def normal_text(value: str) -> str:
    """A cell as stored: NFC, one space between words, no outer spaces, no zero-width characters. A name re-saved
    by another program (in NFD, or with a non-breaking space) reads the same as before."""
    if value.isascii():
        return " ".join(value.split())
    value = unicodedata.normalize("NFC", value.replace("\u200b", "").replace("\ufeff", ""))
    return " ".join(value.split())


def _header_index(rows: list[tuple[int, list[str]]], columns: tuple[Column, ...], search_rows: int) -> int:
    """Index in `rows` of the header: among the first `search_rows` rows, the first naming every required column,
    else the one naming most of `columns`; with no column named (or none given), the first row with any text."""
    first_text = next((i for i, (_n, cells) in enumerate(rows) if any(cells)), 0)
    if not columns:
        return first_text
    candidates = [(i, cells) for i, (number, cells) in enumerate(rows) if number <= search_rows]
    complete = has_required(columns)
    if any(c.required for c in columns):
        for i, cells in candidates:
            if any(cells) and complete(cells):
                return i
    best, best_count = first_text, 0
    for i, cells in candidates:
        count = len(header_columns(cells, columns))
        if count > best_count:
            best, best_count = i, count
    return best


def _convert_legacy(rows: list[tuple[int, list[str]]], refusals: dict) -> tuple[str | None, list[str], list]:
    """Convert the TCVN3 or VNI cells of `rows` in place; returns the encoding found, the warning to show and the
    first converted cells below the header as (row, column, as written, as converted), for a preview.
    Raises :class:`TableRefused` when the encoding is ambiguous or some cells cannot be converted."""
    verdict = legacy_text.detect(((i, j), cell) for i, (_n, cells) in enumerate(rows) for j, cell in enumerate(cells)
                                 if cell)
    if verdict.ambiguous:
        raise TableRefused([RowError(0, "", str(refusals[UnreadableFile.LEGACY_AMBIGUOUS]))])
    if verdict.encoding is None:
        return None, [], []
    name = LEGACY_NAMES[verdict.encoding]
    if verdict.unconverted:
        raise TableRefused([RowError(rows[i][0], "", _(
            "the file uses the %(encoding)s font encoding, but the text “%(text)s” in column %(column)s could not be "
            "converted to Unicode. Convert the whole file with UniKey (“Chuyển mã”, from %(encoding)s to Unicode) "
            "and upload it again.") % {"encoding": name, "text": rows[i][1][j], "column": get_column_letter(j + 1)})
            for i, j in sorted(verdict.unconverted)])
    ordered = sorted(verdict.converted.items())
    below_first = [item for item in ordered if item[0][0] != ordered[0][0][0]]  # a name rather than the header
    (first_i, first_j), first = (below_first or ordered)[0]
    example = rows[first_i][1][first_j]
    samples = [(rows[i][0], get_column_letter(j + 1), rows[i][1][j], text) for (i, j), text in below_first[:30]]
    for (i, j), text in verdict.converted.items():
        rows[i][1][j] = text
    return verdict.encoding, [_(
        "The file uses the %(encoding)s font encoding; %(count)s cells were converted to Unicode (for example "
        "“%(before)s” became “%(after)s”). Check the names before using them.") % {
        "encoding": name, "count": len(verdict.converted), "before": example, "after": first}], samples


def read_frame(data: bytes, filename: str, *, columns: Iterable[Column] = (), search_rows: int = 10,
               refusals: dict | None = None) -> pd.DataFrame:
    """An .xlsx (first sheet) or .csv file as a DataFrame of stripped strings, indexed by the spreadsheet's row
    numbers, empty rows left out.

    - The header row is found among the first `search_rows` rows (a title above it is skipped): the first naming
      every required one of `columns`, else the one naming most of them. ``frame.attrs["header_row"]`` is its row
      number, where :func:`map_columns` reports a missing column.
    - Text in an old Vietnamese font encoding (TCVN3, VNI) is converted to Unicode, and a Windows-1258 CSV decoded;
      ``frame.attrs["warnings"]`` says so, for the importer to show. Every cell is NFC with single spaces.
    - Rows hidden in Excel (by hand or by a filter) are refused with their numbers: the person did not see them.
    Raises :class:`TableRefused` (wording from `refusals`, else :data:`REFUSALS`) for a file that cannot be read."""
    refusals = {**REFUSALS, **(refusals or {})}
    columns = tuple(columns)
    name = filename.lower()
    workbook = None
    hidden: set[int] = set()
    hidden_cols: set[int] = set()
    source = ""
    try:
        if name.endswith(".xlsx"):
            workbook = open_workbook(data)
            sheet = workbook.worksheets[0]
            rows = list(sheet_rows(sheet))  # read it all now: damage is found before any row is judged
            hidden = hidden_rows(data, sheet)
            hidden_cols = hidden_columns(data, sheet)
        elif name.endswith((".csv", ".txt")):
            text, source = decode_csv(data)
            rows = list(_text_rows(text, check_width=False))  # checked against the header, once found
        else:
            raise UnreadableFile(UnreadableFile.UNSUPPORTED)
    except UnreadableFile as exc:
        raise TableRefused([RowError(exc.row, "", str(refusals[exc.reason]))])
    finally:
        if workbook is not None:
            workbook.close()
    if not rows:
        return pd.DataFrame()
    encoding, warnings_, samples = _convert_legacy(rows, refusals)
    if source == WINDOWS_BYTES and encoding is None:  # neither UTF-8, nor Windows-1258, nor TCVN3 or VNI
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TableRefused([RowError(data[: exc.start].count(b"\n") + 1, "",
                                         str(refusals[UnreadableFile.NOT_UTF8]))])
    if source == CP1258:
        warnings_.insert(0, _("The CSV file is in the Windows-1258 encoding; it was read as Unicode."))
    rows = [(number, [normal_text(cell) for cell in cells]) for number, cells in rows]
    header_at = _header_index(rows, columns, search_rows)
    (header_row, headers), below = rows[header_at], rows[header_at + 1:]
    if name.endswith((".csv", ".txt")):  # a record longer than the header: its cells would land under wrong headers
        ragged = next((n for n, cells in below if len(cells) > len(headers) and any(cells[len(headers):])), None)
        if ragged is not None:
            raise TableRefused([RowError(ragged, "", str(refusals[UnreadableFile.RAGGED]))])
    frame = _frame(headers, below)
    shown_hidden = sorted(hidden & ({header_row} | set(frame.index)))
    if shown_hidden:
        raise TableRefused([RowError(n, "", _(
            "this row is hidden in the workbook (hidden or filtered out in Excel), so it would be imported without "
            "being seen. Show it and check it, or delete it, then upload the file again.")) for n in shown_hidden])
    # A hidden column the import reads, with values in it: they would be imported without being seen.
    read = set(header_columns(headers, columns).values()) if columns else set()
    unseen = [j for j in sorted(read) if j + 1 in hidden_cols and any(len(cells) > j and cells[j] for _n, cells in below)]
    if unseen:
        raise TableRefused([RowError(header_row, headers[j], _(
            "column %(letter)s is hidden in the workbook, so its values would be imported without being seen. Show "
            "it and check it (or delete it), then upload the file again.") % {"letter": get_column_letter(j + 1)})
            for j in unseen])
    frame.attrs["header_row"] = header_row
    frame.attrs["warnings"] = warnings_
    frame.attrs["legacy_encoding"] = LEGACY_NAMES.get(encoding) if encoding else None
    # (row, column, as written, as converted) for the first converted cells below the header: the preview.
    frame.attrs["legacy_samples"] = [list(sample) for sample in samples]
    return frame


def map_columns(frame: pd.DataFrame, columns: Iterable[Column]) -> tuple[pd.DataFrame, list[RowError]]:
    """Rename the file's headers to field keys (a column absent from the file comes back empty) and report the
    required columns that are missing, against the header row (see :func:`read_frame`)."""
    columns = tuple(columns)
    found = header_columns([str(c) for c in frame.columns], columns)
    header_row = frame.attrs.get("header_row", 1)
    errors = [RowError(header_row, c.header, _("this required column is missing from the header row."))
              for c in columns if c.required and c.key not in found]
    out = pd.DataFrame({c.key: frame.iloc[:, found[c.key]] if c.key in found else "" for c in columns},
                       index=frame.index, columns=[c.key for c in columns])
    return out, errors


@dataclass
class ParsedRows:
    """Rows whose every cell was understood, as (row number, values by key), and the errors of the others."""

    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_rows(frame: pd.DataFrame, columns: Iterable[Column], parsers: dict[str, Callable[[str], object]],
               progress: Callable[[int], None] = lambda n: None) -> ParsedRows:
    """Run each cell through its column's parser (which raises ValueError with the message for a bad value) and
    collect every error of every row; required cells must not be empty."""
    columns = tuple(columns)
    headers = {c.key: c.header for c in columns}
    required = {c.key for c in columns if c.required}
    out = ParsedRows()
    for i, (row_no, record) in enumerate(zip(frame.index, frame.to_dict("records"))):
        parsed, ok = {}, True
        for key, raw in record.items():
            if key in required and not raw:
                out.errors.append(RowError(row_no, headers[key], _("this field is required.")))
                ok = False
                continue
            try:
                parsed[key] = parsers[key](raw)
            except ValueError as exc:
                out.errors.append(RowError(row_no, headers[key], str(exc)))
                ok = False
        if ok:
            out.rows.append((row_no, parsed))
        if i % PROGRESS_EVERY == 0:
            progress(i)
    return out
