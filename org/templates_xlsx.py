"""Downloadable import templates: Vietnamese headers, a guide sheet and the codes of the units in scope. The
workbook and CSV are written by `common.export`; the columns and their dropdowns are the roster's."""
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, bold_header, row_append, template_csv, \
    template_workbook, xlsx_bytes

from .models import Unit
from .parsing import BLANK_WORD, ROSTER_COLUMNS, UNIT_COLUMNS

ROSTER_LISTS = {
    "category": ["Cán bộ", "Công chức", "Viên chức"],
    "status": ["Đang công tác", "Đã chuyển công tác", "Đã nghỉ hưu"],
    "is_reform_officer": ["x", "không"], "is_one_stop_receiver": ["x", "không"], "is_leader": ["x", "không"],
    "same_person": ["x"],
}


def build_template(*, kind: str, fmt: str, units: QuerySet[Unit]) -> tuple[bytes, str, str]:
    """The import template for `kind` ("roster" or "units") as .xlsx or .csv: (content, content type, file name)."""
    columns = ROSTER_COLUMNS if kind == "roster" else UNIT_COLUMNS
    basename = "mau-danh-sach-can-bo" if kind == "roster" else "mau-cay-don-vi"
    if fmt == "csv":
        return template_csv(columns), CSV_CONTENT_TYPE, f"{basename}.csv"

    wb = template_workbook(
        columns, title="Danh sách" if kind == "roster" else "Đơn vị", lists=ROSTER_LISTS if kind == "roster" else None,
        guide_note=_("Dates are written dd/mm/yyyy. One bad row refuses the whole file, and nothing is changed.") + (
            " " + _("A column left out of the file, and an empty cell, leave that field of an existing official as "
                    "it is; write %(blank)s in a cell to empty the field. In a yes/no column x or có means yes, and an "
                    "empty cell or không means no. Keep "
                    "the code and phone columns as Text so that their leading zeros stay.")
            % {"blank": BLANK_WORD} if kind == "roster" else ""))
    codes = wb.create_sheet("Mã đơn vị")
    bold_header(codes, ["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"])
    for unit in units.filter(active_to__isnull=True).select_related("parent").order_by("path"):
        row_append(codes, [unit.code, unit.name, unit.parent.code if unit.parent else ""])
    codes.column_dimensions["B"].width = 45
    return xlsx_bytes(wb), XLSX_CONTENT_TYPE, f"{basename}.xlsx"
