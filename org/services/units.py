"""Writes for the unit tree: create, rename, move, merge and close units, each change kept as a dated version so a
past report can be reproduced; and the unit-tree import's writing half (`units_apply`)."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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


VERSIONED = ("name", "kind", "parent_id")


def _version_changes(unit: Unit, changes: dict, *, on: dt.date, reason: str, by: User | None, note: str = "",
                     reorganisation=None) -> dict:
    """Record `changes` (field → value, fields of VERSIONED) as of `on` in the unit's ordered history, and return
    the state the unit is in today (its latest version's fields).

    The history is append-only and ordered by date: the version covering `on` is split there (or amended when it
    starts that same day), and the change carries forward through later versions until one of them changed that
    field itself. A back-dated rename therefore never erases a later move, and every date has one version."""
    versions = list(UnitVersion.objects.select_for_update().filter(unit=unit).order_by("valid_from", "id"))
    cover = next((v for v in reversed(versions)
                  if v.valid_from <= on and (v.valid_to is None or v.valid_to > on)), None)
    if cover is None:
        first = versions[0].valid_from if versions else None
        if first is not None and on < first:
            raise ValidationError(_("%(name)s did not exist yet on %(date)s (it dates from %(first)s).")
                                  % {"name": unit.name, "date": on.strftime("%d/%m/%Y"),
                                     "first": first.strftime("%d/%m/%Y")})
        raise ValidationError(_("%(name)s was no longer active on %(date)s.")
                              % {"name": unit.name, "date": on.strftime("%d/%m/%Y")})
    old = {f: getattr(cover, f) for f in changes}
    if cover.valid_from == on:
        for f, value in changes.items():
            setattr(cover, f, value)
        if cover.reason != UnitVersion.Reason.CREATED:
            cover.reason = reason
        cover.note = note or cover.note
        if reorganisation is not None and cover.reorganisation_id is None:
            cover.reorganisation = reorganisation
        cover.save()
    else:
        ends = cover.valid_to
        cover.valid_to = on
        cover.save(update_fields=["valid_to"])
        fields = {f: getattr(cover, f) for f in VERSIONED}
        fields.update(changes)
        UnitVersion.objects.create(unit=unit, valid_from=on, valid_to=ends, reason=reason, note=note,
                                   changed_by=by, reorganisation=reorganisation, **fields)
    carrying = set(changes)
    for later in (v for v in versions if v.valid_from > on):
        touched = []
        for f in list(carrying):
            if getattr(later, f) == old[f]:
                setattr(later, f, changes[f])
                touched.append(f)
            else:
                carrying.discard(f)  # a later change of this field wins from its own date on
        if touched:
            later.save(update_fields=touched)
        if not carrying:
            break
    latest = UnitVersion.objects.filter(unit=unit).order_by("-valid_from", "-id").first()
    return {f: getattr(latest, f) for f in VERSIONED}


@transaction.atomic
def unit_update(*, unit: Unit, name: str | None = None, kind: str | None = None, parent: Unit | None | bool = False,
                on: dt.date | None = None, by: User | None = None, note: str = "", reorganisation=None) -> bool:
    """Rename, re-kind or move a unit from a date, keeping the earlier state as history; a back-dated change takes
    its place in the history (see `_version_changes`). Returns whether anything changed. `parent=False` means
    leave the parent alone; `None` makes it a root."""
    on = on or today()
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    changes = {}
    if name is not None and name != _state_on(unit, on).get("name", unit.name):
        changes["name"] = name
    if kind is not None and kind != _state_on(unit, on).get("kind", unit.kind):
        changes["kind"] = kind
    if parent is not False and (parent.pk if parent else None) != _state_on(unit, on).get("parent_id", unit.parent_id):
        if parent is not None and parent.path.startswith(unit.path):
            raise ValidationError(_("A unit cannot be moved under itself or one of its own sub-units."))
        changes["parent_id"] = parent.pk if parent else None
    if not changes:
        return False
    reason = (UnitVersion.Reason.MOVED if set(changes) == {"parent_id"} else
              UnitVersion.Reason.RENAMED if set(changes) == {"name"} else UnitVersion.Reason.CHANGED)
    state = _version_changes(unit, changes, on=on, reason=reason, by=by, note=note, reorganisation=reorganisation)
    unit_follow_history(unit, state)
    return True


def _state_on(unit: Unit, on: dt.date) -> dict:
    v = (UnitVersion.objects.filter(unit=unit, valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
         .order_by("-valid_from", "-id").first())
    return {f: getattr(v, f) for f in VERSIONED} if v else {}


def unit_follow_history(unit: Unit, state: dict) -> None:
    """Bring the unit row (today's tree) in line with its latest version, moving its subtree's paths if needed."""
    moving = state["parent_id"] != unit.parent_id
    unit.name, unit.name_folded, unit.kind = state["name"], fold(state["name"]), state["kind"]
    if moving:
        parent = Unit.objects.get(pk=state["parent_id"]) if state["parent_id"] else None
        if parent is not None and parent.path.startswith(unit.path):
            raise ValidationError(_("A unit cannot be moved under itself or one of its own sub-units."))
        old_path, old_depth = unit.path, unit.depth
        unit.parent = parent
        unit.path, unit.depth = _path_for(unit, parent)
        _rewrite_subtree_paths(old_path=old_path, new_path=unit.path, depth_delta=unit.depth - old_depth)
    unit.save()
    if moving:  # audiences chosen by unit subtree change for everyone below
        roster_changed_on_commit(Official.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))


def _rewrite_subtree_paths(*, old_path: str, new_path: str, depth_delta: int) -> None:
    descendants = list(Unit.objects.filter(path__startswith=old_path).exclude(path=old_path))
    for d in descendants:
        d.path = new_path + d.path[len(old_path):]
        d.depth = d.depth + depth_delta
    Unit.objects.bulk_update(descendants, ["path", "depth"])


@transaction.atomic
def unit_merge(*, source: Unit, target: Unit, on: dt.date | None = None, by: User | None = None,
               reorganisation=None) -> int:
    """Merge `source` into `target` from a date: its sub-units and officials move to the target (each official
    gets a transfer, so their records follow them) and the source is closed. Returns officials moved."""
    on = on or today()
    if source.pk == target.pk or target.path.startswith(source.path):
        raise ValidationError(_("A unit cannot be merged into itself or one of its own sub-units."))
    for child in list(source.children.filter(active_to__isnull=True)):
        unit_update(unit=child, parent=target, on=on, by=by, note=_("Merged with %(name)s") % {"name": source.name},
                    reorganisation=reorganisation)
    moved = 0
    for official in list(source.officials.filter(status=OfficialStatus.ACTIVE)):
        official_transfer(official=official, to_unit=target, on=on, by=by, source=Transfer.Source.REORGANISATION,
                          reorganisation=reorganisation)
        moved += 1
    unit_close(unit=source, on=on, by=by, merged_into=target, reorganisation=reorganisation)
    return moved


@transaction.atomic
def unit_close(*, unit: Unit, on: dt.date | None = None, by: User | None = None, merged_into: Unit | None = None,
               reorganisation=None) -> None:
    """Close a unit from a date. It must have no active officials or sub-units left, and no later change."""
    on = on or today()
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.officials.filter(status=OfficialStatus.ACTIVE).exists() or unit.children.filter(active_to__isnull=True).exists():
        raise ValidationError(_("Move the officials and sub-units of %(name)s before closing it.") % {"name": unit.name})
    if not unit.is_active:
        raise ValidationError(_("%(name)s was no longer active on %(date)s.")
                              % {"name": unit.name, "date": unit.active_to.strftime("%d/%m/%Y")})
    if unit.versions.filter(valid_from__gt=on).exists():
        raise ValidationError(_("%(name)s has changes dated after %(date)s; it cannot be closed on that date.")
                              % {"name": unit.name, "date": on.strftime("%d/%m/%Y")})
    unit.active_to = on
    unit.merged_into = merged_into
    unit.save(update_fields=["active_to", "merged_into"])
    current = unit.versions.filter(valid_to__isnull=True).first()
    if current:
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    # A closing marker of no length: it never covers a date, and records why and into what the unit went.
    UnitVersion.objects.create(unit=unit, name=unit.name, kind=unit.kind, parent=unit.parent, valid_from=on,
                               valid_to=on, reason=UnitVersion.Reason.MERGED if merged_into else UnitVersion.Reason.CLOSED,
                               note=merged_into.name if merged_into else "", changed_by=by,
                               reorganisation=reorganisation)


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
