"""Benchmark: anonymous page serving (cache miss vs hit) and search latency over the demo content.

Run:  .venv/bin/python bench/pages.py      (a fresh SQLite file with the full demo; PostgreSQL with DATABASE_URL)
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key-signs-nothing-that-outlives-the-run")  # DEBUG is off
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from content.cache import invalidate  # noqa: E402
from content.models import LessonPage  # noqa: E402

RUNS = 200


def ms(samples):
    samples = sorted(samples)
    return f"median {statistics.median(samples) * 1000:6.1f} ms   p95 {samples[int(len(samples) * .95)] * 1000:6.1f} ms"


def main():
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", officials=3000, stdout=open(os.devnull, "w"))
    client = Client()
    lesson = LessonPage.objects.live().first().url
    miss, hit = [], []
    for _ in range(RUNS):
        invalidate()
        t = time.perf_counter(); r = client.get(lesson); miss.append(time.perf_counter() - t)
        assert r["X-Page-Cache"] == "miss"
        t = time.perf_counter(); r = client.get(lesson); hit.append(time.perf_counter() - t)
        assert r["X-Page-Cache"] == "hit"
    print(f"{connection.vendor}, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")
    print(f"  lesson page, cache miss   {ms(miss)}")
    print(f"  lesson page, cache hit    {ms(hit)}")
    for q in ("dong nai", "thu tuc hanh chinh", "mot cua", "chu ky so"):
        samples = []
        for _ in range(50):
            t = time.perf_counter(); client.get("/search/", {"q": q}); samples.append(time.perf_counter() - t)
        print(f"  search “{q}”{' ' * (20 - len(q))}{ms(samples)}")


if __name__ == "__main__":
    main()
