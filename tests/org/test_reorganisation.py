"""A reorganisation is one dated operation: previewed, applied all or nothing, its successors followed by officials,
audiences and personnel scopes, and reversible until something newer depends on it."""
import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from lms.models import Assignment, Requirement
from org import roles
from org.models import Official, Reorganisation, Succession, Transfer, Unit, UnitKind, UnitVersion
from org.reorganisation import PlanRefused, plan_from_file, plan_preview
from org.selectors import official_unit_on, unit_tree_on
from org.services import official_transfer, role_grant, unit_update
from org.services.reorganisation import (reorganisation_allocate, reorganisation_apply, reorganisation_create,
                                         reorganisation_reverse, reverse_blockers)

from ..factories import OfficialFactory, RequirementFactory, UnitFactory

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 7, 1)
FILE = (b"new_code,new_name,old_code,old_name,kind\n"
        b"25993,Ph\xc6\xb0\xe1\xbb\x9dng Tr\xe1\xba\xa3ng D\xc3\xa0i,25993,Phuong Trang Dai,full\n"
        b"25993,Ph\xc6\xb0\xe1\xbb\x9dng Tr\xe1\xba\xa3ng D\xc3\xa0i,25996,Phuong Tan Phong,full\n"
        b"26071,Ph\xc6\xb0\xe1\xbb\x9dng Xu\xc3\xa2n Trung,26071,Phuong Xuan Trung,full\n")


def tree_state():
    return sorted((r["code"], r["name"], r["parent_code"]) for r in unit_tree_on(dt.date(2024, 12, 31)))


def reform(tree, **kw):
    plan = plan_from_file(FILE, "reform.csv", parent_code="75", dissolve_kinds=("city", "district", "town"), **kw)
    return reorganisation_create(title="Sắp xếp 2025", effective_date=ON, plan=plan)


@pytest.fixture
def people(tree):
    return {
        "bh_staff": OfficialFactory(unit=tree["bien_hoa"], full_name="Lê Văn Huyện"),
        "trang_dai": OfficialFactory(unit=tree["trang_dai"], full_name="Nguyễn Thị Trảng"),
        "tan_phong": OfficialFactory(unit=tree["tan_phong"], full_name="Trần Văn Phong", is_reform_officer=True),
        "xuan_trung": OfficialFactory(unit=tree["xuan_trung"], full_name="Phạm Thị Xuân"),
    }


def test_the_preview_lists_what_would_change_and_changes_nothing(tree, people, bien_hoa_officer):
    requirement = RequirementFactory(audience_units=[tree["bien_hoa"]], audience_reform_officers=True)
    r = reform(tree)
    before = tree_state(), Transfer.objects.count(), UnitVersion.objects.count()
    p = plan_preview(r.plan, on=ON)
    assert not p.checked.errors
    closing = {c["unit"].code: [s["code"] for s in c["successors"]] for c in p.closing}
    assert closing == {"25996": ["25993"], "731": ["25993"], "732": ["26071"]}
    assert [a["object"] for a in p.audiences] == [Requirement.objects.get(pk=requirement.pk)]
    assert [x["user"] for x in p.personnel] == [bien_hoa_officer.user]
    assert p.officials_moving == 3  # Tân Phong's one, and Biên Hòa's own two (its officer among them)
    assert (tree_state(), Transfer.objects.count(), UnitVersion.objects.count()) == before


def test_applying_moves_everyone_keeps_the_past_and_audiences_and_scopes_follow(tree, people, bien_hoa_officer,
                                                                             django_capture_on_commit_callbacks):
    from lms.services import requirement_assign

    requirement = RequirementFactory(audience_units=[tree["bien_hoa"]], audience_reform_officers=True)
    requirement_assign(requirement=requirement)
    assigned = Assignment.objects.filter(requirement=requirement, active=True).count()
    past = tree_state()
    with django_capture_on_commit_callbacks(execute=True):
        r = reorganisation_apply(reorganisation=reform(tree))
    assert r.status == Reorganisation.Status.APPLIED
    assert tree_state() == past  # the past reads as it was
    now = {row["code"]: (row["name"], row["parent_code"]) for row in unit_tree_on(dt.date(2025, 7, 1))}
    assert now["25993"] == ("Phường Trảng Dài", "75") and now["26071"] == ("Phường Xuân Trung", "75")
    assert "731" not in now and "25996" not in now and "732" not in now
    tan_phong = Official.objects.get(pk=people["tan_phong"].pk)
    assert tan_phong.unit.code == "25993"
    assert official_unit_on(tan_phong, dt.date(2025, 6, 30)).code == "25996"
    assert Official.objects.get(pk=people["bh_staff"].pk).unit.code == "75"  # a dissolved level's own staff go up
    requirement.refresh_from_db()
    assert sorted(requirement.audience_units.values_list("code", flat=True)) == ["25993"]
    assert Assignment.objects.filter(requirement=requirement, active=True).count() == assigned == 1
    officer = bien_hoa_officer.user
    officer.refresh_from_db()
    assert officer.scope_unit.code == "25993" and roles.is_personnel(officer)
    assert set(Succession.objects.values_list("predecessor__code", "successor__code")) == {
        ("25996", "25993"), ("731", "25993"), ("732", "26071")}
    assert any("Sắp xếp 2025" in m.subject for m in mail.outbox)


