"""Files as offices make them: old Vietnamese font encodings (TCVN3, VNI) and Windows-1258 CSVs read as Unicode,
names normalised, the header found below a title, hidden rows reported. No database."""
import csv
import io
import unicodedata
from pathlib import Path

import pytest
from openpyxl import Workbook

from common import export
from common.legacy_text import (TCVN3_MAP, VNI_PAIRS, VNI_SINGLE, from_tcvn3, from_vni, is_vietnamese_text,
                                is_vietnamese_word)
from common.tabular import Column, TableRefused, map_columns, read_frame

COLUMNS = (Column("code", "Mã cán bộ", True), Column("name", "Họ và tên", True), Column("unit", "Đơn vị"))
NAMES = ["Nguyễn Văn Hùng", "Phường Trảng Dài", "Sở Nội vụ", "Trần Thị Thu Thủy", "Lê Quang Huỳnh",
         "Phạm Ngọc Quyết", "Hoàng Thị Yến", "Đặng Xuân Trường", "Vũ Đức Nghĩa", "Bùi Thị Ánh Tuyết",
         "Dương Khánh Uyên", "Ngô Gia Giữ", "Điểu K'Lê", "Y Bih Niê", "Đoàn Thị Oanh", "Huỳnh Quốc Khương",
         "NGUYỄN THỊ HƯỜNG", "Thị trấn Trảng Bom", "Xã Đăk Lua", "Ủy ban nhân dân huyện Xuân Lộc"]
# Common family, middle and given names, both tone placements (Hòa/Hoà, Thủy/Thuỷ) and words starting with a vowel.
GIVEN = """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Lương Trương Mai Tạ Quách
Thái Châu Kiều La Lâm Khổng Triệu Văn Thị Hữu Đức Minh Quang Thanh Ngọc Thu Thủy Thùy Hương Hường Hạnh Hằng Hoa Hòa Hoà
Huệ Lan Liên Linh Loan My Mỹ Nga Nguyệt Nhung Oanh Phương Phượng Quyên Quỳnh Sương Tâm Thảo Thắm Thoa Thúy Trang
Trinh Tuyết Uyên Vân Vy Xuân Yến Anh Ánh Bảo Bình Cường Dũng Duy Đạt Định Giang Hải Hiếu Hiển Hùng Huy Khải Khang
Khánh Khoa Khôi Kiên Lộc Long Luân Mạnh Nam Nghĩa Nhân Phát Phong Phúc Quân Quốc Quý Sơn Tài Tân Thắng Thành Thịnh
Tiến Toàn Trí Trung Tuấn Tùng Việt Vinh Vượng Hưng Thuận Khuê Hiền Diệp Điệp Nhàn Xoan Ngát Thơm Khuyên Huyền Toản
Thuyết Doãn Viên Kỳ Tú Tuệ Nhuận Ngoạn Khiêm Nghiệp Chiến Lực Đoàn Giáp Diệu Thuỷ Tuỳ Ỷ Ơn Ửng Nhữ Ứng Yên Ổn""".split()
DATA = Path(__file__).resolve().parents[2] / "org" / "data"

_TO_TCVN3 = {u: t for t, u in TCVN3_MAP.items()}
_TO_VNI = {u: v for v, u in VNI_SINGLE.items() if v.lower() != u.lower() or v != u}
_TO_VNI |= {u: v for v, u in VNI_PAIRS.items() if v[0].islower() == v[1].islower()}


def to_tcvn3(text: str) -> str:
    """As a .VnTime cell holds it (TCVN3 has no toned capitals: an initial capital is typed as the small letter
    with a capitals font, which this helper does not model; the test names' capitals are plain)."""
    return "".join(_TO_TCVN3.get(ch, _TO_TCVN3.get(ch.lower(), ch)) for ch in unicodedata.normalize("NFC", text))


