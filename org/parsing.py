"""Roster and unit-tree files (Excel .xlsx and CSV) turned into validated rows, or into every error they hold.

Every row is checked against the file itself and the database before anything is written; each error names its
row (as the spreadsheet numbers it: the header is row 1) and its column by the Vietnamese header. An employee code
names one person: a row whose code belongs to someone with another identity (folded name, date of birth) is an
error, never an update (`same_person`). Nothing here writes: `org.services` (roster_apply, units_apply,
import_job_run) writes the rows in one transaction, all or nothing. Reading the file itself is `common.tabular`'s;
the columns and words are the roster's.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from typing import Callable

import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from common.tabular import (NO_WORDS, YES_WORDS, Column, ParsedRows, RowError, TableRefused, header_columns,
                            map_columns, parse_rows, read_frame, yes_no)
from common.text import fold

from .models import Category, Official, OfficialStatus, Transfer, Unit, UnitKind, User
from .selectors import Scope

__all__ = ["BLANK_WORD", "CATEGORY_WORDS", "Column", "EMPTY_FILE", "KEPT", "OFFICIAL_FIELDS", "ImportRefused", "MAX_ERRORS_KEPT", "ParsedRows", "ROSTER_COLUMNS",
           "RowError", "STATUS_WORDS", "Scope", "UNIT_COLUMNS", "UNIT_KIND_WORDS", "map_columns", "parse_code",
           "parse_date", "parse_email", "parse_flag", "parse_phone", "read_table", "roster_validate",
           "same_person", "units_validate"]

MAX_ERRORS_KEPT = 500


ImportRefused = TableRefused  # the roster's name for a refused file; nothing was written


ROSTER_COLUMNS = (
    Column("employee_code", "Mã cán bộ", True, gettext_lazy("Unique code of the person, e.g. BH-00123; as Text so that leading zeros stay."),
           ("ma nhan vien", "ma cbccvc", "ma so")),
    Column("full_name", "Họ và tên", True, gettext_lazy("Full name with diacritics."), ("ho ten",)),
    Column("unit_code", "Mã đơn vị", True, gettext_lazy("Code of the unit where the person works (see the Units sheet)."),
           ("ma don vi cong tac",)),
    Column("category", "Phân loại", True, gettext_lazy("Cán bộ, Công chức or Viên chức."), ("loai", "doi tuong")),
    Column("rank", "Ngạch", False, gettext_lazy("Civil-service rank, e.g. Chuyên viên.")),
    Column("position", "Vị trí việc làm", False, gettext_lazy("Job position.")),
    Column("is_reform_officer", "Phụ trách CCHC", False, gettext_lazy("x if in charge of administrative reform.")),
    Column("is_one_stop_receiver", "Tiếp nhận hồ sơ một cửa", False,
           gettext_lazy("x if the person receives dossiers at the one-stop shop."), ("mot cua",)),
    Column("is_leader", "Lãnh đạo", False, gettext_lazy("x if the person holds a leadership post.")),
    Column("status", "Trạng thái", False, gettext_lazy("Đang công tác (default), Đã chuyển công tác or Đã nghỉ hưu.")),
    Column("email", "Email", False, gettext_lazy("Work e-mail; used to sign in and to reset the password. (xóa) empties it."),
           ("thu dien tu", "e-mail")),
    Column("phone", "Số điện thoại", False, gettext_lazy("Mobile number for reminders, as Text so that the leading 0 stays. (xóa) empties it."), ("dien thoai",)),
    Column("date_of_birth", "Ngày sinh", False, gettext_lazy("dd/mm/yyyy.")),
    Column("effective_date", "Ngày hiệu lực", False,
           gettext_lazy("dd/mm/yyyy: from when the unit given here applies (default: today).")),
    Column("same_person", "Xác nhận cùng người", False, gettext_lazy(
        "x to confirm that this row is the person who already has this employee code, whose name or date of birth "
        "it corrects. Leave empty otherwise."), ("cung nguoi",)),
)

UNIT_COLUMNS = (
    Column("code", "Mã đơn vị", True, gettext_lazy("Official code of the unit.")),
    Column("name", "Tên đơn vị", True, gettext_lazy("Full name, e.g. Phường Trảng Dài.")),
    Column("kind", "Loại đơn vị", True,
           gettext_lazy("Tỉnh, Sở ngành, Thành phố, Huyện, Thị xã, Phường, Xã, Thị trấn, Bộ phận or Khác."),
           ("loai",)),
    Column("parent_code", "Mã đơn vị cấp trên", False, gettext_lazy("Code of the parent unit; empty for the province."),
           ("ma cap tren",)),
    Column("effective_date", "Ngày hiệu lực", False, gettext_lazy("dd/mm/yyyy: from when the change applies.")),
)

CATEGORY_WORDS = {
    "can bo": Category.CAN_BO, "cong chuc": Category.CONG_CHUC, "vien chuc": Category.VIEN_CHUC,
    "can_bo": Category.CAN_BO, "cong_chuc": Category.CONG_CHUC, "vien_chuc": Category.VIEN_CHUC,
}
STATUS_WORDS = {
    "": OfficialStatus.ACTIVE, "dang cong tac": OfficialStatus.ACTIVE, "active": OfficialStatus.ACTIVE,
    "da chuyen cong tac": OfficialStatus.TRANSFERRED, "chuyen cong tac": OfficialStatus.TRANSFERRED,
    "transferred": OfficialStatus.TRANSFERRED,
    "da nghi huu": OfficialStatus.RETIRED, "nghi huu": OfficialStatus.RETIRED, "retired": OfficialStatus.RETIRED,
}
UNIT_KIND_WORDS = {
    "tinh": UnitKind.PROVINCE, "so": UnitKind.DEPARTMENT, "so nganh": UnitKind.DEPARTMENT,
    "so, ban, nganh": UnitKind.DEPARTMENT, "ban nganh": UnitKind.DEPARTMENT, "co quan cap tinh": UnitKind.DEPARTMENT,
    "thanh pho": UnitKind.CITY, "huyen": UnitKind.DISTRICT, "thi xa": UnitKind.TOWN, "phuong": UnitKind.WARD,
    "xa": UnitKind.COMMUNE, "thi tran": UnitKind.TOWNSHIP, "bo phan": UnitKind.SECTION, "phong": UnitKind.SECTION,
    "khac": UnitKind.OTHER,
    **{k.value: k for k in UnitKind},
}
TRUE_WORDS = YES_WORDS | {"yes", "c"}
FALSE_WORDS = NO_WORDS | {"", "no", "k"}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}$")


# --- Reading ------------------------------------------------------------------------------------------------

EMPTY_FILE = gettext_lazy("The file is empty: it has no header row and no data. Fill in the template and upload it "
                          "again.")


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read an .xlsx or .csv file into a DataFrame of strings, rows numbered as the spreadsheet shows them. The
    header is the row naming most of the roster's or the unit tree's columns among the first ten (a title above it
    is skipped); legacy font encodings are converted (``frame.attrs["warnings"]``). An empty file, and an .xlsx
    with formulas whose value was never saved, are refused with what to do."""
    if not data.strip():
        raise ImportRefused([RowError(0, "", str(EMPTY_FILE))])
    frame = read_frame(data, filename, columns=ROSTER_COLUMNS + UNIT_COLUMNS)
    if filename.lower().endswith(".xlsx"):
        unsaved = unsaved_formula_cells(data)
        if unsaved:
            raise ImportRefused([RowError(row, "", _(
                "the cell %(cell)s holds a formula whose value was not saved in the file (the program that wrote it "
                "did not calculate it). Open the file in Excel or LibreOffice and save it again, or type the values "
                "instead of formulas.") % {"cell": ref}) for ref, row in unsaved[:MAX_ERRORS_KEPT]])
    if not len(frame.columns):
        raise ImportRefused([RowError(0, "", str(EMPTY_FILE))])
    return frame


