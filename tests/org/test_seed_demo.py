"""The demo: Đồng Nai's real 2020 unit tree, roles in every commune and district, four working logins."""
import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from org.demo import DEPARTMENTS, unit_rows
from org.models import Official, Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db, settings):
    call_command("seed_demo", officials=1500, stdout=open("/dev/null", "w"))


def test_the_gso_units_are_all_there_with_their_codes(seeded):
    gso = unit_rows()
    assert len(gso) == 182
    by_code = dict(Unit.objects.values_list("code", "name"))
    assert all(by_code[r["code"]] == r["name"] for r in gso)
    assert Unit.objects.filter(kind__in=[UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP]).count() == 170
    assert Unit.objects.filter(kind__in=[UnitKind.CITY, UnitKind.DISTRICT]).count() == 11
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == len(DEPARTMENTS)
    assert Unit.objects.get(code="25993").parent.code == "731"
    assert Unit.objects.filter(name="Sở Nội vụ").exists() and Unit.objects.filter(name="Sở Tư pháp").exists()


def test_every_commune_and_district_has_one_stop_receivers_and_a_reform_officer(seeded):
    local = Unit.objects.filter(kind__in=[UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP, UnitKind.CITY,
                                          UnitKind.DISTRICT])
    for unit in local.annotate(
        cchc=Count("officials", filter=Q(officials__is_reform_officer=True)),
        receivers=Count("officials", filter=Q(officials__is_one_stop_receiver=True)),
    ):
        receivers = unit.receivers or Official.objects.filter(unit__parent=unit, is_one_stop_receiver=True).count()
        assert unit.cchc >= 1 and receivers >= 1, unit.name


def test_requested_headcount_and_vietnamese_names(seeded):
    synthetic = Official.objects.exclude(user__username__in=["trainer", "reviewer", "personnel", "official"])
    assert synthetic.count() == 1500
    assert Official.objects.filter(full_name__regex=r"^\S+ (Thị|Văn|Ngọc|Thu|Minh) ").exists()


def test_demo_accounts_sign_in_and_land_where_described(seeded, client, settings):
    for username in ["admin", "trainer", "reviewer", "personnel", "official"]:
        client.logout()
        response = client.post("/accounts/login/", {"login": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
    page = client.get("/toi/").content.decode()
    assert "Nguyễn Thị Minh Thư" in page and "Phường Trảng Dài" in page
    client.logout()
    client.post("/accounts/login/", {"login": "personnel", "password": settings.DEMO_PASSWORD})
    codes = {u["code"] for u in client.get("/api/units?page_size=500").json()["items"]}
    assert "731" in codes and "25993" in codes and "732" not in codes


def test_seed_demo_twice_adds_nothing(seeded):
    before = (Unit.objects.count(), Official.objects.count())
    call_command("seed_demo", officials=1500, stdout=open("/dev/null", "w"))
    assert (Unit.objects.count(), Official.objects.count()) == before


def test_demo_content_is_published_and_dong_nai_finds_the_plan(seeded, client):
    from content.models import CoursePage, LessonPage

    assert CoursePage.objects.live().count() >= 4
    assert all(3 <= LessonPage.objects.child_of(c).live().count() <= 6 for c in CoursePage.objects.all())
    html = client.get("/search/", {"q": "dong nai"}).content.decode()
    first = html.split('class="results"')[1].split("</li>")[0]
    assert "/van-ban-huong-dan/" in first and "Kế hoạch cải cách hành chính tỉnh <mark>Đồng Nai</mark> năm 2020" in first
    plan = client.get(first.split('href="')[1].split('"')[0]).content.decode()
    assert "15122/KH-UBND" in plan and "<table>" in plan  # the appendix of tasks


def test_the_demo_official_can_sit_the_practice_exam(seeded, client, settings):
    from exams.models import Exam

    exam = Exam.objects.get()
    assert exam.sections.get().topic.questions.count() == 0  # questions sit in sub-topics
    client.post("/accounts/login/", {"login": "official", "password": settings.DEMO_PASSWORD})
    assert exam.title in client.get("/thi/").content.decode()
    response = client.post(f"/thi/{exam.pk}/bat-dau/")
    assert response.status_code == 302 and "/thi/lam-bai/" in response["Location"]
