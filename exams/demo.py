"""The exam app's part of the demo (`manage.py seed_demo`, in the demo app): a small question bank from
demo_bank.gift and a practice exam the demo official can sit, and the trainers' permissions."""
from pathlib import Path

from . import formats
from .models import Attempt, Exam, ExamOverride, ExamSection, Topic
from .services import bank_import, exam_permissions_setup, topic_get_or_create

DEMO_BANK = Path(__file__).resolve().parent / "demo_bank.gift"


def seed_exam() -> None:
    """The trainers' permissions, then a small question bank and a practice exam the demo official can sit
    (once: nothing if an exam exists)."""
    exam_permissions_setup()
    if Exam.objects.exists():
        return
    root = topic_get_or_create(name="Ngân hàng câu hỏi CCHC", parent=None)
    text = DEMO_BANK.read_text(encoding="utf-8")
    bank_import(root=root, questions=formats.parse_gift(text))
    exam = Exam.objects.create(title="Sát hạch thử: cơ chế một cửa và Kế hoạch CCHC 2020", time_limit_minutes=15,
                               attempts_allowed=3, is_published=True,
                               instructions="Bài thi thử gồm 10 câu, làm trong 15 phút; điểm đạt 50%.")
    ExamSection.objects.create(exam=exam, topic=Topic.objects.get(pk=root.pk), draw_count=10)


def reset() -> None:
    """Remove the sittings and personal accommodations of the demo's officials (their answers, events and grade
    changes go with them), so the roster can go; the bank and the exams stay (demo only)."""
    ExamOverride.objects.all().delete()
    Attempt.objects.all().delete()
