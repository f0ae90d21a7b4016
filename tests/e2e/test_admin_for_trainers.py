"""The Wagtail admin as a trainer works in it: every page in Vietnamese, and nothing asked of another host (no avatar
from Gravatar, no guide from wagtail.org, no Swagger UI from a CDN). Chromium walks the pages a trainer uses: the
dashboard, the page tree, a lesson and a guidance document being edited, the exams, their sections and topics, the
images, and the API documentation."""
import io
import json
from urllib.parse import urlsplit

import pytest

from content import search, services
from exams.services.permissions import exam_permissions_setup

from ..factories import ExamFactory, TopicFactory
from ..factories.content import SMALL_SITE
from ..vietnamese_text import foreign_words
from .conftest import sign_in

# The text a person can see or hear: visible text nodes, the accessible names and tooltips of visible elements, the
# tab's title. Tab panels are all shown first (a trainer opens each tab); a select's options are data (units,
# languages, time zones), keyboard shortcuts are key names.
VISIBLE_TEXT = """() => {
  document.querySelectorAll("[role=tabpanel][hidden]").forEach((panel) => panel.removeAttribute("hidden"));
  const found = [["<title>", document.title]];
  const skipped = "script, style, template, noscript, svg, kbd, option, textarea, [contenteditable=true]";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!element || element.closest(skipped) || !element.checkVisibility()) continue;
    if (node === element) {
      for (const name of ["aria-label", "title", "placeholder", "alt", "data-w-tooltip-content-value"]) {
        const value = element.getAttribute(name);
        if (value) found.push([`${element.tagName.toLowerCase()}[${name}]`, value]);
      }
      if (element.matches("input[type=submit], input[type=button]") && element.value) {
        found.push([`${element.tagName.toLowerCase()}[value]`, element.value]);
      }
    } else if (node.textContent.trim()) {
      found.push([element.tagName.toLowerCase(), node.textContent.trim()]);
    }
  }
  return found;
}"""


@pytest.fixture
def trainer_site(demo, tmp_path):
    """The demo accounts, a small site (a course with lessons, guidance documents with field tags), an exam with a
    section drawing from a topic, and an image in the library."""
    from django.contrib.auth import get_user_model
    from django.core.files.images import ImageFile
    from PIL import Image as PillowImage
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    # The migrations' root collection, gone once an earlier test flushed the database: the trainers' image
    # permissions are given on it.
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    path = tmp_path / "content.json"
    path.write_text(json.dumps(SMALL_SITE, ensure_ascii=False), encoding="utf-8")
    services.demo_content_load(path=path)
    services.content_permissions_setup()
    exam_permissions_setup()
    search.reindex_all()
    ExamFactory(title="Sát hạch một cửa", time_limit_minutes=20, published=True,
                bank=TopicFactory(name="Một cửa", choices=3, choices__text="Câu hỏi số {i}?",
                                  choices__wrong=("Sai A{i}", "Sai B{i}")),
                bank__draw_count=3)
    png = io.BytesIO()
    PillowImage.new("RGB", (64, 48), "#1d4ed8").save(png, "PNG")
    get_image_model().objects.create(title="Sơ đồ Bộ phận một cửa", file=ImageFile(png, name="so-do.png"),
                                     uploaded_by_user=get_user_model().objects.get(username="trainer"))
    return demo


