"""Certificates read as official documents: the requirement's template gives the issuing body, the title, the
programme, the place-and-date line, the signer and a number from its series (no gaps, no duplicates, even when an
issue fails or runs concurrently); the QR code opens the verification page on the configured public address."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from lms import certificates, services
from lms.models import Certificate, CertificateTemplate, Completion

from ..factories import OfficialFactory, RequirementFactory

pytestmark = pytest.mark.django_db


def template(**kwargs):
    fields = dict(name="Sở Nội vụ – một cửa", issuer_parent="UBND TỈNH ĐỒNG NAI", issuer="SỞ NỘI VỤ",
                  title="Giấy chứng nhận", programme="Bồi dưỡng nghiệp vụ một cửa", place="Đồng Nai",
                  signer_authority="KT. GIÁM ĐỐC", signer_position="PHÓ GIÁM ĐỐC", signer_name="Trần Thị Thanh Hà",
                  number_suffix="/GCN-SNV", next_number=7)
    return CertificateTemplate.objects.create(**{**fields, **kwargs})


def completions(requirement, officials):
    when = timezone.now()
    return [Completion.objects.create(official=o, requirement=requirement, completed_at=when) for o in officials]


@pytest.fixture
def requirement(tree, module):
    return RequirementFactory(audience_units=[tree["trang_dai"]], modules=[module], certificate_template=template())


def test_certificates_are_numbered_from_the_series_in_order_and_carry_the_letterhead(tree, requirement):
    people = [OfficialFactory(unit=tree["trang_dai"]) for _ in range(3)]
    done = completions(requirement, people)
    services.certificates_issue(completions=done)
    certs = [Certificate.objects.get(completion=c) for c in done]
    assert [c.number for c in certs] == ["7/GCN-SNV", "8/GCN-SNV", "9/GCN-SNV"]
    assert CertificateTemplate.objects.get().next_number == 10
    assert certs[0].title == "Bồi dưỡng nghiệp vụ một cửa"  # the programme, not the plan's target sentence
    assert certs[0].letterhead["issuer"] == "SỞ NỘI VỤ" and certs[0].letterhead["signer_position"] == "PHÓ GIÁM ĐỐC"

    # Issuing again changes nothing; a later edit of the template leaves issued certificates as they were.
    services.certificates_issue(completions=done)
    CertificateTemplate.objects.update(signer_name="Nguyễn Văn Phúc", programme="Khác")
    assert Certificate.objects.count() == 3 and CertificateTemplate.objects.get().next_number == 10
    assert Certificate.objects.get(pk=certs[0].pk).letterhead["signer_name"] == "Trần Thị Thanh Hà"


def test_a_failed_issue_gives_its_numbers_back(tree, requirement, monkeypatch):
    first = completions(requirement, [OfficialFactory(unit=tree["trang_dai"])])
    services.certificates_issue(completions=first)
    taken = Certificate.objects.get().code
    codes = iter([taken])  # the batch draws a code already used: its insert fails and is retried one by one
    real = services.certificate_code
    monkeypatch.setattr(services, "certificate_code", lambda: next(codes, None) or real())
    more = completions(requirement, [OfficialFactory(unit=tree["trang_dai"]) for _ in range(3)])
    services.certificates_issue(completions=more)
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == [7, 8, 9, 10]
    assert CertificateTemplate.objects.get().next_number == 11


def test_the_next_number_cannot_go_back_below_an_issued_one(tree, requirement):
    services.certificates_issue(completions=completions(requirement, [OfficialFactory(unit=tree["trang_dai"])]))
    series = CertificateTemplate.objects.get()
    series.next_number = 7
    with pytest.raises(ValidationError):
        series.full_clean()
    series.next_number = 8
    series.full_clean()

    # A form saved with a stale counter (opened before the last issue) does not make a number repeat.
    CertificateTemplate.objects.update(next_number=3)
    services.certificates_issue(completions=completions(requirement, [OfficialFactory(unit=tree["trang_dai"])]))
    services.certificate_issue(completion=completions(requirement, [OfficialFactory(unit=tree["trang_dai"])])[0])
    assert sorted(Certificate.objects.values_list("number", flat=True)) == ["7/GCN-SNV", "8/GCN-SNV", "9/GCN-SNV"]
    assert CertificateTemplate.objects.get().next_number == 10


def test_without_a_template_a_certificate_has_no_number_and_names_the_requirement(tree, module):
    requirement = RequirementFactory(audience_units=[tree["trang_dai"]], modules=[module])
    services.certificates_issue(completions=completions(requirement, [OfficialFactory(unit=tree["trang_dai"])]))
    cert = Certificate.objects.get()
    assert cert.number == "" and cert.serial is None and cert.title == requirement.title
    assert "Số:" not in certificates.certificate_html(cert)


def test_the_certificate_shows_number_place_and_date_and_the_signature_block(tree, requirement, settings):
    settings.SITE_URL = "http://127.0.0.1:8103"
    services.certificates_issue(completions=completions(requirement, [OfficialFactory(unit=tree["trang_dai"])]))
    cert = Certificate.objects.get()
    html = certificates.certificate_html(cert)
    day = timezone.localdate(cert.issued_at)
    assert "UBND TỈNH ĐỒNG NAI" in html and "SỞ NỘI VỤ" in html and "Số: 7/GCN-SNV" in html
    assert f"Đồng Nai, ngày {day:%d} tháng {day:%m} năm {day:%Y}" in html
    assert "KT. GIÁM ĐỐC" in html and "PHÓ GIÁM ĐỐC" in html and "Trần Thị Thanh Hà" in html
    assert "“Bồi dưỡng nghiệp vụ một cửa”" in html
    # The QR code encodes the verification page on the configured public address.
    url = f"http://127.0.0.1:8103/xac-minh/{cert.code}/"
    assert certificates.verify_url(cert) == url and certificates.qr_data_uri(url) in html
    assert certificates.certificate_pdf(cert).startswith(b"%PDF")


def test_the_verification_page_names_the_issuer_and_the_number(client, tree, requirement):
    services.certificates_issue(completions=completions(requirement, [OfficialFactory(unit=tree["trang_dai"])]))
    cert = Certificate.objects.get()
    html = client.get(f"/xac-minh/{cert.code}/").content.decode()
    assert "SỞ NỘI VỤ, UBND TỈNH ĐỒNG NAI" in html and "7/GCN-SNV" in html


def test_trainers_edit_templates_in_the_admin_and_personnel_officers_choose_one(client, tree, trainer_user,
                                                                              bien_hoa_officer, requirement):
    from content.services import content_permissions_setup

    content_permissions_setup()  # the admin's door
    services.lms_permissions_setup()
    client.force_login(trainer_user)
    listing = client.get("/admin/certificate_templates/")
    assert listing.status_code == 200 and "Sở Nội vụ – một cửa" in listing.content.decode()
    series = CertificateTemplate.objects.get()
    edit = client.get(f"/admin/certificate_templates/edit/{series.pk}/")
    assert edit.status_code == 200 and "Trần Thị Thanh Hà" in edit.content.decode()

    client.force_login(bien_hoa_officer.user)
    form = client.get("/hoc-tap/quan-ly/yeu-cau/moi/").content.decode()
    assert 'name="certificate_template"' in form and "Sở Nội vụ – một cửa" in form
    requirement.scope_unit = tree["bien_hoa"]
    requirement.save()
    detail = client.get(f"/hoc-tap/quan-ly/yeu-cau/{requirement.pk}/").content.decode()
    assert "SỞ NỘI VỤ · PHÓ GIÁM ĐỐC Trần Thị Thanh Hà · số tiếp theo 7/GCN-SNV" in detail


postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="row locks and concurrent connections: PostgreSQL")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_take_each_number_once(tree, module):
    requirement = RequirementFactory(audience_units=[tree["trang_dai"]], modules=[module],
                                     certificate_template=template(next_number=1))
    done = completions(requirement, [OfficialFactory(unit=tree["trang_dai"]) for _ in range(12)])
    errors = []

    def issue(completion):
        try:
            services.certificate_issue(completion=Completion.objects.select_related("official", "requirement")
                                       .get(pk=completion.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(c,)) for c in done]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == list(range(1, 13))
    assert CertificateTemplate.objects.get().next_number == 13
