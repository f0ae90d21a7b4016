"""The demo tells the real story: Đồng Nai's 2020 tree, Long Giao's rename in 2021, the 2024 rearrangement and the
2025 reform with Bình Phước merged in, each a reorganisation on its real date; roles in every commune; five working
logins. Seeding is slow: a few tests, each with a small roster."""
import datetime as dt
import io

import pytest
from django.core.management import call_command

from content.models import CoursePage, LessonPage
from exams.models import Exam
from org.demo import (BINH_PHUOC_DEPARTMENTS, BINH_PHUOC_OTHER_CODE, DEPARTMENTS, binh_phuoc_rows, demo_accounts,
                      unit_rows)
from org.models import Official, Reorganisation, Succession, Unit, UnitKind
from org.selectors import scope_for, unit_tree_on

pytestmark = pytest.mark.django_db
COMMUNE_LEVEL = (UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP)
DISTRICT_LEVEL = (UnitKind.CITY, UnitKind.DISTRICT, UnitKind.TOWN)
OFFICIALS = 400


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", officials=OFFICIALS, stdout=out)
    return out.getvalue()


def tree(on):
    return {row["code"]: row for row in unit_tree_on(on)}


def test_today_s_tree_is_the_2025_one_and_each_past_date_reads_its_own(seeded):
    live = Unit.objects.filter(active_to__isnull=True)
    assert not live.filter(kind__in=DISTRICT_LEVEL + (UnitKind.SECTION,)).exists()
    communes = live.filter(kind__in=COMMUNE_LEVEL)
    assert communes.count() == 95 and set(communes.values_list("parent__code", flat=True)) == {"75"}
    assert (communes.filter(kind=UnitKind.WARD).count(), communes.filter(kind=UnitKind.COMMUNE).count()) == (23, 72)
    departments = live.filter(kind=UnitKind.DEPARTMENT)
    assert departments.count() == len(DEPARTMENTS) + len(BINH_PHUOC_DEPARTMENTS)
    assert set(departments.values_list("parent__code", flat=True)) == {"75"}
    assert departments.filter(code="70-SNV", name="Sở Nội vụ tỉnh Bình Phước").exists()
    assert list(live.filter(kind=UnitKind.PROVINCE).values_list("code", flat=True)) == ["75"]
    assert Unit.objects.get(code="70").merged_into.code == "75"
    assert not Official.objects.filter(status="active", unit__active_to__isnull=False).exists()
    assert Unit.objects.get(code="26341").name == "Xã Cẩm Mỹ"

    # Each date reads the tree and the names of its day.
    dong_nai_districts = {r["code"] for r in unit_rows() if r["kind"] in ("city", "district")}
    y2020 = tree(dt.date(2020, 6, 30))
    dn = [r for r in y2020.values() if r["kind"] in COMMUNE_LEVEL and r["parent_code"] in dong_nai_districts]
    assert len(dn) == 170
    assert y2020["75"]["parent_code"] is None and y2020["70"]["parent_code"] is None  # two provinces, apart
    bp_codes = {r["code"] for r in binh_phuoc_rows()}
    assert sum(1 for r in y2020.values() if r["code"] in bp_codes and r["kind"] in COMMUNE_LEVEL) == 111
    assert y2020["26014"]["name"] == "Phường Tân Tiến" and y2020["26341"]["name"] == "Xã Long Giao"
    assert y2020["26341"]["kind"] == UnitKind.COMMUNE

    assert tree(dt.date(2021, 7, 1))["26341"]["name"] == "Thị trấn Long Giao"
    assert tree(dt.date(2021, 7, 1))["26341"]["kind"] == UnitKind.TOWNSHIP

    y2024 = tree(dt.date(2024, 12, 31))
    assert sum(1 for r in y2024.values() if r["kind"] in COMMUNE_LEVEL and r["parent_code"] in dong_nai_districts) == 159
    assert "26026" not in y2024 and "26128" not in y2024 and y2024["26014"]["parent_code"] == "731"
    assert tree(dt.date(2025, 1, 15))["26014"]["name"] == "Phường Tân Mai"

    y2025 = tree(dt.date(2025, 7, 1))
    assert sum(1 for r in y2025.values() if r["kind"] in COMMUNE_LEVEL) == 95
    assert "70" not in y2025 and "731" not in y2025 and y2025["25993"]["parent_code"] == "75"

    applied = Reorganisation.objects.filter(status=Reorganisation.Status.APPLIED).order_by("effective_date")
    assert [r.effective_date for r in applied] == [dt.date(2021, 7, 1), dt.date(2024, 11, 1), dt.date(2025, 7, 1)]
    split = {code: set(Succession.objects.filter(predecessor__code=code).values_list("successor__code", "share"))
             for code in ("26128", "26449")}
    assert split == {"26128": {("26122", "partial"), ("26134", "partial")},
                     "26449": {("26359", "partial"), ("26446", "partial")}}

    # Bình Phước has its own officials, whose employee codes never equal Đồng Nai ones.
    synthetic = Official.objects.exclude(user__username__in=["trainer", "reviewer", "personnel", "official"]) \
        .exclude(employee_code__contains="-N")  # the newest recruits
    bp = synthetic.filter(email__endswith="@binhphuoc.example")
    assert bp.count() == OFFICIALS // 4 and synthetic.count() - bp.count() == OFFICIALS
    other = Official.objects.get(employee_code=BINH_PHUOC_OTHER_CODE)
    assert other.email.endswith("@binhphuoc.example") and other.unit.code.startswith("70-")
    bp_codes = {c.lower() for c in bp.values_list("employee_code", flat=True)}
    assert not bp_codes & {c.lower() for c in synthetic.exclude(pk__in=bp).values_list("employee_code", flat=True)}
    assert Official.objects.filter(full_name__regex=r"^\S+ (Thị|Văn|Ngọc|Thu|Minh) ").exists()


