"""Applying and reversing a reorganisation plan (`org.reorganisation`): one transaction each, all or nothing.

Applying records, before it changes anything, what it is about to change (the units' rows and version histories,
the officials' units, the audiences' units, the personnel scopes) in `Reorganisation.journal`; reversing puts that
back, provided nothing newer depends on the change (a later reorganisation, a later unit change or posting, a
record that points at a unit the plan created)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from common.text import fold

from ..models import (Official, OfficialStatus, Reorganisation, Succession, Transfer, Unit, UnitVersion, User)
from ..reorganisation import audiences_touching, kind_for, personnel_touching, plan_check
from .base import roster_changed_on_commit, roster_changes_batched
from .scopes import scope_follow_successors, scope_restore
from .units import unit_close, unit_create, unit_update

UNIT_FIELDS = ("name", "name_folded", "kind", "parent_id", "active_to", "merged_into_id", "active_from")
VERSION_FIELDS = ("id", "name", "kind", "parent_id", "valid_from", "valid_to", "reason", "note", "changed_by_id",
                  "changed_at", "reorganisation_id")


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _refuse(errors) -> None:
    raise ValidationError([str(e) for e in errors])


@transaction.atomic
def reorganisation_create(*, title: str, effective_date: dt.date, plan: dict, by: User | None = None,
                          legal_basis: str = "", source_name: str = "") -> Reorganisation:
    """Record a plan as a draft (nothing in the tree changes until it is applied)."""
    return Reorganisation.objects.create(title=title, effective_date=effective_date, plan=plan, created_by=by,
                                         legal_basis=legal_basis, source_name=source_name)


@transaction.atomic
def reorganisation_add_line(*, reorganisation: Reorganisation, old_code: str, new_code: str, new_name: str,
                            share: str = "full", parent_code: str = "") -> Reorganisation:
    """Add a line to a draft plan on screen: `old_code` goes (whole or in part) into `new_code`, named `new_name`.
    A second line for the same old unit and new unit replaces the first."""
    r = Reorganisation.objects.select_for_update().get(pk=reorganisation.pk)
    if r.status != Reorganisation.Status.DRAFT:
        raise ValidationError(_("This reorganisation has already been applied."))
    plan = dict(r.plan or {})
    targets = list(plan.get("targets", []))
    target = next((t for t in targets if t["code"] == new_code), None)
    if target is None:
        target = {"code": new_code, "name": new_name, "kind": "", "parent_code": parent_code, "sources": [], "line": 0}
        targets.append(target)
    target["name"] = new_name
    if parent_code:
        target["parent_code"] = parent_code
    target["sources"] = [s for s in target["sources"] if s["code"] != old_code] + [
        {"code": old_code, "share": share, "line": 0}]
    plan["targets"] = targets
    r.plan = plan
    r.save(update_fields=["plan"])
    return r


@transaction.atomic
def reorganisation_allocate(*, reorganisation: Reorganisation, allocations: dict[str, str]) -> Reorganisation:
    """Add or change which successor officials of split or dissolved units go to (employee code → unit code)."""
    r = Reorganisation.objects.select_for_update().get(pk=reorganisation.pk)
    if r.status != Reorganisation.Status.DRAFT:
        raise ValidationError(_("This reorganisation has already been applied."))
    plan = dict(r.plan)
    plan["allocations"] = {**(plan.get("allocations") or {}), **{k.lower(): v for k, v in allocations.items() if v}}
    r.plan = plan
    r.save(update_fields=["plan"])
    return r


def _move_officials(officials, *, to_unit: Unit, on: dt.date, by, r: Reorganisation, journal: dict) -> int:
    """Post officials (a queryset or a list) to a unit from `on`, in bulk; an official with a posting dated later
    keeps it (their move is recorded in its place in their history)."""
    rows = (list(officials.values_list("pk", "unit_id")) if hasattr(officials, "values_list")
            else [(o.pk, o.unit_id) for o in officials])
    if not rows:
        return 0
    ids = [pk for pk, _unit in rows]
    later = set(Transfer.objects.filter(official_id__in=ids, effective_date__gt=on).values_list("official_id", flat=True))
    new, moved = [], []
    for pk, unit_id in rows:
        journal["officials"].setdefault(str(pk), unit_id)
        if unit_id == to_unit.pk:
            continue
        if pk in later:
            from .roster import official_transfer
            official_transfer(official=Official.objects.get(pk=pk), to_unit=to_unit, on=on, by=by,
                              source=Transfer.Source.REORGANISATION, reorganisation=r)
            continue
        new.append(Transfer(official_id=pk, from_unit_id=unit_id, to_unit=to_unit, effective_date=on,
                            source=Transfer.Source.REORGANISATION, note=r.title[:255], recorded_by=by,
                            reorganisation=r))
        moved.append(pk)
    Transfer.objects.bulk_create(new, batch_size=5000)
    for start in range(0, len(moved), 5000):
        Official.objects.filter(pk__in=moved[start:start + 5000]).update(unit=to_unit, updated_at=timezone.now())
    roster_changed_on_commit(moved)
    return len(new)


def _snapshot_unit(unit: Unit, journal: dict) -> None:
    key = str(unit.pk)
    if key in journal["units"]:
        return
    journal["units"][key] = {f: _iso(getattr(unit, f)) for f in UNIT_FIELDS}
    journal["versions"][key] = [{f: _iso(v[f]) for f in VERSION_FIELDS}
                                for v in UnitVersion.objects.filter(unit=unit).values(*VERSION_FIELDS)]


def _fresh(code: str) -> Unit:
    return Unit.objects.select_related("parent").get(code=code)


def _common_ancestor(units: list[Unit]) -> Unit | None:
    paths = [u.path.strip("/").split("/") for u in units]
    common = []
    for parts in zip(*paths):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return Unit.objects.filter(pk=int(common[-1])).first() if common else None


@transaction.atomic
def reorganisation_apply(*, reorganisation: Reorganisation, by: User | None = None) -> Reorganisation:
    """Carry a draft plan out on its effective date: create, rename, move, merge, split and dissolve units, post
    officials to their successors, and make audiences and personnel scopes follow. All or nothing; the LMS is told
    once, after the commit, about everyone it moved."""
    with roster_changes_batched():
        return _apply(reorganisation, by=by)


def _apply(reorganisation: Reorganisation, *, by: User | None) -> Reorganisation:
    r = Reorganisation.objects.select_for_update().get(pk=reorganisation.pk)
    if r.status != Reorganisation.Status.DRAFT:
        raise ValidationError(_("This reorganisation has already been applied."))
    on = r.effective_date
    checked = plan_check(r.plan, on=on)
    if checked.errors:
        _refuse(checked.errors)
    if checked.unallocated:
        raise ValidationError([_("Choose the successor of every official of %(unit)s (%(n)s left).")
                               % {"unit": checked.units[code].name, "n": len(codes)}
                               for code, codes in checked.unallocated.items()])
    plan = r.plan
    allocations = {k.lower(): v for k, v in (plan.get("allocations") or {}).items()}
    journal = {"created": [], "units": {}, "versions": {}, "officials": {}, "audiences": [], "owners": [],
               "scopes": [],
               "max_version_id": UnitVersion.objects.aggregate(m=Max("id"))["m"] or 0,
               "max_transfer_id": Transfer.objects.aggregate(m=Max("id"))["m"] or 0}
    targets = plan.get("targets", [])
    dissolve = plan.get("dissolve", [])

    # Snapshot everything the plan may change, before changing any of it.
    involved = set(checked.units) | set(Unit.objects.filter(parent__code__in=set(checked.fate) | set(dissolve),
                                                            active_to__isnull=True).values_list("code", flat=True))
    for unit in Unit.objects.filter(code__in=involved):
        _snapshot_unit(unit, journal)

    # 1. New units, parents first.
    pending = [t for t in targets if t["code"] in checked.new_codes]
    while pending:
        ready = [t for t in pending if not t.get("parent_code") or Unit.objects.filter(code=t["parent_code"]).exists()]
        if not ready:
            raise ValidationError(_("The new units' parents form a loop."))
        for t in ready:
            first = checked.units.get(t["sources"][0]["code"])
            unit = unit_create(code=t["code"], name=t["name"], kind=t.get("kind") or kind_for(t["name"], first.kind if first else "other"),
                               parent=_fresh(t["parent_code"]) if t.get("parent_code") else None, active_from=on, by=by)
            UnitVersion.objects.filter(unit=unit).update(reorganisation=r)
            journal["created"].append(unit.pk)
            pending.remove(t)
    # 2. Units that continue: new name, kind or parent.
    for t in targets:
        if t["code"] in checked.new_codes:
            continue
        unit = _fresh(t["code"])
        parent = _fresh(t["parent_code"]) if t.get("parent_code") else unit.parent
        unit_update(unit=unit, name=t["name"], kind=t.get("kind") or None, parent=parent, on=on, by=by,
                    note=r.title[:255], reorganisation=r)
    # 3. Sources that close and dissolved units, the deepest first (a district's communes before the district,
    #    the district before its province).
    # Targets stay where step 2 put them unless their parent closes below; then they are read afresh each time.
    closing_codes = set(checked.successors) | set(dissolve)
    placed = {u.code: u for u in Unit.objects.filter(code__in=[t["code"] for t in targets
                                                               if t.get("parent_code") not in closing_codes])}

    def target_unit(code: str) -> Unit:
        return placed.get(code) or _fresh(code)

    steps = [(checked.units[code].depth, "source", code) for code in checked.fate
             if code in checked.successors] + [(checked.units[code].depth, "dissolve", code) for code in dissolve]
    for _depth, kind, code in sorted(steps, key=lambda s: (-s[0], s[2])):
        unit = _fresh(code)
        goes = checked.fate.get(code, [])
        if kind == "source" and len(goes) == 1:
            target = target_unit(goes[0][0])
            for child in unit.children.filter(active_to__isnull=True):
                _snapshot_unit(child, journal)
                unit_update(unit=child, parent=target, on=on, by=by, note=r.title[:255], reorganisation=r)
            _move_officials(unit.officials.filter(status=OfficialStatus.ACTIVE), to_unit=target, on=on, by=by, r=r,
                            journal=journal)
            unit_close(unit=unit, on=on, by=by, merged_into=target, reorganisation=r)
            continue
        # Split between several successors, or dissolved: each official and sub-unit goes where it is allotted;
        # what a dissolved unit leaves unallotted goes to its parent.
        fallback = target_unit(goes[0][0]) if goes else unit.parent
        for child in unit.children.filter(active_to__isnull=True):
            _snapshot_unit(child, journal)
            dest = allocations.get(child.code.lower())
            unit_update(unit=child, parent=target_unit(dest) if dest else fallback, on=on, by=by, note=r.title[:255],
                        reorganisation=r)
        by_dest: dict[str, list] = {}
        for pk, unit_id, code in unit.officials.filter(status=OfficialStatus.ACTIVE).values_list("pk", "unit_id",
                                                                                                 "employee_code"):
            dest = allocations.get(code.lower()) or (fallback.code if fallback else None)
            by_dest.setdefault(dest, []).append(Official(pk=pk, unit_id=unit_id))
        for dest, people in by_dest.items():
            if dest is None:
                raise ValidationError(_("The officials of %(unit)s have nowhere to go.") % {"unit": unit.name})
            _move_officials(people, to_unit=target_unit(dest), on=on, by=by, r=r, journal=journal)
        unit_close(unit=unit, on=on, by=by, reorganisation=r)
    # 4. The successor map.
    named = {u.code: u for u in Unit.objects.filter(
        code__in=set(checked.successors) | {s for succ in checked.successors.values() for s in succ}
        | {s for succ in checked.heirs.values() for s in succ})}
    Succession.objects.bulk_create([
        Succession(reorganisation=r, predecessor=named[code], successor=named[s], effective_date=on,
                   share=Succession.Share.FULL if len(successor_codes) == 1 else Succession.Share.PARTIAL)
        for code, successor_codes in checked.successors.items() for s in successor_codes])
    closing = {named[code].pk: [named[s] for s in succ] for code, succ in checked.heirs.items()}
    # 5. Audiences and owners follow their units.
    for row in audiences_touching(list(closing)):
        obj = row["object"]
        before = sorted(obj.audience_units.values_list("pk", flat=True))
        codes = list(Unit.objects.filter(pk__in=before).values_list("code", flat=True))
        after_codes = checked.audience_after(codes, include_subunits=obj.audience_include_subunits)
        after = sorted(Unit.objects.filter(code__in=after_codes).values_list("pk", flat=True))
        if after != before:
            journal["audiences"].append({"model": row["model"], "pk": obj.pk, "before": before})
            obj.audience_units.set(after)
            added = Unit.objects.filter(pk__in=set(after) - set(before)).values_list("path", flat=True)
            for path in added:  # whoever the audience now reaches is told too, not only those who moved
                roster_changed_on_commit(Official.objects.filter(unit__path__startswith=path).values_list("pk", flat=True))
        if row["owner"] in closing:
            heirs = closing[row["owner"]]
            heir = heirs[0] if len(heirs) == 1 else _common_ancestor(heirs)
            journal["owners"].append({"model": row["model"], "pk": obj.pk, "before": row["owner"]})
            type(obj).objects.filter(pk=obj.pk).update(scope_unit=heir)
    # 6. Personnel scopes follow too.
    officers = personnel_touching(list(closing))
    journal["scopes"] = [_scope_state(user) for user in officers]
    _scopes_follow(closing, by=by, note=r.title)
    r.status = Reorganisation.Status.APPLIED
    r.applied_by, r.applied_at, r.journal = by, timezone.now(), journal
    r.save(update_fields=["status", "applied_by", "applied_at", "journal"])
    officers = [u.pk for u in personnel_touching(list(closing) + [u.pk for s in closing.values() for u in s])]
    transaction.on_commit(lambda: _notify(r.pk, officers))
    return r


# --- Personnel scopes -----------------------------------------------------------------------------------------------

def _scope_state(user: User) -> dict:
    return {"user": user.pk, "scope_unit": user.scope_unit_id,
            "units": sorted(user.scope_grants.values_list("unit_id", flat=True))}


def _scopes_follow(closing: dict[int, list[Unit]], *, by, note: str) -> None:
    for unit_id, heirs in closing.items():
        scope_follow_successors(unit=Unit.objects.get(pk=unit_id), successors=heirs, by=by, note=note)


def _notify(reorganisation_id: int, user_ids: list[int]) -> None:
    from ..tasks import reorganisation_notify

    if user_ids:
        reorganisation_notify.delay(reorganisation_id, user_ids)


# --- Reversing ------------------------------------------------------------------------------------------------------

def reverse_blockers(r: Reorganisation) -> list[str]:
    """Why a reorganisation can no longer be reversed (empty: it can)."""
    if r.status != Reorganisation.Status.APPLIED:
        return [_("Only an applied reorganisation can be reversed.")]
    j = r.journal or {}
    out = []
    later = Reorganisation.objects.filter(status=Reorganisation.Status.APPLIED, applied_at__gt=r.applied_at).first()
    if later is not None:
        out.append(_("“%(title)s” was applied after it; reverse that one first.") % {"title": later.title})
    unit_ids = [int(k) for k in j.get("units", {})] + j.get("created", [])
    newer = (UnitVersion.objects.filter(unit_id__in=unit_ids, id__gt=j.get("max_version_id", 0))
             .exclude(reorganisation=r).select_related("unit").first())
    if newer is not None:
        out.append(_("%(unit)s was changed after this reorganisation.") % {"unit": newer.unit.name})
    officials = [int(k) for k in j.get("officials", {})]
    moved = (Transfer.objects.filter(id__gt=j.get("max_transfer_id", 0)).exclude(reorganisation=r)
             .filter(official_id__in=officials).select_related("official").first())
    if moved is None:
        moved = (Transfer.objects.filter(id__gt=j.get("max_transfer_id", 0), to_unit_id__in=j.get("created", []))
                 .exclude(reorganisation=r).select_related("official").first())
    if moved is not None:
        out.append(_("%(person)s was posted again after this reorganisation.") % {"person": moved.official.full_name})
    return out


def _rebuild_paths() -> None:
    units = list(Unit.objects.all().only("id", "parent_id", "path", "depth"))
    by_parent: dict = {}
    for u in units:
        by_parent.setdefault(u.parent_id, []).append(u)
    changed = []
    stack = [(u, f"/{u.pk}/", 0) for u in by_parent.get(None, [])]
    while stack:
        u, path, depth = stack.pop()
        if (u.path, u.depth) != (path, depth):
            u.path, u.depth = path, depth
            changed.append(u)
        stack.extend((c, f"{path}{c.pk}/", depth + 1) for c in by_parent.get(u.pk, []))
    Unit.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)


@transaction.atomic
def reorganisation_reverse(*, reorganisation: Reorganisation, by: User | None = None) -> Reorganisation:
    """Put everything an applied reorganisation changed back as it was, all or nothing."""
    with roster_changes_batched():
        return _reverse(reorganisation, by=by)


def _reverse(reorganisation: Reorganisation, *, by: User | None) -> Reorganisation:
    from django.apps import apps

    r = Reorganisation.objects.select_for_update().get(pk=reorganisation.pk)
    blockers = reverse_blockers(r)
    if blockers:
        raise ValidationError(blockers)
    j = r.journal
    for row in j.get("audiences", []):
        apps.get_model(row["model"]).objects.get(pk=row["pk"]).audience_units.set(row["before"])
    for row in j.get("owners", []):
        apps.get_model(row["model"]).objects.filter(pk=row["pk"]).update(scope_unit_id=row["before"])
    for state in j.get("scopes", []):
        scope_restore(user=User.objects.get(pk=state["user"]), unit_ids=state["units"], primary_id=state["scope_unit"],
                      by=by, note=_("Reversed: %(title)s") % {"title": r.title})
    Succession.objects.filter(reorganisation=r).delete()
    official_ids = [int(k) for k in j.get("officials", {})]
    Transfer.objects.filter(reorganisation=r).delete()
    for o in Official.objects.filter(pk__in=official_ids):
        chain = list(o.transfers.order_by("effective_date", "id"))
        for prev, nxt in zip(chain, chain[1:]):
            if nxt.from_unit_id != prev.to_unit_id:
                nxt.from_unit_id = prev.to_unit_id
                nxt.save(update_fields=["from_unit"])
        o.unit_id = j["officials"][str(o.pk)]
        o.save(update_fields=["unit", "updated_at"])
    roster_changed_on_commit(official_ids)
    for key, fields in j.get("units", {}).items():
        Unit.objects.filter(pk=int(key)).update(**{f: (_date(v) if f in ("active_to", "active_from") else v)
                                                   for f, v in fields.items()})
        UnitVersion.objects.filter(unit_id=int(key)).delete()
        restored = [UnitVersion(unit_id=int(key), **{f: (_date(v) if f in ("valid_from", "valid_to") else
                                                         dt.datetime.fromisoformat(v) if f == "changed_at" else v)
                                                     for f, v in row.items()})
                    for row in j["versions"].get(key, [])]
        when = [v.changed_at for v in restored]
        UnitVersion.objects.bulk_create(restored)  # sets changed_at to now (auto_now_add) …
        for version, at in zip(restored, when):
            version.changed_at = at
        UnitVersion.objects.bulk_update(restored, ["changed_at"])  # … so when each change was recorded is put back
    for pk in sorted(j.get("created", []), reverse=True):
        unit = Unit.objects.get(pk=pk)
        UnitVersion.objects.filter(unit=unit).delete()
        try:
            with transaction.atomic():
                unit.delete()
        except ProtectedError:
            raise ValidationError(_("%(unit)s, created by this reorganisation, is now used elsewhere; it cannot be"
                                    " removed.") % {"unit": unit.name})
    UnitVersion.objects.filter(reorganisation=r).update(reorganisation=None)
    _rebuild_paths()
    for unit in Unit.objects.filter(pk__in=[int(k) for k in j.get("units", {})]):
        if unit.name_folded != fold(unit.name):
            Unit.objects.filter(pk=unit.pk).update(name_folded=fold(unit.name))
    r.status = Reorganisation.Status.REVERSED
    r.reversed_by, r.reversed_at = by, timezone.now()
    r.save(update_fields=["status", "reversed_by", "reversed_at"])
    return r


def reorganisation_notify(*, reorganisation_id: int, user_ids: list[int]) -> int:
    """Tell the personnel officers concerned what a reorganisation changed in their scope (by e-mail). Returns
    how many were told."""
    from django.conf import settings
    from django.core.mail import send_mail

    r = Reorganisation.objects.filter(pk=reorganisation_id).first()
    if r is None:
        return 0
    changes = [f"- {s.predecessor.name} → {s.successor.name}"
               for s in r.successions.select_related("predecessor", "successor").order_by("predecessor__name")]
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        scope = ", ".join(Unit.objects.filter(scope_grants__user=user).order_by("path").values_list("name", flat=True)) or "—"
        body = _("“%(title)s” took effect on %(date)s. Units you manage, their officials, the requirements, exams "
                 "and sessions aimed at them now follow their successors:\n\n%(changes)s\n\nYour scope is now: "
                 "%(scope)s.") % {"title": r.title, "date": r.effective_date.strftime("%d/%m/%Y"),
                                  "changes": "\n".join(changes[:200]), "scope": scope}
        send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Units reorganised: %(title)s") % {"title": r.title},
                  body, None, [user.email])
        sent += 1
    return sent


def reorganisation_merge_plan(*, source: Unit, target: Unit) -> dict:
    """The plan of one merge started from a unit's page: `source` goes whole into `target`."""
    return {"targets": [{"code": target.code, "name": target.name, "kind": target.kind,
                         "parent_code": target.parent.code if target.parent_id else "",
                         "sources": [{"code": target.code, "share": "full", "line": 0},
                                     {"code": source.code, "share": "full", "line": 0}], "line": 0}],
            "dissolve": [], "allocations": {}}
