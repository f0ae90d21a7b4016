"""Trainers grade essays by hand: the score, the pass status and the audit trail follow, listeners are told."""
from decimal import Decimal

import pytest

from exams.grading import GradingRefused, essay_grade, official_exam_grade
from exams.models import AttemptQuestion, GradeChange

from ..factories import OfficialFactory
from .conftest import make_exam, sit

pytestmark = pytest.mark.django_db

ESSAY_TEXT = "Bước 1: hướng dẫn công dân.\nBước 2: tiếp nhận hồ sơ.\nBước 3: chuyển hồ sơ."


@pytest.fixture
def waiting(bank, trang_dai_official):
    """A submitted paper: 1 of 4 choices right (1 point) and an essay (6 points) waiting for a grader."""
    exam = make_exam(bank)
    return sit(exam, trang_dai_official, right=1, essay_text=ESSAY_TEXT)


def essay_slot(attempt) -> AttemptQuestion:
    return attempt.slots.get(version__question__kind="essay")


def test_a_graded_essay_updates_score_and_pass_status_audits_and_tells_listeners(
        waiting, trainer_user, received, django_capture_on_commit_callbacks):
    assert waiting.needs_manual_grading and waiting.score == 1 and waiting.max_score == 10
    before = official_exam_grade(exam=waiting.exam, official=waiting.official)
    assert before.pending_manual and before.passed is None and before.percent is None

    with django_capture_on_commit_callbacks(execute=True):
        essay_grade(slot=essay_slot(waiting), points=Decimal("4.5"), comment="Thiếu bước trả kết quả.",
                    by=trainer_user)

    waiting.refresh_from_db()
    assert waiting.score == Decimal("5.50") and not waiting.needs_manual_grading and waiting.percent == 55
    after = official_exam_grade(exam=waiting.exam, official=waiting.official)
    assert after.passed is True and after.percent == Decimal("55.00") and after.score == Decimal("5.50")
    assert not after.pending_manual
    change = GradeChange.objects.get()
    assert (change.kind, change.attempt_id, change.slot, change.by) == ("manual", waiting.pk, 5, trainer_user)
    assert change.old_fraction is None and change.new_fraction == pytest.approx(0.75)
    assert (change.old_score, change.new_score) == (Decimal("1.00"), Decimal("5.50"))
    assert change.note == "Thiếu bước trả kết quả." and change.at is not None
    assert received == [waiting.pk]
    slot = essay_slot(waiting)
    assert slot.graded_by == trainer_user and slot.comment == "Thiếu bước trả kết quả."


