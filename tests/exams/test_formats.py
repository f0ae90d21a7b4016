"""Question-bank interchange formats (GIFT, Aiken, Moodle XML): what an author writes is what gets imported, every
mistake is reported with its line, and a written file reads back as the same questions. No database needed."""
import dataclasses

import pytest
from django.utils import translation

from exams.formats.aiken import parse_aiken, write_aiken
from exams.formats.gift import parse_gift, write_gift
from exams.formats.model import Choice, FormatError, NumericAnswer, ParseError, Question, UnsupportedQuestion
from exams.formats.moodle_xml import parse_moodle_xml, write_moodle_xml

from .samples import AIKEN_BANK, GIFT_BANK, XML_BANK


def by_name(questions: list[Question]) -> dict[str, Question]:
    return {q.name: q for q in questions}


def errors_of(parse, text) -> list[tuple[int, str]]:
    # The messages below are the English source strings; the Vietnamese ones are checked where they are shown.
    with translation.override("en"), pytest.raises(ParseError) as caught:
        parse(text)
    return [(e.line, e.message) for e in caught.value.errors]


# --- GIFT --------------------------------------------------------------------------------------------------------

def test_gift_bank_reads_every_question_in_order():
    questions = parse_gift(GIFT_BANK)
    assert [q.kind for q in questions] == [
        "single", "multiple", "truefalse", "truefalse", "short", "numeric",
        "description", "numeric", "numeric", "numeric", "numeric", "matching", "essay", "single"]


def test_gift_single_choice_keeps_title_feedback_and_general_feedback_and_drops_format_prefix():
    q = by_name(parse_gift(GIFT_BANK))["MC-01 Thẩm quyền thành lập"]
    assert q.kind == "single"
    assert q.text == "Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?"
    assert q.choices == [
        Choice("Chủ tịch Ủy ban nhân dân cấp xã", 1.0, "Đúng: khoản 3 Điều 7 Nghị định 61/2018/NĐ-CP."),
        Choice("Chủ tịch Ủy ban nhân dân cấp huyện", 0.0,
               "Chưa đúng: cấp huyện chỉ thành lập Bộ phận Một cửa cấp huyện."),
        Choice("Giám đốc Sở Nội vụ", -0.5, "Sai: Sở Nội vụ không có thẩm quyền này."),
    ]
    assert q.general_feedback == "Xem Điều 7 Nghị định 61/2018/NĐ-CP về thành lập Bộ phận Một cửa."
    assert q.default_mark == 1.0


def test_gift_categories_apply_to_the_questions_that_follow_without_the_course_prefix():
    questions = by_name(parse_gift(GIFT_BANK))
    assert questions["MC-01 Thẩm quyền thành lập"].category == "Cải cách hành chính/Một cửa"
    assert questions["MC-06 Thời hạn xin lỗi"].category == "Cải cách hành chính/Một cửa"
    assert questions["HT-01 Khai sinh"].category == "Hộ tịch"
    assert questions["HT-07 Ký hiệu"].category == "Hộ tịch"
    assert parse_gift("Câu không có danh mục {=a ~b}")[0].category == ""


def test_gift_comment_lines_are_skipped_but_slashes_inside_text_are_kept():
    questions = parse_gift("// Ghi chú của người biên soạn\n"
                           "Cổng Dịch vụ công quốc gia có địa chỉ nào?{\n"
                           "// đáp án đúng ở dưới\n"
                           "=https://dichvucong.gov.vn\n"
                           "~https://chinhphu.vn\n}")
    assert len(questions) == 1
    assert questions[0].choices[0] == Choice("https://dichvucong.gov.vn", 1.0)
    assert questions[0].source_line == 2


def test_gift_multiple_response_uses_the_weights():
    q = by_name(parse_gift(GIFT_BANK))["MC-02 Hình thức nộp hồ sơ"]
    assert q.kind == "multiple"
    assert [(c.text, c.fraction, c.feedback) for c in q.choices] == [
        ("Trực tiếp tại Bộ phận Một cửa", 0.5, "Đúng."),
        ("Qua dịch vụ bưu chính công ích", 0.5, ""),
        ("Qua tin nhắn cá nhân cho cán bộ tiếp nhận", -1.0, "Không được phép."),
    ]


