"""The client's address, as the exam room's IP ranges, the sitting's event log and the audit trail record it."""
from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or, behind the reverse proxy (deploy/nginx), the header it sets. The header is read only when
    TRUSTED_CLIENT_IP_HEADER names it: a client reaching Django directly could otherwise claim any address."""
    header = settings.TRUSTED_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR")
