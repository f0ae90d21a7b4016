"""Writes for staff roles and personnel scopes. Every change is recorded as a `RoleChange` (who, when, to whom,
what, which units). A personnel officer manages the units of their `ScopeGrant`s; `User.scope_unit`, the primary
one, is kept one of them here. A personnel officer always keeps at least one active (not closed) unit."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import roles
from ..models import RoleChange, ScopeGrant, Unit, User


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _audit(*, user: User, action: str, role: str, units: Iterable[Unit] = (), by: User | None = None,
           other_user: User | None = None, note: str = "") -> RoleChange:
    change = RoleChange.objects.create(user=user, action=action, role=role, by=by, other_user=other_user,
                                       note=note[:255])
    units = list(units)
    if units:
        change.units.set(units)
    return change


def _forget_groups(user: User) -> None:
    user.__dict__.pop("_group_names", None)


def _has_group(user: User, role: str) -> bool:
    return user.groups.filter(name=role).exists()


def _refuse_closed(units: Iterable[Unit]) -> None:
    closed = [u for u in units if not u.is_active]
    if closed:
        raise ValidationError(_("The unit %(name)s is closed; a personnel officer cannot be bound to it.")
                              % {"name": closed[0].name})


def _sync_primary(user: User, *, prefer: Unit | None = None) -> None:
    """Keep `scope_unit` one of the user's granted units: `prefer` if given, the current one while it is still
    granted, otherwise the earliest active grant (or the earliest grant, or none)."""
    grants = list(ScopeGrant.objects.filter(user=user).select_related("unit").order_by("granted_at", "id"))
    ids = [g.unit_id for g in grants]
    if prefer is not None and prefer.pk in ids:
        primary = prefer.pk
    elif user.scope_unit_id in ids and any(g.unit_id == user.scope_unit_id and g.unit.is_active for g in grants):
        primary = user.scope_unit_id
    else:
        active = [g.unit_id for g in grants if g.unit.is_active]
        primary = (active or ids or [None])[0]
    if primary != user.scope_unit_id:
        user.scope_unit_id = primary
        user.save(update_fields=["scope_unit"])
    # Drop a cached related object that may now be stale.
    user._state.fields_cache.pop("scope_unit", None)


def _require_active_grant(user: User) -> None:
    """A personnel officer must keep an active unit; raised after a change, it undoes the change."""
    if _has_group(user, roles.PERSONNEL) and not ScopeGrant.objects.filter(
            user=user, unit__active_to__isnull=True).exists():
        raise ValidationError(_("%(name)s would be a personnel officer without any active unit. Give them an "
                                "active unit first, or remove the personnel officer role.") % {"name": _name(user)})


def _add_grants(user: User, units: Iterable[Unit], *, by: User | None) -> list[Unit]:
    """Grant the units the user does not hold yet; returns those added."""
    held = set(ScopeGrant.objects.filter(user=user).values_list("unit_id", flat=True))
    added: list[Unit] = []
    for unit in units:
        if unit.pk in held:
            continue
        ScopeGrant.objects.create(user=user, unit=unit, granted_by=by)
        held.add(unit.pk)
        added.append(unit)
    return added


@transaction.atomic
def role_grant(*, user: User, role: str, scope_unit: Unit | None = None, units: Iterable[Unit] | None = None,
               by: User | None = None, note: str = "") -> None:
    """Give a user a staff role (a group name from `org.roles`). A personnel officer needs at least one active
    unit: `units` and/or `scope_unit` (which also becomes their primary unit); units they already hold stay."""
    if role not in roles.STAFF_GROUPS:
        raise ValidationError(_("Unknown role: %(role)s.") % {"role": role})
    added: list[Unit] = []
    if role == roles.PERSONNEL:
        wanted = [*(units or []), *([scope_unit] if scope_unit is not None else [])]
        if not wanted and not ScopeGrant.objects.filter(user=user, unit__active_to__isnull=True).exists():
            raise ValidationError(_("A personnel officer must be bound to at least one active unit."))
        _refuse_closed(wanted)
        added = _add_grants(user, wanted, by=by)
        _sync_primary(user, prefer=scope_unit)
    had = _has_group(user, role)
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    _forget_groups(user)
    if not had or added:
        _audit(user=user, action=RoleChange.Action.GRANT, role=role, units=added, by=by, note=note)


@transaction.atomic
def role_revoke(*, user: User, role: str, by: User | None = None, note: str = "") -> None:
    """Take a staff role away. Taking the personnel officer role also removes all the officer's units.
    Administrators cannot take away their own administrator role (someone else must)."""
    if not _has_group(user, role):
        raise ValidationError(_("%(name)s does not have the role %(role)s.")
                              % {"name": _name(user), "role": roles.label(role)})
    if role == roles.ADMINISTRATOR and by is not None and by.pk == user.pk:
        raise ValidationError(_("You cannot remove your own administrator role; ask another administrator."))
    units: list[Unit] = []
    if role == roles.PERSONNEL:
        grants = ScopeGrant.objects.filter(user=user).select_related("unit")
        units = [g.unit for g in grants]
        grants.delete()
        user.scope_unit = None
        user.save(update_fields=["scope_unit"])
    user.groups.remove(Group.objects.get(name=role))
    _forget_groups(user)
    _audit(user=user, action=RoleChange.Action.REVOKE, role=role, units=units, by=by, note=note)


@transaction.atomic
def scope_grant(*, user: User, units: Iterable[Unit], by: User | None = None, note: str = "") -> list[Unit]:
    """Add units (each with its subtree) to a personnel officer's scope. Returns the units that were added."""
    units = list(units)
    if not units:
        raise ValidationError(_("Choose at least one unit."))
    if not _has_group(user, roles.PERSONNEL):
        raise ValidationError(_("%(name)s is not a personnel officer; give them that role with its units.")
                              % {"name": _name(user)})
    _refuse_closed(units)
    added = _add_grants(user, units, by=by)
    _sync_primary(user)
    if added:
        _audit(user=user, action=RoleChange.Action.GRANT, role=roles.PERSONNEL, units=added, by=by, note=note)
    return added


