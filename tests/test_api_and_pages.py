import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_units_and_officials(client, trang_dai_official):
    client.force_login(trang_dai_official.user)  # the schema is for signed-in clients (tests/test_api_docs.py)
    doc = client.get("/api/openapi.json").json()
    assert {"/api/units", "/api/units/{code}", "/api/officials", "/api/officials/{official_id}", "/api/imports"} <= set(doc["paths"])


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_dates_are_shown_dd_mm_yyyy(client, trang_dai_official, admin_user):
    client.force_login(admin_user)
    html = client.get(f"/can-bo/{trang_dai_official.pk}/").content.decode()
    assert "01/01/2020" in html  # the first posting's date
