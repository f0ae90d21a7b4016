"""Exam engine load, driven by locust (requirements-bench.txt). Normally run by bench/exam_run.py, which starts
nginx and gunicorn, runs the phases below one after another and verifies the database; by hand:

  .venv-bench/bin/locust -f bench/locustfile_exam.py --headless -H http://127.0.0.1:8077 \
      -u 2000 -r 33.4 -t 150s BurstCandidate            # the start burst: 2,000 starts spread over 60 s
  .venv-bench/bin/locust -f bench/locustfile_exam.py --headless -H http://127.0.0.1:8077 \
      -u 10000 -r 83.3 -t 390s AutosaveCandidate        # 10,000 candidates joining over 120 s, a save each 30 s

Every simulated candidate uses its own signed-in session (bench/exam_setup.py wrote them), sends the CSRF cookie
and the X-CSRFToken header as the exam room's JavaScript does, and saves with a rising sequence number, naming the
option by its paper's own identifier (bench/paper_ids.py). Exact latencies (not locust's rounded histogram) and every
acknowledged save (attempt, slot, seq, the option's place k on the paper) are written to BENCH_OUT (a JSON file) when
the run stops, for exam_run.py's report and its database check.
"""
import array
import gc
import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paper_ids import option_id  # noqa: E402

SESSIONS = json.loads(Path(os.environ.get(
    "BENCH_SESSIONS", Path(__file__).resolve().parent / "results" / "exam_sessions.tmp")).read_text())
OUT = os.environ.get("BENCH_OUT", "")
BURST = int(os.environ.get("BENCH_BURST", "2000"))
PACING = float(os.environ.get("BENCH_PACING", "30"))
# Sequence numbers must rise across runs too (a rerun overwrites the last run's answers): exam_run.py passes the
# highest stored seq + 1; by hand, seconds since 2025 × 16 will do.
SEQ_BASE = int(os.environ.get("BENCH_SEQ_BASE") or (int(time.time()) - 1_735_689_600) * 16)

_users = iter(SESSIONS["users"])
_burst_users = itertools.islice(iter(SESSIONS["users"]), BURST)
# Samples in flat arrays of numbers, not lists of tuples: a run keeps ~100,000 of them, and the garbage collector
# walks every tuple in each full pass, while the candidates' sends wait.
_latencies: dict[str, array.array] = {}  # name -> start time, response time, start time, ...
_failures: dict[str, dict[str, int]] = {}
_acks = array.array("q")  # attempt, slot, seq, choice, attempt, ...
_started = {"n": 0}
_stalls: list[tuple[float, float]] = []  # (when, how long) the event loop was late by more than 50 ms
gc.freeze()  # the 10,000 sessions loaded above are never garbage: keep them out of every collection


def _watch_loop():
    """Reports how late this process's event loop runs: a late loop delays sends and inflates latencies."""
    while True:
        t = time.perf_counter()
        gevent.sleep(0.02)
        late = time.perf_counter() - t - 0.02
        if late > 0.05:
            _stalls.append((time.time(), round(late * 1000, 1)))


@events.test_start.add_listener
def _start_watch(environment, **kwargs):
    gevent.spawn(_watch_loop)


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, start_time=None,
            **kwargs):
    _latencies.setdefault(name, array.array("d")).extend((start_time or time.time(), response_time))
    if exception is not None:
        key = str(getattr(response, "status_code", "")) or type(exception).__name__
        bucket = _failures.setdefault(name, {})
        bucket[key] = bucket.get(key, 0) + 1


@events.quitting.add_listener
def _dump(environment, **kwargs):
    if OUT:
        pairs = {name: list(zip(a[0::2], a[1::2])) for name, a in _latencies.items()}
        acks = [tuple(_acks[i:i + 4]) for i in range(0, len(_acks), 4)]
        Path(OUT).write_text(json.dumps({"latencies": pairs, "failures": _failures, "acks": acks,
                                         "loop_stalls": _stalls}))


class _Candidate(FastHttpUser):
    abstract = True
    # One connection per candidate, kept open between saves as a browser keeps it (nginx: keepalive_timeout 75 s;
    # gunicorn alone closes it after each reply).
    concurrency = 1

    def _sign_in(self, who: dict):
        self.who = who
        self.headers = {"Cookie": f"sessionid={who['sessionid']}; csrftoken={who['csrftoken']}",
                        "X-CSRFToken": who["csrf_header"], "Content-Type": "application/json",
                        "Accept": "application/json"}

    def _save(self, url: str, name: str, attempt: int):
        if random.random() < 0.7 or self.slot == 0:  # move on to the next question, or change the last answer
            self.slot = self.slot % SESSIONS["slots"] + 1
        self.seq += 1
        choice = random.randrange(4)  # the option shown k-th; the answer names it by the paper's identifier
        body = {"response": {"choice": option_id(self.who["options"], self.slot, choice)}, "seq": self.seq,
                "client": self.client_id}
        with self.client.request("PUT", url.format(attempt=attempt, slot=self.slot), name=name, json=body,
                                 headers=self.headers, catch_response=True) as r:
            if r.status_code != 200:  # 0: no HTTP reply at all (connection refused, reset or timed out)
                r.failure(f"HTTP {r.status_code}: {(r.text or str(r.error))[:200]}")
                return
            reply = r.json()
            if reply.get("slot") != self.slot or reply.get("seq", -1) < self.seq:
                r.failure(f"wrong reply {reply}")
                return
            _acks.extend((attempt, self.slot, self.seq, choice))


