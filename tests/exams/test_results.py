"""The final grade across attempts by the exam's grading method, who passed, and the trainers' results page."""
import csv
import io
from decimal import Decimal

import pytest

from exams.grading import ExamGrade, essay_grade, official_exam_grade, officials_passed
from exams.models import Exam

from ..factories import OfficialFactory
from .test_grading import bank, make_exam, sit  # noqa: F401 (fixture)

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
