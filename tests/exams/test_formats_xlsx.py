"""The Excel bank template: what a trainer types in the sheet is what gets imported, every mistake is named by its
row and column, and a written workbook reads back as the same questions. No database needed."""
import dataclasses
import io

import openpyxl
import pytest
from django.utils import translation

from exams.formats import (Choice, NumericAnswer, ParseError, Question, parse_gift, parse_moodle_xml, parse_xlsx,
                           write_moodle_xml, write_xlsx, xlsx_template)
from exams.formats.model import join_category, parse_decimal, split_category
from exams.formats.xlsx import EXAMPLES

from .samples import GIFT_BANK, XML_BANK, good, workbook


def errors_of(data) -> list[tuple[int, str, str]]:
    with translation.override("en"), pytest.raises(ParseError) as caught:
        parse_xlsx(data)
    return [(e.line, e.column, e.message) for e in caught.value.errors]


# --- Reading what trainers type ------------------------------------------------------------------------------------

def test_a_hand_made_sheet_reads_every_kind_the_vietnamese_way():
    rows = [
        {"STT": 1, "Chủ đề": "Cơ chế một cửa/Thẩm quyền", "Loại câu hỏi": "Một đáp án", "Mức độ": "Dễ",
         "Nội dung câu hỏi": "Bộ phận Một cửa cấp xã do ai quyết định thành lập?",
         "Phương án A": "Chủ tịch UBND cấp huyện", "Phương án B": "Chủ tịch UBND cấp xã",
         "Phương án C": "Giám đốc Sở Nội vụ", "Đáp án đúng": "B", "Điểm": 1.5, "Thẻ": "một cửa, NĐ 61/2018",
         "Phản hồi A": "Chưa đúng: cấp huyện lập Bộ phận Một cửa cấp huyện."},
        {"STT": 2, "Loại câu hỏi": "Nhiều đáp án", "Mức độ": "Trung bình",
         "Nội dung câu hỏi": "Hồ sơ có thể nộp qua những kênh nào?", "Phương án A": "Trực tiếp",
         "Phương án B": "Bưu chính công ích", "Phương án C": "Trực tuyến", "Phương án D": "Tin nhắn cho cán bộ",
         "Đáp án đúng": "A, B, C, D (-100%)"},
        {"STT": 3, "Loại câu hỏi": "Đúng-Sai", "Nội dung câu hỏi": "Được nhận kết quả qua bưu chính.",
         "Đáp án đúng": "Đúng", "Phản hồi A": "Chính xác.", "Phản hồi B": "Điều 13 cho phép việc này."},
        {"STT": 4, "Loại câu hỏi": "Trả lời ngắn", "Mức độ": "Khó",
         "Nội dung câu hỏi": "Cơ chế một cửa có nhiều cơ quan phối hợp gọi là cơ chế một cửa gì?",
         "Đáp án đúng": "liên thông; phối hợp (50%)", "Phản hồi B": "Gần đúng."},
        {"STT": 5, "Loại câu hỏi": "Số", "Nội dung câu hỏi": "Tỷ lệ hồ sơ trễ hạn năm 2023 (%)?",
         "Đáp án đúng": "3,5 ± 0,1; 3,5 ± 1 (50%)"},
        {"STT": 6, "Loại câu hỏi": "Số", "Nội dung câu hỏi": "Hạn đăng ký khai sinh (ngày)?", "Đáp án đúng": 60},
        {"STT": 7, "Loại câu hỏi": "Ghép cặp", "Nội dung câu hỏi": "Ghép thủ tục với cơ quan giải quyết.",
         "Phương án A": "Đăng ký khai sinh = UBND cấp xã", "Phương án B": "Cấp hộ chiếu = Cục Quản lý xuất nhập cảnh",
         "Phương án C": "... = Sở Tư pháp"},
        {"STT": 8, "Loại câu hỏi": "Sắp xếp", "Nội dung câu hỏi": "Sắp xếp các bước theo trình tự.",
         "Phương án A": "Tiếp nhận", "Phương án B": "Giải quyết", "Phương án C": "Trả kết quả"},
        {"STT": 9, "Loại câu hỏi": "Tự luận", "Nội dung câu hỏi": "Trình bày quy trình đăng ký khai tử.",
         "Điểm": "5", "Hướng dẫn chấm": "Đủ 4 bước, mỗi bước 1 điểm."},
        {"STT": 10, "Loại câu hỏi": "Mô tả", "Nội dung câu hỏi": "Phần II. Hộ tịch."},
    ]
    questions = parse_xlsx(workbook(rows))
    assert [q.kind for q in questions] == ["single", "multiple", "truefalse", "short", "numeric", "numeric",
                                           "matching", "ordering", "essay", "description"]
    single, multiple, truefalse, short, numeric, days, matching, ordering, essay, description = questions
    assert single.category == "Cơ chế một cửa/Thẩm quyền" and single.difficulty == 1
    assert single.choices == [
        Choice("Chủ tịch UBND cấp huyện", 0.0, "Chưa đúng: cấp huyện lập Bộ phận Một cửa cấp huyện."),
        Choice("Chủ tịch UBND cấp xã", 1.0), Choice("Giám đốc Sở Nội vụ", 0.0)]
    assert single.default_mark == 1.5 and single.tags == ["một cửa", "NĐ 61/2018"]
    assert single.name == "Bộ phận Một cửa cấp xã do ai quyết định thành lập?"
    assert [c.fraction for c in multiple.choices] == pytest.approx([1 / 3, 1 / 3, 1 / 3, -1.0])
    assert multiple.difficulty == 2 and multiple.default_mark == 1.0
    assert truefalse.truth is True and truefalse.choices == [Choice("true", 1.0, "Chính xác."),
                                                             Choice("false", 0.0, "Điều 13 cho phép việc này.")]
    assert short.answers == ["liên thông", "phối hợp"] and short.difficulty == 3
    assert short.choices == [Choice("liên thông", 1.0), Choice("phối hợp", 0.5, "Gần đúng.")]
    assert numeric.numeric == [NumericAnswer(3.5, 0.1, 1.0), NumericAnswer(3.5, 1.0, 0.5)]
    assert days.numeric == [NumericAnswer(60.0, 0.0, 1.0)]
    assert matching.pairs == [("Đăng ký khai sinh", "UBND cấp xã"), ("Cấp hộ chiếu", "Cục Quản lý xuất nhập cảnh"),
                              ("", "Sở Tư pháp")]
    assert ordering.order == ["Tiếp nhận", "Giải quyết", "Trả kết quả"]
    assert (essay.grader_info, essay.default_mark) == ("Đủ 4 bước, mỗi bước 1 điểm.", 5.0)
    assert description.text == "Phần II. Hộ tịch."
    assert [q.source_line for q in questions] == list(range(2, 12))


