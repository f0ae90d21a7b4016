import datetime as dt
import json

import pytest
from django.utils import timezone

from content import services as content_services
from exams import formats
from exams.models import Exam, ExamSection
from exams.services import bank_import, topic_get_or_create
from lms.models import Requirement
from content import demo as content_demo

MODULE = {
    "title": "Cơ chế một cửa theo Nghị định 61/2018/NĐ-CP", "slug": "co-che-mot-cua",
    "summary": "Học phần về Bộ phận một cửa.", "objectives": "<ul><li>Nắm quy trình</li></ul>",
    "audience": ["is_one_stop_receiver"], "duration_minutes": 60,
    "lessons": [
        {"title": "Khái niệm một cửa", "slug": "khai-niem", "summary": "Khái niệm.",
         "body": [{"type": "heading", "value": "Một đầu mối"},
                  {"type": "paragraph", "value": "<p>Thủ tục hành chính được tiếp nhận tại một đầu mối.</p>" * 30}]},
        {"title": "Quy trình tiếp nhận hồ sơ", "slug": "quy-trinh", "summary": "Các bước.",
         "body": [{"type": "paragraph", "value": "<p>Tiếp nhận, chuyển, giải quyết, trả kết quả.</p>" * 30}]},
    ]}
SITE = {"guidance": [], "news": [], "faq": [], "courses": [MODULE]}
BANK = "\n\n".join(
    f"::Câu {i}::Câu hỏi số {i} về tiếp nhận hồ sơ tại Bộ phận Một cửa?{{=Đúng {i} ~Sai A{i} ~Sai B{i}}}"
    for i in range(1, 9)
)


def build_module(tmp_path):
    """The home page and one published module with two lessons, through the demo loader."""
    from content.models import CoursePage

    content_demo.seed_site()
    path = tmp_path / "site.json"
    path.write_text(json.dumps(SITE, ensure_ascii=False), encoding="utf-8")
    content_services.demo_content_load(path=path)
    return CoursePage.objects.get(slug="co-che-mot-cua")


def build_exam():
    root = topic_get_or_create(name="Một cửa", parent=None)
    bank_import(root=root, questions=formats.parse_gift(BANK))
    exam = Exam.objects.create(title="Sát hạch công chức một cửa", time_limit_minutes=20, is_published=True,
                               shuffle_options=False, attempts_allowed=3, pass_percent=50)
    ExamSection.objects.create(exam=exam, topic=root, draw_count=4)
    return exam


@pytest.fixture
def module(db, tmp_path):
    return build_module(tmp_path)


@pytest.fixture
def exam(db):
    return build_exam()


def make_requirement(*, units=(), modules=(), exam=None, **fields) -> Requirement:
    defaults = dict(title="100% công chức tiếp nhận hồ sơ một cửa được bồi dưỡng nghiệp vụ",
                    plan_clause="KH 15122/KH-UBND, mục II.4.c", audience_one_stop_receivers=True,
                    due_date=timezone.localdate() + dt.timedelta(days=30))
    defaults.update(fields)
    requirement = Requirement.objects.create(exam=exam, **defaults)
    requirement.audience_units.set(units)
    requirement.modules.set(modules)
    return requirement


def sit_and_pass(exam, official, *, correct=True):
    """Sit the exam and answer every question right (or wrong), as the exam room would."""
    from exams.services import answer_save, attempt_start, attempt_submit

    from ..papers import pick

    attempt = attempt_start(exam=exam, official=official)
    for seq, slot in enumerate(range(1, attempt.slot_count + 1), start=1):
        answer_save(attempt=attempt, slot=slot, response=pick(attempt, slot, 0 if correct else 1), seq=seq)
    return attempt_submit(attempt=attempt)
