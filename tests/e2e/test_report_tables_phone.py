"""Report and public tables on a 390×844 phone: each unit's name reads on a line or two (not one word per line),
and the rate stays on the screen."""
import pytest

from lms import services as lms_services
from org.models import Unit
from tests.factories import RequirementFactory

from .conftest import sign_in

PHONE = {"width": 390, "height": 844}

# Per row of the table: the unit name's lines and words, the rate cell's right edge.
MEASURE = """(sel) => [...document.querySelectorAll(sel + ' tbody tr')].map(tr => {
  const name = tr.querySelector('td');
  const range = document.createRange();
  range.selectNodeContents(name.querySelector('a') || name);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  const rate = tr.querySelector('td.rate .pct, td.rate.withheld') || tr.querySelector('.cov-cell .pct');
  const box = rate ? rate.getBoundingClientRect() : null;
  return {name: (name.querySelector('a') || name).textContent.trim(), lines: tops.size,
          rateRight: box ? box.right : null, rateVisible: box ? box.width > 0 && box.height > 0 : null,
          pageWidth: document.documentElement.scrollWidth};
})"""


@pytest.fixture
def requirement(demo):
    province = Unit.objects.get(parent__isnull=True, active_to__isnull=True)
    req = RequirementFactory(title="Bồi dưỡng kiến thức cải cách hành chính", audience_units=[province])
    lms_services.requirement_assign(requirement=req)
    return req


def check(rows):
    assert rows, "the table has rows"
    for row in rows:
        words = len(row["name"].split())
        assert row["lines"] <= max(2, (words + 1) // 2), row  # never one word per line
        if row["rateRight"] is not None:
            assert row["rateVisible"] and row["rateRight"] <= PHONE["width"], row
    assert rows[0]["pageWidth"] <= PHONE["width"]


def test_public_table_on_a_phone(browser, live_server, requirement):
    page = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/cong-khai/?yc={requirement.pk}")
    check(page.evaluate(MEASURE, "#public-table"))


def test_coverage_report_table_on_a_phone(browser, live_server, requirement, demo):
    page = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    sign_in(page, live_server.url, "admin", demo)
    page.goto(f"{live_server.url}/bao-cao/?yc={requirement.pk}")
    check(page.evaluate(MEASURE, "#coverage-table"))
    page.goto(f"{live_server.url}/bao-cao/")
    check(page.evaluate(MEASURE, "#coverage-overview"))
