"""Assignment follows the roster: a roster import, new officials, transfers and role changes decide who must do
what, through the LMS's Celery tasks, idempotently; nothing an official earned is lost."""
import datetime as dt

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lms import rules, services
from lms.models import Assignment, Certificate, Completion, Requirement
from org import services as org_services
from org.models import ImportJob, Official
from org.services import import_job_run
from tests.factories import OfficialFactory, RequirementFactory

pytestmark = pytest.mark.django_db

HEADERS = ["Mã cán bộ", "Họ và tên", "Mã đơn vị", "Phân loại", "Ngạch", "Tiếp nhận hồ sơ một cửa", "Phụ trách CCHC"]


def roster_file(rows) -> SimpleUploadedFile:
    data = pd.DataFrame(rows, columns=HEADERS).to_csv(index=False).encode("utf-8-sig")
    return SimpleUploadedFile("ds.csv", data)


def import_roster(rows, by, capture):
    job = ImportJob.objects.create(kind="roster", original_name="ds.csv", created_by=by, file=roster_file(rows))
    with capture(execute=True):
        job = import_job_run(job_id=job.pk)
    assert job.status == "done", job.errors
    return job


def required(requirement) -> set[str]:
    return set(Assignment.objects.filter(requirement=requirement, active=True)
               .values_list("official__employee_code", flat=True))


def test_after_a_roster_import_the_right_officials_are_required_to_complete_the_module(
        tree, admin_user, module, django_capture_on_commit_callbacks):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    rows = [
        ["BH-1", "Nguyễn Thị Một", "25993", "Công chức", "Chuyên viên", "x", ""],   # one-stop, Trảng Dài (Biên Hòa)
        ["BH-2", "Trần Văn Hai", "25996", "Công chức", "Chuyên viên", "x", ""],     # one-stop, Tân Phong (Biên Hòa)
        ["BH-3", "Lê Văn Ba", "25993", "Công chức", "Chuyên viên", "", "x"],        # reform officer only
        ["LK-1", "Phạm Thị Bốn", "26071", "Công chức", "Chuyên viên", "x", ""],     # one-stop, but Long Khánh
    ]
    import_roster(rows, admin_user, django_capture_on_commit_callbacks)

    assert required(requirement) == {"BH-1", "BH-2"}
    a = Assignment.objects.get(requirement=requirement, official__employee_code="BH-1")
    assert a.status == "not_started" and a.due_at == requirement.due_date and a.source == "rule"

    # The next import: BH-2 stops receiving dossiers, BH-3 starts, LK-1 moves to Biên Hòa.
    rows[1][5], rows[2][5], rows[3][2] = "", "x", "25996"
    import_roster(rows, admin_user, django_capture_on_commit_callbacks)
    assert required(requirement) == {"BH-1", "BH-3", "LK-1"}
    gone = Assignment.objects.get(requirement=requirement, official__employee_code="BH-2")
    assert gone.active is False and gone.deactivated_at is not None  # kept, not deleted


def test_assignment_is_idempotent_and_fast_in_queries(tree, module, django_assert_max_num_queries):
    for i in range(30):
        OfficialFactory(unit=tree["trang_dai"], is_one_stop_receiver=True)
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["province"]], modules=[module])
    with django_assert_max_num_queries(40):  # a fixed number of statements, not one per official
        first = services.requirement_assign(requirement=requirement)
    second = services.requirement_assign(requirement=requirement)
    assert first.created == 30
    assert (second.created, second.reactivated, second.deactivated) == (0, 0, 0)
    assert Assignment.objects.filter(requirement=requirement).count() == 30


