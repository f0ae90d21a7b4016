"""What a trainer wrote in Moodle reaches the bank, the exam room, the review and the exports as Moodle shows it:
text formats, files, "any other answer", ID numbers and tags, hints, combined feedback, essay templates; a file
Moodle would refuse is refused; re-importing a file changes nothing."""
import base64
import json

import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from exams import formats
from exams.formats import richtext
from exams.formats.model import NumericAnswer, Question
from exams.models import Attempt, ExamSection
from exams.models import Question as BankQuestion
from exams.selectors import candidate_paper, topic_as_questions, topic_export
from exams.services import bank_import, read_bank_file, topic_get_or_create
from scoring.grading import grade

from ..factories import ExamFactory

pytestmark = pytest.mark.django_db

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
PNG64 = base64.b64encode(PNG).decode()

# A Moodle 4 export of three questions, as Moodle writes them (CDATA, formats, files, hints, combined feedback).
MOODLE_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Một cửa</text></category>
    <info format="html"><text><![CDATA[<p>Câu hỏi về <b>Bộ phận Một cửa</b>.</p>]]></text></info>
  </question>
  <question type="multichoice">
    <name><text>MC có hình</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Biển hiệu nào đúng? <img src="@@PLUGINFILE@@/bien%20hieu.png" alt="biển"></p>]]></text>
      <file name="bien hieu.png" path="/" encoding="base64">{PNG64}</file>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>Xem <i>Điều 8</i>.</p>]]></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber>MC-HINH-01</idnumber>
    <single>true</single>
    <shuffleanswers>false</shuffleanswers>
    <answernumbering>ABCD</answernumbering>
    <correctfeedback format="html"><text><![CDATA[<p>Chính xác!</p>]]></text></correctfeedback>
    <partiallycorrectfeedback format="html"><text>Gần đúng.</text></partiallycorrectfeedback>
    <incorrectfeedback format="html"><text><![CDATA[<p>Chưa đúng &amp; cần xem lại.</p>]]></text></incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="100" format="html">
      <text><![CDATA[<b>Bộ phận Một cửa</b>]]></text>
      <feedback format="html"><text><![CDATA[<p>Đúng <script>alert(1)</script>tên gọi.</p>]]></text></feedback>
    </answer>
    <answer fraction="0" format="html">
      <text><![CDATA[Phòng A &amp; B]]></text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <hint format="html"><text><![CDATA[<p>Đọc Điều 8.</p>]]></text></hint>
    <hint format="html"><text>Tên có chữ “Một cửa”.</text></hint>
    <tags><tag><text>một cửa</text></tag><tag><text>hình ảnh</text></tag></tags>
  </question>
  <question type="numerical">
    <name><text>Thời hạn</text></name>
    <questiontext format="moodle_auto_format"><text>Thời hạn giải quyết là bao nhiêu ngày?
Ghi một số.</text></questiontext>
    <answer fraction="100" format="moodle_auto_format"><text>3</text><tolerance>0</tolerance>
      <feedback format="moodle_auto_format"><text>Đúng.</text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>*</text><tolerance>0</tolerance>
      <feedback format="moodle_auto_format"><text><![CDATA[Sai <b>hoàn toàn</b>.]]></text></feedback></answer>
  </question>
  <question type="essay">
    <name><text>Tự luận</text></name>
    <questiontext format="plain_text"><text>Trình bày quy trình &lt;4 bước&gt; tiếp nhận.</text></questiontext>
    <responseformat>editorfilepicker</responseformat>
    <responserequired>1</responserequired>
    <responsefieldlines>10</responsefieldlines>
    <minwordlimit>50</minwordlimit>
    <maxwordlimit>400</maxwordlimit>
    <attachments>1</attachments>
    <attachmentsrequired>0</attachmentsrequired>
    <graderinfo format="plain_text"><text>Đủ 4 bước &amp; đúng thứ tự.</text></graderinfo>
    <responsetemplate format="plain_text"><text>Bước 1:
Bước 2:</text></responsetemplate>
  </question>
