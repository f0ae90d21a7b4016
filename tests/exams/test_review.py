"""The review policy: what a candidate sees of a finished sitting right after submitting and once the exam has
closed. Key material (right options, model answers, per-question marks, feedback) appears only when allowed."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from exams import formats
from exams.models import Attempt, AttemptQuestion, ExamOverride
from exams.review import attempt_review, review_policy
from exams.services import answer_save, attempt_start, attempt_submit, question_save

from ..factories import ExamFactory, OfficialFactory, TopicFactory, UserFactory
from ..papers import in_paper_ids, pick

pytestmark = pytest.mark.django_db

# One question of each kind. The markers (FB-…, GENERAL-FB-…) make leaked feedback easy to find.
BANK = """
::Một cửa::Bộ phận Một cửa cấp xã đặt tại đâu?{
=Trụ sở UBND cấp xã#FB-DUNG-TRU-SO
~Nhà văn hóa ấp#FB-SAI-NHA-VAN-HOA
~Bưu điện#FB-SAI-BUU-DIEN
####GENERAL-FB-MOT-CUA
}

::Nhiều::Những giấy tờ nào cần khi nộp hồ sơ?{
~%50%Đơn đề nghị#FB-DON
~%50%Bản sao CCCD#FB-CCCD
~%-100%Giấy khen#FB-GIAY-KHEN
}

