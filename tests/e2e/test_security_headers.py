"""The Content-Security-Policy breaks no page: Chromium loads the main pages of each kind of user (the public site, a
lesson, the exam room from start to result, the public figures, sign-in, the Wagtail admin and the API docs) and
reports no violation of the policy in its console."""
import json

import pytest

from content import search, services

from ..factories import ExamFactory, TopicFactory
from ..factories.content import SMALL_SITE
from .conftest import sign_in, submit


@pytest.fixture
def site(demo, tmp_path):
    path = tmp_path / "content.json"
    path.write_text(json.dumps(SMALL_SITE, ensure_ascii=False), encoding="utf-8")
    services.demo_content_load(path=path)
    services.content_permissions_setup()
    search.reindex_all()
    return demo


@pytest.fixture
def page(browser):
    """A page that keeps to the Content-Security-Policy (other browser tests bypass it: see conftest.py)."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": 1280, "height": 900}, bypass_csp=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def violations(page):
    """What the browser's console says about the Content-Security-Policy, on every page the test opens."""
    seen = []
    page.on("console", lambda m: seen.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None)
    return seen


def visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.ok, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("networkidle")


def test_the_public_site_and_a_lesson(page, live_server, site, violations):
    base = live_server.url
    for path in ("/", "/khoa-hoc/", "/khoa-hoc/co-che-mot-cua/", "/van-ban-huong-dan/", "/search/?q=mot+cua",
                 "/cong-khai/", "/accounts/login/", "/accounts/password/reset/"):
        visit(page, base + path)
    visit(page, f"{base}/khoa-hoc/co-che-mot-cua/khai-niem/")
    # The page's scripts ran: the early one (no-js → js) and the self-check question's.
    assert page.evaluate("document.documentElement.classList.contains('js')")
    page.get_by_label("Một đầu mối").check()
    page.locator("form[data-self-check] button").click()
    page.wait_for_selector(".self-check-result:not([hidden])")
    visit(page, f"{base}/khoa-hoc/co-che-mot-cua/khai-niem/?in=1")
    assert violations == []


def test_the_exam_room_from_start_to_result(page, live_server, site, violations):
    ExamFactory(title="Sát hạch một cửa", time_limit_minutes=20, published=True,
                bank=TopicFactory(name="Một cửa", choices=3, choices__text="Câu hỏi số {i}?",
                                  choices__wrong=("Sai A{i}", "Sai B{i}")),
                bank__draw_count=3)

    sign_in(page, live_server.url, "official", site)
    visit(page, f"{live_server.url}/thi/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_selector("#q3")
    for slot in (1, 2, 3):
        page.locator(f"#q{slot} input[type=radio]").first.check()
    page.wait_for_selector("#save-state:has-text('Đã lưu')")
    submit(page)  # the room asks in its own dialog
    page.wait_for_selector("#score")
    visit(page, f"{live_server.url}/thi/ket-qua/")
    assert violations == []


def test_the_wagtail_admin_and_the_api_docs(page, live_server, site, violations):
    from content.models import LessonPage

    lesson = LessonPage.objects.get(slug="khai-niem")
    sign_in(page, live_server.url, "admin", site)
    for path in ("/admin/", f"/admin/pages/{lesson.get_parent().pk}/", f"/admin/pages/{lesson.pk}/edit/",
                 "/admin/images/", "/admin/users/"):
        visit(page, live_server.url + path)
    page.goto(f"{live_server.url}/admin/pages/{lesson.pk}/edit/")
    page.locator(".Draftail-Editor [contenteditable=true]").first.click()  # the rich-text editor starts
    visit(page, f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")  # Swagger UI drew the schema, from the platform's own files
    assert "CCHC" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations == []
