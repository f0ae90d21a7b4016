"""Who may sit an exam: the audience rule or a list, personal accommodations, the exam room's IP ranges."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exams.models import ExamOverride
from exams.selectors import exams_open_to
from exams.services import ExamRefused, answer_save, attempt_start, exam_override_save
from org.models import Category
from tests.factories import ExamFactory, OfficialFactory, TopicFactory, choice_gift
from tests.papers import pick_right, pick_wrong

pytestmark = pytest.mark.django_db

BANK = choice_gift(15, name="C{i}", text="Câu hỏi {i}?", right="Đúng", wrong=("Sai A", "Sai B"))


@pytest.fixture
def exam(db):
    """A published exam drawing five of the 15 questions of BANK."""
    return ExamFactory(title="Sát hạch một cửa", time_limit_minutes=30, published=True,
                       bank=TopicFactory(name="Một cửa", gift=BANK), bank__draw_count=5)


def can_start(exam, official, **kw):
    try:
        attempt_start(exam=exam, official=official, **kw)
    except ExamRefused:
        return False
    return True


def listed(exam, official):
    return any(r["exam"].pk == exam.pk for r in exams_open_to(official))


def test_an_exam_without_a_rule_is_open_to_every_official(exam, trang_dai_official, long_khanh_official):
    assert listed(exam, trang_dai_official) and can_start(exam, trang_dai_official)
    assert can_start(exam, long_khanh_official)


def test_units_with_subunits_times_roles_times_categories(exam, tree, trang_dai_official, long_khanh_official):
    # One-stop receivers in Biên Hòa and its wards who are civil servants.
    exam.audience_units.set([tree["bien_hoa"]])
    exam.audience_one_stop_receivers = True
    exam.audience_categories = [Category.CONG_CHUC]
    exam.save()
    trang_dai_official.category = Category.CONG_CHUC
    trang_dai_official.save()
    not_receiver = OfficialFactory(unit=tree["trang_dai"], category=Category.CONG_CHUC, is_one_stop_receiver=False)
    wrong_category = OfficialFactory(unit=tree["tan_phong"], category=Category.VIEN_CHUC, is_one_stop_receiver=True)

    assert listed(exam, trang_dai_official) and can_start(exam, trang_dai_official)
    assert not listed(exam, long_khanh_official)  # another city
    with pytest.raises(ExamRefused, match="danh sách|list of candidates"):
        attempt_start(exam=exam, official=long_khanh_official)
    assert not can_start(exam, not_receiver)
    assert not can_start(exam, wrong_category)


def test_without_subunits_only_the_unit_itself(exam, tree, trang_dai_official):
    exam.audience_units.set([tree["bien_hoa"]])
    exam.audience_include_subunits = False
    exam.save()
    at_city = OfficialFactory(unit=tree["bien_hoa"])
    assert can_start(exam, at_city)
    assert not can_start(exam, trang_dai_official)  # a ward under the city


def test_a_list_alone_admits_only_those_listed(exam, trang_dai_official, long_khanh_official):
    exam.audience_officials.set([long_khanh_official])
    assert can_start(exam, long_khanh_official)
    assert not can_start(exam, trang_dai_official)


def test_a_list_adds_people_the_rule_leaves_out(exam, tree, trang_dai_official, long_khanh_official):
    exam.audience_units.set([tree["bien_hoa"]])
    exam.audience_officials.set([long_khanh_official])
    assert can_start(exam, trang_dai_official) and can_start(exam, long_khanh_official)


def test_officials_no_longer_working_are_not_candidates(exam, trang_dai_official):
    trang_dai_official.status = "retired"
    trang_dai_official.save()
    assert not can_start(exam, trang_dai_official)


def test_extra_time_lengthens_the_deadline_even_mid_sitting(exam, trang_dai_official):
    now = timezone.now()
    attempt = attempt_start(exam=exam, official=trang_dai_official, now=now)
    assert attempt.deadline == now + dt.timedelta(minutes=30)
    exam_override_save(exam=exam, official=trang_dai_official, extra_minutes=15, reason="Khiếm thị")
    attempt.refresh_from_db()
    assert attempt.deadline == now + dt.timedelta(minutes=45)
    # A save 40 minutes in is accepted for this candidate.
    assert answer_save(attempt=attempt, slot=1, response={"choice": 0}, seq=1, now=now + dt.timedelta(minutes=40)) == 1
    assert attempt.events.filter(kind="deadline").exists()


def test_a_personal_window_opens_a_closed_exam_for_one_person(exam, trang_dai_official, long_khanh_official):
    now = timezone.now()
    exam.opens_at, exam.closes_at = now - dt.timedelta(days=3), now - dt.timedelta(days=1)
    exam.save()
    assert not can_start(exam, trang_dai_official)
    ExamOverride.objects.create(exam=exam, official=trang_dai_official, opens_at=now - dt.timedelta(hours=1),
                                closes_at=now + dt.timedelta(hours=2), reason="Ốm ngày thi")
    assert listed(exam, trang_dai_official) and not listed(exam, long_khanh_official)
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    assert attempt.deadline <= now + dt.timedelta(hours=2)
    assert not can_start(exam, long_khanh_official)


def test_extra_attempts(exam, trang_dai_official):
    from exams.services import attempt_submit

    attempt_submit(attempt=attempt_start(exam=exam, official=trang_dai_official))
    assert not can_start(exam, trang_dai_official)
    exam_override_save(exam=exam, official=trang_dai_official, extra_attempts=1)
    assert can_start(exam, trang_dai_official)


def test_ip_ranges_admit_only_the_exam_room(exam, trang_dai_official):
    exam.allowed_ip_ranges = "# Phòng thi Sở Nội vụ\n10.20.0.0/16\n192.168.1.7"
    exam.save()
    with pytest.raises(ExamRefused, match="203.0.113.9"):
        attempt_start(exam=exam, official=trang_dai_official, ip="203.0.113.9")
    assert can_start(exam, trang_dai_official, ip="10.20.3.44")
    assert can_start(exam, trang_dai_official, ip="192.168.1.7")  # resume from an allowed machine


def test_bad_ip_ranges_are_refused_naming_the_line(exam):
    exam.allowed_ip_ranges = "10.0.0.0/8\nphòng thi A"
    with pytest.raises(ValidationError) as refused:
        exam.full_clean()
    assert "2" in str(refused.value) and "phòng thi A" in str(refused.value)


def test_admin_form_sets_the_list_by_employee_code_and_names_unknown_lines(exam, admin_user, client,
                                                                        trang_dai_official):
    client.force_login(admin_user)
    url = f"/admin/exam/edit/{exam.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, bool))}
    data.update({"title": exam.title, "time_limit_minutes": 30, "pass_percent": "50", "attempts_allowed": 1,
                 "grading_method": "highest", "layout": "one", "is_published": "on",
                 "listed_codes": "25993-0001\nKHONG-CO"})
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Dòng 2" in refused.content.decode() and "KHONG-CO" in refused.content.decode()
    assert not exam.audience_officials.exists()
    data["listed_codes"] = "25993-0001"
    assert client.post(url, data).status_code == 302
    exam.refresh_from_db()
    assert list(exam.audience_officials.all()) == [trang_dai_official] and exam.layout == "one"


def test_negative_marking_costs_wrong_answers_but_never_takes_the_attempt_below_zero(exam, trang_dai_official):
    from exams.services import attempt_submit

    exam.negative_marking_percent = 50
    exam.save()
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    answer_save(attempt=attempt, slot=1, response=pick_right(attempt, 1), seq=1)
    answer_save(attempt=attempt, slot=2, response=pick_wrong(attempt, 2), seq=1)  # every wrong option is worth 0
    attempt = attempt_submit(attempt=attempt)
    assert attempt.score == 0.5  # 1 right − half of 1 for the wrong one; three left empty cost nothing

    exam.attempts_allowed = 2
    exam.save()
    again = attempt_start(exam=exam, official=trang_dai_official)
    for s in again.slots.all():
        answer_save(attempt=again, slot=s.slot, seq=1, response=pick_wrong(again, s.slot))
    assert attempt_submit(attempt=again).score == 0  # five wrong answers: floored at zero, not −2.5


def test_a_section_of_fixed_questions_is_built_in_the_admin_and_every_candidate_gets_them(exam, admin_user, client,
                                                                                          trang_dai_official):
    from exams.models import Question

    chosen = list(Question.objects.order_by("id")[:2])
    client.force_login(admin_user)
    refused = client.post("/admin/examsection/new/", {"exam": exam.pk, "order": 2, "draw_count": 10,
                                                     "points_per_question": "2"})
    assert refused.status_code == 200 and not exam.sections.filter(order=2).exists()  # neither topic nor questions
    made = client.post("/admin/examsection/new/", {"exam": exam.pk, "order": 2, "draw_count": 10,
                                                  "points_per_question": "2",
                                                  "fixed_questions": [q.pk for q in chosen]})
    assert made.status_code == 302
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    drawn = set(attempt.slots.values_list("version__question_id", flat=True))
    assert {q.pk for q in chosen} <= drawn and attempt.slots.count() == 5 + 2
    assert len(drawn) == 7  # the random section never repeats a fixed question
    assert attempt.max_score == 5 + 2 * 2
