import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.ratelimit import respond_429
from django.core.exceptions import PermissionDenied

from . import signin
from common.http import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from the roster, so nobody signs themselves up. Password attempts are limited per account and
    place, with exam rooms spared the per-address limits (`org.signin`)."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request) -> str:
        # The address the exam room's IP ranges and the audit trail see, so that allauth's limits count the same one.
        try:
            return str(ipaddress.ip_address((client_ip(request) or "").strip()))
        except ValueError:
            raise PermissionDenied("Unable to determine client IP address") from None

    def pre_authenticate(self, request, **credentials) -> None:
        login = credentials.get("username") or credentials.get("email") or ""
        try:
            # allauth's authenticate() gives this charge back when the password is right.
            self._login_failed_rl_usage = signin.signin_attempt_charge(request, login=login)
        except signin.TooManyAttempts:
            raise ImmediateHttpResponse(respond_429(request)) from None
        except signin.TooManyFailures:
            raise self.validation_error("too_many_login_attempts") from None

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if response is not None:
            signin.device_remember(request, response, user)
        return response

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # After a password reset: allauth forgets the failures counted under the e-mail; ours are under the account.
        signin.signin_failures_forget(request, login=credentials.get("email") or credentials.get("username") or "")
