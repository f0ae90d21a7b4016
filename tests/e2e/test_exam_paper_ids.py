"""The exam room in Chromium with papers that name their options and items by their own random identifiers: every
type is answered by what it shows, survives a reload and earns its marks; a paper started before identifiers existed
is still answered in its numbers."""
import pytest

from exams import formats
from exams.models import Answer, Attempt, AttemptQuestion
from exams.services import question_save

from ..factories import ExamFactory, TopicFactory
from .conftest import sign_in, submit

BANK = """
::Một lựa chọn::Bộ phận Một cửa cấp xã đặt tại đâu?{=Trụ sở UBND cấp xã ~Nhà văn hóa ấp ~Bưu điện ~Chợ xã}

::Nhiều lựa chọn::Những giấy tờ nào cần khi nộp hồ sơ?{~%50%Đơn đề nghị ~%50%Bản sao CCCD ~%-50%Giấy khen ~%-50%Ảnh thẻ}

::Đúng sai::Thời hạn giải quyết được tính theo ngày làm việc.{TRUE}

::Ghép::Ghép cơ quan với việc.{=Sở Nội vụ -> Tổ chức bộ máy =Sở Tư pháp -> Hộ tịch =Sở Y tế -> Bảo hiểm y tế}
"""
RIGHT_ORDER = ["Tiếp nhận", "Thẩm định", "Giải quyết", "Trả kết quả"]


@pytest.fixture
def exam(demo):
    root = TopicFactory(name="Mọi loại câu hỏi")
    parsed = formats.parse_gift(BANK) + [
        formats.Question(kind="ordering", name="Thứ tự", text="Sắp xếp các bước giải quyết hồ sơ.", order=RIGHT_ORDER)]
    questions = [question_save(q=q, topic=root)[0] for q in parsed]
    return ExamFactory(title="Sát hạch mọi loại câu hỏi", time_limit_minutes=20, published=True,
                       bank=root, bank__draw_count=len(questions), bank__fixed_questions=questions)


def start(page, live_server, demo) -> tuple[Attempt, dict[str, int]]:
    sign_in(page, live_server.url, "official", demo)
    page.goto(f"{live_server.url}/thi/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#q5")
    attempt = Attempt.objects.get()
    return attempt, {s.version.question.kind: s.slot for s in attempt.slots.select_related("version__question")}


def saved(page):
    page.wait_for_function("document.getElementById('save-state').textContent.startsWith('Đã lưu')")


def test_every_type_is_answered_by_what_it_shows_kept_over_a_reload_and_earns_its_marks(page, live_server, demo,
                                                                                       exam):
    attempt, slot = start(page, live_server, demo)
    q = {kind: page.locator(f"#q{n}") for kind, n in slot.items()}
    q["single"].locator("label.option", has_text="Trụ sở UBND cấp xã").locator("input").check()
    q["multiple"].locator("label.option", has_text="Đơn đề nghị").locator("input").check()
    q["multiple"].locator("label.option", has_text="Bản sao CCCD").locator("input").check()
    q["truefalse"].locator("label.option", has_text="Đúng").locator("input").check()
    for item, match in (("Sở Nội vụ", "Tổ chức bộ máy"), ("Sở Tư pháp", "Hộ tịch"), ("Sở Y tế", "Bảo hiểm y tế")):
        q["matching"].locator("label", has_text=item).locator("select").select_option(label=match)
    for position, text in enumerate(RIGHT_ORDER):
        q["ordering"].locator("select").nth(position).select_option(label=text)
    saved(page)
    # What reached the server names the paper's identifiers, never a number.
    stored = {a.slot: a.response for a in Answer.objects.filter(attempt=attempt)}
    assert all(isinstance(i, str) for i in stored[slot["ordering"]]["order"])
    assert isinstance(stored[slot["single"]]["choice"], str)

    page.reload()  # the answers come back from the server onto the same options
    page.wait_for_selector("#q5")
    assert q["single"].locator("label.option", has_text="Trụ sở UBND cấp xã").locator("input").is_checked()
    assert q["multiple"].locator("input:checked").count() == 2
    assert q["truefalse"].locator("label.option", has_text="Đúng").locator("input").is_checked()
    chosen = "els => els.map(s => s.options[s.selectedIndex].text)"
    for item, match in (("Sở Nội vụ", "Tổ chức bộ máy"), ("Sở Tư pháp", "Hộ tịch"), ("Sở Y tế", "Bảo hiểm y tế")):
        assert q["matching"].locator("label", has_text=item).locator("select").evaluate_all(chosen) == [match]
    assert q["ordering"].locator("select").evaluate_all(chosen) == RIGHT_ORDER

    submit(page)  # the room asks in its own dialog
    page.wait_for_selector("#score")
    attempt.refresh_from_db()
    assert attempt.score == 5 and page.locator("#score").inner_text() == "Kết quả: 5/5 (100%)"


def test_a_paper_started_before_identifiers_existed_is_answered_in_its_numbers(page, live_server, demo, exam):
    attempt, slot = start(page, live_server, demo)
    AttemptQuestion.objects.filter(attempt=attempt).update(elements={})  # as the upgrade finds a sitting in progress
    page.reload()
    page.wait_for_selector("#q5")
    page.locator(f"#q{slot['single']} input[type=radio]").nth(2).check()
    page.locator(f"#q{slot['truefalse']} input[type=radio]").nth(0).check()
    ordering = page.locator(f"#q{slot['ordering']} select")
    for position, text in enumerate(RIGHT_ORDER):
        ordering.nth(position).select_option(label=text)
    saved(page)
    stored = {a.slot: a.response for a in Answer.objects.filter(attempt=attempt)}
    assert stored[slot["single"]] == {"choice": 2} and stored[slot["truefalse"]] == {"choice": 0}
    assert stored[slot["ordering"]] == {"order": [0, 1, 2, 3]}

    submit(page)  # the room asks in its own dialog
    page.wait_for_selector("#score")
    graded = {s.slot: s.fraction for s in AttemptQuestion.objects.filter(attempt=attempt)}
    assert graded[slot["truefalse"]] == 1.0 and graded[slot["ordering"]] == 1.0