def test_headers_without_diacritics_below_a_title_and_extra_columns_are_fine():
    headers = ["stt", "LOAI CAU HOI", "Nội dung câu hỏi (*)", "Phuong an A", "Phuong an B", "Dap an dung",
               "Ghi chú của tổ biên soạn", "Muc do"]
    data = workbook([{"LOAI CAU HOI": "trắc nghiệm", "Nội dung câu hỏi (*)": "Ai ký phiếu hẹn?",
                      "Phuong an A": "Công chức một cửa", "Phuong an B": "Chủ tịch xã", "Dap an dung": "a",
                      "Ghi chú của tổ biên soạn": "đã duyệt", "Muc do": "Thông hiểu"}],
                    headers=headers, title_rows=[["NGÂN HÀNG CÂU HỎI BỒI DƯỠNG MỘT CỬA"], []])
    [question] = parse_xlsx(data)
    assert question.kind == "single" and question.choices[0] == Choice("Công chức một cửa", 1.0)
    assert question.difficulty == 2 and question.source_line == 4


def test_rows_left_empty_or_only_numbered_are_skipped():
    rows = [{"STT": 1, "Loại câu hỏi": "Tự luận", "Nội dung câu hỏi": "Trình bày quy trình."}, {"STT": 2}, {},
            {"STT": 4, "Loại câu hỏi": "Tự luận", "Nội dung câu hỏi": "Nêu ba yêu cầu."}]
    assert [q.source_line for q in parse_xlsx(workbook(rows))] == [2, 5]


@pytest.mark.parametrize("spec", ["A, C", "a;c", "A C", "A 50%, C 50%", "A: 50; C: 50", "A (50%); C (50,0%)",
                                  "A., C."])
def test_right_letters_are_read_however_trainers_write_them(spec):
    row = good(**{"Loại câu hỏi": "Nhiều đáp án", "Phương án C": "Phó chủ tịch", "Đáp án đúng": spec})
    [question] = parse_xlsx(workbook([row]))
    assert [c.fraction for c in question.choices] == [0.5, 0.0, 0.5]


def test_an_essays_model_answer_goes_to_the_graders():
    [essay] = parse_xlsx(workbook([{"Loại câu hỏi": "Tự luận", "Nội dung câu hỏi": "Nêu các bước.",
                                    "Đáp án đúng": "Tiếp nhận, giải quyết, trả kết quả.",
                                    "Hướng dẫn chấm": "Mỗi ý 1 điểm."}]))
    assert essay.grader_info == "Mỗi ý 1 điểm.\n\nTiếp nhận, giải quyết, trả kết quả."


# --- Refusals name the row and the column ----------------------------------------------------------------------

