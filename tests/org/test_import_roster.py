"""Roster import: all rows or none, errors in Vietnamese naming row and column, re-import is a no-op."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from org import parsing, services
from org.models import ImportJob, Official, Transfer, User
from org.services import import_job_run

from .conftest import EVERYTHING, HEADERS, roster_rows, to_csv, to_xlsx

pytestmark = pytest.mark.django_db


def run(data: bytes, name: str, scope=EVERYTHING):
    frame = parsing.read_table(data, name)
    rows, errors = parsing.roster_validate(frame, scope=scope)
    if errors:
        raise parsing.ImportRefused(errors)
    return services.roster_apply(rows, by=None)


def state():
    """Everything an import can change, to compare before and after."""
    return (
        sorted(Official.objects.values_list("employee_code", "full_name", "unit_id", "status", "email", "is_leader")),
        Transfer.objects.count(),
        User.objects.count(),
    )


def test_import_creates_officials_with_accounts_and_first_posting(tree):
    result = run(to_csv(roster_rows(20)), "ds.csv")
    assert (result.created, result.updated, result.unchanged) == (20, 0, 0)
    official = Official.objects.get(employee_code="BH-00007")
    assert official.unit.code == "25996" and official.is_one_stop_receiver and official.category == "cong_chuc"
    assert official.user.username == "bh-00007" and not official.user.has_usable_password()
    assert official.date_of_birth.strftime("%d/%m/%Y") == "15/03/1985"
    assert official.transfers.get().to_unit.code == "25996"


def test_reimporting_the_same_file_changes_nothing(tree):
    data = to_xlsx(roster_rows(30))
    run(data, "ds.xlsx")
    before = state()
    result = run(data, "ds.xlsx")
    assert (result.created, result.updated, result.transferred, result.unchanged) == (0, 0, 0, 30)
    assert state() == before


def test_a_changed_unit_is_recorded_as_a_transfer_and_the_person_keeps_their_account(tree):
    rows = roster_rows(3)
    run(to_csv(rows), "ds.csv")
    official = Official.objects.get(employee_code="BH-00001")
    user_id = official.user_id
    rows[1][2] = "26071"  # moves to Long Khánh
    rows[1][13] = "01/07/2020"
    result = run(to_csv(rows), "ds.csv")
    assert result.transferred == 1
    official.refresh_from_db()
    assert official.unit.code == "26071" and official.user_id == user_id
    last = official.transfers.order_by("-id").first()
    assert (last.from_unit.code, last.to_unit.code, last.effective_date.isoformat()) == ("25996", "26071", "2020-07-01")


def test_one_bad_row_among_thousands_refuses_the_file_and_names_row_and_column(tree):
    run(to_csv(roster_rows(10)), "ds.csv")
    before = state()
    rows = roster_rows(3000)
    rows[1234][2] = "99999"  # unknown unit: spreadsheet row 1234 + 2 = 1236
    job_file = to_csv(rows)
    with pytest.raises(parsing.ImportRefused) as refused:
        run(job_file, "ds.csv")
    assert [str(e) for e in refused.value.errors] == [
        "Dòng 1236, cột “Mã đơn vị”: không có đơn vị nào có mã 99999."
    ]
    assert state() == before


def test_every_kind_of_bad_row_is_reported_at_once(tree):
    rows = roster_rows(6)
    rows[0][1] = ""  # missing name
    rows[1][0] = rows[2][0]  # duplicate code
    rows[3][12] = "31/02/1985"  # impossible date
    rows[4][3] = "Hợp đồng"  # unknown category
    rows[5][10] = "khong-phai-email"
    with pytest.raises(parsing.ImportRefused) as refused:
        run(to_csv(rows), "ds.csv")
    found = {(e.row, e.column) for e in refused.value.errors}
    assert found == {(2, "Họ và tên"), (4, "Mã cán bộ"), (5, "Ngày sinh"), (6, "Phân loại"), (7, "Email")}
    assert Official.objects.count() == 0


def test_a_csv_in_no_known_encoding_is_refused_with_the_line(tree):
    rows = roster_rows(5)
    rows[2][1] = "Jürgen Müller"
    data = to_csv(rows, encoding="utf-8-sig")
    data = data.replace("Jürgen Müller".encode(), "Jürgen Müller".encode("latin-1"))  # not UTF-8, nor Vietnamese
    with pytest.raises(parsing.ImportRefused) as refused:
        parsing.read_table(data, "ds.csv")
    message = str(refused.value.errors[0])
    assert message.startswith("Dòng 4:") and "UTF-8" in message


def test_a_missing_required_column_is_named(tree):
    headers = [h for h in HEADERS if h != "Phân loại"]
    rows = [r[:3] + r[4:] for r in roster_rows(2)]
    with pytest.raises(parsing.ImportRefused) as refused:
        run(to_csv(rows, headers=headers), "ds.csv")
    assert str(refused.value.errors[0]) == "Dòng 1, cột “Phân loại”: dòng tiêu đề thiếu cột bắt buộc này."


def test_headers_without_diacritics_and_semicolons_are_accepted(tree):
    headers = ["Ma can bo", "Ho va ten", "Ma don vi", "Phan loai"]
    data = ("\n".join([";".join(headers), "X-1;Trần Văn A;25993;Cán bộ", "X-2;Lê Thị B;25996;vien chuc"])).encode()
    result = run(data, "ds.csv")
    assert result.created == 2
    assert Official.objects.get(employee_code="X-2").category == "vien_chuc"


def test_personnel_officer_cannot_import_into_another_district(tree, bien_hoa_officer):
    from org.selectors import scope_for

    rows = roster_rows(2, unit_codes=("25993", "26071"))
    with pytest.raises(parsing.ImportRefused) as refused:
        run(to_csv(rows), "ds.csv", scope=scope_for(bien_hoa_officer.user))
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "Mã đơn vị")]
    assert "ngoài phạm vi" in refused.value.errors[0].message


def test_upload_page_refuses_bad_file_and_lists_errors_in_vietnamese(client, tree, bien_hoa_officer,
                                                                     django_capture_on_commit_callbacks):
    client.force_login(bien_hoa_officer.user)
    rows = roster_rows(50)
    rows[10][13] = "2020/13/45"
    upload = SimpleUploadedFile("danh-sach.csv", to_csv(rows), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/nhap-du-lieu/", {"kind": "roster", "file": upload})
    html = client.get(response["Location"]).content.decode()
    assert 'class="status-failed">Bị từ chối: có lỗi</strong>' in html
    assert "Tệp bị từ chối do có 1 lỗi. Chưa có dữ liệu nào được nhập; vui lòng sửa tệp và tải lên lại." in html
    assert "Ngày hiệu lực" in html and ">12<" in html
    assert Official.objects.filter(employee_code__startswith="BH-").count() == 0
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.errors[0]["row"] == 12


def test_upload_then_api_reports_the_finished_import(client, tree, bien_hoa_officer,
                                                     django_capture_on_commit_callbacks):
    client.force_login(bien_hoa_officer.user)
    upload = SimpleUploadedFile("danh-sach.xlsx", to_xlsx(roster_rows(25)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/imports", {"kind": "roster", "file": upload})
    assert response.status_code == 201
    job = client.get(f"/api/imports/{response.json()['id']}").json()
    assert job["status"] == "done" and job["summary"]["created"] == 25


def test_another_users_import_job_is_not_visible(client, tree, bien_hoa_officer, trang_dai_official):
    job = ImportJob.objects.create(kind="roster", original_name="x.csv", created_by=bien_hoa_officer.user,
                                   file=SimpleUploadedFile("x.csv", b"a"))
    client.force_login(trang_dai_official.user)
    assert client.get(f"/api/imports/{job.pk}").status_code == 404
    assert client.get(f"/nhap-du-lieu/{job.pk}/").status_code == 404


def test_running_a_finished_job_again_changes_nothing(tree, admin_user):
    job = ImportJob.objects.create(kind="roster", original_name="ds.csv", created_by=admin_user,
                                   file=SimpleUploadedFile("ds.csv", to_csv(roster_rows(5))))
    assert import_job_run(job_id=job.pk).status == "done"
    before = state()
    assert import_job_run(job_id=job.pk).status == "done"
    assert state() == before


def test_downloaded_xlsx_template_imports_once_filled_in(client, tree, admin_user):
    client.force_login(admin_user)
    response = client.get("/nhap-du-lieu/mau/roster.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb["Danh sách"]
    assert [c.value for c in sheet[1]] == [*HEADERS, "Xác nhận cùng người"]
    assert "Mã đơn vị" in wb.sheetnames and wb["Mã đơn vị"]["A2"].value == "75"
    sheet.append(roster_rows(1)[0])
    out = io.BytesIO()
    wb.save(out)
    assert run(out.getvalue(), "mau.xlsx").created == 1


def test_an_import_whose_worker_died_is_closed_by_the_periodic_task(tree, admin_user):
    import datetime as dt

    from django.utils import timezone

    from org.tasks import import_jobs_fail_stale_task

    job = ImportJob.objects.create(kind="roster", original_name="ds.csv", created_by=admin_user,
                                   status=ImportJob.Status.RUNNING, file=SimpleUploadedFile("ds.csv", b"x"))
    fresh = ImportJob.objects.create(kind="roster", original_name="ds2.csv", created_by=admin_user,
                                     status=ImportJob.Status.RUNNING, file=SimpleUploadedFile("ds2.csv", b"x"))
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    assert import_jobs_fail_stale_task.delay().get() == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == "failed" and "tải lên lại" in job.errors[0]["message"]
    assert fresh.status == "running"


def test_the_command_checks_a_file_without_writing_on_a_dry_run_then_imports_it(tree, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "ds.csv"
    path.write_bytes(to_csv(roster_rows(3)))
    call_command("import_roster", str(path), "--dry-run", stdout=io.StringIO())
    assert Official.objects.count() == 0
    call_command("import_roster", str(path), stdout=io.StringIO())
    assert Official.objects.count() == 3


def test_a_move_dated_before_the_official_s_latest_posting_is_refused_and_changes_nothing(tree):
    rows = roster_rows(3)
    run(to_csv(rows), "ds.csv")  # first postings dated 01/01/2020
    official = Official.objects.get(employee_code="BH-00001")
    rows[1][2] = "26071"
    rows[1][13] = "01/07/2019"
    with pytest.raises(parsing.ImportRefused) as refused:
        run(to_csv(rows), "ds.csv")
    assert any(e.row == 3 and "01/01/2020" in e.message for e in refused.value.errors)
    official.refresh_from_db()
    assert official.unit.code == "25996" and official.transfers.count() == 1
