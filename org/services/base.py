"""What the org services share: today's date in the site's zone, the roster-changed signal sent after the commit,
and the tally an import returns."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..models import Official
from ..signals import roster_changed


def today() -> dt.date:
    return timezone.localdate()


def roster_changed_on_commit(official_ids) -> None:
    """Tell listeners (the LMS re-assigns requirements) which officials changed, once the change is committed."""
    ids = sorted(set(official_ids))
    if ids:
        transaction.on_commit(lambda: roster_changed.send(sender=Official, official_ids=ids))


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
