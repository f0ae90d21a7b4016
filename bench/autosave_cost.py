"""The autosave's cost before and after issue 12, side by side in one run on PostgreSQL.

"Before" is `exams/services.py` exactly as it was before the issue (read from git at BEFORE_REV and loaded as a module
of its own): one statement that checks the sitting and writes, with no lock. "After" is today's code: the same
statement holding a KEY SHARE lock on the sitting's row (so a save is either in the grade or refused once a submit
has begun), plus the checks added since (answer size and characters, the exam's IP ranges from process memory).
Both write the same table through the real functions; the two are interleaved in blocks so that drift on a shared
machine hits both alike.

Measured: in-process time per save (one connection, p50/p95/mean), throughput with concurrent processes (each its
own connection, as gunicorn workers), and WAL bytes written per save (the lock is recorded in the row's header).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_save_bench .venv/bin/python bench/autosave_cost.py
Environment: BENCH_SITTINGS (200), BENCH_BLOCKS (12), BENCH_BLOCK (400 saves), BENCH_PROCS (4), BENCH_SECONDS (8),
BEFORE_REV (b68af53, the last commit before issue 12's engine changes).
"""
import importlib.util
import multiprocessing as mp
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_save_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key-signs-nothing-that-outlives-the-run")  # DEBUG is off
os.environ.pop("REDIS_URL", None)  # in-process: the cache plays no part in a save

