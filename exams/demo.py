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
    from .models import ExamSession, Seat

    ExamOverride.objects.all().delete()
    Seat.objects.all().delete()  # seats protect their rooms from a careless edit; here the whole session goes
    ExamSession.objects.all().delete()  # candidate lists hold officials; the session's exams stay
    Attempt.with_prepared.all().delete()


SESSION_TITLE = "Kỳ sát hạch công chức tiếp nhận hồ sơ một cửa năm 2026"
SUPERVISOR = "giamthi"


def seed_session() -> dict | None:
    """A kỳ sát hạch in two parts, 2 rooms × 2 shifts, for 40 one-stop receivers (the demo official among them),
    its council (the demo trainer chairs it) and a supervisor account, seats assigned, rooms not yet opened: sign in
    as `giamthi`, check the demo official in and open room A's first shift, then sit it as `official`. Once."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from org.models import Official, OfficialStatus, User

    from .models import CouncilMember, ExamRoom, ExamSession, RoomShift, Shift
    from .services import session_candidates_add, session_room_shifts_sync, session_seats_assign

    if ExamSession.objects.filter(title=SESSION_TITLE).exists():
        return None
    root = Topic.objects.filter(name="Ngân hàng câu hỏi CCHC", parent=None).first()
    if root is None:
        return None
    parts = []
    for title, n, minutes in (("Sát hạch 2026 — Phần 1: Cơ chế một cửa", 10, 20),
                              ("Sát hạch 2026 — Phần 2: Kế hoạch CCHC", 5, 10)):
        exam = Exam.objects.filter(title=title).first()
        if exam is None:
            exam = Exam.objects.create(title=title, time_limit_minutes=minutes, attempts_allowed=1, is_published=True,
                                       pass_percent=50,
                                       instructions="Làm bài tại phòng thi theo hướng dẫn của giám thị.")
            ExamSection.objects.create(exam=exam, topic=root, draw_count=n, title="Câu hỏi trắc nghiệm")
        parts.append(exam)
    trainer = User.objects.filter(username="trainer").first()
    supervisor, _created = User.objects.get_or_create(username=SUPERVISOR, defaults={
        "first_name": "Minh", "last_name": "Phạm Văn", "email": "giamthi@dongnai.example"})
    supervisor.set_password(settings.DEMO_PASSWORD)
    supervisor.save()
    today = timezone.localdate()
    session = ExamSession.objects.create(
        title=SESSION_TITLE, starts_on=today, place="Trường Chính trị tỉnh Đồng Nai",
        decision="Quyết định số 45/QĐ-SNV ngày 01/12/2026 của Giám đốc Sở Nội vụ về thành lập Hội đồng sát hạch",
        created_by=trainer)
    CouncilMember.objects.create(session=session, user=trainer, full_name="Trần Thị Thu Hà",
                                 position="Chuyên viên chính, Sở Nội vụ", role=CouncilMember.Role.CHAIR)
    CouncilMember.objects.create(session=session, user=supervisor, full_name="Phạm Văn Minh",
                                 position="Chuyên viên, Sở Nội vụ", role=CouncilMember.Role.SUPERVISOR)
    for name in ("A", "B"):
        ExamRoom.objects.create(session=session, name=f"Phòng {name}", seats=20, location="Tầng 2, nhà B")
    tz = timezone.get_current_timezone()
    for i, exam in enumerate(parts):
        Shift.objects.create(session=session, exam=exam, name=f"Ca {i + 1}",
                             starts_at=dt.datetime.combine(today, dt.time(8 + 2 * i, 0), tzinfo=tz))
    session_room_shifts_sync(session=session)
    first = Official.objects.filter(user__username="official").first()
    # One-stop receivers and reform officers first (the plan's two groups), then others to fill the rooms.
    active = Official.objects.filter(status=OfficialStatus.ACTIVE).exclude(pk=getattr(first, "pk", None))
    others = list(active.filter(is_one_stop_receiver=True).order_by("unit__path", "employee_code")[:39])
    others += list(active.filter(is_reform_officer=True).exclude(pk__in=[o.pk for o in others])
                   .order_by("unit__path", "employee_code")[:39 - len(others)])
    others += list(active.exclude(pk__in=[o.pk for o in others]).order_by("unit__path", "employee_code")
                   [:39 - len(others)])
    session_candidates_add(session=session, officials=[o for o in [first, *others] if o is not None], by=trainer)
    session_seats_assign(session=session, by=trainer)
    for room_shift in RoomShift.objects.filter(shift__session=session):
        room_shift.supervisors.add(supervisor)
    return {"candidates": session.candidates.count(), "rooms": 2, "shifts": 2}
