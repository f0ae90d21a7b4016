"""Personnel officers: requirements within their scope, enrolment by hand, learning records of their officials
only, training sessions with attendance by hand or from the sign-in sheet (all rows or none)."""
import datetime as dt
import io

import pandas as pd
import pytest
from django.utils import timezone

from lms import services
from lms.models import Assignment, Attendance, Completion, Requirement, TrainingSession

from ..factories import RequirementFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def sheet(rows, headers=("Mã cán bộ", "Họ và tên", "Có mặt", "Ghi chú")) -> io.BytesIO:
    out = io.BytesIO()
    pd.DataFrame(rows, columns=list(headers)).to_excel(out, index=False)
    out.seek(0)
    out.name = "diem-danh.xlsx"
    return out


@pytest.fixture
def session(tree, module):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], requires_attendance=True,
                                     title="Tập huấn CCHC", audience_one_stop_receivers=False,
                                     audience_reform_officers=False)
    started = timezone.now() - dt.timedelta(hours=2)
    return TrainingSessionFactory(title="Tập huấn nghiệp vụ CCHC", requirement=requirement, starts_at=started,
                                  location="Hội trường", scope_unit=tree["bien_hoa"], audience_units=[tree["bien_hoa"]])


def test_personnel_officer_opens_records_in_scope_only(client, tree, bien_hoa_officer, trang_dai_official,
                                                      long_khanh_official):
    client.force_login(bien_hoa_officer.user)
    assert client.get(f"/hoc-tap/quan-ly/can-bo/{trang_dai_official.pk}/").status_code == 200
    assert client.get(f"/hoc-tap/quan-ly/can-bo/{long_khanh_official.pk}/").status_code == 404


def test_officials_cannot_use_the_management_pages(client, tree, trang_dai_official, long_khanh_official, session):
    client.force_login(trang_dai_official.user)
    for url in ("/hoc-tap/quan-ly/", "/hoc-tap/quan-ly/yeu-cau/moi/", f"/hoc-tap/quan-ly/can-bo/{long_khanh_official.pk}/",
                f"/hoc-tap/quan-ly/tap-huan/{session.pk}/"):
        assert client.get(url).status_code == 403, url


def test_certificate_pdf_of_someone_else_is_not_found(client, tree, module, trang_dai_official, long_khanh_official,
                                                      bien_hoa_officer):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["province"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    for lesson in module.get_children().specific():
        services.lesson_progress_record(official=long_khanh_official, lesson=lesson, completed=True)
    services.completion_evaluate(requirement=requirement)
    code = Completion.objects.get(official=long_khanh_official).certificate.code
    client.force_login(trang_dai_official.user)
    assert client.get(f"/hoc-tap/chung-chi/{code}.pdf").status_code == 404
    client.force_login(bien_hoa_officer.user)  # Biên Hòa's officer does not manage Long Khánh
    assert client.get(f"/hoc-tap/chung-chi/{code}.pdf").status_code == 404


def test_personnel_officer_creates_a_requirement_for_their_units_and_it_is_assigned(
        client, tree, module, bien_hoa_officer, trang_dai_official, long_khanh_official,
        django_capture_on_commit_callbacks):
    client.force_login(bien_hoa_officer.user)
    form = {"title": "Bồi dưỡng một cửa Biên Hòa", "plan_clause": "KH 15122/KH-UBND, mục II.4.c",
            "modules": [module.pk], "due_date": "2030-09-30", "newcomer_days": 60, "renewal_window_days": 30,
            "target_percent": 100, "is_active": "on", "audience_include_subunits": "on",
            "audience_one_stop_receivers": "on"}
    # Without a unit the rule would reach the whole province: refused.
    assert client.post("/hoc-tap/quan-ly/yeu-cau/moi/", form).status_code == 400
    # Long Khánh is not theirs to choose.
    assert client.post("/hoc-tap/quan-ly/yeu-cau/moi/", {**form, "audience_units": [tree["long_khanh"].pk]}
                       ).status_code == 400
    assert not Requirement.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/hoc-tap/quan-ly/yeu-cau/moi/", {**form, "audience_units": [tree["bien_hoa"].pk]})
    assert response.status_code == 302
    requirement = Requirement.objects.get()
    assert requirement.scope_unit == tree["bien_hoa"]
    assert list(Assignment.objects.values_list("official_id", flat=True)) == [trang_dai_official.pk]
    page = client.get(f"/hoc-tap/quan-ly/yeu-cau/{requirement.pk}/").content.decode()
    assert trang_dai_official.full_name in page


def test_enrol_a_unit_subtree_by_hand(client, tree, module, bien_hoa_officer, trang_dai_official, long_khanh_official):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["snv"]], modules=[module])  # province-wide rule elsewhere
    client.force_login(bien_hoa_officer.user)
    response = client.post(f"/hoc-tap/quan-ly/yeu-cau/{requirement.pk}/ghi-danh/",
                           {"unit": tree["bien_hoa"].pk, "include_subunits": "on"})
    assert response.status_code == 302
    enrolled = set(Assignment.objects.filter(requirement=requirement).values_list("official_id", "source"))
    assert enrolled == {(trang_dai_official.pk, "manual"), (bien_hoa_officer.pk, "manual")}
    # Another district's unit cannot be chosen.
    assert client.post(f"/hoc-tap/quan-ly/yeu-cau/{requirement.pk}/ghi-danh/",
                       {"unit": tree["long_khanh"].pk}).status_code == 400


