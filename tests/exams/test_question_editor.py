"""Trainers write and correct single questions in the bank: every kind can be created, mistakes are explained
before anything is saved, a correction is a new version that leaves papers already drawn untouched, and a
question is retired rather than deleted."""
import pytest

from exams.models import Question, QuestionVersion
from exams.services import attempt_start

from ..factories import ExamFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(db):
    return TopicFactory(name="Cơ chế một cửa")


@pytest.fixture
def trainer(client, trainer_user):
    client.force_login(trainer_user)
    client.cookies["django_language"] = "en"  # messages below are the English source strings
    return trainer_user


def form_data(topic, rows=(), initial_rows=0, **fields):
    data = {"topic": topic.pk, "name": "", "text": "Câu hỏi?", "general_feedback": "", "difficulty": "2",
            "tags": "", "default_mark": "1", "rows-TOTAL_FORMS": str(len(rows)),
            "rows-INITIAL_FORMS": str(initial_rows), "rows-MIN_NUM_FORMS": "0", "rows-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        data.update({f"rows-{i}-{key}": value for key, value in row.items()})
    data.update(fields)
    return data


def create(client, topic, kind, **kwargs):
    return client.post(f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/them-cau-hoi/?loai={kind}", form_data(topic, **kwargs))


def only_question():
    question = Question.objects.get()
    return question, question.current_version


CASES = {
    "single": dict(rows=[{"text": "Chủ tịch UBND cấp xã", "percent": "100", "feedback": "Đúng, Điều 7."},
                         {"text": "Chủ tịch UBND cấp huyện", "percent": "0"},
                         {"text": "Giám đốc Sở Nội vụ", "percent": "-50"}, {"text": "", "percent": "0"}]),
    "multiple": dict(rows=[{"text": "Trực tiếp", "percent": "50"}, {"text": "Bưu chính", "percent": "50"},
                           {"text": "Tin nhắn", "percent": "-100", "feedback": "Không được phép."}]),
    "truefalse": dict(truth="false", feedback_true="Chưa đúng.", feedback_false="Chính xác."),
    "short": dict(rows=[{"text": "liên thông", "percent": "100"}, {"text": "phối hợp", "percent": "50"}]),
    "numeric": dict(rows=[{"value": "3,5", "tolerance": "0,1", "percent": "100"},
                          {"value": "3,5", "tolerance": "1", "percent": "50", "feedback": "Gần đúng."}]),
    "matching": dict(rows=[{"item": "Khai sinh", "match": "UBND cấp xã"},
                           {"item": "Hộ chiếu", "match": "Cục Quản lý xuất nhập cảnh"},
                           {"item": "", "match": "Sở Tư pháp"}]),
    "ordering": dict(rows=[{"item": "Tiếp nhận"}, {"item": "Giải quyết"}, {"item": "Trả kết quả"}]),
    "essay": dict(grader_info="Nêu đủ 4 bước.", default_mark="5"),
    "description": dict(),
}
EXPECTED = {
    "single": lambda d: d["choices"] == [{"text": "Chủ tịch UBND cấp xã", "fraction": 1.0, "feedback": "Đúng, Điều 7."},
                                         {"text": "Chủ tịch UBND cấp huyện", "fraction": 0.0, "feedback": ""},
                                         {"text": "Giám đốc Sở Nội vụ", "fraction": -0.5, "feedback": ""}],
    "multiple": lambda d: [c["fraction"] for c in d["choices"]] == [0.5, 0.5, -1.0],
    "truefalse": lambda d: d["truth"] is False and d["choices"] == [
        {"text": "true", "fraction": 0.0, "feedback": "Chưa đúng."},
        {"text": "false", "fraction": 1.0, "feedback": "Chính xác."}],
    "short": lambda d: d["answers"] == ["liên thông", "phối hợp"] and d["choices"][1]["fraction"] == 0.5,
    "numeric": lambda d: d["numeric"] == [{"value": 3.5, "tolerance": 0.1, "fraction": 1.0, "feedback": ""},
                                          {"value": 3.5, "tolerance": 1.0, "fraction": 0.5, "feedback": "Gần đúng."}],
    "matching": lambda d: d["pairs"] == [["Khai sinh", "UBND cấp xã"], ["Hộ chiếu", "Cục Quản lý xuất nhập cảnh"],
                                         ["", "Sở Tư pháp"]],
    "ordering": lambda d: d["order"] == ["Tiếp nhận", "Giải quyết", "Trả kết quả"],
    "essay": lambda d: True,
    "description": lambda d: True,
}


@pytest.mark.parametrize("kind", list(CASES))
def test_a_trainer_creates_every_kind_of_question(client, trainer, topic, kind):
    picker = client.get(f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/them-cau-hoi/").content.decode()
    assert f'href="?loai={kind}"' in picker
    assert client.get(f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/them-cau-hoi/?loai={kind}").status_code == 200
    response = create(client, topic, kind, tags="một cửa, NĐ 61", difficulty="3",
                      text="Theo Nghị định 61/2018/NĐ-CP, câu hỏi?", **CASES[kind])
    question, version = only_question()
    assert response["Location"] == f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/"
    assert question.kind == kind and question.topic == topic and question.difficulty == 3
    assert sorted(question.tags.names()) == ["NĐ 61", "một cửa"]
    assert version.number == 1 and version.name == "Theo Nghị định 61/2018/NĐ-CP, câu hỏi?"
    assert EXPECTED[kind](version.data)
    if kind == "essay":
        assert version.grader_info == "Nêu đủ 4 bước." and version.default_mark == 5
    page = client.get(response["Location"]).content.decode()
    assert "Theo Nghị định 61/2018/NĐ-CP, câu hỏi?" in page and 'id="version-history"' in page


@pytest.mark.parametrize("kind, data, message", [
    ("single", dict(rows=[{"text": "A", "percent": "100"}, {"text": "B", "percent": "100"}]),
     "Exactly one option must be worth 100% (now 2 are)."),
    ("single", dict(rows=[{"text": "A", "percent": "100"}]), "Give at least two options."),
    ("multiple", dict(rows=[{"text": "A", "percent": "50"}, {"text": "B", "percent": "30"}, {"text": "C"}]),
     "The right options add up to 80%; they must add up to 100%"),
    ("multiple", dict(rows=[{"text": "A", "percent": "0"}, {"text": "B", "percent": "-50"}]),
     "Mark the right options with a positive share"),
    ("short", dict(rows=[{"text": "liên thông", "percent": "100"}, {"text": "Lien Thong", "percent": "50"}]),
     "This answer is the same as answer 1 once case and diacritics are ignored."),
    ("short", dict(rows=[{"text": "phối hợp", "percent": "50"}]), "At least one accepted answer must be worth 100%."),
    ("numeric", dict(rows=[{"value": "2.500", "percent": "100"}]), "“2.500” could be read two ways"),
    ("numeric", dict(rows=[{"value": "3", "tolerance": "-1", "percent": "100"}]), "Enter 0 or more."),
    ("matching", dict(rows=[{"item": "Khai sinh", "match": "UBND xã"}, {"item": "", "match": "Sở Tư pháp"}]),
     "Give at least two pairs."),
    ("matching", dict(rows=[{"item": "Khai sinh", "match": "UBND xã"}, {"item": "Hộ chiếu", "match": ""},
                            {"item": "Kết hôn", "match": "UBND xã"}]), "Write what this item matches."),
    ("ordering", dict(rows=[{"item": "Tiếp nhận"}, {"item": "Tiếp nhận"}]), "This item is the same as item 1."),
    ("truefalse", dict(), "This field is required."),
    ("essay", dict(text=""), "This field is required."),
    ("essay", dict(default_mark="1,555"), "Use at most two decimals."),
])
def test_a_question_that_cannot_work_is_explained_and_not_saved(client, trainer, topic, kind, data, message):
    response = create(client, topic, kind, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.exists()


@pytest.fixture
def drawn(topic, trang_dai_official, client, trainer):
    """A single-choice question made in the editor, already drawn on a candidate's paper."""
    create(client, topic, "single", text="Ai thành lập Bộ phận Một cửa cấp xã?",
           rows=[{"text": "Chủ tịch UBND cấp xã", "percent": "100"}, {"text": "Chủ tịch UBND cấp huyện"}])
    question, _version = only_question()
    exam = ExamFactory(title="Sát hạch một cửa", time_limit_minutes=30, published=True,
                       bank=topic, bank__draw_count=1, bank__fixed_questions=[question])
    attempt = attempt_start(exam=exam, official=trang_dai_official)
    return question, attempt, exam


def edit_data(topic, **fields):
    rows = [{"text": "Chủ tịch Ủy ban nhân dân cấp xã", "percent": "100", "feedback": "Khoản 3 Điều 7."},
            {"text": "Chủ tịch UBND cấp huyện", "percent": "0"}]
    fields = {"text": "Ai thành lập Bộ phận Một cửa cấp xã?", "base_version": "1", **fields}
    return form_data(topic, rows=rows, initial_rows=2, **fields)


def test_editing_makes_a_new_version_and_the_drawn_paper_keeps_its_own(client, drawn, topic, trang_dai_official):
    question, attempt, exam = drawn
    form = client.get(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/").content.decode()
    assert 'value="Chủ tịch UBND cấp xã"' in form and 'name="base_version" value="1"' in form
    response = client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/", edit_data(topic))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.current_version.number == 2
    assert question.current_version.data["choices"][0]["text"] == "Chủ tịch Ủy ban nhân dân cấp xã"
    slot = attempt.slots.get()
    assert slot.version.number == 1 and slot.version.data["choices"][0]["text"] == "Chủ tịch UBND cấp xã"
    page = client.get(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/").content.decode()
    history = page[page.index('id="version-history"'):]
    assert history.count("<details>") == 2 and "Chủ tịch Ủy ban nhân dân cấp xã" in history


def test_saving_without_changes_makes_no_version_but_keeps_tags_and_difficulty(client, drawn, topic):
    question, _attempt, _exam = drawn
    unchanged = edit_data(topic, **{"rows-0-text": "Chủ tịch UBND cấp xã", "rows-0-feedback": ""},
                          tags="một cửa", difficulty="1")
    client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/", unchanged)
    question.refresh_from_db()
    assert question.versions.count() == 1
    assert question.difficulty == 1 and list(question.tags.names()) == ["một cửa"]


def test_a_stale_edit_is_refused_instead_of_overwriting_a_newer_version(client, drawn, topic):
    question, _attempt, _exam = drawn
    client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/", edit_data(topic))  # version 2
    stale = client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/",
                        edit_data(topic, text="Sửa từ trang cũ", base_version="1"))
    assert stale.status_code == 409 and "Someone saved version 2" in stale.content.decode()
    assert question.versions.count() == 2


def test_a_retired_question_is_no_longer_drawn_and_can_come_back(client, drawn, topic, trang_dai_official):
    question, attempt, exam = drawn
    client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/ngung-dung/", {"active": "0"})
    question.refresh_from_db()
    assert not question.is_active and QuestionVersion.objects.filter(question=question).count() == 1
    assert attempt.slots.get().version.question == question  # the paper is untouched
    topic_page = client.get(f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/").content.decode()
    assert "Ai thành lập Bộ phận Một cửa cấp xã?" not in topic_page
    retired = client.get(f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/da-ngung/").content.decode()
    assert "Ai thành lập Bộ phận Một cửa cấp xã?" in retired
    client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/ngung-dung/", {"active": "1"})
    question.refresh_from_db()
    assert question.is_active


def test_the_kind_of_a_question_never_changes(client, drawn, topic):
    question, _attempt, _exam = drawn
    # The editor is chosen by the stored kind: a "loai" in the address changes nothing.
    client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/?loai=essay", edit_data(topic))
    question.refresh_from_db()
    assert question.kind == "single"


def test_the_topic_page_offers_adding_editing_and_exporting(client, drawn, topic):
    question, _attempt, _exam = drawn
    page = client.get(f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/").content.decode()
    assert f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/them-cau-hoi/" in page
    assert f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/" in page
    for fmt in ("xlsx", "xml", "gift"):
        assert f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/xuat/{fmt}/" in page


def test_officials_cannot_open_or_change_questions(client, trang_dai_official, topic):
    from exams.formats import parse_gift
    from exams.services import question_save

    question, _written = question_save(q=parse_gift("::Câu::Ai ký?{=A ~B}")[0], topic=topic)
    client.force_login(trang_dai_official.user)
    for url in (f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/them-cau-hoi/?loai=single",
                f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/", f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/",
                f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/da-ngung/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/ngung-dung/", {"active": "0"}).status_code == 403
    assert client.post(f"/ngan-hang-cau-hoi/cau-hoi/{question.pk}/sua/",
                       form_data(topic, text="Sửa trái phép")).status_code == 403
    question.refresh_from_db()
    assert question.is_active and question.versions.count() == 1