def test_gift_decimal_weights_are_accepted():
    q = parse_gift("Những giấy tờ nào phải xuất trình khi đăng ký kết hôn?"
                   "{~%33.33333%Căn cước công dân ~%33.33333%Hộ chiếu ~%33.33333%Giấy xác nhận tình trạng hôn nhân"
                   " ~%-100%Sổ hộ khẩu}")[0]
    assert [c.fraction for c in q.choices] == pytest.approx([0.3333333, 0.3333333, 0.3333333, -1.0])


@pytest.mark.parametrize("mark, truth", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_gift_true_false_marks(mark, truth):
    q = parse_gift(f"Chứng thực bản sao từ bản chính được thực hiện tại Ủy ban nhân dân cấp xã.{{{mark}}}")[0]
    assert q.kind == "truefalse"
    assert q.truth is truth


def test_gift_true_false_feedback_goes_to_the_answer_that_shows_it():
    questions = by_name(parse_gift(GIFT_BANK))
    # {TRUE#shown after answering wrong (false)#shown after answering right (true)}
    assert questions["MC-03 Bưu chính"].truth is True
    assert questions["MC-03 Bưu chính"].choices == [
        Choice("true", 1.0, "Chính xác."), Choice("false", 0.0, "Chưa đúng: Điều 13 cho phép việc này.")]
    assert questions["MC-04 Phí"].truth is False
    assert questions["MC-04 Phí"].choices == [Choice("true", 0.0), Choice("false", 1.0)]


def test_gift_true_false_with_general_feedback_only():
    q = parse_gift("Bản sao được chứng thực từ bản chính có giá trị sử dụng thay cho bản chính."
                   "{T####Điều 3 Nghị định 23/2015/NĐ-CP.}")[0]
    assert (q.truth, q.general_feedback) == (True, "Điều 3 Nghị định 23/2015/NĐ-CP.")
    assert [c.feedback for c in q.choices] == ["", ""]


def test_files_saved_on_windows_read_the_same():
    """Notepad adds a byte-order mark and CRLF line ends; the questions and their line numbers do not change."""
    for parse, source in ((parse_gift, GIFT_BANK), (parse_aiken, AIKEN_BANK)):
        windows = parse("\ufeff" + source.replace("\n", "\r\n"))
        assert windows == parse(source)
        assert [q.source_line for q in windows] == [q.source_line for q in parse(source)]


def test_gift_short_answer_in_the_middle_of_the_text_is_a_fill_in():
    q = by_name(parse_gift(GIFT_BANK))["MC-05 Điền khuyết"]
    assert q.kind == "short"
    assert q.text == ("Cơ chế giải quyết thủ tục hành chính có sự phối hợp của nhiều cơ quan là cơ chế một cửa _____ "
                      "theo Nghị định 61/2018/NĐ-CP.")
    assert q.answers == ["liên thông", "phối hợp"]
    assert q.choices == [Choice("liên thông", 1.0, "Đúng."),
                         Choice("phối hợp", 0.5, "Gần đúng: tên gọi chính thức là liên thông.")]


def test_gift_numeric_exact_tolerance_range_and_several_answers():
    questions = by_name(parse_gift(GIFT_BANK))
    assert questions["HT-01 Khai sinh"].numeric == [NumericAnswer(60.0, 0.0, 1.0)]
    assert questions["HT-02 Tỷ lệ"].numeric == [NumericAnswer(2.5, 0.5, 1.0, "Theo báo cáo năm 2023 của UBND xã.")]
    assert questions["HT-03 Khoảng"].numeric == [NumericAnswer(12.5, 2.5, 1.0)]  # 10..15 is 12.5 ± 2.5
    assert questions["HT-04 Nhiều đáp án số"].numeric == [NumericAnswer(3.0, 0.0, 1.0, "Chính xác."),
                                                        NumericAnswer(3.0, 2.0, 0.5, "Gần đúng.")]
    assert questions["MC-06 Thời hạn xin lỗi"].numeric == [NumericAnswer(1.0, 0.0, 1.0)]
    assert questions["MC-06 Thời hạn xin lỗi"].general_feedback == "Điều 19 Nghị định 61/2018/NĐ-CP."


def test_gift_negative_and_one_line_multiple_numeric_answers():
    q = parse_gift("Chênh lệch số hồ sơ tồn so với tháng trước là bao nhiêu? {# =-12:0 =%50%-12:3}")[0]
    assert q.numeric == [NumericAnswer(-12.0, 0.0, 1.0), NumericAnswer(-12.0, 3.0, 0.5)]


def test_gift_matching_pairs_including_an_extra_distractor():
    q = by_name(parse_gift(GIFT_BANK))["HT-05 Ghép cơ quan"]
    assert q.kind == "matching"
    assert q.pairs == [
        ("Đăng ký khai sinh", "Ủy ban nhân dân cấp xã"),
        ("Cấp Giấy chứng nhận đăng ký hộ kinh doanh", "Phòng Tài chính - Kế hoạch cấp huyện"),
        ("Cấp hộ chiếu phổ thông", "Cục Quản lý xuất nhập cảnh"),
        ("", "Sở Tư pháp"),
    ]


def test_gift_essay_and_description():
    questions = parse_gift(GIFT_BANK)
    essay = by_name(questions)["HT-06 Tự luận"]
    assert essay.kind == "essay"
    assert essay.general_feedback == "Nêu đủ: tiếp nhận, chuyển hồ sơ, giải quyết, trả kết quả."
    description = questions[6]
    assert description.kind == "description"
    assert description.text == "Phần II. Câu hỏi về Luật Hộ tịch 2014 và các văn bản hướng dẫn."
    assert description.category == "Hộ tịch"


def test_gift_escaped_characters_are_literal():
    q = by_name(parse_gift(GIFT_BANK))["HT-07 Ký hiệu"]
    assert q.kind == "single"
    assert q.text == "Mẫu số 01: mã hồ sơ có dạng {mã xã}-{năm}. Ký hiệu = và ~ và # trong mẫu có ý nghĩa gì?"
    assert q.choices == [Choice("Dấu = nối mã xã với năm {ví dụ 25993}", 1.0),
                         Choice("Dấu ~ đánh dấu hồ sơ trễ hạn", 0.0)]


def test_gift_escaped_colon_in_title_and_backslashes():
    q = parse_gift(r"::Mẫu 01\: tờ khai::Đường dẫn lưu hồ sơ trên máy là D:\\HoSo\\2024 {=đúng ~sai}")[0]
    assert q.name == "Mẫu 01: tờ khai"
    assert q.text == "Đường dẫn lưu hồ sơ trên máy là D:\\HoSo\\2024"


def test_gift_question_without_title_is_named_after_its_text():
    q = parse_gift("Ai ký Phiếu tiếp nhận và hẹn trả kết quả?{=Công chức tiếp nhận ~Chủ tịch UBND xã}")[0]
    assert q.name == "Ai ký Phiếu tiếp nhận và hẹn trả kết quả?"
    long_text = "Theo Nghị định 61/2018/NĐ-CP " + "và Nghị định 107/2021/NĐ-CP sửa đổi, bổ sung " * 5 + "thì sao?"
    assert len(parse_gift(long_text + "{}")[0].name) <= 81


def test_gift_source_lines_point_at_the_first_line_of_each_question():
    lines = GIFT_BANK.splitlines()
    questions = by_name(parse_gift(GIFT_BANK))
    for name in ("MC-01 Thẩm quyền thành lập", "MC-04 Phí", "HT-04 Nhiều đáp án số", "HT-07 Ký hiệu"):
        assert lines[questions[name].source_line - 1].startswith(f"::{name}::")


@pytest.mark.parametrize("text, line, message", [
    ("Câu hỏi mở đầu {}\n\nBộ phận Một cửa cấp xã đặt tại đâu? {=Trụ sở UBND xã ~Nhà văn hóa",
     3, "the answer block opened with { is never closed (a blank line ends a question)"),
    ("Hồ sơ gồm những gì? {=Tờ khai =Giấy chứng sinh ~Sổ hộ khẩu}",
     1, "a single-choice question needs exactly one answer marked ="),
    ("\n\nAi tiếp nhận hồ sơ? {~Công chức tư pháp ~Chủ tịch xã}",
     3, "a single-choice question needs exactly one answer marked ="),
    ("Lệ phí đăng ký khai sinh đúng hạn là bao nhiêu?{=Miễn lệ phí ~}", 1, "an answer is empty"),
    ("Cơ quan nào tiếp nhận?{=}", 1, "an answer is empty"),
    ("Cơ quan nào tiếp nhận?{Ủy ban xã =Ủy ban nhân dân xã ~Công an xã}",
     1, "“Ủy ban xã” is not marked as an answer with = or ~"),
    ("Thời hạn giải quyết là mấy ngày?\n{#năm}", 1, "“năm” is not a number (write decimals with a dot, e.g. 0.5)"),
    ("Tỷ lệ trễ hạn cho phép là bao nhiêu?{#0,5}", 1, "“0,5” is not a number (write decimals with a dot, e.g. 0.5)"),
    ("Thời hạn từ bao nhiêu đến bao nhiêu ngày?{#3..bảy}",
     1, "“bảy” is not a number (write decimals with a dot, e.g. 0.5)"),
    ("Những giấy tờ nào?{~%năm mươi%Tờ khai ~%50%Giấy chứng sinh}",
     1, "“%năm mươi%” is not a valid weight: write a percentage from -100 to 100, e.g. %50%"),
    ("Những giấy tờ nào?{~%150%Tờ khai ~Giấy chứng sinh}",
     1, "“%150%” is not a valid weight: write a percentage from -100 to 100, e.g. %50%"),
    ("Những giấy tờ nào?{~%50%Tờ khai ~%30%Giấy chứng sinh ~Sổ hộ khẩu}",
     1, "the positive weights add up to 80%; in a multiple-response question they must add up to 100%"),
    ("Câu hỏi có dấu } lạc", 1, "there is a } without a matching {; write \\} for a literal brace"),
    ("Điền {=một} và {=hai}",
     1, "a question can have only one answer block { … }; write \\{ and \\} for literal braces"),
    ("::MC-09 Tiêu đề chưa đóng\nAi ký? {=a ~b}", 1, "the title opened with :: is never closed"),
    ("::MC-10::{=Chủ tịch ~Phó chủ tịch}", 1, "the question has no text"),
    ("Ghép cặp:{=Khai sinh -> UBND xã ~Hộ chiếu}",
     1, "every answer of a matching question must look like “=item -> match”"),
    ("Ghép cặp:{=Khai sinh -> UBND xã}", 1, "a matching question needs at least two pairs"),
])
def test_gift_errors_name_the_line_where_the_question_starts(text, line, message):
    assert errors_of(parse_gift, text) == [(line, message)]


def test_gift_every_error_is_collected_and_nothing_is_imported():
    text = ("$CATEGORY: Một cửa\n"
            "\n"
            "::A::Câu đúng {=Có ~Không}\n"
            "\n"
            "// câu lỗi thứ nhất\n"
            "::B::Câu thiếu dấu đóng {=Có ~Không\n"
            "\n"
            "::C::Câu đúng khác {T}\n"
            "\n"
            "::D::Câu\n"
            "nhiều dòng {~Có ~Không}\n")
    with pytest.raises(ParseError) as caught:
        parse_gift(text)
    assert [e.line for e in caught.value.errors] == [6, 10]
    with translation.override("vi"):
        assert str(caught.value.errors[0]).startswith("Dòng 6: ")


def test_gift_a_blank_line_inside_the_answer_block_ends_the_question():
    errors = errors_of(parse_gift, "Ai tiếp nhận hồ sơ?{\n=Công chức một cửa\n\n~Chủ tịch xã\n}")
    assert errors == [(1, "the answer block opened with { is never closed (a blank line ends a question)"),
                      (4, "there is a } without a matching {; write \\} for a literal brace")]


def test_write_gift_escapes_and_groups_categories():
    questions = [
        Question("single", "MC: 1", "Ký hiệu {a} = b?", category="Một cửa",
                 choices=[Choice("dấu ~", 1.0, "vì #1"), Choice("%50 giảm", 0.0)]),
        Question("truefalse", "MC-2", "Được nộp qua bưu chính.", category="Một cửa", truth=True,
                 choices=[Choice("true", 1.0, "Đúng"), Choice("false", 0.0, "Sai")]),
        Question("essay", "HT-1", "Trình bày quy trình.", category="Hộ tịch"),
    ]
    text = write_gift(questions)
    assert text.count("$CATEGORY:") == 2
    assert "::MC\\: 1::[html]Ký hiệu \\{a\\} \\= b?" in text
    assert "=dấu \\~#vì \\#1" in text
    assert "{TRUE#Sai#Đúng}" in text
    assert parse_gift(text) == questions


def test_write_gift_refuses_a_kind_gift_cannot_hold():
    ordering = Question("ordering", "Trình tự", "Sắp xếp các bước", order=["Tiếp nhận", "Giải quyết"])
    with pytest.raises(UnsupportedQuestion):
        write_gift([ordering])


# --- Aiken -------------------------------------------------------------------------------------------------------

def test_aiken_reads_single_choice_questions():
    questions = parse_aiken(AIKEN_BANK)
    assert len(questions) == 3
    first, second, third = questions
    assert first.kind == "single"
    assert first.text == "Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?"
    assert first.choices == [Choice("Chủ tịch Ủy ban nhân dân cấp xã", 1.0),
                             Choice("Chủ tịch Ủy ban nhân dân cấp huyện", 0.0),
                             Choice("Giám đốc Sở Nội vụ", 0.0)]
    assert second.text.startswith("Theo Luật Hộ tịch 2014,\ncơ quan nào")
    assert [c.fraction for c in second.choices] == [1.0, 0.0, 0.0, 0.0]  # "ANSWER: a" is letter A
    assert second.choices[0].text == "Ủy ban nhân dân cấp xã nơi cư trú của cha hoặc mẹ"
    assert third.choices == [Choice("30 ngày", 0.0), Choice("60 ngày", 1.0)]  # no blank line needed before it
    assert [q.source_line for q in questions] == [1, 7, 14]


@pytest.mark.parametrize("text, expected", [
    ("A. Chủ tịch UBND xã\nB. Chủ tịch UBND huyện\nANSWER: A\n",
     [(1, "these options have no question before them")]),
    ("Ai ký quyết định thành lập Bộ phận Một cửa cấp xã?\nA. Chủ tịch UBND xã\nB. Chủ tịch UBND huyện\n\n"
     "Thời hạn khai sinh?\nA. 30 ngày\nB. 60 ngày\nANSWER: B\n",
     [(1, "the question has no “ANSWER: letter” line")]),
    ("Ai ký?\nA. Chủ tịch UBND xã\nB. Chủ tịch UBND huyện\nThời hạn khai sinh?\nA. 30 ngày\nB. 60 ngày\n",
     [(1, "the question has no “ANSWER: letter” line"), (4, "the question has no “ANSWER: letter” line")]),
    ("Thời hạn đăng ký khai sinh?\nA. 30 ngày\nB. 60 ngày\nANSWER: D\n",
     [(4, "“ANSWER: D” does not name one of the options")]),
    ("Thời hạn đăng ký khai sinh?\nA. 60 ngày\nANSWER: A\n", [(1, "a question needs at least two options")]),
    ("Thời hạn đăng ký khai sinh?\nA. 60 ngày\nB.\nANSWER: A\n", [(3, "an answer is empty")]),
    ("ANSWER: A\n", [(1, "this ANSWER: line has no question before it")]),
])
def test_aiken_errors_name_the_line(text, expected):
    assert errors_of(parse_aiken, text) == expected


def test_aiken_options_need_no_space_after_their_letter_as_in_moodle():
    questions = parse_aiken("Thời hạn đăng ký khai sinh?\nA)30 ngày\nB.60 ngày\nC) 90 ngày\nANSWER: B\n")
    assert questions[0].choices == [Choice("30 ngày", 0.0), Choice("60 ngày", 1.0), Choice("90 ngày", 0.0)]
    # The line at fault is the one with the empty option, not the question's.
    assert errors_of(parse_aiken, "Thời hạn?\nA)30 ngày\nB)\nANSWER: A\n") == [(3, "an answer is empty")]


def test_aiken_collects_errors_from_the_whole_file():
    text = AIKEN_BANK + "\nCâu thiếu đáp án?\nA. Có\nB. Không\n\nCâu sai chữ cái?\nA. Có\nB. Không\nANSWER: E\n"
    assert errors_of(parse_aiken, text) == [(19, "the question has no “ANSWER: letter” line"),
                                            (26, "“ANSWER: E” does not name one of the options")]


def test_write_aiken_refuses_questions_aiken_cannot_hold():
    with pytest.raises(UnsupportedQuestion):
        write_aiken([Question("truefalse", "Đ/S", "Được nộp qua bưu chính.", truth=True)])


def test_write_aiken_marks_the_best_choice_and_letters_the_options():
    text = write_aiken([Question("single", "x", "Ai tiếp nhận hồ sơ?",
                                 choices=[Choice("Chủ tịch xã", 0.0), Choice("Công chức một cửa", 1.0)])])
    assert text == "Ai tiếp nhận hồ sơ?\nA. Chủ tịch xã\nB. Công chức một cửa\nANSWER: B\n"


# --- Moodle XML --------------------------------------------------------------------------------------------------

@pytest.fixture
def xml_questions():
    return by_name(parse_moodle_xml(XML_BANK.encode("utf-8")))


def test_moodle_xml_reads_every_supported_type(xml_questions):
    assert {name: q.kind for name, q in xml_questions.items()} == {
        "MC-01 Thẩm quyền thành lập": "single", "MC-02 Hình thức nộp": "multiple", "MC-03 Bưu chính": "truefalse",
        "HT-01 Cơ chế": "short", "HT-02 Khai sinh": "numeric", "HT-03 Ghép cơ quan": "matching",
        "HT-04 Tự luận": "essay", "Phần II": "description", "HT-05 Trình tự": "ordering"}


def test_moodle_xml_multichoice_single(xml_questions):
    q = xml_questions["MC-01 Thẩm quyền thành lập"]
    assert q.text == "<p>Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?</p>"
    assert q.general_feedback == "Xem Điều 7 Nghị định 61/2018/NĐ-CP."
    assert q.default_mark == 2.0
    assert q.choices == [Choice("Chủ tịch Ủy ban nhân dân cấp xã", 1.0, "Đúng: khoản 3 Điều 7."),
                         Choice("Chủ tịch Ủy ban nhân dân cấp huyện", 0.0),
                         Choice("Giám đốc Sở Nội vụ", pytest.approx(-0.3333333))]


def test_moodle_xml_multichoice_multiple(xml_questions):
    q = xml_questions["MC-02 Hình thức nộp"]
    assert [(c.text, c.fraction) for c in q.choices] == [("Trực tiếp tại Bộ phận Một cửa", 0.5),
                                                         ("Qua dịch vụ bưu chính công ích", 0.5),
                                                         ("Qua tin nhắn cá nhân cho cán bộ", -1.0)]
    assert q.choices[2].feedback == "Không được phép."
    assert q.default_mark == 1.0


def test_moodle_xml_categories_drop_the_context_prefix(xml_questions):
    assert xml_questions["MC-01 Thẩm quyền thành lập"].category == "top/Cải cách hành chính/Một cửa"
    assert xml_questions["MC-03 Bưu chính"].category == "top/Cải cách hành chính/Một cửa"
    assert xml_questions["HT-01 Cơ chế"].category == "Hộ tịch"


def test_moodle_xml_true_false(xml_questions):
    q = xml_questions["MC-03 Bưu chính"]
    assert q.truth is True
    assert q.choices == [Choice("true", 1.0, "Chính xác."), Choice("false", 0.0, "Chưa đúng: Điều 13 cho phép.")]


def test_moodle_xml_short_answer(xml_questions):
    q = xml_questions["HT-01 Cơ chế"]
    assert q.answers == ["liên thông", "phối hợp"]
    assert q.choices == [Choice("liên thông", 1.0, "Đúng."), Choice("phối hợp", 0.5)]


def test_moodle_xml_numerical_with_tolerance_keeps_the_any_other_answer(xml_questions):
    assert xml_questions["HT-02 Khai sinh"].numeric == [NumericAnswer(60.0, 0.0, 1.0, "Điều 15 Luật Hộ tịch."),
                                                       NumericAnswer(60.0, 5.0, 0.5),
                                                       NumericAnswer(None, 0.0, 0.0, "Xem lại Điều 15.")]


def test_moodle_xml_matching(xml_questions):
    assert xml_questions["HT-03 Ghép cơ quan"].pairs == [("Đăng ký khai sinh", "Ủy ban nhân dân cấp xã"),
                                                        ("Cấp hộ chiếu phổ thông", "Cục Quản lý xuất nhập cảnh"),
                                                        ("", "Sở Tư pháp")]


def test_moodle_xml_essay_description_and_ordering(xml_questions):
    essay = xml_questions["HT-04 Tự luận"]
    assert (essay.general_feedback, essay.default_mark) == ("Nêu đủ bốn bước.", 5.0)
    description = xml_questions["Phần II"]
    assert (description.text, description.default_mark) == ("Phần II. Các câu hỏi về chứng thực.", 0.0)
    assert xml_questions["HT-05 Trình tự"].order == ["Tiếp nhận hồ sơ", "Chuyển hồ sơ đến cơ quan giải quyết",
                                                    "Trả kết quả"]


def test_moodle_xml_source_line_is_the_question_element(xml_questions):
    lines = XML_BANK.splitlines()
    for q in xml_questions.values():
        assert lines[q.source_line - 1].strip().startswith("<question type=")
    assert xml_questions["MC-01 Thẩm quyền thành lập"].source_line == 6


def test_moodle_xml_accepts_text_and_declared_encodings():
    latin = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<quiz><question type="essay"><name><text>Café</text>'
             '</name><questiontext><text>Décrivez la procédure.</text></questiontext></question></quiz>')
    assert parse_moodle_xml(latin.encode("iso-8859-1"))[0].name == "Café"
    assert parse_moodle_xml(latin)[0].text == "Décrivez la procédure."


