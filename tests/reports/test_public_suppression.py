"""The public page (/cong-khai/) publishes no result of a group smaller than PUBLIC_MIN_GROUP_SIZE, neither in a cell
nor by subtracting the lines shown from a total: a unit with one receiver does not show that person's status."""
import pytest
from django.utils import timezone

from lms import services as lms_services
from lms.models import Assignment
from org.models import UnitKind
from org.selectors import Scope
from scoring import coverage
from reports.selectors import coverage_report

from ..factories import OfficialFactory, RequirementFactory, UnitFactory

pytestmark = pytest.mark.django_db


def row(unit_id, parent_id, own, done=0):
    """A rollup-like record: `own` officials attached to the unit itself, `done` of them completed."""
    return {"requirement_id": 1, "unit_id": unit_id, "parent_id": parent_id, "audience": own, "done": done,
            "coverage": None, "gap": 0, "target_percent": 100.0, "own_audience": own, "own_done": done}


def rolled(rows):
    by_id = {r["unit_id"]: r for r in rows}
    for r in sorted(rows, key=lambda r: -r["unit_id"]):  # children have larger ids here
        if r["parent_id"]:
            by_id[r["parent_id"]]["audience"] += r["audience"]
            by_id[r["parent_id"]]["done"] += r["done"]
    return rows


def test_a_small_group_and_what_would_give_it_away_are_withheld_up_the_tree():
    # 1 province ← 2 district (8 of its own) ← 3 ward with one receiver; 4 department with 20.
    rows = rolled([row(1, None, 0), row(2, 1, 8, done=5), row(3, 2, 1, done=0), row(4, 1, 20, done=20)])
    out = {r["unit_id"]: r for r in coverage.suppress_small_groups(rows, minimum=5)}
    assert out[3]["suppressed"] == coverage.SMALL and out[3]["audience"] is None and out[3]["done"] is None
    # district total − its own officials' line would be the ward: the own line is withheld too (9 people together).
    assert out[2]["own_suppressed"] == coverage.WITHHELD and out[2]["own_done"] is None
    assert out[2]["own_audience"] == 8 and out[2]["suppressed"] is None and out[2]["done"] == 5
    assert out[1]["suppressed"] is None and out[1]["done"] == 25 and out[4]["done"] == 20


def test_a_small_group_is_withheld_with_the_smallest_sibling_that_hides_it():
    # 2 district (no one of its own) ← 3 ward (1 person), 5 ward (10), 6 ward (6): district − the others = ward 3.
    rows = rolled([row(1, None, 0), row(2, 1, 0), row(3, 2, 1, done=1), row(5, 2, 10, done=4), row(6, 2, 6, done=6)])
    out = {r["unit_id"]: r for r in coverage.suppress_small_groups(rows, minimum=5)}
    assert out[3]["suppressed"] == coverage.SMALL
    assert out[6]["suppressed"] == coverage.WITHHELD and out[6]["audience"] == 6 and out[6]["done"] is None
    assert out[5]["suppressed"] is None and out[5]["done"] == 4
    assert out[2]["suppressed"] is None and out[2]["done"] == 11 and out[1]["done"] == 11


def test_when_nothing_beside_it_can_hide_it_the_total_is_withheld_and_counted_above():
    # 2 district ← 3 ward (1 person) and 7 ward whose sections 8 and 9 (10 each) are both published: withholding
    # ward 7's line would hide nothing. The district's total goes; the province's own 6 hide the one person there.
    rows = rolled([row(1, None, 6, done=6), row(2, 1, 0), row(3, 2, 1, done=1), row(7, 2, 0),
                   row(8, 7, 10, done=10), row(9, 7, 10, done=2)])
    out = {r["unit_id"]: r for r in coverage.suppress_small_groups(rows, minimum=5)}
    assert out[3]["suppressed"] == coverage.SMALL and out[7]["suppressed"] is None and out[8]["done"] == 10
    assert out[2]["suppressed"] == coverage.WITHHELD and out[2]["audience"] == 21 and out[2]["done"] is None
    assert out[1]["own_suppressed"] == coverage.WITHHELD and out[1]["suppressed"] is None and out[1]["done"] == 19