@pytest.mark.parametrize("row, column, message", [
    (good(**{"Loại câu hỏi": "Trắc nghiệm khách quan"}), "Loại câu hỏi",
     "“Trắc nghiệm khách quan” is not a question type; choose one of: Một đáp án, Nhiều đáp án, Đúng-Sai, "
     "Trả lời ngắn, Số, Ghép cặp, Sắp xếp, Tự luận, Mô tả"),
    (good(**{"Loại câu hỏi": None}), "Loại câu hỏi",
     "choose the question type: Một đáp án, Nhiều đáp án, Đúng-Sai, Trả lời ngắn, Số, Ghép cặp, Sắp xếp, Tự luận, "
     "Mô tả"),
    (good(**{"Nội dung câu hỏi": None}), "Nội dung câu hỏi", "the question has no text"),
    (good(**{"Đáp án đúng": "E"}), "Đáp án đúng", "“E” is not one of the filled options (A–B)"),
    (good(**{"Đáp án đúng": None}), "Đáp án đúng", "write the letter of the right option, e.g. B"),
    (good(**{"Đáp án đúng": "A, B"}), "Đáp án đúng",
     "a single-choice question needs exactly one right option (worth 100%); choose “Nhiều đáp án” for several"),
    (good(**{"Đáp án đúng": "A; B (150%)"}), "Đáp án đúng", "the percentage “150” must be between -100 and 100"),
    (good(**{"Đáp án đúng": "đáp án A"}), "Đáp án đúng",
     "“đáp án A” cannot be read: write option letters such as “A, C”, each with an optional percentage, e.g. "
     "“A (50%); D (-100%)”"),
    (good(**{"Loại câu hỏi": "Nhiều đáp án", "Đáp án đúng": "A (50%), B (30%)"}), "Đáp án đúng",
     "the right options add up to 80%; in a multiple-response question they must add up to 100%"),
    (good(**{"Phương án B": None, "Phương án C": "Chủ tịch"}), "Phương án B",
     "this option is empty but a later one is filled; leave no gaps between options"),
    (good(**{"Mức độ": "Rất khó"}), "Mức độ", "“Rất khó” is not a difficulty; write Dễ, Trung bình, Khó"),
    (good(**{"Điểm": "hai"}), "Điểm", "“hai” is not a number (write decimals with a comma, e.g. 2,5)"),
    (good(**{"Điểm": -1}), "Điểm", "the mark must be between 0 and 9999,99"),
    (good(**{"Phản hồi B": None, "Phản hồi A": None, "Hướng dẫn chấm": "Chấm kỹ"}), "Hướng dẫn chấm",
     "only essays have rubric notes; leave this empty or use “Phản hồi chung”"),
    (good(**{"Loại câu hỏi": "Số", "Phương án A": None, "Phương án B": None, "Đáp án đúng": "2.500"}),
     "Đáp án đúng", "“2.500” could be read two ways: write a decimal with a comma (e.g. 2,5) and a thousand "
                    "without a separator (e.g. 2500)"),
    (good(**{"Loại câu hỏi": "Trả lời ngắn", "Đáp án đúng": "liên thông"}), "Phương án A",
     "a short-answer question takes no options: write the accepted answers in “Đáp án đúng”, separated by ;"),
    (good(**{"Loại câu hỏi": "Ghép cặp", "Đáp án đúng": None, "Phương án B": "Hồ sơ = UBND xã"}), "Phương án A",
     "write the pair as “left side = right side”"),
    (good(**{"Loại câu hỏi": "Đúng-Sai", "Phương án A": None, "Phương án B": None, "Đáp án đúng": "Có lẽ"}),
     "Đáp án đúng", "write Đúng or Sai"),
])
def test_a_bad_row_is_named_by_row_and_column(row, column, message):
    rows = [good(), good(), row]
    assert errors_of(workbook(rows)) == [(4, column, message)]


def test_every_bad_row_is_reported_and_the_message_reads_in_vietnamese():
    rows = [good(), good(**{"Đáp án đúng": "E"}), good(), good(**{"Nội dung câu hỏi": None}), good()]
    with pytest.raises(ParseError) as caught:
        parse_xlsx(workbook(rows))
    assert [(e.line, e.column) for e in caught.value.errors] == [(3, "Đáp án đúng"), (5, "Nội dung câu hỏi")]
    with translation.override("vi"):
        assert str(caught.value.errors[0]).startswith("Dòng 3, cột “Đáp án đúng”: ")


def test_a_file_that_is_not_a_workbook_or_has_no_header_row_is_refused():
    assert errors_of(b"PK\x03\x04 not really a zip")[0][0] == 0
    assert "not an Excel workbook" in errors_of(b"PK\x03\x04 not really a zip")[0][2]
    no_header = workbook([], headers=["Họ tên", "Đơn vị"])
    assert "header row" in errors_of(no_header)[0][2]
    assert errors_of(workbook([])) == [(1, "", "there is no question below the header row")]


