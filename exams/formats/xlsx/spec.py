"""The Excel bank's vocabulary: sheet names, column specs with the headers accepted for each, the question types
and difficulty words, and the note each header cell carries. Reader, writer and guide sheet all speak it."""
from __future__ import annotations

import re

from django.utils.translation import gettext as _

from common.tabular import NO_WORDS, YES_WORDS, Column, header_key

SHEET = "Câu hỏi"
GUIDE_SHEET = "Hướng dẫn"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MIN_OPTIONS = 6  # columns A–F are always written; more when a question needs them
HEADER_SEARCH_ROWS = 10
MAX_QUESTIONS = 20000
MAX_BLANK_RUN = 2000  # a sheet formatted far below its last question is not read to row 1,048,576
NAME_MAX, TAG_MAX, MARK_MAX = 255, 100, 9999.99

KIND_NAMES = {"single": "Một đáp án", "multiple": "Nhiều đáp án", "truefalse": "Đúng-Sai",
              "short": "Trả lời ngắn", "numeric": "Số", "matching": "Ghép cặp", "ordering": "Sắp xếp",
              "essay": "Tự luận", "description": "Mô tả"}
DIFFICULTY_NAMES = {1: "Dễ", 2: "Trung bình", 3: "Khó"}
TRUE_NAME, FALSE_NAME = "Đúng", "Sai"
# The text formats a cell may be written in; an empty cell is plain text (what Excel users type).
FORMAT_NAMES = {"plain": "Văn bản", "html": "HTML", "moodle": "Moodle", "markdown": "Markdown"}
FORMAT_WORDS = {**{header_key(name): fmt for fmt, name in FORMAT_NAMES.items()}, "plain": "plain",
                "van ban thuong": "plain", "text": "plain", "plain text": "plain", "moodle auto format": "moodle"}
ANY_OTHER = "*"  # a numeric answer for any other number (Moodle's "*")
EMPTY_ITEM = "..."  # the left side of a wrong match: a cell starting with "=" would be a formula in Excel


_key = header_key  # header and word matching: no case, no diacritics, dashes and slashes as spaces


_KIND_WORDS = {
    **{_key(name): kind for kind, name in KIND_NAMES.items()},
    **{kind: kind for kind in KIND_NAMES},
    "1 dap an": "single", "trac nghiem": "single", "trac nghiem 1 dap an": "single",
    "trac nghiem mot dap an": "single", "chon mot": "single", "single choice": "single",
    "trac nghiem nhieu dap an": "multiple", "chon nhieu": "multiple", "multiple response": "multiple",
    "multiple choice": "multiple", "dung sai": "truefalse", "d s": "truefalse", "true false": "truefalse",
    "dien khuyet": "short", "dien tu": "short", "short answer": "short", "tra loi so": "numeric",
    "dang so": "numeric", "numeric": "numeric", "numerical": "numeric", "ghep noi": "matching",
    "noi cot": "matching", "sap xep thu tu": "ordering", "essay": "essay", "mo ta": "description",
    "doan mo ta": "description", "thong tin": "description",
}
_DIFFICULTY_WORDS = {
    "de": 1, "1": 1, "easy": 1, "nhan biet": 1,
    "trung binh": 2, "tb": 2, "2": 2, "medium": 2, "thong hieu": 2,
    "kho": 3, "3": 3, "hard": 3, "van dung": 3, "van dung cao": 3,
}
# A true/false answer: the yes/no words every file shares, and the names of the two answers (not "c", an option).
_TRUE_WORDS = YES_WORDS | {"dung", "d", "t"}
_FALSE_WORDS = NO_WORDS | {"sai", "s", "f"}


COLUMNS = (
    Column("no", "STT", width=6, aliases=("so thu tu", "tt")),
    Column("category", "Chủ đề", width=26, aliases=("danh muc", "chuyen de")),
    Column("kind", "Loại câu hỏi", width=16, aliases=("loai", "dang cau hoi", "kieu cau hoi")),
    Column("difficulty", "Mức độ", width=13, aliases=("do kho", "muc do kho")),
    Column("name", "Tên câu hỏi", width=22, aliases=("ma cau hoi", "ten")),
    Column("text", "Nội dung câu hỏi", width=60, aliases=("cau hoi", "noi dung")),
    # Phương án A, B, … come here
    Column("answer", "Đáp án đúng", width=18, aliases=("dap an",)),
    Column("mark", "Điểm", width=8, aliases=("diem so", "diem mac dinh")),
    Column("feedback", "Phản hồi chung", width=36, aliases=("giai thich", "phan hoi")),
    Column("grader_info", "Hướng dẫn chấm", width=36, aliases=("huong dan cham diem", "barem")),
    Column("tags", "Thẻ", width=18, aliases=("the", "tu khoa")),
    Column("idnumber", "Mã định danh", width=14, aliases=("id number", "idnumber", "ma dinh danh cau hoi")),
    Column("format", "Định dạng", width=12, aliases=("dinh dang van ban", "text format")),
    # Phản hồi A, B, … come last: most banks leave them empty
)
_BY_KEY = {c.key: c for c in COLUMNS}
# Only the header and its aliases (not the field key: a trainer's own "Name" column is not the question's name).
_HEADER_WORDS = {alias: c.key for c in COLUMNS for alias in (_key(c.header), *map(_key, c.aliases))}
_OPTION_HEADER_RE = re.compile(r"^(?:phuong an|lua chon|dap an) ([a-z])$")
_OPTION_FEEDBACK_RE = re.compile(r"^phan hoi (?:phuong an |dap an )?([a-z])$")


def option_header(letter: str) -> str:
    return f"Phương án {letter}"


def feedback_header(letter: str) -> str:
    return f"Phản hồi {letter}"


def _help(key: str) -> str:
    """The note on a header cell."""
    kinds = ", ".join(KIND_NAMES.values())
    notes = {
        "no": _("Running number; not read."),
        "category": _("Topic path under the topic you import into, e.g. “Cơ chế một cửa/Thẩm quyền”. Empty: the "
                      "topic itself."),
        "kind": _("One of: %(kinds)s.") % {"kinds": kinds},
        "difficulty": _("Dễ, Trung bình or Khó. May be left empty."),
        "name": _("Optional short name or code; the start of the question is used when empty."),
        "text": _("The question as candidates see it. Alt+Enter starts a new line."),
        "answer": _("Letters of the right options (“B”, “A, C”); Đúng or Sai; accepted answers separated by ; ; a "
                    "number such as 3,5 ± 0,1. See the guide sheet."),
        "mark": _("Default mark of the question; 1 when empty."),
        "feedback": _("Shown to candidates after the exam when the review allows it."),
        "grader_info": _("Essays only: what graders look for. Never shown to candidates."),
        "tags": _("Keywords separated by commas."),
        "idnumber": _("Optional; the question's ID number, as in Moodle. Re-importing a file updates the question "
                      "with the same ID number instead of adding it again."),
        "format": _("How the texts of this row are written: Văn bản (plain text, the default), HTML, Moodle or "
                    "Markdown."),
    }
    if key.startswith("option "):
        return _("An option. Matching: “left side = right side”. Ordering: the items in the right order.")
    if key.startswith("feedback "):
        return _("Feedback for a candidate who picks this option (short and numeric answers: for the answer in "
                 "this position).")
    return notes.get(key, "")
