"""The exam builder's page and its live checks: the count of officials the candidates reach (trainers only, the
numbers the saved rule then gives), each section's pool, 3× warning and marks, one drawn paper that writes nothing,
and the exam, its sections and its candidates saved together from one form."""
import datetime as dt

import pytest

from exams.models import Attempt, AttemptQuestion, Exam, ExamSection
from org.models import Category
from org.selectors import officials_in_audience
from tests.factories import ExamFactory, ExamSectionFactory, OfficialFactory, TopicFactory

from ..html_forms import form_fields

pytestmark = pytest.mark.django_db

BUILD = "/thi/soan/"
COUNT = "/thi/soan/so-thi-sinh/"
CHECK = "/thi/soan/kiem-tra-phan/"
PREVIEW = "/thi/soan/xem-thu/"


def blank(client) -> dict:
    """The builder's form as a browser sends it untouched."""
    page = client.get(BUILD)
    assert page.status_code == 200
    data = form_fields(page.content, containing="title")
    return {k: v for k, v in data.items() if "__prefix__" not in k}


def with_rows(data: dict, rows: list[dict]) -> dict:
    data = {k: v for k, v in data.items() if not k.startswith("sections-") or k.endswith("_FORMS")}
    data["sections-TOTAL_FORMS"] = [str(len(rows))]
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"sections-{n}-{key}"] = [str(value)]
    return data


@pytest.fixture
def banks(db):
    return {"one_stop": TopicFactory(name="Một cửa", choices=12),
            "ethics": TopicFactory(name="Đạo đức công vụ", choices=4, choices__name="Đạo đức {i}")}


@pytest.fixture
def roster(tree):
    """Biên Hòa: two receivers in Trảng Dài (one công chức, one viên chức) and one official in Tân Phong; Long Khánh:
    one receiver in Xuân Trung."""
    return {
        "td_cc": OfficialFactory(unit=tree["trang_dai"], is_one_stop_receiver=True, category=Category.CONG_CHUC),
        "td_vc": OfficialFactory(unit=tree["trang_dai"], is_one_stop_receiver=True, category=Category.VIEN_CHUC),
        "tp": OfficialFactory(unit=tree["tan_phong"], employee_code="25996-0007"),
        "xt": OfficialFactory(unit=tree["xuan_trung"], is_one_stop_receiver=True),
    }


# --- Who may use it ---------------------------------------------------------------------------------------------

def test_the_builder_and_its_checks_are_for_trainers_only(client, tree, roster):
    for url in (COUNT, CHECK, PREVIEW):
        assert client.post(url, {}).status_code == 302  # to the sign-in page
    client.force_login(roster["tp"].user)
    assert client.get(BUILD).status_code == 403
    for url in (COUNT, CHECK, PREVIEW):
        assert client.post(url, {"sections-TOTAL_FORMS": "0", "sections-INITIAL_FORMS": "0"}).status_code == 403


def test_the_count_is_not_read_with_get(client, trainer_user):
    client.force_login(trainer_user)
    assert client.get(COUNT).status_code == 405


# --- The count of officials --------------------------------------------------------------------------------------

def test_the_count_follows_units_sub_units_roles_categories_and_codes(client, trainer_user, tree, roster):
    client.force_login(trainer_user)
    data = blank(client)

    def count(**changes):
        sent = {**data, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}}
        for key in [k for k, v in changes.items() if v is None]:
            sent.pop(key)
        reply = client.post(COUNT, sent)
        assert reply.status_code == 200
        return reply.json()

    everyone = count()
    assert everyone["count"] == 4 and everyone["text"] == "4 người được dự thi."
    bien_hoa = str(tree["bien_hoa"].pk)
    assert count(audience_units=bien_hoa, audience_include_subunits="on")["count"] == 3
    assert count(audience_units=bien_hoa, audience_include_subunits=None)["count"] == 0  # nobody sits in the city
    receivers = {"audience_units": bien_hoa, "audience_include_subunits": "on", "audience_one_stop_receivers": "on"}
    assert count(**receivers)["count"] == 2
    assert count(**receivers, audience_categories=Category.CONG_CHUC)["count"] == 1
    # Listed by code: added to the rule; a code that matches nobody is said.
    listed = count(audience_units=str(tree["xuan_trung"].pk), audience_include_subunits="on",
                   listed_codes="25996-0007\nKHONG-CO")
    assert listed["count"] == 1  # the code that matches nobody leaves the list out until it is corrected
    assert listed["problems"] and "KHONG-CO" in listed["problems"][0]
    assert count(audience_units=str(tree["xuan_trung"].pk), audience_include_subunits="on",
                 listed_codes="25996-0007")["count"] == 2


