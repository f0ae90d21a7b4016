"""Ranking on the demo content: a title holding the query's words together beats pages that only repeat them,
and highlights mark whole words and phrases, not every short syllable."""
import json
import re

import pytest

from content import demo as content_demo
from content import search, services
from content.search import _highlight, fold_aligned
from org import demo

pytestmark = pytest.mark.django_db

DIGITISING = {
    "title": "Số hóa hồ sơ ngay khi tiếp nhận", "slug": "so-hoa-ho-so-ngay-khi-tiep-nhan",
    "summary": "Quét và đính kèm giấy tờ vào hồ sơ điện tử ngay tại quầy.",
    "body": [{"type": "paragraph", "value": "<p>Quét đủ tất cả các trang, đúng thứ tự, đủ độ phân giải để đọc rõ; "
                                             "đặt tên tệp theo quy định.</p>"}],
}


def plain(markup) -> str:
    return re.sub(r"</?mark>", "", str(markup))


@pytest.fixture
def demo_site(tmp_path):
    """The whole demo content, with one more lesson in the software course (the one the issue searched for)."""
    demo.seed_units()
    demo.seed_accounts()
    content_demo.seed_site()
    data = json.loads(services.DEMO_FILE.read_text(encoding="utf-8"))
    course = next(c for c in data["courses"] if c["title"].startswith("Sử dụng phần mềm một cửa"))
    course["lessons"].insert(2, DIGITISING)
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    services.demo_content_load(path=path)
    search.reindex_all()


def test_titles_and_phrases_rank_first_on_the_demo_content(demo_site):
    hits = search.search("so hoa ho so tiep nhan")
    assert plain(hits[0].title) == "Số hóa hồ sơ ngay khi tiếp nhận"
    assert str(hits[0].title) == "<mark>Số hóa hồ sơ</mark> ngay khi <mark>tiếp nhận</mark>"

    top = [plain(h.title) for h in search.search("tiep nhan ho so")[:5]]
    assert all("tiếp nhận hồ sơ" in t.lower() for t in top), top

    top = [plain(h.title) for h in search.search("chu ky so")[:3]]
    assert all("chữ ký số" in t.lower() for t in top), top

    # A short query's words standing together in a title outrank a page that repeats them in its text.
    assert plain(search.search("so hoa")[0].title) == "Số hóa hồ sơ ngay khi tiếp nhận"


def test_highlights_mark_phrases_and_not_every_short_word(demo_site):
    hits = {plain(h.title): h for h in search.search("so hoa ho so tiep nhan")}
    signing = hits["Ứng dụng chữ ký số và hồ sơ điện tử trong giải quyết thủ tục hành chính"]
    assert "chữ ký số và <mark>hồ sơ</mark> điện tử" in str(signing.title)
    assert "<mark>số</mark>" not in str(signing.title) + str(signing.snippet)
    assert "<mark>số hóa hồ sơ</mark>" in str(signing.snippet).lower()


@pytest.mark.parametrize("text, words, expected", [
    ("Kế hoạch số 15122", ["ho"], "Kế hoạch số 15122"),  # never inside a longer word
    ("Nghị định số 61, số hóa hồ sơ", ["so", "hoa"], "Nghị định số 61, <mark>số hóa</mark> hồ sơ"),
    ("Chứng thư số và chữ ký số", ["so"], "Chứng thư <mark>số</mark> và chữ ký <mark>số</mark>"),
    ("tiếp nhận, hồ sơ", ["tiep", "nhan", "ho", "so"], "<mark>tiếp nhận</mark>, <mark>hồ sơ</mark>"),
    ("Văn hóa công vụ", ["so", "hoa"], "Văn <mark>hóa</mark> công vụ"),  # a word found only alone is marked
])
def test_highlight_marks_whole_words_and_runs(text, words, expected):
    assert str(_highlight(text, fold_aligned(text), words)) == expected
