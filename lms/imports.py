"""The sign-in sheet of a training session, from Excel (.xlsx) or CSV: validated whole before anything is
written, like the roster (`org.parsing`): one bad row refuses the file, and each error names its row and column."""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy

from common.tabular import Column, RowError, map_columns, read_frame
from common.tabular import TableRefused as ImportRefused
from common.text import fold
from org.models import Official
from org.parsing import parse_flag  # a sign-in sheet's "x"/"không" are the roster's words

ATTENDANCE_COLUMNS = (
    Column("employee_code", "Mã cán bộ", True, gettext_lazy("Employee code of the person who signed."),
           ("ma nhan vien", "ma cbccvc", "ma so")),
    Column("full_name", "Họ và tên", False, gettext_lazy("Checked against the roster when given."), ("ho ten",)),
    Column("present", "Có mặt", False, gettext_lazy("x or empty if present; “không” if absent."),
           ("co mat", "tham du", "ky ten")),
    Column("note", "Ghi chú", False, gettext_lazy("Anything to remember, e.g. left early.")),
)


def attendance_validate(*, data: bytes, filename: str, session, officials) -> list[tuple[int, dict]]:
    """Check every row of a sign-in sheet; `officials` is the queryset the uploader may record (their scope).
    Returns the parsed rows or raises `ImportRefused` with every error found."""
    frame = read_frame(data, filename, columns=ATTENDANCE_COLUMNS)
    frame, errors = map_columns(frame, ATTENDANCE_COLUMNS)
    if errors:
        raise ImportRefused(errors)
    if frame.empty:
        raise ImportRefused([RowError(0, "", _("The file has no data rows."))])
    h = {c.key: c.header for c in ATTENDANCE_COLUMNS}
    codes = [c for c in frame["employee_code"] if c]
    known = {}
    for i in range(0, len(codes), 900):
        batch = codes[i:i + 900]
        known |= {o.employee_code.lower(): o for o in Official.objects.filter(
            employee_code__in=batch + [c.upper() for c in batch] + [c.lower() for c in batch]).select_related("unit")}
    allowed = set()
    for i in range(0, len(codes), 900):
        ids = [known[c.lower()].pk for c in codes[i:i + 900] if c.lower() in known]
        allowed |= set(officials.filter(pk__in=ids).values_list("pk", flat=True))
    rows, seen = [], {}
    for row_no, record in zip(frame.index, frame.to_dict("records")):
        code = record["employee_code"]
        if not code:
            errors.append(RowError(row_no, h["employee_code"], _("this field is required.")))
            continue
        official = known.get(code.lower())
        if official is None or official.pk not in allowed:
            # The same words for an unknown code and another district's: the error does not confirm that it exists.
            errors.append(RowError(row_no, h["employee_code"], _(
                "there is no official with code %(code)s in the units you manage.") % {"code": code}))
            continue
        if code.lower() in seen:
            errors.append(RowError(row_no, h["employee_code"], _("the code %(code)s already appears on row %(other)s.")
                                   % {"code": code, "other": seen[code.lower()]}))
            continue
        seen[code.lower()] = row_no
        name = record["full_name"]
        if name and fold(name) != fold(official.full_name):
            errors.append(RowError(row_no, h["full_name"], _(
                "the roster has %(code)s as “%(name)s”, not “%(given)s”.")
                % {"code": code, "name": official.full_name, "given": name}))
        try:
            present = parse_flag(record["present"]) if record["present"] else True
        except ValueError as exc:
            errors.append(RowError(row_no, h["present"], str(exc)))
            continue
        if len(record["note"]) > 255:
            errors.append(RowError(row_no, h["note"], _("is longer than %(n)s characters.") % {"n": 255}))
        rows.append((row_no, {"official": official, "present": present, "note": record["note"]}))
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        raise ImportRefused(errors)
    return rows
