"""The final grade across attempts by the exam's grading method, who passed, and the trainers' results page."""
import csv
import io
import re
from decimal import Decimal

import pytest

from exams.grading import ExamGrade, essay_grade, official_exam_grade, officials_passed
from exams.models import Exam

from ..factories import OfficialFactory, RequirementFactory
from .conftest import make_exam, sit

pytestmark = pytest.mark.django_db

M = Exam.GradingMethod


@pytest.fixture
def three_sittings(bank, tree):
    """Thư sat three times: 1, 4 then 2 of 4 right (25%, 100%, 50%); Lan once, 3 of 4 (75%); Dũng once, 1 of 4."""
    exam = make_exam(bank, essay=False, attempts_allowed=3)
    thu = OfficialFactory(full_name="Nguyễn Thị Minh Thư", unit=tree["trang_dai"])
    lan = OfficialFactory(full_name="Phạm Thị Lan", unit=tree["xuan_trung"])
    dung = OfficialFactory(full_name="Trần Văn Dũng", unit=tree["tan_phong"])
    for right in (1, 4, 2):
        sit(exam, thu, right=right)
    sit(exam, lan, right=3)
    sit(exam, dung, right=1)
    return exam, thu, lan, dung


@pytest.mark.parametrize("method, percent, passed", [
    (M.HIGHEST, "100.00", True), (M.LAST, "50.00", True), (M.FIRST, "25.00", False),
    (M.AVERAGE, "58.33", True)])
def test_the_grading_method_decides_the_final_grade(three_sittings, method, percent, passed):
    exam, thu, lan, dung = three_sittings
    exam.grading_method = method
    exam.save()
    grade = official_exam_grade(exam=exam, official=thu)
    assert grade == ExamGrade(percent=Decimal(percent), score=(Decimal(percent) / 10).quantize(Decimal("0.01")),
                              passed=passed, attempts=3, pending_manual=False)
    assert official_exam_grade(exam=exam, official=dung).passed is False
    assert officials_passed(exam=exam) == ({thu.pk} if passed else set()) | {lan.pk}


def test_the_pass_mark_is_inclusive_and_configurable(three_sittings):
    exam, thu, lan, dung = three_sittings
    exam.grading_method, exam.pass_percent = M.LAST, Decimal(75)
    exam.save()
    assert officials_passed(exam=exam) == {lan.pk}  # 75% reaches a 75% mark; Thư's last 50% does not
    assert official_exam_grade(exam=exam, official=lan).passed is True


def test_officials_passed_matches_the_one_by_one_grade_in_one_query(three_sittings, django_assert_num_queries):
    exam, thu, lan, dung = three_sittings
    for method in M.values:
        exam.grading_method = method
        exam.save()
        one_by_one = {o.pk for o in (thu, lan, dung) if official_exam_grade(exam=exam, official=o).passed}
        with django_assert_num_queries(1):
            assert officials_passed(exam=exam) == one_by_one
        with django_assert_num_queries(1):
            assert officials_passed(exam=exam, official_ids=[thu.pk, dung.pk]) == one_by_one - {lan.pk}


def test_someone_who_has_not_finished_has_no_grade(bank, trang_dai_official):
    exam = make_exam(bank, essay=False)
    assert official_exam_grade(exam=exam, official=trang_dai_official) is None
    sit(exam, trang_dai_official, right=4, submit=False)
    assert official_exam_grade(exam=exam, official=trang_dai_official) is None
    assert officials_passed(exam=exam) == set()


def test_an_attempt_awaiting_essay_grading_does_not_count_until_graded(bank, trang_dai_official, trainer_user):
    exam = make_exam(bank, attempts_allowed=2, method=M.LAST)  # 4 choice points + a 6-point essay
    sit(exam, trang_dai_official, right=4)  # essay left blank: 4/10, graded, fails
    second = sit(exam, trang_dai_official, right=4, essay_text="Bài tự luận.")
    grade = official_exam_grade(exam=exam, official=trang_dai_official)
    assert (grade.percent, grade.passed, grade.attempts, grade.pending_manual) == (Decimal(40), False, 2, True)
    assert officials_passed(exam=exam) == set()
    essay_grade(slot=second.slots.get(slot=5), points=Decimal(5), by=trainer_user)
    grade = official_exam_grade(exam=exam, official=trang_dai_official)
    assert (grade.percent, grade.score, grade.passed, grade.pending_manual) == (Decimal(90), Decimal(9), True, False)
    assert officials_passed(exam=exam) == {trang_dai_official.pk}


# --- The page and its CSV ---------------------------------------------------------------------------------------