def test_moodle_xml_malformed_file_names_the_line():
    broken = XML_BANK.replace("<name><text>MC-02 Hình thức nộp</text></name>", "<name><text>MC-02</name>")
    errors = errors_of(parse_moodle_xml, broken.encode("utf-8"))
    assert len(errors) == 1
    line, message = errors[0]
    assert line == 25
    assert message.startswith("the file is not valid XML (mismatched tag")


def test_moodle_xml_not_a_quiz():
    assert errors_of(parse_moodle_xml, "<questions><question/></questions>") == [
        (1, "this is not a Moodle XML question file: the outer element is <questions>, not <quiz>")]


def test_moodle_xml_types_the_platform_does_not_run_are_skipped_and_reported_the_rest_is_checked():
    xml = ('<quiz>\n'
           '  <question type="category"><category><text>$course$/Một cửa</text></category></question>\n'
           '  <question type="cloze"><name><text>Điền khuyết</text></name>'
           '<questiontext><text>{1:SHORTANSWER:=liên thông}</text></questiontext></question>\n'
           '  <question type="multichoice"><name><text>Thiếu đáp án</text></name>'
           '<questiontext><text>Ai ký?</text></questiontext></question>\n'
           '  <question type="ddwtos"><questiontext><text>Kéo thả</text></questiontext></question>\n'
           '  <question type="essayish"><questiontext><text>?</text></questiontext></question>\n'
           '</quiz>')
    assert errors_of(parse_moodle_xml, xml) == [
        (4, "the question has no answers"),
        (6, "question 5 has the type “essayish”, which cannot be imported"),
    ]
    warnings = []
    with translation.override("en"):
        parse_moodle_xml(xml.replace('<question type="essayish">', '<question type="essay">').replace(
            "<text>Ai ký?</text></questiontext>", "<text>Ai ký?</text></questiontext>"
            '<answer fraction="100"><text>Chủ tịch</text></answer>'), warnings=warnings)
    assert [(w.line, w.message) for w in warnings] == [
        (3, "question 2 (“Điền khuyết”) is a Moodle “Cloze (embedded answers)” question, which the platform does "
            "not run: it was skipped; the other questions were read"),
        (5, "question 4 (“ddwtos”) is a Moodle “Drag and drop into text” question, which the platform does not "
            "run: it was skipped; the other questions were read")]


