"""Lessons count as studied the way their course says, in Chromium: read to the end, or left with "Next lesson";
where the button decides, "Next lesson" is the secondary action beside it."""
import json

import pytest

from lms import services
from lms.models import LessonProgress
from org.models import Official, Unit

from ..factories import RequirementFactory, module_build
from .conftest import sign_in


@pytest.fixture
def required_module(demo, tmp_path):
    module = module_build(tmp_path)
    requirement = RequirementFactory(one_stop=True, audience_units=[Unit.objects.get(code="75")], modules=[module])
    services.requirement_assign(requirement=requirement)
    return requirement, module


def counted(module, way):
    module.lesson_completion = way
    module.save_revision().publish()
    return list(module.get_children().live().specific().order_by("path"))


def studied(lesson) -> bool:
    return LessonProgress.objects.filter(official__user__username="official", lesson_id=lesson.pk,
                                         completed_at__isnull=False).exists()


def is_finish(response) -> bool:
    return ("/api/lms/lessons/" in response.url and response.request.method == "POST"
            and json.loads(response.request.post_data or "{}").get("completed") is True)


def test_a_lesson_read_to_its_end_counts_as_studied(page, live_server, demo, required_module):
    requirement, module = required_module
    first, second = counted(module, "end")
    base = live_server.url
    sign_in(page, base, "official", demo)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"{base}/hoc-tap/")
    page.click(f"[data-testid=resume-{module.pk}]")
    assert page.locator("[data-testid=mark-done]").count() == 0  # no button: reading is what counts
    assert page.locator("[data-testid=lesson-pending]").is_visible()

    with page.expect_response(is_finish) as finished:
        page.locator("[data-testid=lesson-progress]").scroll_into_view_if_needed()  # the end of the lesson
    assert finished.value.status == 200 and finished.value.json()["completed_at"]
    page.wait_for_selector("[data-testid=lesson-done]", state="visible")
    assert studied(first) and not studied(second)

    page.goto(f"{base}/hoc-tap/")
    assert "1/2" in page.locator(f"[data-testid=item-{requirement.pk}]").inner_text()

    # Part of the second lesson: the place is remembered and resumed, and the lesson is not studied yet.
    page.click(f"[data-testid=resume-{module.pk}]")
    page.wait_for_url(f"{base}{second.url}*")
    with page.expect_response(lambda r: "/api/lms/lessons/" in r.url and r.request.method == "POST") as saved:
        page.mouse.wheel(0, 500)
    assert saved.value.status == 200 and 0 < saved.value.json()["position"] < 1 and not studied(second)
    page.goto(f"{base}/hoc-tap/")
    page.click(f"[data-testid=resume-{module.pk}]")
    page.wait_for_function("window.scrollY > 150")
    assert "tiep-tuc=1" in page.url and not studied(second)


def test_next_lesson_counts_where_the_course_says_so(page, live_server, demo, required_module):
    _requirement, module = required_module
    first, second = counted(module, "next")
    base = live_server.url
    sign_in(page, base, "official", demo)
    page.goto(base + first.url)
    assert page.locator("[data-testid=mark-done]").count() == 0
    page.click(".lesson-nav a[rel=next]")
    page.wait_for_url(base + second.url)
    assert studied(first) and not studied(second)
    page.click("[data-testid=finish-module]")  # the last lesson has no next one
    page.wait_for_url(f"{base}/hoc-tap/")
    assert studied(second)


def test_where_the_button_counts_next_lesson_is_secondary_and_does_not_finish(page, live_server, demo,
                                                                              required_module):
    _requirement, module = required_module
    first, second = counted(module, "button")
    base = live_server.url
    sign_in(page, base, "official", demo)
    page.goto(base + first.url)
    background = "getComputedStyle(document.querySelector('{}')).backgroundColor"
    assert page.evaluate(background.format("[data-testid=mark-done]")) != "rgba(0, 0, 0, 0)"
    assert page.evaluate(background.format(".lesson-nav a[rel=next]")) == "rgba(0, 0, 0, 0)"
    page.locator("[data-testid=lesson-progress]").scroll_into_view_if_needed()
    page.click(".lesson-nav a[rel=next]")
    page.wait_for_url(base + second.url)
    assert not studied(first)  # neither reading to the end nor "next" counts here
    official = Official.objects.get(user__username="official")
    assert not official.lesson_progress.filter(completed_at__isnull=False).exists()
