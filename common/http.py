"""Request helpers every app uses: the client's address (as the exam room's IP ranges, the sitting's event log and
the audit trail record it) and small counters in the cache for throttling."""
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def trusted_header_value(request) -> str | None:
    """The raw value of the proxy's client-address header, when one is configured and sent."""
    header = settings.TRUSTED_CLIENT_IP_HEADER
    if not header:
        return None
    return request.META.get("HTTP_" + header.upper().replace("-", "_"), "").strip() or None


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or, behind the reverse proxy (deploy/nginx), the header it sets. The header is read only when
    TRUSTED_CLIENT_IP_HEADER names it: a client reaching Django directly could otherwise claim any address. A value
    that is not an address is never returned (org.middleware refuses such a request before any view runs)."""
    value = trusted_header_value(request)
    if value:
        return _valid_ip(value)
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


def rate_exceeded(key: str, *, limit: int, period: int) -> bool:
    """Count one hit on `key` in the current window of `period` seconds; whether it is over `limit`."""
    window = f"rate:{key}:{int(time.time() // period)}"
    if cache.add(window, 1, timeout=period + 1):
        return 1 > limit
    try:
        return cache.incr(window) > limit
    except ValueError:  # the window expired between the two calls
        cache.set(window, 1, timeout=period + 1)
        return 1 > limit


def failures_count(key: str) -> int:
    """How many failures `failure_record` has counted on `key` in its current period."""
    return cache.get(f"failures:{key}", 0)


def failure_record(key: str, *, period: int) -> int:
    """Count one failure on `key`; the count is forgotten `period` seconds after the first one."""
    name = f"failures:{key}"
    if cache.add(name, 1, timeout=period):
        return 1
    try:
        return cache.incr(name)
    except ValueError:
        cache.set(name, 1, timeout=period)
        return 1
