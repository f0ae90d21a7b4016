"""Staff roles and personnel scopes: an officer over several units sees all of them and nothing else; the
administrators' pages grant, revoke and hand over, each change recorded; an officer left on a closed unit is told;
a reorganisation carries the scopes to the successors."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from org import roles, services
from org.models import RoleChange, ScopeGrant, User
from org.parsing import read_table, roster_validate
from org.selectors import scope_for

from ..factories import OfficialFactory, UserFactory
from .conftest import roster_rows, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    """One official in each of Trảng Dài and Tân Phong (Biên Hòa's wards), Xuân Trung (Long Khánh) and Sở Nội vụ."""
    return {key: OfficialFactory(full_name=name, unit=tree[key]) for key, name in (
        ("trang_dai", "Nguyễn Thị Trảng"), ("tan_phong", "Trần Văn Phong"), ("xuan_trung", "Lê Thị Xuân"),
        ("snv", "Phạm Văn Sở"))}


@pytest.fixture
def two_unit_officer(tree):
    """A personnel officer over Tân Phong and Long Khánh (two subtrees apart)."""
    official = OfficialFactory(employee_code="TC-HAI", full_name="Đinh Văn Hai", unit=tree["tan_phong"])
    services.role_grant(user=official.user, role=roles.PERSONNEL, units=[tree["tan_phong"], tree["long_khanh"]])
    return official.user


def names_in(html: str, people) -> set[str]:
    return {key for key, o in people.items() if o.full_name in html}


# --- An officer over two units -------------------------------------------------------------------------------

def test_two_unit_officer_sees_the_officials_of_both_subtrees_and_no_one_else(client, tree, people,
                                                                               two_unit_officer):
    client.force_login(two_unit_officer)
    assert names_in(client.get("/can-bo/").content.decode(), people) == {"tan_phong", "xuan_trung"}
    assert client.get(f"/can-bo/{people['xuan_trung'].pk}/").status_code == 200
    assert client.get(f"/can-bo/{people['trang_dai'].pk}/").status_code == 404
    assert client.get(f"/can-bo/{people['snv'].pk}/").status_code == 404
    listed = {o["employee_code"] for o in client.get("/api/officials?page_size=500").json()["items"]}
    assert people["xuan_trung"].employee_code in listed and people["tan_phong"].employee_code in listed
    assert people["trang_dai"].employee_code not in listed and people["snv"].employee_code not in listed
    assert {u["code"] for u in client.get("/api/units").json()["items"]} == {"25996", "732", "26071"}
    tree_page = client.get("/don-vi/").content.decode()
    assert "Phường Tân Phong" in tree_page and "Phường Xuân Trung" in tree_page
    assert "Phường Trảng Dài" not in tree_page


def test_two_unit_officer_imports_rows_for_both_units_and_no_other(tree, two_unit_officer):
    frame = read_table(to_csv(roster_rows(3, unit_codes=("25996", "26071", "25993"))), "ds.csv")
    _rows, errors = roster_validate(frame, scope=scope_for(two_unit_officer))
    # The third official is in Trảng Dài, outside both subtrees: the only refusal.
    assert [("25993" in e.message) for e in errors] == [True]


def test_the_dashboard_names_every_unit_the_officer_manages(client, tree, two_unit_officer):
    client.force_login(two_unit_officer)
    html = client.get("/toi/").content.decode()
    assert "Phường Tân Phong; Thành phố Long Khánh" in html


# --- Administrators' pages -----------------------------------------------------------------------------------

def test_pages_are_for_administrators_only(client, tree, bien_hoa_officer, trainer_user, trang_dai_official):
    target = trang_dai_official.user
    pages = ["/quan-tri/nguoi-dung/", f"/quan-tri/nguoi-dung/{target.pk}/"]
    posts = [(f"/quan-tri/nguoi-dung/{target.pk}/cap-vai-tro/", {"role": "admin"}),
             (f"/quan-tri/nguoi-dung/{target.pk}/thu-hoi-vai-tro/", {"role": "personnel"}),
             (f"/quan-tri/nguoi-dung/{bien_hoa_officer.user.pk}/ban-giao/", {"to_user": target.username})]
    assert client.get(pages[0]).status_code == 302  # to sign in
    for user in (bien_hoa_officer.user, trainer_user, target):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403, (user, url)
        for url, data in posts:
            assert client.post(url, data).status_code == 403, (user, url)
    assert not roles.is_admin(User.objects.get(pk=target.pk))
    assert roles.is_personnel(User.objects.get(pk=bien_hoa_officer.user.pk))


def test_the_navigation_links_the_page_for_administrators_only(client, admin_user, bien_hoa_officer):
    client.force_login(admin_user)
    assert 'href="/quan-tri/nguoi-dung/"' in client.get("/toi/").content.decode()
    client.force_login(bien_hoa_officer.user)
    assert 'href="/quan-tri/nguoi-dung/"' not in client.get("/toi/").content.decode()


def test_admin_makes_a_personnel_officer_for_two_units_through_the_page(client, tree, admin_user, people):
    target = UserFactory(username="phongnoivu", first_name="Nam", last_name="Hồ Văn")
    client.force_login(admin_user)
    page = client.get(f"/quan-tri/nguoi-dung/{target.pk}/")
    assert page.status_code == 200 and "Cán bộ tổ chức" in page.content.decode()
    r = client.post(f"/quan-tri/nguoi-dung/{target.pk}/cap-vai-tro/",
                    {"role": "personnel", "units": [tree["tan_phong"].pk, tree["long_khanh"].pk],
                     "note": "QĐ 12/QĐ-SNV"})
    assert r.status_code == 302
    target = User.objects.get(pk=target.pk)
    assert roles.is_personnel(target)
    assert set(ScopeGrant.objects.filter(user=target).values_list("unit__code", flat=True)) == {"25996", "732"}
    assert target.scope_unit.code in {"25996", "732"}
    change = RoleChange.objects.get(user=target)
    assert (change.action, change.role, change.by, change.note) == ("grant", roles.PERSONNEL, admin_user,
                                                                   "QĐ 12/QĐ-SNV")
    assert {u.code for u in change.units.all()} == {"25996", "732"}
    # The officer now sees both subtrees.
    client.force_login(target)
    assert names_in(client.get("/can-bo/").content.decode(), people) == {"tan_phong", "xuan_trung"}
    # The history is on the person's page.
    client.force_login(admin_user)
    html = client.get(f"/quan-tri/nguoi-dung/{target.pk}/").content.decode()
    assert "QĐ 12/QĐ-SNV" in html and "Phường Tân Phong" in html


def test_personnel_role_without_a_unit_is_refused_in_vietnamese(client, tree, admin_user, people):
    target = people["snv"].user
    client.force_login(admin_user)
    r = client.post(f"/quan-tri/nguoi-dung/{target.pk}/cap-vai-tro/", {"role": "personnel"})
    assert r.status_code == 400
    assert "Hãy chọn ít nhất một đơn vị" in r.content.decode()
    assert not roles.is_personnel(User.objects.get(pk=target.pk))
    assert not RoleChange.objects.filter(user=target).exists()
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.role_grant(user=target, role=roles.PERSONNEL)
    assert "phải được giao ít nhất một đơn vị đang hoạt động" in " ".join(exc.value.messages)


def test_a_closed_unit_cannot_be_granted(tree, admin_user, people):
    services.unit_merge(source=tree["xuan_trung"], target=tree["long_khanh"], on=dt.date(2025, 7, 1))
    tree["xuan_trung"].refresh_from_db()
    with pytest.raises(ValidationError):
        services.role_grant(user=people["snv"].user, role=roles.PERSONNEL, units=[tree["xuan_trung"]], by=admin_user)
    assert not ScopeGrant.objects.exists()


def test_admin_grants_and_revokes_other_roles_through_the_page(client, admin_user, people):
    target = people["snv"].user
    client.force_login(admin_user)
    client.post(f"/quan-tri/nguoi-dung/{target.pk}/cap-vai-tro/", {"role": "trainer"})
    client.post(f"/quan-tri/nguoi-dung/{target.pk}/cap-vai-tro/", {"role": "reviewer"})
    assert User.objects.get(pk=target.pk).groups.filter(name__in=[roles.TRAINER, roles.REVIEWER]).count() == 2
    client.post(f"/quan-tri/nguoi-dung/{target.pk}/thu-hoi-vai-tro/", {"role": "trainer"})
    target = User.objects.get(pk=target.pk)
    assert not roles.is_trainer(target) and roles.REVIEWER in roles.group_names(target)
    assert list(RoleChange.objects.filter(user=target).order_by("at", "id").values_list("action", "role")) == [
        ("grant", roles.TRAINER), ("grant", roles.REVIEWER), ("revoke", roles.TRAINER)]
    # An administrator cannot lock themselves out.
    r = client.post(f"/quan-tri/nguoi-dung/{admin_user.pk}/thu-hoi-vai-tro/", {"role": "admin"}, follow=True)
    assert roles.ADMINISTRATOR in roles.group_names(User.objects.get(pk=admin_user.pk))
    assert "không thể tự thu hồi" in r.content.decode()


def test_admin_removes_a_unit_but_never_the_last_active_one(client, tree, admin_user, people, two_unit_officer):
    client.force_login(admin_user)
    grants = {g.unit.code: g for g in ScopeGrant.objects.filter(user=two_unit_officer).select_related("unit")}
    r = client.post(f"/quan-tri/nguoi-dung/{two_unit_officer.pk}/pham-vi/{grants['732'].pk}/bo/")
    assert r.status_code == 302
    assert list(ScopeGrant.objects.filter(user=two_unit_officer).values_list("unit__code", flat=True)) == ["25996"]
    officer = User.objects.get(pk=two_unit_officer.pk)
    assert officer.scope_unit.code == "25996"
    assert RoleChange.objects.filter(user=officer, action="revoke", units__code="732").exists()
    r = client.post(f"/quan-tri/nguoi-dung/{officer.pk}/pham-vi/{grants['25996'].pk}/bo/", follow=True)
    assert "không còn đơn vị nào đang hoạt động" in r.content.decode()
    assert ScopeGrant.objects.filter(user=officer).count() == 1
    # Revoking the role takes every unit with it.
    client.post(f"/quan-tri/nguoi-dung/{officer.pk}/thu-hoi-vai-tro/", {"role": "personnel"})
    officer = User.objects.get(pk=officer.pk)
    assert not roles.is_personnel(officer) and officer.scope_unit is None
    assert not ScopeGrant.objects.filter(user=officer).exists()
    client.force_login(officer)
    assert client.get("/can-bo/").status_code == 403


def test_admin_hands_a_scope_over_through_the_page(client, tree, admin_user, people, two_unit_officer):
    successor = people["trang_dai"]
    client.force_login(admin_user)
    r = client.post(f"/quan-tri/nguoi-dung/{two_unit_officer.pk}/ban-giao/",
                    {"to_user": successor.employee_code.lower(), "note": "Nghỉ hưu"})
    assert r.status_code == 302 and r["Location"] == f"/quan-tri/nguoi-dung/{successor.user.pk}/"
    old, new = User.objects.get(pk=two_unit_officer.pk), User.objects.get(pk=successor.user.pk)
    assert not roles.is_personnel(old) and not ScopeGrant.objects.filter(user=old).exists()
    assert roles.is_personnel(new)
    assert set(ScopeGrant.objects.filter(user=new).values_list("unit__code", flat=True)) == {"25996", "732"}
    assert RoleChange.objects.get(user=old, action="hand_over").other_user == new
    taken = RoleChange.objects.get(user=new, action="take_over")
    assert taken.other_user == old and taken.by == admin_user and taken.note == "Nghỉ hưu"
    client.force_login(new)
    assert names_in(client.get("/can-bo/").content.decode(), people) == {"tan_phong", "xuan_trung", "trang_dai"}
    client.force_login(old)
    assert client.get("/can-bo/").status_code == 403


def test_hand_over_of_some_units_and_to_nobody(client, tree, admin_user, people, two_unit_officer):
    client.force_login(admin_user)
    grant = ScopeGrant.objects.get(user=two_unit_officer, unit=tree["long_khanh"])
    r = client.post(f"/quan-tri/nguoi-dung/{two_unit_officer.pk}/ban-giao/",
                    {"to_user": "khong-co-ai", "units": [grant.pk]})
    assert r.status_code == 400 and "Không có tài khoản" in r.content.decode()
    client.post(f"/quan-tri/nguoi-dung/{two_unit_officer.pk}/ban-giao/",
                {"to_user": people["snv"].user.username, "units": [grant.pk]})
    assert list(ScopeGrant.objects.filter(user=two_unit_officer).values_list("unit__code", flat=True)) == ["25996"]
    assert roles.is_personnel(User.objects.get(pk=two_unit_officer.pk))
    assert list(ScopeGrant.objects.filter(user=people["snv"].user).values_list("unit__code", flat=True)) == ["732"]


def test_user_list_searches_without_diacritics_and_filters_by_role(client, admin_user, people, two_unit_officer,
                                                                   trainer_user):
    client.force_login(admin_user)
    html = client.get("/quan-tri/nguoi-dung/", {"q": "dinh van hai"}).content.decode()
    assert "Đinh Văn Hai" in html and people["snv"].full_name not in html
    html = client.get("/quan-tri/nguoi-dung/", {"role": "personnel"}).content.decode()
    assert "Đinh Văn Hai" in html and "giangvien" not in html and people["snv"].full_name not in html
    html = client.get("/quan-tri/nguoi-dung/", {"role": "trainer"}).content.decode()
    assert "giangvien" in html and "Đinh Văn Hai" not in html


# --- An officer left on a closed unit ---------------------------------------------------------------------------

def test_an_officer_bound_to_a_closed_unit_is_warned_and_listed(client, tree, admin_user, people):
    officer = OfficialFactory(full_name="Vương Thị Xuân", unit=tree["xuan_trung"]).user
    services.role_grant(user=officer, role=roles.PERSONNEL, scope_unit=tree["xuan_trung"])
    client.force_login(officer)
    assert 'data-testid="closed-scope-warning"' not in client.get("/toi/").content.decode()

    services.unit_merge(source=tree["xuan_trung"], target=tree["long_khanh"], on=dt.date(2025, 7, 1))
    for url in ("/toi/", "/bao-cao/"):
        html = client.get(url).content.decode()
        assert 'data-testid="closed-scope-warning"' in html, url
        assert "Phường Xuân Trung" in html and "Thành phố Long Khánh" in html and "01/07/2025" in html
        assert "quản trị viên" in html
    client.force_login(admin_user)
    html = client.get("/quan-tri/nguoi-dung/", {"closed": "on"}).content.decode()
    assert "Vương Thị Xuân" in html and people["snv"].full_name not in html
    # Re-bound by an administrator: the warning goes.
    grant = ScopeGrant.objects.get(user=officer)
    client.post(f"/quan-tri/nguoi-dung/{officer.pk}/cap-vai-tro/", {"role": "personnel",
                                                                  "units": [tree["long_khanh"].pk]})
    client.post(f"/quan-tri/nguoi-dung/{officer.pk}/pham-vi/{grant.pk}/bo/")
    assert "Vương Thị Xuân" not in client.get("/quan-tri/nguoi-dung/", {"closed": "on"}).content.decode()
    client.force_login(officer)
    assert 'data-testid="closed-scope-warning"' not in client.get("/toi/").content.decode()
    assert User.objects.get(pk=officer.pk).scope_unit == tree["long_khanh"]


# --- Following a reorganisation ----------------------------------------------------------------------------------

def test_scopes_follow_a_unit_to_its_successors(tree, admin_user, bien_hoa_officer, two_unit_officer):
    officer = bien_hoa_officer.user
    services.scope_grant(user=officer, units=[tree["snv"]], by=admin_user)
    successors = [tree["trang_dai"], tree["xuan_trung"]]

    moved = services.scope_follow_successors(unit=tree["bien_hoa"], successors=successors, by=admin_user)

    assert moved == [User.objects.get(pk=officer.pk)]
    officer = User.objects.get(pk=officer.pk)
    assert set(ScopeGrant.objects.filter(user=officer).values_list("unit__code", flat=True)) == {
        "75-SNV", "25993", "26071"}
    assert officer.scope_unit == tree["trang_dai"]  # the primary unit follows too
    change = RoleChange.objects.get(user=officer, action="follow")
    assert {u.code for u in change.units.all()} == {"25993", "26071"} and "Thành phố Biên Hòa" in change.note
    assert scope_for(officer).covers_unit(tree["xuan_trung"])
    assert not scope_for(officer).covers_unit(tree["tan_phong"])
    # The officer over Tân Phong and Long Khánh was not bound to Biên Hòa: untouched.
    assert set(ScopeGrant.objects.filter(user=two_unit_officer).values_list("unit__code", flat=True)) == {
        "25996", "732"}
    # No successor (dissolved without one): nothing moves.
    assert services.scope_follow_successors(unit=tree["snv"], successors=[], by=admin_user) == []
    assert ScopeGrant.objects.filter(user=officer, unit=tree["snv"]).exists()


def test_the_old_signature_of_role_grant_still_binds_one_unit(tree):
    user = UserFactory(username="tochuc")
    services.role_grant(user=user, role=roles.PERSONNEL, scope_unit=tree["long_khanh"])
    user = User.objects.get(pk=user.pk)
    assert roles.is_personnel(user) and user.scope_unit == tree["long_khanh"]
    assert scope_for(user).unit_paths == (tree["long_khanh"].path,)
    assert RoleChange.objects.get(user=user).action == "grant"
