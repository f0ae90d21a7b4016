"""Building an exam on one screen in Chromium: the trainer fills in the exam, two sections (each showing its pool,
the 3× warning and its marks as they are typed), finds a district in the unit tree by typing its name without
accents, ticks it with its sub-units and a role, sees how many officials that reaches, previews one drawn paper
(nothing written) and saves; the exam, its sections and its candidates are in the database as shown."""
import re

from playwright.sync_api import expect

from exams.models import Attempt, Exam
from org.models import Unit
from org.selectors import AudienceDraft, audience_count, officials_in_audience
from tests.factories import TopicFactory

from .conftest import sign_in


def test_a_trainer_builds_an_exam_with_two_sections_and_a_unit_tree_audience(page, live_server, demo):
    base = live_server.url
    TopicFactory(name="Một cửa", choices=12)
    TopicFactory(name="Đạo đức công vụ", choices=4, choices__name="Đạo đức {i}")
    digital = TopicFactory(name="Chuyển đổi số", choices=3, choices__name="Kỹ năng số hóa hồ sơ {i}")
    xuan_loc = Unit.objects.get(code="741")  # Huyện Xuân Lộc and its 16 communes
    long_khanh = Unit.objects.get(code="732")
    expected = audience_count(AudienceDraft(unit_ids=[xuan_loc.pk], audience_one_stop_receivers=True))
    everyone = audience_count(AudienceDraft(unit_ids=[]))
    assert 0 < expected < everyone

    sign_in(page, base, "trainer", demo)
    page.goto(f"{base}/ngan-hang-cau-hoi/")
    page.get_by_role("link", name="Soạn kỳ thi").click()
    page.wait_for_url(f"{base}/thi/soan/")
    count = page.locator("[data-audience-count]")
    expect(count).to_have_text(f"{everyone} người được dự thi.")

    page.fill("input[name=title]", "Sát hạch một cửa huyện Xuân Lộc")
    page.fill("input[name=time_limit_minutes]", "45")

    # Section 1: 4 of the 12 one-stop questions, 1 point each.
    page.fill("input[name=sections-0-title]", "Phần I. Một cửa")
    page.select_option("select[name=sections-0-topic]", label="Một cửa")
    page.fill("input[name=sections-0-draw_count]", "4")
    first = page.locator("[data-prefix=sections-0] [data-section-check]")
    expect(first.locator("[data-pool]")).to_have_text("Nguồn câu hỏi: 12 câu")
    expect(first.locator("[data-marks]")).to_have_text("4 câu × 1 = 4 điểm")
    expect(first.locator("[data-pool-warning]")).to_have_count(0)

    # Section 2, added on the same screen: 2 of the 4 ethics questions at 2 points: too small a pool for 3×.
    page.get_by_role("button", name="Thêm phần thi").click()
    page.fill("input[name=sections-1-title]", "Phần II. Đạo đức công vụ")
    page.select_option("select[name=sections-1-topic]", label="Đạo đức công vụ")
    page.fill("input[name=sections-1-draw_count]", "2")
    page.fill("input[name=sections-1-points_per_question]", "2")
    second = page.locator("[data-prefix=sections-1] [data-section-check]")
    expect(second.locator("[data-marks]")).to_have_text("2 câu × 2 = 4 điểm")
    expect(second.locator("[data-pool-warning]")).to_contain_text("tối thiểu 6")
    expect(page.locator("[data-sections-total]")).to_have_text("2 phần thi, tổng 8 điểm.")

    # Section 3: two fixed questions found by typing without accents; one removed again.
    page.get_by_role("button", name="Thêm phần thi").click()
    page.fill("input[name=sections-2-title]", "Phần III. Câu cố định")
    row = page.locator("[data-prefix=sections-2]")
    row.locator("[data-fixed-search]").fill("ky nang so hoa")
    found = row.locator("[data-fixed-found]")
    expect(found).to_have_count(3)
    expect(row.locator("[data-fixed-status]")).to_have_text("Tìm thấy 3 câu hỏi.")
    found.filter(has_text="Kỹ năng số hóa hồ sơ 2").get_by_role("button", name="Thêm").click()
    found.filter(has_text="Kỹ năng số hóa hồ sơ 3").get_by_role("button", name="Thêm").click()
    chosen = row.locator("[data-fixed-item]")
    expect(chosen).to_have_count(2)
    expect(row.locator("[data-pool]")).to_have_text("Nguồn câu hỏi: 2 câu")
    chosen.filter(has_text="Kỹ năng số hóa hồ sơ 3").get_by_role("button", name="Bỏ").click()
    expect(chosen).to_have_count(1)
    expect(row.locator("[data-marks]")).to_have_text("1 câu × 1 = 1 điểm")
    expect(page.locator("[data-sections-total]")).to_have_text("3 phần thi, tổng 9 điểm.")

    # Candidates: find the district by typing without accents; the tree keeps it and hides another city.
    page.fill("[data-unit-search]", "xuan loc")
    district = page.locator(".unit-tree label", has_text=xuan_loc.name).first
    expect(district).to_be_visible()
    expect(page.locator(".unit-tree label", has_text=long_khanh.name).first).to_be_hidden()
    expect(page.locator("[data-unit-search-status]")).to_contain_text("Số đơn vị tìm thấy")
    district.locator("input").check()
    assert page.locator("input[name=audience_include_subunits]").is_checked()
    expect(page.locator("[data-unit-summary]")).to_have_text(
        "Số đơn vị đã chọn: 1 (kể cả đơn vị trực thuộc, tổng cộng 17 đơn vị)")
    page.check("input[name=audience_one_stop_receivers]")
    expect(count).to_have_text(f"{expected} người được dự thi.")

    # One drawn paper: both sections, six questions, nothing written.
    page.get_by_role("button", name="Xem thử một đề được rút").click()
    preview = page.locator("[data-paper-preview]")
    expect(preview.locator("[data-preview-question]")).to_have_count(7)
    expect(preview).to_contain_text("Phần II. Đạo đức công vụ")
    expect(preview).to_contain_text("Kỹ năng số hóa hồ sơ 2")
    expect(preview).to_contain_text("7 câu hỏi, tổng 9 điểm.")
    assert not Exam.objects.exists() and not Attempt.objects.exists()

    page.get_by_role("button", name="Lưu kỳ thi").click()
    page.wait_for_url(re.compile(r".*/thi/\d+/soan/$"))
    expect(page.locator(".messages")).to_contain_text("với 3 phần thi")

    exam = Exam.objects.get(title="Sát hạch một cửa huyện Xuân Lộc")
    assert exam.time_limit_minutes == 45
    assert [(s.order, s.title, s.topic.name, s.draw_count, float(s.points_per_question))
            for s in exam.sections.select_related("topic")[:2]] == [
        (1, "Phần I. Một cửa", "Một cửa", 4, 1.0), (2, "Phần II. Đạo đức công vụ", "Đạo đức công vụ", 2, 2.0)]
    third = exam.sections.get(order=3)
    assert third.topic is None and [q.current_version.name for q in third.fixed_questions.all()] == [
        "Kỹ năng số hóa hồ sơ 2"]
    assert third.fixed_questions.get().topic == digital
    assert list(exam.audience_units.all()) == [xuan_loc]
    assert exam.audience_include_subunits and exam.audience_one_stop_receivers
    assert officials_in_audience(exam).count() == expected
    assert not Attempt.objects.exists()
    # The saved exam opens on the same screen with what was built.
    expect(page.locator("[data-audience-count]")).to_have_text(f"{expected} người được dự thi.")
    expect(page.locator("[data-prefix=sections-1] [data-pool-warning]")).to_contain_text("tối thiểu 6")
    expect(page.locator("[data-prefix=sections-2] [data-fixed-item]")).to_contain_text("Kỹ năng số hóa hồ sơ 2")
