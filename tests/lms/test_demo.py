"""The demo has the plan's requirements, assigned by rule, with progress so the pages look alive."""
import pytest
from django.core.management import call_command

from lms.models import Assignment, Certificate, LessonProgress, Requirement

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_plans_requirements_with_progress(client, settings):
    call_command("seed_demo", officials=600, stdout=open("/dev/null", "w"))
    titles = set(Requirement.objects.values_list("title", flat=True))
    assert "100% công chức tiếp nhận hồ sơ một cửa được bồi dưỡng nghiệp vụ" in titles
    assert "100% công chức phụ trách CCHC được bồi dưỡng nghiệp vụ cải cách hành chính" in titles
    statuses = set(Assignment.objects.values_list("status", flat=True))
    assert {"completed", "in_progress", "not_started", "overdue"} <= statuses
    assert Certificate.objects.exists()
    one_stop = Requirement.objects.get(plan_clause="KH 15122/KH-UBND, mục II.4.c")
    assert not Assignment.objects.filter(requirement=one_stop, official__is_one_stop_receiver=False).exists()

    client.login(username="official", password=settings.DEMO_PASSWORD)
    page = client.get("/hoc-tap/").content.decode()
    assert one_stop.title in page and "?tiep-tuc=1" in page
    assert LessonProgress.objects.filter(official__employee_code="25993-MC01", completed_at__isnull=False).count() == 2

    call_command("seed_demo", officials=600, stdout=open("/dev/null", "w"))  # again: nothing doubles
    assert Requirement.objects.count() == 3


def test_seed_demo_reset_starts_over_after_people_have_learned_and_sat_exams(client, settings):
    from exams import services as exam_services
    from exams.models import Attempt, Exam
    from org.models import Official
    from reports.services import snapshot_take

    call_command("seed_demo", officials=300, stdout=open("/dev/null", "w"))
    official = Official.objects.get(user__username="official")
    exam_services.attempt_start(exam=Exam.objects.get(), official=official)
    snapshot_take()
    assert Assignment.objects.filter(official=official).exists() and Certificate.objects.exists()
    before = Official.objects.count()

    call_command("seed_demo", reset=True, officials=200, stdout=open("/dev/null", "w"))

    assert Official.objects.count() == before - 100  # the roster was made again, with 200 synthetic officials
    assert not Attempt.objects.exists() and Exam.objects.count() == 1  # the bank and the exam stay
    assert Requirement.objects.count() == 3 and Assignment.objects.exists()  # the demo's plan, assigned afresh
    assert client.login(username="official", password=settings.DEMO_PASSWORD)
    assert "100% công chức tiếp nhận hồ sơ một cửa" in client.get("/hoc-tap/").content.decode()