::Đúng sai::Thời hạn giải quyết được tính theo ngày làm việc.{TRUE#FB-TF-CHON-SAI#FB-TF-CHON-DUNG}

::Ngắn::Viết tắt tên gọi của công cuộc đổi mới thủ tục là gì?{=CCHC#FB-SHORT-OK =Cải cách hành chính}

::Số::Thời hạn giải quyết là bao nhiêu ngày làm việc?{#15:2#FB-NUM-OK}

::Ghép::Ghép cơ quan với việc.{=Sở Nội vụ -> Tổ chức bộ máy =Sở Tư pháp -> Hộ tịch}

::Viết::Trình bày quy trình tiếp nhận hồ sơ.{}
"""

# Strings that only key material carries: the right option not picked, the other accepted short answer, the
# numeric tolerance, every feedback text, the grader's comment, and the keys that say right or wrong.
KEY_MATERIAL = ["Trụ sở UBND cấp xã", "Bản sao CCCD", "Cải cách hành chính", "±", "FB-", "GENERAL-FB",
                "GRADER-COMMENT", '"fraction"', '"right_answer"', '"verdict"', '"feedback"',
                '"general_feedback"', '"comment"', "Tiếp nhận → Giải quyết"]
RIGHT_ORDER = ["Tiếp nhận", "Thẩm định", "Giải quyết", "Trả kết quả"]


@pytest.fixture
def exam(db):
    root = TopicFactory(name="Ôn tập Một cửa")
    parsed = formats.parse_gift(BANK) + [
        formats.Question(kind="ordering", name="Thứ tự", text="Sắp xếp các bước giải quyết hồ sơ.", order=RIGHT_ORDER)]
    questions = [question_save(q=q, topic=root)[0] for q in parsed]
    return ExamFactory(title="Sát hạch Một cửa", published=True, shuffle_questions=False, shuffle_options=False,
                       attempts_allowed=0, time_limit_minutes=30, closes_at=timezone.now() + dt.timedelta(hours=2),
                       bank=root, bank__draw_count=len(questions), bank__fixed_questions=questions)


def sit(exam, official, *, grade_essay=True):
    """Slots in bank order (no shuffling): 1 single, 2 multiple, 3 true/false, 4 short, 5 numeric, 6 matching,
    7 essay, 8 ordering. One wrong, one half right, the essay graded 0.5 by hand: 6 of 8."""
    attempt = attempt_start(exam=exam, official=official)
    ordering = attempt.slots.get(slot=8)
    assert ordering.version.question.kind == "ordering"
    # In the internal numbering (option positions, bank indices); the paper's own identifiers are looked up.
    answers = {1: {"choice": 1}, 2: {"choices": [0]}, 3: {"choice": 0}, 4: {"text": "cchc"}, 5: {"value": "14,5"},
               6: {"pairs": {"0": 1, "1": 0}}, 7: {"text": "Tiếp nhận, kiểm tra và hướng dẫn bổ sung."},
               8: {"order": [0, 1, 2, 3]}}
    for slot, response in answers.items():
        answer_save(attempt=attempt, slot=slot, response=in_paper_ids(attempt, slot, response), seq=1)
    attempt = attempt_submit(attempt=attempt)
    assert attempt.score == 5.5 and attempt.needs_manual_grading
    if grade_essay:  # what a grader does in the grading queue
        AttemptQuestion.objects.filter(attempt=attempt, slot=7).update(fraction=0.5, comment="GRADER-COMMENT đủ ý")
        Attempt.objects.filter(pk=attempt.pk).update(score=6, needs_manual_grading=False)
        attempt.refresh_from_db()
    return attempt


def policy(exam, **flags):
    parts = ("score", "outcome", "answers", "feedback")
    for phase in ("submit", "close"):
        for part in parts:
            setattr(exam, f"show_{part}_after_{phase}", flags.get(f"{part}_{phase}", False))
    exam.save()


def close(exam):
    exam.closes_at = timezone.now() - dt.timedelta(minutes=1)
    exam.save(update_fields=["closes_at"])


def dumped(review) -> str:
    return json.dumps(review, ensure_ascii=False, default=str)


def fresh(attempt):
    """The attempt as a new request loads it, with the exam's policy as last saved."""
    return Attempt.objects.select_related("exam").get(pk=attempt.pk)


def by_slot(review):
    return {q["slot"]: q for q in review["questions"]}


def test_nothing_is_shown_while_the_sitting_is_in_progress(exam, trang_dai_official):
    policy(exam, score_submit=True, outcome_submit=True, answers_submit=True, feedback_submit=True)
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    answer_save(attempt=attempt, slot=1, response=pick(attempt, 1, 0), seq=1)
    review = attempt_review(fresh(attempt))
    assert review["phase"] == "in_progress"
    assert "questions" not in review and "score" not in review and "passed" not in review
    assert not any(k in dumped(review) for k in KEY_MATERIAL)


def test_before_close_with_answers_disallowed_no_key_material_appears(exam, trang_dai_official):
    policy(exam, score_submit=True, outcome_submit=True, answers_close=True, feedback_close=True)
    review = attempt_review(fresh(sit(exam, trang_dai_official)))
    sent = dumped(review)
    leaked = [k for k in KEY_MATERIAL if k in sent]
    assert leaked == []
    # No per-question mark, which would tell right from wrong; an essay's mark tells nothing of a key.
    assert [q["slot"] for q in review["questions"] if "earned" in q] == [7]
    assert review["phase"] == "after_submit"
    assert (review["score"], review["max_score"], review["percent"], review["score10"]) == (6, 8, 75, 7.5)
    assert review["passed"] is True
    # The candidate's own responses, in the paper's words.
    q = by_slot(review)
    assert q[1]["response"] == ["Nhà văn hóa ấp"]
    assert q[2]["response"] == ["Đơn đề nghị"]
    assert q[3]["response"] == ["Đúng"]
    assert q[4]["response"] == ["cchc"] and q[5]["response"] == ["14,5"]
    assert q[6]["response"] == ["Sở Nội vụ → Tổ chức bộ máy", "Sở Tư pháp → Hộ tịch"]
    assert q[8]["response"] == ["1. Tiếp nhận", "2. Thẩm định", "3. Giải quyết", "4. Trả kết quả"]
    # What the policy will show later is announced, not shown.
    assert review["more_at"] == exam.closes_at


def test_after_close_with_answers_and_feedback_allowed_they_appear(exam, trang_dai_official):
    policy(exam, score_close=True, outcome_close=True, answers_close=True, feedback_close=True)
    attempt = sit(exam, trang_dai_official)
    assert "Trụ sở UBND cấp xã" not in dumped(attempt_review(fresh(attempt)))
    close(exam)
    review = attempt_review(fresh(attempt))
    assert review["phase"] == "after_close" and review["more_at"] is None
    q = by_slot(review)
    assert (q[1]["verdict"], q[1]["right_answer"], q[1]["earned"]) == ("wrong", ["Trụ sở UBND cấp xã"], 0)
    assert q[1]["feedback"] == ["FB-SAI-NHA-VAN-HOA"] and q[1]["general_feedback"] == "GENERAL-FB-MOT-CUA"
    assert (q[2]["verdict"], q[2]["earned"]) == ("partial", 0.5)
    assert q[2]["right_answer"] == ["Đơn đề nghị", "Bản sao CCCD"] and q[2]["feedback"] == ["FB-DON"]
    assert (q[3]["verdict"], q[3]["right_answer"], q[3]["feedback"]) == ("right", ["Đúng"], ["FB-TF-CHON-DUNG"])
    assert q[4]["right_answer"] == ["CCHC / Cải cách hành chính"] and q[4]["feedback"] == ["FB-SHORT-OK"]
    assert q[5]["right_answer"] == ["15 ± 2"] and q[5]["feedback"] == ["FB-NUM-OK"]
    assert q[6]["right_answer"] == ["Sở Nội vụ → Tổ chức bộ máy", "Sở Tư pháp → Hộ tịch"]
    assert q[8]["verdict"] == "right" and q[8]["right_answer"][0] == "1. Tiếp nhận"
    # The essay: the grader's comment with its mark, and never a right answer.
    assert q[7]["comment"] == "GRADER-COMMENT đủ ý" and q[7]["earned"] == 0.5 and "right_answer" not in q[7]


def test_the_after_close_column_does_not_apply_before_the_exam_closes(exam, trang_dai_official):
    policy(exam, score_close=True, outcome_close=True, answers_close=True, feedback_close=True)
    review = attempt_review(fresh(sit(exam, trang_dai_official)))
    assert review["allows"] == []
    assert "score" not in review and "passed" not in review
    assert not [k for k in KEY_MATERIAL if k in dumped(review)]


def test_after_close_hides_what_its_column_does_not_allow(exam, trang_dai_official):
    # Everything right after submitting, nothing after close: closing takes the answers away again.
    policy(exam, score_submit=True, outcome_submit=True, answers_submit=True, feedback_submit=True)
    attempt = sit(exam, trang_dai_official)
    assert "Trụ sở UBND cấp xã" in dumped(attempt_review(fresh(attempt)))
    close(exam)
    review = attempt_review(fresh(attempt))
    assert review["phase"] == "after_close" and not [k for k in KEY_MATERIAL if k in dumped(review)]
    assert "score" not in review and "passed" not in review


def test_outcome_and_score_are_separate_columns(exam, trang_dai_official):
    policy(exam, score_submit=True)
    attempt = sit(exam, trang_dai_official)
    review = attempt_review(fresh(attempt))
    assert review["score"] == 6 and "passed" not in review and "pass_percent" not in review

    policy(exam, outcome_submit=True, answers_submit=True)
    review = attempt_review(fresh(attempt))
    assert review["passed"] is True
    assert not {"score", "max_score", "percent", "score10"} & set(review)
    # Per-question marks would add up to the hidden score: right/wrong is shown, marks are not.
    q = by_slot(review)
    assert q[1]["verdict"] == "wrong" and "earned" not in q[1] and "earned" not in q[7]


def test_feedback_without_answers_shows_feedback_but_not_the_key(exam, trang_dai_official):
    policy(exam, feedback_submit=True)
    q = by_slot(attempt_review(fresh(sit(exam, trang_dai_official))))
    assert q[1]["feedback"] == ["FB-SAI-NHA-VAN-HOA"] and q[1]["general_feedback"] == "GENERAL-FB-MOT-CUA"
    assert q[7]["comment"] == "GRADER-COMMENT đủ ý" and "earned" not in q[7]
    assert "right_answer" not in q[1] and "verdict" not in q[1]
    assert "Trụ sở UBND cấp xã" not in json.dumps(q, ensure_ascii=False)


def test_an_essay_waiting_for_a_grader_leaves_the_outcome_open(exam, trang_dai_official):
    policy(exam, score_submit=True, outcome_submit=True, feedback_submit=True)
    review = attempt_review(fresh(sit(exam, trang_dai_official, grade_essay=False)))
    assert review["passed"] is None and review["pending_grading"] is True and review["score"] == 5.5
    essay = by_slot(review)[7]
    assert essay["graded"] is False and "comment" not in essay and "earned" not in essay


def test_an_exam_without_a_closing_time_never_reaches_the_after_close_column(exam, trang_dai_official):
    policy(exam, answers_close=True, score_close=True)
    exam.closes_at = None
    exam.save()
    attempt = sit(exam, trang_dai_official)
    later = timezone.now() + dt.timedelta(days=3650)
    assert review_policy(fresh(attempt), now=later).phase == "after_submit"
    assert "score" not in attempt_review(fresh(attempt), now=later)
    assert attempt_review(fresh(attempt), now=later)["more_at"] is None


def test_a_personal_window_that_ends_later_keeps_the_exam_open_for_review(exam, trang_dai_official, tree):
    policy(exam, answers_close=True)
    attempt = sit(exam, trang_dai_official)
    colleague = OfficialFactory(unit=tree["trang_dai"])
    late = timezone.now() + dt.timedelta(hours=1)
    ExamOverride.objects.create(exam=exam, official=colleague, closes_at=late)
    close(exam)
    # A colleague may still be sitting: the key stays hidden until their window ends too.
    now = review_policy(fresh(attempt))
    assert now.phase == "after_submit" and not now.answers
    later = review_policy(fresh(attempt), now=late)
    assert later.phase == "after_close" and later.answers


def test_the_review_page_shows_what_the_policy_allows(client, exam, trang_dai_official):
    policy(exam, score_submit=True, outcome_submit=True, answers_close=True, feedback_close=True)
    attempt = sit(exam, trang_dai_official)
    client.force_login(trang_dai_official.user)
    html = client.get(f"/thi/ket-qua/{attempt.pk}/").content.decode()
    assert "Nhà văn hóa ấp" in html and "7,5" in html and "6/8" in html
    assert not [k for k in ("Trụ sở UBND cấp xã", "Bản sao CCCD", "FB-", "GRADER-COMMENT") if k in html]
    close(exam)
    html = client.get(f"/thi/ket-qua/{attempt.pk}/").content.decode()
    assert "Trụ sở UBND cấp xã" in html and "FB-SAI-NHA-VAN-HOA" in html and "GRADER-COMMENT" in html
    assert "6/8" not in html  # the score column after close is off


def test_the_review_page_and_api_are_only_for_the_candidate(client, exam, trang_dai_official, tree, trainer_user):
    attempt = sit(exam, trang_dai_official)
    other = OfficialFactory(unit=tree["trang_dai"])
    for user in (other.user, trainer_user, UserFactory(is_superuser=True)):
        client.force_login(user)
        assert client.get(f"/thi/ket-qua/{attempt.pk}/").status_code == 404
        assert client.get(f"/api/attempts/{attempt.pk}/review").status_code == 404
    client.logout()
    assert client.get(f"/thi/ket-qua/{attempt.pk}/").status_code == 302  # to sign in
    signed_out = client.get(f"/api/attempts/{attempt.pk}/review")
    assert signed_out.status_code == 401 and signed_out.json()["code"] == "signed_out"  # the room asks to sign in


def test_an_unfinished_sitting_opens_the_room_instead_of_the_review(client, exam, trang_dai_official):
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    client.force_login(trang_dai_official.user)
    response = client.get(f"/thi/ket-qua/{attempt.pk}/")
    assert response.status_code == 302 and response.url == f"/thi/lam-bai/{attempt.pk}/"


def test_my_exams_and_my_results_link_finished_attempts_to_their_review(client, exam, trang_dai_official):
    policy(exam, score_submit=True, outcome_submit=True)
    attempt = sit(exam, trang_dai_official)
    client.force_login(trang_dai_official.user)
    assert f"/thi/ket-qua/{attempt.pk}/" in client.get("/thi/").content.decode()
    close(exam)  # a closed exam leaves "My exams", its results stay listed
    html = client.get("/thi/ket-qua/").content.decode()
    assert f"/thi/ket-qua/{attempt.pk}/" in html and exam.title in html
    assert "6/8" not in html  # after close the score column is off


def test_every_column_of_my_results_is_named_for_screen_readers(client, exam, trang_dai_official):
    """The last column holds the links to each review: its header is named, out of sight."""
    import re

    policy(exam, score_submit=True, outcome_submit=True)
    sit(exam, trang_dai_official)
    client.force_login(trang_dai_official.user)
    html = client.get("/thi/ket-qua/").content.decode()
    headers = re.findall(r"<th\b[^>]*>(.*?)</th>", html, re.S)
    assert len(headers) == 5
    assert [h for h in headers if not re.sub(r"<[^>]+>", "", h).strip()] == []
    assert '<span class="visually-hidden">Xem lại bài</span>' in headers[-1]