def test_the_results_page_lists_each_official_with_the_final_grade(client, three_sittings, trainer_user):
    exam, thu, lan, dung = three_sittings
    client.force_login(trainer_user)
    body = client.get(f"/thi/{exam.pk}/ket-qua/").content.decode()
    for person in (thu, lan, dung):
        assert person.full_name in body and person.unit.name in body
    assert "100,00" in body and "75,00" in body  # highest attempt, decimal comma


def test_the_csv_opens_in_excel_with_vietnamese_names(client, three_sittings, trainer_user):
    exam, thu, lan, dung = three_sittings
    client.force_login(trainer_user)
    response = client.get(f"/thi/{exam.pk}/ket-qua.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name["Nguyễn Thị Minh Thư"][0] == "Phường Trảng Dài"
    assert by_name["Nguyễn Thị Minh Thư"][3:6] == ["3", "100,00", "10,00"]
    assert by_name["Trần Văn Dũng"][3:6] == ["1", "25,00", "2,50"]


def test_the_results_page_shows_the_audit_of_grade_changes(client, bank, trang_dai_official, trainer_user):
    exam = make_exam(bank)
    attempt = sit(exam, trang_dai_official, right=2, essay_text="Bài tự luận.")
    essay_grade(slot=attempt.slots.get(slot=5), points=Decimal("3.5"), comment="Cần nêu căn cứ pháp lý.",
                by=trainer_user)
    client.force_login(trainer_user)
    body = client.get(f"/thi/{exam.pk}/ket-qua/").content.decode()
    audit = body[body.index('id="audit"'):]
    assert "Cần nêu căn cứ pháp lý." in audit and trang_dai_official.full_name in audit
    assert "2,00 → 5,50" in audit and trainer_user.username in audit


def test_highest_grade_uses_the_graded_attempt_while_a_later_essay_waits(client, bank, tree, trang_dai_official,
                                                                         trainer_user,
                                                                         django_capture_on_commit_callbacks):
    """Moodle's highest grade is the highest graded attempt: an attempt whose essay waits for a grader has no
    grade yet, so it neither hides the graded one nor makes the official vanish from the statistics."""
    from exams.statistics import statistics_of
    from lms import services as lms_services
    from lms.models import Assignment

    exam = make_exam(bank, attempts_allowed=2, method=M.HIGHEST)  # 4 choice points + a 6-point essay
    exam.pass_percent = Decimal(30)
    exam.save()
    requirement = RequirementFactory(one_stop=True, audience_units=[tree["bien_hoa"]], exam=exam)
    lms_services.requirement_assign(requirement=requirement)
    with django_capture_on_commit_callbacks(execute=True):
        sit(exam, trang_dai_official, right=3)  # essay left blank: 3/10, graded, passes the 30% mark
        sit(exam, trang_dai_official, right=4, essay_text="Bài tự luận.")  # 4 points so far, the essay waits

    grade = official_exam_grade(exam=exam, official=trang_dai_official)
    assert (grade.percent, grade.passed, grade.pending_manual) == (Decimal(30), True, True)
    assert officials_passed(exam=exam) == {trang_dai_official.pk}
    assert Assignment.objects.get(official=trang_dai_official, requirement=requirement).status == "completed"

    stats = statistics_of(exam)  # the default: the attempts that make the grade, here the highest
    assert (stats.which, stats.officials, stats.test.attempts, stats.pending) == ("highest", 1, 1, 0)
    assert stats.test.mean == pytest.approx(30)

    client.force_login(trang_dai_official.user)
    learning = client.get("/hoc-tap/").content.decode()
    exam_part = re.search(r"Sát hạch công chức Bộ phận Một cửa 2020</span>\s*<span>(.*?)</span>\s*</div>",
                          learning, re.S).group(1)
    assert "đạt" in exam_part and "chờ chấm" not in exam_part


def test_the_10_point_score_rounds_half_up_like_the_percentage(bank, trang_dai_official, trainer_user):
    """Averaging 50% and 66.5% gives 58.25%, which is 5.83 out of 10 (not the 5.82 of banker's rounding)."""
    exam = make_exam(bank, attempts_allowed=2, method=M.AVERAGE)  # 4 choice points + a 6-point essay
    for essay_points in (Decimal(1), Decimal("2.65")):
        attempt = sit(exam, trang_dai_official, right=4, essay_text="Bài tự luận.")
        essay_grade(slot=attempt.slots.get(slot=5), points=essay_points, by=trainer_user)
    grade = official_exam_grade(exam=exam, official=trang_dai_official)
    assert (grade.percent, grade.score) == (Decimal("58.25"), Decimal("5.83"))
