"""View helpers that know no domain: a guard built from a predicate on the user, an integer read from the query
string, and a file sent as a download. Domain guards (officials, trainers) are built on these in org.guards."""
import re
from functools import wraps
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from .text import fold


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
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response


def ascii_file_name(filename: str) -> str:
    """`filename` for clients that read only plain ASCII: "Báo cáo quý I - Sở Nội vụ.pdf" ->
    "bao-cao-quy-i-so-noi-vu.pdf"."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_ext = re.sub(r"[^A-Za-z0-9]", "", ext)
    return (slugify(fold(stem)) or "tep") + (f".{ascii_ext}" if ascii_ext else "")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition header for `filename`: a plain ASCII name as it is; any other name both folded to
    ASCII (filename=, for old clients) and exact in UTF-8 (filename*=, RFC 5987), which browsers prefer."""
    if filename.isascii():
        return content_disposition_header(not inline, filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_file_name(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"