def to_vni(text: str) -> str:
    return "".join(_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def to_cp1258(text: str) -> bytes:
    """As Windows writes Windows-1258: a letter the code page lacks is its base letter and a combining tone."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tone = next(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", decomposed.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def xlsx(rows, hidden=()) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    for number in hidden:
        wb.active.row_dimensions[number].hidden = True
    return export.xlsx_bytes(wb)


def csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def names_of(frame) -> list[str]:
    frame, errors = map_columns(frame, COLUMNS)
    assert errors == []
    return list(frame["name"])


def roster(names):
    return [["Mã cán bộ", "Họ và tên", "Đơn vị"]] + [[f"X-{i}", name, "Sở Nội vụ"] for i, name in enumerate(names)]


# --- Recognising Vietnamese --------------------------------------------------------------------------------------

def real_unit_names() -> set[str]:
    names = set()
    for path in DATA.glob("*.csv"):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                names |= {row[k] for k in ("name", "new_name", "old_name") if row.get(k)}
    return names


def test_every_real_unit_name_and_person_name_is_vietnamese_as_it_stands():
    names = real_unit_names()
    assert len(names) > 300
    assert [n for n in names | set(NAMES) | set(GIVEN) if not is_vietnamese_text(n)] == []
    assert is_vietnamese_text(unicodedata.normalize("NFD", "Nguyễn Văn Hùng"))


@pytest.mark.parametrize("word", ["NguyÔn", "V¨n", "Hïng", "Nguyeãn", "Vaên", "Huøng", "Traàn", "caùc", "Müller",
                                  "NguyễN", "Việc̀", "xaõ", "miá", "Quúnh"])
def test_mojibake_is_not_a_vietnamese_word(word):
    assert not is_vietnamese_word(word)


def test_the_tables_give_the_known_conversions():
    assert from_tcvn3("NguyÔn V¨n Hïng") == "Nguyễn Văn Hùng"
    assert from_tcvn3("Ph\xadêng Tr¶ng Dµi, Së Néi vô") == "Phường Trảng Dài, Sở Nội vụ"
    assert from_tcvn3("B¶o Th¾ng") == "Bảo Thắng"
    assert from_tcvn3("NGUYÔN V¡N HïNG") == "NGUYỄN VĂN HÙNG"  # typed with a capitals font (.VnTimeH)
    assert from_tcvn3("Thu ¸nh") == "Thu Ánh" and from_tcvn3("ñy ban nh©n d©n") == "Ủy ban nhân dân"  # no toned capitals
    assert from_tcvn3("§ang c«ng t¸c ë ®©y") == "Đang công tác ở đây"
    assert from_vni("Nguyeãn Vaên Huøng") == "Nguyễn Văn Hùng"
    assert from_vni("Phöôøng Traûng Daøi, Sôû Noäi vuï") == "Phường Trảng Dài, Sở Nội vụ"
    assert from_vni("Xin chaøo caùc baïn") == "Xin chào các bạn"


def test_unicode_and_ascii_files_are_left_as_they_are():
    names = sorted(real_unit_names()) + NAMES + ["Nguyen Van A", "Le Thi B"]
    frame = read_frame(xlsx(roster(names)), "ds.xlsx", columns=COLUMNS)
    assert names_of(frame) == names and frame.attrs["warnings"] == []
    frame = read_frame(csv_text(roster(names)).encode("utf-8"), "ds.csv", columns=COLUMNS)
    assert names_of(frame) == names and frame.attrs["warnings"] == []


# --- Converting files --------------------------------------------------------------------------------------------

def test_tcvn3_text_in_an_xlsx_is_converted_and_the_importer_told():
    rows = [["Mã cán bộ", "Họ và tên", "Đơn vị"]] + [
        [f"X-{i}", to_tcvn3(name), to_tcvn3("Phường Trảng Dài")] for i, name in enumerate(NAMES[:3])]
    rows[0] = [to_tcvn3(h) for h in rows[0]]  # the header was typed in .VnTime too
    assert rows[1][1] == "NguyÔn V¨n Hïng"
    frame = read_frame(xlsx(rows), "ds.xlsx", columns=COLUMNS)
    assert names_of(frame) == NAMES[:3]
    assert set(frame.iloc[:, 2]) == {"Phường Trảng Dài"}
    [warning] = frame.attrs["warnings"]
    assert "TCVN3 (ABC)" in warning and "Unicode" in warning


def test_every_real_unit_name_and_given_name_comes_back_from_tcvn3_and_vni():
    names = sorted(real_unit_names()) + [f"{a} {b} {c}" for a, b, c in zip(GIVEN, GIVEN[40:], GIVEN[80:])]
    for encode in (to_tcvn3, to_vni):
        rows = [["Mã cán bộ", "Họ và tên"]] + [[f"X-{i}", encode(n)] for i, n in enumerate(names)]
        frame = read_frame(xlsx(rows), "ds.xlsx", columns=COLUMNS)
        assert names_of(frame) == names


def test_vni_text_in_a_utf8_csv_and_vni_bytes_in_a_csv_are_converted():
    rows = [["Mã cán bộ", "Họ và tên", "Đơn vị"]] + [[f"X-{i}", to_vni(n), to_vni("Sở Nội vụ")]
                                                      for i, n in enumerate(NAMES[:5])]
    frame = read_frame(csv_text(rows).encode("utf-8-sig"), "ds.csv", columns=COLUMNS)
    assert names_of(frame) == NAMES[:5] and "VNI" in frame.attrs["warnings"][0]
    ascii_header = [["Ma can bo", "Ho va ten", "Don vi"]] + rows[1:]
    frame = read_frame(csv_text(ascii_header).encode("cp1252"), "ds.csv", columns=COLUMNS)  # what VNI-Times saves
    assert names_of(frame) == NAMES[:5] and set(frame.iloc[:, 2]) == {"Sở Nội vụ"}


def test_one_pasted_vni_cell_in_a_unicode_file_is_converted_and_nothing_else():
    names = NAMES[1:] + ["Lê Văn Hoà", "Phan Thị Thôm"]  # VNI would read these as Lê Văn Hồ, Phan Thị Thơm
    frame = read_frame(xlsx(roster(["Nguyeãn Vaên Huøng"] + names)), "ds.xlsx", columns=COLUMNS)
    assert names_of(frame) == ["Nguyễn Văn Hùng"] + names
    assert "1" in frame.attrs["warnings"][0] and "VNI" in frame.attrs["warnings"][0]


def test_tcvn3_bytes_in_a_csv_are_converted():
    rows = [["Ma can bo", "Ho va ten"]] + [[f"X-{i}", to_tcvn3(n)] for i, n in enumerate(NAMES[:3])]
    frame = read_frame(csv_text(rows).encode("latin-1"), "ds.csv", columns=COLUMNS)
    assert names_of(frame) == NAMES[:3] and "TCVN3" in frame.attrs["warnings"][0]


def test_a_windows_1258_csv_is_decoded_with_its_tone_marks_composed():
    data = to_cp1258(csv_text(roster(NAMES)))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    frame = read_frame(data, "ds.csv", columns=COLUMNS)
    assert names_of(frame) == NAMES
    assert all(unicodedata.is_normalized("NFC", n) for n in names_of(frame))
    assert "Windows-1258" in frame.attrs["warnings"][0]


def test_a_file_mixing_tcvn3_and_vni_is_refused_with_how_to_convert_it():
    with pytest.raises(TableRefused) as refused:
        read_frame(xlsx(roster(["NguyÔn V¨n Hïng", "Nguyeãn Vaên Huøng"])), "ds.xlsx", columns=COLUMNS)
    [error] = refused.value.errors
    assert "TCVN3" in error.message and "VNI" in error.message and "Chuyển mã" in error.message


def test_a_file_no_table_reads_whole_is_refused_with_how_to_convert_it():
    rows = roster([to_tcvn3("Nguyễn Văn Hùng"), to_tcvn3("Lê Thị Hà") + " ü¿"])
    with pytest.raises(TableRefused) as refused:
        read_frame(xlsx(rows), "ds.xlsx", columns=COLUMNS)
    [error] = refused.value.errors
    assert error.row == 3 and "TCVN3" in error.message and "Chuyển mã" in error.message


# --- Normalised text ---------------------------------------------------------------------------------------------

def test_every_cell_is_nfc_with_single_spaces():
    rows = roster([unicodedata.normalize("NFD", "Nguyễn  Văn\u00a0Hùng "), "Lê\u200b Thị\nHà"])
    frame = read_frame(xlsx(rows), "ds.xlsx", columns=COLUMNS)
    assert names_of(frame) == ["Nguyễn Văn Hùng", "Lê Thị Hà"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names_of(frame))


# --- The header --------------------------------------------------------------------------------------------------

def test_the_header_is_found_below_a_title_with_required_markers_and_line_breaks():
    rows = [["DANH SÁCH CÁN BỘ, CÔNG CHỨC", "", ""], ["Đơn vị: Sở Nội vụ", "", ""], ["", "", ""],  # as Excel pads
            ["Mã cán\nbộ (*)", "Họ và tên*", "Đơn vị"], ["X-1", "Lê Thị Hà", "Sở Nội vụ"]]
    for data, name in ((xlsx(rows), "ds.xlsx"), (csv_text(rows).encode("utf-8"), "ds.csv")):
        frame = read_frame(data, name, columns=COLUMNS)
        assert frame.attrs["header_row"] == 4 and list(frame.index) == [5]
        assert names_of(frame) == ["Lê Thị Hà"]


def test_a_csv_title_line_without_delimiters_is_skipped_and_the_delimiter_found_below_it():
    data = "DANH SÁCH CÁN BỘ\n\nMã cán bộ;Họ và tên;Đơn vị\nX-1;Lê Thị Hà;Sở Nội vụ\nX-2;Ngô Văn Bình\n".encode()
    frame = read_frame(data, "ds.csv", columns=COLUMNS)
    assert frame.attrs["header_row"] == 3 and names_of(frame) == ["Lê Thị Hà", "Ngô Văn Bình"]
    with pytest.raises(TableRefused) as refused:
        read_frame(data + "X-3;An;Sở Nội vụ;thừa\n".encode(), "ds.csv", columns=COLUMNS)
    assert refused.value.errors[0].row == 6


def test_a_missing_column_is_reported_on_the_header_row_not_the_title():
    rows = [["DANH SÁCH CÁN BỘ"], ["Mã cán bộ", "Đơn vị"], ["X-1", "Sở Nội vụ"]]
    _frame, errors = map_columns(read_frame(xlsx(rows), "ds.xlsx", columns=COLUMNS), COLUMNS)
    assert [(e.row, e.column) for e in errors] == [(2, "Họ và tên")]


# --- Hidden rows -------------------------------------------------------------------------------------------------

def test_hidden_rows_are_refused_with_their_numbers():
    rows = roster(["Lê Thị Hà", "Trần Văn Bình", "Ngô Thị Cúc"]) + [[], []]
    with pytest.raises(TableRefused) as refused:
        read_frame(xlsx(rows, hidden=(3, 6)), "ds.xlsx", columns=COLUMNS)  # row 6 is empty: nothing to see
    assert [e.row for e in refused.value.errors] == [3]
    assert "hidden" in refused.value.errors[0].message or "ẩn" in refused.value.errors[0].message
    assert len(read_frame(xlsx(rows), "ds.xlsx", columns=COLUMNS)) == 3
