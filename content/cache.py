"""Whole-page cache for anonymous readers, invalidated by any publish.

Rather than tracking which cached pages show which content (a lesson appears in its course, the catalogue, the
home page and search), every publish, unpublish, move or delete bumps one version number that is part of every
key: stale entries are never read again and expire on their own. Signed-in users are never served from here.
"""
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

VERSION_KEY = "content:pages:version"
TIMEOUT = 60 * 60


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return version


def invalidate(**kwargs) -> None:
    """Signal receiver: make every cached page stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key was evicted or never set
        cache.set(VERSION_KEY, 2, timeout=None)


def _cacheable(request) -> bool:
    user = getattr(request, "user", None)
    if request.method != "GET" or (user and user.is_authenticated) or getattr(request, "is_preview", False):
        return False
    # A pending message ("you have signed out") is for this visitor only: never cache it, never hide it.
    return not len(messages.get_messages(request))


def serve_cached(page, request, render) -> HttpResponse:
    """Serve `page` from the cache for anonymous GETs, else call `render` and keep the result."""
    if not _cacheable(request):
        return render()
    key = f"content:page:{current_version()}:{translation.get_language()}:{request.get_full_path()}"
    hit = cache.get(key)
    if hit is not None:
        response = HttpResponse(hit["content"], content_type=hit["content_type"])
        response["X-Page-Cache"] = "hit"
        return response
    response = render()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if response.status_code == 200 and not response.cookies:
        cache.set(key, {"content": response.content, "content_type": response["Content-Type"]}, TIMEOUT)
        response["X-Page-Cache"] = "miss"
    return response
