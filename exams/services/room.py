"""The exam room's rules, checked on every request of a sitting and not only at its start: the exam's allowed IP
ranges (kept per process, so the autosave pays no look-up), the access code per person with a limit on guesses, which
tab holds the sitting, and the room's event log for the trainers' monitor."""
from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import time

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Attempt, AttemptEvent, Exam
from .errors import AccessCodeNeeded, ExamRefused, IpRefused, Throttled


def ip_allowed(ranges: str, ip: str | None) -> bool:
    """Whether `ip` lies in one of the ranges (one address or CIDR per line); empty ranges allow any address."""
    networks = [line.strip() for line in (ranges or "").splitlines() if line.strip() and not line.strip().startswith("#")]
    if not networks:
        return True
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    for net in networks:
        try:
            if address in ipaddress.ip_network(net, strict=False):
                return True
        except ValueError:
            continue  # refused when the exam was saved; an old bad line never opens the room
    return False


def ip_refusal(ip: str | None) -> IpRefused:
    """The refusal for a request from outside the exam's ranges, naming the address the server saw."""
    return IpRefused(_("This exam can only be taken from the exam room's computers (your address is %(ip)s). Ask "
                       "the proctor.") % {"ip": ip or "?"})


# Exams that admit only some addresses, with their ranges: read at most every ROOM_RULES_TTL seconds per process, in one
# query for all exams. The autosave is the hottest request of an exam (bench/README.md): its statement is told which of
# them refuse this address and writes nothing for their sittings, so it pays no look-up of its own.
ROOM_RULES_TTL = 30.0
_ranged_exams: dict[str, object] = {"until": 0.0, "ranges": {}, "by_ip": {}}


def room_rules_forget() -> None:
    """Drop this process's copy of the exams' IP ranges (after an exam is saved, say): read again at the next save."""
    _ranged_exams["until"] = 0.0


def exams_refusing(ip: str | None) -> list[int]:
    """The exams whose IP ranges do not admit `ip` (worked out once per address while the copy lasts)."""
    now = time.monotonic()
    if _ranged_exams["until"] <= now:
        _ranged_exams["ranges"] = _ranges_by_exam()
        _ranged_exams["by_ip"] = {}
        _ranged_exams["until"] = now + ROOM_RULES_TTL
    by_ip = _ranged_exams["by_ip"]
    if ip not in by_ip:
        if len(by_ip) > 10_000:
            by_ip.clear()
        by_ip[ip] = [pk for pk, rules in _ranged_exams["ranges"].items()
                     if not all(ip_allowed(ranges, ip) for ranges in rules)]
    return by_ip[ip]


def _venue(rooms: list[str]) -> str | None:
    """The addresses of an exam's open session rooms together, when every one of them has some (one room without
    addresses: anywhere is a room, no rule)."""
    return "\n".join(rooms) if rooms and all(r.strip() for r in rooms) else None


def _open_rooms(**filters):
    from ..models import RoomShift

    return RoomShift.objects.filter(status=RoomShift.Status.OPEN, **filters)


def _ranges_by_exam() -> dict[int, list[str]]:
    """Per exam, the ranges an address must lie in: the exam's own, and for an exam running in a session's open
    rooms, those rooms' addresses together (a sitting begun in the room is not continued from outside the venue;
    the start checks the candidate's own room)."""
    rules: dict[int, list[str]] = {pk: [ranges] for pk, ranges in
                                   Exam.objects.exclude(allowed_ip_ranges="").values_list("pk", "allowed_ip_ranges")}
    rooms: dict[int, list[str]] = {}
    for exam_id, ranges in _open_rooms().values_list("shift__exam_id", "room__allowed_ip_ranges"):
        rooms.setdefault(exam_id, []).append(ranges)
    for exam_id, every in rooms.items():
        if (venue := _venue(every)) is not None:
            rules.setdefault(exam_id, []).append(venue)
    return rules


def sitting_guard(*, attempt: Attempt, ip: str | None) -> None:
    """The rules every request of an open sitting obeys, not only its start: the exam's allowed IP ranges, and a
    session's open rooms' addresses, read afresh (the autosave's statement uses this process's copy, and asks here
    before it refuses). Raises IpRefused."""
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return
    venue = _venue(list(_open_rooms(shift__exam_id=attempt.exam_id).values_list("room__allowed_ip_ranges",
                                                                                flat=True)))
    if not ip_allowed(attempt.exam.allowed_ip_ranges, ip) or (venue is not None and not ip_allowed(venue, ip)):
        raise ip_refusal(ip)


ACCESS_CODE_TRIES = 5
ACCESS_CODE_WINDOW = 300  # seconds


def access_code_check(*, exam: Exam, official, code: str, resuming: bool = False) -> None:
    """Check an exam's access code, at most ACCESS_CODE_TRIES wrong guesses per person and exam in
    ACCESS_CODE_WINDOW seconds (a code is short: it must not be guessed by trying). Raises ExamRefused or Throttled."""
    from common.http import failures_count, failure_record

    if not exam.access_code:
        return
    if not code.strip():  # nothing typed is not a wrong guess: ask for the code, count nothing
        if resuming:
            raise AccessCodeNeeded(_("Enter the exam's access code to continue this sitting here. Ask the proctor "
                                     "for it."))
        raise AccessCodeNeeded(_("This exam needs its access code. Ask the proctor for it."))
    key = f"exam-code:{exam.pk}:{official.pk}"
    if failures_count(key) >= ACCESS_CODE_TRIES:
        raise Throttled(_("The access code was entered wrongly too many times. Wait %(minutes)s minutes or ask the "
                          "proctor.") % {"minutes": ACCESS_CODE_WINDOW // 60}, retry_after=ACCESS_CODE_WINDOW)
    if not secrets.compare_digest(code.strip().encode(), exam.access_code.encode()):
        failure_record(key, period=ACCESS_CODE_WINDOW)
        raise ExamRefused(_("The access code is not right. Ask the proctor for it."))


def attempt_claim(*, attempt: Attempt, client: str, ip: str | None = None, now: dt.datetime | None = None) -> None:
    """The tab `client` now holds the sitting (opening it on another device takes it over)."""
    if client and attempt.active_client != client:
        Attempt.objects.filter(pk=attempt.pk).update(active_client=client)
        AttemptEvent.objects.create(attempt=attempt, kind="takeover" if attempt.active_client else "open",
                                    at=now or timezone.now(), ip=ip, detail={"client": client})
        attempt.active_client = client


EVENTS_PER_MINUTE = 60


def attempt_log(*, attempt: Attempt, kind: str, ip: str | None = None, detail: dict | None = None) -> None:
    """Record a focus loss or reconnect reported by the exam room, for the trainers' monitor; at most
    EVENTS_PER_MINUTE per sitting (a script must not flood the audit trail). Raises Throttled."""
    from common.http import rate_exceeded

    if rate_exceeded(f"exam-events:{attempt.pk}", limit=EVENTS_PER_MINUTE, period=60):
        raise Throttled(_("Too many events from this exam room; they are recorded again in a minute."),
                        retry_after=60)
    AttemptEvent.objects.create(attempt=attempt, kind=kind[:24], at=timezone.now(), ip=ip, detail=detail or {})

