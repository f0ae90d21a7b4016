"""The foundation in a real browser: signing in, the header, the phone layout, and a refused import."""
import io

import pandas as pd

from .conftest import sign_in


def test_demo_official_signs_in_and_sees_name_and_unit(page, live_server, demo):
    sign_in(page, live_server.url, "official", demo)
    who = page.get_by_test_id("who")
    assert "Nguyễn Thị Minh Thư" in who.inner_text()
    assert "Phường Trảng Dài" in who.inner_text()
    assert page.get_by_test_id("official-unit").inner_text().startswith("Phường Trảng Dài")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Xin chào, Nguyễn Thị Minh Thư"


def test_header_fits_a_phone_and_the_skip_link_is_reachable_by_keyboard(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, live_server.url, "official", demo)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.get_by_role("button", name="☰ Menu").click()  # the menu opens on a phone
    assert page.get_by_role("link", name="Trang cá nhân").is_visible()
    context.close()


def test_personnel_officer_uploads_a_roster_with_a_bad_row_and_reads_the_error(page, live_server, demo, tmp_path):
    rows = [[f"BH-{i:04d}", f"Trần Văn Thử {i}", "25993", "Công chức"] for i in range(40)]
    rows[17][2] = "26071"  # a Long Khánh ward: outside Biên Hòa
    path = tmp_path / "danh-sach.xlsx"
    buf = io.BytesIO()
    pd.DataFrame(rows, columns=["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Phân loại"]).to_excel(buf, index=False)
    path.write_bytes(buf.getvalue())

    sign_in(page, live_server.url, "personnel", demo)
    page.get_by_role("link", name="Nhập dữ liệu").first.click()  # the desktop navigation
    page.set_input_files("input[type=file]", str(path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-errors")
    row = page.locator("#import-errors tbody tr").first.inner_text()
    assert "19" in row and "Mã đơn vị" in row and "26071" in row
    from org.models import Official

    assert not Official.objects.filter(employee_code__startswith="BH-").exists()
