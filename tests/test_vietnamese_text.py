"""The check the admin browser tests use to find English left on a page (tests/vietnamese_text.py)."""
import unicodedata

import pytest

from .vietnamese_text import foreign_words


@pytest.mark.parametrize("text, english", [
    ("Exam", ["Exam"]), ("Order", ["Order"]), ("Fixed questions", ["Fixed", "questions"]),
    ("A comma-separated list of tags.", ["comma", "separated", "list", "of", "tags"]),
    ("0\xa0minutes trước", ["minutes"]),
    ("Bảng điều khiển - Wagtail", ["Wagtail"]), ("Đã công bố: True", ["True"]),
    ("Hướng dẫn biên tập Wagtail 8.0.1", ["Wagtail"]), ("Save Selected", ["Save", "Selected"]),
])
def test_english_is_found(text, english):
    assert foreign_words(text) == english


@pytest.mark.parametrize("text", [
    "Thêm phần thi", "Câu hỏi cố định", "Sát hạch thử: cơ chế một cửa và Kế hoạch CCHC 2020",
    "Nguồn câu hỏi có 12 câu; khuyến nghị tối thiểu 30 câu (3 × 10).", "Đường dẫn (slug)", "Trần Thị Thu Hà",
    "Nghiêng, khuỷu, quyết, nguyễn, giữ, gì, ươm, khoảng, thuở, huyết, ngoằn ngoèo, Tiếng Việt", "email: a@b.vn",
    "Cơ chế một cửa liên th…", unicodedata.normalize("NFD", "Tiếng Việt"), "Tệp so-do_JRHcYip.png, 1,2 KB", "Câu hỏi cuối.", "Ủy ban nhân dân tỉnh Đồng Nai",
])
def test_vietnamese_passes(text):
    assert foreign_words(text) == []
