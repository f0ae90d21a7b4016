"""Rosters as Excel writes them (issue 15): a file changes only what it says, codes keep their zeros, every error of
a row is told, and the command, the upload page and the API behave alike (the LMS is told; an empty file, a
formula without a saved value and two uploads at once are refused in Vietnamese; a job page never fails)."""
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from org import parsing, services
from org.models import ImportJob, Official
from org.signals import roster_changed
from tests.factories import OfficialFactory, RequirementFactory

from .conftest import EVERYTHING, HEADERS, roster_rows, to_csv, to_xlsx

pytestmark = pytest.mark.django_db

CHANNELS = ["command", "page", "api"]
REQUIRED = HEADERS[:4]


def run(data: bytes, name: str):
    frame = parsing.read_table(data, name)
    rows, errors = parsing.roster_validate(frame, scope=EVERYTHING)
    if errors:
        raise parsing.ImportRefused(errors)
    return services.roster_apply(rows, by=None)


def send(channel, data: bytes, name: str, *, client, admin_user, capture, tmp_path, dry_run=False):
    """Import a file through one channel; (whether it was written, the messages the person reads)."""
    if channel == "command":
        path = tmp_path / name
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        try:
            with capture(execute=True):
                call_command("import_roster", str(path), *(["--dry-run"] if dry_run else []), stdout=out, stderr=err)
        except CommandError as exc:
            return False, err.getvalue() + str(exc)
        return True, out.getvalue()
    client.force_login(admin_user)
    form = {"kind": "roster", "file": SimpleUploadedFile(name, data)}
    if dry_run:
        form["dry_run"] = "on" if channel == "page" else "true"
    with capture(execute=True):
        response = client.post("/nhap-du-lieu/" if channel == "page" else "/api/imports", form)
    if channel == "page":
        if response.status_code != 302:
            return False, response.content.decode()
        page = client.get(response["Location"])
        assert page.status_code == 200
        return ImportJob.objects.get().status == "done", page.content.decode()
    if response.status_code != 201:
        return False, response.json()["detail"]
    job = client.get(f"/api/imports/{response.json()['id']}").json()
    return job["status"] == "done", str(job["errors"]) + str(job["summary"])


@pytest.fixture
def importer(client, admin_user, django_capture_on_commit_callbacks, tmp_path):
    def importer(channel, data, name="ds.csv", dry_run=False):
        return send(channel, data, name, client=client, admin_user=admin_user,
                    capture=django_capture_on_commit_callbacks, tmp_path=tmp_path, dry_run=dry_run)
    return importer


def full_roster():
    rows = roster_rows(3)
    rows[0][8] = "x"  # BH-00000 is a leader
    run(to_csv(rows), "ds.csv")
    return rows


def fields(code):
    o = Official.objects.select_related("user").get(employee_code=code)
    return (o.email, o.user.email, o.phone, o.date_of_birth, o.is_leader, o.rank, o.status)


# --- 1. A column missing from the file is left alone ------------------------------------------------------------

@pytest.mark.parametrize("channel", CHANNELS)
def test_a_file_without_the_optional_columns_changes_none_of_them(tree, importer, channel):
    rows = full_roster()
    before = [fields(r[0]) for r in rows]
    assert before[0][0] == "bh0@example.test" and before[0][4] is True
    slim = [r[:4] for r in rows]
    written, said = importer(channel, to_csv(slim, headers=REQUIRED))
    assert written, said
    assert [fields(r[0]) for r in rows] == before  # sign-in e-mail, phone, birth date and the leader kept


def test_an_empty_cell_keeps_the_field_and_the_blank_word_empties_it(tree):
    rows = full_roster()
    rows[0][10] = ""          # e-mail: empty, kept
    rows[1][10] = "(xóa)"     # e-mail: emptied, on the account too
    rows[1][11] = "(Xóa)"     # phone: emptied
    rows[2][12] = ""          # date of birth: kept
    rows[2][8] = "có"         # "có" in a yes/no column is yes
    rows[0][8] = "không"      # and "không" is no
    run(to_csv(rows), "ds.csv")
    assert fields("BH-00000")[:4] == ("bh0@example.test", "bh0@example.test", "0912345678",
                                      Official.objects.get(employee_code="BH-00002").date_of_birth)
    assert fields("BH-00000")[4] is False
    assert fields("BH-00001")[:3] == ("", "", "")
    assert fields("BH-00002")[3] is not None and fields("BH-00002")[4] is True


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_dry_run_lists_each_change_and_writes_nothing(tree, importer, channel):
    rows = full_roster()
    before = [fields(r[0]) for r in rows]
    rows[0][10] = "moi@example.test"
    rows[2][4] = "Chuyên viên chính"
    written, said = importer(channel, to_csv(rows), dry_run=True)
    assert [fields(r[0]) for r in rows] == before
    if channel == "command":
        assert "Dòng 2, mã BH-00000, email: bh0@example.test → moi@example.test" in said
        assert "Dòng 4, mã BH-00002, rank: Chuyên viên → Chuyên viên chính" in said
        assert "chạy thử, chưa ghi" in said
    elif channel == "page":
        assert "Chạy thử: tệp hợp lệ và chưa có gì được ghi" in said and "Những gì lần nhập sẽ thay đổi" in said
        assert ("<td class=\"num\">2</td><td>BH-00000</td><td>Email</td><td>bh0@example.test</td>"
                "<td>moi@example.test</td>") in said
    else:
        job = ImportJob.objects.get()
        assert job.summary["dry_run"] is True and job.summary["updated"] == 2
        assert {"row": 2, "code": "BH-00000", "field": "email", "old": "bh0@example.test",
                "new": "moi@example.test"} in job.summary["changes"]


