"""The Content-Security-Policy of each response: settings.CONTENT_SECURITY_POLICY, loosened for the Wagtail admin."""
from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

ADMIN_PREFIX = "/admin/"
# What the Wagtail admin needs beyond the site's policy: it still has inline scripts, and its image choosers preview
# uploads from blob: addresses.
ADMIN_ADDITIONS = {"script-src": [UNSAFE_INLINE], "img-src": ["blob:"]}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin's additions under /admin/ (django-csp's documented way to vary the policy
    per request is extending `get_policy_parts`)."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(ADMIN_PREFIX):
            update = dict(parts.update or {})
            for directive, sources in ADMIN_ADDITIONS.items():
                update[directive] = [*update.get(directive, []), *sources]
            parts.update = update
        return parts