# --- Sections -----------------------------------------------------------------------------------------------------

def test_each_row_gets_its_pool_the_3x_warning_and_its_marks(client, trainer_user, banks):
    client.force_login(trainer_user)
    data = with_rows(blank(client), [
        {"title": "Một cửa", "topic": banks["one_stop"].pk, "draw_count": 4, "points_per_question": "1"},
        {"title": "Đạo đức", "topic": banks["ethics"].pk, "draw_count": 2, "points_per_question": "2.5"},
        {"title": "", "topic": "", "draw_count": 10, "points_per_question": "1"},
    ])
    reply = client.post(CHECK, data).json()
    first, second, third = (reply["rows"][f"sections-{n}"] for n in range(3))
    assert first["pool"] == "Nguồn câu hỏi: 12 câu" and first["warning"] == ""
    assert first["marks"] == "4 câu × 1 = 4 điểm"
    assert "tối thiểu 6" in second["warning"]  # 4 questions for 2 drawn: fewer than 3 × 2
    assert second["marks"] == "2 câu × 2,5 = 5 điểm"
    assert second["mark_warnings"]  # the bank's questions are worth 1, the paper gives 2.5
    assert third == {"empty": True}
    assert reply["text"] == "2 phần thi, tổng 9 điểm."


# --- One drawn paper ------------------------------------------------------------------------------------------------

def test_the_preview_draws_each_section_and_writes_nothing(client, trainer_user, banks):
    client.force_login(trainer_user)
    data = with_rows(blank(client), [
        {"title": "Phần một cửa", "topic": banks["one_stop"].pk, "draw_count": 3, "points_per_question": "1"},
        {"title": "Phần đạo đức", "topic": banks["ethics"].pk, "draw_count": 2, "points_per_question": "2"},
    ])
    reply = client.post(PREVIEW, data)
    assert reply.status_code == 200
    html = reply.content.decode()
    assert "Phần một cửa" in html and "Phần đạo đức" in html
    assert html.count("data-preview-question") == 5
    assert html.count("Đạo đức ") == 2  # the two ethics questions come from their own topic
    assert "5 câu hỏi, tổng 7 điểm." in html
    assert not Attempt.objects.exists() and not AttemptQuestion.objects.exists()
    assert not Exam.objects.exists() and not ExamSection.objects.exists()


def test_the_preview_of_a_saved_exam_keeps_its_fixed_questions_and_says_what_cannot_be_drawn(client, trainer_user,
                                                                                              banks):
    exam = ExamFactory(title="Sát hạch cố định")
    fixed = list(banks["ethics"].questions.order_by("id")[:2])
    section = ExamSectionFactory(exam=exam, title="Cố định", topic=None, draw_count=2, fixed_questions=fixed)
    client.force_login(trainer_user)
    page = client.get(f"/thi/{exam.pk}/soan/")
    assert page.status_code == 200
    data = {k: v for k, v in form_fields(page.content, containing="title").items() if "__prefix__" not in k}
    data["sections-1-title"] = ["Quá nhiều"]
    data["sections-1-topic"] = [str(banks["one_stop"].pk)]
    data["sections-1-draw_count"] = ["20"]
    html = client.post(f"/thi/{exam.pk}/soan/xem-thu/", data).content.decode()
    for q in fixed:
        assert q.current_version.name in html
    assert "chỉ còn 12 câu" in html
    assert section.pk and not Attempt.objects.exists()


