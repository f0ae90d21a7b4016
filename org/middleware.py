import time

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import roles

# Paths a staff user without MFA may still reach: the account pages (to set MFA up), static files, logout.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/favicon")


class StaffMFARequiredMiddleware:
    """When REQUIRE_STAFF_MFA is on, trainers, personnel officers and administrators must activate TOTP
    before they can use anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_STAFF_MFA and self._needs_mfa(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor authentication must be set up for this account.")},
                                    status=403)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    # Whether the user holds a staff role costs nothing: the group names come with the cached user
    # (org.auth_backends). Only a staff user's passed check (a query of their authenticators) is remembered in the
    # session for a few minutes, so that their requests do not repeat it. An official's requests never write the
    # session for this: a shift's start is often a candidate's first request in minutes (bench/README.md, issue 16).
    OK_SECONDS = 300
    _SESSION_KEY = "_mfa_ok_until"

    @classmethod
    def _needs_mfa(cls, request) -> bool:
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated or request.path.startswith(_ALLOWED_PREFIXES):
            return False
        if not roles.is_staff_role(user):
            return False
        session = getattr(request, "session", None)
        now = time.time()
        remembered = session.get(cls._SESSION_KEY) if session is not None else None
        if remembered and remembered[0] == user.pk and remembered[1] > now:
            return False
        from allauth.mfa.models import Authenticator

        needs = not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if not needs and session is not None:
            session[cls._SESSION_KEY] = [user.pk, now + cls.OK_SECONDS]
        return needs


class VietnameseFirstMiddleware:
    """The interface is Vietnamese unless the person chose English with the language link (a cookie). A browser
    or phone set to English does not switch it: officials read Vietnamese, whatever their device says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestGuardMiddleware:
    """Requests refused before any view runs (400), with a message in Vietnamese (JSON under /api/):
    - behind the proxy, a client address in TRUSTED_CLIENT_IP_HEADER that is not an address: the request did not come
      through the proxy as configured, and views record and check that address;
    - a NUL character in the address or the query string: never text anyone typed, and PostgreSQL can neither compare
      nor store it (form fields refuse it themselves with Django's ProhibitNullCharactersValidator; the API checks JSON
      bodies). One middleware for both: each layer costs every request, the autosave included (bench/README.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from common.http import client_ip, trusted_header_value

        message = None
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "").lower().replace("%2500", ""):
            message = _("The address contains a character that is not text (a null character). The request was "
                        "refused.")
        elif trusted_header_value(request) and client_ip(request) is None:
            message = _("The client address sent by the proxy is not valid. The request was refused.")
        if message is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "bad_request"}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
