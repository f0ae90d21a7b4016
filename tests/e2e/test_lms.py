"""The learning flow in Chromium: an official required by rule to complete a module studies its lessons, passes
its exam, finds the certificate on "My learning", downloads the PDF, and anyone can verify it by its code."""
import pytest

from lms import services
from lms.models import Assignment, Certificate
from org.models import Official, Unit

from ..factories import RequirementFactory, module_build, one_stop_exam
from .conftest import sign_in, submit


@pytest.fixture
def required_module(demo, tmp_path):
    module = module_build(tmp_path)
    exam = one_stop_exam()
    requirement = RequirementFactory(one_stop=True, audience_units=[Unit.objects.get(code="75")], modules=[module], exam=exam)
    services.requirement_assign(requirement=requirement)
    return requirement, module, exam


def status_of(page, requirement) -> str:
    return page.get_attribute(f"[data-testid=status-{requirement.pk}]", "data-status")


def test_official_studies_passes_the_exam_and_the_certificate_verifies(browser, page, live_server, demo,
                                                                       required_module):
    requirement, module, exam = required_module
    base = live_server.url
    official = Official.objects.get(user__username="official")
    assert Assignment.objects.get(official=official, requirement=requirement).active

    sign_in(page, base, "official", demo)
    page.goto(f"{base}/hoc-tap/")
    assert status_of(page, requirement) == "not_started"

    # The lessons, in order: each "mark as studied" leads to the next, the last back to "My learning".
    page.click(f"[data-testid=resume-{module.pk}]")
    page.click("[data-testid=mark-done]")
    page.wait_for_selector("[data-testid=mark-done]")
    assert page.locator("h1").inner_text() == "Quy trình tiếp nhận hồ sơ"

    # Reading half of the second lesson records a resume point in the background...
    with page.expect_response(lambda r: "/api/lms/lessons/" in r.url and r.request.method == "POST") as saved:
        page.mouse.wheel(0, 500)
    assert saved.value.status == 200 and 0 < saved.value.json()["position"] < 1
    # ...and "Resume" on "My learning" brings the reader back there.
    page.goto(f"{base}/hoc-tap/")
    page.click(f"[data-testid=resume-{module.pk}]")
    page.wait_for_function("window.scrollY > 150")
    assert "tiep-tuc=1" in page.url
    page.click("[data-testid=mark-done]")
    page.wait_for_url(f"{base}/hoc-tap/")
    assert status_of(page, requirement) == "in_progress"

    # The exam.
    page.goto(f"{base}/thi/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#q4")
    for slot in range(1, 5):
        page.locator(f"#q{slot} input[type=radio]").nth(0).check()
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    submit(page)  # the room asks in its own dialog
    page.wait_for_selector("#score")

    # Completed, with a certificate.
    page.goto(f"{base}/hoc-tap/")
    assert status_of(page, requirement) == "completed"
    code = page.locator("[data-testid=certificate-code]").first.inner_text()
    cert = Certificate.objects.get(code=code)
    assert cert.holder_name == official.full_name and cert.title == requirement.title
    pdf = page.request.get(base + page.get_attribute("[data-testid=certificate-pdf]", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    # Anyone can verify it: a fresh browser, not signed in.
    visitor = browser.new_context(locale="vi-VN").new_page()
    visitor.goto(f"{base}/xac-minh/{code}/")
    assert visitor.get_attribute("[data-testid=verification]", "data-state") == "valid"
    assert visitor.locator("[data-testid=holder]").inner_text() == official.full_name
    assert visitor.locator("[data-testid=title]").inner_text() == requirement.title
    visitor.context.close()