def test_a_workbook_damaged_inside_is_refused_not_crashed_on():
    import zipfile

    source, damaged = zipfile.ZipFile(io.BytesIO(xlsx_template())), io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            content = source.read(info.filename)
            out.writestr(info, content[:len(content) // 2] if info.filename.endswith("sheet1.xml") else content)
    [(row, column, message)] = errors_of(damaged.getvalue())
    assert row == 0 and "could not be read" in message


# --- Writing -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["gift", "xml", "template"])
def test_a_written_workbook_reads_back_as_the_same_questions(source):
    questions = {"gift": lambda: parse_gift(GIFT_BANK), "xml": lambda: parse_moodle_xml(XML_BANK),
                 "template": lambda: EXAMPLES}[source]()
    questions = [dataclasses.replace(q, settings={}) for q in questions]  # Excel has no column for Moodle's options
    again = parse_xlsx(write_xlsx(questions))
    assert again == questions
    assert parse_xlsx(write_xlsx(again)) == again


def test_written_workbook_keeps_difficulty_tags_rubric_and_awkward_texts():
    questions = [
        Question("essay", "TL-1", "=SUM(A1) không phải công thức", category="Nghị định 61//2018/Điều 7",
                 difficulty=3, tags=["hộ tịch", "tự luận"], grader_info="Ý 1: 2 điểm\nÝ 2: 3 điểm", default_mark=2.5),
        Question("matching", "G-1", "Ghép", pairs=[("a = b", "đúng"), ("c", "x -> y"), ("", "thừa")]),
        Question("multiple", "M-1", "Chọn", choices=[Choice("a", 0.6), Choice("b", 0.4), Choice("c", 0.0),
                                                     Choice("d", -0.5, "trừ điểm")]),
        Question("multiple", "M-2", "Chọn", choices=[Choice(t, 33.33333 / 100) for t in "abc"]),
        Question("single", "S-1", "Chọn một", choices=[Choice(f"phương án {i}", 1.0 if i == 7 else 0.0)
                                                       for i in range(8)]),
        Question("numeric", "N-1", "Bao nhiêu?", numeric=[NumericAnswer(-0.000125, 1e-05, 1.0, "đúng"),
                                                          NumericAnswer(1234567.5, 0.0, 0.25)]),
    ]
    assert parse_xlsx(write_xlsx(questions)) == questions


def test_the_template_has_a_guide_dropdowns_and_example_rows():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_template()))
    assert book.sheetnames == ["Câu hỏi", "Hướng dẫn"]
    sheet = book["Câu hỏi"]
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["STT", "Chủ đề", "Loại câu hỏi", "Mức độ", "Tên câu hỏi", "Nội dung câu hỏi"]
    assert "Phương án F" in headers and "Đáp án đúng" in headers and "Hướng dẫn chấm" in headers
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
             if v.type == "list"}
    assert "Ghép cặp" in lists["C2"] and "Trung bình" in lists["D2"]
    assert [row[2] for row in sheet.iter_rows(min_row=2, max_row=4, values_only=True)] == [
        "Một đáp án", "Nhiều đáp án", "Tự luận"]
    assert len(parse_xlsx(xlsx_template())) == 3


# --- Helpers and Moodle XML's share ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [("2,5", 2.5), ("2.5", 2.5), ("1.000.000", 1e6), ("1.000,5", 1000.5),
                                         ("1,000.5", 1000.5), ("-0,125", -0.125), ("0.125", 0.125), (" 60 ", 60.0),
                                         ("1e-05", 1e-05)])
def test_numbers_are_read_as_vietnamese_users_type_them(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["2.500", "hai", "1,2,3", "", "inf"])
def test_ambiguous_or_wrong_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_category_paths_keep_slashes_inside_names():
    names = ["Văn bản", "Nghị định 61/2018/NĐ-CP", "Điều 7"]
    assert join_category(names) == "Văn bản/Nghị định 61//2018//NĐ-CP/Điều 7"
    assert split_category("$course$/" + join_category(names)) == names


def test_moodle_xml_keeps_rubric_notes_and_tags_both_ways():
    xml = ('<quiz><question type="essay"><name><text>TL</text></name><questiontext><text>Trình bày.</text>'
           '</questiontext><graderinfo format="html"><text>Đủ 4 ý.</text></graderinfo>'
           '<tags><tag><text>hộ tịch</text></tag><tag><text>khó</text></tag></tags></question></quiz>')
    [essay] = parse_moodle_xml(xml)
    assert (essay.grader_info, essay.tags) == ("Đủ 4 ý.", ["hộ tịch", "khó"])
    assert parse_moodle_xml(write_moodle_xml([essay])) == [essay]
    assert "<graderinfo" in write_moodle_xml([essay])
