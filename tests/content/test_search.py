"""Search ignores diacritics and case, ranks title matches first, highlights the words, and hides drafts."""
import pytest

from content.models import LessonPage
from content.search import fold_aligned, search

pytestmark = pytest.mark.django_db


def titles(query):
    return [str(h.title).replace("<mark>", "").replace("</mark>", "") for h in search(query)]


@pytest.mark.parametrize("query, expected", [
    ("thu tuc hanh chinh", "Khái niệm một cửa"),
    ("mot cua", "Cơ chế một cửa theo Nghị định 61/2018/NĐ-CP"),
    ("dong nai", "Kế hoạch cải cách hành chính tỉnh Đồng Nai năm 2020"),
    ("ĐỒNG NAI", "Kế hoạch cải cách hành chính tỉnh Đồng Nai năm 2020"),
    ("Thủ tục", "Khái niệm một cửa"),
])
def test_queries_without_diacritics_find_vietnamese_text(site, query, expected):
    assert expected in titles(query)


def test_title_matches_rank_above_body_matches(site):
    found = titles("thu tuc")
    assert found[0] == "Hướng dẫn công khai thủ tục" and "Khái niệm một cửa" in found[1:]


def test_snippet_highlights_the_original_vietnamese_words(site):
    hit = next(h for h in search("tiep nhan ho so") if "Kế hoạch" in str(h.title))
    assert "công chức <mark>tiếp nhận hồ sơ</mark> tại Bộ phận" in str(hit.snippet)
    assert "Kế <mark>" not in str(hit.title)  # "ho" does not light up inside "hoạch"


def test_every_word_must_match(site):
    assert titles("mot cua khong-co-tu-nay") == []


def test_unpublished_lesson_disappears_from_search(site):
    lesson = LessonPage.objects.get(slug="khai-niem")
    lesson.unpublish()
    assert "Khái niệm một cửa" not in titles("khai niem")


def test_search_page_shows_ranked_results_with_links(site, client):
    html = client.get("/search/", {"q": "dong nai"}).content.decode()
    assert "/van-ban-huong-dan/ke-hoach-cchc-2020/" in html and "<mark>Đồng Nai</mark>" in html


def test_folding_keeps_positions():
    text = "Ủy ban nhân dân tỉnh Đồng Nai — thủ tục"
    assert len(fold_aligned(text)) == len(text)
    assert fold_aligned(text).index("dong nai") == text.index("Đồng Nai")


def _header_box(html):
    import re
    return re.search(r'<input id="site-q"[^>]*>', html).group(0)


def test_header_search_box_shows_only_the_site_search_query(client, bien_hoa_officer):
    client.force_login(bien_hoa_officer.user)
    roster = client.get("/can-bo/", {"q": "nguyen thi"}).content.decode()
    assert 'value=""' in _header_box(roster) and "nguyen" not in _header_box(roster)
    found = client.get("/search/", {"q": "mot cua"}).content.decode()
    assert 'value="mot cua"' in _header_box(found)
