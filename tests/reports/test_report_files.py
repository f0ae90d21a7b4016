"""The periodic report's files: one serif family in the PDF, both formats built the same way from the report
page, a heading that starts with a capital, and file names in Vietnamese with an ASCII fallback."""
import re
import zlib
from urllib.parse import unquote

import pytest

from reports import exports
from reports.models import ExportJob

from .test_reports import _media, login, seeded  # noqa: F401 (fixtures)


def pdf_fonts(pdf: bytes) -> set[str]:
    """The names of the fonts a PDF embeds, without their subset prefix (ABCDEF+). Font dictionaries may sit in
    compressed object streams: every stream that inflates is read too."""
    text = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text.append(zlib.decompress(stream))
        except zlib.error:
            pass
    names = re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", b"\n".join(text))
    return {re.sub(rb"^[A-Z]{6}\+", b"", name).decode() for name in names}


def test_pdf_report_embeds_one_serif_family(client, seeded, admin_user):  # noqa: F811
    login(client, admin_user)
    r = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "ky": "year", "nam": seeded["today"].year,
                                         "dinh-dang": "pdf"})
    fonts = pdf_fonts(r.content)
    # Regular, bold and italic text with ư, ơ and tone marks (Trảng, Hòa, Đồng, hồ sơ) all come from DejaVu Serif.
    assert fonts and all(f.startswith("DejaVu-Serif") for f in fonts), fonts
    assert {"DejaVu-Serif", "DejaVu-Serif-Bold", "DejaVu-Serif-Italic"} <= fonts


def test_report_and_certificate_css_name_only_the_shipped_serif():
    from django.template.loader import get_template

    for name in ("reports/period_report_pdf.html", "lms/certificate_pdf.html"):
        source = get_template(name).template.source
        assert '{% include "pdf/serif_fonts.css" %}' in source
        families = set(re.findall(r"font-family:\s*([^;}]+)", source))
        assert all(f.startswith('"DejaVu Serif"') or "Mono" in f for f in families), (name, families)


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_both_formats_go_through_the_job_page_from_the_report_page(client, seeded, admin_user, fmt,  # noqa: F811
                                                                    django_capture_on_commit_callbacks):
    login(client, admin_user)
    page = client.get("/bao-cao/", {"don-vi": "75-SNV"}).content.decode()
    form = re.search(r'<form class="report-filters" method="(\w+)" action="/bao-cao/dinh-ky/">', page)
    assert form and form.group(1) == "post"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/bao-cao/dinh-ky/", {"don-vi": "75-SNV", "ky": "q1", "nam": seeded["today"].year,
                                              "dinh-dang": fmt})
    job = ExportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/bao-cao/xuat/{job.pk}/"
    heading = re.search(r"<h1>(.*?)</h1>", client.get(r["Location"]).content.decode()).group(1)
    assert heading == f"Báo cáo quý I năm {seeded['today'].year} — Sở Nội vụ"

    download = client.get(f"/bao-cao/xuat/{job.pk}/tai-ve/")
    disposition = download["Content-Disposition"]
    year = seeded["today"].year
    assert f'filename="bao-cao-quy-i-nam-{year}-so-noi-vu.{fmt}"' in disposition
    exact = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
    assert unquote(exact) == f"Báo cáo quý I năm {year} - Sở Nội vụ.{fmt}"


@pytest.mark.parametrize("period, words", [("q1", "quý I năm"), ("h1", "6 tháng đầu năm"), ("m9", "9 tháng năm"),
                                           ("year", "năm")])
def test_file_names_are_vietnamese_with_no_english_or_codes(client, seeded, admin_user, period, words):  # noqa: F811
    login(client, admin_user)
    year = seeded["today"].year
    r = client.get("/bao-cao/dinh-ky/", {"don-vi": "731", "ky": period, "nam": year, "dinh-dang": "xlsx"})
    disposition = r["Content-Disposition"]
    exact = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert exact == f"Báo cáo {words} {year} - Thành phố Biên Hòa.xlsx"
    ascii_name = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert ascii_name.isascii() and "year" not in ascii_name and "731" not in ascii_name
    assert ascii_name.endswith(f"{year}-thanh-pho-bien-hoa.xlsx")


def test_a_name_with_slashes_stays_one_file_name():
    class Unit:
        name = "Ban Quản lý dự án 1/2"

    class Report:
        unit, period, year = Unit, "year", 2026

    assert exports.period_file_name(Report, "pdf") == "Báo cáo năm 2026 - Ban Quản lý dự án 1 2.pdf"


def names_in(response) -> tuple[str, str]:
    """(ASCII fallback, exact UTF-8 name) of a download."""
    disposition = response["Content-Disposition"]
    return (re.search(r'filename="([^"]+)"', disposition).group(1),
            unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)))


def test_missing_list_and_public_csv_are_named_by_requirement_and_unit(client, seeded, admin_user):  # noqa: F811
    req = seeded["everyone"]
    public = client.get("/cong-khai/", {"yc": req.pk, "don-vi": "731", "format": "csv"})
    assert names_in(public) == ("boi-duong-kien-thuc-cchc-thanh-pho-bien-hoa.csv",
                                "Bồi dưỡng kiến thức CCHC - Thành phố Biên Hòa.csv")
    login(client, admin_user)
    missing = client.post("/bao-cao/chua-hoan-thanh/", {"yc": req.pk, "don-vi": "731", "dinh-dang": "csv"})
    assert names_in(missing) == ("chua-hoan-thanh-boi-duong-kien-thuc-cchc-thanh-pho-bien-hoa.csv",
                                 "Chưa hoàn thành - Bồi dưỡng kiến thức CCHC - Thành phố Biên Hòa.csv")
