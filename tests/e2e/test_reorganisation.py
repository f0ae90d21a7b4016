"""A reorganisation in Chromium, as an administrator does it: Đồng Nai's 2024 rearrangement of its communes uploaded
from its successor list, previewed, Núi Tượng's officials allotted on the page, applied, then reversed."""
from pathlib import Path

from org.models import Official, Reorganisation, Unit

from .conftest import sign_in

FILE = Path(__file__).resolve().parents[2] / "org" / "data" / "dong-nai-rearrangement-2024.csv"


def test_admin_uploads_previews_allots_applies_and_reverses(browser, page, live_server, demo):
    base = live_server.url
    sign_in(page, base, "admin", demo)
    page.goto(f"{base}/don-vi/")
    page.get_by_role("link", name="Sắp xếp đơn vị (sáp nhập, chia tách, giải thể)").click()
    page.fill("#id_title", "Sắp xếp đơn vị hành chính cấp xã 2023–2025")
    page.fill("#id_effective_date", "01/11/2024")
    page.fill("#id_legal_basis", "Nghị quyết 1194/NQ-UBTVQH15")
    page.set_input_files("#id_file", str(FILE))
    page.get_by_role("button", name="Lưu phương án và xem trước").click()

    page.wait_for_selector("#summary-h")
    closing = page.inner_text("#closing")
    assert "Phường Hòa Bình (26038)" in closing and "Xã Núi Tượng (26128)" in closing
    apply = page.get_by_role("button", name="Áp dụng, có hiệu lực từ 01/11/2024").first
    page.screenshot(path="/tmp/e2e_reorganisation_preview.png", full_page=False)

    # Núi Tượng is split: nothing can be applied until each of its officials has a successor.
    apply.click()
    page.wait_for_selector(".msg-error")
    assert "Xã Núi Tượng" in page.inner_text(".msg-error")
    assert Unit.objects.get(code="26128").active_to is None
    selects = page.locator("select[name^='to:']")
    for i in range(selects.count()):
        selects.nth(i).select_option(index=1 + i % 2)
    page.get_by_role("button", name="Lưu phân bổ").click()
    page.wait_for_selector(".msg-success")
    page.get_by_role("button", name="Áp dụng, có hiệu lực từ 01/11/2024").first.click()
    page.wait_for_selector("text=Bảng đơn vị kế thừa")

    assert "Phường Quang Vinh" in page.inner_text("main")
    assert Unit.objects.get(code="26038").merged_into.code == "26023"
    assert Unit.objects.get(code="26014").name == "Phường Tân Mai"
    assert not Official.objects.filter(unit__code__in=["26038", "26128"], status="active").exists()

    page.get_by_role("button", name="Hoàn tác phương án này").click()
    page.wait_for_selector(".msg-success")
    assert Reorganisation.objects.get().status == Reorganisation.Status.REVERSED
    assert Unit.objects.get(code="26038").active_to is None and Unit.objects.get(code="26014").name == "Phường Tân Tiến"