@pytest.fixture
def one_receiver(tree):
    """A ward with a single one-stop receiver, who has not completed the training, beside wards of six."""
    lone = UnitFactory(code="26074", name="Phường Phú Bình", kind=UnitKind.WARD, parent=tree["long_khanh"])
    OfficialFactory(full_name="Hồ Văn Một", unit=lone, is_one_stop_receiver=True)
    for key in ("xuan_trung", "trang_dai", "tan_phong"):
        for _ in range(6):
            OfficialFactory(unit=tree[key], is_one_stop_receiver=True)
    requirement = RequirementFactory(title="Tập huấn tiếp nhận hồ sơ một cửa", due_date=timezone.localdate(),
                                     audience_one_stop_receivers=True)
    lms_services.requirement_assign(requirement=requirement)
    for a in Assignment.objects.filter(requirement=requirement).exclude(official__unit=lone)[:9]:
        a.completed_at = timezone.now()
        a.save()
    lms_services.assignment_status_refresh(requirement=requirement, today=timezone.localdate())
    return {"requirement": requirement, "lone": lone, "tree": tree}


def test_a_unit_of_one_receiver_shows_no_status(client, one_receiver, settings):
    settings.PUBLIC_MIN_GROUP_SIZE = 5
    req, tree = one_receiver["requirement"], one_receiver["tree"]
    page = client.get("/cong-khai/", {"yc": req.pk, "don-vi": "732"})  # Long Khánh: Phú Bình (1), Xuân Trung (6)
    lines = {line["code"]: line for line in page.context["lines"]}
    lone = lines["26074"]
    assert lone["suppressed"] == coverage.SMALL
    assert all(lone[k] is None for k in ("audience", "done", "coverage", "gap", "in_progress", "overdue"))
    html = page.content.decode()
    cells = html.split('data-code="26074"')[1].split("</tr>")[0]
    assert "&lt; 5" in cells and "×" in cells and "%" not in cells
    assert "Ít hơn 5 người" in html  # the legend says why, in Vietnamese
    # Long Khánh's total minus Xuân Trung's line would be the one receiver's status: Xuân Trung is withheld too,
    # and Long Khánh's total stays published.
    assert lines["26071"]["suppressed"] == coverage.WITHHELD and lines["26071"]["done"] is None
    assert page.context["unit"]["suppressed"] is None and page.context["unit"]["audience"] == 7
    csv = client.get("/cong-khai/", {"yc": req.pk, "don-vi": "732", "format": "csv"}).content.decode("utf-8-sig")
    lone_row = next(line for line in csv.splitlines() if line.startswith("26074,"))
    assert lone_row.split(",")[2:8] == ["< 5", "×", "×", "×", "×", "×"]
    own = client.get("/cong-khai/", {"yc": req.pk, "don-vi": "26074"})  # the ward's own page
    assert own.context["unit"]["suppressed"] == coverage.SMALL and own.context["unit"]["done"] is None


def test_no_page_lets_a_small_group_be_worked_out_by_subtraction(client, one_receiver, settings):
    settings.PUBLIC_MIN_GROUP_SIZE = 5
    req = one_receiver["requirement"]
    raw = {r["unit_id"]: r for r in coverage.records(coverage_report(
        scope=Scope(all_units=True, all_officials=True), requirements=[req]).table) if r["requirement_id"] == req.pk}
    checked = 0
    for unit in raw.values():
        page = client.get("/cong-khai/", {"yc": req.pk, "don-vi": unit["code"]})
        shown = page.context["unit"]
        if shown["suppressed"]:
            continue
        # The total is published: what is withheld below it is only known as one sum, which must be of 5 or more.
        withheld = sum(raw[line["unit_id"]]["audience"] for line in page.context["lines"]
                       if line.get("suppressed") and not line.get("is_own"))
        if any(line.get("is_own") and line.get("suppressed") for line in page.context["lines"]):
            withheld += raw[unit["unit_id"]]["own_audience"]
        assert withheld == 0 or withheld >= 5, unit["name"]
        checked += 1
    assert checked >= 3
