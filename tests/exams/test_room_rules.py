"""The exam room's input and rules: every bad input is a 4xx with a Vietnamese JSON message (never a 500), and the
exam's rules hold on every request of a sitting, not only at its start."""
import json

import pytest
from django.test import Client

from exams import services
from exams.models import Attempt, AttemptEvent

from .conftest import claim, put

pytestmark = pytest.mark.django_db


def vietnamese_json(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["code"]
    return body


# --- Item 5: server errors on the exam room's input ----------------------------------------------------------------

@pytest.mark.parametrize("slot", ["999999", "32768", "2147483648", "9223372036854775808", "0", "-1"])
def test_a_slot_beyond_the_papers_or_the_columns_range_is_a_422(client, sitting, slot):
    body = vietnamese_json(client.put(f"/api/attempts/{sitting.pk}/answers/{slot}", json.dumps(
        {"response": {"choice": 1}, "seq": 1, "client": "tab-1"}), content_type="application/json"), 422)
    assert body["detail"] == "Yêu cầu không hợp lệ (slot). Không có gì bị thay đổi." and body["code"] == "invalid"
    assert not sitting.answers.exists()


@pytest.mark.parametrize("attempt_id, status, code", [
    ("2147483648", 404, "not_found"),  # a 64-bit id: looked up, and nobody's sitting has it
    ("9223372036854775808", 422, "invalid"),  # beyond any id the database can hold: refused before any look-up
])
def test_an_attempt_number_beyond_range_is_a_4xx(client, sitting, attempt_id, status, code):
    response = client.put(f"/api/attempts/{attempt_id}/answers/1", json.dumps(
        {"response": {"choice": 1}, "seq": 1}), content_type="application/json")
    assert vietnamese_json(response, status)["code"] == code
    assert not sitting.answers.exists()


@pytest.mark.parametrize("text", ["Trả lời\u0000ẩn", "\ud800", "a\udfffb"])
def test_an_answer_the_database_cannot_store_is_refused_with_a_message_not_a_500(client, sitting, text):
    body = json.dumps({"response": {"text": text}, "seq": 1, "client": "tab-1"})  # escapes as the browser sends
    response = client.put(f"/api/attempts/{sitting.pk}/answers/1", body, content_type="application/json")
    assert "ký tự không phải là chữ" in vietnamese_json(response, 422)["detail"]
    assert not sitting.answers.exists()


def test_an_answer_over_64_kb_is_refused_and_one_just_under_is_kept(client, sitting):
    big = vietnamese_json(put(client, sitting.pk, 1, {"text": "ạ" * 40_000}, 1), 422)  # 120 KB in UTF-8
    assert "quá dài" in big["detail"]
    assert put(client, sitting.pk, 1, {"text": "ạ" * 20_000}, 2).status_code == 200


def test_a_client_name_longer_than_the_column_is_a_422(client, sitting):
    vietnamese_json(put(client, sitting.pk, 1, {"choice": 1}, 1, tab="x" * 65), 422)
    vietnamese_json(claim(client, sitting.pk, "x" * 65), 422)
    sitting.refresh_from_db()
    assert sitting.active_client == "tab-1"


def test_an_invalid_address_from_the_trusted_proxy_header_is_a_400(client, sitting, settings):
    settings.TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    response = client.put(f"/api/attempts/{sitting.pk}/answers/1", json.dumps(
        {"response": {"choice": 1}, "seq": 1, "client": "tab-1"}), content_type="application/json",
        HTTP_X_REAL_IP="not-an-ip")
    assert "không hợp lệ" in vietnamese_json(response, 400)["detail"]
    assert client.get("/thi/", HTTP_X_REAL_IP="not-an-ip").status_code == 400
    assert put(client, sitting.pk, 1, {"choice": 1}, 1).status_code == 200  # no header: REMOTE_ADDR


def test_an_unexpected_error_in_the_api_is_json_not_the_html_error_page(client, sitting, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "attempt_submit", broken)
    client.raise_request_exception = False
    body = vietnamese_json(client.post(f"/api/attempts/{sitting.pk}/submit"), 500)
    assert body["code"] == "server_error" and "thử lại" in body["detail"]


def test_a_request_body_over_the_servers_limit_is_a_json_4xx(client, sitting, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = put(client, sitting.pk, 1, {"text": "a" * 2000}, 1)
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_signed_out_and_a_stale_csrf_token_are_told_apart(sitting, trang_dai_official):
    anonymous = Client(enforce_csrf_checks=True)
    assert vietnamese_json(anonymous.get(f"/api/attempts/{sitting.pk}"), 401)["code"] == "signed_out"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(trang_dai_official.user)
    assert vietnamese_json(put(browser, sitting.pk, 1, {"choice": 1}, 1), 403)["code"] == "csrf"


# --- Item 6: rules checked on every request of a sitting ----------------------------------------------------------

def test_the_exams_ip_ranges_hold_for_every_request_of_an_open_sitting(client, sitting, exam):
    inside, outside = {"REMOTE_ADDR": "10.20.3.4"}, {"REMOTE_ADDR": "203.0.113.9"}
    assert client.put(f"/api/attempts/{sitting.pk}/answers/1", json.dumps(
        {"response": {"choice": 1}, "seq": 1, "client": "tab-1"}), content_type="application/json",
        **outside).status_code == 200  # no ranges yet
    exam.allowed_ip_ranges = "10.20.0.0/16"
    exam.save()
    save = json.dumps({"response": {"choice": 2}, "seq": 2, "client": "tab-1"})
    refused = [
        client.put(f"/api/attempts/{sitting.pk}/answers/1", save, content_type="application/json", **outside),
        client.get(f"/api/attempts/{sitting.pk}", **outside),
        client.post(f"/api/attempts/{sitting.pk}/claim", json.dumps({"client": "home"}),
                    content_type="application/json", **outside),
        client.post(f"/api/attempts/{sitting.pk}/events", json.dumps({"kind": "focus_lost"}),
                    content_type="application/json", **outside),
        client.post(f"/api/attempts/{sitting.pk}/submit", **outside),
    ]
    for response in refused:
        body = vietnamese_json(response, 403)
        assert body["code"] == "ip_refused" and "203.0.113.9" in body["detail"]
    sitting.refresh_from_db()
    assert sitting.status == "in_progress" and sitting.active_client == "tab-1"
    assert sitting.answers.get(slot=1).seq == 1 and not sitting.events.filter(kind="focus_lost").exists()
    # Inside the room everything goes on.
    assert client.put(f"/api/attempts/{sitting.pk}/answers/1", save, content_type="application/json",
                      **inside).status_code == 200
    assert client.post(f"/api/attempts/{sitting.pk}/submit", **inside).json()["status"] == "submitted"


def test_new_ip_ranges_apply_to_saves_in_other_processes_within_the_cache_lifetime(client, sitting, exam,
                                                                                 monkeypatch):
    assert put(client, sitting.pk, 1, {"choice": 1}, 1).status_code == 200  # the process now knows the exam
    # An update that sends no signal here, as a save in another web process would not.
    type(exam).objects.filter(pk=exam.pk).update(allowed_ip_ranges="10.20.0.0/16")
    assert put(client, sitting.pk, 1, {"choice": 1}, 2).status_code == 200  # still cached here
    monkeypatch.setattr(services.room, "ROOM_RULES_TTL", 0.0)
    services.room_rules_forget()  # as the TTL running out would
    assert put(client, sitting.pk, 1, {"choice": 1}, 3).json()["code"] == "ip_refused"


def test_ranges_widened_in_another_process_admit_the_save_at_once(client, sitting, exam):
    exam.allowed_ip_ranges = "10.20.0.0/16"
    exam.save()
    outside = {"REMOTE_ADDR": "203.0.113.9"}

    def save(seq):
        return client.put(f"/api/attempts/{sitting.pk}/answers/1", json.dumps(
            {"response": {"choice": 1}, "seq": seq, "client": "tab-1"}), content_type="application/json", **outside)

    assert save(1).json()["code"] == "ip_refused"
    type(exam).objects.filter(pk=exam.pk).update(allowed_ip_ranges="10.20.0.0/16\n203.0.113.0/24")  # no signal here
    assert save(2).status_code == 200  # the refusal is checked afresh before it is said, and the copy renewed
    assert sitting.answers.get(slot=1).seq == 2


def test_someone_elses_sitting_behind_ip_ranges_is_still_a_404(client, sitting, exam, tree):
    from ..factories import OfficialFactory

    exam.allowed_ip_ranges = "10.20.0.0/16"
    exam.save()
    client.force_login(OfficialFactory(unit=tree["trang_dai"]).user)
    assert put(client, sitting.pk, 1, {"choice": 1}, 1).status_code == 404


def test_opening_a_sitting_in_a_new_session_needs_the_access_code_again(exam, trang_dai_official):
    exam.access_code = "PHONG-3"
    exam.save()
    room_pc = Client()
    room_pc.force_login(trang_dai_official.user)
    started = room_pc.post(f"/api/exams/{exam.pk}/attempts", json.dumps({"access_code": "PHONG-3"}),
                           content_type="application/json")
    attempt_id = started.json()["id"]
    assert claim(room_pc, attempt_id, "pc").status_code == 200  # the same session: no second prompt
    home = Client()
    home.force_login(trang_dai_official.user)
    needed = vietnamese_json(claim(home, attempt_id, "home"), 403)
    assert needed["code"] == "access_code" and "mã truy cập" in needed["detail"]
    assert Attempt.objects.get(pk=attempt_id).active_client == "pc"
    # Resuming from "My exams" in that session needs it too, with the same answer: nothing was sent, so nothing
    # was wrong, and no guess is counted.
    resumed = vietnamese_json(home.post(f"/api/exams/{exam.pk}/attempts", "{}", content_type="application/json"), 403)
    assert resumed == needed
    ok = home.post(f"/api/attempts/{attempt_id}/claim", json.dumps({"client": "home", "access_code": "PHONG-3"}),
                   content_type="application/json")
    assert ok.status_code == 200 and Attempt.objects.get(pk=attempt_id).active_client == "home"


def test_access_code_guesses_are_throttled_per_candidate_and_exam(client, exam, trang_dai_official):
    exam.access_code = "7Q2K"
    exam.save()
    client.force_login(trang_dai_official.user)

    def start(code):
        return client.post(f"/api/exams/{exam.pk}/attempts", json.dumps({"access_code": code}),
                           content_type="application/json")

    nothing = vietnamese_json(start(""), 403)  # no code typed: asked for, not counted as a guess
    assert nothing == {"detail": "Bài thi này cần mã truy cập. Hãy hỏi giám thị.", "code": "access_code"}
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        assert vietnamese_json(start(guess), 409) == {
            "detail": "Mã vào phòng thi không đúng. Vui lòng hỏi giám thị.", "code": "refused"}
    response = start("7Q2K")  # even the right code, once the guesses are used up
    throttled = vietnamese_json(response, 429)
    assert throttled["code"] == "throttled" and "quá nhiều lần" in throttled["detail"]
    assert int(response["Retry-After"]) == services.ACCESS_CODE_WINDOW
    assert not Attempt.objects.exists()


def test_room_events_are_capped_in_size_and_rate(client, sitting, monkeypatch):
    from types import SimpleNamespace

    from common import http

    monkeypatch.setattr(http, "time", SimpleNamespace(time=lambda: 1_000_020.0))  # all within one minute's window
    url = f"/api/attempts/{sitting.pk}/events"
    vietnamese_json(client.post(url, json.dumps({"kind": "x" * 25}), content_type="application/json"), 422)
    statuses = [client.post(url, json.dumps({"kind": "focus_lost", "client": "tab-1"}),
                            content_type="application/json").status_code for _ in range(services.EVENTS_PER_MINUTE + 5)]
    assert statuses.count(204) == services.EVENTS_PER_MINUTE and statuses[-1] == 429
    assert AttemptEvent.objects.filter(attempt=sitting, kind="focus_lost").count() == services.EVENTS_PER_MINUTE


# --- Item 10: the right words for a save after submitting ----------------------------------------------------------

def test_a_save_after_submitting_says_the_exam_was_submitted_not_that_time_is_up(client, sitting):
    client.post(f"/api/attempts/{sitting.pk}/submit")
    body = vietnamese_json(put(client, sitting.pk, 1, {"choice": 1}, 5), 410)
    assert body["detail"] == "Bài thi đã được nộp. Câu trả lời này không được ghi nhận."
    assert body["code"] == "closed"
