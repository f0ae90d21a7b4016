"""The exam contract under real concurrency (PostgreSQL): every save that got a 2xx is in the grade, a save that
arrives once a submit or finalisation has begun is refused (410), and every stored grade equals a regrade of the
stored answers. Threads with their own database connections race autosaves against submits, time-ups and the
overdue finaliser, with grading slowed down so that the race is met on every run rather than now and then."""
import datetime as dt
import json
import random
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from exams import services
from exams.grading import attempts_grade_mismatches
from exams.models import Answer, Attempt

from ..factories import ExamFactory, OfficialFactory, TopicFactory
from ..papers import pick, pick_right

SLOTS = 8

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="row locks and concurrent connections: PostgreSQL (CI's first stage)")


def _exam():
    return ExamFactory(title="Sát hạch đồng thời", time_limit_minutes=30, published=True,
                       bank=TopicFactory(name="Một cửa", choices=20), bank__draw_count=SLOTS)


def _slow_grading(monkeypatch, seconds=0.004):
    """Grading takes a few milliseconds per question inside the submit's transaction: the window in which a save
    used to be written after the answers were read, now made wide enough to be hit every time."""
    real = services.sittings.grade

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(services.sittings, "grade", slow)


class Candidate:
    """One candidate's browser: saves as fast as it can until the sitting is closed, keeping every acknowledgement."""

    def __init__(self, official, exam):
        self.client = Client()
        self.client.force_login(official.user)
        started = self.client.post(f"/api/exams/{exam.pk}/attempts", "{}", content_type="application/json")
        assert started.status_code == 201, started.content
        self.attempt_id = started.json()["id"]
        room = self.client.post(f"/api/attempts/{self.attempt_id}/claim", json.dumps({"client": "tab"}),
                                content_type="application/json").json()
        self.options = {q["slot"]: [o["id"] for o in q["options"]] for q in room["paper"]}
        self.acked: dict[int, int] = {}  # slot → the highest sequence number acknowledged with a 2xx
        self.refused = self.other = 0
        self.seq = 0

    def save_until_closed(self, stop: threading.Event, rng: random.Random):
        while not stop.is_set():
            self.seq += 1
            slot = rng.randint(1, SLOTS)
            reply = self.client.put(f"/api/attempts/{self.attempt_id}/answers/{slot}", json.dumps(
                {"response": {"choice": rng.choice(self.options[slot])}, "seq": self.seq, "client": "tab"}),
                content_type="application/json")
            if reply.status_code == 200:
                self.acked[slot] = max(self.acked.get(slot, 0), reply.json()["seq"])
            elif reply.status_code == 410:
                self.refused += 1
                return
            else:
                self.other += 1
                return


def _run(threads):
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)


def _in_thread(fn):
    def run(*args):
        try:
            fn(*args)
        finally:
            connection.close()  # each thread has its own connection; the test database must be droppable
    return run


def _assert_contract(candidates):
    for c in candidates:
        attempt = Attempt.objects.get(pk=c.attempt_id)
        assert attempt.status != Attempt.Status.IN_PROGRESS
        assert c.other == 0
        stored = dict(Answer.objects.filter(attempt=attempt).values_list("slot", "seq"))
        # Every acknowledged save is stored, and nothing was stored that was not acknowledged.
        assert stored == c.acked, (attempt.pk, stored, c.acked)
    # And what is stored is what was graded.
    assert attempts_grade_mismatches(Attempt.objects.filter(pk__in=[c.attempt_id for c in candidates])) == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_saves_racing_submits_are_either_graded_or_refused(tree, monkeypatch):
    exam = _exam()
    _slow_grading(monkeypatch)
    candidates = [Candidate(OfficialFactory(unit=tree["trang_dai"]), exam) for _ in range(16)]
    stop = threading.Event()

    def candidate(c: Candidate, seed: int):
        rng = random.Random(seed)
        saver = threading.Thread(target=_in_thread(c.save_until_closed), args=(stop, rng))
        saver.start()
        time.sleep(rng.uniform(0.02, 0.15))  # answering for a while, then pressing Submit mid-save
        assert c.client.post(f"/api/attempts/{c.attempt_id}/submit").status_code == 200
        saver.join(30)

    _run([threading.Thread(target=_in_thread(candidate), args=(c, i)) for i, c in enumerate(candidates)])
    stop.set()
    _assert_contract(candidates)
    # The race was met: saves arrived while submits were open and were refused, not silently dropped.
    assert sum(c.refused for c in candidates) == len(candidates)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_saves_racing_the_overdue_finaliser_and_time_up_are_either_graded_or_refused(tree, monkeypatch):
    exam = _exam()
    _slow_grading(monkeypatch)
    candidates = [Candidate(OfficialFactory(unit=tree["trang_dai"]), exam) for _ in range(16)]
    stop = threading.Event()
    savers = [threading.Thread(target=_in_thread(c.save_until_closed), args=(stop, random.Random(i)))
              for i, c in enumerate(candidates)]
    for t in savers:
        t.start()
    time.sleep(0.1)
    later = timezone.now() + dt.timedelta(hours=1)  # the finaliser's clock: every sitting is overdue for it

    def finaliser():
        services.attempts_finalise_overdue(now=later, batch=3)

    def time_up(c: Candidate):  # the room at the deadline, and a reload after it
        services.attempt_submit(attempt=Attempt.objects.get(pk=c.attempt_id), now=later, timed_out=True)

    _run([threading.Thread(target=_in_thread(finaliser)) for _ in range(2)]
         + [threading.Thread(target=_in_thread(time_up), args=(c,)) for c in candidates[::4]])
    for t in savers:
        t.join(30)
    stop.set()
    _assert_contract(candidates)
    assert all(c.refused == 1 for c in candidates)
    assert Attempt.objects.filter(status=Attempt.Status.TIMED_OUT).count() == len(candidates)


@pytest.mark.django_db
def test_the_grade_check_finds_an_answer_stored_after_grading(tree):
    """The check itself can fail: an answer changed behind the grade's back is found."""
    exam = _exam()
    official = OfficialFactory(unit=tree["trang_dai"])
    attempt = services.attempt_start(exam=exam, official=official)
    services.answer_save(attempt=attempt, slot=1, response=pick(attempt, 1, 0), seq=1)
    services.attempt_submit(attempt=attempt)
    assert attempts_grade_mismatches(Attempt.objects.filter(pk=attempt.pk)) == []
    Answer.objects.create(attempt=attempt, slot=2, response=pick_right(attempt, 2), seq=3, saved_at=timezone.now())
    [(found, slots)] = attempts_grade_mismatches(Attempt.objects.filter(pk=attempt.pk))
    assert found.pk == attempt.pk and slots == [2]