class BurstCandidate(_Candidate):
    """Opens the exam room and starts the sitting once; locust's spawn rate spreads the starts."""

    wait_time = constant(0)

    def on_start(self):
        try:
            self._sign_in(next(_burst_users))
        except StopIteration:
            raise StopUser()

    @task
    def start_sitting(self):  # not `start`: locust's User.start is taken
        with self.client.post(f"/api/exams/{SESSIONS['burst_exam']}/attempts", name="start", json={"access_code": ""},
                              headers=self.headers, catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"HTTP {r.status_code}: {(r.text or str(r.error))[:200]}")
            elif len(r.json().get("paper", [])) != SESSIONS["slots"]:
                r.failure("paper has the wrong number of questions")
        _started["n"] += 1
        if _started["n"] >= BURST:
            gevent.spawn(self.environment.runner.quit)  # from its own greenlet: quitting kills the users
        # Stay (idle) rather than stop: locust replaces stopped users, which would start more candidates, faster.
        while True:
            gevent.sleep(3600)


class ShiftCandidate(_Candidate):
    """A candidate of a room whose shift the supervisor just opened: their paper was drawn at check-in, so the
    start copies it. Same behaviour as BurstCandidate, another exam (not a subclass: locust would inherit its task
    and send half the users to the other exam)."""

    wait_time = constant(0)

    def on_start(self):
        try:
            self._sign_in(next(_burst_users))
        except StopIteration:
            raise StopUser()

    @task
    def start_sitting(self):
        with self.client.post(f"/api/exams/{SESSIONS['shift_exam']}/attempts", name="start", json={"access_code": ""},
                              headers=self.headers, catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"HTTP {r.status_code}: {(r.text or str(r.error))[:200]}")
            elif r.text.count('"slot": ') != SESSIONS["slots"]:  # one per question of the paper (text inside
                # the paper is JSON-escaped, so it cannot hold this unescaped key); counted, not parsed: the load
                # generator shares the 2 cores with the server, and decoding 2,000 papers of 50 KB in 10 s costs it
                r.failure("paper has the wrong number of questions")
        _started["n"] += 1
        if _started["n"] >= BURST:
            gevent.spawn(self.environment.runner.quit)
        while True:
            gevent.sleep(3600)


class _Saver(_Candidate):
    abstract = True

    def on_start(self):
        self._sign_in(next(_users))
        self.slot, self.seq, self.client_id = 0, SEQ_BASE, f"bench-{self.who['official']}"


class AutosaveCandidate(_Saver):
    """Saves one answer every PACING seconds on a fixed schedule of its own, the first at a random moment of the
    first interval: independent browsers, not a crowd in step. Not locust's `constant_pacing`: it counts the random
    first wait in on_start as the task's run time and shortens the next wait by as much, which puts every
    candidate spawned in the same second back in step (all of a second's saves then arrive in one 100 ms window,
    as measured: 1,842 of 2,000 requests). The schedule is absolute (start + k × PACING), so it does not drift
    by the reply time either."""

    def on_start(self):
        super().on_start()
        self._next = time.monotonic() + random.uniform(0, PACING)
        gevent.sleep(self._next - time.monotonic())

    def wait_time(self):
        self._next += PACING
        return max(0.0, self._next - time.monotonic())

    @task
    def save(self):
        self._save("/api/attempts/{attempt}/answers/{slot}", "save", self.who["attempt"])


class SaveHammer(_Saver):
    """Throughput: the real save endpoint, no pause between requests."""

    wait_time = constant(0)

    @task
    def save(self):
        self._save("/api/attempts/{attempt}/answers/{slot}", "save (max)", self.who["attempt"])


class FloorHammer(_Saver):
    """Throughput: the bare floor view (bench/floor.py), the same write, no pause between requests."""

    wait_time = constant(0)

    @task
    def save(self):
        self._save("/bench/floor/attempts/{attempt}/answers/{slot}", "floor (max)", self.who["attempt"])
