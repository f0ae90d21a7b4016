"""Published content the LMS needs: a training module with its lessons, built by the same loader as the demo site."""
import json

MODULE = {
    "title": "Cơ chế một cửa theo Nghị định 61/2018/NĐ-CP", "slug": "co-che-mot-cua",
    "summary": "Học phần về Bộ phận một cửa.", "objectives": "<ul><li>Nắm quy trình</li></ul>",
    "audience": ["is_one_stop_receiver"], "duration_minutes": 60,
    "lessons": [
        {"title": "Khái niệm một cửa", "slug": "khai-niem", "summary": "Khái niệm.",
         "body": [{"type": "heading", "value": "Một đầu mối"},
                  {"type": "paragraph", "value": "<p>Thủ tục hành chính được tiếp nhận tại một đầu mối.</p>" * 30}]},
        {"title": "Quy trình tiếp nhận hồ sơ", "slug": "quy-trinh", "summary": "Các bước.",
         "body": [{"type": "paragraph", "value": "<p>Tiếp nhận, chuyển, giải quyết, trả kết quả.</p>" * 30}]},
    ]}
SITE = {"guidance": [], "news": [], "faq": [], "courses": [MODULE]}


def module_build(tmp_path):
    """The home page and one published module with two lessons (`MODULE`), through the demo loader."""
    # Imported here: the demo loaders are being moved between apps, and only the tests that build a module need them.
    from content import services as content_services
    from content.models import CoursePage
    from org import demo

    demo.seed_site()
    path = tmp_path / "site.json"
    path.write_text(json.dumps(SITE, ensure_ascii=False), encoding="utf-8")
    content_services.demo_content_load(path=path)
    return CoursePage.objects.get(slug="co-che-mot-cua")
