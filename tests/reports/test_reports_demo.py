"""On the demo data (`manage.py seed_demo`): the coverage page, the Excel export and a count in SQL agree."""
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from lms.models import Requirement
from org.models import Unit, User


@pytest.fixture
def demo(db):
    call_command("seed_demo", officials=600, stdout=open("/dev/null", "w"))


def sql_counts(requirement_id: int, path: str) -> tuple[int, int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), SUM(CASE WHEN a.status IN ('completed', 'expiring') THEN 1 ELSE 0 END) "
            "FROM lms_assignment a JOIN org_official o ON o.id = a.official_id JOIN org_unit u ON u.id = o.unit_id "
            "WHERE a.active AND a.requirement_id = %s AND u.path LIKE %s", [requirement_id, path + "%"])
        n, done = cur.fetchone()
    return n, done or 0


def sections(content: bytes) -> list[dict[str, tuple]]:
    """The workbook's tables: one dict per requirement section, unit label → (required, completed)."""
    ws = load_workbook(io.BytesIO(content)).active
    out: list[dict] = []
    for row in ws.iter_rows(values_only=True):
        if row and row[0] == "No." or (row and isinstance(row[0], str) and row[0] in ("STT", "Số")):
            out.append({})
        elif out and row and isinstance(row[1], str) and isinstance(row[2], int):
            out[-1][row[1]] = (row[2], row[3])
    return out


def test_demo_page_excel_and_sql_agree(client, demo):
    """As the administrator for the province and as the demo personnel officer for the unit their scope is now
    (Biên Hòa's, followed to its successors by the 2025 reform)."""
    requirements = list(Requirement.objects.order_by("due_date", "title", "pk"))
    assert requirements, "the demo has training requirements"
    checked = 0
    personnel_unit = User.objects.get(username="personnel").scope_unit.code
    assert personnel_unit != "731"  # Biên Hòa closed on 01/07/2025
    for username, unit_code in (("admin", "75"), ("personnel", personnel_unit)):
        unit = Unit.objects.get(code=unit_code)
        client.force_login(User.objects.get(username=username))
        xlsx = client.get("/bao-cao/dinh-ky/", {"don-vi": unit_code, "ky": "year",
                                                "nam": timezone.localdate().year, "dinh-dang": "xlsx"})
        assert xlsx.status_code == 200
        tables = sections(xlsx.content)
        assert len(tables) == len(requirements)
        for req, table in zip(requirements, tables):
            page = client.get("/bao-cao/", {"yc": req.pk, "don-vi": unit_code})
            total = page.context["total"]
            assert (total["audience"], total["done"]) == sql_counts(req.pk, unit.path)
            lines = {line["code"]: line for line in page.context["lines"] if not line.get("is_own")}
            for child in Unit.objects.filter(parent=unit, active_to__isnull=True):
                expected = sql_counts(req.pk, child.path)
                assert (lines[child.code]["audience"], lines[child.code]["done"]) == expected
                assert table[child.name] == expected
                checked += expected[0]
    assert checked > 0


def test_every_period_of_this_year_exports_on_the_demo(client, demo):
    """Quý I included: a past period is computed from the history, no nightly snapshot needed."""
    client.force_login(User.objects.get(username="admin"))
    year = timezone.localdate().year
    for period in ("q1", "h1", "m9", "year"):
        xlsx = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "ky": period, "nam": year, "dinh-dang": "xlsx"})
        assert xlsx.status_code == 200, period
        ws = load_workbook(io.BytesIO(xlsx.content)).active
        rows = [row for row in ws.iter_rows(values_only=True) if row and isinstance(row[2], int)]
        assert len(sections(xlsx.content)) == Requirement.objects.count()
        # Each table's unit lines add up to its total line.
        lines, tables = [], []
        for row in rows:
            if row[1] == "Tổng cộng":
                tables.append((sum(r[2] for r in lines), sum(r[3] for r in lines), row[2], row[3]))
                lines = []
            else:
                lines.append(row)
        assert tables and all(a == c and b == d for a, b, c, d in tables)
