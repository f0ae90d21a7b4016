"""Published content the LMS needs: a training module with its lessons, built by the same loader as the demo site."""
import json

from content import demo as content_demo
from content import services as content_services
from content.models import CoursePage

MODULE = {
    "title": "Cơ chế một cửa theo Nghị định 61/2018/NĐ-CP", "slug": "co-che-mot-cua",
    "summary": "Học phần về Bộ phận một cửa.", "objectives": "<ul><li>Nắm quy trình</li></ul>",
    "audience": ["is_one_stop_receiver"], "duration_minutes": 60,
    "lesson_completion": "button",  # the tests that want another way set it on the course
    "lessons": [
        {"title": "Khái niệm một cửa", "slug": "khai-niem", "summary": "Khái niệm.",
         "body": [{"type": "heading", "value": "Một đầu mối"},
                  {"type": "paragraph", "value": "<p>Thủ tục hành chính được tiếp nhận tại một đầu mối.</p>" * 30}]},
        {"title": "Quy trình tiếp nhận hồ sơ", "slug": "quy-trinh", "summary": "Các bước.",
         "body": [{"type": "paragraph", "value": "<p>Tiếp nhận, chuyển, giải quyết, trả kết quả.</p>" * 30}]},
    ]}
SITE = {"guidance": [], "news": [], "faq": [], "courses": [MODULE]}

# A small site in the demo loader's format: two guidance documents, news, a FAQ and a module of three lessons.
SMALL_SITE = {
    "guidance": [{
        "title": "Kế hoạch cải cách hành chính tỉnh Đồng Nai năm 2020", "slug": "ke-hoach-cchc-2020",
        "document_number": "15122/KH-UBND", "issuing_body": "UBND tỉnh Đồng Nai", "issued_on": "27/12/2019",
        "effective_on": "27/12/2019", "fields": ["Cải cách thủ tục hành chính", "Đào tạo, bồi dưỡng"],
        "summary": "Kế hoạch năm 2020 của tỉnh Đồng Nai về cải cách hành chính.",
        "body": [
            {"type": "heading", "value": "Mục tiêu"},
            {"type": "paragraph", "value": "<p>Đào tạo 100% công chức tiếp nhận hồ sơ tại Bộ phận một cửa.</p>"},
            {"type": "table", "value": {"caption": "Phụ lục", "header": ["STT", "Nhiệm vụ"],
                                        "rows": [["1", "Sát hạch công chức một cửa"]]}},
        ]}, {
        "title": "Hướng dẫn công khai thủ tục", "slug": "huong-dan-cong-khai", "document_number": "01/HD-SNV",
        "issuing_body": "Sở Nội vụ", "issued_on": "15/03/2021", "effective_on": "15/03/2021",
        "fields": ["Cơ chế một cửa"], "summary": "Niêm yết thủ tục.", "body": []}],
    "news": [{"title": "Khai giảng lớp bồi dưỡng", "slug": "khai-giang", "date": "01/06/2020", "intro": "Tin.",
              "body": [{"type": "paragraph", "value": "<p>Lớp học trực tuyến.</p>"}]}],
    "faq": [{"question": "Đăng nhập bằng gì?", "answer": "<p>Bằng mã cán bộ.</p>"}],
    "courses": [{
        "title": "Cơ chế một cửa theo Nghị định 61/2018/NĐ-CP", "slug": "co-che-mot-cua",
        "summary": "Học phần về Bộ phận một cửa.", "objectives": "<ul><li>Nắm quy trình</li></ul>",
        "audience": ["is_one_stop_receiver"], "duration_minutes": 90,
        "lessons": [
            {"title": "Khái niệm một cửa", "slug": "khai-niem", "summary": "Khái niệm.",
             "body": [{"type": "paragraph", "value": "<p>Thủ tục hành chính được tiếp nhận tại một đầu mối.</p>"},
                      {"type": "callout", "value": {"kind": "tip", "title": "Lưu ý", "text": "<p>Hẹn trả.</p>"}},
                      {"type": "self_check", "value": {"question": "Một cửa là gì?", "explanation": "Vì vậy.",
                                                       "options": [{"text": "Một đầu mối", "correct": True},
                                                                   {"text": "Nhiều đầu mối", "correct": False}]}}]},
            {"title": "Quy trình tiếp nhận hồ sơ", "slug": "quy-trinh", "summary": "Các bước.",
             "body": [{"type": "legal_quote", "value": {"source": "KH 15122/KH-UBND", "text": "Tập trung doanh nghiệp"}}]},
            {"title": "Trả kết quả", "slug": "tra-ket-qua", "summary": "", "body": []},
        ]}],
}


def module_build(tmp_path):
    """The home page and one published module with two lessons (`MODULE`), through the demo loader."""
    content_demo.seed_site()
    path = tmp_path / "site.json"
    path.write_text(json.dumps(SITE, ensure_ascii=False), encoding="utf-8")
    content_services.demo_content_load(path=path)
    return CoursePage.objects.get(slug="co-che-mot-cua")
