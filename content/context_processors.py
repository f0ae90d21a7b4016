from django.utils.functional import SimpleLazyObject


def _nav():
    from wagtail.models import Page

    from .models import CourseIndexPage, FAQPage, GuidanceIndexPage, NewsIndexPage

    order = [GuidanceIndexPage, CourseIndexPage, NewsIndexPage, FAQPage]
    pages = Page.objects.live().public().type(*order).specific().only("title", "url_path")
    by_type = {type(p): p for p in pages}
    return [{"title": by_type[m].title, "url": by_type[m].url} for m in order if m in by_type]


def site_nav(request):
    """Links to the library, catalogue, news and FAQ for the header, looked up only if a template uses them."""
    return {"site_nav": SimpleLazyObject(_nav)}
