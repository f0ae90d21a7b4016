"""Signing in with a password: which account an identifier names, and the limits on guessing, shaped for exam rooms.

One identifier, one account. A person may type their username, e-mail or employee code, in any case, with spaces
around it; `login_accounts` turns each into the same account, and both the password check
(`org.auth_backends.AccountBackend`) and the limits below use it, so a person has one set of tries, not one per
spelling.

The limits (ACCOUNT_RATE_LIMITS in config/settings.py; allauth's cache counters do the counting) follow what mature
products do against guessing without handing attackers a lock-out button: Microsoft Entra's smart lockout counts
familiar and unfamiliar places apart, OWASP's "device cookies" let a browser that has signed in to an account before
keep its own count, and django-axes locks a (username, address) pair rather than the username. Employee codes are
predictable, so a limit counted per account alone lets anyone lock a candidate out on exam day with five wrong
passwords from home. Here:

- Per account and place (the `key` rate of `login_failed`, 5 failures in 5 minutes): the place is this browser when
  it holds our device cookie for the account (it signed in to it before), otherwise the client's address. Guesses
  from elsewhere fill the guesser's count, never the candidate's: from their exam room or their usual browser the
  right password still works at once.
- Per account, from unfamiliar places only (`login_failed_account`, 30 failures an hour): the ceiling on a guesser
  who changes addresses. When it is reached, addresses outside the exam rooms without the device cookie are refused
  for that account, but the exam room and the person's usual browser are not, and they do not count towards it.
- Per address, open internet: `login_ip` (every password attempt, 30 a minute) and the `ip` rate of `login_failed`
  (failures, 10 a minute), against spraying many accounts from one address.
- Exam rooms: a whole room signs in through one NAT address when a session starts, so addresses in EXAM_ROOM_NETWORKS
  or in the allowed IP ranges of exams open now (or within the hour: candidates sign in before the doors open) are
  not limited per address like the open internet; `login_failed_exam_room` keeps the per-account-and-place rate
  there (and may add a per-address ceiling, off by default: one counter a whole room waits on at once).

Failures are counted before the password is checked and given back when it is right (allauth's way): checking and
counting are one step, so parallel guesses cannot overrun a limit. A refused attempt runs no hasher and counts no
failure.

What remains: someone inside the candidate's own exam room (behind the same NAT address, without the candidate's
browser) shares the candidate's per-place count. Exam rooms are supervised; the count clears in five minutes.
"""
from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass, field
from functools import lru_cache

from allauth.account.internal.userkit import filter_users_by_email, get_user_by_username
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.module_loading import import_string

from common.http import client_ip
from .models import Official

APP = "allauth.account"

# --- Exam-room networks ------------------------------------------------------------------------------------------

EXAM_ROOM_NETWORKS_CACHE_KEY = "org:signin:exam-room-networks"
# Exams open and close on the minute; a minute's delay in noticing one is well inside the hour before it opens.
EXAM_ROOM_NETWORKS_SECONDS = 60
# An exam's allowed range wider than a LAN (say 0.0.0.0/0 typed for "anywhere", or an internet provider's pool) is
# not an exam room: it still decides who may sit the exam, but it does not lift the per-address sign-in limits.
# Wider networks can still be named in EXAM_ROOM_NETWORKS on purpose.
EXAM_ROOM_WIDEST_PREFIX = {4: 24, 6: 64}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _source_networks() -> list[str]:
    texts: list[str] = []
    for path in settings.EXAM_ROOM_NETWORK_SOURCES:
        texts.extend(import_string(path)())
    return sorted(set(texts))


@lru_cache(maxsize=16)
def _parse(configured: tuple[str, ...], from_exams: tuple[str, ...]) -> tuple[Network, ...]:
    networks = [ipaddress.ip_network(text, strict=False) for text in configured]
    for text in from_exams:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue  # refused when the exam was saved; an old bad line opens nothing
        if network.prefixlen >= EXAM_ROOM_WIDEST_PREFIX[network.version]:
            networks.append(network)
    return tuple(networks)


def exam_room_networks() -> tuple[Network, ...]:
    """EXAM_ROOM_NETWORKS plus the exam rooms of exams open now (EXAM_ROOM_NETWORK_SOURCES), read once a minute."""
    from_exams = cache.get(EXAM_ROOM_NETWORKS_CACHE_KEY)
    if from_exams is None:
        from_exams = _source_networks()
        cache.set(EXAM_ROOM_NETWORKS_CACHE_KEY, from_exams, EXAM_ROOM_NETWORKS_SECONDS)
    return _parse(tuple(settings.EXAM_ROOM_NETWORKS), tuple(from_exams))


