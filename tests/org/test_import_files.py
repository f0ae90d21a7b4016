"""Roster and unit files as offices make them, end to end: a title above the header, names re-saved in NFD, an old
.VnTime (TCVN3) roster and a Windows-1258 CSV, through the reader, the validation and the import job's page."""
import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from common import export
from org import parsing, services
from org.models import ImportJob, Official, Transfer, Unit, UnitVersion, User

from ..common.test_tabular_files import to_cp1258, to_tcvn3
from .conftest import HEADERS, roster_rows, to_csv, to_xlsx

pytestmark = pytest.mark.django_db

NAMES = ["Nguyễn Văn Hùng", "Trần Thị Thu Thủy", "Lê Quang Huỳnh", "Phạm Ngọc Quyết", "Đặng Xuân Trường"]


def run(data: bytes, name: str):
    frame = parsing.read_table(data, name)
    rows, errors = parsing.roster_validate(frame, scope=parsing.Scope(all_units=True, all_officials=True,
                                                                         can_manage=True))
    if errors:
        raise parsing.ImportRefused(errors)
    return services.roster_apply(rows, by=None)


def named_rows():
    rows = roster_rows(len(NAMES))
    for row, name in zip(rows, NAMES):
        row[1] = name
    return rows


def state():
    return (sorted(Official.objects.values_list("employee_code", "full_name", "unit_id", "email")),
            Transfer.objects.count(), User.objects.count())


