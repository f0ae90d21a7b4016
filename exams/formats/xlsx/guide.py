"""The guide sheet of an Excel bank (how to fill in each column and each type, translated) and the example rows
the empty template carries."""
from __future__ import annotations

from django.utils.translation import gettext as _

from common.export import cell_set

from ..model import Choice, Question
from .spec import DIFFICULTY_NAMES, KIND_NAMES, LETTERS, SHEET, TRUE_NAME, _help


def _guide(sheet, width: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    last = LETTERS[width - 1]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    head_fill = PatternFill("solid", start_color="DDEBF7")
    sheet.sheet_properties.tabColor = "2E75B6"
    for letter, size in (("A", 22), ("B", 48), ("C", 36), ("D", 48)):
        sheet.column_dimensions[letter].width = size
    lines: list[tuple[str, ...] | None] = [
        (_("How to fill in the question bank"),),
        (_("Write one question per row of the sheet “%(sheet)s”, below its header row. Keep the header row as it "
           "is; columns you add yourself are ignored. Replace the example rows with your own questions.") % {
            "sheet": SHEET},),
        (_("When you import the file, all of it is checked first: if any row is wrong, nothing is imported and "
           "every problem is listed with its row and column. Fix them and import again."),),
        (_("Numbers use a decimal comma (2,5). Percentages are written like 50% or -100%."),),
        None,
        (_("Column"), _("What to write"), _("Example")),
        ("STT", _help("no"), "1"),
        ("Chủ đề", _("Topic path: sub-topics are created under the topic you import into. Separate levels with "
                     "/; write // for a slash inside a name (e.g. Nghị định 61//2018)."), "Cơ chế một cửa/Thẩm quyền"),
        ("Loại câu hỏi", _help("kind"), KIND_NAMES["single"]),
        ("Mức độ", _help("difficulty"), DIFFICULTY_NAMES[2]),
        ("Tên câu hỏi", _help("name"), "MC-01"),
        ("Nội dung câu hỏi", _help("text"), "Bộ phận Một cửa cấp xã do ai quyết định thành lập?"),
        (f"Phương án A … {last}", _help("option A"), "Chủ tịch UBND cấp xã"),
        ("Đáp án đúng", _("Depends on the type, see the table below."), "A"),
        ("Điểm", _help("mark"), "1"),
        ("Phản hồi chung", _help("feedback"), "Xem Điều 7 Nghị định 61/2018/NĐ-CP."),
        ("Hướng dẫn chấm", _help("grader_info"), "Nêu đủ 4 bước: tiếp nhận, chuyển, giải quyết, trả kết quả."),
        ("Thẻ", _help("tags"), "một cửa, NĐ 61"),
        (f"Phản hồi A … {last}", _help("feedback A"), "Chưa đúng: cấp huyện chỉ lập Bộ phận Một cửa cấp huyện."),
        None,
        (_("Type"), _("Options (Phương án A, B, …)"), _("Right answer (Đáp án đúng)"), _("Example")),
        (KIND_NAMES["single"], _("Two or more options."),
         _("The letter of the right option. Other options may earn part of the mark or lose marks: "
           "“B; C (50%); D (-50%)”."), "B"),
        (KIND_NAMES["multiple"], _("Two or more options."),
         _("The letters of the right options, which share 100% equally; or give each a percentage, wrong ones "
           "negative. The right ones must add up to 100%."), "A, C   —   A (50%); C (50%); D (-100%)"),
        (KIND_NAMES["truefalse"], _("Leave empty (or write Đúng and Sai). Phản hồi A is shown for Đúng, Phản hồi B "
                                    "for Sai."), _("Đúng or Sai."), TRUE_NAME),
        (KIND_NAMES["short"], _("Leave empty."),
         _("The accepted answers separated by ;, each worth 100% unless a percentage follows in brackets. Answers "
           "are compared ignoring case, extra spaces and diacritics."), "liên thông; phối hợp (50%)"),
        (KIND_NAMES["numeric"], _("Leave empty."),
         _("The number, with the tolerance after ± if any; several answers separated by ;."),
         "3,5 ± 0,1   —   60; 60 ± 5 (50%)"),
        (KIND_NAMES["matching"], _("One pair per option: “left side = right side”. “... = right side” adds a wrong "
                                   "match with no left side."), _("Leave empty."),
         "Đăng ký khai sinh = UBND cấp xã"),
        (KIND_NAMES["ordering"], _("The items in the right order; candidates see them shuffled."), _("Leave empty."),
         "Tiếp nhận hồ sơ"),
        (KIND_NAMES["essay"], _("Leave empty."),
         _("Optional model answer; like Hướng dẫn chấm it goes to the graders only."), ""),
        (KIND_NAMES["description"], _("Leave empty."), _("Leave empty. A block of information between questions, "
                                                         "not graded."), ""),
    ]
    for number, line in enumerate(lines, 1):
        if line is None:
            continue
        for column, text in enumerate(line, 1):
            cell = sheet.cell(number, column)
            cell_set(cell, text)
            cell.alignment = wrap
        if len(line) == 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=4)
            sheet.row_dimensions[number].height = 18 if number == 1 else 32
        elif line[0] in (_("Column"), _("Type")):
            for column in range(1, len(line) + 1):
                sheet.cell(number, column).font = bold
                sheet.cell(number, column).fill = head_fill
    sheet["A1"].font = Font(bold=True, size=14)


EXAMPLES = [
    Question(kind="single", name="MC-01", category="Cơ chế một cửa/Thẩm quyền", difficulty=1,
             text="Theo Nghị định 61/2018/NĐ-CP, Bộ phận Một cửa cấp xã do ai quyết định thành lập?",
             choices=[Choice("Chủ tịch Ủy ban nhân dân cấp xã", 1.0),
                      Choice("Chủ tịch Ủy ban nhân dân cấp huyện", 0.0,
                             "Chưa đúng: cấp huyện chỉ thành lập Bộ phận Một cửa cấp huyện."),
                      Choice("Giám đốc Sở Nội vụ", 0.0)],
             general_feedback="Xem khoản 3 Điều 7 Nghị định 61/2018/NĐ-CP.", tags=["một cửa", "NĐ 61/2018"]),
    Question(kind="multiple", name="MC-02", category="Cơ chế một cửa/Tiếp nhận hồ sơ", difficulty=2,
             text="Tổ chức, cá nhân có thể nộp hồ sơ thủ tục hành chính bằng những cách nào?",
             choices=[Choice("Trực tiếp tại Bộ phận Một cửa", 0.5),
                      Choice("Qua dịch vụ bưu chính công ích", 0.5),
                      Choice("Qua tin nhắn cá nhân cho cán bộ tiếp nhận", -1.0, "Không được phép.")],
             tags=["một cửa"]),
    Question(kind="essay", name="HT-01", category="Hộ tịch", difficulty=3, default_mark=5.0,
             text="Trình bày các bước tiếp nhận, giải quyết và trả kết quả hồ sơ đăng ký khai tử tại Bộ phận Một "
                  "cửa cấp xã.",
             grader_info="Nêu đủ 4 bước (1 điểm mỗi bước): tiếp nhận, chuyển hồ sơ, giải quyết, trả kết quả; "
                         "1 điểm cho căn cứ pháp lý.", tags=["hộ tịch"]),
]