def is_exam_room(ip: str | None) -> bool:
    """Whether the address lies in an exam room's network."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    return any(address in network for network in exam_room_networks())


# --- Which account an identifier names ---------------------------------------------------------------------------

def login_accounts(login: str, *, request=None) -> list:
    """The accounts a typed username, e-mail or employee code names (any case, spaces around ignored), in that order
    of preference: one for a person, none for an unknown identifier. Kept on the request, which asks twice."""
    login = (login or "").strip()
    if not login:
        return []
    memo = getattr(request, "_org_login_accounts", None) if request is not None else None
    if memo is not None and login in memo:
        return memo[login]
    found = [get_user_by_username(login)]
    if "@" in login:
        found.extend(filter_users_by_email(login, prefer_verified=True, for_login=True))
    found.extend(o.user for o in Official.objects.select_related("user").filter(employee_code__iexact=login))
    accounts = list({user.pk: user for user in found if user is not None}.values())
    if request is not None:
        if memo is None:
            memo = request._org_login_accounts = {}
        memo[login] = accounts
    return accounts


def _account_key(login: str, request) -> str:
    accounts = login_accounts(login, request=request)
    if accounts:
        return f"user:{accounts[0].pk}"
    # Nobody: the typed text, folded as the lookup folds it, so that unknown identifiers are limited alike.
    return "login:" + (login or "").strip().casefold()


# --- The device cookie -------------------------------------------------------------------------------------------

DEVICE_COOKIE = "cchc_device"
DEVICE_COOKIE_SALT = "org.signin.device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600
# A shared office PC remembers the last few people who signed in on it.
DEVICE_ACCOUNTS_KEPT = 10


def _device(request) -> tuple[str | None, list[int]]:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None, []
    try:
        data = signing.loads(raw, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
        return str(data["d"]), [int(pk) for pk in data["u"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, []


def device_remember(request, response, user) -> None:
    """Mark this browser as one the user signs in from (after a complete sign-in, second factor included)."""
    device, accounts = _device(request)
    accounts = [user.pk] + [pk for pk in accounts if pk != user.pk][:DEVICE_ACCOUNTS_KEPT - 1]
    value = signing.dumps({"d": device or secrets.token_urlsafe(16), "u": accounts}, salt=DEVICE_COOKIE_SALT)
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)


# --- The limits --------------------------------------------------------------------------------------------------

class TooManyAttempts(Exception):
    """This address has made too many password attempts (the open internet's per-address limit): a 429."""


class TooManyFailures(Exception):
    """Too many wrong passwords for this account from this place, or from this address."""


@dataclass
class Charge:
    """The failure counts one attempt took; `rollback()` gives them back once the password proves right."""

    usages: list = field(default_factory=list)

    def rollback(self) -> None:
        for usage in self.usages:
            usage.rollback()


@dataclass(frozen=True)
class Place:
    account: str  # "user:<pk>", or the folded text typed when it names nobody
    source: str  # "device:<id>" for a browser that signed in to this account before, else "ip:<address>"
    exam_room: bool

    @property
    def familiar(self) -> bool:
        return self.exam_room or self.source.startswith("device:")


def place_of(request, *, login: str) -> Place:
    """Who is being signed in to, and from where, as the limits count it."""
    account = _account_key(login, request)
    device, accounts = _device(request)
    if device and account.startswith("user:") and int(account[5:]) in accounts:
        source = f"device:{device}"
    else:
        source = f"ip:{ratelimit.get_ip(request)}"
    return Place(account=account, source=source, exam_room=is_exam_room(client_ip(request)))


def signin_attempt_charge(request, *, login: str) -> Charge:
    """Count a password attempt against every limit that applies to it, before the password is checked. Raises
    TooManyAttempts or TooManyFailures (counting nothing) when one is spent."""
    place = place_of(request, login=login)
    if not place.exam_room and not ratelimit.consume(request, app=APP, action="login_ip"):
        raise TooManyAttempts
    failures = [("login_failed_exam_room" if place.exam_room else "login_failed", f"{place.account}|{place.source}")]
    if not place.familiar:
        failures.append(("login_failed_account", place.account))
    charge = Charge()
    for action, key in failures:
        usage = ratelimit.consume(request, app=APP, action=action, key=key)
        if not usage:
            charge.rollback()
            raise TooManyFailures
        charge.usages.append(usage)
    return charge


def signin_failures_forget(request, *, login: str) -> None:
    """Forget an account's failed sign-ins after its password was reset (by the owner of its e-mail)."""
    place = place_of(request, login=login)
    for action in ("login_failed", "login_failed_exam_room"):
        ratelimit.clear(request, app=APP, action=action, key=f"{place.account}|{place.source}")
    ratelimit.clear(request, app=APP, action="login_failed_account", key=place.account)
