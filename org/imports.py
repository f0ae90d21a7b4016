"""Roster and unit-tree import from Excel (.xlsx) and CSV.

Every row is validated before anything is written; one bad row refuses the whole file, and each error names
its row (as the spreadsheet numbers it: the header is row 1) and its column by the Vietnamese header. Writing
happens in one transaction, and re-importing the same file changes nothing.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pandas as pd
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from .models import Category, Official, OfficialStatus, Transfer, Unit, UnitKind, User
from .selectors import Scope
from common.text import fold

MAX_ERRORS_KEPT = 500
PROGRESS_EVERY = 1000


@dataclass
class RowError:
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


class ImportRefused(Exception):
    """The file was refused; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Vietnamese header as written in the template
    required: bool = False
    help: str = ""
    aliases: tuple[str, ...] = ()

    def matches(self, raw_header: str) -> bool:
        folded = fold(raw_header).replace("*", "").strip()
        return folded in {fold(self.header), self.key, *(fold(a) for a in self.aliases)}


ROSTER_COLUMNS = (
    Column("employee_code", "Mã cán bộ", True, gettext_lazy("Unique code of the person, e.g. BH-00123."),
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
    Column("email", "Email", False, gettext_lazy("Work e-mail; used to sign in and to reset the password."),
           ("thu dien tu", "e-mail")),
    Column("phone", "Số điện thoại", False, gettext_lazy("Mobile number for reminders."), ("dien thoai",)),
    Column("date_of_birth", "Ngày sinh", False, gettext_lazy("dd/mm/yyyy.")),
    Column("effective_date", "Ngày hiệu lực", False,
           gettext_lazy("dd/mm/yyyy: from when the unit given here applies (default: today).")),
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
TRUE_WORDS = {"x", "co", "1", "true", "yes", "c"}
FALSE_WORDS = {"", "khong", "0", "false", "no", "k"}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}$")


# --- Reading ------------------------------------------------------------------------------------------------

def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused([RowError(line, "", _(
            "the file is not UTF-8 encoded (an invalid byte was found on this line). In Excel choose "
            "“Save as” → “CSV UTF-8 (Comma delimited)”, or upload the .xlsx file instead."))])


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read an .xlsx or .csv file into a DataFrame of strings, rows numbered as the spreadsheet shows them."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False,
                                  engine="openpyxl")
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise ImportRefused([RowError(0, "", _("The file cannot be read as an Excel (.xlsx) workbook."))])
    elif name.endswith(".csv") or name.endswith(".txt"):
        text = _decode_csv(data)
        first_line = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=first_line.count)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, sep=delimiter,
                                skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL)
        except (pd.errors.ParserError, csv.Error) as exc:
            match = re.search(r"line (\d+)", str(exc))
            raise ImportRefused([RowError(int(match.group(1)) if match else 0, "",
                                          _("the line has a different number of columns from the header."))])
    else:
        raise ImportRefused([RowError(0, "", _("Only .xlsx and .csv files can be imported."))])
    frame.index = range(2, len(frame) + 2)  # spreadsheet row numbers: header is row 1
    frame = frame.map(lambda v: str(v).strip())
    return frame[(frame != "").any(axis=1)] if len(frame.columns) else frame


def map_columns(frame: pd.DataFrame, columns: Iterable[Column]) -> tuple[pd.DataFrame, list[RowError]]:
    """Rename the file's headers to field keys; report required columns that are missing."""
    columns = tuple(columns)
    rename, errors = {}, []
    for raw in frame.columns:
        for col in columns:
            if col.matches(str(raw)) and col.key not in rename.values():
                rename[raw] = col.key
                break
    for col in columns:
        if col.required and col.key not in rename.values():
            errors.append(RowError(1, col.header, _("this required column is missing from the header row.")))
    frame = frame.rename(columns=rename)
    for col in columns:
        if col.key not in frame.columns:
            frame[col.key] = ""
    return frame[[c.key for c in columns]], errors


# --- Field parsers (raise ValueError with a Vietnamese message) ---------------------------------------------

def parse_date(value: str) -> dt.date | None:
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S"):
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2100:
            break
        return parsed
    raise ValueError(_("“%(value)s” is not a date in the form dd/mm/yyyy.") % {"value": value})


def parse_flag(value: str) -> bool:
    folded = fold(value)
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
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