def trainer_paths() -> list[str]:
    from wagtail.images import get_image_model

    from content.models import GuidancePage, LessonPage
    from exams.models import Exam, ExamSection, Topic

    lesson = LessonPage.objects.get(slug="khai-niem")
    guidance = GuidancePage.objects.get(slug="ke-hoach-cchc-2020")
    return [
        "/admin/", "/admin/pages/", f"/admin/pages/{lesson.get_parent().pk}/", f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/{guidance.pk}/edit/", f"/admin/pages/add/content/lessonpage/{lesson.get_parent().pk}/",
        f"/admin/pages/{lesson.pk}/history/", "/admin/pages/search/?q=m%E1%BB%99t+c%E1%BB%ADa",
        "/admin/exam/", f"/admin/exam/edit/{Exam.objects.get().pk}/", "/admin/exam/new/",
        "/admin/examsection/", f"/admin/examsection/edit/{ExamSection.objects.get().pk}/", "/admin/examsection/new/",
        "/admin/examoverride/", "/admin/examoverride/new/", "/admin/examsession/", "/admin/examsession/new/",
        "/admin/topic/", f"/admin/topic/edit/{Topic.objects.get(name='Một cửa').pk}/",
        "/admin/images/", f"/admin/images/{get_image_model().objects.get().pk}/", "/admin/images/multiple/add/",
        "/admin/documents/", "/admin/account/",
    ]


def english_on(page, where: str) -> list[str]:
    return [f"{where} {tag}: {text!r} → {' '.join(words)}"
            for tag, text in page.evaluate(VISIBLE_TEXT) if (words := foreign_words(text))]


def test_the_admin_pages_a_trainer_uses_are_all_in_vietnamese(page, live_server, trainer_site):
    sign_in(page, live_server.url, "trainer", trainer_site)
    english = []
    for path in trainer_paths():
        response = page.goto(live_server.url + path)
        # Not sent back to the dashboard for want of permission (the page tree opens at the trainer's own root).
        assert response.ok and page.url.startswith(live_server.url + path.split("?")[0]), path
        page.wait_for_load_state("networkidle")
        english += english_on(page, path)
    # The sidebar's menus, opened: the Help menu keeps only what works offline (its links to Wagtail's English
    # guide are gone), and "Pages" is the page tree ("Trang"), not the pagination's label ("Phân trang").
    page.goto(f"{live_server.url}/admin/")
    sidebar = page.locator("[data-wagtail-sidebar]")
    assert sidebar.get_by_role("button", name="Trang", exact=True).is_visible()
    assert sidebar.get_by_text("Phân trang").count() == 0
    sidebar.get_by_role("button", name="Trợ giúp").click()
    sidebar.locator(".sidebar-sub-menu-panel", has_text="Trợ giúp").wait_for()
    english += english_on(page, "Help menu")
    assert page.locator("a[href*='wagtail.org']").count() == 0
    assert page.title() == "Bảng điều khiển - Quản trị nội dung"
    assert english == []


def test_nothing_is_asked_of_another_host_while_a_trainer_works(page, live_server, trainer_site):
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(live_server.url))
    elsewhere = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if urlsplit(request.url).scheme in ("http", "https", "ws", "wss")
            and "{0.scheme}://{0.netloc}".format(urlsplit(request.url)) != origin else None)
    sign_in(page, live_server.url, "trainer", trainer_site)
    for path in trainer_paths():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    # The rich-text editor starts, and a section's form is filled in and saved.
    from content.models import LessonPage

    page.goto(f"{live_server.url}/admin/pages/{LessonPage.objects.get(slug='khai-niem').pk}/edit/")
    page.locator(".Draftail-Editor [contenteditable=true]").first.click()
    page.goto(f"{live_server.url}/admin/examsection/new/")
    page.locator("#id_exam").select_option(label="Sát hạch một cửa")
    page.locator("#id_topic").select_option(label="Một cửa")
    page.get_by_role("button", name="Tạo").click()
    page.wait_for_load_state("networkidle")
    # The avatar is the platform's own default picture, not one from Gravatar.
    page.goto(f"{live_server.url}/admin/")
    avatar = page.locator(".avatar img").first
    assert avatar.get_attribute("src").startswith("/static/")
    # The question bank, where trainers write questions (the platform's own pages).
    from exams.models import Topic

    topic = Topic.objects.get(name="Một cửa")
    for path in ("/ngan-hang-cau-hoi/", f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/",
                 f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/them-cau-hoi/"):
        assert page.goto(live_server.url + path).ok, path
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_load_state("networkidle")
    assert elsewhere == []