def test_a_roster_re_saved_in_nfd_with_extra_spaces_changes_nothing(tree):
    run(to_xlsx(named_rows()), "ds.xlsx")
    before = state()
    rows = named_rows()
    for row in rows:
        row[1] = unicodedata.normalize("NFD", row[1]).replace(" ", "  ") + " "
    result = run(to_csv(rows), "ds.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 0, len(NAMES))
    assert state() == before
    assert Official.objects.get(employee_code="BH-00000").full_name == "Nguyễn Văn Hùng"


def test_a_unit_tree_re_saved_in_nfd_renames_nothing(tree):
    headers = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Mã đơn vị cấp trên"]
    rows = [["25993", unicodedata.normalize("NFD", "Phường  Trảng Dài"), "Phường", "731"]]
    frame = parsing.read_table(to_csv(rows, headers=headers), "dv.csv")
    valid, errors = parsing.units_validate(frame, scope=parsing.Scope(all_units=True, all_officials=True,
                                                                       can_manage=True))
    assert errors == []
    history = UnitVersion.objects.count()
    result = services.units_apply(valid, by=None)
    assert result.unchanged == 1 and UnitVersion.objects.count() == history
    assert Unit.objects.get(code="25993").name == "Phường Trảng Dài"


def test_a_title_above_the_header_is_skipped_and_a_missing_column_named_on_the_header_row(tree):
    wb = Workbook()
    wb.active.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC PHƯỜNG TRẢNG DÀI"])
    wb.active.append([])
    wb.active.append([h + " (*)" if i < 4 else h for i, h in enumerate(HEADERS)])
    for row in named_rows():
        wb.active.append(row)
    assert run(export.xlsx_bytes(wb), "ds.xlsx").created == len(NAMES)
    assert Official.objects.get(employee_code="BH-00004").full_name == "Đặng Xuân Trường"

    wb = Workbook()
    wb.active.append(["DANH SÁCH CÁN BỘ"])
    wb.active.append([h for h in HEADERS if h != "Phân loại"])
    with pytest.raises(parsing.ImportRefused) as refused:
        run(export.xlsx_bytes(wb), "ds.xlsx")
    assert str(refused.value.errors[0]) == "Dòng 2, cột “Phân loại”: dòng tiêu đề thiếu cột bắt buộc này."


def _tcvn3_roster() -> bytes:
    rows = [[to_tcvn3(cell) for cell in row] for row in named_rows()]
    assert rows[0][1] == "NguyÔn V¨n Hïng"
    return to_xlsx(rows, headers=[to_tcvn3(h) for h in HEADERS])


def test_a_tcvn3_roster_is_previewed_in_unicode_then_imported_once_the_names_are_checked(
        client, tree, bien_hoa_officer, long_khanh_official, django_capture_on_commit_callbacks):
    client.force_login(bien_hoa_officer.user)
    upload = SimpleUploadedFile("danh-sach.xlsx", _tcvn3_roster())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/nhap-du-lieu/", {"kind": "roster", "file": upload})
    preview = ImportJob.objects.get()
    assert preview.status == ImportJob.Status.DONE, preview.errors
    assert preview.summary["dry_run"] and preview.summary["encoding_preview"]
    assert not Official.objects.filter(employee_code__startswith="BH-").exists()  # nothing written yet
    html = client.get(response["Location"]).content.decode()
    assert "Tệp dùng bảng mã TCVN3 (ABC)" in html and "“NguyÔn V¨n Hïng” thành “Nguyễn Văn Hùng”" in html
    assert "<td>NguyÔn V¨n Hïng</td><td>Nguyễn Văn Hùng</td>" in html and 'id="encoding-confirm"' in html
    # Someone else cannot confirm another officer's preview.
    client.force_login(long_khanh_official.user)
    assert client.post(f"/nhap-du-lieu/{preview.pk}/nhap-that/").status_code == 404
    client.force_login(bien_hoa_officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/nhap-du-lieu/{preview.pk}/nhap-that/")
    job = ImportJob.objects.exclude(pk=preview.pk).get()
    assert confirmed["Location"] == f"/nhap-du-lieu/{job.pk}/"
    assert job.status == ImportJob.Status.DONE and not job.summary["dry_run"], job.errors
    imported = Official.objects.filter(employee_code__startswith="BH-")
    assert sorted(imported.values_list("full_name", flat=True)) == sorted(NAMES)
    assert Official.objects.get(employee_code="BH-00000").position == "Tư pháp – Hộ tịch"
    assert client.get(f"/api/imports/{job.pk}").json()["summary"]["warnings"] == job.summary["warnings"]
    # A preview is confirmed once.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/nhap-du-lieu/{preview.pk}/nhap-that/")
    assert ImportJob.objects.count() == 2


def test_a_tcvn3_roster_through_the_api_is_previewed_until_checked(client, tree, bien_hoa_officer,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(bien_hoa_officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post("/api/imports", {"kind": "roster", "file": SimpleUploadedFile("ds.xlsx", _tcvn3_roster())})
    assert made.status_code == 201
    preview = client.get(f"/api/imports/{made.json()['id']}").json()
    assert preview["summary"]["encoding_preview"] is True
    assert ["Nguyễn Văn Hùng" in sample for sample in preview["summary"]["legacy_samples"]].count(True) == 1
    assert not Official.objects.filter(employee_code__startswith="BH-").exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/api/imports/{made.json()['id']}/confirm")
    assert confirmed.status_code == 201
    assert Official.objects.filter(employee_code__startswith="BH-").count() == len(NAMES)
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post("/api/imports", {"kind": "roster", "encoding_checked": "true",
                                               "file": SimpleUploadedFile("ds.xlsx", _tcvn3_roster())})
    assert client.get(f"/api/imports/{checked.json()['id']}").json()["summary"]["dry_run"] is False


def test_the_command_previews_a_tcvn3_roster_until_told_the_names_were_checked(tree, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(_tcvn3_roster())
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    assert "“NguyÔn V¨n Hïng” → “Nguyễn Văn Hùng”" in out.getvalue() and "--encoding-checked" in out.getvalue()
    assert not Official.objects.filter(employee_code__startswith="BH-").exists()
    call_command("import_roster", str(path), "--encoding-checked", stdout=io.StringIO())
    assert sorted(Official.objects.filter(employee_code__startswith="BH-").values_list("full_name", flat=True)) == \
        sorted(NAMES)


def test_the_command_reads_a_windows_1258_csv_and_says_so(tree, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(to_cp1258(to_csv(named_rows()).decode("utf-8-sig")))
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    assert "Windows-1258" in out.getvalue()
    assert sorted(Official.objects.values_list("full_name", flat=True)) == sorted(NAMES)


def test_hidden_rows_of_a_roster_are_refused_by_number(tree):
    wb = Workbook()
    wb.active.append(HEADERS)
    for row in named_rows():
        wb.active.append(row)
    wb.active.row_dimensions[4].hidden = True
    with pytest.raises(parsing.ImportRefused) as refused:
        run(export.xlsx_bytes(wb), "ds.xlsx")
    assert [e.row for e in refused.value.errors] == [4] and "ẩn" in refused.value.errors[0].message
    assert Official.objects.count() == 0


def test_a_hidden_column_the_import_reads_is_refused_by_letter_an_unread_one_is_not(tree):
    wb = Workbook()
    wb.active.append([*HEADERS, "Ghi chú riêng"])
    for row in named_rows():
        wb.active.append([*row, "không nhập"])
    wb.active.column_dimensions[chr(ord("A") + len(HEADERS))].hidden = True  # the notes: not read
    run(export.xlsx_bytes(wb), "ds.xlsx")  # imports
    wb.active.column_dimensions["B"].hidden = True  # the names
    Official.objects.all().delete()
    with pytest.raises(parsing.ImportRefused) as refused:
        run(export.xlsx_bytes(wb), "ds.xlsx")
    error = refused.value.errors[0]
    assert (error.row, error.column) == (1, HEADERS[1]) and "cột B" in error.message and "ẩn" in error.message
    assert Official.objects.count() == 0
