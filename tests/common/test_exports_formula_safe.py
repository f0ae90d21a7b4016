"""Nothing a user typed becomes a formula (issue 15): every CSV and .xlsx the platform lets people download, fetched
through its URL by someone allowed to, with units, officials, a requirement and questions whose names look like
formulas. A CSV cell never starts with = + - @, a tab or a carriage return unless it is a plain number (the text
gets a leading apostrophe, as OWASP advises); a workbook holds no formula cell, and the names are there as text."""
import csv
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from exams.services import answer_save, attempt_start, attempt_submit
from lms import services as lms_services
from org.models import UnitKind
from reports.views import coverage as coverage_views

from ..factories import ExamFactory, OfficialFactory, RequirementFactory, TopicFactory, UnitFactory, choice_gift
from ..papers import pick_bank_option

pytestmark = pytest.mark.django_db

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")

HYPERLINK_UNIT = '=HYPERLINK("http://x","y")'
MINUS_UNIT = "-2+3"
PLUS_NAME = "+1+1"
AT_NAME = "@SUM(A1)"
TAB_NAME = "\t=1+1"
POSITION = "=cmd|' /C calc'!A0"
REQUIREMENT = "=1+2 Bồi dưỡng CCHC"
QUESTION = r"\=Câu {i}"  # GIFT for "=Câu 1" …
UNITS = [HYPERLINK_UNIT, MINUS_UNIT]
PEOPLE = [PLUS_NAME, AT_NAME, TAB_NAME]
QUESTIONS = ["=Câu 1", "=Câu 2", "=Câu 3"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # export jobs write their files to storage


@pytest.fixture
def world(tree):
    """Two wards of Biên Hòa named like formulas, three officials likewise (one with a formula-like position), all
    of them assigned a requirement whose title is a formula, and an exam whose questions are named like formulas
    sat by two of them."""
    hyperlink = UnitFactory(code="25999", name=HYPERLINK_UNIT, kind=UnitKind.WARD, parent=tree["bien_hoa"])
    minus = UnitFactory(code="26000", name=MINUS_UNIT, kind=UnitKind.WARD, parent=tree["bien_hoa"])
    people = [OfficialFactory(full_name=PLUS_NAME, unit=hyperlink, position=POSITION),
              OfficialFactory(full_name=AT_NAME, unit=hyperlink),
              OfficialFactory(full_name=TAB_NAME, unit=minus)]
    requirement = RequirementFactory(title=REQUIREMENT, audience_units=[tree["bien_hoa"]])
    lms_services.requirement_assign(requirement=requirement)
    topic = TopicFactory(name="Một cửa", gift=choice_gift(3, name=QUESTION))
    exam = ExamFactory(title="Sát hạch thử", published=True, attempts_allowed=1, bank=topic, bank__draw_count=3)
    for official, right in zip(people, (3, 1)):
        attempt = attempt_start(exam=exam, official=official)
        for n, slot in enumerate(attempt.slots.select_related("version")):
            key = next(j for j, c in enumerate(slot.version.data["choices"]) if c["fraction"] == 1.0)
            pick = key if n < right else (key + 1) % 4
            answer_save(attempt=attempt, slot=slot.slot, response=pick_bank_option(attempt, slot.slot, pick), seq=1)
        attempt_submit(attempt=attempt)
    return {"requirement": requirement, "exam": exam, "topic": topic}


def _job(client, path: str, data: dict, capture) -> bytes:
    """A large export: queued, built after the commit, downloaded from its job page."""
    with capture(execute=True):
        queued = client.post(path, data)
    assert queued.status_code == 302, queued.content[:300]
    download = client.get(queued["Location"] + "tai-ve/")
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def _year() -> str:
    return str(timezone.localdate().year)


# name → (who downloads it, how, what user-typed texts it must carry)
EXPORTS = {
    "coverage-overview-csv": ("admin", lambda c, w, cap: c.get("/bao-cao/", {"don-vi": "731", "format": "csv"}),
                              [REQUIREMENT]),
    "coverage-units-csv": ("admin", lambda c, w, cap: c.get("/bao-cao/", {
        "yc": w["requirement"].pk, "don-vi": "731", "format": "csv"}), UNITS),
    "public-page-csv": ("anonymous", lambda c, w, cap: c.get("/cong-khai/", {
        "yc": w["requirement"].pk, "don-vi": "731", "format": "csv"}), UNITS),
    "missing-names-csv": ("admin", lambda c, w, cap: c.post("/bao-cao/chua-hoan-thanh/", {
        "yc": w["requirement"].pk, "don-vi": "731", "dinh-dang": "csv"}), [*UNITS, *PEOPLE, POSITION]),
    "missing-names-xlsx": ("admin", lambda c, w, cap: c.post("/bao-cao/chua-hoan-thanh/", {
        "yc": w["requirement"].pk, "don-vi": "731", "dinh-dang": "xlsx"}), [*UNITS, *PEOPLE, POSITION]),
    "missing-names-csv-job": ("admin", lambda c, w, cap: _job(c, "/bao-cao/chua-hoan-thanh/", {
        "yc": w["requirement"].pk, "don-vi": "731", "dinh-dang": "csv"}, cap), [*UNITS, *PEOPLE, POSITION]),
    "missing-names-xlsx-job": ("admin", lambda c, w, cap: _job(c, "/bao-cao/chua-hoan-thanh/", {
        "yc": w["requirement"].pk, "don-vi": "731", "dinh-dang": "xlsx"}, cap), [*UNITS, *PEOPLE, POSITION]),
    "period-report-xlsx": ("admin", lambda c, w, cap: c.get("/bao-cao/dinh-ky/", {
        "don-vi": "731", "yc": w["requirement"].pk, "ky": "year", "nam": _year(), "dinh-dang": "xlsx"}), UNITS),
    "period-report-xlsx-job": ("admin", lambda c, w, cap: _job(c, "/bao-cao/dinh-ky/", {
        "don-vi": "731", "yc": w["requirement"].pk, "ky": "year", "nam": _year(), "dinh-dang": "xlsx"}, cap), UNITS),
    "exam-results-csv": ("trainer", lambda c, w, cap: c.get(f"/thi/{w['exam'].pk}/ket-qua.csv"),
                         [HYPERLINK_UNIT, PLUS_NAME, AT_NAME]),
    "exam-statistics-csv": ("trainer", lambda c, w, cap: c.get(f"/thi/{w['exam'].pk}/thong-ke.csv"),
                            QUESTIONS),
    "question-bank-xlsx": ("trainer", lambda c, w, cap: c.get(f"/ngan-hang-cau-hoi/chu-de/{w['topic'].pk}/xuat/xlsx/"),
                           QUESTIONS),
    "question-bank-template-xlsx": ("trainer", lambda c, w, cap: c.get("/ngan-hang-cau-hoi/mau-excel/"), []),
    "roster-template-xlsx": ("admin", lambda c, w, cap: c.get("/nhap-du-lieu/mau/roster.xlsx"), UNITS),
    "roster-template-csv": ("admin", lambda c, w, cap: c.get("/nhap-du-lieu/mau/roster.csv"), []),
    "units-template-xlsx": ("admin", lambda c, w, cap: c.get("/nhap-du-lieu/mau/units.xlsx"), UNITS),
    "attendance-template-xlsx": ("admin", lambda c, w, cap: c.get("/hoc-tap/quan-ly/mau-diem-danh.xlsx"), []),
}


def _body(response) -> bytes:
    if isinstance(response, bytes):
        return response
    assert response.status_code == 200, response.content[:300]
    return response.content


def live_formula(value: str) -> bool:
    """A text Excel would run: it starts with a formula character and is not a plain (signed) number."""
    return value.startswith(FORMULA_START) and not NUMBER_RE.fullmatch(value)


def check_csv(data: bytes, expected: list[str]) -> None:
    assert data.startswith(b"\xef\xbb\xbf")
    cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]
    assert [c for c in cells if live_formula(c)] == []
    for text in expected:
        assert "'" + text in cells, f"{text!r} is missing or not made inert"


