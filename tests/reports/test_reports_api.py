"""The reports in the JSON API: requirements and coverage per unit and requirement as of a date, scoped as the
pages are, for the province's reporting systems."""
import datetime as dt

import pytest

from org import roles
from org import services as org_services

from ..factories import OfficialFactory, RequirementFactory


@pytest.fixture
def officer(history):
    """The personnel officer of Thành phố Mới."""
    official = OfficialFactory(full_name="Lê Thị Tổ Chức", unit=history["units"]["new"], on=dt.date(2020, 1, 1))
    org_services.role_grant(user=official.user, role=roles.PERSONNEL, scope_unit=history["units"]["new"])
    return official.user


def rows_by(data: dict, requirement_id: int) -> dict:
    return {r["unit_code"]: r for r in data["rows"] if r["requirement_id"] == requirement_id}


def test_requirements_an_administrator_may_report_on(client, history, admin_user):
    client.force_login(admin_user)
    r = client.get("/api/reports/requirements")
    assert r.status_code == 200
    assert [(x["id"], x["title"], x["target_percent"]) for x in r.json()] == [
        (history["yearly"].pk, "Bồi dưỡng CCHC hằng năm", 100.0), (history["once"].pk, "Kỹ năng một cửa", 80.0)]


def test_coverage_of_a_past_day_on_the_tree_and_names_of_that_day(client, history, admin_user):
    u, yearly = history["units"], history["yearly"]
    client.force_login(admin_user)
    r = client.get("/api/reports/coverage", {"on": "2021-09-30", "requirement": yearly.pk})
    assert r.status_code == 200
    data = r.json()
    assert data["as_of"] == "2021-09-30" and data["live"] is False
    rows = rows_by(data, yearly.pk)
    assert set(rows) == {"75", "740", "741", "26001", "26002", "26003"}  # no 26004: created in 2024
    assert rows["26002"] == {
        "requirement_id": yearly.pk, "unit_code": "26002", "unit_name": "Xã Hai", "parent_code": "740", "depth": 2,
        "audience": 2, "done": 1, "in_progress": 0, "not_started": 0, "overdue": 1, "expiring": 0,
        "coverage_percent": 50.0, "target_percent": 100.0, "gap": 1, "successors": ["26001"]}
    assert rows["75"]["audience"] == rows["740"]["audience"] + rows["741"]["audience"] == 5
    assert rows["75"]["done"] == 4 and rows["26001"]["expiring"] == 1
    # Today: the live figures, on today's tree (Xã Hai merged away, Xã Bốn there).
    today = client.get("/api/reports/coverage", {"requirement": yearly.pk}).json()
    assert today["live"] is True
    live = rows_by(today, yearly.pk)
    assert "26002" not in live and live["26004"]["audience"] == 1
    assert live["26001"]["unit_name"] == "Xã Một" and live["26001"]["audience"] == 4


def test_one_unit_and_its_sub_units(client, history, admin_user):
    client.force_login(admin_user)
    data = client.get("/api/reports/coverage", {"on": "31/03/2021", "unit": "740"}).json()
    assert {(r["unit_code"], r["requirement_id"]) for r in data["rows"]} == {
        (code, req.pk) for code in ("740", "26001", "26002") for req in (history["yearly"], history["once"])}


def test_personnel_officers_get_their_subtree_only(client, history, officer):
    client.force_login(officer)
    data = client.get("/api/reports/coverage", {"on": "2021-03-31"}).json()
    assert {r["unit_code"] for r in data["rows"]} == {"741", "26003"}
    assert client.get("/api/reports/coverage", {"unit": "740"}).status_code == 404
    # A requirement set by another unit's officer is not theirs to report on.
    other = RequirementFactory(title="Riêng của Huyện Cũ", scope_unit=history["units"]["old"])
    r = client.get("/api/reports/coverage", {"requirement": other.pk})
    assert r.status_code == 404
    assert other.pk not in [x["id"] for x in client.get("/api/reports/requirements").json()]


def test_officials_and_strangers_are_refused(client, history):
    official = history["people"]["an"]
    client.force_login(official.user)
    for url in ("/api/reports/coverage", "/api/reports/requirements"):
        r = client.get(url)
        assert r.status_code == 403
        assert r.json()["detail"] == "Báo cáo tỷ lệ hoàn thành dành cho cán bộ tổ chức và quản trị viên."
    client.logout()
    assert client.get("/api/reports/coverage").status_code == 401


def test_bad_dates_and_units_are_explained(client, history, admin_user):
    client.force_login(admin_user)
    r = client.get("/api/reports/coverage", {"on": "hôm qua"})
    assert r.status_code == 422
    assert r.json()["detail"] == "“hôm qua” không phải là ngày: hãy viết theo dạng yyyy-mm-dd (hoặc dd/mm/yyyy)."
    r = client.get("/api/reports/coverage", {"on": "2999-01-01"})
    assert r.status_code == 422 and "tương lai" in r.json()["detail"]
    r = client.get("/api/reports/coverage", {"on": "2021-02-30"})
    assert r.status_code == 422
    r = client.get("/api/reports/coverage", {"on": "2021-03-31", "unit": "26004"})
    assert r.status_code == 404 and "không có trong cây đơn vị vào ngày 31/03/2021" in r.json()["detail"]
    assert client.get("/api/reports/coverage", {"requirement": "abc"}).status_code == 422


def test_the_endpoints_are_in_the_openapi_document(client, history, admin_user):
    client.force_login(admin_user)
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/reports/coverage" in paths and "/api/reports/requirements" in paths
    params = {p["name"] for p in paths["/api/reports/coverage"]["get"]["parameters"]}
    assert params == {"on", "requirement", "unit"}
