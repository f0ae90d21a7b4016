"""Trainers draft in the guidance and course sections only; a reviewer approves and publishes."""
import pytest
from wagtail.models import Page, Workflow

from content.models import CoursePage, GuidanceIndexPage, HomePage, LessonPage, NewsIndexPage
from org.models import User

pytestmark = pytest.mark.django_db


def perms(username, page):
    return page.permissions_for_user(User.objects.get(username=username))


def test_trainer_may_add_and_edit_in_guidance_and_courses_but_not_publish(site):
    course = CoursePage.objects.get(slug="co-che-mot-cua")
    assert perms("trainer", course).can_add_subpage()
    assert perms("trainer", GuidanceIndexPage.objects.get()).can_add_subpage()
    assert perms("trainer", course).can_edit()
    assert not perms("trainer", course).can_publish()


def test_trainer_may_not_touch_news_faq_or_home(site):
    assert not perms("trainer", NewsIndexPage.objects.get()).can_add_subpage()
    assert not perms("trainer", HomePage.objects.get()).can_edit()


def test_reviewer_may_publish_anywhere_on_the_site(site):
    assert perms("reviewer", NewsIndexPage.objects.get()).can_publish_subpage()
    assert perms("reviewer", LessonPage.objects.first()).can_publish()


def test_review_workflow_covers_the_site(site):
    workflow = Workflow.objects.get(name="Duyệt nội dung")
    assert LessonPage.objects.first().get_workflow() == workflow
    assert [t.specific.groups.get().name for t in workflow.tasks] == ["Người duyệt nội dung"]


def test_submitted_lesson_waits_for_review_then_goes_live_when_approved(site, client):
    course = CoursePage.objects.get(slug="co-che-mot-cua")
    trainer, reviewer = User.objects.get(username="trainer"), User.objects.get(username="reviewer")
    lesson = LessonPage(title="Đánh giá mức độ hài lòng", slug="danh-gia", live=False,
                        body=[("paragraph", "<p>Người dân đánh giá sự hài lòng.</p>")])
    course.add_child(instance=lesson)
    revision = lesson.save_revision(user=trainer)
    state = Workflow.objects.get(name="Duyệt nội dung").start(lesson, trainer)
    assert not Page.objects.get(pk=lesson.pk).live
    assert client.get("/khoa-hoc/co-che-mot-cua/danh-gia/").status_code == 404
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    lesson.refresh_from_db()
    assert lesson.live and lesson.live_revision_id == revision.pk
    assert "/khoa-hoc/co-che-mot-cua/danh-gia/" in client.get("/search/", {"q": "hai long"}).content.decode()


def test_trainer_edits_a_lesson_in_a_vietnamese_admin(site, client):
    client.force_login(User.objects.get(username="trainer"))
    course = CoursePage.objects.get(slug="co-che-mot-cua")
    html = client.get(f"/admin/pages/add/content/lessonpage/{course.pk}/").content.decode()
    for words in ("Lưu bản nháp", "Gửi duyệt (quy trình “Duyệt nội dung”)", "Tóm tắt",
                  "Đặt lịch xuất bản"):
        assert words in html, words
    # News is not the trainers' to write: Wagtail sends them back to the dashboard, saying so.
    refused = client.get(f"/admin/pages/add/content/newspage/{NewsIndexPage.objects.get().pk}/", follow=True)
    assert refused.redirect_chain == [("/admin/", 302)]
    assert "Rất tiếc, bạn không có quyền truy cập khu vực này." in [str(m).strip() for m in refused.context["messages"]]
