"""What the org services share: today's date in the site's zone, the roster-changed signal sent after the commit,
and the tally an import returns."""
from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..models import Official
from ..signals import roster_changed


def today() -> dt.date:
    return timezone.localdate()


_gathered = threading.local()


def roster_changed_on_commit(official_ids) -> None:
    """Tell listeners (the LMS re-assigns requirements) which officials changed, once the change is committed
    (inside `roster_changes_gathered`, once for the whole block)."""
    ids = set(official_ids)
    if not ids:
        return
    pending = getattr(_gathered, "ids", None)
    if pending is not None:
        pending |= ids
        return
    ids = sorted(ids)
    transaction.on_commit(lambda: roster_changed.send(sender=Official, official_ids=ids))


@contextmanager
def roster_changes_gathered():
    """Within the block, roster changes are gathered and told in one signal when the transaction commits: a
    reorganisation that moves hundreds of units re-assigns once, not once per unit."""
    if getattr(_gathered, "ids", None) is not None:  # already gathering
        yield
        return
    _gathered.ids = set()
    try:
        yield
        ids = _gathered.ids
    finally:
        _gathered.ids = None
    roster_changed_on_commit(ids)


@dataclass
class ImportResult:
    """What a roster or unit-tree import did, row by row."""

    created: int = 0
    updated: int = 0
    transferred: int = 0
    unchanged: int = 0
    rows: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()