def test_reversing_puts_everything_back(tree, people, bien_hoa_officer):
    requirement = RequirementFactory(audience_units=[tree["bien_hoa"]])
    before_units = sorted(Unit.objects.values_list("code", "name", "parent_id", "path", "active_to"))
    before_versions = sorted(UnitVersion.objects.values_list("unit_id", "name", "parent_id", "valid_from", "valid_to",
                                                             "changed_at"))
    before_people = sorted(Official.objects.values_list("pk", "unit_id"))
    transfers = Transfer.objects.count()
    r = reorganisation_apply(reorganisation=reform(tree))
    reorganisation_reverse(reorganisation=r)
    assert sorted(Unit.objects.values_list("code", "name", "parent_id", "path", "active_to")) == before_units
    assert sorted(UnitVersion.objects.values_list("unit_id", "name", "parent_id", "valid_from", "valid_to",
                                                  "changed_at")) == before_versions
    assert sorted(Official.objects.values_list("pk", "unit_id")) == before_people
    assert Transfer.objects.count() == transfers
    assert list(requirement.audience_units.values_list("code", flat=True)) == ["731"]
    bien_hoa_officer.user.refresh_from_db()
    assert bien_hoa_officer.user.scope_unit.code == "731"
    assert Reorganisation.objects.get(pk=r.pk).status == Reorganisation.Status.REVERSED


def test_it_cannot_be_reversed_once_something_newer_depends_on_it(tree, people):
    r = reorganisation_apply(reorganisation=reform(tree))
    official_transfer(official=Official.objects.get(pk=people["tan_phong"].pk), to_unit=tree["snv"],
                      on=dt.date(2025, 9, 1))
    assert reverse_blockers(Reorganisation.objects.get(pk=r.pk))
    with pytest.raises(ValidationError, match="Trần Văn Phong"):
        reorganisation_reverse(reorganisation=r)
    assert Unit.objects.get(code="731").active_to == ON  # nothing was undone


def test_a_plan_with_an_error_is_refused_whole_and_names_its_line(tree, people):
    bad = FILE + b"26999,Ph\xc6\xb0\xe1\xbb\x9dng M\xe1\xbb\x9bi,99999,Khong co,full\n"
    plan = plan_from_file(bad, "reform.csv", parent_code="75", dissolve_kinds=("city",))
    r = reorganisation_create(title="Sai", effective_date=ON, plan=plan)
    before = tree_state(), sorted(Unit.objects.values_list("code", "active_to"))
    with pytest.raises(ValidationError) as caught:
        reorganisation_apply(reorganisation=r)
    assert "5" in str(caught.value) and "99999" in str(caught.value)
    assert (tree_state(), sorted(Unit.objects.values_list("code", "active_to"))) == before
    with pytest.raises(PlanRefused, match="full"):
        plan_from_file(b"new_code,new_name,old_code,old_name,kind\n1,X,25993,Y,maybe\n", "x.csv", parent_code="75")


def test_a_split_unit_s_officials_go_where_they_are_allotted(tree):
    xa = UnitFactory(code="26449", name="Xã Xuân Tâm", parent=tree["long_khanh"])
    a = OfficialFactory(unit=xa, employee_code="XT-1")
    b = OfficialFactory(unit=xa, employee_code="XT-2")
    data = ("new_code,new_name,old_code,old_name,kind\n26359,Xã Xuân Đông,26449,Xã Xuân Tâm,partial\n"
            "26446,Xã Xuân Hòa,26449,Xã Xuân Tâm,partial\n").encode()
    r = reorganisation_create(title="Chia", effective_date=ON, plan=plan_from_file(data, "s.csv", parent_code="75"))
    with pytest.raises(ValidationError, match="Xuân Tâm"):
        reorganisation_apply(reorganisation=r)
    reorganisation_allocate(reorganisation=r, allocations={"XT-1": "26359", "xt-2": "26446"})
    reorganisation_apply(reorganisation=r)
    assert Official.objects.get(pk=a.pk).unit.code == "26359" and Official.objects.get(pk=b.pk).unit.code == "26446"
    assert set(Succession.objects.values_list("successor__code", "share")) == {("26359", "partial"),
                                                                                ("26446", "partial")}
    assert Unit.objects.get(code="26446").kind == UnitKind.COMMUNE


def test_a_later_change_keeps_its_place_when_a_reorganisation_is_back_dated(tree, people):
    unit_update(unit=tree["trang_dai"], name="Phường Trảng Dài 2", on=dt.date(2026, 1, 1))
    reorganisation_apply(reorganisation=reform(tree))
    rows = [row for row in unit_tree_on(dt.date(2026, 6, 1)) if row["code"] == "25993"]
    assert rows == [dict(rows[0], name="Phường Trảng Dài 2", parent_code="75")]


