"""An import's errors do not tell a personnel officer which employee codes exist in other districts."""
import pytest

from lms.imports import attendance_validate
from org import parsing
from org.models import Official
from org.selectors import scope_for

from .conftest import roster_rows, to_csv

pytestmark = pytest.mark.django_db


def code_errors(errors, codes):
    return [e.message.replace(code, "<mã>") for e, code in zip(errors, codes)]


def test_a_roster_row_with_another_districts_code_is_refused_in_the_words_used_for_any_code_one_may_not_use(
        tree, bien_hoa_officer, long_khanh_official, admin_user):
    codes = [long_khanh_official.employee_code, admin_user.username.upper()]  # another district's; a staff login
    rows = roster_rows(2, unit_codes=("25993",))
    for row, code in zip(rows, codes):
        row[0] = code
    frame = parsing.read_table(to_csv(rows), "ds.csv")
    _rows, errors = parsing.roster_validate(frame, scope=scope_for(bien_hoa_officer.user))

    assert [(e.row, e.column) for e in errors] == [(2, "Mã cán bộ"), (3, "Mã cán bộ")]
    first, second = code_errors(errors, codes)
    assert first == second == (
        "mã <mã> đã được dùng ngoài phạm vi đơn vị bạn quản lý (thông tin của người đó không được hiển thị ở đây): "
        "nếu dòng này là một người khác, hãy cấp cho họ mã khác; nếu đúng là người đó chuyển đến đơn vị của bạn, hãy "
        "liên hệ Sở Nội vụ.")


def test_a_sign_in_sheet_says_the_same_of_an_unknown_code_and_another_districts(tree, bien_hoa_officer,
                                                                                 long_khanh_official):
    from lms.imports import ImportRefused

    codes = [long_khanh_official.employee_code, "26071-9999"]
    data = ("Mã cán bộ,Có mặt\n" + "".join(f"{code},x\n" for code in codes)).encode()
    mine = Official.objects.filter(unit__path__startswith=tree["bien_hoa"].path)
    with pytest.raises(ImportRefused) as refused:
        attendance_validate(data=data, filename="diem-danh.csv", session=None, officials=mine)

    first, second = code_errors(refused.value.errors, codes)
    assert first == second == "không có cán bộ nào có mã <mã> trong phạm vi đơn vị bạn quản lý."
