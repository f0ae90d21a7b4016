"""Regrade after a question is corrected: a dry run shows exactly whose score changes and writes nothing; applying
regrades, audits and tells listeners, and applying again changes nothing."""
from decimal import Decimal

import pytest

from exams import formats
from exams.grading import essay_grade, regrade_apply, regrade_preview
from exams.models import Attempt, AttemptQuestion, GradeChange
from exams.services import attempt_submit, question_save

from ..factories import OfficialFactory
from ..papers import pick_bank_option
from .conftest import make_exam, sit

pytestmark = pytest.mark.django_db


def answer_option(attempt, question, choice_index):
    """Change (before submitting) the answer to `question` to the bank's option `choice_index`."""
    from exams.models import Answer

    slot = attempt.slots.get(version__question=question)
    Answer.objects.filter(attempt=attempt, slot=slot.slot).update(
        response=pick_bank_option(attempt, slot.slot, choice_index), seq=99)


def correct(question, *, key: int, options: int = 4):
    """The trainer fixes the key of a single-choice question: option `key` becomes the right one."""
    text = question.current_version.text
    choices = [formats.model.Choice(text=c["text"], fraction=1.0 if i == key else 0.0)
               for i, c in enumerate(question.current_version.data["choices"][:options])]
    while len(choices) < options:
        choices.append(formats.model.Choice(text=f"Phương án thêm {len(choices)}", fraction=0.0))
    q = formats.Question(kind="single", name=question.current_version.name, text=text, choices=choices)
    question_save(q=q, topic=question.topic, question=question)
    question.refresh_from_db()
    return question


@pytest.fixture
def sitting(bank, tree):
    """Question 1 was keyed wrongly: the bank says option 0, the law says option 1. Three officials sat:
    Thư picked option 0 (credited, wrongly), Lan picked option 1 (right, not credited), Dũng picked option 2."""
    exam = make_exam(bank, essay=False)
    q1 = bank["choices"][0]
    people = {}
    for name, unit, pick in (("Nguyễn Thị Minh Thư", "trang_dai", 0), ("Phạm Thị Lan", "xuan_trung", 1),
                             ("Trần Văn Dũng", "tan_phong", 2)):
        official = OfficialFactory(full_name=name, unit=tree[unit])
        attempt = sit(exam, official, right=4, submit=False)  # questions 2-4 right
        answer_option(attempt, q1, pick)
        people[name] = attempt_submit(attempt=attempt)
    return {"exam": exam, "q1": q1, "people": people}


def scores(exam):
    return {a.official.full_name: a.score for a in Attempt.objects.filter(exam=exam).select_related("official")}


def test_the_dry_run_lists_exactly_whose_score_changes_and_writes_nothing(sitting, django_assert_max_num_queries):
    exam, q1 = sitting["exam"], sitting["q1"]
    assert scores(exam) == {"Nguyễn Thị Minh Thư": 4, "Phạm Thị Lan": 3, "Trần Văn Dũng": 3}
    old_version = q1.current_version_id
    correct(q1, key=1)
    with django_assert_max_num_queries(8):
        plan = regrade_preview(exam=exam)
    changed = {c.attempt.official.full_name: (c.old_score, c.new_score, c.old_passed, c.new_passed)
               for c in plan.changes}
    assert changed == {"Nguyễn Thị Minh Thư": (4, 3, True, True), "Phạm Thị Lan": (3, 4, True, True)}
    assert plan.unchanged == 1 and not plan.skipped  # Dũng's paper moves to the new version, same score
    assert scores(exam) == {"Nguyễn Thị Minh Thư": 4, "Phạm Thị Lan": 3, "Trần Văn Dũng": 3}
    assert set(AttemptQuestion.objects.filter(version__question=q1).values_list("version_id", flat=True)) == {
        old_version}
    assert not GradeChange.objects.exists()


def test_apply_regrades_audits_tells_listeners_and_a_second_apply_is_a_no_op(
        sitting, trainer_user, received, django_capture_on_commit_callbacks):
    exam, q1 = sitting["exam"], sitting["q1"]
    correct(q1, key=1)
    with django_capture_on_commit_callbacks(execute=True):
        plan = regrade_apply(exam=exam, by=trainer_user)
    assert len(plan.changes) == 2 and plan.applied
    assert scores(exam) == {"Nguyễn Thị Minh Thư": 3, "Phạm Thị Lan": 4, "Trần Văn Dũng": 3}
    assert set(AttemptQuestion.objects.filter(version__question=q1).values_list("version_id", flat=True)) == {
        q1.current_version_id}
    audit = {(g.attempt.official.full_name, g.kind, g.old_score, g.new_score, g.old_fraction, g.new_fraction, g.by)
             for g in GradeChange.objects.select_related("attempt__official")}
    assert audit == {("Nguyễn Thị Minh Thư", "regrade", 4, 3, 1.0, 0.0, trainer_user),
                     ("Phạm Thị Lan", "regrade", 3, 4, 0.0, 1.0, trainer_user)}
    assert GradeChange.objects.filter(detail__to_version=2, detail__from_version=1).count() == 2
    people = sitting["people"]
    assert sorted(received) == sorted([people["Nguyễn Thị Minh Thư"].pk, people["Phạm Thị Lan"].pk])

    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = regrade_apply(exam=exam, by=trainer_user)
    assert not again.changes and not again.moves
    assert GradeChange.objects.count() == 2 and received == []
    assert scores(exam) == {"Nguyễn Thị Minh Thư": 3, "Phạm Thị Lan": 4, "Trần Văn Dũng": 3}


