"""Demo requirements from the plan (KH 15122/KH-UBND, mục II.4.c), a training session, and some progress, so
"My learning", the management pages and the coverage figures have something to show. Deterministic."""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from org.models import Official, Unit

from . import services
from .models import Assignment, Attendance, Completion, LessonProgress, Requirement, TrainingSession
from .selectors import module_lessons

PROVINCE_CODE = "75"
DEMO_OFFICIAL_CODE = "25993-MC01"
MOT_CUA = "co-che-mot-cua-mot-cua-lien-thong"
PHAN_MEM = "su-dung-phan-mem-mot-cua-dien-tu-va-dich-vu-cong-truc-tuyen"
TTHC = "thu-tuc-hanh-chinh-va-kiem-soat-thu-tuc-hanh-chinh"
CHU_KY_SO = "chu-ky-so-va-van-ban-dien-tu"


def _course(slug):
    from content.models import CoursePage

    return CoursePage.objects.filter(slug=slug).first()


@transaction.atomic
def seed_lms(*, seed: int = 2020) -> dict:
    """Create the demo requirements and a session, assign them, and give part of each audience progress and
    completions. Does nothing if requirements exist or the demo content is missing. Returns counts."""
    from exams.models import Exam

    province = Unit.objects.filter(code=PROVINCE_CODE).first()
    mot_cua, phan_mem, tthc, chu_ky_so = (_course(s) for s in (MOT_CUA, PHAN_MEM, TTHC, CHU_KY_SO))
    if Requirement.objects.exists() or province is None or not all((mot_cua, phan_mem, tthc, chu_ky_so)):
        return {}
    today = timezone.localdate()
    # Created "a month ago", so everyone assigned now belongs to the first cohort and keeps the plan's due date.
    created = timezone.now() - dt.timedelta(days=30)
    exam = Exam.objects.filter(is_published=True).order_by("created_at").first()

    one_stop = Requirement.objects.create(
        title="100% công chức tiếp nhận hồ sơ một cửa được bồi dưỡng nghiệp vụ",
        plan_clause="KH 15122/KH-UBND, mục II.4.c",
        description="Công chức làm công việc tiếp nhận hồ sơ tại Bộ phận Một cửa của các sở, ngành, UBND cấp huyện, "
                    "cấp xã học hai học phần về cơ chế một cửa và phần mềm một cửa điện tử, rồi đạt bài sát hạch. "
                    "Kế hoạch giao hoàn thành chậm nhất trong quý III/2020.",
        exam=exam, due_date=today + dt.timedelta(days=45), validity_months=24, renewal_window_days=60,
        audience_one_stop_receivers=True)
    one_stop.audience_units.set([province])
    one_stop.modules.set([mot_cua, phan_mem])

    reform = Requirement.objects.create(
        title="100% công chức phụ trách CCHC được bồi dưỡng nghiệp vụ cải cách hành chính",
        plan_clause="KH 15122/KH-UBND, mục II.4.c; Phụ lục, mục IV.3",
        description="Công chức phụ trách cải cách hành chính học học phần về thủ tục hành chính và kiểm soát thủ tục "
                    "hành chính, và tham dự một buổi tập huấn nghiệp vụ do Sở Nội vụ tổ chức (tháng 10/2020).",
        requires_attendance=True, due_date=today + dt.timedelta(days=75), audience_reform_officers=True)
    reform.audience_units.set([province])
    reform.modules.set([tthc])

    leaders = Requirement.objects.create(
        title="Lãnh đạo đơn vị sử dụng chữ ký số trong giải quyết thủ tục hành chính",
        plan_clause="KH 15122/KH-UBND, mục II.6",
        description="Lãnh đạo các đơn vị, địa phương học học phần về chữ ký số và văn bản điện tử.",
        due_date=today - dt.timedelta(days=10), validity_months=12, renewal_window_days=30, audience_leaders=True)
    leaders.audience_units.set([province])
    leaders.modules.set([chu_ky_so])
    Requirement.objects.filter(pk__in=[one_stop.pk, reform.pk, leaders.pk]).update(created_at=created)

    now = timezone.now()
    past = TrainingSession.objects.create(
        title="Tập huấn nghiệp vụ cải cách hành chính – đợt 1", requirement=reform,
        starts_at=now - dt.timedelta(days=6, hours=2), ends_at=now - dt.timedelta(days=6),
        location="Hội trường Sở Nội vụ, TP Biên Hòa", trainer="Phòng Cải cách hành chính, Sở Nội vụ",
        audience_reform_officers=True, scope_unit=None)
    past.audience_units.set([province])
    upcoming = TrainingSession.objects.create(
        title="Tập huấn nghiệp vụ cải cách hành chính – đợt 2", requirement=reform,
        starts_at=now + dt.timedelta(days=12, hours=1), ends_at=now + dt.timedelta(days=12, hours=4),
        location="Hội trường Sở Nội vụ, TP Biên Hòa", trainer="Phòng Cải cách hành chính, Sở Nội vụ",
        audience_reform_officers=True, scope_unit=None)
    upcoming.audience_units.set([province])

    for requirement in (one_stop, reform, leaders):
        services.requirement_assign(requirement=requirement)

    rng = random.Random(seed)
    counts = {"requirements": 3, "sessions": 2, "completions": 0, "in_progress": 0}
    demo_official = Official.objects.filter(employee_code=DEMO_OFFICIAL_CODE).first()
    for requirement, share_done, share_started in ((one_stop, 0.35, 0.25), (reform, 0.3, 0.3), (leaders, 0.6, 0.15)):
        lessons = module_lessons(requirement.modules.values_list("pk", flat=True))
        ids = sorted(Assignment.objects.filter(requirement=requirement).values_list("official_id", flat=True))
        done, started = [], []
        for oid in ids:
            if demo_official and oid == demo_official.pk:
                continue
            r = rng.random()
            (done if r < share_done else started if r < share_done + share_started else []).append(oid)
        counts["completions"] += _complete(requirement, done, lessons, rng, attended_session=past)
        counts["in_progress"] += _start(started, lessons, rng)
    if demo_official:
        # The demo official is half-way through the first module: "Resume" has somewhere to go.
        lessons = module_lessons([mot_cua.pk])[mot_cua.pk]
        _progress(demo_official.pk, mot_cua.pk, lessons[:2], completed=True, when=now - dt.timedelta(days=2))
        _progress(demo_official.pk, mot_cua.pk, lessons[2:3], completed=False, when=now - dt.timedelta(days=1),
                  position=0.4)
    for requirement in (one_stop, reform, leaders):
        services.completion_evaluate(requirement=requirement)
        services.assignment_status_refresh(requirement=requirement)
    return counts


