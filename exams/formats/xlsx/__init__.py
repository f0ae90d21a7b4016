"""The Excel question bank (.xlsx): the way Vietnamese trainers keep their banks, one row per question.

The sheet "Câu hỏi" has one header row and one question per row below it:

===================  ==========================================================================================
column               what to write
===================  ==========================================================================================
STT                  a running number (not read)
Chủ đề               the topic path, "Cơ chế một cửa/Thẩm quyền"; "//" is a slash inside a name
Loại câu hỏi         Một đáp án, Nhiều đáp án, Đúng-Sai, Trả lời ngắn, Số, Ghép cặp, Sắp xếp, Tự luận, Mô tả
Mức độ               Dễ, Trung bình, Khó (also 1–3, or Nhận biết / Thông hiểu / Vận dụng); empty: not given
Tên câu hỏi          optional short name or code; the start of the text when empty
Nội dung câu hỏi     the question
Phương án A, B, …    choices; matching "vế trái = vế phải" ("... = X" adds a wrong match); ordering: the
                     items in the right order
Đáp án đúng          choices: "B", "A, C" (the right ones share 100%), weights "A (50%); D (-100%)";
                     Đúng-Sai: Đúng or Sai; short answers: accepted texts separated by ";", "phối hợp (50%)";
                     numeric: "3,5 ± 0,1", several separated by ";"; essays: a model answer (kept for graders)
Điểm                 default mark (1 when empty)
Phản hồi chung       general feedback
Hướng dẫn chấm       essays: rubric notes for graders, never shown to candidates
Thẻ                  tags separated by commas
Phản hồi A, B, …     feedback for picking that option (short and numeric: for the 1st, 2nd, … answer)
===================  ==========================================================================================

Headers are matched without regard to case and diacritics ("noi dung cau hoi" works), a few common variants are
accepted, unknown columns are ignored, and the header row may sit below a title (within the first ten rows). The
headers and type names are the file's vocabulary and stay Vietnamese; the guide sheet is translated.

Numbers follow Vietnamese usage: a decimal comma, dots for thousands; Excel number cells are read as numbers.
The whole sheet is read first; every problem is reported with its row and column, and nothing is returned if
there is any. The writer writes the same layout, so a written file reads back as the same questions.

The package by concern: `spec` (vocabulary and columns), `reader` and `rows` (reading), `writer` and `guide`
(writing); the file reading itself (workbook, sheets, header row, cell text) is `common.tabular`'s.
"""
from .guide import EXAMPLES
from .reader import parse_xlsx
from .spec import (COLUMNS, DIFFICULTY_NAMES, FALSE_NAME, GUIDE_SHEET, KIND_NAMES, LETTERS, SHEET, TRUE_NAME,
                   feedback_header, option_header)
from .writer import write_xlsx, xlsx_template

__all__ = ["COLUMNS", "DIFFICULTY_NAMES", "EXAMPLES", "FALSE_NAME", "GUIDE_SHEET", "KIND_NAMES", "LETTERS", "SHEET",
           "TRUE_NAME", "feedback_header", "option_header", "parse_xlsx", "write_xlsx", "xlsx_template"]