def test_moodle_xml_bad_numbers_are_reported():
    xml = ('<quiz><question type="numerical"><name><text>Khai sinh</text></name>'
           '<questiontext><text>Bao nhiêu ngày?</text></questiontext>'
           '<answer fraction="100"><text>sáu mươi</text><tolerance>0</tolerance></answer>'
           '<answer fraction="150"><text>60</text></answer></question></quiz>')
    assert errors_of(parse_moodle_xml, xml) == [
        (1, "“sáu mươi” is not a number (write decimals with a dot, e.g. 0.5)"),
        (1, "the answer fraction “150” must be a percentage from -100 to 100"),
    ]


def test_write_moodle_xml_writes_categories_and_fractions_as_percentages():
    xml = write_moodle_xml(parse_gift(GIFT_BANK))
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert "<text>$course$/Cải cách hành chính/Một cửa</text>" in xml
    assert '<answer fraction="-50" format="html">' in xml  # the question's [html]
    assert "<tolerance>0.5</tolerance>" in xml


# --- Round trips -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("parse, write, source", [
    (parse_gift, write_gift, GIFT_BANK),
    (parse_aiken, write_aiken, AIKEN_BANK),
    (parse_moodle_xml, write_moodle_xml, XML_BANK),
], ids=["gift", "aiken", "moodle_xml"])
def test_written_files_read_back_as_the_same_questions(parse, write, source):
    questions = parse(source)
    again = parse(write(questions))
    assert again == questions  # source_line is left out of the comparison
    assert write(again) == write(questions)


def test_gift_bank_survives_a_trip_through_moodle_xml():
    questions = parse_gift(GIFT_BANK)
    assert parse_moodle_xml(write_moodle_xml(questions)) == questions


def test_moodle_xml_bank_survives_a_trip_through_gift_except_what_gift_cannot_hold():
    questions = [q for q in parse_moodle_xml(XML_BANK) if q.kind != "ordering"]  # GIFT has no ordering
    # GIFT has no default mark either: every question reads back worth 1.
    # GIFT has no default mark (every question reads back worth 1) and no Moodle options (settings).
    assert parse_gift(write_gift(questions)) == [dataclasses.replace(q, default_mark=1.0, settings={})
                                                 for q in questions]


def test_format_error_reads_as_a_line_for_the_user():
    with translation.override("vi"):
        assert str(FormatError(12, "the question has no text")) == "Dòng 12: the question has no text"
