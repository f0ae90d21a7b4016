"""The content flow in a real browser: a trainer writes a lesson in the Wagtail admin and submits it for review,
a reviewer approves and publishes it, and an official finds it by searching without diacritics and reads it."""
import json

import pytest

from content import search, services

from ..factories.content import SMALL_SITE
from .conftest import sign_in

LESSON_TITLE = "Tiếp nhận hồ sơ qua dịch vụ bưu chính công ích"
LESSON_TEXT = "Công chức kiểm tra thành phần hồ sơ nhận qua bưu điện và cấp giấy hẹn trả kết quả."


@pytest.fixture
def small_site(demo, tmp_path):
    path = tmp_path / "content.json"
    path.write_text(json.dumps(SMALL_SITE, ensure_ascii=False), encoding="utf-8")
    services.demo_content_load(path=path)
    services.content_permissions_setup()
    search.reindex_all()
    return demo


def test_trainer_writes_reviewer_publishes_official_finds_and_reads(browser, live_server, small_site):
    from content.models import CoursePage

    course = CoursePage.objects.get(slug="co-che-mot-cua")
    base = live_server.url

    # 1. The trainer writes a lesson in the admin and submits it for review.
    trainer = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
    trainer.set_default_timeout(15_000)
    sign_in(trainer, base, "trainer", small_site)
    trainer.goto(f"{base}/admin/pages/{course.pk}/")
    trainer.goto(f"{base}/admin/pages/add/content/lessonpage/{course.pk}/")
    trainer.fill("#id_title", LESSON_TITLE)
    trainer.fill("#id_summary", "Quy trình nhận hồ sơ gửi qua bưu điện.")
    trainer.locator("button.c-sf-add-button").first.click()
    trainer.get_by_role("option", name="Đoạn văn").click()
    editor = trainer.locator(".Draftail-Editor [contenteditable=true]").first
    editor.click()
    editor.type(LESSON_TEXT)
    # Draftail writes the text to its hidden input when it syncs; a person never clicks faster than that.
    trainer.wait_for_function("document.querySelector('input[name=\"body-0-value\"]').value.includes('bưu điện')")
    trainer.get_by_role("button", name="Thao tác khác").click()
    trainer.get_by_role("button", name="Gửi duyệt (quy trình “Duyệt nội dung”)").click()
    trainer.wait_for_load_state()
    assert "đã được gửi duyệt" in trainer.content() or "gửi" in trainer.locator(".messages").inner_text().lower()
    assert trainer.request.get(f"{base}/khoa-hoc/co-che-mot-cua/").text().count(LESSON_TITLE) == 0

    # 2. The reviewer approves it, which publishes it.
    from content.models import LessonPage

    lesson = LessonPage.objects.get(title=LESSON_TITLE)
    assert not lesson.live
    assert lesson.slug == "tiep-nhan-ho-so-qua-dich-vu-buu-chinh-cong-ich"  # diacritics folded, not dropped
    reviewer = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
    reviewer.set_default_timeout(15_000)
    sign_in(reviewer, base, "reviewer", small_site)
    reviewer.goto(f"{base}/admin/pages/{lesson.pk}/edit/")
    reviewer.get_by_text(LESSON_TEXT).wait_for()  # the editor has loaded the trainer's text
    reviewer.get_by_role("button", name="Thao tác khác").click()
    reviewer.get_by_role("button", name="Phê duyệt và xuất bản", exact=True).click()
    reviewer.wait_for_url(lambda url: "/edit/" not in url or "published" in url)
    lesson.refresh_from_db()
    assert lesson.live

    # 3. An official searches without diacritics, finds the lesson and reads it.
    official = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}).new_page()
    official.set_default_timeout(15_000)
    sign_in(official, base, "official", small_site)
    official.goto(f"{base}/search/?q=buu+chinh+cong+ich")
    official.get_by_role("link", name=LESSON_TITLE).click()
    official.wait_for_url(f"{base}/khoa-hoc/co-che-mot-cua/**")
    assert official.get_by_role("heading", level=1).inner_text() == LESSON_TITLE
    assert LESSON_TEXT in official.locator("article").inner_text()