def test_regrading_an_essay_is_audited_and_can_turn_a_pass_into_a_fail(
        waiting, trainer_user, admin_user, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        essay_grade(slot=essay_slot(waiting), points=Decimal(5), by=trainer_user)
        essay_grade(slot=essay_slot(waiting), points=Decimal(2), comment="Chấm lại theo đáp án.", by=admin_user)
        assert essay_grade(slot=essay_slot(waiting), points=Decimal(2), comment="Chấm lại theo đáp án.",
                           by=admin_user) is None  # the same grade again writes nothing
    waiting.refresh_from_db()
    assert waiting.score == 3
    assert official_exam_grade(exam=waiting.exam, official=waiting.official).passed is False
    second, first = GradeChange.objects.all()  # newest first
    assert first.new_score == 6 and first.by == trainer_user
    assert (second.old_score, second.new_score, second.by) == (6, 3, admin_user)
    assert second.old_fraction == pytest.approx(5 / 6) and second.new_fraction == pytest.approx(2 / 6)
    assert received == [waiting.pk, waiting.pk]


def test_points_outside_the_range_or_on_a_sitting_in_progress_are_refused(bank, waiting, trainer_user, tree):
    with pytest.raises(GradingRefused):
        essay_grade(slot=essay_slot(waiting), points=Decimal("6.5"), by=trainer_user)
    with pytest.raises(GradingRefused):
        essay_grade(slot=waiting.slots.get(slot=1), points=Decimal(1), by=trainer_user)  # not an essay
    other = sit(waiting.exam, OfficialFactory(unit=tree["tan_phong"]), right=4, essay_text="...", submit=False)
    with pytest.raises(GradingRefused):
        essay_grade(slot=essay_slot(other), points=Decimal(1), by=trainer_user)
    assert not GradeChange.objects.exists()
    waiting.refresh_from_db()
    assert waiting.needs_manual_grading and waiting.score == 1


def test_an_essay_left_blank_scores_zero_and_waits_for_nobody(bank, trang_dai_official):
    attempt = sit(make_exam(bank), trang_dai_official, right=4)
    assert not attempt.needs_manual_grading and attempt.score == 4


# --- The queue page --------------------------------------------------------------------------------------------

def queue_url(exam, **query):
    from urllib.parse import urlencode

    return f"/thi/{exam.pk}/cham-tu-luan/" + (f"?{urlencode(query)}" if query else "")


def test_the_queue_shows_question_rubric_and_the_candidates_text(client, waiting, trainer_user):
    client.force_login(trainer_user)
    page = client.get(queue_url(waiting.exam)).content.decode()
    assert "Trình bày quy trình tiếp nhận hồ sơ" in page
    assert "hướng dẫn, tiếp nhận, chuyển hồ sơ" in page  # the rubric notes
    assert "Bước 2: tiếp nhận hồ sơ." in page
    assert waiting.official.full_name in page
    anonymous = client.get(queue_url(waiting.exam, anonymous=1)).content.decode()
    assert waiting.official.full_name not in anonymous and "Bước 2: tiếp nhận hồ sơ." in anonymous


def test_the_grader_saves_points_with_a_decimal_comma(client, waiting, trainer_user):
    client.force_login(trainer_user)
    slot = essay_slot(waiting)
    response = client.post(f"/thi/{waiting.exam.pk}/cham-tu-luan/{slot.pk}/",
                           {f"s{slot.pk}-points": "4,5", f"s{slot.pk}-comment": "Khá", "show": "waiting"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.score == Decimal("5.50") and not waiting.needs_manual_grading
    assert GradeChange.objects.get().by == trainer_user
    assert "Bước 2" not in client.get(queue_url(waiting.exam)).content.decode()  # no longer waiting
    assert "Bước 2" in client.get(queue_url(waiting.exam, show="graded")).content.decode()


@pytest.mark.parametrize("points", ["-1", "6,5", "bốn điểm", "", "1,234", "nan", "1e3"])
def test_bad_points_give_a_form_error_and_change_nothing(client, waiting, trainer_user, points):
    client.force_login(trainer_user)
    slot = essay_slot(waiting)
    response = client.post(f"/thi/{waiting.exam.pk}/cham-tu-luan/{slot.pk}/", {f"s{slot.pk}-points": points})
    assert response.status_code == 400
    body = response.content.decode()
    item = body[body.index(f'id="s{slot.pk}"'):]
    assert 'class="errorlist' in item[:item.index("</form>")]  # the error sits at the answer it concerns
    waiting.refresh_from_db()
    assert waiting.needs_manual_grading and waiting.score == 1 and not GradeChange.objects.exists()


def test_officials_cannot_open_or_post_to_the_grading_pages(client, waiting):
    client.force_login(waiting.official.user)
    slot = essay_slot(waiting)
    exam = waiting.exam
    for url in (queue_url(exam), f"/thi/{exam.pk}/cham-lai/", f"/thi/{exam.pk}/ket-qua/",
                f"/thi/{exam.pk}/ket-qua.csv"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/thi/{exam.pk}/cham-tu-luan/{slot.pk}/", {f"s{slot.pk}-points": "6"}).status_code == 403
    assert client.post(f"/thi/{exam.pk}/cham-lai/", {"question": ""}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.needs_manual_grading and not GradeChange.objects.exists()


def test_an_answer_of_another_exam_cannot_be_graded_through_this_one(client, bank, waiting, trainer_user):
    client.force_login(trainer_user)
    other = make_exam(bank, title="Kỳ thi khác")
    slot = essay_slot(waiting)
    assert client.post(f"/thi/{other.pk}/cham-tu-luan/{slot.pk}/", {f"s{slot.pk}-points": "6"}).status_code == 404


def test_the_monitor_links_to_the_grading_pages(client, waiting, trainer_user):
    client.force_login(trainer_user)
    page = client.get(f"/thi/{waiting.exam.pk}/giam-sat/").content.decode()
    for url in (queue_url(waiting.exam), f"/thi/{waiting.exam.pk}/cham-lai/", f"/thi/{waiting.exam.pk}/ket-qua/"):
        assert url in page
