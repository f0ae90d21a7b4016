"""The content app's part of the demo (`manage.py seed_demo`, in the demo app): the site's home page, then the
guidance library, course catalogue, news and FAQ from demo_content.json."""
from django.conf import settings

from . import services


def seed_site() -> None:
    """A Wagtail home page at the site root, replacing Wagtail's placeholder."""
    from wagtail.models import Locale, Page, Site

    from content.models import HomePage

    if HomePage.objects.exists():
        return
    # Wagtail's migrations make the locale and the tree root; a flushed test database may have lost them.
    if not Locale.objects.exists():
        Locale.objects.create(language_code="vi")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", content_type=None))
    home = root.add_child(instance=HomePage(
        title="Đào tạo, sát hạch cán bộ về cải cách hành chính",
        slug="trang-chu",
        intro="Cổng học tập và sát hạch trực tuyến dành cho cán bộ, công chức, viên chức tỉnh Đồng Nai, "
              "thực hiện Kế hoạch cải cách hành chính năm 2020 (Kế hoạch số 15122/KH-UBND).",
    ))
    site = Site.objects.filter(is_default_site=True).first()
    old_root = site.root_page if site else None
    if site:
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()
    else:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name=settings.WAGTAIL_SITE_NAME)
    if old_root is not None and old_root.pk != home.pk and old_root.depth > 1 and not old_root.get_children().exists():
        old_root.delete()


def seed_content() -> dict:
    """The demo pages under the home page (nothing if they exist); returns counts per kind."""
    counts = services.demo_content_load()
    services.content_permissions_setup()
    return counts
