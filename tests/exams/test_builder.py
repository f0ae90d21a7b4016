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
QUESTIONS = "/thi/soan/cau-hoi.json"


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
            data[f"sections-{n}-{key}"] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
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
    assert client.get(QUESTIONS, {"q": "1"}).status_code == 403


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


# --- Fixed questions ------------------------------------------------------------------------------------------------

def test_the_question_search_finds_live_questions_by_words_without_diacritics_or_by_number(client, trainer_user,
                                                                                          banks):
    from exams.services import question_set_active

    ethics = list(banks["ethics"].questions.order_by("id"))
    question_set_active(question=ethics[3], active=False)
    client.force_login(trainer_user)

    def search(q):
        reply = client.get(QUESTIONS, {"q": q})
        assert reply.status_code == 200
        return reply.json()

    found = search("dao duc 3")  # typed without accents
    assert [r["id"] for r in found["results"]] == [ethics[2].pk]
    assert found["results"][0]["label"] == f"#{ethics[2].pk} · Đạo đức công vụ — Đạo đức 3 (điểm mặc định 1)"
    assert found["text"] == "Tìm thấy 1 câu hỏi."
    assert [r["id"] for r in search("Đạo đức")["results"]] == [q.pk for q in ethics[:3]]  # the retired one is not
    assert search(f"#{ethics[1].pk}")["results"][0]["id"] == ethics[1].pk
    assert ethics[3].pk not in {r["id"] for r in search(str(ethics[3].pk))["results"]}  # retired: not by number
    assert len(search("Một cửa")["results"]) == 15  # every question's text says it: the 12 + 3 live ones
    assert search("không có câu nào")["text"] == "Không có câu hỏi nào khớp với “không có câu nào”."
    assert search("  ") == {"results": [], "text": ""}


def test_a_section_of_fixed_questions_is_checked_previewed_saved_and_shown_again(client, trainer_user, banks):
    ethics = list(banks["ethics"].questions.order_by("id"))
    chosen = [ethics[0].pk, ethics[2].pk]
    client.force_login(trainer_user)
    data = with_rows(blank(client), [
        {"title": "Cố định", "topic": "", "draw_count": 10, "points_per_question": "2", "fixed_questions": chosen},
        {"title": "Một cửa", "topic": banks["one_stop"].pk, "draw_count": 4, "points_per_question": "1"},
    ])
    data["title"] = ["Sát hạch có câu cố định"]

    # The live checks count the two chosen questions, not the 10 drawn, and no 3× rule applies to them.
    row = client.post(CHECK, data).json()["rows"]["sections-0"]
    assert row["pool"] == "Nguồn câu hỏi: 2 câu" and row["warning"] == ""
    assert row["marks"] == "2 câu × 2 = 4 điểm"
    assert any("Đạo đức 1" in w for w in row["mark_warnings"])  # worth 1 in the bank, 2 on this paper
    assert client.post(CHECK, data).json()["text"] == "2 phần thi, tổng 8 điểm."
    # The drawn paper has exactly them, then 4 one-stop questions.
    html = client.post(PREVIEW, data).content.decode()
    assert "Đạo đức 1" in html and "Đạo đức 3" in html and "Đạo đức 2" not in html
    assert html.count("data-preview-question") == 6

    assert client.post(BUILD, data).status_code == 302
    exam = Exam.objects.get(title="Sát hạch có câu cố định")
    fixed = exam.sections.get(order=1)
    assert fixed.topic is None and sorted(fixed.fixed_questions.values_list("pk", flat=True)) == chosen
    assert fixed.pool_size() == 2

    # Opened again: the chosen questions are listed, each with its remove button; saved untouched they stay.
    page = client.get(f"/thi/{exam.pk}/soan/").content.decode()
    assert f"#{ethics[0].pk} · Đạo đức công vụ — Đạo đức 1" in page and "data-fixed-remove" in page
    again = {k: v for k, v in form_fields(page, containing="title").items() if "__prefix__" not in k}
    assert sorted(map(int, again["sections-0-fixed_questions"])) == chosen
    assert client.post(f"/thi/{exam.pk}/soan/", again).status_code == 302
    assert sorted(fixed.fixed_questions.values_list("pk", flat=True)) == chosen
    # One removed (its input no longer sent): the section keeps the other.
    again["sections-0-fixed_questions"] = [str(ethics[2].pk)]
    assert client.post(f"/thi/{exam.pk}/soan/", again).status_code == 302
    assert list(fixed.fixed_questions.values_list("pk", flat=True)) == [ethics[2].pk]
    # Retired from the bank since: still listed (marked so) and the exam still saves until it is removed.
    from exams.services import question_set_active

    question_set_active(question=ethics[2], active=False)
    page = client.get(f"/thi/{exam.pk}/soan/").content.decode()
    assert "ngừng sử dụng" in page
    again = {k: v for k, v in form_fields(page, containing="title").items() if "__prefix__" not in k}
    assert client.post(f"/thi/{exam.pk}/soan/", again).status_code == 302


def test_a_section_needs_a_topic_or_fixed_questions_from_the_live_bank(client, trainer_user, banks):
    from exams.services import question_set_active

    retired = banks["ethics"].questions.order_by("id").first()
    question_set_active(question=retired, active=False)
    client.force_login(trainer_user)
    data = with_rows(blank(client), [{"title": "Không có gì", "topic": "", "draw_count": 5,
                                      "points_per_question": "1"}])
    data["title"] = ["Thiếu nguồn câu hỏi"]
    reply = client.post(BUILD, data)
    assert reply.status_code == 200
    assert "Hãy chọn chủ đề để rút câu hỏi, hoặc chọn câu hỏi cố định." in reply.content.decode()
    data["sections-0-fixed_questions"] = [str(retired.pk)]  # a retired question cannot be fixed
    assert client.post(BUILD, data).status_code == 200
    assert not Exam.objects.exists() and not ExamSection.objects.exists()


def test_the_admin_exam_screens_lead_to_the_builder(client, admin_user):
    exam = ExamFactory(title="Sát hạch trong trang quản trị")
    client.force_login(admin_user)
    listing = client.get("/admin/exam/").content.decode()
    assert 'href="/thi/soan/"' in listing and "Soạn kỳ thi trên một màn hình" in listing
    edit = client.get(f"/admin/exam/edit/{exam.pk}/").content.decode()
    assert f'href="/thi/{exam.pk}/soan/"' in edit and "Mở trên một màn hình" in edit
    assert "Soạn kỳ thi" in client.get("/ngan-hang-cau-hoi/").content.decode()
