"""The one-question-per-page exam room in Chromium, on a phone-sized screen: Previous/Next, the navigator, flags,
the keyboard; a reload keeps the answers, the place and the flags; after submitting, the review page shows what
the exam's review policy allows and nothing more."""
import pytest

from exams.models import Answer, Attempt, Exam

from ..factories import ExamFactory, TopicFactory
from ..papers import saved_positions
from .conftest import sign_in

BANK = "\n\n".join(
    f"::Câu {i}::Câu hỏi số {i} về quy trình tiếp nhận hồ sơ?{{=Đúng {i}#PHAN-HOI-DUNG-{i} ~Sai A{i}#PHAN-HOI-SAI-{i} "
    f"~Sai B{i}####GOP-Y-CHUNG-{i}}}"
    for i in range(1, 16)
)


@pytest.fixture
def exam(demo):
    return ExamFactory(title="Sát hạch từng câu", time_limit_minutes=20, published=True, shuffle_options=False,
                       layout=Exam.Layout.ONE, show_score_after_submit=True, show_outcome_after_submit=True,
                       show_answers_after_submit=True, show_feedback_after_submit=False,
                       bank=TopicFactory(name="Một cửa", gift=BANK), bank__draw_count=5)


def visible_questions(page):
    return page.eval_on_selector_all("#questions > li", "els => els.filter(e => !e.hidden).map(e => e.id)")


def test_one_question_per_page_navigate_flag_reload_submit_and_review(page, live_server, demo, exam):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#q1")
    assert visible_questions(page) == ["q1"]
    assert page.locator("#prev").is_disabled() and page.locator("#position").inner_text().endswith("1/5")

    page.locator("#q1 input[type=radio]").nth(0).check()
    page.click("#next")
    assert visible_questions(page) == ["q2"]
    page.click("#q2 .flag-toggle")
    assert page.locator("#q2 .flag-toggle").get_attribute("aria-pressed") == "true"
    page.locator("#q2 input[type=radio]").nth(1).check()

    # On a phone the navigator is folded into the compact line: opened, it jumps, and folds away again.
    assert page.locator("#navigator").is_hidden()
    page.click("#nav-toggle")
    assert page.locator("#nav-toggle").get_attribute("aria-expanded") == "true"
    page.click("#navigator a[data-slot='4']")  # the navigator jumps
    assert visible_questions(page) == ["q4"]
    assert page.locator("#navigator").is_hidden() and page.locator("#nav-toggle").get_attribute("aria-expanded") == "false"
    assert page.locator("#navigator a[data-slot='4']").get_attribute("aria-current") == "step"
    page.locator("#q4 input[type=radio]").nth(0).check()
    page.focus("#prev")
    page.keyboard.press("Enter")  # the keyboard works the pager, and the new question's heading takes the focus
    assert visible_questions(page) == ["q3"]
    assert page.evaluate("document.activeElement.closest('li').id") == "q3"
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    # On a phone nothing spills sideways: the navigator scrolls within its own row.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.reload()
    page.wait_for_selector("#q1", state="attached")
    assert visible_questions(page) == ["q3"]  # back where the candidate was
    assert page.locator("#q1 input[type=radio]").nth(0).is_checked()
    assert page.locator("#q2 input[type=radio]").nth(1).is_checked()
    assert page.locator("#q4 input[type=radio]").nth(0).is_checked()
    dots = page.eval_on_selector_all("#navigator a", "els => els.map(a => a.className)")
    assert "answered" in dots[0] and "flagged" in dots[1] and "answered" in dots[3] and "answered" not in dots[2]

    page.click("#next")
    page.click("#next")
    assert visible_questions(page) == ["q5"] and page.locator("#next").is_disabled()
    page.focus("#q5 input[type=radio] >> nth=0")
    page.keyboard.press("Space")
    assert page.locator("#q5 input[type=radio]").nth(0).is_checked()
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")

    page.get_by_role("button", name="Nộp bài", exact=True).click()
    confirm = page.get_by_role("dialog", name="Nộp bài thi?")
    assert confirm.locator("#confirm-unanswered").inner_text() == "Chưa trả lời: 1/5 câu (3)"
    assert confirm.locator("#confirm-flagged").inner_text() == "Đánh dấu xem lại: 1 câu (2)"
    confirm.get_by_role("button", name="Nộp bài ngay").click()
    page.wait_for_selector("#score")
    attempt = Attempt.objects.get()
    assert saved_positions(attempt) == {1: {"choice": 0}, 2: {"choice": 1}, 4: {"choice": 0}, 5: {"choice": 0}}
    assert page.locator("#score").inner_text() == "Kết quả: 3/5 (60%)"

    page.click("#review-link")
    page.wait_for_url(f"{live_server.url}/thi/ket-qua/{attempt.pk}/")
    second = attempt.slots.get(slot=2).version
    right_text = second.data["choices"][0]["text"]
    review = page.locator("#r2")
    assert "Sai A" in review.locator(".your-answer").inner_text()
    assert review.locator(".right-answer").inner_text() == right_text  # answers are allowed after submitting
    assert page.locator("#r3 .your-answer").count() == 1 and page.locator("#r3 .right-answer").count() == 1
    html = page.content()
    assert "PHAN-HOI" not in html and "GOP-Y-CHUNG" not in html  # feedback is not allowed
    assert "6/10" in page.locator("#score").inner_text()  # the 10-point mark beside the score


def test_one_question_per_page_resends_after_a_network_drop_and_is_taken_over_by_a_new_tab(page, live_server, demo,
                                                                                           exam):
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#q1")
    attempt = Attempt.objects.get()

    page.context.set_offline(True)
    page.locator("#q1 input[type=radio]").nth(2).check()
    page.click("#next")
    page.locator("#q2 input[type=radio]").nth(0).check()
    page.wait_for_function("document.getElementById('save-state').textContent.includes('Chưa lưu')")
    assert not Answer.objects.filter(attempt=attempt).exists()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    assert saved_positions(attempt) == {1: {"choice": 2}, 2: {"choice": 0}}

    other = page.context.new_page()  # a new tab holds the sitting from now on
    other.goto(f"{live_server.url}/thi/lam-bai/{attempt.pk}/")
    other.wait_for_selector("#q2:not([hidden])")
    assert other.locator("#q1 input[type=radio]").nth(2).is_checked()

    page.click("#next")
    page.locator("#q3 input[type=radio]").nth(1).check()
    page.wait_for_function("document.getElementById('save-state').textContent.includes('thiết bị hoặc thẻ khác')")
    notice = page.get_by_role("dialog", name="Câu trả lời này chưa được lưu")  # said in the page, not alert()
    assert "thiết bị hoặc thẻ khác" in notice.inner_text()
    notice.get_by_role("button", name="Đã hiểu").click()
    assert notice.is_hidden()

    other.click("#next")
    other.locator("#q3 input[type=radio]").nth(0).check()
    other.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")
    assert saved_positions(attempt)[3] == {"choice": 0}
