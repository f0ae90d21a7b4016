"""The administrator's accounts page in Chromium: find the demo personnel officer, add a second unit found by a
search without diacritics, and see it in their scope and history."""
from org.models import ScopeGrant

from .conftest import sign_in


def test_admin_adds_a_second_unit_to_the_personnel_officer(browser, page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "admin", demo)
    page.get_by_role("link", name="Tài khoản và vai trò").first.click()
    page.fill("#id_q", "le van dung")
    page.get_by_role("button", name="Lọc").click()
    page.get_by_role("link", name="Lê Văn Dũng").click()
    assert "Thành phố Biên Hòa" in page.inner_text("[data-testid=scope-grants]")

    page.fill("#unit-q", "long khanh")
    page.get_by_role("button", name="Tìm kiếm").last.click()
    page.get_by_label("Thành phố Long Khánh").check()
    page.fill("#id_note", "QĐ 7/QĐ-SNV")
    page.get_by_role("button", name="Thêm các đơn vị").click()

    page.wait_for_selector(".msg-success")
    grants = page.inner_text("[data-testid=scope-grants]")
    assert "Thành phố Biên Hòa" in grants and "Thành phố Long Khánh" in grants
    assert "QĐ 7/QĐ-SNV" in page.inner_text("[data-testid=role-history]")
    page.screenshot(path="/tmp/hroles_user_detail.png", full_page=True)
    assert set(ScopeGrant.objects.filter(user__username="personnel").values_list("unit__code", flat=True)) == {
        "731", "732"}
