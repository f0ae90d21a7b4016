"""The requirement and training-session forms: the unit picker lists the units the user may use, in tree order, and
opening a form and saving it untouched — as a browser would send it — changes nothing."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from lms import services
from lms.models import Assignment, Requirement, TrainingSession
from org import services as org_services
from org.selectors import officials_in_audience

from ..factories import OfficialFactory, RequirementFactory, TrainingSessionFactory, UnitFactory
from ..html_forms import form_fields, options

pytestmark = pytest.mark.django_db

REQUIREMENT_NEW = "/hoc-tap/quan-ly/yeu-cau/moi/"
SESSION_NEW = "/hoc-tap/quan-ly/tap-huan/moi/"


def snapshot(obj) -> dict:
    """Every stored field and relation of a requirement or session, and who it reaches."""
    obj.refresh_from_db()
    state = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname != "updated_at"}
    state.update({f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True)) for f in obj._meta.many_to_many})
    state["audience"] = sorted(officials_in_audience(obj).values_list("pk", flat=True))
    if isinstance(obj, Requirement):
        state["assignments"] = sorted(Assignment.objects.filter(requirement=obj).values_list(
            "official_id", "active", "source", "status", "due_at"))
    return state


def save_untouched(client, url, *, field="audience_units"):
    """GET the form, then POST back exactly what a browser sends for it as rendered."""
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, form_fields(page.content, containing=field))


@pytest.fixture
def people(tree, trang_dai_official, long_khanh_official, bien_hoa_officer):
    """One-stop receivers in Biên Hòa (two wards) and in Long Khánh, plus a ranked civil servant to list by code."""
    tan_phong = OfficialFactory(employee_code="25996-0001", full_name="Trần Văn Bình", unit=tree["tan_phong"],
                                is_one_stop_receiver=True, rank="Chuyên viên")
    listed = OfficialFactory(employee_code="25996-0002", full_name="Võ Thị Hoa", unit=tree["tan_phong"])
    return {"trang_dai": trang_dai_official, "tan_phong": tan_phong, "listed": listed,
            "long_khanh": long_khanh_official, "officer": bien_hoa_officer}


@pytest.fixture
def bien_hoa_requirement(tree, people, module, exam):
    """A Biên Hòa-only requirement with every field of the form set, assigned."""
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module], exam=exam, scope_unit=tree["bien_hoa"],
        description="Dòng thứ nhất.\nDòng thứ hai, “trích dẫn” & <thẻ>.", requires_attendance=True,
        validity_months=24, renewal_window_days=45, newcomer_days=90, target_percent=Decimal("95.50"),
        audience_categories=["cong_chuc"], audience_ranks=["Chuyên viên", "Cán sự"],
        audience_officials=[people["listed"]])
    services.requirement_assign(requirement=requirement)
    return requirement


@pytest.fixture
def bien_hoa_session(tree, bien_hoa_requirement):
    # Times with seconds, as the demo and the API make them: the form shows minutes only.
    starts = timezone.now().replace(microsecond=123456) + dt.timedelta(days=3)
    return TrainingSessionFactory(
        title="Tập huấn một cửa Biên Hòa", requirement=bien_hoa_requirement, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3, seconds=17), location="Hội trường UBND TP Biên Hòa",
        trainer="Sở Nội vụ", description="Mang theo\nmáy tính xách tay.", scope_unit=tree["bien_hoa"],
        audience_one_stop_receivers=True, audience_include_subunits=True, audience_units=[tree["bien_hoa"]])


def login(client, request, who):
    user = request.getfixturevalue("admin_user") if who == "admin" else request.getfixturevalue(
        "bien_hoa_officer").user
    client.force_login(user)


# --- Save unchanged changes nothing ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["admin", "personnel"])
def test_saving_a_requirement_untouched_changes_nothing(client, request, who, bien_hoa_requirement, people,
                                                        django_capture_on_commit_callbacks):
    before = snapshot(bien_hoa_requirement)
    assert before["audience"] == sorted([people["tan_phong"].pk, people["listed"].pk])
    login(client, request, who)
    with django_capture_on_commit_callbacks(execute=True):
        response = save_untouched(client, f"/hoc-tap/quan-ly/yeu-cau/{bien_hoa_requirement.pk}/sua/")
    assert response.status_code == 302, response.content.decode()
    assert snapshot(bien_hoa_requirement) == before


@pytest.mark.parametrize("who", ["admin", "personnel"])
def test_saving_a_session_untouched_changes_nothing(client, request, who, bien_hoa_session, people):
    before = snapshot(bien_hoa_session)
    assert before["audience"] == sorted([people["trang_dai"].pk, people["tan_phong"].pk])
    login(client, request, who)
    response = save_untouched(client, f"/hoc-tap/quan-ly/tap-huan/{bien_hoa_session.pk}/sua/")
    assert response.status_code == 302, response.content.decode()
    assert snapshot(bien_hoa_session) == before


def test_a_unit_dissolved_since_stays_in_the_audience_when_saved_untouched(client, tree, admin_user, people,
                                                                          bien_hoa_requirement):
    # Tân Phong merges into Trảng Dài; the requirement named Tân Phong alone.
    bien_hoa_requirement.audience_units.set([tree["tan_phong"]])
    org_services.unit_merge(source=tree["tan_phong"], target=tree["trang_dai"], on=dt.date(2025, 7, 1))
    before = snapshot(bien_hoa_requirement)
    client.force_login(admin_user)
    url = f"/hoc-tap/quan-ly/yeu-cau/{bien_hoa_requirement.pk}/sua/"
    assert (str(tree["tan_phong"].pk), True) in [(v, chosen) for v, _label, chosen in
                                                options(client.get(url).content, name="audience_units")]
    assert save_untouched(client, url).status_code == 302
    assert snapshot(bien_hoa_requirement) == before  # not widened to every one-stop receiver of the province


# --- The picker ------------------------------------------------------------------------------------------------

def picker(client, url, name="audience_units"):
    return options(client.get(url).content, name=name)


@pytest.mark.parametrize("url", [REQUIREMENT_NEW, SESSION_NEW])
def test_a_personnel_officer_sees_their_subtree_in_tree_order(client, tree, bien_hoa_officer, url):
    # A unit dissolved earlier is not offered.
    gone = UnitFactory(code="25999", name="Phường Đã Giải Thể", kind="ward", parent=tree["bien_hoa"])
    org_services.unit_close(unit=gone, on=dt.date(2024, 1, 1))
    client.force_login(bien_hoa_officer.user)
    offered = picker(client, url)
    assert [value for value, _label, _chosen in offered] == [
        str(tree[k].pk) for k in ("bien_hoa", "tan_phong", "trang_dai")]  # the city, then its wards A–Z
    labels = [label.strip() for _value, label, _chosen in offered]
    assert labels == ["Thành phố Biên Hòa", "Phường Tân Phong", "Phường Trảng Dài"]
    html = client.get(url).content.decode()
    assert 'class="unit-tree"' in html and "unit-depth-1" in html  # wards are indented under the city


def test_an_administrator_sees_every_unit_each_under_its_parent(client, tree, admin_user):
    client.force_login(admin_user)
    offered = [value for value, _label, _chosen in picker(client, REQUIREMENT_NEW)]
    order = ["province", "snv", "bien_hoa", "tan_phong", "trang_dai", "long_khanh", "xuan_trung"]
    assert offered == [str(tree[k].pk) for k in order]  # departments before cities, each city before its wards


def test_the_enrolment_picker_lists_the_subtree_in_tree_order(client, tree, bien_hoa_officer, module):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["province"]], modules=[module])
    client.force_login(bien_hoa_officer.user)
    offered = picker(client, f"/hoc-tap/quan-ly/yeu-cau/{requirement.pk}/", name="unit")
    assert [value for value, _label, _chosen in offered] == [
        "", str(tree["bien_hoa"].pk), str(tree["tan_phong"].pk), str(tree["trang_dai"].pk)]
    assert offered[2][1].startswith("\u00a0")  # indented under the city


# --- A personnel officer creates unit-scoped requirements and sessions -------------------------------------------

def test_a_personnel_officer_creates_a_requirement_for_a_unit_of_their_subtree(
        client, tree, people, module, django_capture_on_commit_callbacks):
    client.force_login(people["officer"].user)
    page = client.get(REQUIREMENT_NEW)
    data = form_fields(page.content, containing="audience_units")
    trang_dai = next(v for v, label, _c in options(page.content, name="audience_units") if "Trảng Dài" in label)
    data.update({"title": "Bồi dưỡng một cửa Trảng Dài", "modules": [str(module.pk)], "due_date": ["2030-09-30"],
                 "audience_units": [trang_dai], "audience_one_stop_receivers": ["on"]})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REQUIREMENT_NEW, data)
    assert response.status_code == 302, response.content.decode()
    requirement = Requirement.objects.get()
    assert list(requirement.audience_units.all()) == [tree["trang_dai"]]
    assert requirement.scope_unit == tree["bien_hoa"]
    assert set(Assignment.objects.values_list("official_id", flat=True)) == {people["trang_dai"].pk}


def test_a_personnel_officer_schedules_a_session_for_a_unit_of_their_subtree(client, tree, people):
    client.force_login(people["officer"].user)
    page = client.get(SESSION_NEW)
    data = form_fields(page.content, containing="audience_units")
    tan_phong = next(v for v, label, _c in options(page.content, name="audience_units") if "Tân Phong" in label)
    data.update({"title": "Tập huấn Tân Phong", "starts_at": ["2030-10-01T08:00"], "ends_at": ["2030-10-01T11:30"],
                 "location": "UBND phường Tân Phong", "audience_units": [tan_phong]})
    response = client.post(SESSION_NEW, data)
    assert response.status_code == 302, response.content.decode()
    session = TrainingSession.objects.get()
    assert list(session.audience_units.all()) == [tree["tan_phong"]] and session.scope_unit == tree["bien_hoa"]
    assert set(officials_in_audience(session).values_list("pk", flat=True)) == {people["tan_phong"].pk,
                                                                             people["listed"].pk}


@pytest.mark.parametrize("url", [REQUIREMENT_NEW, SESSION_NEW])
def test_a_unit_outside_the_officers_scope_posted_by_hand_is_refused_in_vietnamese(client, tree, people, module,
                                                                                   url):
    client.force_login(people["officer"].user)
    data = form_fields(client.get(url).content, containing="audience_units")
    data.update({"title": "Ngoài phạm vi", "modules": [str(module.pk)], "starts_at": ["2030-10-01T08:00"],
                 "ends_at": ["2030-10-01T11:30"], "location": "Long Khánh",
                 "audience_units": [str(tree["trang_dai"].pk), str(tree["long_khanh"].pk)]})
    response = client.post(url, data)
    assert response.status_code == 400
    assert "không thuộc phạm vi bạn quản lý" in response.content.decode()
    data["audience_units"] = ["Biên Hòa"]  # not even an id
    assert client.post(url, data).status_code == 400
    assert not Requirement.objects.exists() and not TrainingSession.objects.exists()
