"""Trainers keep banks in Excel and move them between topics: the template downloads from the import page, a
workbook imports all or nothing, and a topic exported as Excel, Moodle XML or GIFT imports back as the same
questions with its sub-topics."""
from email.message import Message

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exams import formats
from exams.selectors import topic_as_questions
from exams.models import Question, Topic
from exams.services import bank_import, parse_bank_file, topic_get_or_create

from .samples import GIFT, good, workbook

pytestmark = pytest.mark.django_db

EXTRA = [
    formats.Question("ordering", "Trình tự", "Sắp xếp các bước giải quyết hồ sơ.", category="Quy trình",
                     order=["Tiếp nhận", "Chuyển hồ sơ", "Trả kết quả"], difficulty=1, tags=["quy trình"]),
    formats.Question("essay", "Tự luận 1", "Trình bày trách nhiệm của công chức một cửa.",
                     category="Văn bản/Nghị định 61//2018", difficulty=3, default_mark=5.0,
                     grader_info="Nêu đủ 4 trách nhiệm.", tags=["NĐ 61", "tự luận"]),
]


@pytest.fixture
def bank(db):
    """A topic with sub-topics (one named with a slash), every kind, tags, difficulties and rubric notes."""
    root = topic_get_or_create(name="Bồi dưỡng một cửa", parent=None)
    bank_import(root=root, questions=[*parse_bank_file(filename="b.gift", data=GIFT.encode()), *EXTRA])
    return root


def snapshot(topic, *, keep=("difficulty", "tags", "grader_info")):
    """What a trainer would compare between two topics: every question with its sub-topic path."""
    out = []
    for q in topic_as_questions(topic):
        row = (q.category, q.kind, q.name, q.text, q.choices, q.answers, q.numeric, q.pairs, q.order, q.truth,
               q.general_feedback, q.default_mark)
        out.append(row + tuple(getattr(q, k) for k in keep))
    return sorted(out, key=repr)


def filename_of(response) -> str:
    message = Message()
    message["content-disposition"] = response["Content-Disposition"]
    return message.get_filename()


def import_page(client, name: str, content: bytes, topic_name: str):
    return client.post("/ngan-hang-cau-hoi/nhap/", {"new_topic": topic_name,
                                                    "file": SimpleUploadedFile(name, content)})


def test_the_import_page_links_the_template_and_the_template_downloads(client, trainer_user):
    client.force_login(trainer_user)
    page = client.get("/ngan-hang-cau-hoi/nhap/").content.decode()
    assert 'href="/ngan-hang-cau-hoi/mau-excel/"' in page and 'accept=".xlsx,' in page
    response = client.get("/ngan-hang-cau-hoi/mau-excel/")
    assert response.status_code == 200 and filename_of(response).endswith(".xlsx")
    assert len(formats.parse_xlsx(response.content)) == 3  # the example rows


def test_a_workbook_imports_with_its_sub_topics_difficulty_tags_and_rubric(client, trainer_user):
    client.force_login(trainer_user)
    rows = [good(**{"Chủ đề": "Tiếp nhận", "Mức độ": "Khó", "Thẻ": "một cửa, tiếp nhận"}),
            {"Chủ đề": "Văn bản/Nghị định 61//2018", "Loại câu hỏi": "Tự luận", "Nội dung câu hỏi": "Trình bày.",
             "Hướng dẫn chấm": "Đủ 3 ý.", "Điểm": "2,5"}]
    response = import_page(client, "ngan-hang.xlsx", workbook(rows), "Một cửa Excel")
    root = Topic.objects.get(name="Một cửa Excel", parent=None)
    assert response["Location"] == f"/ngan-hang-cau-hoi/chu-de/{root.pk}/"
    single = Question.objects.get(kind="single")
    assert single.topic.name == "Tiếp nhận" and single.topic.parent == root
    assert single.difficulty == 3 and sorted(single.tags.names()) == ["một cửa", "tiếp nhận"]
    essay = Question.objects.get(kind="essay")
    assert essay.topic.name == "Nghị định 61/2018" and essay.topic.parent.name == "Văn bản"
    assert essay.current_version.grader_info == "Đủ 3 ý." and essay.current_version.default_mark == 2.5


