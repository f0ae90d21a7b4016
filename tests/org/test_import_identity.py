"""An employee code names one person: a roster row whose code belongs to someone else (another name, another date
of birth) is refused before anything is written, on every channel; the same person in another unit is a transfer,
and a corrected name goes through when nothing else says it is another person."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from org import parsing, services
from org.models import Official, Transfer, UnitKind, User
from org.selectors import scope_for
from tests.factories import OfficialFactory, UnitFactory

from .conftest import EVERYTHING, HEADERS, to_csv

pytestmark = pytest.mark.django_db

CONFIRM = "Xác nhận cùng người"


@pytest.fixture
def lan(tree):
    """A Đồng Nai official with her date of birth on the roster."""
    return OfficialFactory(employee_code="26071-0001", full_name="Phạm Thị Lan", unit=tree["xuan_trung"],
                           date_of_birth=dt.date(1980, 2, 1))


@pytest.fixture
def tan_loi(db):
    """A commune of Bình Phước, merged into the platform with its own officials."""
    province = UnitFactory(code="70", name="Tỉnh Bình Phước", kind=UnitKind.PROVINCE)
    return UnitFactory(code="25240", name="Xã Tân Lợi", kind=UnitKind.COMMUNE, parent=province)


def row(code, name, unit_code, born="", confirm=None):
    cells = [code, name, unit_code, "Công chức", "Chuyên viên", "", "", "", "", "Đang công tác", "", "", born, ""]
    return cells if confirm is None else [*cells, confirm]


def csv(*rows):
    headers = HEADERS + [CONFIRM] if any(len(r) > len(HEADERS) for r in rows) else HEADERS
    return to_csv([r + [""] * (len(headers) - len(r)) for r in rows], headers=headers)


def validate(data, scope=EVERYTHING):
    return parsing.roster_validate(parsing.read_table(data, "ds.csv"), scope=scope)


def run(data, scope=EVERYTHING):
    rows, errors = validate(data, scope)
    if errors:
        raise parsing.ImportRefused(errors)
    return services.roster_apply(rows, by=None)


def state():
    return (
        sorted(Official.objects.values_list("employee_code", "full_name", "date_of_birth", "unit__code", "email")),
        Transfer.objects.count(),
        User.objects.count(),
    )


COLLISION = ("Dòng 3, cột “Mã cán bộ”: mã cán bộ 26071-0001 đã thuộc về Phạm Thị Lan (Phường Xuân Trung, sinh "
             "01/02/1980); dòng này là Trần Thị Bé (Xã Tân Lợi, sinh 05/06/1990): hai người khác nhau. Hãy dùng mã "
             "khác cho dòng này hoặc sửa dòng này; nếu đúng là cùng một người và dòng này sửa họ tên hoặc ngày sinh "
             "của họ, hãy ghi x ở cột “Xác nhận cùng người”.")


def test_another_provinces_official_with_the_same_code_is_refused_and_nobody_is_overwritten(lan, tan_loi):
    data = csv(row("BP-0001", "Lê Văn Tư", "25240", "03/04/1975"),
               row("26071-0001", "Trần Thị Bé", "25240", "05/06/1990"))
    before = state()

    with pytest.raises(parsing.ImportRefused) as refused:
        run(data)

    assert [str(e) for e in refused.value.errors] == [COLLISION]
    assert state() == before
    lan.refresh_from_db()
    assert (lan.full_name, lan.date_of_birth, lan.unit.code) == ("Phạm Thị Lan", dt.date(1980, 2, 1), "26071")


def test_the_same_name_with_another_date_of_birth_is_another_person(lan):
    with pytest.raises(parsing.ImportRefused) as refused:
        run(csv(row("26071-0001", "Phạm Thị Lan", "26071", "01/02/1981")))
    assert "hai người khác nhau" in refused.value.errors[0].message
    assert "sinh 01/02/1980" in refused.value.errors[0].message and "sinh 01/02/1981" in refused.value.errors[0].message
    lan.refresh_from_db()
    assert lan.date_of_birth == dt.date(1980, 2, 1)


def test_another_name_without_dates_of_birth_names_both_people_and_units_without_a_date(tree):
    OfficialFactory(employee_code="X-1", full_name="Nguyễn Văn An", unit=tree["trang_dai"])
    _rows, errors = validate(csv(row("X-1", "Đỗ Văn Bình", "25996")))
    assert [e.message for e in errors] == [
        "mã cán bộ X-1 đã thuộc về Nguyễn Văn An (Phường Trảng Dài); dòng này là Đỗ Văn Bình (Phường Tân Phong): hai "
        "người khác nhau. Hãy dùng mã khác cho dòng này hoặc sửa dòng này; nếu đúng là cùng một người và dòng này "
        "sửa họ tên hoặc ngày sinh của họ, hãy ghi x ở cột “Xác nhận cùng người”."]


def test_the_same_person_written_differently_in_another_unit_is_a_transfer(lan, tan_loi):
    result = run(csv(row("26071-0001", "PHẠM  THỊ LAN", "25240", "01/02/1980"),
                     row("26071-0002", "Hồ Văn Mới", "25240")))
    assert (result.created, result.transferred) == (1, 1)
    lan.refresh_from_db()
    assert lan.unit.code == "25240" and lan.date_of_birth == dt.date(1980, 2, 1)
    assert lan.transfers.order_by("-id").first().from_unit.code == "26071"


def test_the_same_name_with_a_date_of_birth_the_roster_did_not_have_is_the_same_person(tree):
    official = OfficialFactory(employee_code="X-1", full_name="Nguyễn Văn An", unit=tree["trang_dai"])
    run(csv(row("X-1", "Nguyen Van An", "25993", "09/09/1979")))
    official.refresh_from_db()
    assert official.date_of_birth == dt.date(1979, 9, 9)


def test_a_corrected_name_with_the_same_date_of_birth_in_the_same_unit_is_accepted(lan):
    result = run(csv(row("26071-0001", "Phạm Thị Lành", "26071", "01/02/1980")))
    assert (result.updated, result.transferred) == (1, 0)
    lan.refresh_from_db()
    assert lan.full_name == "Phạm Thị Lành" and lan.name_folded == "pham thi lanh"


@pytest.mark.parametrize("unit_code, born", [("25993", "01/02/1980"),  # same birth date, but moving
                                              ("26071", "")])           # same unit, birth date not in the file
def test_a_changed_name_is_refused_when_nothing_else_shows_it_is_the_same_person(lan, unit_code, born):
    before = state()
    with pytest.raises(parsing.ImportRefused) as refused:
        run(csv(row("26071-0001", "Phạm Thị Lành", unit_code, born)))
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "Mã cán bộ")]
    assert state() == before


def test_the_file_can_confirm_a_correction_row_by_row(lan):
    result = run(csv(row("26071-0001", "Phạm Thị Lành", "25993", "02/01/1980", confirm="x"),
                     row("NEW-1", "Vũ Thị Mai", "25993", confirm="")))
    assert (result.created, result.updated, result.transferred) == (1, 1, 1)
    lan.refresh_from_db()
    assert (lan.full_name, lan.date_of_birth, lan.unit.code) == ("Phạm Thị Lành", dt.date(1980, 1, 2), "25993")


def test_a_personnel_officer_is_told_of_a_code_held_outside_their_units_without_that_persons_details(
        lan, bien_hoa_officer):
    scope = scope_for(bien_hoa_officer.user)
    before = state()
    _rows, errors = validate(csv(row("26071-0001", "Trần Thị Bé", "25993", "05/06/1990"),   # another person
                                 row("26071-0001", "Phạm Thị Lan", "25996", "01/02/1980"),  # the same, moving in
                                 row("26071-0001", "Phạm Thị Lan", "25996", "01/02/1980", confirm="x")), scope)

    messages = [e.message for e in errors if e.column == "Mã cán bộ" and "ngoài phạm vi" in e.message]
    assert len(messages) == 3 and len(set(messages)) == 1  # one wording: it confirms no guess about the holder
    assert messages[0] == ("mã 26071-0001 đã được dùng ngoài phạm vi đơn vị bạn quản lý (thông tin của người đó không "
                           "được hiển thị ở đây): nếu dòng này là một người khác, hãy cấp cho họ mã khác; nếu đúng là "
                           "người đó chuyển đến đơn vị của bạn, hãy liên hệ Sở Nội vụ.")
    text = " ".join(e.message for e in errors)
    assert "Lan" not in text.replace("Phạm Thị Lan", "") and "1980" not in text and "Xuân Trung" not in text
    assert state() == before


def test_a_personnel_officer_sees_both_people_when_both_are_in_their_units(tree, bien_hoa_officer):
    OfficialFactory(employee_code="25993-0007", full_name="Nguyễn Văn An", unit=tree["trang_dai"])
    _rows, errors = validate(csv(row("25993-0007", "Đỗ Văn Bình", "25996")), scope_for(bien_hoa_officer.user))
    assert [e.message for e in errors] == [
        "mã cán bộ 25993-0007 đã thuộc về Nguyễn Văn An (Phường Trảng Dài); dòng này là Đỗ Văn Bình (Phường Tân "
        "Phong): hai người khác nhau. Hãy dùng mã khác cho dòng này hoặc sửa dòng này; nếu đúng là cùng một người và "
        "dòng này sửa họ tên hoặc ngày sinh của họ, hãy ghi x ở cột “Xác nhận cùng người”."]


def test_the_upload_page_and_the_api_refuse_the_file_with_both_people_named(
        client, lan, tan_loi, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    data = csv(row("BP-0001", "Lê Văn Tư", "25240", "03/04/1975"),
               row("26071-0001", "Trần Thị Bé", "25240", "05/06/1990"))
    before = state()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/nhap-du-lieu/", {"kind": "roster", "file": SimpleUploadedFile("bp.csv", data)})
        api = client.post("/api/imports", {"kind": "roster", "file": SimpleUploadedFile("bp.csv", data)})

    html = client.get(page["Location"]).content.decode()
    message = COLLISION.split(": ", 1)[1]
    assert "Tệp bị từ chối do có 1 lỗi." in html and message in html
    job = client.get(f"/api/imports/{api.json()['id']}").json()
    assert job["status"] == "failed"
    assert job["errors"] == [{"row": 3, "column": "Mã cán bộ", "message": message}]
    assert state() == before


def test_the_commands_dry_run_reports_the_collision_exactly_as_the_import_does(lan, tan_loi, tmp_path):
    path = tmp_path / "bp.csv"
    path.write_bytes(csv(row("BP-0001", "Lê Văn Tư", "25240"), row("26071-0001", "Trần Thị Bé", "25240", "05/06/1990")))
    before = state()
    said = []
    for extra in (["--dry-run"], []):
        err = io.StringIO()
        with pytest.raises(CommandError, match="1 lỗi"):
            call_command("import_roster", str(path), *extra, stdout=io.StringIO(), stderr=err)
        said.append(err.getvalue())
    assert said[0] == said[1] and COLLISION in said[0]
    assert state() == before


def test_the_template_offers_the_confirmation_column_and_the_page_explains_the_rule(client, tree, admin_user):
    from openpyxl import load_workbook

    client.force_login(admin_user)
    sheet = load_workbook(io.BytesIO(client.get("/nhap-du-lieu/mau/roster.xlsx").content))["Danh sách"]
    assert [c.value for c in sheet[1]] == HEADERS + [CONFIRM]
    page = client.get("/nhap-du-lieu/").content.decode()
    assert "Mỗi mã cán bộ chỉ thuộc về một người." in page and "cột “Xác nhận cùng người”" in page
