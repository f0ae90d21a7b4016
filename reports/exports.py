"""Files for personnel departments: the periodic report as Excel and PDF, laid out as a Vietnamese administrative
report (Decree 30/2020/NĐ-CP's header, title, table, signature block), and CSV for any table.

The documents are produced in the site's language (Vietnamese): they are sent upward as official papers whatever
language the person who downloads them reads the site in.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common import export

# Content types, from the one writer every export goes through (common.export).
XLSX, CSV = export.XLSX_CONTENT_TYPE, export.CSV_CONTENT_TYPE
PDF = "application/pdf"

# The national header is a fixed legal formula, not interface text: it is the same in every language.
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
         "XVIII", "XIX", "XX")


def roman(n: int) -> str:
    return ROMAN[n - 1] if 0 < n <= len(ROMAN) else str(n)


def percent(value: float | str | None) -> float | str | None:
    """A coverage percentage as printed: one decimal, None (a dash) when nobody is in the audience; the mark of a
    figure withheld from publication as it is."""
    return value if value is None or isinstance(value, str) else round(float(value), 1)


def percent_text(value: float | None) -> str:
    return "—" if value is None else formats.number_format(round(float(value), 1), 1, use_l10n=True)


# --- CSV ---------------------------------------------------------------------------------------------------------

csv_bytes = export.csv_bytes  # UTF-8 with a byte-order mark; a text Excel would run as a formula made inert


def figure_header() -> list[str]:
    return [_("Unit code"), _("Unit"), _("Required"), _("Completed"), pgettext("learning status", "In progress"),
            _("Not started"),
            _("Overdue"), _("Coverage (%)"), _("Target (%)"), _("Still missing to reach the target")]


def figure_row(line: dict, *, label: str | None = None) -> list:
    return [line.get("code", ""), label or line.get("label") or line.get("name", ""), line["audience"], line["done"],
            line["in_progress"], line["not_started"], line["overdue"], percent(line["coverage"]),
            round(float(line["target_percent"]), 2), line["gap"]]


def lines_csv(lines: list[dict], total: dict | None = None, *, total_label: str = "") -> bytes:
    """A coverage table (units and their figures, then the total) as CSV."""
    rows = [figure_row(line) for line in lines]
    if total is not None:
        rows.append(figure_row(total, label=total_label or _("Total")))
    return csv_bytes(figure_header(), rows)


def missing_header() -> list[str]:
    return [pgettext("row number", "No."), _("Employee code"), _("Full name"), _("Unit"), _("Job position"),
            _("Status"), _("Due date"), _("Phone number"), _("E-mail")]


def missing_rows(assignments: Iterable, *, progress: Callable[[int], None] | None = None,
                 every: int = 2000) -> Iterator[list]:
    """The rows of a names list, reporting progress every `every` rows."""
    from lms.models import Assignment

    labels = dict(Assignment.Status.choices)
    for i, a in enumerate(assignments, start=1):
        o = a.official
        yield [i, o.employee_code, o.full_name, o.unit.name, o.position, str(labels.get(a.status, a.status)),
               a.due_at.strftime("%d/%m/%Y") if a.due_at else "", o.phone, o.email]
        if progress and i % every == 0:
            progress(i)


def missing_csv(assignments: Iterable, *, progress=None) -> bytes:
    return csv_bytes(missing_header(), missing_rows(assignments, progress=progress))


def missing_xlsx(assignments: Iterable, *, title: str, progress=None) -> bytes:
    """A names list as a one-sheet workbook, written in streaming mode (a province's list is tens of thousands);
    every text stays text (a name or e-mail that starts with "=" is never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Not completed")[:31])
    for col, width in zip("ABCDEFGHI", (6, 16, 28, 34, 30, 16, 12, 14, 34)):
        ws.column_dimensions[col].width = width
    ws.append([export.text_cell(ws, title, font=Font(bold=True, size=13))])
    bold = Font(bold=True)
    ws.append([export.text_cell(ws, h, font=bold) for h in missing_header()])
    for row in missing_rows(assignments, progress=progress):
        export.row_append(ws, row)
    return export.xlsx_bytes(wb)


# --- The periodic report -------------------------------------------------------------------------------------------

def period_label(period: str, year: int) -> str:
    """The period as written in a report's title."""
    labels = {
        # Translators: in a report title, e.g. "QUÝ I NĂM 2020".
        "q1": _("Q1 %(year)s"),
        # Translators: in a report title, e.g. "6 THÁNG ĐẦU NĂM 2020".
        "h1": _("first 6 months of %(year)s"),
        # Translators: in a report title, e.g. "9 THÁNG NĂM 2020".
        "m9": _("first 9 months of %(year)s"),
        # Translators: in a report title, e.g. "NĂM 2020".
        "year": _("year %(year)s"),
    }
    return labels[period] % {"year": year}


def period_choices() -> list[tuple[str, str]]:
    return [("q1", _("Q1")), ("h1", _("6 months")), ("m9", _("9 months")), ("year", _("Year"))]


def _dated(day: dt.date) -> str:
    # Translators: the place and date line of an administrative document: "Đồng Nai, ngày 05 tháng 4 năm 2020".
    return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": _("Đồng Nai"), "day": f"{day.day:02d}", "month": day.month, "year": day.year}


# Units whose governing body is a People's Committee (Ủy ban nhân dân): the report is issued in its name.
GOVERNED_BY_COMMITTEE = {"province", "city", "district", "town", "ward", "commune", "township"}


def issuer_name(unit) -> str:
    """The body that signs for a unit: "UBND Huyện X" for a local government, the unit itself otherwise."""
    if unit.kind in GOVERNED_BY_COMMITTEE:
        # Translators: abbreviated in Vietnamese documents as "UBND %(unit)s".
        return _("People's Committee of %(unit)s") % {"unit": unit.name}
    return unit.name


def report_texts(report) -> dict:
    """Every line of text around the tables, shared by the Excel and PDF layouts so they read the same."""
    parent = report.unit.parent
    today = timezone.localdate(report.generated_at)
    if report.live:
        basis = _("Figures as of %(date)s (the period is not over yet).") % {"date": report.as_of.strftime("%d/%m/%Y")}
    else:
        basis = _("Figures at the end of %(date)s, computed from the dated records, on the units and names of that "
                  "day.") % {"date": report.as_of.strftime("%d/%m/%Y")}
    return {
        "issuer_parent": issuer_name(parent).upper() if parent else "",
        "issuer": issuer_name(report.unit).upper(),
        "number": _("No.: ....../BC-......"),
        "dated": _dated(today),
        "title": _("Report on the results of training and retraining of officials in administrative reform").upper(),
        "period": period_label(report.period, report.year).upper(),
        "basis": basis,
        "plan": _("Under the administrative reform plan of Đồng Nai Province for 2020 (Plan No. 15122/KH-UBND of "
                  "27/12/2019), section II.4.c."),
        "headers": [pgettext("row number", "No."), _("Unit"), _("Required to take part"), _("Completed"),
                    _("Rate (%)"), _("Target (%)"), _("Still missing")],
        "total": _("Total"),
        "recipients": _("Recipients:"),
        "recipient_lines": [_("- Department of Home Affairs (for consolidation);"), _("- Filed: clerical office.")],
        "signer": _("Head of the unit").upper(),
        "signer_note": _("(Signature, full name and seal)"),
        "maker": _("Prepared by"),
        "maker_note": _("(Signature, full name)"),
        "target_line": _("Target: %(target)s%% of the audience; due date: %(due)s."),
        "notes": _("Units changed since the end of the period:"),
    }


def _target_line(texts: dict, requirement) -> str:
    due = requirement.due_date.strftime("%d/%m/%Y") if requirement.due_date else "—"
    value = float(requirement.target_percent)
    target = formats.number_format(value, 0 if value.is_integer() else 2, use_l10n=True)
    return texts["target_line"] % {"target": target, "due": due}


def period_report_xlsx(report) -> bytes:
    """The periodic report as an A4 workbook a personnel department can print, sign and send."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    with translation.override(settings.LANGUAGE_CODE):
        texts = report_texts(report)
        wb = Workbook()
        ws = wb.active
        ws.title = _("Report")[:31]
        font = "Times New Roman"
        regular, bold, italic = Font(name=font, size=12), Font(name=font, size=12, bold=True), \
            Font(name=font, size=12, italic=True)
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        thin = Side(style="thin")
        box = Border(left=thin, right=thin, top=thin, bottom=thin)
        widths = (6, 42, 13, 13, 10, 10, 11)
        for col, w in zip("ABCDEFG", widths):
            ws.column_dimensions[col].width = w

        def put(row: int, first: str, last: str, value, style=regular, align=center, height=None):
            ws.merge_cells(f"{first}{row}:{last}{row}")
            cell = ws[f"{first}{row}"]
            export.cell_set(cell, value)
            cell.font, cell.alignment = style, align
            if height:
                ws.row_dimensions[row].height = height
            return cell

        def figures_row(row: int, values: list, style) -> None:
            # A unit's line or the total: the name left-aligned, percentages with one decimal, "—" for no figure.
            for col, v in enumerate(values, start=1):
                c = ws.cell(row=row, column=col)
                export.cell_set(c, "—" if v is None else v)
                c.font, c.border = style, box
                c.alignment = left if col == 2 else center
                if col in (5, 6) and v is not None:
                    c.number_format = "0.0"

        put(1, "A", "C", texts["issuer_parent"], regular)
        put(1, "D", "G", NATION, bold)
        put(2, "A", "C", texts["issuer"], bold)
        put(2, "D", "G", MOTTO, Font(name=font, size=12, bold=True, underline="single"))
        put(3, "A", "C", texts["number"], regular)
        put(3, "D", "G", texts["dated"], italic)
        put(5, "A", "G", texts["title"] + " " + texts["period"], Font(name=font, size=13, bold=True), height=36)
        put(6, "A", "G", texts["basis"], italic)
        put(7, "A", "G", texts["plan"], italic, height=30)
        row = 9
        for n, section in enumerate(report.sections, start=1):
            req = section.requirement
            heading = f"{roman(n)}. {req.title}" + (f" ({req.plan_clause})" if req.plan_clause else "")
            put(row, "A", "G", heading, bold, left, height=32)
            row += 1
            put(row, "A", "G", _target_line(texts, req), italic, left)
            row += 1
            for col, h in enumerate(texts["headers"], start=1):
                c = ws.cell(row=row, column=col)
                export.cell_set(c, h)
                c.font, c.alignment, c.border = bold, center, box
            ws.row_dimensions[row].height = 32
            row += 1
            for i, line in enumerate(section.lines, start=1):
                figures_row(row, [i, line["label"], line["audience"], line["done"], percent(line["coverage"]),
                                  float(line["target_percent"]), line["gap"]], regular)
                row += 1
            t = section.total
            figures_row(row, ["", texts["total"], t["audience"], t["done"], percent(t["coverage"]),
                              float(t["target_percent"]), t["gap"]], bold)
            row += 2
        if report.notes:
            put(row, "A", "G", texts["notes"], italic, left)
            row += 1
            for note in report.notes:
                put(row, "A", "G", f"- {note}", regular, left)
                row += 1
            row += 1
        # Signature block: recipients on the left, the head of the unit on the right.
        put(row, "A", "B", texts["recipients"], Font(name=font, size=11, bold=True, italic=True), left)
        put(row, "D", "G", texts["signer"], bold)
        for i, line in enumerate(texts["recipient_lines"], start=1):
            put(row + i, "A", "B", line, Font(name=font, size=10), left)
        put(row + 1, "D", "G", texts["signer_note"], italic)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.6
        return export.xlsx_bytes(wb)


def period_report_html(report) -> str:
    """The periodic report as printable HTML (the PDF's source)."""
    with translation.override(settings.LANGUAGE_CODE):
        texts = report_texts(report)
        sections = [{"n": roman(i), "requirement": s.requirement, "target_line": _target_line(texts, s.requirement),
                     "lines": [dict(line, coverage_text=percent_text(line["coverage"]),
                                    target_text=percent_text(line["target_percent"])) for line in s.lines],
                     "total": dict(s.total, coverage_text=percent_text(s.total["coverage"]),
                                   target_text=percent_text(s.total["target_percent"]))}
                    for i, s in enumerate(report.sections, start=1)]
        return render_to_string("reports/period_report_pdf.html", {
            "report": report, "t": texts, "sections": sections, "nation": NATION, "motto": MOTTO})


def period_report_pdf(report) -> bytes:
    """The periodic report as an A4 PDF (WeasyPrint)."""
    from weasyprint import HTML

    return HTML(string=period_report_html(report), base_url=str(settings.BASE_DIR)).write_pdf()


def period_report_name(period: str, year: int, unit_name: str) -> str:
    """What a periodic report is called, capitalised as a heading: "Báo cáo quý I năm 2026 — Sở Nội vụ"."""
    # Translators: %(period)s is a period as in "quý I năm 2026"; the whole names a periodic report.
    return _("Report for %(period)s — %(unit)s") % {"period": period_label(period, year), "unit": unit_name}


def file_name(title: str, ext: str) -> str:
    """A title made a file's name: no character a file system refuses, dashes for the em dash and the colon,
    at most 200 characters before the extension (downloads add an ASCII fallback)."""
    name = title.replace(" — ", " - ").replace(": ", " - ")
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name)
    return f"{' '.join(name.split())[:200].rstrip(' -')}.{ext}"


def period_file_name(report, ext: str) -> str:
    """The file's name in the documents' language, e.g. "Báo cáo quý I năm 2026 - Sở Nội vụ.pdf" (downloads add
    an ASCII fallback, "bao-cao-quy-i-nam-2026-so-noi-vu.pdf")."""
    with translation.override(settings.LANGUAGE_CODE):
        return file_name(period_report_name(report.period, report.year, report.unit.name), ext)


def missing_title(requirement_title: str, unit_name: str) -> str:
    """The heading of a list of who has not completed a requirement, also its file's name."""
    return _("Not completed: %(requirement)s — %(unit)s") % {"requirement": requirement_title, "unit": unit_name}