def _progress(oid, course_id, lesson_ids, *, completed, when, position=1.0):
    rows = [LessonProgress(official_id=oid, lesson_id=lid, course_id=course_id, position=position if not completed else 1.0,
                           completed_at=when if completed else None) for lid in lesson_ids]
    LessonProgress.objects.bulk_create(rows, ignore_conflicts=True)
    LessonProgress.objects.filter(official_id=oid, lesson_id__in=lesson_ids).update(started_at=when - dt.timedelta(hours=1))


def _complete(requirement, official_ids, lessons, rng, *, attended_session) -> int:
    """Lessons finished (and attendance where required) some days ago, recorded as demo completions."""
    from . import rules

    now = timezone.now()
    progress, completions, attendance = [], [], []
    for oid in official_ids:
        when = now - dt.timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 10))
        for course_id, lesson_ids in lessons.items():
            progress += [LessonProgress(official_id=oid, lesson_id=lid, course_id=course_id, position=1.0,
                                        completed_at=when) for lid in lesson_ids]
        if requirement.requires_attendance:
            attendance.append(Attendance(session=attended_session, official_id=oid, present=True))
        completions.append(Completion(
            official_id=oid, requirement=requirement, completed_at=when, source=Completion.Source.DEMO,
            expires_at=rules.expiry_for(timezone.localdate(when), requirement.validity_months),
            evidence={"demo": True, "exam": requirement.exam_id is not None}))
    LessonProgress.objects.bulk_create(progress, batch_size=2000, ignore_conflicts=True)
    Attendance.objects.bulk_create(attendance, batch_size=2000, ignore_conflicts=True)
    Completion.objects.bulk_create(completions, batch_size=2000)
    saved = list(Completion.objects.filter(requirement=requirement, official_id__in=official_ids)
                 .select_related("official", "requirement")) if len(official_ids) < 900 else list(
        Completion.objects.filter(requirement=requirement).select_related("official", "requirement"))
    services.certificates_issue(completions=saved)
    by_official = {c.official_id: c for c in saved}
    rows = list(Assignment.objects.filter(requirement=requirement, official_id__in=list(by_official))) \
        if len(by_official) < 900 else [a for a in Assignment.objects.filter(requirement=requirement)
                                        if a.official_id in by_official]
    for a in rows:
        c = by_official[a.official_id]
        a.completion, a.completed_at, a.expires_at = c, c.completed_at, c.expires_at
        a.started_at = c.completed_at - dt.timedelta(days=1)
    Assignment.objects.bulk_update(rows, ["completion", "completed_at", "expires_at", "started_at"], batch_size=2000)
    return len(saved)


def _start(official_ids, lessons, rng) -> int:
    now = timezone.now()
    rows = []
    for oid in official_ids:
        course_id, lesson_ids = next(iter(lessons.items()))
        k = rng.randint(0, max(len(lesson_ids) - 1, 0))
        when = now - dt.timedelta(days=rng.randint(1, 20))
        rows += [LessonProgress(official_id=oid, lesson_id=lid, course_id=course_id, position=1.0, completed_at=when)
                 for lid in lesson_ids[:k]]
        if k < len(lesson_ids):
            rows.append(LessonProgress(official_id=oid, lesson_id=lesson_ids[k], course_id=course_id,
                                       position=round(rng.uniform(0.1, 0.8), 2)))
    LessonProgress.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(official_ids)


def reset() -> None:
    """Remove the LMS's records of the demo (requirements, assignments, progress, completions and their
    certificates, sessions and attendance), so the roster and the unit tree under them can go too (demo only)."""
    from .models import Certificate

    with transaction.atomic():
        Certificate.objects.all().delete()
        Attendance.objects.all().delete()
        Completion.objects.all().delete()
        Assignment.objects.all().delete()
        LessonProgress.objects.all().delete()
        TrainingSession.objects.all().delete()
        Requirement.objects.all().delete()