# --- 2. Codes keep their zeros ----------------------------------------------------------------------------------

@pytest.mark.parametrize("channel", CHANNELS)
def test_a_code_that_lost_its_leading_zeros_is_refused_naming_both(tree, importer, channel):
    OfficialFactory(employee_code="001234", full_name="Nguyễn Văn Thử", unit=tree["trang_dai"])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(REQUIRED)
    ws.append([1234, "Nguyễn Văn Thử", "25993", "Công chức"])  # Excel read the code as a number
    out = io.BytesIO()
    wb.save(out)
    written, said = importer(channel, out.getvalue(), "ds.xlsx")
    assert not written
    assert "mã 1234 chính là mã đã có 001234 bị mất các số 0 ở đầu" in said
    assert Official.objects.filter(full_name="Nguyễn Văn Thử").count() == 1


def test_two_codes_of_one_file_that_differ_only_by_zeros_are_refused(tree):
    rows = [["0042", "Lê Văn A", "25993", "Công chức"], ["42", "Lê Văn B", "25993", "Công chức"]]
    with pytest.raises(parsing.ImportRefused) as refused:
        run(to_csv(rows, headers=REQUIRED), "ds.csv")
    assert [e.row for e in refused.value.errors] == [3]
    assert "0042" in refused.value.errors[0].message


def test_a_phone_read_as_a_number_gets_its_leading_zero_back(tree):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*REQUIRED, "Số điện thoại"])
    ws.append(["BH-1", "Lê Văn A", "25993", "Công chức", 912345678])
    out = io.BytesIO()
    wb.save(out)
    run(out.getvalue(), "ds.xlsx")
    assert Official.objects.get(employee_code="BH-1").phone == "0912345678"


# --- 3. Every error of a row ------------------------------------------------------------------------------------

@pytest.mark.parametrize("channel", CHANNELS)
def test_every_error_of_a_row_is_reported(tree, importer, channel):
    rows = roster_rows(2)
    rows[1][2] = "99999"           # no such unit
    rows[1][12] = "31/02/1985"     # no such date
    rows[1][6] = "hình như"        # not a yes/no word
    written, said = importer(channel, to_csv(rows))
    assert not written
    assert "không có đơn vị nào có mã 99999" in said
    assert "“31/02/1985”" in said and "“hình như”" in said


# --- 4. Every channel is the same -------------------------------------------------------------------------------

@pytest.fixture
def told():
    calls = []

    def listener(sender, official_ids=None, **kwargs):
        calls.append(set(official_ids))

    roster_changed.connect(listener, dispatch_uid="test-import-semantics")
    yield calls
    roster_changed.disconnect(dispatch_uid="test-import-semantics")


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_tells_the_lms_and_the_people_imported_get_their_requirements(tree, importer, told, channel):
    from lms.models import Assignment

    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]])
    written, said = importer(channel, to_csv(roster_rows(8)))
    assert written, said
    imported = set(Official.objects.filter(employee_code__startswith="BH-").values_list("pk", flat=True))
    assert told == [imported]
    # roster_rows: every 7th official receives dossiers (BH-00000 and BH-00007)
    assert set(Assignment.objects.filter(requirement=requirement, active=True)
               .values_list("official__employee_code", flat=True)) == {"BH-00000", "BH-00007"}


def test_a_dry_run_tells_the_lms_nothing(tree, importer, told):
    written, said = importer("command", to_csv(roster_rows(3)), dry_run=True)
    assert written and told == [] and not Official.objects.filter(employee_code__startswith="BH-").exists()


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf"], ids=["nothing", "blank lines", "bom only"])
def test_an_empty_file_is_refused_in_vietnamese(tree, importer, channel, data):
    written, said = importer(channel, data)
    assert not written
    if channel == "page" and not data:
        assert "Tập tin được gửi là rỗng." in said  # Django's own form check, in Vietnamese
    else:
        assert "Tệp trống" in said
    assert "lỗi hệ thống" not in said and "Traceback" not in said


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(tree, importer, channel):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(roster_rows(1)[0])
    ws["K2"] = '=LOWER("BH0@EXAMPLE.TEST")'  # openpyxl saves the formula without its value
    out = io.BytesIO()
    wb.save(out)
    written, said = importer(channel, out.getvalue(), "ds.xlsx")
    assert not written
    assert "ô K2 chứa công thức mà giá trị chưa được lưu trong tệp" in said
    assert not Official.objects.filter(employee_code__startswith="BH-").exists()


