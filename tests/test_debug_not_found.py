"""`make run` runs with DEBUG on: an address that does not exist still shows the site's own Vietnamese page, not
Django's English technical 404 (which DEBUG_TECHNICAL_404 brings back for a developer)."""
import pytest

pytestmark = pytest.mark.django_db

TECHNICAL = "Using the URLconf defined in"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.mark.parametrize("path", ["/khong-co-trang-nay/", "/khoa-hoc/khong-co/", "/khong-co.php"])
def test_a_missing_page_is_the_sites_own_vietnamese_404_with_debug_on(client, debug, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html and "Quay lại trang chủ" in html
    assert TECHNICAL not in html and "Page not found" not in html


def test_a_missing_object_behind_a_view_too(client, debug, admin_user):
    client.force_login(admin_user)
    response = client.get("/can-bo/999999/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_an_address_without_its_slash_is_still_redirected(client, debug):
    response = client.get("/khoa-hoc")
    assert response.status_code == 301 and response["Location"] == "/khoa-hoc/"


def test_a_developer_can_ask_for_djangos_technical_page(client, debug):
    debug.DEBUG_TECHNICAL_404 = True
    response = client.get("/khong-co-trang-nay.txt")
    assert response.status_code == 404 and TECHNICAL in response.content.decode()
