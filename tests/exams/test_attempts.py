"""The exam room's contract: a frozen paper, idempotent saves, the server's deadline, no key before review."""
import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from exams import formats
from exams.models import Answer, Attempt
from exams.selectors import candidate_paper
from exams.services import (AttemptClosed, ExamRefused, answer_save, attempt_start, attempt_submit,
                            attempts_finalise_overdue, question_save)

from ..papers import pick, pick_right, pick_wrong

pytestmark = pytest.mark.django_db


def test_starting_freezes_a_paper_that_later_edits_do_not_change(exam, trang_dai_official):
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    assert attempt.slots.count() == 10 and attempt.max_score == 10
    first = attempt.slots.get(slot=1)
    before = candidate_paper(attempt)
    q = formats.parse_gift("::Sửa::Câu hỏi đã sửa nội dung{=Mới ~Cũ}")[0]
    question_save(q=q, topic=first.version.question.topic, question=first.version.question)
    assert candidate_paper(attempt) == before
    assert attempt_start(exam=exam, official=trang_dai_official).pk == attempt.pk  # resume, same paper


def test_the_candidates_paper_carries_no_key(exam, trang_dai_official):
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    sent = json.dumps(candidate_paper(attempt), ensure_ascii=False)
    assert "fraction" not in sent and "feedback" not in sent and "correct" not in sent
    # The options themselves are there: each question's four, whatever their order.
    for q in candidate_paper(attempt):
        n = re.search(r"câu hỏi số (\d+)", q["text"]).group(1)
        assert sorted(o["text"] for o in q["options"]) == [f"Sai A{n}", f"Sai B{n}", f"Sai C{n}", f"Đúng {n}"]


def test_saving_is_idempotent_and_an_older_sequence_never_wins(exam, trang_dai_official):
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    assert answer_save(attempt=attempt, slot=1, response=pick(attempt, 1, 2), seq=5) == 5
    assert answer_save(attempt=attempt, slot=1, response=pick(attempt, 1, 2), seq=5) == 5  # a retry
    assert answer_save(attempt=attempt, slot=1, response=pick(attempt, 1, 0), seq=3) == 5  # late, older
    assert Answer.objects.get(attempt=attempt, slot=1).response == pick(attempt, 1, 2)


def test_a_save_after_the_deadline_is_refused_with_a_clear_message(exam, trang_dai_official):
    now = timezone.now()
    attempt = attempt_start(exam=exam, official=trang_dai_official, now=now)
    with pytest.raises(AttemptClosed) as refused:
        answer_save(attempt=attempt, slot=1, response=pick(attempt, 1, 1), seq=1, now=now + dt.timedelta(minutes=31))
    assert "Đã hết giờ" in str(refused.value)
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_grading_counts_right_answers_and_the_server_finalises_overdue_sittings(exam, trang_dai_official):
    now = timezone.now()
    attempt = attempt_start(exam=exam, official=trang_dai_official, now=now)
    for slot in range(1, 8):
        answer_save(attempt=attempt, slot=slot, response=pick_right(attempt, slot), seq=1, now=now)
    answer_save(attempt=attempt, slot=8, response=pick_wrong(attempt, 8), seq=1, now=now)
    assert attempts_finalise_overdue(now=now + dt.timedelta(minutes=10)) == 0
    assert attempts_finalise_overdue(now=now + dt.timedelta(minutes=31)) == 1
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.TIMED_OUT and attempt.score == 7 and attempt.percent == 70
    assert attempt.submitted_at == attempt.deadline
    assert attempts_finalise_overdue(now=now + dt.timedelta(minutes=40)) == 0  # twice is harmless



def test_a_whole_exam_ending_at_once_is_finalised_in_batches_and_one_bad_sitting_holds_up_nobody(
        exam, trang_dai_official, monkeypatch, caplog):
    from exams.services import sittings
    from tests.factories import OfficialFactory

    now = timezone.now()
    officials = [trang_dai_official] + [OfficialFactory(unit=trang_dai_official.unit) for _ in range(4)]
    attempts = [attempt_start(exam=exam, official=o, now=now) for o in officials]
    broken = attempts[2].pk
    real_submit = sittings.attempt_submit

    def submit(*, attempt, **kwargs):
        if attempt.pk == broken:
            raise ValueError("a question that cannot be graded")
        return real_submit(attempt=attempt, **kwargs)

    monkeypatch.setattr(sittings, "attempt_submit", submit)
    # Batches of two: five sittings take three batches; the broken one is logged and left, the others are graded.
    assert attempts_finalise_overdue(now=now + dt.timedelta(minutes=31), batch=2) == 4
    status = dict(Attempt.objects.values_list("pk", "status"))
    assert status.pop(broken) == Attempt.Status.IN_PROGRESS
    assert set(status.values()) == {Attempt.Status.TIMED_OUT}
    assert f"Could not finalise attempt {broken}" in caplog.text
    monkeypatch.setattr(sittings, "attempt_submit", real_submit)
    assert attempts_finalise_overdue(now=now + dt.timedelta(minutes=32)) == 1  # the next run takes it


def test_attempt_limits_windows_and_access_codes(exam, trang_dai_official):
    exam.access_code = "DN2020"
    exam.save()
    with pytest.raises(ExamRefused) as wrong:
        attempt_start(exam=exam, official=trang_dai_official, access_code="sai")
    assert "mã" in str(wrong.value).lower()
    for _ in range(2):
        attempt_submit(attempt=attempt_start(exam=exam, official=trang_dai_official, access_code="DN2020"))
    with pytest.raises(ExamRefused):
        attempt_start(exam=exam, official=trang_dai_official, access_code="DN2020")
    exam.closes_at = timezone.now() - dt.timedelta(minutes=1)
    exam.attempts_allowed = 0
    exam.save()
    with pytest.raises(ExamRefused):
        attempt_start(exam=exam, official=trang_dai_official, access_code="DN2020")


def test_a_pool_too_small_for_its_section_refuses_to_start(exam, trang_dai_official):
    section = exam.sections.get()
    section.draw_count = 31
    section.save()
    with pytest.raises(ExamRefused):
        attempt_start(exam=exam, official=trang_dai_official)
    assert not Attempt.objects.exists()
