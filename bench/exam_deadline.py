"""Exam engine benchmark, deadline: a whole exam ends at once and the periodic task submits every sitting left open.

Run:  .venv/bin/python bench/exam_deadline.py                  (2,000 sittings, runs of 1 and then 2 processes)
      .venv/bin/python bench/exam_deadline.py --sittings 5000 --processes 1,2,4
Needs the database of bench/exam_setup.py. For each number of processes it forgets the start-burst exam's sittings,
starts N of them through `services.attempt_start` (60 questions each, no answers), moves their deadline a minute
into the past and runs `services.attempts_finalise_overdue` in that many processes at once — as overlapping runs of
the Celery beat task (every 30 s) would — then checks that every sitting was graded exactly once.
"""
import argparse
import datetime as dt
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import exam_setup  # noqa: E402  (sets the bench environment)

import django  # noqa: E402


def prepare(n: int) -> int:
    from django.utils import timezone

    from exams import services
    from exams.models import Attempt, Exam
    from org.models import Official

    exam_setup.reset_burst()
    exam = Exam.objects.get(title=exam_setup.BURST_EXAM_TITLE)
    for official in Official.objects.filter(employee_code__startswith="BENCH-").order_by("pk")[:n]:
        services.attempt_start(exam=exam, official=official, ip="127.0.0.1")
    return Attempt.objects.filter(exam=exam, status=Attempt.Status.IN_PROGRESS).update(
        deadline=timezone.now() - dt.timedelta(minutes=1))


def finalise(_index: int) -> tuple[int, float]:
    django.setup()
    from django.db import connection

    from exams import services

    connection.close()  # a connection of its own, not the parent's
    started = time.perf_counter()
    count = services.attempts_finalise_overdue()
    return count, round(time.perf_counter() - started, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sittings", type=int, default=2000)
    parser.add_argument("--processes", default="1,2")
    args = parser.parse_args()
    django.setup()
    from django.db import connection

    from exams.models import Attempt, AttemptEvent

    rows = []
    for processes in [int(p) for p in args.processes.split(",")]:
        overdue = prepare(args.sittings)
        connection.close()
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            runs = pool.map(finalise, range(processes))
        wall = round(time.perf_counter() - started, 1)
        burst = Attempt.objects.filter(exam__title=exam_setup.BURST_EXAM_TITLE)
        row = {"sittings": overdue, "processes": processes, "wall_s": wall,
               "per_sitting_ms": round(wall / max(overdue, 1) * 1000 * processes, 1),
               "counted_per_process": [c for c, _s in runs],
               "left_open": burst.filter(status=Attempt.Status.IN_PROGRESS).count(),
               "timeout_events": AttemptEvent.objects.filter(attempt__in=burst, kind="timeout").count()}
        rows.append(row)
        print(json.dumps(row), flush=True)
    exam_setup.reset_burst()


if __name__ == "__main__":
    main()
