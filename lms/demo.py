"""Demo requirements from the plan (KH 15122/KH-UBND, mục II.4.c and II.6), training sessions, and learning dated
across the years since 2020, so "My learning", the management pages and coverage as of any date have something to
show: some completions in 2020–2021 (the plan's first wave, expired since where a requirement must be renewed), more
in 2024, more in 2025–2026, renewals, and people who started and stopped. Deterministic.

The requirements are aimed at both provinces' officials (Bình Phước's too, which shared the platform before the
two merged): when the 2025 reform closes Bình Phước, their audience follows it to Tỉnh Đồng Nai."""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from org.models import Official, Unit

from . import rules, services
from .models import (Assignment, Attendance, Certificate, CertificateTemplate, Completion, LessonProgress, Requirement,
                     TrainingSession)
from .selectors import module_lessons

PROVINCE_CODE = "75"
BINH_PHUOC_CODE = "70"
DEMO_OFFICIAL_CODE = "25993-MC01"
MOT_CUA = "co-che-mot-cua-mot-cua-lien-thong"
PHAN_MEM = "su-dung-phan-mem-mot-cua-dien-tu-va-dich-vu-cong-truc-tuyen"
TTHC = "thu-tuc-hanh-chinh-va-kiem-soat-thu-tuc-hanh-chinh"
CHU_KY_SO = "chu-ky-so-va-van-ban-dien-tu"
PLAN_DAY = dt.date(2020, 3, 2)  # the province's plan sets the first two requirements
SIGNATURE_DAY = dt.date(2024, 1, 15)  # the digital-signature requirement comes later
SESSION_DAYS = (dt.date(2020, 10, 15), dt.date(2024, 9, 19), dt.date(2026, 3, 18))


