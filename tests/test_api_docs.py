"""The API's documentation is for staff and comes from the platform itself; its schema is for signed-in clients."""
import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def personnel_user(bien_hoa_officer):
    return bien_hoa_officer.user


def test_strangers_are_sent_to_sign_in_and_officials_are_refused(client, trang_dai_official):
    anonymous = client.get("/api/docs")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(trang_dai_official.user)
    refused = client.get("/api/docs")
    assert refused.status_code == 403
    assert "swagger" not in refused.content.decode().lower()


@pytest.mark.parametrize("who", ["trainer_user", "personnel_user", "admin_user"])
def test_staff_read_the_docs_served_by_the_platform_itself(client, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets and "/static/ninja/swagger-ui.css" in assets
    # Nothing from another host (no CDN, no validator badge): the page works offline and the CSP allows it.
    assert not re.search(r"(?:https?:)?//", html)
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_the_schema_is_for_signed_in_clients(client, trang_dai_official):
    anonymous = client.get("/api/openapi.json")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "signed_out"
    client.force_login(trang_dai_official.user)
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/units" in paths
    # The quarterly report's figures, for the province's reporting systems.
    assert {"/api/reports/requirements", "/api/reports/coverage"} <= set(paths)

