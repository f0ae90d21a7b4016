"""Downloadable import templates: Vietnamese headers, a guide sheet and the codes of the units in scope."""
import csv
import io

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .parsing import ROSTER_COLUMNS, UNIT_COLUMNS
from .models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_template(*, kind: str, fmt: str, units: QuerySet[Unit]) -> tuple[bytes, str, str]:
    """The import template for `kind` ("roster" or "units") as .xlsx or .csv: (content, content type, file name)."""
    columns = ROSTER_COLUMNS if kind == "roster" else UNIT_COLUMNS
    basename = "mau-danh-sach-can-bo" if kind == "roster" else "mau-cay-don-vi"
    headers = [c.header for c in columns]
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerow(headers)
        # BOM so that Excel opens the Vietnamese headers correctly.
        return ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", f"{basename}.csv"

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách" if kind == "roster" else "Đơn vị"
    ws.append(headers)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[cell.column_letter].width = max(14, len(col.header) + 4)
    ws.freeze_panes = "A2"
    if kind == "roster":
        letters = {c.key: ws.cell(row=1, column=i).column_letter for i, c in enumerate(columns, start=1)}
        for key, values in (("category", '"Cán bộ,Công chức,Viên chức"'),
                            ("status", '"Đang công tác,Đã chuyển công tác,Đã nghỉ hưu"'),
                            ("is_reform_officer", '"x"'), ("is_one_stop_receiver", '"x"'), ("is_leader", '"x"')):
            dv = DataValidation(type="list", formula1=values, allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letters[key]}2:{letters[key]}60000")
    guide = wb.create_sheet("Hướng dẫn")
    guide.append([_("Column"), _("Required"), _("How to fill it in")])
    for cell in guide[1]:
        cell.font = bold
    for col in columns:
        guide.append([col.header, _("Yes") if col.required else "", str(col.help)])
    guide.append([])
    guide.append([_("Dates are written dd/mm/yyyy. One bad row refuses the whole file, and nothing is changed.")])
    guide.column_dimensions["A"].width, guide.column_dimensions["C"].width = 28, 90
    codes = wb.create_sheet("Mã đơn vị")
    codes.append(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"])
    for cell in codes[1]:
        cell.font = bold
    for unit in units.filter(active_to__isnull=True).select_related("parent").order_by("path"):
        codes.append([unit.code, unit.name, unit.parent.code if unit.parent else ""])
    codes.column_dimensions["B"].width = 45
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), XLSX, f"{basename}.xlsx"
