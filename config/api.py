"""The JSON API. Every answer is JSON with a Vietnamese `detail` and a stable `code`, errors included (a 500 too): the
exam room and other clients act on the status and the code, and show the detail as it is."""
import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from exams.api import router as exams_router
from lms.api import router as lms_router
from org.api import router as org_router
from reports.api import router as reports_router

logger = logging.getLogger(__name__)


def _signed_in(view):
    """The schema, /api/openapi.json, is for signed-in clients; its documentation page for staff (config/views.py)."""
    def schema(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _signed_out(request, None)
        return view(request, *args, **kwargs)
    return schema


api = NinjaAPI(
    title="CCHC Đồng Nai API",
    version="1",
    description="Đào tạo, sát hạch cán bộ về cải cách hành chính — units, roster, imports.",
    auth=django_auth,
    urls_namespace="api",
    docs_url=None,  # /api/docs is config.views.api_docs: staff only, Swagger UI from the platform's own files
    docs_decorator=_signed_in,
)
api.add_router("/", org_router)
api.add_router("/", exams_router)
api.add_router("/", lms_router)
api.add_router("/", reports_router)

# The codes a client may act on, by status: 401 signed_out, 403 csrf | forbidden, 404 not_found, 409 refused,
# 410 closed, 413 too_large, 422 invalid, 423 taken_over, 429 throttled, 5xx server_error.
CODES = {400: "bad_request", 401: "signed_out", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "refused", 410: "closed", 413: "too_large", 422: "invalid", 423: "taken_over", 429: "throttled"}


def error(request, status: int, detail: str, code: str | None = None, **extra):
    """A JSON error as every API client of this platform reads it."""
    return api.create_response(request, {"detail": detail, "code": code or CODES.get(status, "error"), **extra},
                               status=status)


@api.exception_handler(AuthenticationError)
def _signed_out(request, exc):
    return error(request, 401, _("Your session has ended or you are not signed in. Sign in again to continue; "
                                 "nothing you entered is lost."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    if exc.status_code == 403 and str(exc) == "CSRF check Failed":  # ninja's own words for a missing or stale token
        return error(request, 403, _("The page's security token is out of date (you may have signed in again in "
                                     "another window). Reload the page; nothing you entered is lost."), code="csrf")
    response = error(request, exc.status_code, str(exc), code=getattr(exc, "code", None))
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    # Ninja's English list of pydantic errors stays under `errors` for developers; people read `detail`.
    fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc", ("?",))[0])
                     for e in exc.errors})
    return error(request, 422, _("The request is not valid (%(fields)s). Nothing was changed.")
                 % {"fields": ", ".join(fields)}, errors=exc.errors)


@api.exception_handler(PermissionError)
def _forbidden(request, exc):
    return error(request, 403, _("You do not have permission to do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    # Not ninja's English "Not Found": the same words whether the object is missing or someone else's.
    return error(request, 404, _("This item does not exist, or it is outside what your account may see."))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return error(request, 413, _("The request is too large. Nothing was changed."))


@api.exception_handler(DataError)
def _data_error(request, exc):
    # The database could not take a value as given (a NUL character, a number beyond a column's range): the
    # request's fault, not the server's.
    logger.warning("API data refused by the database on %s %s: %s", request.method, request.path, exc)
    return error(request, 422, _("The request contains a value that cannot be stored or searched (for example a "
                                 "null character or a number that is too large). Nothing was changed."))


@api.exception_handler(Exception)
def _server_error(request, exc):
    # Never Django's HTML error page for an API call: the exam room must be able to read that it may retry.
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error(request, 500, _("The server could not complete this request. Please try again in a moment; "
                                 "nothing you entered is lost."), code="server_error")
