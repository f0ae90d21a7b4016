"""Who may see which units and officials: pages and API read the same scoping selector."""
import pytest

from org.selectors import officials_visible_to, units_visible_to

from ..conftest import PASSWORD
from ..factories import OfficialFactory

pytestmark = pytest.mark.django_db


def login(client, official_or_user):
    user = getattr(official_or_user, "user", official_or_user)
    client.force_login(user)


def test_bien_hoa_officer_cannot_open_long_khanh_official_page(client, bien_hoa_officer, long_khanh_official):
    login(client, bien_hoa_officer)
    response = client.get(f"/can-bo/{long_khanh_official.pk}/")
    assert response.status_code == 404


def test_bien_hoa_officer_cannot_read_long_khanh_official_through_api(client, bien_hoa_officer, long_khanh_official):
    login(client, bien_hoa_officer)
    assert client.get(f"/api/officials/{long_khanh_official.pk}").status_code == 404
    listed = client.get("/api/officials?page_size=500").json()["items"]
    assert long_khanh_official.employee_code not in {o["employee_code"] for o in listed}
    assert client.get("/api/units/26071").status_code == 404
    assert client.get("/api/officials?unit=732").status_code == 404


def test_bien_hoa_officer_sees_officials_of_bien_hoa_communes(client, bien_hoa_officer, trang_dai_official,
                                                              long_khanh_official):
    login(client, bien_hoa_officer)
    page = client.get("/can-bo/")
    assert page.status_code == 200
    assert trang_dai_official.full_name in page.content.decode()
    assert long_khanh_official.full_name not in page.content.decode()
    detail = client.get(f"/api/officials/{trang_dai_official.pk}").json()
    assert detail["unit_code"] == "25993"
    assert [t["to_unit"] for t in detail["transfers"]] == ["25993"]


def test_unit_tree_page_of_personnel_officer_shows_only_their_subtree(client, bien_hoa_officer, tree):
    login(client, bien_hoa_officer)
    html = client.get("/don-vi/").content.decode()
    assert "Phường Trảng Dài" in html and "Phường Xuân Trung" not in html
    assert client.get("/don-vi/26071/").status_code == 404
    codes = {u["code"] for u in client.get("/api/units").json()["items"]}
    assert codes == {"731", "25993", "25996"}


def test_official_sees_only_their_own_record(client, trang_dai_official, long_khanh_official, tree):
    colleague = OfficialFactory(unit=tree["trang_dai"])
    login(client, trang_dai_official)
    assert client.get(f"/can-bo/{trang_dai_official.pk}/").status_code == 200
    assert client.get(f"/can-bo/{colleague.pk}/").status_code == 404
    assert client.get("/can-bo/").status_code == 403
    items = client.get("/api/officials").json()["items"]
    assert [o["employee_code"] for o in items] == [trang_dai_official.employee_code]


def test_trainer_sees_unit_tree_but_no_roster(trainer_user, trang_dai_official, tree):
    assert units_visible_to(trainer_user).filter(code="26071").exists()
    assert not officials_visible_to(trainer_user).exists()


def test_administrator_sees_everyone(admin_user, trang_dai_official, long_khanh_official):
    assert set(officials_visible_to(admin_user)) == {trang_dai_official, long_khanh_official}


def test_anonymous_api_call_is_refused(client, trang_dai_official):
    assert client.get("/api/officials").status_code == 401
    assert client.get("/can-bo/").status_code == 302  # to the login page


def test_personnel_officer_subtree_follows_a_moved_unit(client, bien_hoa_officer, tree, long_khanh_official):
    """Moving Xuân Trung under Biên Hòa brings its officials into the Biên Hòa officer's scope."""
    from org.services import unit_update

    unit_update(unit=tree["xuan_trung"], parent=tree["bien_hoa"])
    login(client, bien_hoa_officer)
    assert client.get(f"/api/officials/{long_khanh_official.pk}").status_code == 200


def test_login_page_and_password_work_for_fixture_accounts(client, trang_dai_official):
    response = client.post("/accounts/login/", {"login": trang_dai_official.employee_code, "password": PASSWORD})
    assert response.status_code == 302
