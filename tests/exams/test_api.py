"""The exam room's API: owner-only, no key material, idempotent saves, late saves and old tabs refused."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from exams.models import Attempt, Exam

from ..factories import OfficialFactory
from ..papers import pick, pick_right, pick_wrong
from .conftest import claim, put

pytestmark = pytest.mark.django_db


def test_the_paper_sent_to_the_browser_has_no_key(client, sitting):
    body = claim(client, sitting.pk, "tab-1").content.decode()
    assert '"fraction"' not in body and '"feedback"' not in body and "correct" not in body


def test_the_start_replies_with_the_paper_the_sitting_keeps(client, exam, trang_dai_official):
    from exams.models import AttemptQuestion

    client.force_login(trang_dai_official.user)
    started = client.post(f"/api/exams/{exam.pk}/attempts", json.dumps({}), content_type="application/json")
    assert started.status_code == 201
    body = started.json()  # rendered from the paper just drawn, not read back
    assert body["answers"] == {} and any(item.get("options") for item in body["paper"])
    assert client.get(f"/api/attempts/{body['id']}").json()["paper"] == body["paper"]  # a reload: read back
    slots = list(AttemptQuestion.objects.filter(attempt_id=body["id"]).order_by("slot"))
    assert [s.slot for s in slots] == [item["slot"] for item in body["paper"]] == list(range(1, len(slots) + 1))
    for slot, item in zip(slots, body["paper"]):
        shown = [option["id"] for option in item.get("options", [])]
        assert shown == [i for i, _n in slot.elements.get("options", [])] and len(set(shown)) == len(shown)
        assert all(len(i) == 6 and i.isalpha() for i in shown)


def test_another_candidate_cannot_read_or_write_the_sitting(client, sitting, tree):
    other = OfficialFactory(unit=tree["trang_dai"])
    client.force_login(other.user)
    assert client.get(f"/api/attempts/{sitting.pk}").status_code == 404
    assert put(client, sitting.pk, 1, {"choice": 0}, 1).status_code == 404
    assert put(client, 999999, 1, {"choice": 0}, 1).status_code == 404
    assert client.post(f"/api/attempts/{sitting.pk}/submit").status_code == 404
    assert not sitting.answers.exists()


def test_a_sitting_that_is_not_yours_and_one_that_does_not_exist_get_the_same_vietnamese_404(client, sitting, tree):
    other = OfficialFactory(unit=tree["trang_dai"])
    client.force_login(other.user)
    expected = {"detail": "Mục này không tồn tại hoặc nằm ngoài phạm vi tài khoản của bạn được phép xem.",
                "code": "not_found"}
    assert put(client, sitting.pk, 1, {"choice": 0}, 1).json() == expected
    assert put(client, 999999, 1, {"choice": 0}, 1).json() == expected
    assert client.get(f"/api/attempts/{sitting.pk}/result").json() == expected


def test_an_account_without_an_official_cannot_write_a_sitting(client, sitting, trainer_user):
    client.force_login(trainer_user)
    assert put(client, sitting.pk, 1, {"choice": 0}, 1).status_code == 404
    assert not sitting.answers.exists()


def test_a_retried_save_gets_the_same_answer(client, sitting):
    assert put(client, sitting.pk, 1, {"choice": 1}, 7).json() == {"slot": 1, "seq": 7}
    assert put(client, sitting.pk, 1, {"choice": 1}, 7).json() == {"slot": 1, "seq": 7}
    assert put(client, sitting.pk, 1, {"choice": 2}, 6).json() == {"slot": 1, "seq": 7}


def test_an_impossible_sequence_number_or_slot_is_refused_not_a_crash(client, sitting):
    assert put(client, sitting.pk, 1, {"choice": 1}, 2**31).status_code == 422
    assert put(client, sitting.pk, 1, {"choice": 1}, -1).status_code == 422
    assert put(client, sitting.pk, 99, {"choice": 1}, 1).status_code == 422
    assert not sitting.answers.exists()


def test_a_late_save_is_refused_with_a_clear_message(client, sitting):
    Attempt.objects.filter(pk=sitting.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    response = put(client, sitting.pk, 1, {"choice": 0}, 1)
    assert response.status_code == 410
    assert response.json()["detail"] == "Đã hết giờ làm bài. Câu trả lời này không được ghi nhận."
    # Opening it now finalises it on the server, and the result follows the review policy.
    assert client.get(f"/api/attempts/{sitting.pk}").json()["status"] == "timed_out"


def test_a_save_in_the_grace_seconds_after_the_deadline_still_counts(client, sitting):
    # A save sent just before the deadline may reach the server a moment after it.
    Attempt.objects.filter(pk=sitting.pk).update(deadline=timezone.now() - dt.timedelta(seconds=2))
    assert put(client, sitting.pk, 1, {"choice": 2}, 1).json() == {"slot": 1, "seq": 1}
    assert sitting.answers.get(slot=1).response == {"choice": 2}


def test_a_submitted_sitting_takes_no_more_answers(client, sitting):
    assert put(client, sitting.pk, 1, {"choice": 1}, 1).status_code == 200
    client.post(f"/api/attempts/{sitting.pk}/submit")
    response = put(client, sitting.pk, 1, {"choice": 3}, 2)
    assert response.status_code == 410
    assert response.json() == {"detail": "Bài thi đã được nộp. Câu trả lời này không được ghi nhận.", "code": "closed"}
    assert sitting.answers.get(slot=1).response == {"choice": 1} and sitting.answers.get(slot=1).seq == 1


def test_opening_on_another_device_takes_over_and_the_old_tab_is_told(client, sitting):
    claim(client, sitting.pk, "phone")
    response = put(client, sitting.pk, 1, {"choice": 0}, 1, tab="tab-1")
    assert response.status_code == 423 and "thiết bị hoặc thẻ khác" in response.json()["detail"]
    assert not sitting.answers.exists()
    assert put(client, sitting.pk, 1, {"choice": 0}, 1, tab="phone").status_code == 200
    assert sitting.events.filter(kind="takeover").exists()


def test_reading_the_paper_never_takes_the_sitting_over_and_taking_over_needs_the_csrf_token(sitting,
                                                                                            trang_dai_official):
    from django.test import Client

    # A cross-site link or image can make the browser GET anything with its cookies: that must change nothing.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(trang_dai_official.user)
    assert browser.get(f"/api/attempts/{sitting.pk}?client=attacker").status_code == 200
    # A cross-site form can POST, but without the token: refused.
    assert claim(browser, sitting.pk, "attacker").status_code == 403
    sitting.refresh_from_db()
    assert sitting.active_client == "tab-1" and not sitting.events.filter(kind="takeover").exists()


def test_result_after_submit_shows_score_and_pass(client, sitting):
    for slot in range(1, 11):
        put(client, sitting.pk, slot, pick_right(sitting, slot), 1)
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


def test_a_section_whose_pool_is_too_small_is_refused_or_warned(exam):
    from django.core.exceptions import ValidationError

    section = exam.sections.get()
    assert section.pool_warning() == ""  # 30 questions for 10 drawn: exactly the 3x rule
    section.draw_count = 11
    assert section.pool_warning() == "Nguồn câu hỏi có 30 câu; khuyến nghị tối thiểu 33 câu (3 × 11)."
    section.draw_count = 31
    with pytest.raises(ValidationError):
        section.full_clean()


# --- Layout and review policy ----------------------------------------------------------------------------------

def test_the_room_tells_the_page_its_layout(client, sitting):
    assert claim(client, sitting.pk, "tab-1").json()["layout"] == "all"
    sitting.exam.layout = "one"
    sitting.exam.save(update_fields=["layout"])
    assert claim(client, sitting.pk, "tab-1").json()["layout"] == "one"


def _set_policy(exam, **flags):
    for phase in ("submit", "close"):
        for part in ("score", "outcome", "answers", "feedback"):
            setattr(exam, f"show_{part}_after_{phase}", flags.get(f"{part}_{phase}", False))
    exam.save()


def test_the_result_shows_the_score_and_the_outcome_only_as_each_is_allowed(client, sitting):
    for slot in range(1, 11):
        put(client, sitting.pk, slot, pick_right(sitting, slot), 1)
    _set_policy(sitting.exam, score_submit=True)
    result = client.post(f"/api/attempts/{sitting.pk}/submit").json()
    assert result["score"] == 10 and result["score10"] == 10 and result["passed"] is None
    assert result["review_url"] == f"/thi/ket-qua/{sitting.pk}/"
    _set_policy(sitting.exam, outcome_submit=True)
    result = client.get(f"/api/attempts/{sitting.pk}/result").json()
    assert result["passed"] is True and result["score"] is None and result["percent"] is None
    _set_policy(sitting.exam)
    result = client.get(f"/api/attempts/{sitting.pk}/result").json()
    assert result["score"] is None and result["passed"] is None and result["status"] == "submitted"


def test_the_review_reveals_no_key_before_the_policy_allows_it(client, sitting):
    import re

    for slot in range(1, 11):  # every answer wrong, so a right option's text can only come from the key
        put(client, sitting.pk, slot, pick_wrong(sitting, slot), 1)
    in_progress = client.get(f"/api/attempts/{sitting.pk}/review").json()
    assert in_progress["phase"] == "in_progress" and "questions" not in in_progress and "score" not in in_progress

    _set_policy(sitting.exam, score_submit=True, outcome_submit=True, answers_close=True, feedback_close=True)
    sitting.exam.closes_at = timezone.now() + dt.timedelta(hours=1)
    sitting.exam.save()
    client.post(f"/api/attempts/{sitting.pk}/submit")
    body = client.get(f"/api/attempts/{sitting.pk}/review").content.decode()
    review = json.loads(body)
    assert review["score"] == 0 and review["passed"] is False and len(review["questions"]) == 10
    assert all(q["response"] and q["response"][0].startswith("Sai") for q in review["questions"])
    assert not re.search(r"Đúng \d", body)
    assert not [k for k in ('"fraction"', '"right_answer"', '"verdict"', '"feedback"', '"earned"') if k in body]

    Exam.objects.filter(pk=sitting.exam_id).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    review = client.get(f"/api/attempts/{sitting.pk}/review").json()
    assert review["phase"] == "after_close"
    assert all(q["verdict"] == "wrong" and re.fullmatch(r"Đúng \d+", q["right_answer"][0]) for q in review["questions"])


def test_another_candidate_cannot_read_the_review_or_result(client, sitting, tree):
    client.post(f"/api/attempts/{sitting.pk}/submit")
    client.force_login(OfficialFactory(unit=tree["trang_dai"]).user)
    assert client.get(f"/api/attempts/{sitting.pk}/review").status_code == 404
    assert client.get(f"/api/attempts/{sitting.pk}/result").status_code == 404
    assert client.get(f"/thi/ket-qua/{sitting.pk}/").status_code == 404


# --- Behind the proxy: the client's address --------------------------------------------------------------------

@pytest.mark.parametrize("trusted, started", [("", False), ("X-Real-IP", True)])
def test_exam_room_ip_ranges_read_the_proxy_header_only_when_told_to(client, exam, trang_dai_official, settings,
                                                                    trusted, started):
    exam.allowed_ip_ranges = "10.20.0.0/16"
    exam.save(update_fields=["allowed_ip_ranges"])
    settings.TRUSTED_CLIENT_IP_HEADER = trusted
    client.force_login(trang_dai_official.user)
    # The proxy connects from 127.0.0.1 and passes the browser's address; without the setting, anyone could
    # send this header to claim an address inside the exam room.
    response = client.post(f"/api/exams/{exam.pk}/attempts", json.dumps({}), content_type="application/json",
                           REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.20.3.4")
    assert (response.status_code == 201) is started
    if started:
        assert Attempt.objects.get(pk=response.json()["id"]).started_ip == "10.20.3.4"
    else:
        assert response.status_code == 403 and "127.0.0.1" in response.json()["detail"]
        assert response.json()["code"] == "ip_refused"