def test_a_bad_row_refuses_the_workbook_naming_row_and_column_and_imports_nothing(client, trainer_user):
    client.force_login(trainer_user)
    rows = [good(), good(), good(**{"Đáp án đúng": "E"}), good()]
    response = import_page(client, "ngan-hang.xlsx", workbook(rows), "Không được tạo")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tệp bị từ chối; chưa có câu hỏi nào được nhập" in html
    errors = html[html.index('id="bank-errors"'):]
    assert '<td class="num">4</td>' in errors and "Đáp án đúng" in errors and "“E”" in errors
    assert Question.objects.count() == 0 and not Topic.objects.filter(name="Không được tạo").exists()


def test_an_old_xls_file_is_refused_with_a_way_out():
    with pytest.raises(formats.ParseError) as refused:
        parse_bank_file(filename="ngan-hang.xls", data=b"\xd0\xcf\x11\xe0")
    assert ".xlsx" in str(refused.value.errors[0])


@pytest.mark.parametrize("fmt, keep", [("xlsx", ("difficulty", "tags", "grader_info")),
                                       ("xml", ("tags", "grader_info"))])
def test_an_exported_topic_imports_back_as_the_same_questions(client, trainer_user, bank, fmt, keep):
    client.force_login(trainer_user)
    response = client.get(f"/ngan-hang-cau-hoi/chu-de/{bank.pk}/xuat/{fmt}/")
    assert response.status_code == 200
    name = filename_of(response)
    assert name == f"ngan-hang-boi-duong-mot-cua.{fmt}"
    imported = import_page(client, name, response.content, "Bản sao")
    assert imported.status_code == 302
    copy = Topic.objects.get(name="Bản sao", parent=None)
    assert snapshot(copy, keep=keep) == snapshot(bank, keep=keep)
    assert len(snapshot(copy)) == 8
    # the sub-topics came back, the one with a slash in its name too
    assert Topic.objects.filter(name="Nghị định 61/2018", parent__name="Văn bản", parent__parent=copy).exists()


def test_gift_export_of_a_topic_gift_can_hold_reimports_and_one_it_cannot_is_refused_clearly(client, trainer_user,
                                                                                              bank):
    client.force_login(trainer_user)
    procedure = Topic.objects.get(name="Thủ tục hành chính", parent=bank)
    response = client.get(f"/ngan-hang-cau-hoi/chu-de/{procedure.pk}/xuat/gift/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    import_page(client, filename_of(response), response.content, "Bản sao GIFT")
    copy = Topic.objects.get(name="Bản sao GIFT", parent=None)
    assert snapshot(copy, keep=()) == snapshot(procedure, keep=()) and len(snapshot(copy)) == 4

    refused = client.get(f"/ngan-hang-cau-hoi/chu-de/{bank.pk}/xuat/gift/", follow=True)
    page = refused.content.decode()
    assert refused.redirect_chain[-1][0] == f"/ngan-hang-cau-hoi/chu-de/{bank.pk}/"
    assert "Trình tự" in page and "Moodle XML" in page


def test_export_leaves_out_retired_questions_and_starts_below_the_exported_topic(bank):
    procedure = Topic.objects.get(name="Thủ tục hành chính", parent=bank)
    retired = Question.objects.filter(topic=procedure).first()
    retired.is_active = False
    retired.save()
    questions = topic_as_questions(bank)
    assert len(questions) == 7
    assert {q.category for q in questions} == {"Cơ chế một cửa/Quy trình", "Thủ tục hành chính", "Quy trình",
                                              "Văn bản/Nghị định 61//2018"}
    assert {q.category for q in topic_as_questions(procedure)} == {""}


def test_only_trainers_download_templates_and_exports(client, trang_dai_official, bank):
    client.force_login(trang_dai_official.user)
    assert client.get("/ngan-hang-cau-hoi/mau-excel/").status_code == 403
    assert client.get(f"/ngan-hang-cau-hoi/chu-de/{bank.pk}/xuat/xlsx/").status_code == 403
    client.logout()
    assert client.get(f"/ngan-hang-cau-hoi/chu-de/{bank.pk}/xuat/xlsx/").status_code == 302  # to sign in
