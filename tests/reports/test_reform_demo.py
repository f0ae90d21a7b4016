"""Issue 14's "done when", on the demo: the 2025 reform applied from the shared file in one operation through the
screens keeps every learning record, leaves the 2024 annual report of the province and of Biên Hòa as it was
(figures and names), moves the Biên Hòa personnel officer and a requirement aimed at Biên Hòa to its successors,
and the 2026 report lists the 95 communes; every period of every year since 2020 exports."""
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from exams.models import Attempt
from lms.models import Assignment, Attendance, Certificate, Completion, LessonProgress, Requirement
from lms.services import requirement_assign
from org.models import Reorganisation, ScopeGrant, Unit, User
from org.selectors import unit_successors
from scoring.coverage import PERIODS

pytestmark = pytest.mark.django_db


def tables(content: bytes) -> list[dict]:
    """Each requirement's table of a periodic report workbook: line label → its figures."""
    ws = load_workbook(io.BytesIO(content)).active
    out: list[dict] = []
    for row in ws.iter_rows(values_only=True):
        if row and isinstance(row[0], str) and row[0] in ("STT", "Số", "No."):
            out.append({})
        elif out and row and isinstance(row[1], str) and isinstance(row[2], int):
            out[-1][row[1]] = tuple(row[2:])
    return out


def report(client, unit_code: str, year: int, period: str = "year") -> list[dict]:
    response = client.get("/bao-cao/dinh-ky/", {"don-vi": unit_code, "ky": period, "nam": year, "dinh-dang": "xlsx"})
    assert response.status_code == 200, (unit_code, year, period, response.content[:300])
    return tables(response.content)


def learning_records() -> dict:
    return {m.__name__: m.objects.count() for m in (Completion, Certificate, LessonProgress, Attendance, Attempt)}


def test_the_2025_reform_through_the_screens(client, django_capture_on_commit_callbacks):
    call_command("seed_demo", officials=600, until="2025-06-30", stdout=io.StringIO())
    client.force_login(User.objects.get(username="admin"))
    bien_hoa = Unit.objects.get(code="731")
    aimed = Requirement.objects.create(title="Bồi dưỡng riêng cho Biên Hòa", due_date=timezone.localdate())
    aimed.audience_units.set([bien_hoa])
    requirement_assign(requirement=aimed)
    before_2024 = {code: report(client, code, 2024) for code in ("75", "731")}
    assert "Phường Tân Mai" in before_2024["731"][0] and "Phường Trảng Dài" in before_2024["731"][0]
    records, assignments = learning_records(), Assignment.objects.count()

    r = Reorganisation.objects.get(status=Reorganisation.Status.DRAFT)
    preview = client.get(f"/don-vi/sap-xep/{r.pk}/")
    assert preview.status_code == 200 and "Thành phố Biên Hòa" in preview.content.decode()
    assert Unit.objects.get(code="731").active_to is None
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/don-vi/sap-xep/{r.pk}/ap-dung/").status_code == 302
    assert Reorganisation.objects.get(pk=r.pk).status == Reorganisation.Status.APPLIED

    # Nothing learnt is lost, and the past reads as it did.
    assert learning_records() == records and Assignment.objects.count() >= assignments
    assert {code: report(client, code, 2024) for code in ("75", "731")} == before_2024
    # Biên Hòa's officer and a requirement aimed at Biên Hòa follow it to its successors.
    heirs = {u.code for u in unit_successors([bien_hoa.pk])[bien_hoa.pk]}
    assert len(heirs) > 5 and all(Unit.objects.get(code=c).parent.code == "75" for c in heirs)
    officer = User.objects.get(username="personnel")
    assert set(ScopeGrant.objects.filter(user=officer).values_list("unit__code", flat=True)) == heirs
    assert set(aimed.audience_units.values_list("code", flat=True)) == heirs
    # The year in course is reported on the new units: the province's departments and its 95 communes.
    now = report(client, "75", timezone.localdate().year)[0]
    communes = [label for label in now if label.startswith(("Phường ", "Xã "))]
    assert len(communes) == 95 and not any(label.startswith(("Thành phố ", "Huyện ", "Thị xã ")) for label in now)


def test_every_period_of_every_year_since_2020_exports(client):
    call_command("seed_demo", officials=300, stdout=io.StringIO())
    client.force_login(User.objects.get(username="admin"))
    today = timezone.localdate()
    lines = {}
    for year in range(2020, today.year + 1):
        for period in PERIODS:
            lines[(year, period)] = report(client, "75", year, period)[0]
    districts_2020 = [label for label in lines[(2020, "year")] if label.startswith(("Thành phố ", "Huyện "))]
    assert len(districts_2020) == 11  # the province of 2020: its 2 cities and 9 districts
    assert not any(label.startswith(("Thành phố ", "Huyện ")) for label in lines[(today.year, "q1")])