def test_a_pass_that_becomes_a_fail_is_shown(sitting):
    exam, q1 = sitting["exam"], sitting["q1"]
    exam.pass_percent = 80
    exam.save()
    correct(q1, key=1)
    plan = regrade_preview(exam=exam)
    thu = next(c for c in plan.changes if c.attempt.official.full_name == "Nguyễn Thị Minh Thư")
    lan = next(c for c in plan.changes if c.attempt.official.full_name == "Phạm Thị Lan")
    assert (thu.old_passed, thu.new_passed, thu.outcome_changed) == (True, False, True)
    assert (lan.old_passed, lan.new_passed, lan.outcome_changed) == (False, True, True)
    assert (thu.old_percent, thu.new_percent) == (Decimal("100.00"), Decimal("75.00"))


def test_a_correction_that_changes_the_number_of_options_is_skipped_with_the_reason(sitting, trainer_user):
    exam, q1 = sitting["exam"], sitting["q1"]
    correct(q1, key=1, options=5)
    plan = regrade_apply(exam=exam, by=trainer_user)
    assert not plan.changes and not plan.moves and len(plan.skipped) == 3
    assert all("4 → 5" in s.reason for s in plan.skipped)
    assert scores(exam) == {"Nguyễn Thị Minh Thư": 4, "Phạm Thị Lan": 3, "Trần Văn Dũng": 3}
    assert not GradeChange.objects.exists()


def test_one_question_only_and_sittings_in_progress_are_left_alone(sitting, bank, tree, trainer_user):
    exam, q1, q2 = sitting["exam"], sitting["q1"], bank["choices"][1]
    open_paper = sit(exam, OfficialFactory(unit=tree["snv"]), right=4, submit=False)
    correct(q1, key=1)
    correct(q2, key=3)  # every candidate answered question 2 with option 0, now wrong
    plan = regrade_apply(exam=exam, question=q1, by=trainer_user)
    assert plan.in_progress == 1
    assert scores(exam)["Nguyễn Thị Minh Thư"] == 3  # only question 1 was regraded
    assert not AttemptQuestion.objects.filter(attempt=open_paper, version=q1.current_version).exists()
    assert AttemptQuestion.objects.filter(version__question=q2).exclude(version=q2.current_version).count() == 4


def test_essays_keep_their_manual_grade(bank, trang_dai_official, trainer_user):
    exam = make_exam(bank)
    attempt = sit(exam, trang_dai_official, right=4, essay_text="Bài làm tự luận.")
    essay_grade(slot=attempt.slots.get(slot=5), points=Decimal(3), by=trainer_user)
    question_save(q=formats.Question(kind="essay", name="Tự luận", text="Đề tự luận đã sửa."),
                  topic=bank["essay"].topic, question=bank["essay"])
    plan = regrade_apply(exam=exam, by=trainer_user)
    assert not plan.changes and [s.slot.slot for s in plan.skipped] == [5]
    attempt.refresh_from_db()
    assert attempt.score == 7 and GradeChange.objects.filter(kind="regrade").count() == 0


# --- The page ---------------------------------------------------------------------------------------------------

def test_the_page_previews_with_get_and_applies_with_post(client, sitting, trainer_user):
    exam, q1 = sitting["exam"], sitting["q1"]
    correct(q1, key=1)
    client.force_login(trainer_user)
    preview = client.get(f"/thi/{exam.pk}/cham-lai/", {"question": q1.pk})
    body = preview.content.decode()
    assert preview.status_code == 200 and 'data-applied="0"' in body
    assert "Nguyễn Thị Minh Thư" in body and "Phạm Thị Lan" in body
    assert "Trần Văn Dũng" not in body[body.index('id="regrade-changes"'):]
    assert not GradeChange.objects.exists()
    applied = client.post(f"/thi/{exam.pk}/cham-lai/", {"question": q1.pk})
    assert applied.status_code == 200 and 'data-applied="1"' in applied.content.decode()
    assert GradeChange.objects.count() == 2 and set(GradeChange.objects.values_list("by", flat=True)) == {
        trainer_user.pk}


@pytest.mark.parametrize("question", ["999999", "abc"])
def test_an_unknown_question_is_a_form_error(client, sitting, trainer_user, question):
    client.force_login(trainer_user)
    response = client.post(f"/thi/{sitting['exam'].pk}/cham-lai/", {"question": question})
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    assert not GradeChange.objects.exists()