ROSTER_PARSERS: dict[str, Callable[[str], object]] = {
    "employee_code": parse_code,
    "full_name": _max_len(255),
    "unit_code": lambda v: v,
    "category": _choice(CATEGORY_WORDS, "Cán bộ, Công chức, Viên chức"),
    "rank": _max_len(128),
    "position": _max_len(255),
    "is_reform_officer": parse_flag,
    "is_one_stop_receiver": parse_flag,
    "is_leader": parse_flag,
    "status": _choice(STATUS_WORDS, "Đang công tác, Đã chuyển công tác, Đã nghỉ hưu"),
    "email": parse_email,
    "phone": parse_phone,
    "date_of_birth": parse_date,
    "effective_date": parse_date,
}

UNIT_PARSERS: dict[str, Callable[[str], object]] = {
    "code": parse_code,
    "name": _max_len(255),
    "kind": _choice(UNIT_KIND_WORDS, "Tỉnh, Sở ngành, Thành phố, Huyện, Thị xã, Phường, Xã, Thị trấn, Bộ phận, Khác"),
    "parent_code": lambda v: v,
    "effective_date": parse_date,
}


@dataclass
class ParsedRows:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _parse_rows(frame: pd.DataFrame, columns: tuple[Column, ...], parsers: dict, progress: Callable[[int], None]
                ) -> ParsedRows:
    headers = {c.key: c.header for c in columns}
    required = [c.key for c in columns if c.required]
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


def _header(columns: tuple[Column, ...], key: str) -> str:
    return next(c.header for c in columns if c.key == key)


# --- Roster -------------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    transferred: int = 0
    unchanged: int = 0
    rows: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


OFFICIAL_FIELDS = ("full_name", "category", "rank", "position", "is_reform_officer", "is_one_stop_receiver",
                   "is_leader", "status", "email", "phone", "date_of_birth")


