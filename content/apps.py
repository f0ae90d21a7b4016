from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Content")

    def ready(self):
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

        from . import cache, search

        for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
            signal.connect(cache.invalidate, dispatch_uid=f"content-cache-{signal}")
        page_published.connect(search.on_published, dispatch_uid="content-search-published")
        page_unpublished.connect(search.on_unpublished, dispatch_uid="content-search-unpublished")
        post_delete.connect(search.on_deleted, sender=Page, dispatch_uid="content-search-deleted")
        post_delete.connect(cache.invalidate, sender=Page, dispatch_uid="content-cache-deleted")
