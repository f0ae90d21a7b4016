"""Accessibility and finish, in Chromium: a table that scrolls sideways on a phone is a named region the keyboard
reaches and scrolls; the "chờ chấm" badge and warning messages are legible (contrast at least 4.5:1, WCAG 1.4.3)."""
import copy
import json

import pytest

from content import services

from ..factories.content import SMALL_SITE

WIDE_HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn", "Sản phẩm", "Ghi chú"]
GUIDANCE = "/van-ban-huong-dan/ke-hoach-cchc-2020/"


@pytest.fixture
def wide_table_site(demo, tmp_path):
    site = copy.deepcopy(SMALL_SITE)
    site["guidance"][0]["body"] = [
        {"type": "heading", "value": "Phụ lục nhiệm vụ"},
        {"type": "table", "value": {"caption": "", "header": WIDE_HEADER,
                                    "rows": [[str(i), "Sát hạch công chức một cửa", "Sở Nội vụ", "UBND cấp huyện",
                                              "Quý IV/2020", "Báo cáo kết quả", "—"] for i in (1, 2, 3)]}}]
    path = tmp_path / "content.json"
    path.write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
    services.demo_content_load(path=path)
    return demo


def test_a_table_that_scrolls_on_a_phone_is_reached_and_scrolled_by_keyboard(page, live_server, wide_table_site):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + GUIDANCE)
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # it does scroll at this width
    assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label") == "Phụ lục nhiệm vụ"  # the heading above it: there is no caption
    for _ in range(80):  # Tab through the page until the table's region has the focus
        page.keyboard.press("Tab")
        if wrap.evaluate("w => document.activeElement === w"):
            break
    else:
        pytest.fail("the keyboard never reaches the table")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-wrap').scrollLeft > 0")
    # On a wide screen the table fits: no extra tab stop.
    page.set_viewport_size({"width": 1400, "height": 900})
    page.wait_for_function("() => !document.querySelector('.table-wrap').hasAttribute('tabindex')")


CONTRAST = """(selector) => {
  const element = document.querySelector(selector);
  const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(element);
  const [a, b] = [luminance(rgb(style.color)), luminance(rgb(style.backgroundColor))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_the_waiting_badge_and_warnings_are_legible(page, live_server, wide_table_site):
    page.goto(live_server.url + GUIDANCE)
    # The grading queue's badge and a warning message, as the templates write them.
    page.evaluate("""() => document.querySelector("main").insertAdjacentHTML("afterbegin",
        '<span class="tag tag-warn" id="badge">chờ chấm</span><div class="msg msg-warning" id="warning">Lưu ý</div>')""")
    assert page.evaluate(CONTRAST, "#badge") >= 4.5
    assert page.evaluate(CONTRAST, "#warning") >= 4.5
