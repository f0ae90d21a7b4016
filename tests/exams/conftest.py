"""Fixtures and helpers the exam tests share: the one-stop exam and a sitting of it through the room's API, and the
bank of four choices and an essay that the grading, results and regrade tests sit."""
import json

import pytest

from exams.models import Attempt, Exam, Question, QuestionVersion
from exams.services import answer_save, attempt_start, attempt_submit
from exams.signals import attempt_graded

from ..factories import ExamFactory, ExamSectionFactory, TopicFactory, choice_gift
from ..papers import pick_bank_option

BANK = choice_gift(30, text="Theo Nghị định 61/2018/NĐ-CP, câu hỏi số {i} về Bộ phận Một cửa?")


@pytest.fixture
def exam(db):
    """A published exam drawing 10 of the 30 questions of BANK, two attempts allowed."""
    return ExamFactory(title="Sát hạch công chức một cửa 2020", time_limit_minutes=30, published=True,
                       attempts_allowed=2, bank=TopicFactory(name="Một cửa", gift=BANK), bank__draw_count=10)


def put(client, attempt_id, slot, response, seq, tab="tab-1"):
    """Save an answer as the exam room does."""
    return client.put(f"/api/attempts/{attempt_id}/answers/{slot}", json.dumps(
        {"response": response, "seq": seq, "client": tab}), content_type="application/json")


def claim(client, attempt_id, tab):
    """Take the sitting over in the browser tab `tab`."""
    return client.post(f"/api/attempts/{attempt_id}/claim", json.dumps({"client": tab}), content_type="application/json")


@pytest.fixture
def sitting(client, exam, trang_dai_official):
    """The official signed in, the exam started through the API and claimed by tab-1."""
    client.force_login(trang_dai_official.user)
    started = client.post(f"/api/exams/{exam.pk}/attempts", json.dumps({}), content_type="application/json")
    assert started.status_code == 201
    claim(client, started.json()["id"], "tab-1")
    return Attempt.objects.get(pk=started.json()["id"])


# --- Grading: four choices and an essay --------------------------------------------------------------------------

CHOICES = choice_gift(4, text="Theo Nghị định 61/2018/NĐ-CP, câu hỏi số {i}?")
ESSAY = "::Tự luận::Trình bày quy trình tiếp nhận hồ sơ tại Bộ phận Một cửa cấp xã.{}"
RUBRIC = "Nêu đủ 4 bước: hướng dẫn, tiếp nhận, chuyển hồ sơ, trả kết quả (1,5 điểm mỗi bước)."


@pytest.fixture
def bank(db):
    """Four single-choice questions (topic "Một cửa") and one essay with rubric notes (topic "Tự luận")."""
    choices = TopicFactory(name="Một cửa", gift=CHOICES)
    TopicFactory(name="Tự luận", gift=ESSAY)
    essay = Question.objects.get(kind="essay")
    QuestionVersion.objects.filter(pk=essay.current_version_id).update(grader_info=RUBRIC)
    return {"choices": list(Question.objects.filter(kind="single").order_by("id")), "essay": essay,
            "choice_topic": choices}


def make_exam(bank, *, essay=True, essay_points=6, attempts_allowed=1, method=Exam.GradingMethod.HIGHEST,
              title="Sát hạch công chức Bộ phận Một cửa 2020") -> Exam:
    """4 choice questions worth 1 point each, then (optionally) the essay: fixed questions, so every paper is the
    same set (options are still shuffled per candidate)."""
    exam = ExamFactory(title=title, published=True, attempts_allowed=attempts_allowed, grading_method=method,
                       shuffle_questions=False)
    ExamSectionFactory(exam=exam, topic=bank["choice_topic"], draw_count=4, order=1, fixed_questions=bank["choices"])
    if essay:
        ExamSectionFactory(exam=exam, topic=bank["essay"].topic, draw_count=1, order=2,
                           points_per_question=essay_points, fixed_questions=[bank["essay"]])
    return exam


def sit(exam, official, *, right: int, essay_text: str | None = None, submit: bool = True) -> Attempt:
    """Sit the exam answering the first `right` choice questions right and the others wrong."""
    attempt = attempt_start(exam=exam, official=official)
    n = 0
    for slot in attempt.slots.select_related("version__question").order_by("slot"):
        if slot.version.question.kind == "essay":
            if essay_text is not None:
                answer_save(attempt=attempt, slot=slot.slot, response={"text": essay_text}, seq=1)
            continue
        choices = slot.version.data["choices"]
        key = next(j for j, c in enumerate(choices) if c["fraction"] == 1.0)
        pick = key if n < right else (key + 1) % len(choices)
        answer_save(attempt=attempt, slot=slot.slot, response=pick_bank_option(attempt, slot.slot, pick), seq=1)
        n += 1
    return attempt_submit(attempt=attempt) if submit else attempt


@pytest.fixture
def received():
    """Attempts for which exams.signals.attempt_graded was sent."""
    got = []

    def listener(sender, attempt, **kwargs):
        got.append(attempt.pk)

    attempt_graded.connect(listener)
    yield got
    attempt_graded.disconnect(listener)