def roster_validate(frame: pd.DataFrame, *, scope: Scope, progress: Callable[[int], None] = lambda n: None
                    ) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Check every row of a roster file against the file itself and the database. Returns parsed rows and errors."""
    frame, errors = map_columns(frame, ROSTER_COLUMNS)
    if errors:
        return [], errors
    if frame.empty:
        return [], [RowError(0, "", _("The file has no data rows."))]
    parsed = _parse_rows(frame, ROSTER_COLUMNS, ROSTER_PARSERS, progress)
    errors = parsed.errors
    h = lambda key: _header(ROSTER_COLUMNS, key)  # noqa: E731

    units = {u.code: u for u in Unit.objects.only("id", "code", "path", "active_to", "name")}
    existing = {
        o["employee_code"].lower(): o
        for o in Official.objects.values("id", "employee_code", "user_id", "email", "unit__path")
    }
    emails_in_db = {
        e.lower(): uid for uid, e in User.objects.exclude(email="").values_list("id", "email")
    }
    usernames_in_db = dict(User.objects.values_list("username", "id"))
    seen_codes: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row_no, row in parsed.rows:
        code = row["employee_code"].lower()
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
        elif not scope.all_officials and not (scope.unit_path and unit.path.startswith(scope.unit_path)):
            errors.append(RowError(row_no, h("unit_code"), _("the unit %(code)s is outside the units you manage.")
                                   % {"code": row["unit_code"]}))
        current = existing.get(code)
        outside = current and not scope.all_officials and not (
            scope.unit_path and current["unit__path"].startswith(scope.unit_path))
        taken = current is None and code in usernames_in_db
        if outside or (taken and not scope.all_officials):
            # One wording for every code a personnel officer may not use, so that the error does not confirm that
            # an official of another district has this code.
            errors.append(RowError(row_no, h("employee_code"), _(
                "the code %(code)s cannot be used in the units you manage; check it, or ask the Department of Home "
                "Affairs.") % {"code": row["employee_code"]}))
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
        dob = row["date_of_birth"]
        if dob and not (dt.date(1930, 1, 1) <= dob <= timezone.localdate() - dt.timedelta(days=365 * 15)):
            errors.append(RowError(row_no, h("date_of_birth"), _("the date of birth %(date)s is not plausible.")
                                   % {"date": dob.strftime("%d/%m/%Y")}))
        row["unit"] = unit
    errors.sort(key=lambda e: (e.row, e.column))
    return parsed.rows, errors


@transaction.atomic
def roster_apply(rows: list[tuple[int, dict]], *, by: User | None, progress: Callable[[int], None] = lambda n: None
                 ) -> ImportResult:
    """Write validated roster rows: create new officials with accounts, update changed ones, record transfers."""
    from .services import user_for_official

    today = timezone.localdate()
    result = ImportResult(rows=len(rows))
    existing = {o.employee_code.lower(): o for o in Official.objects.select_related("user")}
    new_rows, changed, users_changed, transfers = [], [], [], []
    for i, (_row_no, row) in enumerate(rows):
        official = existing.get(row["employee_code"].lower())
        values = {k: row[k] for k in OFFICIAL_FIELDS}
        if official is None:
            new_rows.append(row)
            continue
        diff = {k: v for k, v in values.items() if getattr(official, k) != v}
        moved = official.unit_id != row["unit"].pk
        if moved:
            transfers.append(Transfer(official=official, from_unit_id=official.unit_id, to_unit=row["unit"],
                                      effective_date=row["effective_date"] or today, source=Transfer.Source.IMPORT,
                                      recorded_by=by))
            official.unit = row["unit"]
            result.transferred += 1
        if diff:
            for k, v in diff.items():
                setattr(official, k, v)
            if "full_name" in diff:
                official.name_folded = fold(official.full_name)
            if "email" in diff and official.user.email != official.email:
                official.user.email = official.email
                users_changed.append(official.user)
            result.updated += 1
        if diff or moved:
            official.updated_at = timezone.now()
            changed.append(official)
        else:
            result.unchanged += 1
        if i % PROGRESS_EVERY == 0:
            progress(i)

    update_fields = [*OFFICIAL_FIELDS, "unit", "name_folded", "updated_at"]
    Official.objects.bulk_update(changed, update_fields, batch_size=1000)
    User.objects.bulk_update(users_changed, ["email"], batch_size=1000)
    Transfer.objects.bulk_create(transfers, batch_size=1000)

    if new_rows:
        users = [user_for_official(employee_code=r["employee_code"], email=r["email"], full_name=r["full_name"])
                 for r in new_rows]
        User.objects.bulk_create(users, batch_size=1000)
        user_ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "id")) \
            if len(users) < 900 else dict(User.objects.values_list("username", "id"))
        officials = [
            Official(user_id=user_ids[r["employee_code"].lower()], employee_code=r["employee_code"],
                     name_folded=fold(r["full_name"]), unit=r["unit"], **{k: r[k] for k in OFFICIAL_FIELDS})
            for r in new_rows
        ]
        Official.objects.bulk_create(officials, batch_size=1000)
        ids = dict(Official.objects.values_list("employee_code", "id"))
        Transfer.objects.bulk_create(
            [Transfer(official_id=ids[r["employee_code"]], from_unit=None, to_unit=r["unit"],
                      effective_date=r["effective_date"] or today, source=Transfer.Source.IMPORT, recorded_by=by)
             for r in new_rows],
            batch_size=1000,
        )
        result.created = len(new_rows)
    progress(len(rows))
    return result


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
    parsed = _parse_rows(frame, UNIT_COLUMNS, UNIT_PARSERS, progress)
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
            if mine is not None and (not scope.unit_path or not mine.path.startswith(scope.unit_path)
                                     or mine.path == scope.unit_path):
                errors.append(RowError(row_no, h("code"), _("the unit %(code)s is outside the units you manage.")
                                       % {"code": code}))
            if parent_db is not None and (not scope.unit_path or not parent_db.path.startswith(scope.unit_path)):
                errors.append(RowError(row_no, h("parent_code"), _("the unit %(code)s is outside the units you manage.")
                                       % {"code": parent_code}))
            if not parent_code and mine is None:
                errors.append(RowError(row_no, h("parent_code"), _("only an administrator can add a top-level unit.")))
    errors.sort(key=lambda e: (e.row, e.column))
    return parsed.rows, errors


@transaction.atomic
def units_apply(rows: list[tuple[int, dict]], *, by: User | None, progress: Callable[[int], None] = lambda n: None
                ) -> ImportResult:
    """Create or update units, parents before children; renames and moves are recorded as history."""
    from .services import unit_create, unit_update

    result = ImportResult(rows=len(rows))
    by_code = {row["code"]: row for _n, row in rows}
    done: dict[str, Unit] = {}

    def ensure(code: str) -> Unit:
        if code in done:
            return done[code]
        row = by_code[code]
        parent = None
        if row["parent_code"]:
            parent = ensure(row["parent_code"]) if row["parent_code"] in by_code else Unit.objects.get(code=row["parent_code"])
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = unit_create(code=code, name=row["name"], kind=row["kind"], parent=parent,
                               active_from=row["effective_date"], by=by)
            result.created += 1
        else:
            moved = unit.parent_id != (parent.pk if parent else None)
            if unit_update(unit=unit, name=row["name"], kind=row["kind"], parent=parent, on=row["effective_date"], by=by):
                result.updated += 1
                result.transferred += int(moved)
            else:
                result.unchanged += 1
        done[code] = unit
        return unit

    for i, (_n, row) in enumerate(rows):
        ensure(row["code"])
        if i % 100 == 0:
            progress(i)
    progress(len(rows))
    return result
