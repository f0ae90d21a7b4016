"""Exam engine benchmark, setup: a fresh PostgreSQL database and Redis db with 10,000 signed-in officials.

Run:  .venv/bin/python bench/exam_setup.py                 (drops and recreates the bench database, ~2 min)
      .venv/bin/python bench/exam_setup.py --reset-burst   (only forgets the start-burst exam's sittings)
Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/cchc_exam_bench), BENCH_REDIS_URL
(default redis://127.0.0.1:6379/14; the whole Redis db is flushed), BENCH_USERS (10000), BENCH_BASE_URL.

It makes 10,000 officials with accounts (bulk), a topic tree of 3 sections × 200 questions, two published 60-question
exams (3 sections drawing 20 each: pools of 200 ≥ 3 × 20), starts a sitting for every official on the autosave exam
through `services.attempt_start` (the real code path), logs every account in by writing its session straight into
the session store (Redis, as in production) and writes the cookies and CSRF tokens to bench/results/exam_sessions.tmp
for the locust files. The sessions are ordinary Django sessions: the server cannot tell them from a form login.
"""
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_exam_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
USERS = int(os.environ.get("BENCH_USERS", "10000"))
SESSIONS_FILE = ROOT / "bench" / "results" / "exam_sessions.tmp"
SECTIONS = 3
POOL_PER_SECTION = 200
DRAW_PER_SECTION = 20
BURST_EXAM_TITLE = "Bench: start burst"
SAVE_EXAM_TITLE = "Bench: autosave"
SHIFT_EXAM_TITLE = "Bench: a shift opens"
SHIFT_USERS = int(os.environ.get("BENCH_SHIFT_USERS", "2000"))
SHIFT_ROOM_SEATS = 50


