"""Pure rules of the LMS: dates in, dates or labels out; no database. The stored `Assignment.status` and the
bulk refresh in `lms.services.assignment_status_refresh` follow `assignment_status` exactly (tested together)."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Iterable

NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE, EXPIRING = "not_started", "in_progress", "completed", "overdue", "expiring"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clipped to the month's end (31/1 + 1 month = 29/2 in a leap year)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(completed_on: dt.date, validity_months: int | None) -> dt.date | None:
    """The last day a completion counts, or None when it never expires."""
    return add_months(completed_on, validity_months) if validity_months else None


def due_for(*, due_date: dt.date | None, assigned_on: dt.date, requirement_created_on: dt.date,
            newcomer_days: int) -> dt.date | None:
    """The due date of one assignment: the requirement's, but officials who join the audience after the
    requirement was set get at least `newcomer_days` from the day they joined."""
    if due_date is None:
        return None
    if assigned_on <= requirement_created_on:
        return due_date
    return max(due_date, assigned_on + dt.timedelta(days=newcomer_days))


def assignment_status(*, today: dt.date, due_at: dt.date | None, started: bool, completed: bool,
                      expires_at: dt.date | None, renewal_window_days: int) -> str:
    """Not started / in progress / completed / expiring / overdue, from the dates alone. An expired completion
    is overdue: its renewal was due on the expiry date."""
    if completed:
        if expires_at is None or expires_at > today + dt.timedelta(days=renewal_window_days):
            return COMPLETED
        if expires_at > today:
            return EXPIRING
        return OVERDUE
    if due_at is not None and due_at < today:
        return OVERDUE
    return IN_PROGRESS if started else NOT_STARTED


def renewal_not_before(*, last_expires_at: dt.date | None, has_completion: bool, renewal_window_days: int
                       ) -> dt.date | None | bool:
    """The earliest date from which new evidence counts towards a renewal. None: no completion yet, anything
    counts. False: the completion never expires, nothing to renew."""
    if not has_completion:
        return None
    if last_expires_at is None:
        return False
    return last_expires_at - dt.timedelta(days=renewal_window_days)


@dataclass(frozen=True)
class Parts:
    """When each part of a requirement was last satisfied (None: not yet, or not required)."""

    modules: dt.datetime | None = None
    exam: dt.datetime | None = None
    attendance: dt.datetime | None = None


def completed_at(*, needs_modules: bool, needs_exam: bool, needs_attendance: bool, parts: Parts,
                 not_before: dt.date | None) -> dt.datetime | None:
    """When the requirement was satisfied: the latest of its required parts, each of which must be done (and,
    for a renewal, done again on or after `not_before`). None when it is not satisfied."""
    needed = [p for need, p in ((needs_modules, parts.modules), (needs_exam, parts.exam),
                                (needs_attendance, parts.attendance)) if need]
    if not needed or any(p is None for p in needed):
        return None
    if not_before is not None and any(p.date() < not_before for p in needed):
        return None
    return max(needed)


def reminder_threshold(*, days_left: int, thresholds: Iterable[int]) -> int | None:
    """Which "n days before" reminder is due now: the smallest threshold that `days_left` has reached, so a task
    that missed a day sends one reminder, not two."""
    reached = [t for t in thresholds if 0 <= days_left <= t]
    return min(reached) if reached else None
