"""Writes for the unit tree: create, rename, move, merge and close units, each change kept as a dated version so a
past report can be reproduced; and the unit-tree import's writing half (`units_apply`)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.text import fold

from ..models import Official, OfficialStatus, Transfer, Unit, UnitVersion, User
from .base import ImportResult, roster_changed_on_commit, today
from .roster import official_transfer


def _path_for(unit: Unit, parent: Unit | None) -> tuple[str, int]:
    if parent is None:
        return f"/{unit.pk}/", 0
    return f"{parent.path}{unit.pk}/", parent.depth + 1


@transaction.atomic
def unit_create(*, code: str, name: str, kind: str, parent: Unit | None = None, active_from: dt.date | None = None,
                by: User | None = None) -> Unit:
    """Create a unit under a parent and open its first version."""
    if parent is not None and not parent.is_active:
        raise ValidationError(_("The parent unit %(name)s is no longer active.") % {"name": parent.name})
    unit = Unit.objects.create(code=code, name=name, kind=kind, parent=parent, path="", active_from=active_from,
                               name_folded=fold(name))
    unit.path, unit.depth = _path_for(unit, parent)
    unit.save(update_fields=["path", "depth"])
    UnitVersion.objects.create(unit=unit, name=name, kind=kind, parent=parent, valid_from=active_from or today(),
                               reason=UnitVersion.Reason.CREATED, changed_by=by)
    return unit


def _open_version(unit: Unit, *, on: dt.date, reason: str, by: User | None, note: str = "") -> None:
    current = unit.versions.filter(valid_to__isnull=True).first()
    if current is not None:
        if current.valid_from >= on:
            # A second change on the same day replaces that day's version instead of making an empty span.
            current.delete()
        else:
            current.valid_to = on
            current.save(update_fields=["valid_to"])
    UnitVersion.objects.create(unit=unit, name=unit.name, kind=unit.kind, parent=unit.parent, valid_from=on,
                               reason=reason, note=note, changed_by=by)


@transaction.atomic
def unit_update(*, unit: Unit, name: str | None = None, kind: str | None = None, parent: Unit | None | bool = False,
                on: dt.date | None = None, by: User | None = None, note: str = "") -> bool:
    """Rename, re-kind or move a unit from a date, keeping the earlier state as history. Returns whether
    anything changed. `parent=False` means leave the parent alone; `None` makes it a root."""
    on = on or today()
    changed_name = name is not None and name != unit.name
    changed_kind = kind is not None and kind != unit.kind
    moving = parent is not False and (parent.pk if parent else None) != unit.parent_id
    if not (changed_name or changed_kind or moving):
        return False
    if moving and parent is not None and parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved under itself or one of its own sub-units."))
    if changed_name:
        unit.name, unit.name_folded = name, fold(name)
    if changed_kind:
        unit.kind = kind
    if moving:
        old_path, old_depth = unit.path, unit.depth
        unit.parent = parent
        unit.path, unit.depth = _path_for(unit, parent)
        _rewrite_subtree_paths(old_path=old_path, new_path=unit.path, depth_delta=unit.depth - old_depth)
    unit.save()
    if moving:  # audiences chosen by unit subtree change for everyone below
        roster_changed_on_commit(Official.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
    reason = (UnitVersion.Reason.MOVED if moving and not changed_name else
              UnitVersion.Reason.RENAMED if changed_name and not moving and not changed_kind else
              UnitVersion.Reason.CHANGED)
    _open_version(unit, on=on, reason=reason, by=by, note=note)
    return True


def _rewrite_subtree_paths(*, old_path: str, new_path: str, depth_delta: int) -> None:
    descendants = list(Unit.objects.filter(path__startswith=old_path).exclude(path=old_path))
    for d in descendants:
        d.path = new_path + d.path[len(old_path):]
        d.depth = d.depth + depth_delta
    Unit.objects.bulk_update(descendants, ["path", "depth"])


@transaction.atomic
def unit_merge(*, source: Unit, target: Unit, on: dt.date | None = None, by: User | None = None) -> int:
    """Merge `source` into `target` from a date: its sub-units and officials move to the target (each official
    gets a transfer, so their records follow them) and the source is closed. Returns officials moved."""
    on = on or today()
    if source.pk == target.pk or target.path.startswith(source.path):
        raise ValidationError(_("A unit cannot be merged into itself or one of its own sub-units."))
    for child in list(source.children.filter(active_to__isnull=True)):
        unit_update(unit=child, parent=target, on=on, by=by, note=_("Merged with %(name)s") % {"name": source.name})
    moved = 0
    for official in list(source.officials.all()):
        official_transfer(official=official, to_unit=target, on=on, by=by, source=Transfer.Source.REORGANISATION)
        moved += 1
    unit_close(unit=source, on=on, by=by, merged_into=target)
    return moved


@transaction.atomic
def unit_close(*, unit: Unit, on: dt.date | None = None, by: User | None = None, merged_into: Unit | None = None) -> None:
    """Close a unit from a date. It must have no active officials or sub-units left."""
    on = on or today()
    if unit.officials.filter(status=OfficialStatus.ACTIVE).exists() or unit.children.filter(active_to__isnull=True).exists():
        raise ValidationError(_("Move the officials and sub-units of %(name)s before closing it.") % {"name": unit.name})
    unit.active_to = on
    unit.merged_into = merged_into
    unit.save(update_fields=["active_to", "merged_into"])
    current = unit.versions.filter(valid_to__isnull=True).first()
    if current:
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    UnitVersion.objects.create(unit=unit, name=unit.name, kind=unit.kind, parent=unit.parent, valid_from=on,
                               valid_to=on, reason=UnitVersion.Reason.MERGED if merged_into else UnitVersion.Reason.CLOSED,
                               note=merged_into.name if merged_into else "", changed_by=by)


@transaction.atomic
def units_apply(rows: list[tuple[int, dict]], *, by: User | None, progress: Callable[[int], None] = lambda n: None
                ) -> ImportResult:
    """Create or update units, parents before children; renames and moves are recorded as history."""
    result = ImportResult(rows=len(rows))
    by_code = {row["code"]: row for _n, row in rows}
    done: dict[str, Unit] = {}

    def ensure(code: str) -> Unit:
        if code in done:
            return done[code]
        row = by_code[code]
        parent = None
        if row["parent_code"]:
            parent = ensure(row["parent_code"]) if row["parent_code"] in by_code else Unit.objects.get(code=row["parent_code"])
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            unit = unit_create(code=code, name=row["name"], kind=row["kind"], parent=parent,
                               active_from=row["effective_date"], by=by)
            result.created += 1
        else:
            moved = unit.parent_id != (parent.pk if parent else None)
            if unit_update(unit=unit, name=row["name"], kind=row["kind"], parent=parent, on=row["effective_date"], by=by):
                result.updated += 1
                result.transferred += int(moved)
            else:
                result.unchanged += 1
        done[code] = unit
        return unit

    for i, (_n, row) in enumerate(rows):
        ensure(row["code"])
        if i % 100 == 0:
            progress(i)
    progress(len(rows))
    return result