def check_xlsx(data: bytes, expected: list[str]) -> None:
    workbook = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
             if cell.value is not None]
    assert [(c.coordinate, c.value) for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    for text in expected:
        assert text in texts, f"{text!r} is missing or not written as text"


@pytest.mark.parametrize("name", EXPORTS)
def test_no_export_carries_a_live_formula(name, client, world, admin_user, trainer_user, monkeypatch,
                                          django_capture_on_commit_callbacks):
    who, fetch, expected = EXPORTS[name]
    if who != "anonymous":
        client.force_login(admin_user if who == "admin" else trainer_user)
    if name.endswith("-job"):
        monkeypatch.setattr(coverage_views, "INLINE_EXPORT_ROWS", 0)
    data = _body(fetch(client, world, django_capture_on_commit_callbacks))
    if "csv" in name:
        check_csv(data, expected)
    else:
        assert data.startswith(b"PK")
        check_xlsx(data, expected)


def test_a_negative_number_stays_a_number():
    """Only text is made inert: a figure below zero (a question that separates the strong from the weak the wrong
    way round) is still a number Excel can add up."""
    from common import export

    data = export.csv_bytes(["n"], [[-3], [-2.5], ["-1,5"], [PLUS_NAME]]).decode("utf-8-sig").splitlines()
    assert data[1:] == ["-3", "-2.5", '"-1,5"', "'+1+1"]


def test_the_period_report_keeps_its_figures_numeric(client, world, admin_user):
    client.force_login(admin_user)
    data = client.get("/bao-cao/dinh-ky/", {"don-vi": "731", "yc": world["requirement"].pk, "ky": "year",
                                             "nam": _year(), "dinh-dang": "xlsx"}).content
    sheet = load_workbook(io.BytesIO(data)).active
    row = next(r for r in sheet.iter_rows() if r[1].value == HYPERLINK_UNIT)
    assert row[1].data_type == "s" and row[2].value == 2 and row[2].data_type == "n"  # two officials required

