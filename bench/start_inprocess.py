"""A shift's start measured in one process: N candidates whose sittings were prepared at check-in press "Bắt đầu"
through the real URL, middleware and API (Django's test client) against the bench database (PostgreSQL, Redis):
CPU and wall time per start. Run after bench/exam_setup.py (it resets the shift's sittings to READY first).

    .venv/bin/python bench/start_inprocess.py            # N=200 by default
    N=300 PROFILE=1 .venv/bin/python bench/start_inprocess.py
    BURST=1 .venv/bin/python bench/start_inprocess.py    # the 60-s spread's start instead: no session, the paper
                                                         # drawn at the start (the general path)
"""
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import exam_setup  # noqa: E402,F401  (the bench database and Redis, production settings)

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from exams.models import Attempt, Exam  # noqa: E402

N = int(os.environ.get("N", "200"))


def main():
    if os.environ.get("BURST"):
        from org.models import Official

        exam_setup.reset_burst()
        exam = Exam.objects.get(title=exam_setup.BURST_EXAM_TITLE)
        users = [o.user for o in Official.objects.filter(user__isnull=False).select_related("user")[:N]]
    else:
        exam_setup.reset_shift()
        exam = Exam.objects.get(title=exam_setup.SHIFT_EXAM_TITLE)
        users = [a.official.user for a in Attempt.with_prepared.filter(exam=exam, status="ready")
                 .select_related("official__user")[:N]]
    clients = []
    for user in users:  # signed in, each client's middleware loaded before the clock starts
        client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.0.0.1")
        client.force_login(user)
        # A static path: the session is left as the shift finds it, with nothing remembered by an earlier request.
        client.get("/static/missing.txt")
        clients.append(client)
    url = f"/api/exams/{exam.pk}/attempts"
    profile = cProfile.Profile() if os.environ.get("PROFILE") else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profile:
        profile.enable()
    for client in clients:
        reply = client.post(url, data=json.dumps({"access_code": ""}), content_type="application/json")
        assert reply.status_code == 201, (reply.status_code, reply.content[:300])
    if profile:
        profile.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{len(clients)} starts: CPU {cpu / len(clients) * 1000:.2f} ms per start, "
          f"wall {wall / len(clients) * 1000:.2f} ms per start")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