def server_env() -> dict:
    """The environment the benchmark's gunicorn runs with: production shape (PostgreSQL, Redis sessions and cache,
    staff MFA on), the bench floor view switched on."""
    return {"DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings",
            "REQUIRE_STAFF_MFA": "true", "BENCH_FLOOR": "true", "DEBUG": "false", "CACHE_KEY_PREFIX": "cchcbench",
            # One key for the setup and the server: the sessions the setup makes must be valid in gunicorn.
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-key-signs-nothing-that-outlives-the-run"}


os.environ.update({k: v for k, v in server_env().items() if k not in ("BENCH_FLOOR",)})

import django  # noqa: E402


def recreate_database() -> None:
    import psycopg

    dbname = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def timed(label):
    class _T:
        def __enter__(self):
            self.t = time.perf_counter()

        def __exit__(self, *exc):
            print(f"  {label:<44} {time.perf_counter() - self.t:7.1f} s", flush=True)
    return _T()


def make_officials(n: int) -> list:
    from django.contrib.auth.hashers import make_password

    from org import demo
    from org.models import Category, Official, Unit, User
    from common.text import fold

    demo.seed_units()
    units = list(Unit.objects.exclude(kind="province").order_by("pk"))
    unusable = make_password(None)  # nobody signs in with a password here; sessions are written directly
    User.objects.bulk_create([User(username=f"bench{i:05d}", password=unusable, last_name="Nguyễn Văn",
                                   first_name=f"Thử {i}") for i in range(n)], batch_size=2000)
    user_ids = dict(User.objects.filter(username__startswith="bench").values_list("username", "id"))
    cats = [c for c, _label in Category.choices]
    Official.objects.bulk_create(
        [Official(user_id=user_ids[f"bench{i:05d}"], employee_code=f"BENCH-{i:05d}", full_name=f"Nguyễn Văn Thử {i}",
                  name_folded=fold(f"Nguyễn Văn Thử {i}"), unit=units[i % len(units)], category=cats[i % len(cats)],
                  is_one_stop_receiver=i % 9 == 0)
         for i in range(n)], batch_size=2000)
    return list(Official.objects.filter(employee_code__startswith="BENCH-").select_related("user").order_by("pk"))


def make_bank():
    from exams import formats, services
    from exams.formats.model import Choice
    from exams.models import Topic

    root = services.topic_get_or_create(name="Bench: Cải cách hành chính", parent=None)
    sections = []
    for s in range(SECTIONS):
        section = services.topic_get_or_create(name=f"Phần {s + 1}", parent=root)
        sections.append(section)
        for sub in range(2):
            topic = services.topic_get_or_create(name=f"Chủ đề {s + 1}.{sub + 1}", parent=section)
            for q in range(POOL_PER_SECTION // 2):
                n = f"{s + 1}.{sub + 1}.{q + 1}"
                text = (f"<p>Câu {n}: Theo Kế hoạch cải cách hành chính năm 2020 của tỉnh Đồng Nai, thời hạn giải "
                        f"quyết thủ tục hành chính số {q + 1} tại Bộ phận Một cửa cấp huyện là bao nhiêu ngày?</p>")
                if q % 10 == 9:
                    question = formats.Question(kind="truefalse", name=f"Câu {n}", text=text, truth=True,
                                                choices=[Choice("true", 1.0), Choice("false", 0.0)])
                elif q % 10 == 8:
                    question = formats.Question(kind="multiple", name=f"Câu {n}", text=text, choices=[
                        Choice(f"Phương án {k + 1} cho câu {n}", 0.5 if k < 2 else -0.5) for k in range(4)])
                else:
                    question = formats.Question(kind="single", name=f"Câu {n}", text=text, choices=[
                        Choice(f"{5 * (k + 1)} ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ", 1.0 if k == 0 else 0.0,
                               feedback="Xem Điều 7 của Kế hoạch.") for k in range(4)])
                services.question_save(q=question, topic=topic)
    assert Topic.objects.count() == 1 + SECTIONS * 3
    return sections


def make_exam(title: str, sections) -> int:
    from exams.models import Exam, ExamSection

    exam = Exam.objects.create(title=title, time_limit_minutes=24 * 60, attempts_allowed=1, is_published=True,
                               shuffle_questions=True, shuffle_options=True)
    for i, topic in enumerate(sections):
        section = ExamSection.objects.create(exam=exam, order=i, topic=topic, draw_count=DRAW_PER_SECTION)
        assert section.pool_size() >= 180 and not section.pool_warning(), section.pool_size()
    return exam.pk


def start_all(exam_id: int, officials) -> dict[int, int]:
    from exams import services
    from exams.models import Exam

    exam = Exam.objects.get(pk=exam_id)
    out = {}
    for i, official in enumerate(officials, start=1):
        out[official.pk] = services.attempt_start(exam=exam, official=official, ip="127.0.0.1").pk
        if i % 2000 == 0:
            print(f"    {i} sittings started", flush=True)
    return out


def sign_in(officials) -> list[dict]:
    """One Django session per account, written to the session store exactly as `django.contrib.auth.login`
    would, plus a CSRF cookie and the masked token a page would embed."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    rows = []
    for official in officials:
        session = store()
        session[SESSION_KEY] = str(official.user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = official.user.get_session_auth_hash()
        session.create()
        secret = _get_new_csrf_string()
        rows.append({"official": official.pk, "sessionid": session.session_key, "csrftoken": secret,
                     "csrf_header": _mask_cipher_secret(secret)})
    return rows


def paper_options(exam_id: int) -> dict[int, str]:
    """Each sitting's option identifiers, packed (bench/paper_ids.py), read in one query."""
    from exams.models import AttemptQuestion
    from paper_ids import pack

    slots: dict[int, list[list[str]]] = {}
    for attempt_id, elements in (AttemptQuestion.objects.filter(attempt__exam_id=exam_id)
                                 .order_by("attempt_id", "slot").values_list("attempt_id", "elements")):
        slots.setdefault(attempt_id, []).append([i for i, _n in elements.get("options", [])])
    return {attempt_id: pack(ids) for attempt_id, ids in slots.items()}


def make_shift(exam_id: int, officials) -> None:
    """A session of one shift running the exam in rooms of 50 seats for the first SHIFT_USERS officials, every
    candidate checked in (so their paper is drawn and frozen) and every room opened, as supervisors do before the
    candidates press "Bắt đầu"."""
    import datetime as dt

    from django.utils import timezone

    from exams import services
    from exams.models import ExamRoom, ExamSession, Seat, Shift

    session = ExamSession.objects.create(title="Bench: kỳ sát hạch", starts_on=dt.date.today())
    rooms = -(-SHIFT_USERS // SHIFT_ROOM_SEATS)
    for r in range(rooms):
        ExamRoom.objects.create(session=session, name=f"P{r + 1:03d}", seats=SHIFT_ROOM_SEATS)
    Shift.objects.create(session=session, exam_id=exam_id, name="Ca 1", starts_at=timezone.now())
    services.session_room_shifts_sync(session=session)
    services.session_candidates_add(session=session, officials=officials[:SHIFT_USERS])
    services.session_seats_assign(session=session)
    for i, seat in enumerate(Seat.objects.filter(candidate__session=session).order_by("pk"), start=1):
        services.seat_check_in(seat=seat, present=True, identity_checked=True)
        if i % 500 == 0:
            print(f"    {i} candidates checked in, papers drawn", flush=True)
    for room_shift in session.shifts.get().rooms.all():
        services.room_shift_open(room_shift=room_shift)


def reset_shift() -> None:
    """Put the shift back as the supervisors left it before the candidates pressed "Bắt đầu": every checked-in
    candidate's sitting READY with its frozen slots (written at check-in), nothing answered, no start recorded."""
    from exams.models import Attempt, AttemptEvent, AttemptQuestion, Answer, Exam

    attempts = Attempt.with_prepared.filter(exam=Exam.objects.get(title=SHIFT_EXAM_TITLE))
    for model in (Answer, AttemptEvent):
        model.objects.filter(attempt__in=attempts).delete()
    AttemptQuestion.objects.filter(attempt__in=attempts, fraction__isnull=False).update(
        fraction=None, comment="", graded_by=None, graded_at=None)  # only if graded: no 120,000 dead rows a run
    n = attempts.update(status=Attempt.Status.READY, submitted_at=None, score=None, needs_manual_grading=False,
                        started_ip=None, active_client="")
    print(f"  {n} sittings of the shift's exam READY again (their slots stay frozen)")
    vacuum()


def vacuum() -> None:
    """Every run from the same state: the sittings' tables without the dead rows of the previous run (a reset
    deletes 120,000 slots), rather than autovacuum catching up in the middle of a measured phase."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) exams_attemptquestion, exams_attempt, exams_attemptevent, exams_answer")


def reset_burst() -> None:
    from exams.models import Attempt, AttemptEvent, AttemptQuestion, Answer, Exam

    exam = Exam.objects.get(title=BURST_EXAM_TITLE)
    attempts = Attempt.objects.filter(exam=exam)
    for model in (Answer, AttemptQuestion, AttemptEvent):
        model.objects.filter(attempt__in=attempts).delete()
    print(f"  forgot {attempts.delete()[0]} sittings of the start-burst exam")
    vacuum()


def main():
    if "--reset-burst" in sys.argv:
        django.setup()
        reset_burst()
        return
    print(f"Setting up {USERS} officials in {DATABASE_URL} and {REDIS_URL}")
    with timed("recreate database, flush Redis db"):
        recreate_database()
        flush_redis()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    with timed("migrate"):
        call_command("migrate", verbosity=0)
    with timed(f"units + {USERS} accounts and officials (bulk)"):
        officials = make_officials(USERS)
    with timed(f"bank: {SECTIONS} sections × {POOL_PER_SECTION} questions"):
        sections = make_bank()
    burst_exam, save_exam = make_exam(BURST_EXAM_TITLE, sections), make_exam(SAVE_EXAM_TITLE, sections)
    shift_exam = make_exam(SHIFT_EXAM_TITLE, sections)
    with timed(f"a session: {SHIFT_USERS} candidates seated, checked in (papers drawn), rooms opened"):
        make_shift(shift_exam, officials)
    with timed(f"start {USERS} sittings (services.attempt_start)"):
        attempts = start_all(save_exam, officials)
    with timed(f"{USERS} sessions in the session store"):
        rows = sign_in(officials)
    options = paper_options(save_exam)
    for row in rows:
        row["attempt"] = attempts[row["official"]]
        row["options"] = options[row["attempt"]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a long-lived database would have
    SESSIONS_FILE.parent.mkdir(exist_ok=True)
    SESSIONS_FILE.write_text(json.dumps({"burst_exam": burst_exam, "save_exam": save_exam, "shift_exam": shift_exam,
                                         "slots": SECTIONS * DRAW_PER_SECTION, "users": rows}))
    print(f"  wrote {len(rows)} sessions to {SESSIONS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
