"""The whole autosave request before and after issue 12, side by side: every middleware, the session and the signed-in
user from Redis, django-ninja, the service and the PostgreSQL statement, in process (Django's WSGI handler
called as gunicorn calls it, with the browser's cookies and CSRF header; no sockets, gunicorn or nginx, which
neither version changed). `bench/autosave_cost.py` isolates the service; this
adds what the issue changed around it (sessions kept in the database and cached, CSP and Permissions-Policy headers,
the client address and NUL checks, JSON errors).

"Before" runs the code of BEFORE_REV, checked out by this script in a temporary git worktree, with the same virtualenv;
"after" runs this checkout. Each has its own database, migrated by its own code, with the same data; runs alternate
(before, after, after, before, …) in fresh processes so that neither gains from the other's warm caches.

Run:  .venv/bin/python bench/autosave_request.py          (needs PostgreSQL and Redis on 127.0.0.1)
Environment: BENCH_SITTINGS (200), BENCH_SAVES (4000 per run), BENCH_RUNS (4 per variant), BEFORE_REV (b68af53).
"""
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SITTINGS = int(os.environ.get("BENCH_SITTINGS", "200"))
SAVES = int(os.environ.get("BENCH_SAVES", "4000"))
RUNS = int(os.environ.get("BENCH_RUNS", "4"))
BEFORE_REV = os.environ.get("BEFORE_REV", "b68af53")
PG = "postgres://postgres@127.0.0.1:5432/"
REDIS = {"before": "redis://127.0.0.1:6379/12", "after": "redis://127.0.0.1:6379/13"}


def env_for(variant: str) -> dict:
    return {**os.environ, "DATABASE_URL": PG + f"cchc_req_{variant}", "REDIS_URL": REDIS[variant],
            "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", "REQUIRE_STAFF_MFA": "true",
            "TRUSTED_CLIENT_IP_HEADER": "X-Real-IP", "CELERY_TASK_ALWAYS_EAGER": "true",
            "SECRET_KEY": "bench-only-key-signs-nothing-that-outlives-the-run"}


# --- In the child process: one code tree, one database ------------------------------------------------------------

def _child(mode: str, root: str) -> None:
    sys.path.insert(0, root)
    os.chdir(root)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from exams import formats, services
    from django.db.models import Max

    from exams.models import Answer, Attempt, Exam, ExamSection
    from org.models import Unit, UnitKind
    from tests.factories import OfficialFactory

    if mode == "setup":
        call_command("migrate", verbosity=0)
        cache.clear()
        unit = Unit.objects.create(code="75", name="Tỉnh Đồng Nai", kind=UnitKind.PROVINCE)
        root_topic = services.topic_get_or_create(name="Bench", parent=None)
        bank = "\n\n".join(f"::Câu {i}::Câu hỏi số {i}?{{=Đúng ~Sai A ~Sai B ~Sai C}}" for i in range(1, 91))
        services.bank_import(root=root_topic, questions=formats.parse_gift(bank))
        exam = Exam.objects.create(title="Bench: autosave", time_limit_minutes=600, is_published=True)
        ExamSection.objects.create(exam=exam, topic=root_topic, draw_count=30)
        for _ in range(SITTINGS):
            services.attempt_start(exam=exam, official=OfficialFactory(unit=unit), ip="127.0.0.1")
        return

    # measure: each candidate's browser signed in, the room opened in its tab, then saves round the candidates, each
    # handed to Django's WSGI handler as gunicorn hands it (cookies, CSRF header, the proxy's address header).
    from io import BytesIO

    from django.core.handlers.wsgi import WSGIHandler

    rooms = []
    for attempt in Attempt.objects.select_related("official__user").order_by("pk"):
        browser = Client(HTTP_X_REAL_IP="10.20.3.4")
        browser.force_login(attempt.official.user)
        opened = browser.post(f"/api/attempts/{attempt.pk}/claim", json.dumps({"client": "tab"}),
                              content_type="application/json")
        if opened.status_code != 200:  # before issue 12 there was no claim: opening the room was a GET
            opened = browser.get(f"/api/attempts/{attempt.pk}?client=tab")
        assert opened.status_code == 200, opened.content
        browser.get("/thi/")  # the page sets the CSRF cookie
        cookies = {k: v.value for k, v in browser.cookies.items()}
        paper = {q["slot"]: [o["id"] for o in q["options"]] for q in opened.json()["paper"]}
        rooms.append((cookies, attempt.pk, paper))
    app = WSGIHandler()
    rng = random.Random(7)
    seq = Answer.objects.aggregate(top=Max("seq"))["top"] or 0  # newer than any earlier run's
    times = []
    for n in range(SAVES + len(rooms)):
        cookies, attempt_id, paper = rooms[n % len(rooms)]
        slot = rng.randint(1, len(paper))
        seq += 1
        body = json.dumps({"response": {"choice": rng.choice(paper[slot])}, "seq": seq, "client": "tab"}).encode()
        environ = {"REQUEST_METHOD": "PUT", "PATH_INFO": f"/api/attempts/{attempt_id}/answers/{slot}",
                   "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
                   "wsgi.input": BytesIO(body), "wsgi.errors": sys.stderr, "CONTENT_TYPE": "application/json",
                   "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": "application/json",
                   "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                   "HTTP_X_CSRFTOKEN": cookies["csrftoken"], "HTTP_X_REAL_IP": "10.20.3.4"}
        status = []
        t = time.perf_counter()
        result = app(environ, lambda s, h, exc_info=None: status.append(s))
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        elapsed = time.perf_counter() - t
        assert status[0].startswith("200"), (status, b"".join(result))
        if n >= len(rooms):  # the first round warms prepared statements and caches
            times.append(elapsed)
    print(json.dumps(times))


# --- The driver -----------------------------------------------------------------------------------------------------

def recreate(dbname: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def run(variant: str, root: Path, mode: str) -> list[float]:
    out = subprocess.run([sys.executable, str(HERE / "bench" / "autosave_request.py"), "--child", mode, str(root)],
                         env=env_for(variant), cwd=root, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{variant} {mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1]) if mode == "measure" else []


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(before), BEFORE_REV], cwd=HERE, check=True)
        try:
            roots = {"before": before, "after": HERE}
            for variant, root in roots.items():
                recreate(f"cchc_req_{variant}")
                subprocess.run([sys.executable, "manage.py", "compile_translations"], env=env_for(variant), cwd=root,
                               check=True, capture_output=True)
                run(variant, root, "setup")
            results: dict[str, list[list[float]]] = {"before": [], "after": []}
            order = ["before", "after", "after", "before"] * ((RUNS + 1) // 2)
            for variant in order[: 2 * RUNS]:
                results[variant].append(run(variant, roots[variant], "measure"))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=HERE, check=False)
    print(f"{SITTINGS} candidates, {SAVES} saves per run, {RUNS} runs per variant (interleaved), before = {BEFORE_REV}")
    print("| variant | p50 (ms) | p95 (ms) | mean (ms) | run means (ms) |")
    print("|---|---|---|---|---|")
    for variant, runs in results.items():
        every = [t for r in runs for t in r]
        means = ", ".join(f"{statistics.mean(r) * 1e3:.2f}" for r in runs)
        print(f"| {variant} | {pct(every, 50) * 1e3:.2f} | {pct(every, 95) * 1e3:.2f} | "
              f"{statistics.mean(every) * 1e3:.2f} | {means} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
