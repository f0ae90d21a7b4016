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
