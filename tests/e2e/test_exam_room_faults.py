"""The exam room in Chromium when something goes wrong: a lost session, a stale security token, a busy proxy, a
refused answer, a cache flushed mid-exam, a shared computer after signing out. The room says "submitted" only when
the server has the sitting finished, and forgets the answers kept in the browser only then, or at sign-out."""
import json
import os
from importlib import import_module

import pytest
from django.conf import settings

from exams.models import Answer, Attempt

from ..papers import positions, saved_positions
from .conftest import PROXY_BUSY_JSON, answer, sign_in, start_sitting, submit

SUBMITTED = "Bài thi của bạn đã được nộp"
STATUS = "document.getElementById('save-state').textContent"


def end_session(page) -> None:
    """The server forgets this browser's session, as when it expires or the session store loses it."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).delete()


def kept(page) -> dict:
    """What this browser keeps for exam rooms: {storage key: value} over localStorage and sessionStorage."""
    return page.evaluate("""() => {
        const out = {};
        for (const s of [localStorage, sessionStorage])
            for (const k of Object.keys(s)) if (k.startsWith("exam-room:")) out[k] = s.getItem(k);
        return out;
    }""")


def kept_answers(page) -> dict:
    state = json.loads(page.evaluate("() => localStorage.getItem('exam-room:' + "
                                     "document.getElementById('room').dataset.api)") or "{}")
    attempt = Attempt.objects.order_by("-pk").first()  # answers are kept in the paper's identifiers: read as positions
    return {int(slot): positions(attempt, int(slot), response) for slot, response in state.get("answers", {}).items()}


def answer_all_and_wait(page, choices: dict) -> None:
    for slot, option in choices.items():
        answer(page, slot, option)
    page.wait_for_function(f"{STATUS}.startsWith('Đã lưu')")


def sign_in_again(page, password: str, login: str = "official") -> None:
    dialog = page.get_by_role("dialog", name="Đăng nhập lại")
    dialog.get_by_label("Mã cán bộ, tên đăng nhập hoặc email").fill(login)
    dialog.get_by_label("Mật khẩu").fill(password)
    dialog.get_by_role("button", name="Đăng nhập và làm tiếp").click()


ALL = {1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0}
GIVEN = {1: {"choice": 0}, 2: {"choice": 0}, 3: {"choice": 0}, 4: {"choice": 0}, 5: {"choice": 1}, 6: {"choice": 0}}


def assert_not_submitted(page, attempt) -> None:
    """Nothing says "submitted", the sitting is open, and the browser still holds every answer."""
    assert SUBMITTED not in page.locator("body").inner_text()
    assert page.locator("#result").is_hidden()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert kept_answers(page) == GIVEN


def assert_submitted_with_every_answer(page, attempt) -> None:
    page.wait_for_selector("#score", timeout=20_000)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.score == 5
    assert saved_positions(attempt) == GIVEN
    assert page.locator("#score").inner_text() == "Kết quả: 5/6 (83,3%)"
    assert kept(page) == {}  # confirmed: the browser forgets the answers


def test_a_save_with_the_session_gone_asks_to_sign_in_in_the_page_and_is_sent_afterwards(page, live_server, demo,
                                                                                        exam):
    start_sitting(page, live_server, demo)
    answer_all_and_wait(page, {1: 0})
    room_url = page.url
    end_session(page)

    answer(page, 2, 1)
    page.wait_for_function(f"{STATUS}.startsWith('Phiên đăng nhập đã hết')")  # not "waiting for the connection"
    dialog = page.get_by_role("dialog", name="Đăng nhập lại")
    assert dialog.is_visible()
    assert kept_answers(page)[2] == {"choice": 1}

    sign_in_again(page, "not-the-password")  # a wrong password: the dialog says so and stays
    page.wait_for_selector("#sign-in-error:not([hidden])")
    assert dialog.is_visible() and page.locator("#sign-in-error").inner_text().strip()

    sign_in_again(page, demo)
    page.wait_for_function(f"{STATUS}.startsWith('Đã lưu')")
    assert dialog.is_hidden() and page.url == room_url  # never left the room
    attempt = Attempt.objects.get()
    assert saved_positions(attempt) == {1: {"choice": 0}, 2: {"choice": 1}}


def test_signing_in_again_in_the_room_asks_for_the_second_factor_when_the_account_has_one(page, live_server, demo,
                                                                                        exam, settings):
    from allauth.mfa.totp.internal.auth import (TOTP, format_hotp_value, generate_totp_secret, hotp_value,
                                                 yield_hotp_counters_from_time)
    from django.contrib.auth import get_user_model

    settings.MFA_TOTP_TOLERANCE = 1  # the code of this 30 s period stays valid through the next one
    start_sitting(page, live_server, demo)
    secret = generate_totp_secret()
    TOTP.activate(get_user_model().objects.get(username="official"), secret)
    end_session(page)

    answer(page, 1, 2)
    sign_in_again(page, demo)
    code = page.get_by_label("Mã từ ứng dụng xác thực")
    code.wait_for()
    code.fill(format_hotp_value(hotp_value(secret, list(yield_hotp_counters_from_time())[1])))  # this period's
    page.get_by_role("button", name="Đăng nhập và làm tiếp").click()
    page.wait_for_function(f"{STATUS}.startsWith('Đã lưu')")
    assert saved_positions(Attempt.objects.get())[1] == {"choice": 2}


def test_a_submit_with_the_session_gone_keeps_everything_and_goes_through_after_signing_in_in_the_page(
        page, live_server, demo, exam):
    start_sitting(page, live_server, demo)
    answer_all_and_wait(page, ALL)
    attempt = Attempt.objects.get()
    end_session(page)

    submit(page)
    page.get_by_role("dialog", name="Đăng nhập lại").wait_for()
    assert_not_submitted(page, attempt)

    sign_in_again(page, demo)
    assert_submitted_with_every_answer(page, attempt)


def test_a_submit_with_a_stale_security_token_refreshes_it_and_goes_through(page, live_server, demo, exam):
    start_sitting(page, live_server, demo)
    answer_all_and_wait(page, ALL)
    attempt = Attempt.objects.get()
    # The session was lost and the candidate signed in again in another tab: a new session and a new CSRF token,
    # while this room still holds the token it was rendered with.
    end_session(page)
    other = page.context.new_page()
    sign_in(other, live_server.url, "official", demo)
    other.close()

    replies = []
    page.on("response", lambda r: replies.append(r.status) if r.url.endswith("/submit") else None)
    submit(page)
    assert_submitted_with_every_answer(page, attempt)
    assert replies == [403, 200]  # refused for the token once, then sent again with the current one


def test_a_submit_the_proxy_answers_502_is_retried_and_says_so_meanwhile(page, live_server, demo, exam):
    start_sitting(page, live_server, demo)
    answer_all_and_wait(page, ALL)
    attempt = Attempt.objects.get()
    refused = []

    def busy_twice(route):  # nginx's JSON answer when gunicorn cannot take the request (deploy/nginx/errors)
        if len(refused) < 2:
            refused.append(route.request.url)
            return route.fulfill(status=502, content_type="application/json", body=PROXY_BUSY_JSON)
        return route.continue_()

    page.route("**/api/attempts/*/submit", busy_twice)
    submit(page)
    page.wait_for_function(f"{STATUS}.startsWith('Bài thi chưa được nộp')")
    assert_not_submitted(page, attempt)

    assert_submitted_with_every_answer(page, attempt)  # the third try goes through
    assert len(refused) == 2


def test_an_answer_the_server_refuses_is_kept_and_explained_by_its_question(page, live_server, demo,
                                                                           short_answer_exam):
    start_sitting(page, live_server, demo, "#q1 .answer-input")
    refusal = {"detail": "Câu trả lời này quá dài: mỗi câu chỉ lưu được tối đa 64 KB.", "code": "invalid"}
    page.route("**/answers/1", lambda route: route.fulfill(status=422, content_type="application/json",
                                                           body=json.dumps(refusal)))
    page.locator("#q1 .answer-input").fill("Một cửa")
    page.locator("#q1 .answer-input").blur()
    note = page.locator("#q1 .answer-error")
    note.wait_for()
    assert note.inner_text() == refusal["detail"]
    page.wait_for_function(f"{STATUS}.startsWith('Chưa lưu được')")
    assert kept_answers(page) == {1: {"text": "Một cửa"}}  # not dropped: still in the browser and on screen
    assert page.locator("#q1 .answer-input").input_value() == "Một cửa"

    page.unroute("**/answers/1")
    page.locator("#q1 .answer-input").fill("Bộ phận một cửa")  # changed: sent again, and saved this time
    page.locator("#q1 .answer-input").blur()
    page.wait_for_function(f"{STATUS}.startsWith('Đã lưu')")
    assert note.count() == 0
    assert Answer.objects.get(attempt__exam=short_answer_exam, slot=1).response == {"text": "Bộ phận một cửa"}


def test_characters_the_server_cannot_store_are_taken_out_of_a_typed_answer(page, live_server, demo,
                                                                           short_answer_exam):
    start_sitting(page, live_server, demo, "#q1 .answer-input")
    # Pasted from an old document: a NUL character and half of a surrogate pair.
    page.evaluate("""() => {
        const input = document.querySelector("#q1 .answer-input");
        input.value = "Một\\u0000 cửa \\ud800";
        input.dispatchEvent(new Event("change", {bubbles: true}));
    }""")
    page.wait_for_function(f"{STATUS}.startsWith('Đã lưu')")
    assert Answer.objects.get(attempt__exam=short_answer_exam, slot=1).response == {"text": "Một cửa \ufffd"}
    # Longer than the server takes is not typed in the first place.
    assert int(page.locator("#q1 .answer-input").get_attribute("maxlength")) * 3 < 64 * 1024


@pytest.mark.parametrize("header", [True, False], ids=["clear-site-data", "plain-http-without-the-header"])
def test_signing_out_leaves_no_answers_in_the_browser(page, live_server, demo, exam, header):
    start_sitting(page, live_server, demo)
    answer_all_and_wait(page, {1: 0, 2: 1})
    assert kept_answers(page) == {1: {"choice": 0}, 2: {"choice": 1}}
    if not header:  # a site served over plain HTTP: browsers ignore Clear-Site-Data there
        def without_header(route):
            response = route.fetch(max_redirects=0)
            headers = {k: v for k, v in response.headers.items() if k.lower() != "clear-site-data"}
            route.fulfill(response=response, headers=headers)

        page.route("**/accounts/logout/", without_header)

    # The room has no sign-out of its own (nothing there but the exam): the candidate leaves it by its way out and
    # signs out from the site's header.
    key = "exam-room:" + page.evaluate("document.getElementById('room').dataset.api")
    page.get_by_role("link", name="Bài thi của tôi").click()
    page.wait_for_url(f"{live_server.url}/thi/")
    assert len(json.loads(kept(page)[key])["answers"]) == 2  # leaving the room does not forget them
    with page.expect_response("**/accounts/logout/") as signed_out:
        page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server.url}/")
    assert (signed_out.value.all_headers().get("clear-site-data") == '"storage"') is header
    assert kept(page) == {}


CACHED_DB = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def durable_sessions_server(request, settings, demo):
    """A live server keeping sessions as production does: in the database, cached in Redis (cached_db, when REDIS_URL
    is set). Without Redis, the same backend over the local-memory cache, so that clearing the cache still means
    something: a server of its own, since the session middleware reads the setting once, when the server starts."""
    if os.environ.get("REDIS_URL"):
        assert settings.SESSION_ENGINE == CACHED_DB
        yield request.getfixturevalue("live_server")
        return
    from pytest_django.live_server_helper import LiveServer

    settings.SESSION_ENGINE = CACHED_DB
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    yield server
    server._live_server_modified_settings.disable()
    server.stop()


def test_after_the_cache_is_flushed_mid_exam_the_candidate_keeps_working_and_nothing_is_lost(
        page, durable_sessions_server, demo, exam):
    from django.core.cache import cache

    start_sitting(page, durable_sessions_server, demo)
    answer_all_and_wait(page, {1: 0, 2: 0, 3: 0})
    cache.clear()  # Redis restarted empty (FLUSHDB on the cache's database)

    answer_all_and_wait(page, {4: 0, 5: 1, 6: 0})
    assert page.get_by_role("dialog", name="Đăng nhập lại").is_hidden()  # still signed in
    submit(page)
    assert_submitted_with_every_answer(page, Attempt.objects.get())
