"""The question bank: a Moodle GIFT file becomes topics and versioned questions, all or nothing."""
import pytest

from exams import formats
from exams.models import Question, QuestionVersion, Topic
from exams.selectors import to_format
from exams.services import bank_import, parse_bank_file, question_save, topic_get_or_create

from .samples import GIFT

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return topic_get_or_create(name="Ngân hàng CCHC", parent=None)


def test_a_gift_file_becomes_topics_and_questions(root):
    questions = parse_bank_file(filename="ngan-hang.gift", data=GIFT.encode())
    result = bank_import(root=root, questions=questions)
    assert result.created == 6
    assert sorted(Topic.objects.values_list("name", flat=True)) == [
        "Cơ chế một cửa", "Ngân hàng CCHC", "Quy trình", "Thủ tục hành chính"]
    first = Question.objects.get(versions__name="Thành lập BPMC")
    assert first.kind == "single" and first.topic.name == "Quy trình"
    choices = first.current_version.data["choices"]
    assert choices[0] == {"text": "Chủ tịch UBND cấp xã", "fraction": 1.0, "feedback": "Đúng: Điều 7."}
    weighted = Question.objects.get(versions__name="Trách nhiệm").current_version.data["choices"]
    assert [c["fraction"] for c in weighted] == [0.5, 0.5, -1.0]
    assert Question.objects.get(versions__name="Đúng sai").current_version.data["truth"] is True
    assert Question.objects.get(versions__name="Khoảng").current_version.data["numeric"][0] == {
        "value": 20.0, "tolerance": 5.0, "fraction": 1.0, "feedback": ""}
    assert len(Question.objects.get(versions__name="Ghép").current_version.data["pairs"]) == 3


def test_exported_questions_read_back_the_same(root):
    questions = parse_bank_file(filename="ngan-hang.gift", data=GIFT.encode())
    bank_import(root=root, questions=questions)
    exported = [to_format(q.current_version) for q in Question.objects.order_by("id")]
    again = formats.parse_gift(formats.write_gift(exported))
    assert [(q.kind, q.name, q.choices, q.numeric, q.pairs, q.truth) for q in again] == \
           [(q.kind, q.name, q.choices, q.numeric, q.pairs, q.truth) for q in questions]


def test_one_bad_question_refuses_the_whole_file_naming_its_line(root):
    bad = GIFT.replace("::Thời hạn::Kế hoạch 15122/KH-UBND ban hành năm nào?{#2019:0}",
                       "::Thời hạn::Kế hoạch 15122/KH-UBND ban hành năm nào?{#hai nghìn}")
    with pytest.raises(formats.ParseError) as refused:
        parse_bank_file(filename="ngan-hang.gift", data=bad.encode())
    line = bad.splitlines().index("::Thời hạn::Kế hoạch 15122/KH-UBND ban hành năm nào?{#hai nghìn}") + 1
    assert [e.line for e in refused.value.errors] == [line]
    assert str(refused.value.errors[0]).startswith(f"Dòng {line}:")
    assert Question.objects.count() == 0


def test_editing_a_question_adds_a_version_and_keeps_the_old_one(root):
    q = formats.parse_gift("::Câu 1::Thủ tục hành chính gồm mấy bộ phận?{=8 ~5 ~3}")[0]
    question, written = question_save(q=q, topic=root)
    old = question.current_version
    question, written_again = question_save(q=q, topic=root, question=question)
    assert not written_again and question.versions.count() == 1
    q.choices[0].text = "8 bộ phận"
    question, written = question_save(q=q, topic=root, question=question)
    assert written and question.current_version.number == 2
    assert QuestionVersion.objects.get(pk=old.pk).data["choices"][0]["text"] == "8"  # a drawn paper keeps this


def test_aiken_text_files_are_recognised(root):
    aiken = "Cơ quan nào chủ trì kiểm soát thủ tục hành chính cấp tỉnh?\nA. Văn phòng UBND tỉnh\nB. Sở Tư pháp\nANSWER: A\n"
    questions = parse_bank_file(filename="aiken.txt", data=aiken.encode())
    assert questions[0].kind == "single" and questions[0].choices[0].fraction == 1.0


def test_a_file_in_another_format_or_encoding_is_refused(root):
    with pytest.raises(formats.ParseError):
        parse_bank_file(filename="cau-hoi.docx", data=b"PK")
    with pytest.raises(formats.ParseError) as refused:
        parse_bank_file(filename="cau-hoi.gift", data="::A::Câu hỏi{=đúng ~sai}".encode("cp1258", "replace"))
    assert "UTF-8" in str(refused.value.errors[0])


@pytest.fixture
def trainer(db):
    from org import roles, services as org_services

    from ..factories import UserFactory

    user = UserFactory(username="giangvien")
    org_services.role_grant(user=user, role=roles.TRAINER)
    return user


def test_trainer_imports_a_gift_file_from_the_page(client, trainer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(trainer)
    upload = SimpleUploadedFile("ngan-hang.gift", GIFT.encode())
    response = client.post("/ngan-hang-cau-hoi/nhap/", {"new_topic": "Bồi dưỡng một cửa", "file": upload})
    topic = Topic.objects.get(name="Bồi dưỡng một cửa", parent=None)
    assert response["Location"] == f"/ngan-hang-cau-hoi/chu-de/{topic.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Thành lập BPMC" in page and "Ghép cặp" in page


def test_a_refused_file_lists_its_lines_in_vietnamese_and_imports_nothing(client, trainer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(trainer)
    bad = GIFT.replace("{T#Sai rồi.#Chính xác.}", "{T#Sai rồi.#Chính xác.")
    response = client.post("/ngan-hang-cau-hoi/nhap/", {"new_topic": "X", "file": SimpleUploadedFile("b.gift", bad.encode())})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tệp bị từ chối; chưa có câu hỏi nào được nhập" in html and "bank-errors" in html
    assert Question.objects.count() == 0 and not Topic.objects.filter(name="X").exists()


def test_officials_cannot_open_the_bank(client, trang_dai_official):
    client.force_login(trang_dai_official.user)
    assert client.get("/ngan-hang-cau-hoi/").status_code == 403
    assert client.get("/ngan-hang-cau-hoi/nhap/").status_code == 403


def test_question_html_from_an_imported_bank_cannot_run_script(db):
    from exams import formats
    from exams.services import bank_import, topic_get_or_create

    root = topic_get_or_create(name="Nhập từ Moodle", parent=None)
    gift = ('::X::[html]<p onclick\\="steal()">Chọn <b>đúng</b></p><script>steal()</script>'
            '{=<img src\\="x.png" onerror\\="steal()">Đúng#<a href\\="javascript:steal()">xem</a> ~Sai}')
    bank_import(root=root, questions=formats.parse_gift(gift))
    v = root.questions.get().current_version
    stored = v.text + str(v.data)
    assert "<b>đúng</b>" in v.text and "x.png" in stored  # harmless markup stays
    assert "script" not in stored and "onclick" not in stored and "onerror" not in stored
    assert "javascript:" not in stored
