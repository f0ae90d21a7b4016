"""The exam room in Chromium: sit a whole exam, lose the network mid-way and keep answering, reload, submit;
every answer arrives intact."""
from django.utils import timezone

from exams.models import Answer, Attempt

from ..papers import saved_positions
from .conftest import PROXY_BUSY_JSON, answer, sign_in, start_sitting, submit


def test_sit_cut_the_network_reload_and_submit(page, live_server, demo, exam):
    start_sitting(page, live_server, demo)
    for slot in (1, 2, 3):
        answer(page, slot, 0)
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")

    page.context.set_offline(True)
    answer(page, 4, 0)
    answer(page, 5, 1)
    page.wait_for_function("document.getElementById('save-state').textContent.includes('Chưa lưu')")
    attempt = Attempt.objects.get()
    assert Answer.objects.filter(attempt=attempt).count() == 3  # the last two are only in the browser

    page.context.set_offline(False)
    page.reload()  # the page comes back and resends what it kept
    page.wait_for_selector("#q6")
    answer(page, 6, 0)
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    assert page.locator("#q5 input[type=radio]").nth(1).is_checked()

    submit(page)
    page.wait_for_selector("#score")
    assert saved_positions(attempt) == {1: {"choice": 0}, 2: {"choice": 0}, 3: {"choice": 0}, 4: {"choice": 0},
                                        5: {"choice": 1}, 6: {"choice": 0}}
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.score == 5 and page.locator("#score").inner_text() == "Kết quả: 5/6 (83,3%)"
    assert attempt.submitted_at <= timezone.now()


def test_an_overloaded_server_is_not_hammered_and_the_answers_arrive_once_it_recovers(page, live_server, demo, exam):
    start_sitting(page, live_server, demo)
    tries = []

    def overloaded(route):  # what nginx answers an API call when gunicorn's queue is full (deploy/nginx)
        tries.append(route.request.url)
        route.fulfill(status=502, content_type="application/json", body=PROXY_BUSY_JSON)

    page.route("**/answers/*", overloaded)
    answer(page, 1, 0)
    page.wait_for_function("document.getElementById('save-state').textContent.includes('Chưa lưu')")
    page.wait_for_timeout(3000)
    # Retried after about 1 s and 2 s (with jitter), not in a loop: at most four tries in these three seconds.
    assert 1 <= len(tries) <= 4, len(tries)
    page.unroute("**/answers/*")
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')", timeout=20_000)
    assert saved_positions(Attempt.objects.get())[1] == {"choice": 0}


def test_the_room_says_when_the_paper_cannot_be_loaded_and_loads_it_when_the_server_is_back(page, live_server, demo,
                                                                                           exam):
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    refused = []

    def overloaded(route):
        if len(refused) < 2:
            refused.append(route.request.url)
            return route.fulfill(status=502, content_type="application/json", body=PROXY_BUSY_JSON)
        return route.continue_()

    page.route("**/api/attempts/*/claim", overloaded)
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#save-state")
    page.wait_for_function("document.getElementById('save-state').textContent.includes('Chưa tải được đề thi')")
    page.wait_for_selector("#q6", timeout=20_000)  # the third try goes through
    assert len(refused) == 2


def test_an_answer_still_unsent_when_time_is_up_is_sent_within_the_grace_before_the_room_submits(page, live_server,
                                                                                                demo, exam):
    import datetime as dt
    import time

    start_sitting(page, live_server, demo)
    attempt = Attempt.objects.get()
    deadline = timezone.now() + dt.timedelta(seconds=5)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    page.reload()  # the countdown now ends in five seconds
    page.wait_for_selector("#q6")

    def network_down_until_the_deadline(route):
        if time.time() < deadline.timestamp():
            return route.abort("internetdisconnected")
        return route.continue_()

    page.route("**/answers/*", network_down_until_the_deadline)
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    answer(page, 2, 1)
    page.wait_for_function("document.getElementById('save-state').textContent.includes('Chưa lưu')")
    # Time is up: said in a dialog of the page (an alert() would hold the page, its saves and its submit)
    notice = page.get_by_role("dialog", name="Đã hết giờ làm bài.")
    notice.wait_for()
    assert "đang được nộp" in notice.inner_text()
    page.wait_for_selector("#result:not([hidden])", timeout=20_000)  # the room submitted by itself
    assert native == []
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert saved_positions(attempt)[2] == {"choice": 1}


def test_typing_is_saved_every_two_seconds_not_on_every_keystroke(page, live_server, demo, short_answer_exam):
    start_sitting(page, live_server, demo, "#q1 .answer-input")
    saves = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "PUT" else None)
    page.locator("#q1 .answer-input").click()
    page.keyboard.type("Bộ phận một cửa của phường", delay=40)  # 26 keystrokes in about a second
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    assert 1 <= len(saves) <= 2, len(saves)
    saved = Answer.objects.get(attempt__exam=short_answer_exam, slot=1)
    assert saved.response == {"text": "Bộ phận một cửa của phường"}


def test_typing_still_waiting_is_sent_at_once_when_the_candidate_leaves_the_page(page, live_server, demo,
                                                                                short_answer_exam):
    start_sitting(page, live_server, demo, "#q1 .answer-input")
    page.locator("#q1 .answer-input").click()
    page.keyboard.type("Một cửa")
    # The phone switches to another app: the page is hidden before the 2 s of typing have passed.
    with page.expect_request(lambda r: r.method == "PUT", timeout=1000):
        page.evaluate("""() => {
            Object.defineProperty(document, "visibilityState", {value: "hidden", configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""")
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    assert Answer.objects.get(attempt__exam=short_answer_exam, slot=1).response == {"text": "Một cửa"}