</quiz>
"""


@pytest.fixture
def root(db):
    return topic_get_or_create(name="Ngân hàng Moodle", parent=None)


def _import(root, filename: str, data: bytes):
    bank_file = read_bank_file(filename=filename, data=data)
    return bank_import(root=root, questions=bank_file.questions, categories=bank_file.categories,
                       skipped=bank_file.skipped)


# --- Reading -----------------------------------------------------------------------------------------------------

def test_moodle_xml_keeps_formats_files_hints_combined_feedback_ids_tags_and_essay_settings():
    mc, number, essay = formats.parse_moodle_xml(MOODLE_XML)
    assert (mc.format, mc.idnumber, mc.tags) == ("html", "MC-HINH-01", ["một cửa", "hình ảnh"])
    assert mc.files == {"bien hieu.png": PNG}
    assert mc.hints == ["<p>Đọc Điều 8.</p>", "Tên có chữ “Một cửa”."]
    assert mc.feedback == {"correct": "<p>Chính xác!</p>", "partial": "Gần đúng.",
                           "incorrect": "<p>Chưa đúng &amp; cần xem lại.</p>"}
    assert mc.settings == {"penalty": 0.3333333, "shuffle": False, "numbering": "ABCD", "shownumcorrect": True}
    assert number.format == "moodle"
    assert number.numeric == [NumericAnswer(3.0, 0.0, 1.0, "Đúng."), NumericAnswer(None, 0.0, 0.0, "Sai <b>hoàn toàn</b>.")]
    assert (essay.format, essay.text) == ("plain", "Trình bày quy trình <4 bước> tiếp nhận.")
    assert essay.grader_info == "Đủ 4 bước & đúng thứ tự."
    assert essay.settings == {"responseformat": "editorfilepicker", "responsefieldlines": "10", "minwordlimit": "50",
                              "maxwordlimit": "400", "attachments": "1", "responsetemplate": "Bước 1:\nBước 2:"}


def test_a_question_whose_fields_come_in_several_formats_is_brought_to_html():
    xml = ('<quiz><question type="multichoice"><name><text>Trộn</text></name>'
           '<questiontext format="plain_text"><text>A &lt; B?</text></questiontext>'
           '<answer fraction="100" format="html"><text>&lt;b&gt;Có&lt;/b&gt;</text></answer>'
           '<answer fraction="0" format="plain_text"><text>Không &amp; chưa</text></answer></question></quiz>')
    q = formats.parse_moodle_xml(xml)[0]
    assert q.format == "html"
    assert q.text == "A &lt; B?" and [c.text for c in q.choices] == ["<b>Có</b>", "Không &amp; chưa"]


def test_the_old_image_tag_brings_its_file_under_the_text():
    xml = ('<quiz><question type="truefalse"><name><text>Cũ</text></name>'
           '<questiontext format="html"><text>Đây là biển hiệu?</text></questiontext>'
           f'<image>images/bien.png</image><image_base64>{PNG64}</image_base64>'
           '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>'
           '</question></quiz>')
    q = formats.parse_moodle_xml(xml)[0]
    assert q.files == {"bien.png": PNG}
    assert q.text == 'Đây là biển hiệu? <img src="@@PLUGINFILE@@/bien.png" />'


@pytest.mark.parametrize("answers, message", [
    ('<answer fraction="45"><text>A</text></answer><answer fraction="55"><text>B</text></answer>',
     "the grade 45% is not one Moodle allows"),
    ('<answer fraction="50"><text>A</text></answer><answer fraction="0"><text>B</text></answer>',
     "no answer is worth 100%: one of them must be, so that full marks are possible"),
])
def test_moodle_xml_grades_are_as_strict_as_moodle(answers, message):
    xml = (f'<quiz>\n<question type="multichoice"><name><text>Sai điểm</text></name><questiontext><text>?</text>'
           f'</questiontext>{answers}</question></quiz>')
    with translation.override("en"), pytest.raises(formats.ParseError) as refused:
        formats.parse_moodle_xml(xml)
    assert refused.value.errors[0].line == 2 and refused.value.errors[0].message.startswith(message)


def test_multiple_response_grades_must_add_up_to_100_percent():
    xml = ('<quiz><question type="multichoice"><name><text>Nhiều</text></name><questiontext><text>?</text>'
           '</questiontext><single>false</single><answer fraction="50"><text>A</text></answer>'
           '<answer fraction="40"><text>B</text></answer><answer fraction="-100"><text>C</text></answer>'
           '</question></quiz>')
    with translation.override("en"), pytest.raises(formats.ParseError) as refused:
        formats.parse_moodle_xml(xml)
    assert "add up to 90%" in refused.value.errors[0].message
    assert formats.parse_moodle_xml(xml.replace('"40"', '"50"'))[0].kind == "multiple"


def test_gift_reads_id_and_tags_from_the_comment_above_a_question_and_writes_them_back():
    text = ("// question: 12  name: KT-01\n// [id:KT-01] [tag:một cửa] [tag:năm 2025]\n"
            "::KT-01::Bộ phận Một cửa đặt ở đâu?{=Trụ sở UBND ~Nhà văn hóa}\n\n"
            "// chỉ là ghi chú, không thuộc câu nào\n\n"
            "::KT-02::Câu không có mã{=Có ~Không}")
    first, second = formats.parse_gift(text)
    assert (first.idnumber, first.tags) == ("KT-01", ["một cửa", "năm 2025"])
    assert (second.idnumber, second.tags) == ("", [])
    assert formats.parse_gift(formats.write_gift([first, second])) == [first, second]


def test_gift_numerical_any_other_answer_as_moodle_reads_it():
    q = formats.parse_gift("::N::Bao nhiêu?{#3:2~#Completely wrong}")[0]
    assert q.numeric == [NumericAnswer(3.0, 2.0, 1.0, ""), NumericAnswer(None, 0.0, 0.0, "Completely wrong")]
    assert formats.parse_gift(formats.write_gift([q])) == [q]
    data = {"numeric": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0, "feedback": ""},
                        {"value": None, "tolerance": 0.0, "fraction": 0.0, "feedback": "Completely wrong"}]}
    assert grade("numeric", data, {"value": "4,5"}) == 1.0
    assert grade("numeric", data, {"value": "9"}) == 0.0


def test_gift_format_prefixes_are_kept_and_written():
    plain, html, markdown, moodle = formats.parse_gift(
        "[plain]A < B & C?{=Có ~Không}\n\n[html]<p>Chọn <b>một</b></p>{=Có ~Không}\n\n"
        "[markdown]Chọn **một**{=Có ~Không}\n\nKhông tiền tố{=Có ~Không}")
    assert [q.format for q in (plain, html, markdown, moodle)] == ["plain", "html", "markdown", "moodle"]
    assert plain.text == "A < B & C?"
    assert formats.parse_gift(formats.write_gift([plain, html, markdown, moodle])) == [plain, html, markdown, moodle]


def test_each_format_is_rendered_as_moodle_shows_it_and_sanitised():
    assert richtext.to_html("<html class=\"cool\"> & 1 < 2\nhai", "plain") == \
        "&lt;html class=\"cool\"&gt; &amp; 1 &lt; 2<br>hai"
    assert richtext.to_html("<b>đậm</b>\ndòng hai", "moodle") == "<b>đậm</b><br>dòng hai"
    assert richtext.to_html("Chọn **một**", "markdown") == "<p>Chọn <strong>một</strong></p>"
    assert richtext.to_html('<p onclick="x()">A<script>alert(1)</script></p><img src="javascript:x">', "html") == \
        "<p>A</p><img>"
    assert richtext.to_html('<img src="@@PLUGINFILE@@/a b.png">', "html", {"a b.png": "/tep/1/a%20b.png"}) == \
        '<img src="/tep/1/a%20b.png">'


# --- In the bank, the exam room and the review -------------------------------------------------------------------

def test_a_moodle_file_imports_with_its_category_description_files_and_all(root):
    result = _import(root, "moodle.xml", MOODLE_XML.encode())
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    topic = root.children.get(name="Một cửa")
    assert topic.description == "<p>Câu hỏi về <b>Bộ phận Một cửa</b>.</p>"
    mc = BankQuestion.objects.get(idnumber="MC-HINH-01")
    stored = mc.current_version.data["files"]["bien hieu.png"]
    with default_storage.open(stored, "rb") as handle:
        assert handle.read() == PNG
    # The Moodle XML export gives back the same questions, files and category description included.
    again = formats.parse_moodle_xml(topic_export(topic=root, fmt="xml").content,
                                     categories=(descriptions := {}))
    assert [(q.idnumber, q.files, q.hints, q.feedback, q.settings, q.format, q.numeric) for q in again] == \
        [(q.idnumber, q.files, q.hints, q.feedback, q.settings, q.format, q.numeric)
         for q in formats.parse_moodle_xml(MOODLE_XML)]
    assert descriptions == {"Một cửa": "<p>Câu hỏi về <b>Bộ phận Một cửa</b>.</p>"}


def test_re_importing_the_same_file_changes_nothing_and_the_pool_counts_each_question_once(root, client,
                                                                                            trainer_user):
    _import(root, "moodle.xml", MOODLE_XML.encode())
    gift = "::A::Câu A?{=Có ~Không}\n\n::B::Câu B?{=Có ~Không}\n"
    _import(root, "a.gift", gift.encode())
    versions = sorted(BankQuestion.objects.values_list("current_version_id", flat=True))
    client.force_login(trainer_user)
    page = client.post("/ngan-hang-cau-hoi/nhap/", {"topic": root.pk, "file": _upload("moodle.xml", MOODLE_XML)},
                       follow=True)
    assert "0 câu hỏi mới, 0 câu cập nhật, 3 câu không đổi" in page.content.decode()
    assert _import(root, "a.gift", gift.encode()).unchanged == 2
    assert sorted(BankQuestion.objects.values_list("current_version_id", flat=True)) == versions
    # A changed question with the same ID number gets a new version, not a twin.
    changed = _import(root, "moodle.xml", MOODLE_XML.replace("Biển hiệu nào đúng?", "Biển hiệu nào là đúng?").encode())
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert BankQuestion.objects.filter(idnumber="MC-HINH-01").get().versions.count() == 2
    # A twin made before imports matched counts once in the 3× pool rule.
    twin = formats.parse_gift("::A::Câu A?{=Có ~Không}")[0]
    from exams.services import question_save

    question_save(q=twin, topic=root)
    section = ExamSection(exam=ExamFactory(), topic=root, draw_count=1)
    assert BankQuestion.objects.filter(kind="single").count() == 4
    assert section.pool_size() == 5  # 3 single (A, B, the Moodle one) + numerical + essay; the twin not again


def _upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode())


def test_cloze_questions_are_skipped_and_reported_by_line_the_rest_imports(root, client, trainer_user):
    xml = MOODLE_XML.replace('  <question type="essay">', '  <question type="cloze"><name><text>Điền</text></name>'
                             '<questiontext><text>{1:SHORTANSWER:=a}</text></questiontext></question>\n'
                             '  <question type="essay">')
    line = xml.splitlines().index('  <question type="cloze"><name><text>Điền</text></name>'
                                  '<questiontext><text>{1:SHORTANSWER:=a}</text></questiontext></question>') + 1
    client.force_login(trainer_user)
    page = client.post("/ngan-hang-cau-hoi/nhap/", {"topic": root.pk, "file": _upload("cloze.xml", xml)}, follow=True)
    html = page.content.decode()
    assert "3 câu hỏi mới" in html
    assert f"Dòng {line}:" in html and "Điền" in html
    assert BankQuestion.objects.count() == 3


@pytest.fixture
def moodle_sitting(root, client, trang_dai_official):
    _import(root, "moodle.xml", MOODLE_XML.encode())
    exam = ExamFactory(published=True, bank=root, bank__draw_count=3, shuffle_questions=False, shuffle_options=False,
                       show_feedback_after_submit=True, show_answers_after_submit=True)
    client.force_login(trang_dai_official.user)
    started = client.post(f"/api/exams/{exam.pk}/attempts", json.dumps({}), content_type="application/json")
    assert started.status_code == 201
    return Attempt.objects.get(pk=started.json()["id"])


def test_the_exam_room_shows_html_as_html_text_as_text_and_the_files(moodle_sitting, client):
    paper = {item["kind"]: item for item in candidate_paper(moodle_sitting)}
    mc = paper["single"]
    options = [o["text"] for o in mc["options"]]
    assert "<b>Bộ phận Một cửa</b>" in options and "Phòng A &amp; B" in options
    image = mc["text"].split('src="')[1].split('"')[0]
    assert image.startswith("/ngan-hang-cau-hoi/tep/") and "@@PLUGINFILE@@" not in mc["text"]
    assert client.get(image).status_code == 200 and client.get(image).getvalue() == PNG
    assert paper["essay"]["text"] == "Trình bày quy trình &lt;4 bước&gt; tiếp nhận."
    assert paper["essay"]["template"] == "Bước 1:\nBước 2:"
    assert paper["numeric"]["text"] == "Thời hạn giải quyết là bao nhiêu ngày?<br>Ghi một số."
    # Nothing of the key reaches the candidate: no feedback, hints or combined feedback in the paper.
    dumped = json.dumps(candidate_paper(moodle_sitting), ensure_ascii=False)
    assert "Chính xác" not in dumped and "Đọc Điều 8" not in dumped and "hoàn toàn" not in dumped


def test_question_files_are_not_public(moodle_sitting, client, long_khanh_official, trainer_user):
    mc = next(item for item in candidate_paper(moodle_sitting) if item["kind"] == "single")
    image = mc["text"].split('src="')[1].split('"')[0]
    client.logout()
    assert client.get(image).status_code == 302  # to the sign-in page
    client.force_login(long_khanh_official.user)  # an official without this paper
    assert client.get(image).status_code == 404
    client.force_login(trainer_user)
    assert client.get(image).status_code == 200
    assert client.get(image.replace("bien%20hieu.png", "khac.png")).status_code == 404


def test_the_review_renders_feedback_in_its_format_and_any_other_answer_feedback(moodle_sitting, client):
    paper = {item["kind"]: item for item in candidate_paper(moodle_sitting)}
    right = next(o["id"] for o in paper["single"]["options"] if "<b>" in o["text"])
    for slot, response in ((paper["single"]["slot"], {"choice": right}), (paper["numeric"]["slot"], {"value": "7"})):
        client.put(f"/api/attempts/{moodle_sitting.pk}/answers/{slot}",
                   json.dumps({"response": response, "seq": slot, "client": ""}), content_type="application/json")
    client.post(f"/api/attempts/{moodle_sitting.pk}/submit", json.dumps({}), content_type="application/json")
    html = client.get(f"/thi/ket-qua/{moodle_sitting.pk}/").content.decode()
    assert "<p>Đúng tên gọi.</p>" in html and "alert(1)" not in html  # the option's feedback, sanitised
    assert "<p>Chính xác!</p>" in html and "Chưa đúng" not in html  # the combined feedback for a right answer
    assert "Sai <b>hoàn toàn</b>." in html  # the numerical "any other answer" feedback, as HTML
    assert "<i>Điều 8</i>" in html and "&lt;i&gt;" not in html


def test_the_question_page_shows_what_moodle_keeps(root, client, trainer_user):
    _import(root, "moodle.xml", MOODLE_XML.encode())
    client.force_login(trainer_user)
    mc = BankQuestion.objects.get(idnumber="MC-HINH-01")
    html = client.get(f"/ngan-hang-cau-hoi/cau-hoi/{mc.pk}/").content.decode()
    for shown in ("MC-HINH-01", "<p>Chính xác!</p>", "<p>Đọc Điều 8.</p>", "<b>Bộ phận Một cửa</b>",
                  "Phòng A &amp; B", "/ngan-hang-cau-hoi/tep/"):
        assert shown in html
    essay = BankQuestion.objects.get(kind="essay")
    html = client.get(f"/ngan-hang-cau-hoi/cau-hoi/{essay.pk}/").content.decode()
    assert "Bước 1:<br>Bước 2:" in html and "Đủ 4 bước &amp; đúng thứ tự." in html


def test_editing_keeps_what_the_form_does_not_show(root, client, trainer_user):
    _import(root, "moodle.xml", MOODLE_XML.encode())
    number = BankQuestion.objects.get(kind="numeric")
    client.force_login(trainer_user)
    page = client.get(f"/ngan-hang-cau-hoi/cau-hoi/{number.pk}/sua/")
    from ..html_forms import form_fields

    data = form_fields(page.content, containing="text")
    data["text"] = ["Thời hạn giải quyết (ngày)?"]
    assert client.post(f"/ngan-hang-cau-hoi/cau-hoi/{number.pk}/sua/", data).status_code == 302
    number.refresh_from_db()
    assert number.current_version.text == "Thời hạn giải quyết (ngày)?"
    assert number.current_version.data["numeric"][-1] == {"value": None, "tolerance": 0.0, "fraction": 0.0,
                                                          "feedback": "Sai <b>hoàn toàn</b>."}
    assert number.current_version.data["format"] == "moodle"


def test_text_stays_text_from_aiken_and_excel_to_the_exports(root):
    aiken = 'Thẻ <html class="cool"> có hiển thị?\nA. Có & đúng\nB. Không\nANSWER: A\n'
    _import(root, "bank.txt", aiken.encode())
    q = BankQuestion.objects.get()
    assert (q.current_version.text, q.current_version.data["format"]) == ('Thẻ <html class="cool"> có hiển thị?',
                                                                           "plain")
    exported = topic_as_questions(root)
    assert formats.parse_aiken(formats.write_aiken(exported))[0].text == 'Thẻ <html class="cool"> có hiển thị?'
    workbook = formats.parse_xlsx(topic_export(topic=root, fmt="xlsx").content)
    assert [(w.text, w.format, [c.text for c in w.choices]) for w in workbook] == \
        [('Thẻ <html class="cool"> có hiển thị?', "plain", ["Có & đúng", "Không"])]


def test_a_short_answer_key_with_an_ampersand_still_matches(root):
    _import(root, "k.gift", "::K::Hai bộ phận?{=A & B}".encode())
    data = BankQuestion.objects.get().current_version.data
    assert data["choices"][0]["text"] == "A & B"
    assert grade("short", data, {"text": "a & b"}) == 1.0


def test_excel_carries_id_numbers_formats_and_any_other_answers():
    questions = [Question("numeric", "N", "Bao nhiêu?", idnumber="N-1", format="plain",
                          numeric=[NumericAnswer(3.0, 0.5, 1.0, "Đúng"), NumericAnswer(None, 0.0, 0.0, "Sai")]),
                 Question("single", "H", "<p>Chọn <b>một</b></p>", format="html", idnumber="H-1",
                          choices=[formats.Choice("<i>Có</i>", 1.0), formats.Choice("Không", 0.0)])]
    again = formats.parse_xlsx(formats.write_xlsx(questions))
    assert [(q.idnumber, q.format, q.numeric, q.text) for q in again] == \
        [(q.idnumber, q.format, q.numeric, q.text) for q in questions]


# --- Round trips through every format ----------------------------------------------------------------------------

# What each format cannot hold, left out of the comparison (README: "Question banks: what each format carries").
CANNOT_HOLD = {
    "xml": set(),
    "gift": {"default_mark", "difficulty", "grader_info", "hints", "feedback", "settings", "files"},
    "xlsx": {"hints", "feedback", "settings", "files"},
}


def _comparable(questions, left_out):
    import dataclasses

    rows = [{f.name: getattr(q, f.name) for f in dataclasses.fields(q) if f.name not in left_out and f.compare}
            for q in questions]
    return sorted(rows, key=lambda row: (row.get("category", ""), row["name"], row["text"]))


@pytest.mark.parametrize("fmt", ["xml", "gift", "xlsx"])
def test_an_exported_bank_re_imported_is_the_same_bank(fmt):
    from exams.formats.model import UnsupportedQuestion

    from .samples import GIFT_BANK, XML_BANK

    first = topic_get_or_create(name="Gốc", parent=None)
    for name, text in (("a.gift", GIFT_BANK), ("b.xml", XML_BANK), ("c.xml", MOODLE_XML)):
        _import(first, name, text.encode())
    bank = topic_as_questions(first)
    writer = {"xml": formats.write_moodle_xml, "gift": formats.write_gift, "xlsx": formats.write_xlsx}[fmt]
    kept = []
    for q in bank:
        try:
            writer([q])
        except UnsupportedQuestion:  # GIFT has no ordering questions; nothing else may be refused
            assert (fmt, q.kind) == ("gift", "ordering")
            continue
        kept.append(q)
    assert len(kept) >= len(bank) - 1
    content = writer(kept)
    second = topic_get_or_create(name="Bản sao", parent=None)
    _import(second, f"again.{fmt}", content if isinstance(content, bytes) else content.encode())
    again = topic_as_questions(second)
    assert _comparable(again, CANNOT_HOLD[fmt]) == _comparable(kept, CANNOT_HOLD[fmt])


def test_aiken_round_trip_keeps_single_choice_questions_as_plain_text():
    first = topic_get_or_create(name="Gốc", parent=None)
    _import(first, "a.txt", 'Thẻ <b> & "ngoặc"?\nA. Có & đúng\nB) Không\nANSWER: A\n'.encode())
    text = formats.write_aiken(topic_as_questions(first))
    second = topic_get_or_create(name="Bản sao", parent=None)
    _import(second, "b.txt", text.encode())
    assert _comparable(topic_as_questions(second), {"category"}) == _comparable(topic_as_questions(first), {"category"})
