"""A certificate in Chromium: its QR code opens the verification page on the server that issued it (the public
address `make run` sets from HOST and PORT), and the page names the issuing body and the number."""
import pytest

from lms import certificates, services
from lms.models import Certificate, CertificateTemplate
from org.models import Official, Unit

from ..factories import RequirementFactory, module_build
from .conftest import sign_in


@pytest.fixture
def earned(demo, tmp_path):
    module = module_build(tmp_path)
    series = CertificateTemplate.objects.create(
        name="Sở Nội vụ – một cửa", issuer_parent="UBND TỈNH ĐỒNG NAI", issuer="SỞ NỘI VỤ",
        programme="Bồi dưỡng nghiệp vụ một cửa", signer_position="GIÁM ĐỐC", signer_name="Nguyễn Văn Phúc",
        number_suffix="/GCN-SNV", next_number=41)
    requirement = RequirementFactory(one_stop=True, audience_units=[Unit.objects.get(code="75")], modules=[module],
                                     certificate_template=series)
    services.requirement_assign(requirement=requirement)
    official = Official.objects.get(user__username="official")
    for lesson in module.get_children().live().specific():
        services.lesson_progress_record(official=official, lesson=lesson, completed=True)
    services.completion_evaluate(requirement=requirement)
    return Certificate.objects.get(completion__official=official)


def test_the_qr_code_opens_the_verification_page_on_the_host_that_issued_it(browser, page, live_server, demo,
                                                                             earned, settings):
    settings.SITE_URL = live_server.url  # what `make run HOST=… PORT=…` exports for the server it starts
    base = live_server.url
    sign_in(page, base, "official", demo)
    page.goto(f"{base}/hoc-tap/")
    code = page.locator("[data-testid=certificate-code]").first.inner_text()
    assert code == earned.code
    pdf = page.request.get(base + page.get_attribute("[data-testid=certificate-pdf]", "href"))
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"

    # What the QR code on that certificate encodes (the same function builds the code the PDF prints).
    encoded = certificates.verify_url(earned)
    assert certificates.qr_data_uri(encoded) in certificates.certificate_html(earned)
    assert encoded == f"{base}/xac-minh/{code}/"

    visitor = browser.new_context(locale="vi-VN").new_page()  # a phone that scanned it: not signed in
    visitor.goto(encoded)
    assert visitor.get_attribute("[data-testid=verification]", "data-state") == "valid"
    assert visitor.locator("[data-testid=number]").inner_text() == "41/GCN-SNV"
    assert visitor.locator("[data-testid=issuer]").inner_text() == "SỞ NỘI VỤ, UBND TỈNH ĐỒNG NAI"
    assert visitor.locator("[data-testid=title]").inner_text() == "Bồi dưỡng nghiệp vụ một cửa"
    visitor.context.close()
