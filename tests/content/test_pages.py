"""The public site: library filters, catalogue, lessons with previous/next and a print view, caching."""
import pytest
from wagtail.models import Page

from content.models import CoursePage, GuidanceIndexPage, GuidancePage, HomePage, LessonPage, NewsPage

pytestmark = pytest.mark.django_db


def test_home_lists_courses_guidance_and_news(site, client):
    html = client.get("/").content.decode()
    assert "Cơ chế một cửa theo Nghị định 61/2018/NĐ-CP" in html
    assert "Kế hoạch cải cách hành chính tỉnh Đồng Nai năm 2020" in html and "Khai giảng lớp bồi dưỡng" in html


@pytest.mark.parametrize("params, shown, hidden", [
    ({"linh-vuc": "co-che-mot-cua"}, "Hướng dẫn công khai thủ tục", "Kế hoạch cải cách"),
    ({"co-quan": "UBND tỉnh Đồng Nai"}, "Kế hoạch cải cách", "Hướng dẫn công khai thủ tục"),
    ({"nam": "2021"}, "Hướng dẫn công khai thủ tục", "Kế hoạch cải cách"),
])
def test_guidance_library_filters_by_field_body_and_year(site, client, params, shown, hidden):
    html = client.get("/van-ban-huong-dan/", params).content.decode()
    listing = html.split('class="doc-list"')[1].split("</ul>")[0]
    assert shown in listing and hidden not in listing


def test_guidance_page_shows_its_document_facts_and_the_appendix_table(site, client):
    html = client.get("/van-ban-huong-dan/ke-hoach-cchc-2020/").content.decode()
    assert "15122/KH-UBND" in html and "27/12/2019" in html and "UBND tỉnh Đồng Nai" in html
    assert '<th scope="col">Nhiệm vụ</th>' in html and "Sát hạch công chức một cửa" in html


def test_lesson_has_breadcrumbs_previous_next_and_print_view(site, client):
    html = client.get("/khoa-hoc/co-che-mot-cua/quy-trinh/").content.decode()
    assert 'href="/khoa-hoc/co-che-mot-cua/"' in html  # breadcrumb and course link
    assert 'rel="prev" href="/khoa-hoc/co-che-mot-cua/khai-niem/"' in html
    assert 'rel="next" href="/khoa-hoc/co-che-mot-cua/tra-ket-qua/"' in html
    assert "Bài 2/3" in html
    printable = client.get("/khoa-hoc/co-che-mot-cua/khai-niem/?in=1").content.decode()
    assert "site-header" not in printable and "Một cửa là gì?" not in printable  # no self-check on paper
    assert "Thủ tục hành chính được tiếp nhận" in printable


def test_course_page_lists_lessons_in_order_with_audience(site, client):
    html = client.get("/khoa-hoc/co-che-mot-cua/").content.decode()
    assert html.index("Khái niệm một cửa") < html.index("Quy trình tiếp nhận hồ sơ") < html.index("Trả kết quả")
    assert "Công chức tiếp nhận hồ sơ tại Bộ phận một cửa" in html


def test_parent_child_rules_keep_the_tree_tidy(site):
    assert LessonPage.can_create_at(CoursePage.objects.first())
    assert not LessonPage.can_create_at(GuidanceIndexPage.objects.first())
    assert not GuidancePage.can_create_at(HomePage.objects.first())
    assert not GuidanceIndexPage.can_create_at(HomePage.objects.first())  # only one library


def test_anonymous_pages_are_cached_and_publishing_refreshes_them(site, client):
    url = "/khoa-hoc/co-che-mot-cua/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    course = CoursePage.objects.get(slug="co-che-mot-cua")
    course.title = "Cơ chế một cửa (cập nhật)"
    course.save_revision().publish()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and "Cơ chế một cửa (cập nhật)" in response.content.decode()


def test_signed_in_readers_are_not_served_from_the_cache(site, client, django_user_model):
    client.get("/khoa-hoc/")
    client.force_login(django_user_model.objects.get(username="official"))
    response = client.get("/khoa-hoc/")
    assert "X-Page-Cache" not in response and "Nguyễn Thị Minh Thư" in response.content.decode()


def test_a_draft_is_not_public(site, client):
    course = CoursePage.objects.get(slug="co-che-mot-cua")
    draft = LessonPage(title="Bài nháp bí mật", slug="bai-nhap", live=False)
    course.add_child(instance=draft)
    draft.save_revision()
    assert client.get("/khoa-hoc/co-che-mot-cua/bai-nhap/").status_code == 404
    assert "Bài nháp bí mật" not in client.get("/search/", {"q": "bai nhap bi mat"}).content.decode()


def test_scheduled_publishing_task_publishes_due_pages(site):
    import datetime as dt

    from django.utils import timezone

    from content.tasks import publish_scheduled_task

    news = NewsPage.objects.get(slug="khai-giang")
    news.unpublish()
    revision = news.save_revision()
    revision.approved_go_live_at = timezone.now() - dt.timedelta(minutes=1)
    revision.save()
    publish_scheduled_task.delay()
    assert Page.objects.get(pk=news.pk).live


def test_a_personal_message_is_never_cached_for_other_visitors(site, client, django_user_model):
    client.force_login(django_user_model.objects.get(username="official"))
    client.post("/accounts/logout/")
    first = client.get("/")
    assert "Bạn đã đăng xuất" in first.content.decode() and "X-Page-Cache" not in first
    from django.test import Client

    other = Client().get("/")
    assert "Bạn đã đăng xuất" not in other.content.decode()