def test_opening_the_sitting_in_a_new_session_asks_for_the_access_code_in_the_room(page, browser, live_server, demo,
                                                                                   exam):
    exam.access_code = "PHONG-3"
    exam.save()
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    page.fill("input[name=access_code]", "PHONG-3")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#q6")
    answer(page, 1, 0)
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    room = page.url
    # Another browser (a new session) opens the same sitting: the room asks for the code before the paper.
    other = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    home = other.new_page()
    sign_in(home, live_server.url, "official", demo)
    home.goto(room)
    home.wait_for_selector("#access-code-form:not([hidden])")
    assert "mã truy cập" in home.locator("#access-code-why").inner_text()
    assert home.locator("#q1").count() == 0
    home.fill("#access-code", "SAI-MA")
    home.get_by_role("button", name="Làm tiếp bài thi").click()
    home.wait_for_selector("#access-code-error:not([hidden])")
    assert "không đúng" in home.locator("#access-code-error").inner_text()
    home.fill("#access-code", "PHONG-3")
    home.get_by_role("button", name="Làm tiếp bài thi").click()
    home.wait_for_selector("#q6")
    assert home.locator("#access-code-form").is_hidden()
    assert home.locator("#q1 input[type=radio]").nth(0).is_checked()  # the answer saved in the first session
    assert Attempt.objects.get().active_client  # the new tab holds the sitting now
    other.close()


NATIVE_DIALOGS_RECORDED = """
    window.nativeDialogs = [];
    window.alert = (m) => { window.nativeDialogs.push("alert: " + m); };
    window.confirm = (m) => { window.nativeDialogs.push("confirm: " + m); return true; };
"""


def test_on_a_phone_the_room_is_the_exam_alone_with_one_compact_line_a_skip_link_and_its_own_dialogs(
        page, live_server, demo, exam):
    page.set_viewport_size({"width": 390, "height": 844})
    page.add_init_script(NATIVE_DIALOGS_RECORDED)  # any confirm()/alert() the room calls is recorded, not shown
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    start_sitting(page, live_server, demo)
    attempt = Attempt.objects.get()

    # Nothing of the site around the exam: no header, menu, search, sign-out or footer; a way back to "my exams".
    assert page.locator(".site-header, .site-footer, #main-nav, #site-q, [role=search]").count() == 0
    assert page.get_by_role("button", name="Đăng xuất").count() == 0
    assert page.locator("form[action='/accounts/logout/']").count() == 0
    assert page.get_by_role("link", name="Bài thi của tôi").get_attribute("href") == "/thi/"
    assert page.locator("h1").inner_text() == "Sát hạch công chức một cửa"

    # The first Tab is "skip to the question", and it lands in the first question.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "skip-to-question"
    assert page.locator("#skip-to-question").inner_text() == "Bỏ qua, đến câu hỏi"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('li') && document.activeElement.closest('li').id") == "q1"

    # The time and the save state: one line, sticky, at most an eighth of the screen; the question list folded.
    answer(page, 1, 0)
    answer(page, 2, 1)
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    bar = page.locator("#room-bar").bounding_box()
    assert bar["height"] <= 0.12 * 844, bar
    clock, status = page.locator("#countdown").bounding_box(), page.locator("#save-state").bounding_box()
    assert abs((clock["y"] + clock["height"] / 2) - (status["y"] + status["height"] / 2)) < 12  # side by side
    assert page.locator("#navigator").is_hidden()
    toggle = page.locator("#nav-toggle")
    assert toggle.get_attribute("aria-expanded") == "false" and "Đã làm 2/6" in toggle.inner_text()
    toggle.click()
    assert page.locator("#navigator").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.click("#q3 .flag-toggle")
    page.mouse.wheel(0, 2000)
    assert page.locator("#room-bar").bounding_box()["y"] == 0  # still at the top while scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing spills sideways
    toggle.click()

    # Submitting asks in the page: counts and numbers, "keep working" focused; Escape cancels.
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    confirm = page.get_by_role("dialog", name="Nộp bài thi?")
    assert confirm.is_visible()
    assert confirm.locator("#confirm-unanswered").inner_text() == "Chưa trả lời: 4/6 câu (3, 4, 5, 6)"
    assert confirm.locator("#confirm-flagged").inner_text() == "Đánh dấu xem lại: 1 câu (3)"
    assert page.evaluate("document.activeElement.textContent.trim()") == "Làm bài tiếp"
    for _ in range(8):  # the focus stays in the dialog: the page behind it cannot be reached
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') && document.activeElement.closest('dialog').id") \
            == "confirm-submit"
    page.keyboard.press("Escape")
    assert confirm.is_hidden()
    assert page.evaluate("document.activeElement.id") == "submit"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS

    # A number in the dialog goes to its question; then submitting for real.
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    confirm.locator("#confirm-unanswered").get_by_role("link", name="Câu hỏi 4").click()
    assert confirm.is_hidden()
    assert page.evaluate("document.activeElement.closest('li').id") == "q4"
    # (in view, below the sticky line)
    assert page.locator("#q4").bounding_box()["y"] >= page.locator("#room-bar").bounding_box()["height"]
    page.get_by_role("button", name="Nộp bài", exact=True).click()
    confirm.get_by_role("button", name="Nộp bài ngay").click()
    page.wait_for_selector("#score")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert page.locator("#room-bar").is_hidden()
    assert native == [] and page.evaluate("window.nativeDialogs") == []
