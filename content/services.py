"""Writes for the CMS: the site's sections, who may edit them, the review workflow, and the demo content."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from org import roles

DEMO_FILE = Path(__file__).resolve().parent / "demo_content.json"
WORKFLOW_NAME = "Duyệt nội dung"


def _perm(app: str, codename: str) -> Permission | None:
    return Permission.objects.filter(content_type__app_label=app, codename=codename).first()


@transaction.atomic
def content_permissions_setup() -> None:
    """Trainers may draft in the guidance and course sections only; reviewers approve and publish anywhere on the
    site; both may upload and choose images and documents; edits go through the review workflow. Idempotent."""
    from wagtail.models import (Collection, GroupApprovalTask, GroupCollectionPermission, GroupPagePermission,
                                Page, Workflow, WorkflowPage, WorkflowTask)

    from .models import CourseIndexPage, GuidanceIndexPage, HomePage

    trainer, _c = Group.objects.get_or_create(name=roles.TRAINER)
    reviewer, _c = Group.objects.get_or_create(name=roles.REVIEWER)
    administrator, _c = Group.objects.get_or_create(name=roles.ADMINISTRATOR)
    access = _perm("wagtailadmin", "access_admin")
    for group in (trainer, reviewer, administrator):
        if access:
            group.permissions.add(access)

    def grant_page(group: Group, page: Page, codenames: tuple[str, ...]) -> None:
        for codename in codenames:
            perm = _perm("wagtailcore", codename)
            if perm:
                GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perm)

    for section in [*GuidanceIndexPage.objects.all(), *CourseIndexPage.objects.all()]:
        grant_page(trainer, section, ("add_page", "change_page"))
    for home in HomePage.objects.all():
        grant_page(reviewer, home, ("add_page", "change_page", "publish_page"))
        grant_page(administrator, home, ("add_page", "change_page", "publish_page", "delete_page", "lock_page",
                                         "unlock_page", "bulk_delete_page"))

    root_collection = Collection.get_first_root_node()
    if root_collection:
        for group in (trainer, reviewer, administrator):
            for app, codename in (("wagtailimages", "add_image"), ("wagtailimages", "choose_image"),
                                  ("wagtaildocs", "add_document"), ("wagtaildocs", "choose_document")):
                perm = _perm(app, codename)
                if perm:
                    GroupCollectionPermission.objects.get_or_create(group=group, collection=root_collection,
                                                                    permission=perm)

    workflow, _c = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name="Phê duyệt nội dung").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Phê duyệt nội dung")
    task.groups.set([reviewer])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for home in HomePage.objects.all():
        WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})


# --- Demo content ---------------------------------------------------------------------------------------------

def _date(value: str | None) -> dt.date | None:
    return dt.datetime.strptime(value, "%d/%m/%Y").date() if value else None


def _stream(blocks: list[dict]) -> list[dict]:
    """Turn the demo file's blocks into StreamField raw data."""
    out = []
    for block in blocks:
        kind, value = block["type"], block["value"]
        if kind == "table":
            value = {"data": [value["header"], *value["rows"]], "first_row_is_table_header": True,
                     "first_col_is_header": False, "table_caption": value.get("caption", "")}
        elif kind == "self_check":
            value = {"question": value["question"], "explanation": value.get("explanation", ""),
                     "options": [{"type": "item", "id": str(uuid.uuid4()), "value": o} for o in value["options"]]}
        out.append({"type": kind, "value": value, "id": str(uuid.uuid4())})
    return out


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def demo_content_load(*, home=None, path: Path = DEMO_FILE) -> dict:
    """Create the library, catalogue, news and FAQ under the home page and fill them from demo_content.json.
    Does nothing if the library already exists. Returns counts."""
    from .models import (CourseIndexPage, CoursePage, FAQPage, GuidanceIndexPage, GuidancePage, HomePage,
                         LessonPage, NewsIndexPage, NewsPage)

    home = home or HomePage.objects.first()
    if home is None or GuidanceIndexPage.objects.exists() or not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    library = _publish(home, GuidanceIndexPage(
        title="Văn bản hướng dẫn", slug="van-ban-huong-dan",
        intro="<p>Kế hoạch, hướng dẫn và văn bản về cải cách hành chính của tỉnh Đồng Nai.</p>"))
    catalogue = _publish(home, CourseIndexPage(
        title="Khóa học", slug="khoa-hoc",
        intro="<p>Các học phần bồi dưỡng trực tuyến cho cán bộ phụ trách CCHC và công chức Bộ phận một cửa.</p>"))
    news_index = _publish(home, NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    counts = {"guidance": 0, "courses": 0, "lessons": 0, "news": 0}
    for g in data["guidance"]:
        page = GuidancePage(title=g["title"], slug=g["slug"], document_number=g.get("document_number", ""),
                            issuing_body=g.get("issuing_body", ""), issued_on=_date(g.get("issued_on")),
                            effective_on=_date(g.get("effective_on")), summary=g.get("summary", ""),
                            body=_stream(g["body"]))
        library.add_child(instance=page)
        page.fields.set(g.get("fields", []))
        page.save_revision().publish()
        counts["guidance"] += 1
    for c in data["courses"]:
        audience = set(c.get("audience", []))
        course = _publish(catalogue, CoursePage(
            title=c["title"], slug=c["slug"], summary=c.get("summary", ""), objectives=c.get("objectives", ""),
            for_all_officials="all" in audience, for_reform_officers="is_reform_officer" in audience,
            for_one_stop_receivers="is_one_stop_receiver" in audience,
            duration_minutes=c.get("duration_minutes", 60),
            lesson_completion=c.get("lesson_completion", CoursePage.lesson_completion.field.default)))
        counts["courses"] += 1
        for lesson in c["lessons"]:
            _publish(course, LessonPage(title=lesson["title"], slug=lesson["slug"],
                                        summary=lesson.get("summary", ""), body=_stream(lesson["body"])))
            counts["lessons"] += 1
    for n in data.get("news", []):
        _publish(news_index, NewsPage(title=n["title"], slug=n["slug"], date=_date(n["date"]),
                                      intro=n.get("intro", ""), body=_stream(n["body"])))
        counts["news"] += 1
    _publish(home, FAQPage(
        title="Câu hỏi thường gặp", slug="hoi-dap",
        items=[{"type": "item", "value": {"question": f["question"], "answer": f["answer"]}, "id": str(uuid.uuid4())}
               for f in data.get("faq", [])]))
    return counts

