"""The Content-Security-Policy of each response: settings.CONTENT_SECURITY_POLICY, loosened for the Wagtail admin.
With DEBUG on, the site's own page for an address that does not exist."""
import logging
from dataclasses import asdict

from django.conf import settings
from django.core.signals import setting_changed
from django.http import Http404
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found
from csp.constants import HEADER, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy

ADMIN_PREFIX = "/admin/"
# What the Wagtail admin needs beyond the site's policy: it still has inline scripts, and its image choosers preview
# uploads from blob: addresses.
ADMIN_ADDITIONS = {"script-src": [UNSAFE_INLINE], "img-src": ["blob:"]}
# Set by django-csp's view decorators: such a response has a policy of its own.
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
                 "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")
# The header of every response that varies nothing (no nonce, no decorator), for the site and for the admin: built once
# per process instead of on every request (about 0.1 ms each, a tenth of an autosave's work; bench/README.md).
_built: dict[bool, str] = {}


def _forget(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


setting_changed.connect(_forget, dispatch_uid="cchc-csp-built")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin's additions under /admin/ (django-csp's documented way to vary the policy
    per request is extending `get_policy_parts`), and the usual header built once."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(ADMIN_PREFIX):
            update = dict(parts.update or {})
            for directive, sources in ADMIN_ADDITIONS.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts

    def process_response(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        if (getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in _PER_RESPONSE)
                or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None) or HEADER in response
                or policy.get("EXCLUDE_URL_PREFIXES") or settings.DEBUG):
            return super().process_response(request, response)
        admin = request.path_info.startswith(ADMIN_PREFIX)
        header = _built.get(admin)
        if header is None:
            header = _built[admin] = build_policy(**asdict(self.get_policy_parts(request, response)))
        if header:
            response[HEADER] = header
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # as django-csp: too late for a nonce
        return response


class SiteNotFoundPageMiddleware:
    """With DEBUG on (`make run`), an address that does not exist shows the site's own Vietnamese page, as it does in
    production, not Django's English technical 404. What Django would have said goes to the server's log;
    DEBUG_TECHNICAL_404=true brings its page back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._active():
            # An address no URL pattern matches never reaches a view (nor process_exception). CommonMiddleware still
            # redirects it to the address with a slash when that one exists.
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exception:
                return self._not_found(request, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if self._active() and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and not settings.DEBUG_TECHNICAL_404

    @staticmethod
    def _not_found(request, exception):
        detail = "" if isinstance(exception, Resolver404) else str(exception)  # a Resolver404's is every pattern
        logging.getLogger("django.request").info("Not found: %s %s", request.path, detail)
        return page_not_found(request, exception)
