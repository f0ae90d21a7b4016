"""A section's points per question are the mark its questions carry on the paper (as a Moodle quiz slot's maximum
mark overrides the question's default mark): the admin shows that mark beside each question's own and says where
they differ, so an essay worth 2 in the bank is not graded out of 1 unnoticed."""
import dataclasses
import re

import pytest

from exams import formats
from exams.models import ExamSection, Question
from exams.services import attempt_start, question_save

from ..factories import ExamFactory, TopicFactory, choice_gift

pytestmark = pytest.mark.django_db

CHOICES = choice_gift(3, text="Câu hỏi {i} về Bộ phận Một cửa?", right="Đúng", wrong=("Sai A", "Sai B"))


@pytest.fixture
def bank(db):
    """Three 1-point choice questions under "Một cửa" and an essay worth 2 points in the bank under "Tự luận"."""
    choices = TopicFactory(name="Một cửa", gift=CHOICES)
    essays = TopicFactory(name="Tự luận")
    essay = formats.parse_gift("::Tự luận 2 điểm::Trình bày quy trình tiếp nhận hồ sơ.{}")[0]
    question_save(q=dataclasses.replace(essay, default_mark=2.0), topic=essays)
    exam = ExamFactory(title="Sát hạch một cửa", published=True)
    return {"exam": exam, "choices": choices, "essays": essays, "essay": Question.objects.get(kind="essay")}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_fixed_essay_worth_2_in_a_1_point_section_is_shown_and_warned_about(client, admin_user, bank,
                                                                              trang_dai_official):
    client.force_login(admin_user)
    form = client.get("/admin/examsection/new/").content.decode()
    assert "Tự luận 2 điểm (điểm mặc định 2)" in form  # the question's own mark, where it is chosen
    assert "bất kể điểm mặc định của câu đó trong ngân hàng" in form  # what the section's points mean

    response = client.post("/admin/examsection/new/", {
        "exam": bank["exam"].pk, "order": 1, "draw_count": 1, "points_per_question": "1",
        "fixed_questions": [bank["essay"].pk]}, follow=True)
    assert response.status_code == 200
    warnings = [m for m in messages_of(response) if "Tự luận 2 điểm" in m]
    assert warnings == ["“Tự luận 2 điểm” có điểm mặc định 2 trong ngân hàng nhưng trên đề này được tính 1 điểm "
                        "(điểm mỗi câu của phần thi)."]

    section = ExamSection.objects.get(exam=bank["exam"])
    page = client.get(f"/admin/examsection/edit/{section.pk}/").content.decode()
    panel = re.search(r'<div id="section-marks">.*?</div>\s*</div>|<div id="section-marks">.*', page, re.S).group(0)
    assert re.search(r"<td>Tự luận 2 điểm</td><td>2</td><td><strong>1</strong></td>", panel)
    assert "được tính 1 điểm" in panel

    # The section's points stay authoritative: the paper carries 1 point for the essay.
    attempt = attempt_start(exam=bank["exam"], official=trang_dai_official)
    assert attempt.max_score == 1 and attempt.slots.get().points == 1


def test_a_pool_that_mixes_marks_is_warned_about_and_a_matching_one_is_not(client, admin_user, bank):
    client.force_login(admin_user)
    fine = client.post("/admin/examsection/new/", {
        "exam": bank["exam"].pk, "order": 1, "draw_count": 3, "points_per_question": "1",
        "topic": bank["choices"].pk}, follow=True)
    assert fine.status_code == 200 and not [m for m in messages_of(fine) if "điểm mặc định" in m]

    # A pool of both topics under one parent: three 1-point questions and the 2-point essay.
    parent = TopicFactory(name="Tổng hợp")
    for topic in (bank["choices"], bank["essays"]):
        topic.parent, topic.path = parent, f"{parent.path}{topic.pk}/"
        topic.save()
    mixed = client.post("/admin/examsection/new/", {
        "exam": bank["exam"].pk, "order": 2, "draw_count": 1, "points_per_question": "1.5",
        "topic": parent.pk}, follow=True)
    assert "Nguồn câu hỏi có nhiều mức điểm mặc định: 1 (3 câu), 2 (1 câu). Mọi câu được rút ra đều được tính " \
           "1,5 điểm trên đề này." in messages_of(mixed)
    listing = client.get("/admin/examsection/").content.decode()
    assert "nhiều mức điểm mặc định" in listing