def test_demo_accounts_sign_in_and_land_where_described_and_the_content_is_there(seeded, client, settings):
    for username in ["admin", "trainer", "reviewer", "personnel", "official"]:
        client.logout()
        response = client.post("/accounts/login/", {"login": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
    page = client.get("/toi/").content.decode()
    assert "Nguyễn Thị Minh Thư" in page and "Phường Trảng Dài" in page
    assert Official.objects.get(user__username="official").unit.code == "25993"
    # The Biên Hòa personnel officer's scope followed Biên Hòa to its successors, and the logins say what it is.
    personnel = Official.objects.get(user__username="personnel").user
    successors = set(Succession.objects.filter(predecessor__code="731").values_list("successor__code", flat=True))
    assert "25993" in successors
    assert successors <= set(scope_for(personnel).units().values_list("code", flat=True))
    client.logout()
    client.post("/accounts/login/", {"login": "personnel", "password": settings.DEMO_PASSWORD})
    codes = {u["code"] for page in (1, 2) for u in client.get(f"/api/units?page={page}").json()["items"]}
    assert successors <= codes and "731" not in codes  # Biên Hòa itself is closed
    note = next(a.note for a in demo_accounts() if a.username == "personnel")
    assert personnel.scope_unit.name in note and "Biên Hòa" in note
    assert f"personnel  Cán bộ tổ chức — {note}" in seeded

    # The demo content is published, a search for Đồng Nai finds the plan, and the official can sit the exam.
    client.logout()
    assert CoursePage.objects.live().count() >= 4
    assert all(3 <= LessonPage.objects.child_of(c).live().count() <= 6 for c in CoursePage.objects.all())
    html = client.get("/search/", {"q": "dong nai"}).content.decode()
    first = html.split('class="results"')[1].split("</li>")[0]
    assert "/van-ban-huong-dan/" in first and "Kế hoạch cải cách hành chính tỉnh <mark>Đồng Nai</mark> năm 2020" in first
    plan = client.get(first.split('href="')[1].split('"')[0]).content.decode()
    assert "15122/KH-UBND" in plan and "<table>" in plan  # the appendix of tasks

    exam = Exam.objects.get(title__startswith="Sát hạch thử")  # the practice exam, not the session's parts
    assert exam.sections.get().topic.questions.count() == 0  # questions sit in sub-topics
    client.post("/accounts/login/", {"login": "official", "password": settings.DEMO_PASSWORD})
    assert exam.title in client.get("/thi/").content.decode()
    response = client.post(f"/thi/{exam.pk}/bat-dau/")
    assert response.status_code == 302 and "/thi/lam-bai/" in response["Location"]


def test_seed_demo_twice_adds_nothing_and_reset_starts_over_twice(seeded):
    before = (Unit.objects.count(), Official.objects.count(), Reorganisation.objects.count())
    call_command("seed_demo", officials=OFFICIALS, stdout=io.StringIO())
    assert (Unit.objects.count(), Official.objects.count(), Reorganisation.objects.count()) == before
    for _ in range(2):
        call_command("seed_demo", reset=True, officials=OFFICIALS, stdout=io.StringIO())
        assert (Unit.objects.count(), Official.objects.count(), Reorganisation.objects.count()) == before
    assert Unit.objects.filter(active_to__isnull=True, kind__in=COMMUNE_LEVEL).count() == 95