def test_the_preview_lists_sittings_under_way_and_an_exam_aimed_at_a_closing_unit_follows(tree, people):
    from exams.models import Exam
    from exams.services import attempt_start

    from ..factories import one_stop_exam

    exam = one_stop_exam()
    exam.audience_units.set([tree["bien_hoa"]])
    attempt_start(exam=exam, official=Official.objects.get(pk=people["tan_phong"].pk))
    r = reform(tree)
    impacts = plan_preview(r.plan, on=ON).impacts
    assert [(i["count"], i["rows"]) for i in impacts] == [(1, [f"{exam.title}: Trần Văn Phong ({people['tan_phong'].employee_code})"])]
    reorganisation_apply(reorganisation=r)
    assert list(Exam.objects.get(pk=exam.pk).audience_units.values_list("code", flat=True)) == ["25993"]


def test_merging_provinces_an_audience_aimed_at_the_old_province_follows_its_own_communes(tree, people):
    bp = UnitFactory(code="70", name="Tỉnh Bình Phước", kind=UnitKind.PROVINCE)
    dong_xoai = UnitFactory(code="689", name="Thành phố Đồng Xoài", kind=UnitKind.CITY, parent=bp)
    tan_phu = UnitFactory(code="25195", name="Phường Tân Phú", kind=UnitKind.WARD, parent=dong_xoai)
    tan_dong = UnitFactory(code="25198", name="Phường Tân Đồng", kind=UnitKind.WARD, parent=dong_xoai)
    UnitFactory(code="70-SNV", name="Sở Nội vụ Bình Phước", kind=UnitKind.DEPARTMENT, parent=bp)
    somebody = OfficialFactory(unit=tan_dong)
    requirement = RequirementFactory(audience_units=[bp])
    data = ("new_code,new_name,old_code,old_name,kind\n25195,Phường Bình Phước,25195,Phường Tân Phú,full\n"
            "25195,Phường Bình Phước,25198,Phường Tân Đồng,full\n").encode()
    plan = plan_from_file(data, "bp.csv", parent_code="75", dissolve_kinds=("city", "district", "town"),
                          merge_into_parent=["70"])
    both = RequirementFactory(audience_units=[bp, tree["province"]])
    shown = {a["object"].pk: a["successors"] for a in plan_preview(plan, on=ON).audiences}
    assert shown == {requirement.pk: ["Phường Bình Phước", "Sở Nội vụ Bình Phước"], both.pk: []}
    reorganisation_apply(reorganisation=reorganisation_create(title="Hợp nhất tỉnh", effective_date=ON, plan=plan))
    assert list(both.audience_units.values_list("code", flat=True)) == ["75"]  # its heirs are inside 75 already
    assert Unit.objects.get(code="70").merged_into.code == "75"
    assert Unit.objects.get(code="25195").parent.code == "75" and Unit.objects.get(code="70-SNV").parent.code == "75"
    assert Official.objects.get(pk=somebody.pk).unit == tan_phu
    assert sorted(requirement.audience_units.values_list("code", flat=True)) == ["25195", "70-SNV"]
    assert set(Succession.objects.filter(predecessor__code="70").values_list("successor__code", flat=True)) == {"75"}


def test_a_dissolved_unit_s_own_staff_can_be_allotted_to_its_successors(tree, people):
    r = reform(tree)
    preview = plan_preview(r.plan, on=ON)
    group = preview.checked.allot["731"]
    assert not group["required"] and [o for o, _name in group["options"]] == ["25993", "75"]
    assert any("Lê Văn Huyện" not in w and "Thành phố Biên Hòa" in w for w in preview.checked.warnings)
    reorganisation_allocate(reorganisation=r, allocations={people["bh_staff"].employee_code: "25993"})
    reorganisation_apply(reorganisation=r)
    assert Official.objects.get(pk=people["bh_staff"].pk).unit.code == "25993"


def test_successors_follow_splits_and_later_merges_to_today(tree):
    from org.selectors import unit_successors

    xa = UnitFactory(code="26449", name="Xã Xuân Tâm", parent=tree["long_khanh"])
    data = ("new_code,new_name,old_code,old_name,kind\n26359,Xã Xuân Đông,26449,Xã Xuân Tâm,partial\n"
            "26446,Xã Xuân Hòa,26449,Xã Xuân Tâm,partial\n").encode()
    reorganisation_apply(reorganisation=reorganisation_create(
        title="Chia", effective_date=ON, plan=plan_from_file(data, "s.csv", parent_code="75")))
    later = ("new_code,new_name,old_code,old_name,kind\n26359,Xã Xuân Đông,26359,Xã Xuân Đông,full\n"
             "26359,Xã Xuân Đông,26446,Xã Xuân Hòa,full\n").encode()
    reorganisation_apply(reorganisation=reorganisation_create(
        title="Nhập", effective_date=dt.date(2026, 1, 1), plan=plan_from_file(later, "m.csv", parent_code="75")))
    found = unit_successors([xa.pk, tree["trang_dai"].pk])
    assert {k: [u.code for u in v] for k, v in found.items()} == {xa.pk: ["26359"]}
