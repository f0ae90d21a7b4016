"""The exam room's API: owner-only, no key material, idempotent saves, late saves and old tabs refused."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from exams.models import Attempt

from .test_attempts import BANK, exam, right_choice  # noqa: F401 (fixture)
from ..factories import OfficialFactory

pytestmark = pytest.mark.django_db


def put(client, attempt_id, slot, response, seq, tab="tab-1"):
    return client.put(f"/api/attempts/{attempt_id}/answers/{slot}", json.dumps(
        {"response": response, "seq": seq, "client": tab}), content_type="application/json")


@pytest.fixture
def sitting(client, exam, trang_dai_official):  # noqa: F811
    client.force_login(trang_dai_official.user)
    started = client.post(f"/api/exams/{exam.pk}/attempts", json.dumps({}), content_type="application/json")
    assert started.status_code == 201
    client.get(f"/api/attempts/{started.json()['id']}?client=tab-1")
    return Attempt.objects.get(pk=started.json()["id"])


def test_the_paper_sent_to_the_browser_has_no_key(client, sitting):
    body = client.get(f"/api/attempts/{sitting.pk}?client=tab-1").content.decode()
    assert '"fraction"' not in body and '"feedback"' not in body and "correct" not in body


def test_another_candidate_cannot_read_or_write_the_sitting(client, sitting, tree):
    other = OfficialFactory(unit=tree["trang_dai"])
    client.force_login(other.user)
    assert client.get(f"/api/attempts/{sitting.pk}").status_code == 404
    assert put(client, sitting.pk, 1, {"choice": 0}, 1).status_code == 404
    assert client.post(f"/api/attempts/{sitting.pk}/submit").status_code == 404


def test_a_retried_save_gets_the_same_answer(client, sitting):
    assert put(client, sitting.pk, 1, {"choice": 1}, 7).json() == {"slot": 1, "seq": 7}
    assert put(client, sitting.pk, 1, {"choice": 1}, 7).json() == {"slot": 1, "seq": 7}
    assert put(client, sitting.pk, 1, {"choice": 2}, 6).json() == {"slot": 1, "seq": 7}


def test_a_late_save_is_refused_with_a_clear_message(client, sitting):
    Attempt.objects.filter(pk=sitting.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    response = put(client, sitting.pk, 1, {"choice": 0}, 1)
    assert response.status_code == 410
    assert response.json()["detail"] == "Đã hết giờ làm bài. Câu trả lời này không được ghi nhận."
    # Opening it now finalises it on the server, and the result follows the review policy.
    assert client.get(f"/api/attempts/{sitting.pk}").json()["status"] == "timed_out"


def test_opening_on_another_device_takes_over_and_the_old_tab_is_told(client, sitting):
    client.get(f"/api/attempts/{sitting.pk}?client=phone")
    response = put(client, sitting.pk, 1, {"choice": 0}, 1, tab="tab-1")
    assert response.status_code == 423 and "thiết bị hoặc thẻ khác" in response.json()["detail"]
    assert put(client, sitting.pk, 1, {"choice": 0}, 1, tab="phone").status_code == 200
    assert sitting.events.filter(kind="takeover").exists()


def test_result_after_submit_shows_score_and_pass(client, sitting):
    for slot in range(1, 11):
        put(client, sitting.pk, slot, {"choice": right_choice(sitting, slot)}, 1)
    result = client.post(f"/api/attempts/{sitting.pk}/submit").json()
    assert result["score"] == 10 and result["percent"] == 100 and result["passed"] is True


def test_trainers_watch_the_live_sitting_and_officials_cannot(client, sitting, trainer_user, trang_dai_official):
    put(client, sitting.pk, 1, {"choice": 0}, 1)
    client.post(f"/api/attempts/{sitting.pk}/events", json.dumps({"kind": "focus_lost"}), content_type="application/json")
    assert client.get(f"/thi/{sitting.exam_id}/giam-sat/").status_code == 403
    client.force_login(trainer_user)
    html = client.get(f"/thi/{sitting.exam_id}/giam-sat/").content.decode()
    assert trang_dai_official.full_name in html and "1/10" in html
    assert "1 đã bắt đầu · 0 đã nộp bài" in html


def test_a_section_whose_pool_is_too_small_is_refused_or_warned(exam):  # noqa: F811
    from django.core.exceptions import ValidationError

    section = exam.sections.get()
    assert section.pool_warning() == ""  # 30 questions for 10 drawn: exactly the 3x rule
    section.draw_count = 11
    assert section.pool_warning() == "Nguồn câu hỏi có 30 câu; khuyến nghị tối thiểu 33 câu (3 × 11)."
    section.draw_count = 31
    with pytest.raises(ValidationError):
        section.full_clean()
