"""Completion from lessons and a passed exam; the certificate, its PDF and its public verification page; the
"My learning" page and the lesson progress API."""
import datetime as dt

import pytest
from django.utils import timezone

from lms import services
from lms.models import Assignment, Certificate, Completion, LessonProgress
from lms.rules import add_months

from ..factories import RequirementFactory
from ..papers import sit_and_pass

pytestmark = pytest.mark.django_db


def lessons(module):
    return list(module.get_children().live().specific().order_by("path"))


def test_lessons_and_a_passed_exam_complete_the_requirement_and_issue_a_verifiable_certificate(
        client, tree, module, exam, trang_dai_official, django_capture_on_commit_callbacks):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module], exam=exam, validity_months=24)
    services.requirement_assign(requirement=requirement)
    client.force_login(trang_dai_official.user)

    first, second = lessons(module)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/hoc-tap/bai-hoc/{first.pk}/da-hoc/")
    assert response.status_code == 302 and response["Location"] == second.url  # on to the next lesson
    assert Assignment.objects.get(official=trang_dai_official).status == "in_progress"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/hoc-tap/bai-hoc/{second.pk}/da-hoc/")
    assert not Completion.objects.exists()  # the exam is still to pass

    with django_capture_on_commit_callbacks(execute=True):
        sit_and_pass(exam, trang_dai_official)  # the exam engine sends attempt_graded; the LMS listens

    completion = Completion.objects.get(official=trang_dai_official, requirement=requirement)
    a = Assignment.objects.get(official=trang_dai_official)
    assert a.status == "completed" and a.completion_id == completion.pk
    assert completion.expires_at == add_months(timezone.localdate(completion.completed_at), 24)
    cert = Certificate.objects.get(completion=completion)

    page = client.get("/hoc-tap/")
    assert page.status_code == 200
    html = page.content.decode()
    assert cert.code in html and 'data-status="completed"' in html

    pdf = client.get(f"/hoc-tap/chung-chi/{cert.code}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    client.logout()  # the verification page is public
    public = client.get(f"/xac-minh/{cert.code}/")
    text = public.content.decode()
    assert public.status_code == 200 and 'data-state="valid"' in text
    assert trang_dai_official.full_name in text and requirement.title in text
    assert trang_dai_official.employee_code not in text and trang_dai_official.email not in text
    # Typed by hand, in lower case and without dashes, it is found too.
    assert 'data-state="valid"' in client.get("/xac-minh/", {"ma": cert.code.replace("-", "").lower()}).content.decode()
    assert client.get("/xac-minh/AAAA-BBBB-CCCC/").status_code == 404


def test_a_failed_exam_does_not_complete(tree, module, exam, trang_dai_official, django_capture_on_commit_callbacks):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module], exam=exam)
    services.requirement_assign(requirement=requirement)
    for lesson in lessons(module):
        services.lesson_progress_record(official=trang_dai_official, lesson=lesson, completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        sit_and_pass(exam, trang_dai_official, correct=False)
    assert not Completion.objects.exists()
    assert Assignment.objects.get(official=trang_dai_official).status == "in_progress"


def test_evaluating_twice_records_one_completion(tree, module, trang_dai_official):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    for lesson in lessons(module):
        services.lesson_progress_record(official=trang_dai_official, lesson=lesson, completed=True)
    services.completion_evaluate(requirement=requirement)
    services.completion_evaluate(requirement=requirement)
    services.completions_evaluate_for(official_ids=[trang_dai_official.pk])
    assert Completion.objects.count() == 1 and Certificate.objects.count() == 1


def test_renewal_needs_new_evidence_inside_the_window(tree, module, trang_dai_official):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module], validity_months=12,
                                   renewal_window_days=30)
    services.requirement_assign(requirement=requirement)
    long_ago = timezone.now() - dt.timedelta(days=350)
    for lesson in lessons(module):
        services.lesson_progress_record(official=trang_dai_official, lesson=lesson, completed=True)
    LessonProgress.objects.update(completed_at=long_ago)
    services.completion_evaluate(requirement=requirement)
    a = Assignment.objects.get(official=trang_dai_official)
    assert a.status == "expiring"  # completed 350 days ago, valid 12 months: inside the 30-day window

    services.completion_evaluate(requirement=requirement)  # the old lessons do not renew it
    assert Completion.objects.count() == 1
    for lesson in lessons(module):  # studied again
        services.lesson_progress_record(official=trang_dai_official, lesson=lesson, completed=True)
    services.completion_evaluate(requirement=requirement)
    a.refresh_from_db()
    assert Completion.objects.count() == 2 and a.status == "completed"
    assert a.expires_at > timezone.localdate() + dt.timedelta(days=300)


def test_my_learning_shows_status_due_date_and_resume_point(client, tree, module, trang_dai_official):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    first, second = lessons(module)
    services.lesson_progress_record(official=trang_dai_official, lesson=first, completed=True)
    services.lesson_progress_record(official=trang_dai_official, lesson=second, position=0.4, anchor="buoc-2")
    client.force_login(trang_dai_official.user)
    html = client.get("/hoc-tap/").content.decode()
    assert requirement.due_date.strftime("%d/%m/%Y") in html
    assert f'href="{second.url}?tiep-tuc=1"' in html  # resume the lesson they were reading
    assert "1/2" in html

    lesson_html = client.get(second.url).content.decode()
    assert 'data-position="0.400"' in lesson_html and 'data-testid="mark-done"' in lesson_html
    assert client.get(module.url).content.decode().count('data-testid="studied"') == 1  # the course marks lesson 1


def test_lesson_progress_api_keeps_the_furthest_point_and_only_for_oneself(client, tree, module, trang_dai_official):
    first = lessons(module)[0]
    client.force_login(trang_dai_official.user)
    url = f"/api/lms/lessons/{first.pk}/progress"
    assert client.post(url, {"position": 0.6, "anchor": "h2"}, content_type="application/json").json()["position"] == 0.6
    assert client.post(url, {"position": 0.3}, content_type="application/json").json()["position"] == 0.6
    assert client.get(url).json()["position"] == 0.6
    assert client.post(url, {"position": 1.7}, content_type="application/json").status_code == 422
    done = client.post(url, {"completed": True}, content_type="application/json").json()
    assert done["completed_at"] is not None
    data = client.get("/api/lms/my-learning").json()
    assert data == {"items": [], "certificates": []}
    client.logout()
    assert client.get(url).status_code == 401


def test_api_lists_my_required_items(client, tree, module, trang_dai_official):
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    client.force_login(trang_dai_official.user)
    item = client.get("/api/lms/my-learning").json()["items"][0]
    assert item["title"] == requirement.title and item["status"] == "not_started"
    assert item["modules"][0]["lessons_total"] == 2 and item["modules"][0]["resume_url"]