@transaction.atomic
def scope_revoke(*, user: User, unit: Unit, by: User | None = None, note: str = "") -> None:
    """Remove one unit from a personnel officer's scope. The officer must keep an active unit: to remove the
    last one, take the role away or hand the scope over."""
    deleted, _detail = ScopeGrant.objects.filter(user=user, unit=unit).delete()
    if not deleted:
        raise ValidationError(_("%(name)s does not manage %(unit)s.") % {"name": _name(user), "unit": unit.name})
    _sync_primary(user)
    _require_active_grant(user)
    _audit(user=user, action=RoleChange.Action.REVOKE, role=roles.PERSONNEL, units=[unit], by=by, note=note)


@transaction.atomic
def scope_hand_over(*, from_user: User, to_user: User, by: User | None = None, units: Iterable[Unit] | None = None,
                    note: str = "") -> list[Unit]:
    """Move a personnel officer's units (all of them, or `units`) to another account, which becomes a personnel
    officer if it was not. The old officer loses them, and the role too when no unit is left. Returns the units."""
    if from_user.pk == to_user.pk:
        raise ValidationError(_("Choose another person to hand the scope over to."))
    if not to_user.is_active:
        raise ValidationError(_("The account %(name)s is disabled.") % {"name": _name(to_user)})
    grants = ScopeGrant.objects.filter(user=from_user).select_related("unit")
    if units is not None:
        wanted = {u.pk for u in units}
        grants = grants.filter(unit_id__in=wanted)
        missing = wanted - {g.unit_id for g in grants}
        if missing:
            unit = Unit.objects.filter(pk__in=missing).first()
            raise ValidationError(_("%(name)s does not manage %(unit)s.")
                                  % {"name": _name(from_user), "unit": unit.name if unit else "?"})
    moved = [g.unit for g in grants]
    if not moved:
        raise ValidationError(_("%(name)s has no personnel scope to hand over.") % {"name": _name(from_user)})
    primary = from_user.scope_unit if from_user.scope_unit_id in {u.pk for u in moved} else None
    grants.delete()
    everything = not ScopeGrant.objects.filter(user=from_user).exists()
    if everything:
        from_user.groups.remove(*Group.objects.filter(name=roles.PERSONNEL))
        _forget_groups(from_user)
    _sync_primary(from_user)
    _require_active_grant(from_user)

    _add_grants(to_user, moved, by=by)
    to_user.groups.add(Group.objects.get_or_create(name=roles.PERSONNEL)[0])
    _forget_groups(to_user)
    _sync_primary(to_user, prefer=primary if to_user.scope_unit_id is None else None)
    _require_active_grant(to_user)

    _audit(user=from_user, action=RoleChange.Action.HAND_OVER, role=roles.PERSONNEL, units=moved, by=by,
           other_user=to_user, note=note)
    _audit(user=to_user, action=RoleChange.Action.TAKE_OVER, role=roles.PERSONNEL, units=moved, by=by,
           other_user=from_user, note=note)
    return moved


@transaction.atomic
def scope_follow_successors(*, unit: Unit, successors: list[Unit], by: User | None = None, note: str = ""
                            ) -> list[User]:
    """After a reorganisation: every personnel officer bound to `unit` is bound to its `successors` instead
    (recorded as following the reorganisation). Returns the officers affected. With no successors (a unit
    dissolved without one) nothing changes, and the officers see that their unit is closed."""
    successors = [s for s in dict.fromkeys(successors) if s.pk != unit.pk]
    if not successors:
        return []
    users = list(User.objects.filter(scope_grants__unit=unit).distinct().order_by("pk"))
    # An account bound by its primary unit alone (written before scope grants existed) follows too.
    users += list(User.objects.filter(scope_unit=unit).exclude(pk__in=[u.pk for u in users]).order_by("pk"))
    names = ", ".join(s.name for s in successors)
    text = note or _("%(unit)s was reorganised into %(successors)s.") % {"unit": unit.name, "successors": names}
    for user in users:
        ScopeGrant.objects.filter(user=user, unit=unit).delete()
        _add_grants(user, successors, by=by)
        _sync_primary(user, prefer=successors[0] if user.scope_unit_id == unit.pk else None)
        _audit(user=user, action=RoleChange.Action.FOLLOW, role=roles.PERSONNEL, units=successors, by=by,
               note=text)
    return users


@transaction.atomic
def scope_restore(*, user: User, unit_ids: list[int], primary_id: int | None, by: User | None = None,
                  note: str = "") -> None:
    """Put a personnel officer's units back as they were (a reorganisation reversed), recorded in their history."""
    ScopeGrant.objects.filter(user=user).exclude(unit_id__in=unit_ids).delete()
    have = set(ScopeGrant.objects.filter(user=user).values_list("unit_id", flat=True))
    ScopeGrant.objects.bulk_create([ScopeGrant(user=user, unit_id=u, granted_by=by) for u in unit_ids if u not in have])
    User.objects.filter(pk=user.pk).update(scope_unit_id=primary_id)
    _audit(user=user, action=RoleChange.Action.FOLLOW, role=roles.PERSONNEL, units=Unit.objects.filter(pk__in=unit_ids),
           by=by, note=note)
