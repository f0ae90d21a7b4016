"""The demo has the plan's requirements, assigned by rule, with learning dated across the years since 2020 so that
coverage on different dates differs; the 2025 reform carries every learning record through."""
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from lms.models import Assignment, Attendance, Certificate, Completion, LessonProgress, Requirement
from org.models import Official, Reorganisation, Unit, User
from org.services.reorganisation import reorganisation_apply

pytestmark = pytest.mark.django_db


def valid_on(day: dt.date) -> int:
    """Officials holding a valid completion of some requirement on a day."""
    return (Completion.objects.filter(completed_at__date__lte=day)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=day))
            .values("official_id", "requirement_id").distinct().count())


def test_seed_demo_creates_the_plans_requirements_with_learning_dated_across_the_years(client, settings):
    call_command("seed_demo", officials=600, stdout=io.StringIO())
    titles = set(Requirement.objects.values_list("title", flat=True))
    assert "100% công chức tiếp nhận hồ sơ một cửa được bồi dưỡng nghiệp vụ" in titles
    assert "100% công chức phụ trách CCHC được bồi dưỡng nghiệp vụ cải cách hành chính" in titles
    statuses = set(Assignment.objects.values_list("status", flat=True))
    assert {"completed", "in_progress", "not_started", "overdue"} <= statuses
    assert Certificate.objects.exists()
    one_stop = Requirement.objects.get(plan_clause="KH 15122/KH-UBND, mục II.4.c")
    assert not Assignment.objects.filter(requirement=one_stop, official__is_one_stop_receiver=False).exists()
    assert list(one_stop.audience_units.values_list("code", flat=True)) == ["75"]  # Bình Phước's followed in 2025

    # Completions in 2020–2021, more in 2024, more in 2025–2026; some have expired; coverage differs by date.
    years = list(Completion.objects.values_list("completed_at__year", flat=True))
    early, y2024, late = (sum(1 for y in years if y in span) for span in ((2020, 2021), (2024,), (2025, 2026)))
    assert 0 < early < y2024 < late
    assert Completion.objects.filter(expires_at__lt=timezone.localdate()).exists()
    assert len({valid_on(dt.date(2020, 12, 31)), valid_on(dt.date(2024, 12, 31)), valid_on(timezone.localdate())}) == 3
    assert Assignment.objects.filter(assigned_at__year=2020).exists()
    assert Assignment.objects.filter(assigned_at__year=2024).exists()
    assert LessonProgress.objects.filter(completed_at__year=2020).exists()

    # Each requirement's certificates come from its template: numbered 1, 2, 3 … in the order they were earned.
    from lms.models import CertificateTemplate

    assert not Requirement.objects.filter(certificate_template__isnull=True).exists()
    for series in CertificateTemplate.objects.all():
        certs = list(series.certificates.order_by("serial"))
        assert [c.serial for c in certs] == list(range(1, len(certs) + 1)) and series.next_number == len(certs) + 1
        assert certs[0].letterhead["issuer"] == "SỞ NỘI VỤ" and certs[0].number.endswith(series.number_suffix)
        dates = [timezone.localdate(c.issued_at) for c in certs]
        assert dates == sorted(dates) and dates[0] < dt.date(2025, 1, 1)  # dated the day they were earned
    assert not LessonProgress.objects.filter(completed_at__lt=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                                             started_at__gt=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)).exists()

    client.login(username="official", password=settings.DEMO_PASSWORD)
    page = client.get("/hoc-tap/").content.decode()
    assert one_stop.title in page and "?tiep-tuc=1" in page
    assert LessonProgress.objects.filter(official__employee_code="25993-MC01", completed_at__isnull=False).count() == 2

    call_command("seed_demo", officials=600, stdout=io.StringIO())  # again: nothing doubles
    assert Requirement.objects.count() == 3


def test_the_2025_reform_keeps_every_learning_record(django_capture_on_commit_callbacks):
    """Seeded up to 30/06/2025, the reform is a draft; applied, it loses and adds no learning record."""
    out = io.StringIO()
    call_command("seed_demo", officials=300, until="2025-06-30", stdout=out)
    reform = Reorganisation.objects.get(status=Reorganisation.Status.DRAFT)
    assert reform.effective_date == dt.date(2025, 7, 1) and "dự thảo" in out.getvalue()
    bien_hoa_staff = list(Official.objects.filter(unit__parent__code="731").values_list("pk", flat=True))

    def records():
        return (Completion.objects.count(), Assignment.objects.count(), Assignment.objects.filter(active=True).count(),
                LessonProgress.objects.count(), Certificate.objects.count(), Attendance.objects.count(),
                sorted(Assignment.objects.values_list("official_id", "requirement_id", "completed_at", "active")))

    before = records()
    assert before[0] and before[1] and before[3]
    with django_capture_on_commit_callbacks(execute=True):
        reorganisation_apply(reorganisation=reform)
    assert records() == before
    assert not Official.objects.filter(pk__in=bien_hoa_staff, unit__active_to__isnull=False).exists()
    assert all(list(r.audience_units.values_list("code", flat=True)) == ["75"] for r in Requirement.objects.all())
    assert User.objects.get(username="personnel").scope_unit.code != "731"


def test_seed_demo_reset_starts_over_after_people_have_learned_and_sat_exams(client, settings):
    from exams import services as exam_services
    from exams.models import Attempt, Exam
    from reports.services import snapshot_take

    call_command("seed_demo", officials=300, stdout=io.StringIO())
    official = Official.objects.get(user__username="official")
    exam_services.attempt_start(exam=Exam.objects.get(title__startswith="Sát hạch thử"), official=official)
    snapshot_take()
    assert Assignment.objects.filter(official=official).exists() and Certificate.objects.exists()
    assert Unit.objects.get(code="75").is_active and not Unit.objects.get(code="70").is_active
    demo_people = Official.objects.filter(user__username__in=["trainer", "reviewer", "personnel", "official"]).count()

    call_command("seed_demo", reset=True, officials=200, stdout=io.StringIO())

    # The roster was made again: 200 in Đồng Nai, 50 in Bình Phước, 10 recruits, and the demo accounts' own.
    assert Official.objects.count() == 200 + 50 + 10 + demo_people
    assert not Attempt.objects.exists() and Exam.objects.count() == 3  # the bank and the exams stay (practice + 2 parts)
    assert Requirement.objects.count() == 3 and Assignment.objects.exists()  # the demo's plan, assigned afresh
    assert Reorganisation.objects.filter(status=Reorganisation.Status.APPLIED).count() == 3
    assert client.login(username="official", password=settings.DEMO_PASSWORD)
    assert "100% công chức tiếp nhận hồ sơ một cửa" in client.get("/hoc-tap/").content.decode()