def test_attendance_import_records_every_row_and_completes(client, tree, session, bien_hoa_officer, trang_dai_official,
                                                           django_capture_on_commit_callbacks):
    services.requirement_assign(requirement=session.requirement)
    client.force_login(bien_hoa_officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hoc-tap/quan-ly/tap-huan/{session.pk}/nhap-diem-danh/", {"file": sheet([
            [trang_dai_official.employee_code, trang_dai_official.full_name, "x", ""],
            [bien_hoa_officer.employee_code, "", "không", "xin phép"]])})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("official_id", "present")) == {trang_dai_official.pk: True,
                                                                              bien_hoa_officer.pk: False}
    assert Completion.objects.filter(official=trang_dai_official, requirement=session.requirement).exists()
    assert not Completion.objects.filter(official=bien_hoa_officer).exists()


def test_attendance_import_refuses_the_whole_sheet_naming_the_row(client, tree, session, bien_hoa_officer,
                                                                   trang_dai_official, long_khanh_official):
    client.force_login(bien_hoa_officer.user)
    response = client.post(f"/hoc-tap/quan-ly/tap-huan/{session.pk}/nhap-diem-danh/", {"file": sheet([
        [trang_dai_official.employee_code, trang_dai_official.full_name, "x", ""],
        ["KHONG-CO", "Ai Đó", "x", ""],
        [long_khanh_official.employee_code, long_khanh_official.full_name, "x", ""],
        [trang_dai_official.employee_code, "", "có lẽ", ""]])})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dòng 3" in html and "KHONG-CO" in html  # Vietnamese, naming the row
    assert "Dòng 4" in html and "Dòng 5" in html
    assert not Attendance.objects.exists()  # nothing written


def test_attendance_cannot_be_recorded_before_the_session(client, tree, session, bien_hoa_officer, trang_dai_official):
    TrainingSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() + dt.timedelta(days=1),
                                                         ends_at=timezone.now() + dt.timedelta(days=1, hours=2))
    client.force_login(bien_hoa_officer.user)
    response = client.post(f"/hoc-tap/quan-ly/tap-huan/{session.pk}/diem-danh/",
                           {"employee_code": trang_dai_official.employee_code, "present": "on"})
    assert response.status_code == 400 and not Attendance.objects.exists()


def test_manual_attendance_and_the_session_page(client, tree, session, bien_hoa_officer, trang_dai_official,
                                                long_khanh_official):
    client.force_login(bien_hoa_officer.user)
    ok = client.post(f"/hoc-tap/quan-ly/tap-huan/{session.pk}/diem-danh/",
                     {"employee_code": trang_dai_official.employee_code, "present": "on"})
    assert ok.status_code == 302
    refused = client.post(f"/hoc-tap/quan-ly/tap-huan/{session.pk}/diem-danh/",
                          {"employee_code": long_khanh_official.employee_code, "present": "on"})
    assert refused.status_code == 400
    page = client.get(f"/hoc-tap/quan-ly/tap-huan/{session.pk}/").content.decode()
    assert trang_dai_official.full_name in page and long_khanh_official.full_name not in page


def test_an_officer_over_two_units_manages_what_belongs_to_both(client, tree, trang_dai_official,
                                                                 long_khanh_official):
    from lms.selectors import can_edit, requirements_visible_to
    from org import roles
    from org import services as org_services

    from ..factories import OfficialFactory, UserFactory

    officer = UserFactory(username="tochuc-hai")
    org_services.role_grant(user=officer, role=roles.PERSONNEL, units=[tree["trang_dai"], tree["long_khanh"]])
    mine = RequirementFactory(title="Yêu cầu Long Khánh", scope_unit=tree["long_khanh"],
                              audience_units=[tree["long_khanh"]])
    above = RequirementFactory(title="Yêu cầu Biên Hòa", scope_unit=tree["bien_hoa"], audience_units=[tree["bien_hoa"]])
    RequirementFactory(title="Yêu cầu Tân Phong", scope_unit=tree["tan_phong"], audience_units=[tree["tan_phong"]])
    visible = set(requirements_visible_to(officer).values_list("title", flat=True))
    assert visible == {"Yêu cầu Long Khánh", "Yêu cầu Biên Hòa"}
    assert can_edit(officer, mine) and not can_edit(officer, above)
    stranger = OfficialFactory(unit=tree["tan_phong"])
    client.force_login(officer)
    assert client.get(f"/hoc-tap/quan-ly/can-bo/{trang_dai_official.pk}/").status_code == 200
    assert client.get(f"/hoc-tap/quan-ly/can-bo/{long_khanh_official.pk}/").status_code == 200
    assert client.get(f"/hoc-tap/quan-ly/can-bo/{stranger.pk}/").status_code == 404
    page = client.get(f"/hoc-tap/quan-ly/yeu-cau/{mine.pk}/")
    assert page.status_code == 200
