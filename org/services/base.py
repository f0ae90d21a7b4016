"""What the org services share: today's date in the site's zone, the roster-changed signal sent after the commit,
and the tally an import returns."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..models import Official
from ..signals import roster_changed


def today() -> dt.date:
    return timezone.localdate()


_batch: ContextVar[set | None] = ContextVar("roster_changes_batch", default=None)


def roster_changed_on_commit(official_ids) -> None:
    """Tell listeners (the LMS re-assigns requirements) which officials changed, once the change is committed.
    Inside `roster_changes_batched()` the ids are gathered and told once, at its end."""
    ids = sorted(set(official_ids))
    batch = _batch.get()
    if batch is not None:
        batch.update(ids)
    elif ids:
        transaction.on_commit(lambda: roster_changed.send(sender=Official, official_ids=ids))


@contextmanager
def roster_changes_batched():
    """Gather the roster changes of a large operation (a reorganisation) into one message to the listeners."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set(set())
    try:
        yield
        ids = _batch.get()
    finally:
        _batch.reset(token)
    roster_changed_on_commit(ids)


@dataclass
class ImportResult:
    """What a roster or unit-tree import did, row by row."""

    created: int = 0
    updated: int = 0
    transferred: int = 0
    unchanged: int = 0
    rows: int = 0
    changes: list = field(default_factory=list)  # {row, code, field, old, new} for each field an import changes

    def as_dict(self) -> dict:
        return self.__dict__.copy()
