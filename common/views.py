"""View helpers that know no domain: a guard built from a predicate on the user, an integer read from the query
string, and a file sent as a download. Domain guards (officials, trainers) are built on these in org.guards."""
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import content_disposition_header


def require_user(predicate, message):
    """A view decorator: when `predicate(request.user)` is false the view is refused with 403 and `message` (lazy
    text, translated when the page shows it). Place it below @login_required, so that someone not signed in is sent
    to sign in first, and below the method checks (@require_POST…), which answer first."""
    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)
        return guarded
    return decorator


def int_param(params, name: str) -> int | None:
    """`params[name]` (a QueryDict, or any mapping of strings) as a whole number, or None when it is absent or not
    plain digits."""
    value = params.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


def download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    """A file for the browser to save (or, `inline`, to show), under `filename` (any characters: the header is
    encoded as RFC 6266 says)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