def _course(slug):
    from content.models import CoursePage

    return CoursePage.objects.filter(slug=slug).first()


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _waves(today: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """When people finished, by wave: the plan's first push, the 2024 campaign, and since the 2025 reform."""
    return {"2020": (dt.date(2020, 6, 1), dt.date(2021, 12, 15)), "2024": (dt.date(2024, 2, 1), dt.date(2024, 12, 15)),
            "2025": (dt.date(2025, 1, 10), today - dt.timedelta(days=3))}


@transaction.atomic
def seed_lms(*, seed: int = 2020) -> dict:
    """Create the demo requirements and sessions, assign them on the day they were set, and give part of each
    audience completions and progress dated across the years. Does nothing if requirements exist or the demo
    content is missing. Returns counts."""
    from exams.models import Exam

    units = list(Unit.objects.filter(code__in=[PROVINCE_CODE, BINH_PHUOC_CODE], active_to__isnull=True))
    mot_cua, phan_mem, tthc, chu_ky_so = (_course(s) for s in (MOT_CUA, PHAN_MEM, TTHC, CHU_KY_SO))
    if Requirement.objects.exists() or not units or not all((mot_cua, phan_mem, tthc, chu_ky_so)):
        return {}
    today = timezone.localdate()
    exam = Exam.objects.filter(is_published=True).order_by("created_at").first()

    one_stop = Requirement.objects.create(
        title="100% công chức tiếp nhận hồ sơ một cửa được bồi dưỡng nghiệp vụ",
        plan_clause="KH 15122/KH-UBND, mục II.4.c",
        description="Công chức làm công việc tiếp nhận hồ sơ tại Bộ phận Một cửa của các sở, ngành, UBND cấp huyện, "
                    "cấp xã học hai học phần về cơ chế một cửa và phần mềm một cửa điện tử, rồi đạt bài sát hạch. "
                    "Kế hoạch giao hoàn thành chậm nhất trong quý III/2020; chứng nhận có giá trị 24 tháng.",
        exam=exam, due_date=dt.date(2020, 9, 30), validity_months=24, renewal_window_days=60,
        audience_one_stop_receivers=True)
    one_stop.modules.set([mot_cua, phan_mem])
    services.lms_permissions_setup()
    letterhead = {"issuer_parent": "UBND TỈNH ĐỒNG NAI", "issuer": "SỞ NỘI VỤ", "title": "Giấy chứng nhận",
                  "place": "Đồng Nai"}
    one_stop.certificate_template = CertificateTemplate.objects.create(
        name="Sở Nội vụ – nghiệp vụ một cửa", **letterhead,
        programme="Bồi dưỡng nghiệp vụ tiếp nhận và trả kết quả giải quyết thủ tục hành chính theo cơ chế một cửa",
        signer_authority="KT. GIÁM ĐỐC", signer_position="PHÓ GIÁM ĐỐC", signer_name="Trần Thị Thanh Hà",
        number_suffix="/GCN-SNV")
    one_stop.save(update_fields=["certificate_template"])

    reform = Requirement.objects.create(
        title="100% công chức phụ trách CCHC được bồi dưỡng nghiệp vụ cải cách hành chính",
        plan_clause="KH 15122/KH-UBND, mục II.4.c; Phụ lục, mục IV.3",
        description="Công chức phụ trách cải cách hành chính học học phần về thủ tục hành chính và kiểm soát thủ tục "
                    "hành chính, và tham dự một buổi tập huấn nghiệp vụ do Sở Nội vụ tổ chức (đợt đầu tháng 10/2020).",
        requires_attendance=True, due_date=dt.date(2020, 12, 31), audience_reform_officers=True,
        certificate_template=CertificateTemplate.objects.create(
            name="Sở Nội vụ – nghiệp vụ cải cách hành chính", **letterhead,
            programme="Bồi dưỡng nghiệp vụ cải cách hành chính cho công chức phụ trách cải cách hành chính",
            signer_position="GIÁM ĐỐC", signer_name="Nguyễn Văn Phúc", number_suffix="/GCN-CCHC"))
    reform.modules.set([tthc])

    leaders = Requirement.objects.create(
        title="Lãnh đạo đơn vị sử dụng chữ ký số trong giải quyết thủ tục hành chính",
        plan_clause="KH 15122/KH-UBND, mục II.6",
        description="Lãnh đạo các đơn vị, địa phương học học phần về chữ ký số và văn bản điện tử; học lại hằng năm.",
        due_date=dt.date(2024, 6, 30), validity_months=12, renewal_window_days=30, audience_leaders=True,
        certificate_template=CertificateTemplate.objects.create(
            name="Sở Nội vụ – chữ ký số", **letterhead,
            programme="Bồi dưỡng kỹ năng sử dụng chữ ký số và văn bản điện tử trong giải quyết thủ tục hành chính",
            signer_authority="KT. GIÁM ĐỐC", signer_position="PHÓ GIÁM ĐỐC", signer_name="Trần Thị Thanh Hà",
            number_suffix="/GCN-CKS"))
    leaders.modules.set([chu_ky_so])
    for requirement, day in ((one_stop, PLAN_DAY), (reform, PLAN_DAY), (leaders, SIGNATURE_DAY)):
        requirement.audience_units.set(units)
        requirement.created_at = _at(day, 8)
        Requirement.objects.filter(pk=requirement.pk).update(created_at=requirement.created_at)

    sessions = []
    for n, day in enumerate(SESSION_DAYS + (today + dt.timedelta(days=12),), start=1):
        session = TrainingSession.objects.create(
            title=f"Tập huấn nghiệp vụ cải cách hành chính – đợt {n}", requirement=reform,
            starts_at=_at(day, 8), ends_at=_at(day, 11, 30),
            location="Hội trường Sở Nội vụ, TP Biên Hòa" if day.year < 2026 else "Hội trường Sở Nội vụ tỉnh Đồng Nai",
            trainer="Phòng Cải cách hành chính, Sở Nội vụ", audience_reform_officers=True, scope_unit=None)
        session.audience_units.set(units)
        sessions.append(session)
    TrainingSession.objects.filter(pk__in=[s.pk for s in sessions]).update(created_at=F("starts_at")
                                                                          - dt.timedelta(days=30))

    for requirement in (one_stop, reform, leaders):
        services.requirement_assign(requirement=requirement, now=requirement.created_at)

    rng = random.Random(seed)
    waves = _waves(today)
    demo_official = Official.objects.filter(employee_code=DEMO_OFFICIAL_CODE).first()
    counts = {"requirements": 3, "sessions": len(sessions), "completions": 0, "in_progress": 0}
    plans = (
        (one_stop, {"2020": 0.22, "2024": 0.28, "2025": 0.22}),
        (reform, {"2020": 0.2, "2024": 0.3, "2025": 0.2}),
        (leaders, {"2024": 0.4, "2025": 0.3}),
    )
    for requirement, shares in plans:
        lessons = module_lessons(requirement.modules.values_list("pk", flat=True))
        ids = sorted(Assignment.objects.filter(requirement=requirement).values_list("official_id", flat=True))
        done: dict[int, list[dt.datetime]] = {}
        started: dict[int, dt.datetime] = {}
        for oid in ids:
            if demo_official and oid == demo_official.pk:
                continue
            r, wave = rng.random(), None
            for name, share in shares.items():
                if r < share:
                    wave = name
                    break
                r -= share
            if wave is not None:
                done[oid] = _completion_dates(requirement, waves[wave], rng, today)
            elif r < 0.15:
                start, end = waves[rng.choice(list(shares))]
                started[oid] = _at(_between(rng, start, end), rng.randint(8, 16))
        counts["completions"] += _complete(requirement, done, lessons, sessions[:-1])
        counts["in_progress"] += _start(started, lessons, rng)
    if demo_official:
        # The demo official is half-way through the first module: "Resume" has somewhere to go.
        now = timezone.now()
        lessons = module_lessons([mot_cua.pk])[mot_cua.pk]
        _progress(demo_official.pk, mot_cua.pk, lessons[:2], completed=True, when=now - dt.timedelta(days=2))
        _progress(demo_official.pk, mot_cua.pk, lessons[2:3], completed=False, when=now - dt.timedelta(days=1),
                  position=0.4)
    for requirement in (one_stop, reform, leaders):
        services.completion_evaluate(requirement=requirement)
        services.assignment_status_refresh(requirement=requirement)
    return counts


def _completion_dates(requirement, wave: tuple[dt.date, dt.date], rng: random.Random,
                      today: dt.date) -> list[dt.datetime]:
    """When one official completed a requirement: once in the wave, then (for a requirement that expires) again
    around each expiry, or not, in which case it lapsed."""
    start, end = wave
    if requirement.requires_attendance:  # the course follows a session: finished in the weeks after one
        after = [d for d in SESSION_DAYS if start <= d <= end] or [d for d in SESSION_DAYS if d <= end][-1:]
        start = after[0] + dt.timedelta(days=1) if after else start
        end = min(end, start + dt.timedelta(days=120))
    day = _between(rng, start, end)
    out = [_at(day, rng.randint(8, 16), rng.randint(0, 59))]
    while requirement.validity_months:
        expires = rules.expiry_for(day, requirement.validity_months)
        if expires >= today - dt.timedelta(days=2) or rng.random() < 0.45:
            break
        day = _between(rng, expires - dt.timedelta(days=requirement.renewal_window_days - 1),
                       min(expires + dt.timedelta(days=240), today - dt.timedelta(days=2)))
        out.append(_at(day, rng.randint(8, 16), rng.randint(0, 59)))
    return out


def _progress(oid, course_id, lesson_ids, *, completed, when, position=1.0):
    rows = [LessonProgress(official_id=oid, lesson_id=lid, course_id=course_id, position=position if not completed else 1.0,
                           completed_at=when if completed else None) for lid in lesson_ids]
    LessonProgress.objects.bulk_create(rows, ignore_conflicts=True)
    LessonProgress.objects.filter(official_id=oid, lesson_id__in=lesson_ids).update(started_at=when - dt.timedelta(hours=1))


def _complete(requirement, dates: dict[int, list[dt.datetime]], lessons, sessions) -> int:
    """Each official's lessons (last done just before their latest completion), the session they attended where
    one is required, and their completions, each with its certificate; the assignment points at the latest."""
    progress, completions, attendance = [], [], []
    for oid, whens in dates.items():
        last = whens[-1]
        for course_id, lesson_ids in lessons.items():
            progress += [LessonProgress(official_id=oid, lesson_id=lid, course_id=course_id, position=1.0,
                                        completed_at=last - dt.timedelta(minutes=5 * (len(lesson_ids) - i)))
                         for i, lid in enumerate(lesson_ids)]
        if requirement.requires_attendance:
            session = [s for s in sessions if s.starts_at < whens[0]][-1]
            attendance.append(Attendance(session=session, official_id=oid, present=True))
        completions += [Completion(
            official_id=oid, requirement=requirement, completed_at=when, source=Completion.Source.DEMO,
            expires_at=rules.expiry_for(timezone.localdate(when), requirement.validity_months),
            evidence={"demo": True, "exam": requirement.exam_id is not None}) for when in whens]
    LessonProgress.objects.bulk_create(progress, batch_size=2000, ignore_conflicts=True)
    Attendance.objects.bulk_create(attendance, batch_size=2000, ignore_conflicts=True)
    Completion.objects.bulk_create(completions, batch_size=2000)
    saved = list(Completion.objects.filter(requirement=requirement).select_related("official", "requirement")
                 .order_by("official_id", "completed_at"))
    # Numbered in the order they were earned, and dated the day they were (issued then, in the story the demo tells).
    services.certificates_issue(completions=sorted(saved, key=lambda c: c.completed_at))
    Certificate.objects.filter(completion__requirement=requirement).update(issued_at=Subquery(
        Completion.objects.filter(pk=OuterRef("completion_id")).values("completed_at")[:1]))
    latest = {c.official_id: c for c in saved}  # ordered: the last one wins
    first = {}
    for c in saved:
        first.setdefault(c.official_id, c)
    rows = [a for a in Assignment.objects.filter(requirement=requirement) if a.official_id in latest]
    for a in rows:
        c = latest[a.official_id]
        a.completion, a.completed_at, a.expires_at = c, c.completed_at, c.expires_at
        a.started_at = first[a.official_id].completed_at - dt.timedelta(days=1)
    Assignment.objects.bulk_update(rows, ["completion", "completed_at", "expires_at", "started_at"], batch_size=2000)
    # Lessons were started shortly before they were finished (started_at is set on creation, so it is put back).
    LessonProgress.objects.filter(course_id__in=list(lessons), completed_at__isnull=False).update(
        started_at=F("completed_at") - dt.timedelta(minutes=40))
    return len(saved)


def _start(started: dict[int, dt.datetime], lessons, rng) -> int:
    """Officials who began the first module on a day and stopped part-way."""
    rows, by_day = [], defaultdict(list)
    for oid, when in started.items():
        course_id, lesson_ids = next(iter(lessons.items()))
        k = rng.randint(0, max(len(lesson_ids) - 1, 0))
        rows += [LessonProgress(official_id=oid, lesson_id=lid, course_id=course_id, position=1.0,
                                completed_at=when + dt.timedelta(minutes=20 * (i + 1)))
                 for i, lid in enumerate(lesson_ids[:k])]
        if k < len(lesson_ids):
            rows.append(LessonProgress(official_id=oid, lesson_id=lesson_ids[k], course_id=course_id,
                                       position=round(rng.uniform(0.1, 0.8), 2)))
        by_day[when].append(oid)
    LessonProgress.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    course_ids = [next(iter(lessons))]
    for when, oids in by_day.items():
        LessonProgress.objects.filter(official_id__in=oids, course_id__in=course_ids).update(started_at=when)
    return len(started)


@transaction.atomic
def seed_newcomers(official_ids: list[int], *, seed: int = 2026) -> int:
    """Newly recruited officials: assigned what their roles require (due after the grace period for newcomers),
    and about half of them already started. Returns how many started."""
    rng = random.Random(seed)
    services.requirements_assign(official_ids=official_ids)
    now = timezone.now()
    started = 0
    for oid in official_ids:
        requirement = (Requirement.objects.filter(assignments__official_id=oid, assignments__active=True)
                       .order_by("pk").first())
        if requirement is None or rng.random() < 0.5:
            continue
        course = requirement.modules.order_by("pk").first()
        lessons = module_lessons([course.pk])[course.pk] if course else []
        if lessons:
            _progress(oid, course.pk, lessons[:1], completed=False, when=now - dt.timedelta(days=rng.randint(1, 4)),
                      position=round(rng.uniform(0.2, 0.7), 2))
            started += 1
    for requirement in Requirement.objects.all():
        services.completion_evaluate(requirement=requirement, official_ids=official_ids)
        services.assignment_status_refresh(requirement=requirement, official_ids=official_ids)
    return started


def reset() -> None:
    """Remove the LMS's records of the demo (requirements, assignments, progress, completions and their
    certificates, sessions and attendance), so the roster and the unit tree under them can go too (demo only)."""
    with transaction.atomic():
        Certificate.objects.all().delete()
        Attendance.objects.all().delete()
        Completion.objects.all().delete()
        Assignment.objects.all().delete()
        LessonProgress.objects.all().delete()
        TrainingSession.objects.all().delete()
        Requirement.objects.all().delete()
        CertificateTemplate.objects.all().delete()
