"""The shared tabular reader and writer: what every import and export relies on, without a database."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from common import export
from common.tabular import Column, TableRefused, header_key, map_columns, read_frame, yes_no

COLUMNS = (Column("code", "Mã cán bộ", True, aliases=("ma so",)), Column("name", "Họ và tên", True),
           Column("note", "Ghi chú"))


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    return export.xlsx_bytes(wb)


def test_headers_match_without_case_diacritics_or_punctuation():
    assert header_key(" Mã cán bộ (*) ") == "ma can bo"
    frame = read_frame("MA SO;Ho va ten\nX-1;Lê Thị B\n".encode(), "ds.csv")
    frame, errors = map_columns(frame, COLUMNS)
    assert errors == [] and frame.to_dict("records") == [{"code": "X-1", "name": "Lê Thị B", "note": ""}]


def test_rows_keep_the_spreadsheet_numbers_and_blank_rows_are_skipped():
    frame = read_frame(xlsx([["Mã cán bộ", "Họ và tên"], ["A", "An"], [None, None], ["B", " Bình "]]), "ds.xlsx")
    assert list(frame.index) == [2, 4] and frame.iloc[1].tolist() == ["B", "Bình"]


def test_a_header_below_a_title_is_found_when_the_caller_looks_for_it():
    data = xlsx([["Danh sách cán bộ"], [], ["Mã cán bộ", "Họ và tên"], ["A", "An"]])
    assert list(read_frame(data, "ds.xlsx", columns=COLUMNS, search_rows=5).index) == [4]
    _frame, errors = map_columns(read_frame(data, "ds.xlsx"), COLUMNS)
    assert [(e.row, e.column) for e in errors] == [(1, "Mã cán bộ"), (1, "Họ và tên")]


def test_a_csv_line_longer_than_the_header_is_refused_with_its_row():
    with pytest.raises(TableRefused) as refused:
        read_frame(b"a,b\n1,2\n3,4,5\n", "ds.csv")
    assert refused.value.errors[0].row == 3


def test_a_damaged_workbook_is_refused_not_crashed():
    with pytest.raises(TableRefused):
        read_frame(b"PK\x03\x04 not really a zip", "ds.xlsx")


def test_yes_no_words():
    assert [yes_no(w) for w in ("x", "Có", "không", "0", "maybe")] == [True, True, False, False, None]


def test_csv_has_a_byte_order_mark_and_no_formula_survives():
    data = export.csv_bytes(["Họ và tên", "SĐT"], [["=HYPERLINK(\"http://x\")", "+84 912 345 678"],
                                                   ["@SUM(1)", "-1,5"], [None, "-"]])
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",+84 912 345 678'
    assert lines[2] == "'@SUM(1),\"-1,5\"" and lines[3] == ",-"


def test_workbook_text_is_never_a_formula():
    wb = Workbook()
    export.row_append(wb.active, ["=1+1", "a\x00b", 3])
    sheet = load_workbook(io.BytesIO(export.xlsx_bytes(wb))).active
    assert [c.value for c in sheet[1]] == ["=1+1", "ab", 3] and sheet["A1"].data_type == "s"
    streamed = load_workbook(io.BytesIO(export.xlsx_table(["h"], [["=cmd|' /C calc'!A0"]], title="T"))).active
    assert streamed["A2"].data_type == "s"


def test_a_template_reads_back_with_its_own_columns():
    wb = export.template_workbook(COLUMNS, title="Danh sách", lists={"note": ["x"]}, guide_note="Ghi chú chung")
    frame, errors = map_columns(read_frame(export.xlsx_bytes(wb), "mau.xlsx"), COLUMNS)
    assert errors == [] and frame.empty
    assert wb.sheetnames == ["Danh sách", "Hướng dẫn"]
