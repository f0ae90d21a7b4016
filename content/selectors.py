"""Reads for the public site: the guidance library's filters and search results with their pages."""
from __future__ import annotations

from django.db.models.functions import ExtractYear
from wagtail.models import Page

from . import search as search_index


def guidance_filter(*, index, field: str = "", body: str = "", year: str = "") -> dict:
    """Published guidance under a library page, filtered by field tag (slug), issuing body and year, with the
    choices each filter offers."""
    from .models import GuidancePage

    base = GuidancePage.objects.child_of(index).live().public()
    items = base
    if field:
        items = items.filter(fields__slug=field)
    if body:
        items = items.filter(issuing_body=body)
    if year.isdigit():
        items = items.filter(issued_on__year=int(year))
    from .models import GuidanceFieldTag

    tags = (GuidanceFieldTag.objects.filter(content_object__in=base).values_list("tag__slug", "tag__name")
            .distinct().order_by("tag__name"))
    return {
        "items": items.order_by("-issued_on", "title").distinct(),
        "field_choices": list(tags),
        "body_choices": list(base.exclude(issuing_body="").values_list("issuing_body", flat=True)
                             .distinct().order_by("issuing_body")),
        "year_choices": sorted({y for y in base.annotate(y=ExtractYear("issued_on")).values_list("y", flat=True) if y},
                               reverse=True),
        "selected": {"field": field, "body": body, "year": year},
    }


def search_pages(query: str, *, user=None) -> list[search_index.Hit]:
    """Search hits with their URLs, limited to pages the visitor may see (public, live)."""
    hits = search_index.search(query)
    pages = {p.pk: p for p in Page.objects.live().public().filter(pk__in=[h.page_id for h in hits])}
    visible = []
    for hit in hits:
        page = pages.get(hit.page_id)
        if page is not None:
            hit.url = page.url
            visible.append(hit)
    return visible