def test_new_official_gets_the_requirement_through_the_roster_signal(tree, module, django_capture_on_commit_callbacks):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    # Set ten days ago, so that the newcomer joins after it (on the same day, the requirement's date would hold).
    Requirement.objects.filter(pk=requirement.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = org_services.official_create(employee_code="BH-NEW", full_name="Võ Thị Mới", unit=tree["tan_phong"],
                                                category="cong_chuc", is_one_stop_receiver=True)
    assert required(requirement) == {"BH-NEW"}
    a = Assignment.objects.get(official=newcomer)
    # Joining after the requirement was set: the newcomer gets the grace period, later than the requirement's date.
    assert requirement.due_date < timezone.localdate() + dt.timedelta(days=requirement.newcomer_days)
    assert a.due_at == timezone.localdate() + dt.timedelta(days=requirement.newcomer_days)


def test_transfer_out_of_the_audience_keeps_the_completion_and_certificate(
        tree, module, trang_dai_official, long_khanh_official, django_capture_on_commit_callbacks):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    for lesson in module.get_children().specific():
        services.lesson_progress_record(official=trang_dai_official, lesson=lesson, completed=True)
    services.completion_evaluate(requirement=requirement)
    completion = Completion.objects.get(official=trang_dai_official, requirement=requirement)
    code = Certificate.objects.get(completion=completion).code

    with django_capture_on_commit_callbacks(execute=True):
        org_services.official_transfer(official=trang_dai_official, to_unit=tree["xuan_trung"])  # to Long Khánh

    a = Assignment.objects.get(official=trang_dai_official, requirement=requirement)
    assert a.active is False and a.status == "completed" and a.completion_id == completion.pk
    assert Completion.objects.filter(official=trang_dai_official, requirement=requirement).count() == 1
    assert Certificate.objects.get(code=code).completion_id == completion.pk

    # Back to Biên Hòa: the same assignment returns, still completed; nothing to redo.
    with django_capture_on_commit_callbacks(execute=True):
        org_services.official_transfer(official=trang_dai_official, to_unit=tree["tan_phong"])
    a.refresh_from_db()
    assert a.active is True and a.status == "completed"
    assert Completion.objects.filter(official=trang_dai_official).count() == 1


def test_retired_official_leaves_the_audience(tree, module, trang_dai_official):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    Official.objects.filter(pk=trang_dai_official.pk).update(status="retired")
    result = services.requirement_assign(requirement=requirement, official_ids=[trang_dai_official.pk])
    assert result.deactivated == 1 and required(requirement) == set()


def test_manual_enrolment_survives_the_rule(tree, module, trang_dai_official, long_khanh_official):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    n = services.enrol(requirement=requirement, officials=Official.objects.filter(pk=long_khanh_official.pk))
    assert n == 1
    services.requirement_assign(requirement=requirement)  # the rule does not reach Long Khánh, but the enrolment stays
    assert required(requirement) == {trang_dai_official.employee_code, long_khanh_official.employee_code}


@pytest.mark.parametrize("completed,expires_in,due_in,started,expected", [
    (False, None, 5, False, "not_started"),
    (False, None, 5, True, "in_progress"),
    (False, None, -1, True, "overdue"),
    (True, None, -1, True, "completed"),
    (True, 90, -1, True, "completed"),
    (True, 10, -1, True, "expiring"),
    (True, -1, 5, True, "overdue"),
])
def test_stored_status_follows_the_same_rule_as_the_pure_function(tree, module, trang_dai_official, completed,
                                                                   expires_in, due_in, started, expected):
    today = timezone.localdate()
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module], renewal_window_days=30)
    services.requirement_assign(requirement=requirement)
    now = timezone.now()
    Assignment.objects.filter(requirement=requirement).update(
        due_at=today + dt.timedelta(days=due_in), started_at=now if started else None,
        completed_at=now - dt.timedelta(days=400) if completed else None,
        expires_at=today + dt.timedelta(days=expires_in) if expires_in is not None else None)
    services.assignment_status_refresh(requirement=requirement, today=today)
    assert Assignment.objects.get(requirement=requirement).status == expected
    assert rules.assignment_status(
        today=today, due_at=today + dt.timedelta(days=due_in), started=started, completed=completed,
        expires_at=today + dt.timedelta(days=expires_in) if expires_in is not None else None,
        renewal_window_days=30) == expected