# --- Saving ---------------------------------------------------------------------------------------------------------

def test_the_exam_its_sections_and_its_candidates_are_saved_from_one_form(client, trainer_user, tree, roster, banks):
    client.force_login(trainer_user)
    data = with_rows(blank(client), [
        {"title": "Một cửa", "topic": banks["one_stop"].pk, "draw_count": 4, "points_per_question": "1"},
        {"title": "Đạo đức", "topic": banks["ethics"].pk, "draw_count": 1, "points_per_question": "2"},
    ])
    data.update(title=["Sát hạch Biên Hòa"], time_limit_minutes=["45"], opens_at=["2026-12-07T07:30"],
                closes_at=["2026-12-07T11:00"], audience_units=[str(tree["bien_hoa"].pk)],
                audience_include_subunits=["on"], audience_one_stop_receivers=["on"])
    reply = client.post(BUILD, data)
    exam = Exam.objects.get(title="Sát hạch Biên Hòa")
    assert reply.status_code == 302 and reply["Location"] == f"/thi/{exam.pk}/soan/"
    assert exam.created_by == trainer_user and exam.time_limit_minutes == 45
    # Times are typed in Vietnam's time: 07:30 there is 00:30 UTC.
    assert exam.opens_at == dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.timezone.utc)
    assert [(s.order, s.title, s.topic, s.draw_count, s.points_per_question) for s in exam.sections.all()] == [
        (1, "Một cửa", banks["one_stop"], 4, 1), (2, "Đạo đức", banks["ethics"], 1, 2)]
    assert set(officials_in_audience(exam)) == {roster["td_cc"], roster["td_vc"]}

    # Opened again and saved untouched: the same exam, sections and candidates.
    page = client.get(f"/thi/{exam.pk}/soan/")
    assert "3 người được dự thi." not in page.content.decode()
    assert "2 người được dự thi." in page.content.decode()
    again = {k: v for k, v in form_fields(page.content, containing="title").items() if "__prefix__" not in k}
    assert client.post(f"/thi/{exam.pk}/soan/", again).status_code == 302
    exam.refresh_from_db()
    assert exam.sections.count() == 2 and exam.opens_at == dt.datetime(2026, 12, 7, 0, 30, tzinfo=dt.timezone.utc)
    assert exam.closes_at == dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.timezone.utc)
    assert set(officials_in_audience(exam)) == {roster["td_cc"], roster["td_vc"]}


def test_a_section_drawing_more_than_its_topic_holds_is_refused(client, trainer_user, banks):
    client.force_login(trainer_user)
    data = with_rows(blank(client), [
        {"title": "Đạo đức", "topic": banks["ethics"].pk, "draw_count": 9, "points_per_question": "1"}])
    data["title"] = ["Không đủ câu"]
    reply = client.post(BUILD, data)
    assert reply.status_code == 200
    assert "Chủ đề chỉ có 4 câu hỏi" in reply.content.decode()
    assert not Exam.objects.exists()


def test_the_admin_exam_screens_lead_to_the_builder(client, admin_user):
    exam = ExamFactory(title="Sát hạch trong trang quản trị")
    client.force_login(admin_user)
    listing = client.get("/admin/exam/").content.decode()
    assert 'href="/thi/soan/"' in listing and "Soạn kỳ thi trên một màn hình" in listing
    edit = client.get(f"/admin/exam/edit/{exam.pk}/").content.decode()
    assert f'href="/thi/{exam.pk}/soan/"' in edit and "Mở trên một màn hình" in edit
    assert "Soạn kỳ thi" in client.get("/ngan-hang-cau-hoi/").content.decode()