SITTINGS = int(os.environ.get("BENCH_SITTINGS", "200"))
BLOCKS = int(os.environ.get("BENCH_BLOCKS", "12"))
BLOCK = int(os.environ.get("BENCH_BLOCK", "400"))
PROCS = int(os.environ.get("BENCH_PROCS", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
BEFORE_REV = os.environ.get("BEFORE_REV", "b68af53")

import django  # noqa: E402


def recreate_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    dbname, admin_url = url.rsplit("/", 1)[1], url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def services_before():
    """exams/services.py as of BEFORE_REV, as a module of the exams package (its relative imports resolve)."""
    source = subprocess.run(["git", "show", f"{BEFORE_REV}:exams/services.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("exams._services_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "exams"
    sys.modules[spec.name] = module  # dataclasses look their module up there
    exec(compile(source, f"{BEFORE_REV}:exams/services.py", "exec"), module.__dict__)
    return module


def setup() -> None:
    from django.core.management import call_command

    from exams import formats, services
    from exams.models import Exam, ExamSection
    from org.models import Unit, UnitKind
    from tests.factories import OfficialFactory

    call_command("migrate", verbosity=0)
    unit = Unit.objects.create(code="75", name="Tỉnh Đồng Nai", kind=UnitKind.PROVINCE)
    root = services.topic_get_or_create(name="Bench", parent=None)
    bank = "\n\n".join(f"::Câu {i}::Câu hỏi số {i}?{{=Đúng ~Sai A ~Sai B ~Sai C}}" for i in range(1, 91))
    services.bank_import(root=root, questions=formats.parse_gift(bank))
    exam = Exam.objects.create(title="Bench: autosave", time_limit_minutes=600, is_published=True)
    ExamSection.objects.create(exam=exam, topic=root, draw_count=30)
    for _ in range(SITTINGS):
        services.attempt_start(exam=exam, official=OfficialFactory(unit=unit), ip="127.0.0.1")


def sittings() -> list[tuple]:
    """(user, attempt id, the paper's option ids by slot) of every sitting."""
    from exams.models import Attempt
    from exams.selectors import candidate_paper

    out = []
    for attempt in Attempt.objects.select_related("official__user").order_by("pk"):
        paper = {q["slot"]: [o["id"] for o in q["options"]] for q in candidate_paper(attempt)}
        out.append((attempt.official.user, attempt.pk, paper))
    return out


def saver(variant: str):
    """A function (user, attempt id, slot, response, seq) → stored seq, through the variant's real code path."""
    if variant == "before":
        old = services_before()
        return lambda user, attempt_id, slot, response, seq: old.answer_save_own(
            user=user, attempt_id=attempt_id, slot=slot, response=response, seq=seq, client="tab")
    from exams import services

    return lambda user, attempt_id, slot, response, seq: services.answer_save_own(
        user=user, attempt_id=attempt_id, slot=slot, response=response, seq=seq, client="tab", ip="127.0.0.1")


def wal_lsn() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        return int(cursor.fetchone()[0])


class Seq:
    """One rising sequence number for all saves of the run: each save is newer than the stored answer."""

    def __init__(self, start: int):
        self.n = start

    def next(self) -> int:
        self.n += 1
        return self.n


def block(save, rows, rng, seq: Seq, n: int) -> tuple[list[float], int]:
    times = []
    wal = wal_lsn()
    for _ in range(n):
        user, attempt_id, paper = rows[rng.randrange(len(rows))]
        slot = rng.randint(1, len(paper))
        response = {"choice": rng.choice(paper[slot])}
        t = time.perf_counter()
        save(user, attempt_id, slot, response, seq.next())
        times.append(time.perf_counter() - t)
    return times, wal_lsn() - wal


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _worker(variant: str, index: int, seconds: float, seq_base: int, out) -> None:
    django.setup()
    from django.db import connection

    rows = sittings()
    mine = rows[index::PROCS]  # each process its own candidates, as each candidate has one room
    save = saver(variant)
    rng, seq = random.Random(index), Seq(seq_base)
    block(save, mine, rng, seq, 50)  # warm: prepared statements, the per-process room rules
    times, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        t, _wal = block(save, mine, rng, seq, 20)
        times.extend(t)
    connection.close()
    out.put(times)


def concurrent(variant: str, seq_base: int) -> tuple[float, float, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(variant, i, SECONDS, seq_base + i * 10_000_000, queue))
             for i in range(PROCS)]
    for p in procs:
        p.start()
    times = [t for _ in procs for t in queue.get()]
    for p in procs:
        p.join()
    return len(times) / SECONDS, pct(times, 50) * 1e6, pct(times, 95) * 1e6


def main() -> None:
    recreate_database()
    django.setup()
    from django.db import connection

    setup()
    rows = sittings()
    print(f"PostgreSQL {connection.pg_version // 10000}, {len(rows)} sittings of 30 questions, before = {BEFORE_REV}")
    variants = {"before": saver("before"), "after": saver("after")}
    rng, seq = random.Random(1), Seq(0)
    for save in variants.values():
        block(save, rows, rng, seq, BLOCK)  # warm-up: prepared statements, every slot answered once
    results = {name: {"times": [], "wal": 0, "n": 0} for name in variants}
    for i in range(BLOCKS):
        order = list(variants) if i % 2 == 0 else list(reversed(variants))
        for name in order:
            times, wal = block(variants[name], rows, rng, seq, BLOCK)
            results[name]["times"].extend(times)
            results[name]["wal"] += wal
            results[name]["n"] += len(times)
    print(f"\nOne connection, {BLOCKS} interleaved blocks of {BLOCK} saves each:")
    print("| variant | p50 (µs) | p95 (µs) | mean (µs) | WAL per save (bytes) |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        t = r["times"]
        print(f"| {name} | {pct(t, 50) * 1e6:.0f} | {pct(t, 95) * 1e6:.0f} | {statistics.mean(t) * 1e6:.0f} | "
              f"{r['wal'] / r['n']:.0f} |")
    connection.close()
    print(f"\n{PROCS} processes, {SECONDS:.0f} s each run, runs interleaved (before, after, after, before):")
    print("| variant | saves/s | p50 (µs) | p95 (µs) |")
    print("|---|---|---|---|")
    runs: dict[str, list] = {"before": [], "after": []}
    base = seq.n + 1
    for i, name in enumerate(("before", "after", "after", "before")):
        runs[name].append(concurrent(name, base + i * 100_000_000))
    for name, rs in runs.items():
        print(f"| {name} | {statistics.mean(r[0] for r in rs):.0f} | {statistics.mean(r[1] for r in rs):.0f} | "
              f"{statistics.mean(r[2] for r in rs):.0f} |")


if __name__ == "__main__":
    main()