def running_job(admin_user):
    return ImportJob.objects.create(kind="roster", original_name="khac.csv", created_by=admin_user,
                                    status=ImportJob.Status.RUNNING, file=SimpleUploadedFile("khac.csv", b"x"))


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_upload_while_another_import_runs_is_refused_in_vietnamese(tree, importer, admin_user, channel):
    running_job(admin_user)
    written, said = importer(channel, to_csv(roster_rows(2)))
    assert not written
    assert "Một lần nhập khác đang được kiểm tra hoặc ghi" in said
    assert not Official.objects.filter(employee_code__startswith="BH-").exists()


def test_a_job_that_starts_while_another_runs_stops_with_the_same_message(tree, admin_user):
    job = ImportJob.objects.create(kind="roster", original_name="ds.csv", created_by=admin_user,
                                   file=SimpleUploadedFile("ds.csv", to_csv(roster_rows(2))))
    running_job(admin_user)
    job = services.import_job_run(job_id=job.pk)
    assert job.status == "failed" and "Một lần nhập khác" in job.errors[0]["message"]
    assert job.summary["error_count"] == 1
    assert not Official.objects.filter(employee_code__startswith="BH-").exists()


@pytest.mark.parametrize("summary", [{}, {"error_count": None}, {"error_count": "many"}, {"changes": "x"}])
def test_a_job_page_without_an_error_count_shows_its_errors(client, tree, admin_user, summary):
    job = ImportJob.objects.create(kind="roster", original_name="ds.csv", created_by=admin_user,
                                   status=ImportJob.Status.FAILED, summary=summary, file=SimpleUploadedFile("ds.csv", b"x"),
                                   errors=[{"row": 0, "column": "", "message": "Máy chủ đã khởi động lại."}])
    client.force_login(admin_user)
    page = client.get(f"/nhap-du-lieu/{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tệp bị từ chối do có 1 lỗi." in html and "Máy chủ đã khởi động lại." in html
    assert client.get(f"/api/imports/{job.pk}").status_code == 200


def test_the_page_of_a_job_the_stale_sweep_failed_opens(client, tree, admin_user):
    import datetime as dt

    from django.utils import timezone

    job = running_job(admin_user)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    assert services.import_jobs_fail_stale() == 1
    client.force_login(admin_user)
    page = client.get(f"/nhap-du-lieu/{job.pk}/")
    assert page.status_code == 200 and "Tệp bị từ chối do có 1 lỗi." in page.content.decode()


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_empty_workbook_is_refused_in_vietnamese(tree, importer, channel):
    out = io.BytesIO()
    openpyxl.Workbook().save(out)  # one sheet, no cell filled in
    written, said = importer(channel, out.getvalue(), "ds.xlsx")
    assert not written and "Tệp trống" in said


def test_a_zero_padded_code_outside_the_officers_units_is_refused_without_naming_it(tree, bien_hoa_officer):
    from org.selectors import scope_for

    OfficialFactory(employee_code="001234", full_name="Phạm Văn Xa", unit=tree["xuan_trung"])  # Long Khánh
    frame = parsing.read_table(to_csv([["1234", "Lê Văn Gần", "25993", "Công chức"]], headers=REQUIRED), "ds.csv")
    _rows, errors = parsing.roster_validate(frame, scope=scope_for(bien_hoa_officer.user))
    assert [e.message for e in errors] == [
        "mã 1234 có thể đã bị mất các số 0 ở đầu (Excel bỏ chúng khi coi mã là số). Hãy định dạng cột là Văn bản "
        "(Text) và ghi đầy đủ mã."]


def test_an_empty_status_keeps_a_retired_official_retired(tree):
    rows = full_roster()
    rows[0][9] = "Đã nghỉ hưu"
    run(to_csv(rows), "ds.csv")
    rows[0][9] = ""
    run(to_csv(rows), "ds.csv")
    assert Official.objects.get(employee_code="BH-00000").status == "retired"


def test_a_write_that_collides_with_another_is_told_in_vietnamese(tree, admin_user, monkeypatch):
    from django.db import IntegrityError

    from org.services import import_jobs

    def collide(rows, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(import_jobs, "roster_apply", collide)
    job = ImportJob.objects.create(kind="roster", original_name="ds.csv", created_by=admin_user,
                                   file=SimpleUploadedFile("ds.csv", to_csv(roster_rows(2))))
    job = services.import_job_run(job_id=job.pk)
    assert job.status == "failed" and job.summary["error_count"] == 1
    assert job.errors[0]["message"].startswith("Một lần nhập hoặc thay đổi khác đã ghi cùng một số cán bộ")


def test_the_import_page_and_the_template_say_how_to_empty_a_field(client, tree, admin_user):
    client.force_login(admin_user)
    html = client.get("/nhap-du-lieu/").content.decode()
    assert "hãy ghi (xóa) vào ô" in html and "Chỉ kiểm tra tệp và liệt kê những gì sẽ thay đổi" in html
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/nhap-du-lieu/mau/roster.xlsx").content))
    guide = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "ghi (xóa) vào ô để xóa trường" in guide