def unsaved_formula_cells(data: bytes) -> list[tuple[str, int]]:
    """The cells of an .xlsx's first sheet that hold a formula without a saved value, as (reference, row): read
    from the sheet's XML, because the values read from the workbook cannot tell them from empty cells."""
    import xml.etree.ElementTree as ET
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        name = _first_sheet_path(archive)
        if name is None:
            return []
        found = []
        raw = archive.read(name)
        if b"<f>" not in raw and b"<f " not in raw and b":f>" not in raw and b":f " not in raw:
            return []  # no formula at all: the common case, not worth parsing
        with io.BytesIO(raw) as fh:
            for _event, element in ET.iterparse(fh):
                if element.tag.rsplit("}", 1)[-1] != "c":
                    continue
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "")):
                    ref = element.get("r", "")
                    row = re.sub(r"[^0-9]", "", ref)
                    found.append((ref, int(row) if row else 0))
                element.clear()
        return found
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError):
        return []  # read_frame has already judged the file; this only looks for one more problem


def _first_sheet_path(archive) -> str | None:
    """The path in the archive of the workbook's first sheet (the one read_frame reads)."""
    import xml.etree.ElementTree as ET

    names = set(archive.namelist())
    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in names else None
    sheet = next((el for el in book.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"), None)
    if sheet is None:
        return None
    rid = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
    target = next((el.get("Target") for el in rels.iter() if el.get("Id") == rid), None)
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return path if path in names else None


# --- Field parsers (raise ValueError with a Vietnamese message) ---------------------------------------------

def parse_date(value: str) -> dt.date | None:
    if not value:
        return None
    # An Excel date cell with a time of day is read as "dd/mm/yyyy hh:mm" (common.tabular.cell_text).
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2100:
            break
        return parsed
    raise ValueError(_("“%(value)s” is not a date in the form dd/mm/yyyy.") % {"value": value})


def parse_flag(value: str) -> bool:
    flag = yes_no(value, yes=TRUE_WORDS, no=FALSE_WORDS)
    if flag is not None:
        return flag
    raise ValueError(_("“%(value)s” is not understood: write x (yes) or leave it empty (no).") % {"value": value})


def _choice(words: dict, allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        found = words.get(fold(value))
        if found is None:
            raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})
        return str(found)
    return parse


def parse_code(value: str) -> str:
    if len(value) > 32 or not CODE_RE.match(value):
        raise ValueError(_("“%(value)s” is not a valid code (letters, digits, . _ - /; at most 32 characters).")
                         % {"value": value})
    return value


def parse_email(value: str) -> str:
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not a valid e-mail address.") % {"value": value})
    return value.lower()


def parse_phone(value: str) -> str:
    if value and not PHONE_RE.match(value):
        raise ValueError(_("“%(value)s” is not a valid phone number.") % {"value": value})
    return value


def _max_len(n: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > n:
            raise ValueError(_("is longer than %(n)s characters.") % {"n": n})
        return value
    return parse


# A roster file changes only what it says. A column missing from the file, or an empty cell, leaves the official's
# field as it is; BLANK_WORD in a cell empties the field. A yes/no column is the exception: where the file has it,
# x (or có) is yes and an empty cell (or không) is no.
BLANK_WORD = "(xóa)"
OFFICIAL_FIELDS = ("full_name", "category", "rank", "position", "is_reform_officer", "is_one_stop_receiver",
                   "is_leader", "status", "email", "phone", "date_of_birth")


class _Kept:
    """An empty cell of an optional column: the field is left as it is."""

    def __repr__(self) -> str:
        return "KEPT"


KEPT = _Kept()
_EMPTY_VALUES = {"rank": "", "position": "", "is_reform_officer": False, "is_one_stop_receiver": False,
                 "is_leader": False, "status": OfficialStatus.ACTIVE.value, "email": "", "phone": "",
                 "date_of_birth": None}


def _is_blank_word(value: str) -> bool:
    return fold(value).replace(" ", "") == fold(BLANK_WORD)


def _kept_or(parse: Callable[[str], object], *, blankable: bool = True) -> Callable[[str], object]:
    """An optional field's parser: empty → KEPT, BLANK_WORD → the field's empty value (when it may be emptied)."""
    def parser(value: str) -> object:
        if not value:
            return KEPT
        if blankable and _is_blank_word(value):
            return parse("")
        return parse(value)
    return parser


def parse_roster_flag(value: str) -> bool:
    if _is_blank_word(value):
        return False
    return parse_flag(value)


def parse_roster_phone(value: str) -> str:
    """A phone number; one that Excel read as a number and so lost its leading 0 (9 or 10 digits, not 0…) gets it
    back: no Vietnamese number is written that way, so the 0 is the only thing it can have lost."""
    digits = value.replace(" ", "").replace(".", "")
    if digits.isdigit() and not digits.startswith("0") and len(digits) in (9, 10):
        value = "0" + digits
    return parse_phone(value)


ROSTER_PARSERS: dict[str, Callable[[str], object]] = {
    "employee_code": parse_code,
    "full_name": _max_len(255),
    "unit_code": lambda v: v,
    "category": _choice(CATEGORY_WORDS, "Cán bộ, Công chức, Viên chức"),
    "rank": _kept_or(_max_len(128)),
    "position": _kept_or(_max_len(255)),
    # A yes/no column in the file says yes or no for every row: empty is no, as the template has always said (the
    # column lists who holds the role); a file without the column leaves the role alone.
    "is_reform_officer": parse_roster_flag,
    "is_one_stop_receiver": parse_roster_flag,
    "is_leader": parse_roster_flag,
    "status": _kept_or(_choice(STATUS_WORDS, "Đang công tác, Đã chuyển công tác, Đã nghỉ hưu"), blankable=False),
    "email": _kept_or(parse_email),
    "phone": _kept_or(parse_roster_phone),
    "date_of_birth": _kept_or(parse_date),
    "effective_date": parse_date,
    "same_person": parse_flag,
}

UNIT_PARSERS: dict[str, Callable[[str], object]] = {
    "code": parse_code,
    "name": _max_len(255),
    "kind": _choice(UNIT_KIND_WORDS, "Tỉnh, Sở ngành, Thành phố, Huyện, Thị xã, Phường, Xã, Thị trấn, Bộ phận, Khác"),
    "parent_code": lambda v: v,
    "effective_date": parse_date,
}


def _header(columns: tuple[Column, ...], key: str) -> str:
    return next(c.header for c in columns if c.key == key)


# --- Identity -----------------------------------------------------------------------------------------------

def same_person(current: dict, row: dict, unit: Unit | None) -> bool:
    """Whether a row may stand for the official who already has its employee code (`current`: full_name,
    date_of_birth, unit_id). Identity is the folded name and the date of birth; two known dates that differ are
    two people. A changed name is a correction only with the same known date of birth in the same unit, unless the
    row confirms it is the same person."""
    if row.get("same_person"):
        return True
    dobs_known = bool(current["date_of_birth"] and row["date_of_birth"])
    if dobs_known and current["date_of_birth"] != row["date_of_birth"]:
        return False
    if fold(current["full_name"]) == fold(row["full_name"]):
        return True
    return dobs_known and unit is not None and unit.pk == current["unit_id"]


def _person(name: str, unit: str, born: dt.date | None) -> str:
    if born:
        return _("%(name)s (%(unit)s, born %(date)s)") % {"name": name, "unit": unit,
                                                          "date": born.strftime("%d/%m/%Y")}
    return _("%(name)s (%(unit)s)") % {"name": name, "unit": unit}


# --- Roster -------------------------------------------------------------------------------------------------

def roster_validate(frame: pd.DataFrame, *, scope: Scope, progress: Callable[[int], None] = lambda n: None
                    ) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Check every row of a roster file against the file itself and the database. Returns parsed rows and errors."""
    if not len(frame.columns):
        return [], [RowError(0, "", str(EMPTY_FILE))]
    present = set(header_columns([str(c) for c in frame.columns], ROSTER_COLUMNS))
    frame, errors = map_columns(frame, ROSTER_COLUMNS)
    if errors:
        return [], errors
    if frame.empty:
        return [], [RowError(0, "", _("The file has no data rows."))]
    parsed = parse_rows(frame, ROSTER_COLUMNS, ROSTER_PARSERS, progress)
    errors = parsed.errors
    h = lambda key: _header(ROSTER_COLUMNS, key)  # noqa: E731
    # A row with a bad cell is still checked on its other cells, so that every error of a row is told at once.
    good = {row_no for row_no, _row in parsed.rows}
    failed = frame[~frame.index.isin(good)] if len(good) < len(frame) else frame.iloc[0:0]
    partial = [(row_no, _parse_what_can_be(record)) for row_no, record in zip(failed.index, failed.to_dict("records"))]
    for _row_no, row in [*parsed.rows, *partial]:
        # What the row changes: the fields of the columns in the file whose cell is not empty.
        row["fields"] = {k: row[k] for k in OFFICIAL_FIELDS if k in present and k in row and row[k] is not KEPT}
        for k in OFFICIAL_FIELDS:
            if row.get(k) is KEPT or (k not in row and k in _EMPTY_VALUES):
                row[k] = _EMPTY_VALUES[k]
    numeric_codes = _numeric_codes()

    units = {u.code: u for u in Unit.objects.only("id", "code", "path", "active_to", "name")}
    existing = {
        o["employee_code"].lower(): o
        for o in Official.objects.values("id", "employee_code", "user_id", "email", "unit_id", "unit__path",
                                         "unit__name", "full_name", "date_of_birth")
    }
    emails_in_db = {
        e.lower(): uid for uid, e in User.objects.exclude(email="").values_list("id", "email")
    }
    # A posting is added to each official's ordered history: a move dated before their latest one would put the
    # file's unit in the past while a later posting says otherwise.
    latest_posting = dict(Transfer.objects.values_list("official_id").annotate(d=Max("effective_date"))
                          .values_list("official_id", "d"))
    usernames_in_db = dict(User.objects.values_list("username", "id"))
    seen_codes: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_numeric: dict[int, tuple[str, int]] = {}
    for row_no, row in sorted([*parsed.rows, *partial], key=lambda r: r[0]):
        if "employee_code" not in row or "unit_code" not in row:
            continue  # its code or unit is already reported; the checks below need both
        code = row["employee_code"].lower()
        if code.isdigit():
            # Excel reads a code typed as a number and drops its leading zeros: 001234 becomes 1234, which must not
            # become a second person.
            other, other_path = numeric_codes.get(int(code), (None, ""))
            if other is not None and other != row["employee_code"] and not scope.covers_path(other_path):
                # Not named: that would tell whether someone outside the officer's units holds such a code.
                errors.append(RowError(row_no, h("employee_code"), _(
                    "the code %(code)s may have lost its leading zeros (Excel drops them from a number). Format the "
                    "column as Text and write the code in full.") % {"code": row["employee_code"]}))
            elif other is not None and other != row["employee_code"]:
                errors.append(RowError(row_no, h("employee_code"), _(
                    "the code %(code)s is the existing code %(existing)s without its leading zeros (Excel drops them "
                    "from a number). Format the column as Text and write %(existing)s; if this is another person, "
                    "give them another code.") % {"code": row["employee_code"], "existing": other}))
            in_file = seen_numeric.get(int(code))
            if in_file is not None and in_file[0] != row["employee_code"]:
                errors.append(RowError(row_no, h("employee_code"), _(
                    "the code %(code)s and the code %(other)s on row %(row)s differ only by leading zeros (Excel "
                    "drops them from a number). Format the column as Text and write each code in full.")
                    % {"code": row["employee_code"], "other": in_file[0], "row": in_file[1]}))
            seen_numeric.setdefault(int(code), (row["employee_code"], row_no))
        if code in seen_codes:
            errors.append(RowError(row_no, h("employee_code"), _("the code %(code)s already appears on row %(other)s.")
                                   % {"code": row["employee_code"], "other": seen_codes[code]}))
        seen_codes.setdefault(code, row_no)
        unit = units.get(row["unit_code"])
        if unit is None:
            errors.append(RowError(row_no, h("unit_code"), _("there is no unit with code %(code)s.")
                                   % {"code": row["unit_code"]}))
        elif not unit.is_active:
            errors.append(RowError(row_no, h("unit_code"), _("the unit %(name)s is no longer active.")
                                   % {"name": unit.name}))
        elif not scope.covers_path(unit.path):
            errors.append(RowError(row_no, h("unit_code"), _("the unit %(code)s is outside the units you manage.")
                                   % {"code": row["unit_code"]}))
        current = existing.get(code)
        outside = current and not scope.covers_path(current["unit__path"])
        taken = current is None and code in usernames_in_db
        if outside or (taken and not scope.all_officials):
            # One wording for every code a personnel officer may not use, whoever holds it and whether or not it is
            # the same person, so that the error confirms neither that an official of another district has this
            # code nor a guessed name or date of birth of theirs.
            errors.append(RowError(row_no, h("employee_code"), _(
                "the code %(code)s is already used outside the units you manage (its holder is not shown here): if "
                "this row is another person, give them another code; if it is the same person moving to your units, "
                "ask the Department of Home Affairs.") % {"code": row["employee_code"]}))
        elif current and "full_name" in row and not same_person(current, row, unit):
            errors.append(RowError(row_no, h("employee_code"), _(
                "the code %(code)s already belongs to %(existing)s; this row is %(row)s: two different people. Give "
                "this row another code or correct it; if it is the same person, whose name or date of birth this row "
                "corrects, write x in the column “%(column)s”.") % {
                "code": row["employee_code"],
                "existing": _person(current["full_name"], current["unit__name"], current["date_of_birth"]),
                "row": _person(row["full_name"], unit.name if unit else row["unit_code"], row["date_of_birth"]),
                "column": h("same_person")}))
        elif taken:
            errors.append(RowError(row_no, h("employee_code"), _(
                "an account named %(code)s already exists and is not this official's.") % {"code": row["employee_code"]}))
        email = row["email"]
        if email:
            if email in seen_emails:
                errors.append(RowError(row_no, h("email"), _("the e-mail %(email)s already appears on row %(other)s.")
                                       % {"email": email, "other": seen_emails[email]}))
            seen_emails.setdefault(email, row_no)
            owner = emails_in_db.get(email)
            if owner is not None and owner != (current["user_id"] if current else None):
                errors.append(RowError(row_no, h("email"), _("the e-mail %(email)s is used by another account.")
                                       % {"email": email}))
        since = latest_posting.get(current["id"]) if current else None
        if (current and unit is not None and unit.pk != current["unit_id"] and row.get("effective_date") and since
                and row["effective_date"] < since):
            errors.append(RowError(row_no, h("effective_date"), _(
                "the move is dated %(date)s, before this official's latest posting (%(since)s); date it on or after "
                "that day, or record the earlier move on the official's page.") % {
                "date": row["effective_date"].strftime("%d/%m/%Y"), "since": since.strftime("%d/%m/%Y")}))
        dob = row["date_of_birth"]
        if dob and not (dt.date(1930, 1, 1) <= dob <= timezone.localdate() - dt.timedelta(days=365 * 15)):
            errors.append(RowError(row_no, h("date_of_birth"), _("the date of birth %(date)s is not plausible.")
                                   % {"date": dob.strftime("%d/%m/%Y")}))
        row["unit"] = unit
    errors.sort(key=lambda e: (e.row, e.column))
    return parsed.rows, errors


def _parse_what_can_be(record: dict) -> dict:
    """The cells of a row that has a bad one, each parsed on its own; the bad and the missing ones left out."""
    out = {}
    required = {c.key for c in ROSTER_COLUMNS if c.required}
    for key, raw in record.items():
        if key in required and not raw:
            continue
        try:
            out[key] = ROSTER_PARSERS[key](raw)
        except ValueError:
            continue
    return out


def _numeric_codes() -> dict[int, tuple[str, str]]:
    """Existing employee codes made only of digits, by their number (001234 and 1234 are both 1234), with the path
    of their holder's unit."""
    return {int(code): (code, path) for code, path in Official.objects.filter(employee_code__regex=r"^[0-9]+$")
            .values_list("employee_code", "unit__path")}


# --- Units --------------------------------------------------------------------------------------------------

def units_validate(frame: pd.DataFrame, *, scope: Scope, progress: Callable[[int], None] = lambda n: None
                   ) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Check every row of a unit-tree file: codes unique, parents known (in the database or the file), no cycles,
    and for personnel officers every unit inside their subtree."""
    frame, errors = map_columns(frame, UNIT_COLUMNS)
    if errors:
        return [], errors
    if frame.empty:
        return [], [RowError(0, "", _("The file has no data rows."))]
    parsed = parse_rows(frame, UNIT_COLUMNS, UNIT_PARSERS, progress)
    errors = parsed.errors
    h = lambda key: _header(UNIT_COLUMNS, key)  # noqa: E731
    in_db = {u.code: u for u in Unit.objects.all()}
    in_file: dict[str, int] = {}
    parents: dict[str, str] = {}
    for row_no, row in parsed.rows:
        code = row["code"]
        if code in in_file:
            errors.append(RowError(row_no, h("code"), _("the code %(code)s already appears on row %(other)s.")
                                   % {"code": code, "other": in_file[code]}))
            continue
        in_file[code] = row_no
        parents[code] = row["parent_code"]
    for row_no, row in parsed.rows:
        code, parent_code = row["code"], row["parent_code"]
        if parent_code and parent_code not in in_db and parent_code not in in_file:
            errors.append(RowError(row_no, h("parent_code"), _("there is no unit with code %(code)s.")
                                   % {"code": parent_code}))
        if parent_code == code:
            errors.append(RowError(row_no, h("parent_code"), _("a unit cannot be its own parent.")))
        elif parent_code:
            # Walk up through the file's parents (falling back to the database) to find a cycle.
            seen, cur = {code}, parent_code
            while cur:
                if cur in seen:
                    errors.append(RowError(row_no, h("parent_code"), _("the parent units form a loop.")))
                    break
                seen.add(cur)
                cur = parents.get(cur) if cur in parents else (
                    in_db[cur].parent.code if cur in in_db and in_db[cur].parent_id else "")
        parent_db = in_db.get(parent_code)
        if parent_db is not None and not parent_db.is_active:
            errors.append(RowError(row_no, h("parent_code"), _("the unit %(name)s is no longer active.")
                                   % {"name": parent_db.name}))
        if not scope.all_units or not scope.can_manage:
            mine = in_db.get(code)
            if mine is not None and (not scope.unit_paths or not scope.covers_path(mine.path)
                                     or scope.is_root_path(mine.path)):
                errors.append(RowError(row_no, h("code"), _("the unit %(code)s is outside the units you manage.")
                                       % {"code": code}))
            if parent_db is not None and (not scope.unit_paths or not scope.covers_path(parent_db.path)):
                errors.append(RowError(row_no, h("parent_code"), _("the unit %(code)s is outside the units you manage.")
                                       % {"code": parent_code}))
            if not parent_code and mine is None:
                errors.append(RowError(row_no, h("parent_code"), _("only an administrator can add a top-level unit.")))
    errors.sort(key=lambda e: (e.row, e.column))
    return parsed.rows, errors
