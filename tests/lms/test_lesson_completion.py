"""How a lesson counts as studied, chosen per course as Moodle's activity completion: on reaching its end, on
"Next lesson", or by the "Mark as studied" button. The server accepts only the course's way, and only for the
official's own lessons in modules assigned or open to them."""
import pytest

from lms import services
from lms.models import LessonProgress

from ..factories import OfficialFactory, RequirementFactory

pytestmark = pytest.mark.django_db


def lessons(module):
    return list(module.get_children().live().specific().order_by("path"))


def counted(module, way):
    module.lesson_completion = way
    module.save_revision().publish()
    return module


def studied(official, lesson) -> bool:
    return LessonProgress.objects.filter(official=official, lesson_id=lesson.pk, completed_at__isnull=False).exists()


def progress_api(client, lesson, **body):
    return client.post(f"/api/lms/lessons/{lesson.pk}/progress", body, content_type="application/json")


def test_by_the_button_only_the_button_counts_and_next_lesson_is_the_secondary_action(client, module,
                                                                                       trang_dai_official):
    first, second = lessons(counted(module, "button"))
    client.force_login(trang_dai_official.user)
    html = client.get(first.url).content.decode()
    assert 'data-testid="mark-done"' in html and 'data-completion="button"' in html
    assert 'data-testid="lesson-pending"' not in html

    refused = progress_api(client, first, position=1, completed=True, how="end")  # reading to the end is not enough
    assert refused.status_code == 409 and "Đánh dấu đã học" in refused.json()["detail"]
    assert client.post(f"/hoc-tap/bai-hoc/{first.pk}/da-hoc/", {"how": "next"})["Location"] == first.url
    assert not studied(trang_dai_official, first)

    response = client.post(f"/hoc-tap/bai-hoc/{first.pk}/da-hoc/")
    assert response.status_code == 302 and response["Location"] == second.url
    assert studied(trang_dai_official, first)
    assert 'data-completion' not in client.get(first.url).content.decode()  # done: nothing left to finish


def test_at_the_end_reaching_it_counts_and_there_is_no_button(client, module, trang_dai_official):
    first, _second = lessons(counted(module, "end"))
    client.force_login(trang_dai_official.user)
    html = client.get(first.url).content.decode()
    assert 'data-completion="end"' in html and 'data-testid="lesson-pending"' in html
    assert 'data-testid="mark-done"' not in html

    refused = client.post(f"/hoc-tap/bai-hoc/{first.pk}/da-hoc/", follow=True)  # a forged button press
    assert "khi đọc đến cuối bài" in refused.content.decode() and not studied(trang_dai_official, first)
    assert progress_api(client, first, completed=True, how="next").status_code == 409

    done = progress_api(client, first, position=1, completed=True, how="end")
    assert done.status_code == 200 and done.json()["completed_at"] is not None
    assert studied(trang_dai_official, first)
    assert 'data-testid="lesson-done"' in client.get(first.url).content.decode()


def test_on_next_going_on_counts_and_the_last_lesson_has_a_finish_button(client, module, trang_dai_official):
    first, second = lessons(counted(module, "next"))
    client.force_login(trang_dai_official.user)
    html = client.get(first.url).content.decode()
    assert 'data-completion="next"' in html and 'data-testid="mark-done"' not in html
    assert 'data-testid="finish-module"' not in html  # "Next lesson" is the way on here

    assert progress_api(client, first, position=1, completed=True, how="end").status_code == 409
    assert progress_api(client, first, completed=True, how="next").status_code == 200
    assert studied(trang_dai_official, first)

    assert 'data-testid="finish-module"' in client.get(second.url).content.decode()
    finished = client.post(f"/hoc-tap/bai-hoc/{second.pk}/da-hoc/", {"how": "next"})
    assert finished.status_code == 302 and finished["Location"] == "/hoc-tap/"
    assert studied(trang_dai_official, second)


def test_a_module_neither_assigned_nor_open_does_not_count_but_still_remembers_the_place(client, tree, module):
    first = lessons(counted(module, "end"))[0]  # open to one-stop receivers only
    clerk = OfficialFactory(unit=tree["trang_dai"], is_one_stop_receiver=False, is_reform_officer=False)
    client.force_login(clerk.user)
    html = client.get(first.url).content.decode()
    assert 'data-testid="lesson-not-counted"' in html and "data-completion" not in html

    assert progress_api(client, first, position=1, completed=True, how="end").status_code == 403
    assert client.post(f"/hoc-tap/bai-hoc/{first.pk}/da-hoc/").status_code == 403
    assert not studied(clerk, first)
    assert progress_api(client, first, position=0.5).json()["position"] == 0.5  # resuming still works

    # Once a requirement assigns them the module, its lessons count.
    requirement = RequirementFactory(audience_units=[tree["trang_dai"]], modules=[module])
    services.requirement_assign(requirement=requirement)
    assert progress_api(client, first, position=1, completed=True, how="end").status_code == 200
    assert studied(clerk, first)


def test_the_service_refuses_another_way_and_a_closed_module(tree, module, trang_dai_official):
    from django.core.exceptions import PermissionDenied, ValidationError

    first = lessons(counted(module, "next"))[0]
    with pytest.raises(ValidationError):
        services.lesson_progress_record(official=trang_dai_official, lesson=first, completed=True, how="button")
    stranger = OfficialFactory(unit=tree["trang_dai"], is_one_stop_receiver=False, is_reform_officer=False)
    with pytest.raises(PermissionDenied):
        services.lesson_progress_record(official=stranger, lesson=first, completed=True, how="next")
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
