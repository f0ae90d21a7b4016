from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from .selectors import search_pages


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    hits = search_pages(query) if query else []
    page = Paginator(hits, 20).get_page(request.GET.get("trang"))
    return render(request, "content/search.html", {"query": query, "site_query": query, "page_obj": page,
                                                   "total": len(hits)})


def set_language(request, code: str):
    """Switch the interface language with a plain link (no form, so cached pages carry no CSRF token)."""
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=settings.LANGUAGE_COOKIE_SECURE)
    return response
