"""Reads for the unit tree and the roster. The scoping rule — who may see which units and officials — lives
here, in `scope_for`, and every other app asks it rather than filtering on its own."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field as dc_field

from django.db.models import Q, QuerySet

from . import roles
from .models import ImportJob, Official, OfficialStatus, RoleChange, ScopeGrant, Transfer, Unit, UnitVersion, User
from common.text import fold


def _outermost(paths) -> tuple[str, ...]:
    """The paths that are not inside another one of them, sorted: a unit granted together with one of its
    ancestors adds nothing, and a report starts at each outermost unit once."""
    ordered = sorted(set(p for p in paths if p), key=lambda p: (p.count("/"), p))
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def _paths_q(paths, field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


@dataclass(frozen=True)
class Scope:
    """What a user may see. No `unit_paths` with `all_units` False means no units beyond their own record."""

    all_units: bool = False
    all_officials: bool = False
    unit_paths: tuple[str, ...] = ()  # personnel officers: the roots of the subtrees they manage
    own_official_id: int | None = None
    can_manage: bool = False  # may import and edit the roster within the scope

    def __post_init__(self):
        object.__setattr__(self, "unit_paths", _outermost(self.unit_paths))

    def path_q(self, field: str = "path") -> Q:
        """The filter "`field` (a unit path, e.g. "official__unit__path") lies in one of the scope's subtrees":
        everything for a scope over all officials, nothing for one without units."""
        if self.all_officials:
            return Q()
        return _paths_q(self.unit_paths, field)

    def covers_path(self, path: str | None) -> bool:
        """Whether a unit path lies in one of the scope's subtrees (always, for a scope over all officials)."""
        if self.all_officials:
            return True
        return bool(path) and any(path.startswith(p) for p in self.unit_paths)

    def is_root_path(self, path: str | None) -> bool:
        """Whether a path is one of the units the officer is bound to (not one below them)."""
        return bool(path) and path in self.unit_paths

    def units(self) -> QuerySet[Unit]:
        qs = Unit.objects.all()
        if self.all_units:
            return qs
        if self.unit_paths:
            return qs.filter(_paths_q(self.unit_paths, "path"))
        if self.own_official_id:
            return qs.filter(officials__id=self.own_official_id)
        return qs.none()

    def officials(self) -> QuerySet[Official]:
        qs = Official.objects.select_related("unit", "user")
        if self.all_officials:
            return qs
        if self.unit_paths:
            return qs.filter(self.path_q("unit__path"))
        if self.own_official_id:
            return qs.filter(pk=self.own_official_id)
        return qs.none()

    def covers_unit(self, unit: Unit) -> bool:
        return self.covers_path(unit.path)


def scope_units_of(user) -> QuerySet[Unit]:
    """The units a personnel officer is bound to: their scope grants and their primary unit."""
    if not getattr(user, "pk", None):
        return Unit.objects.none()
    granted = ScopeGrant.objects.filter(user=user).values("unit_id")
    return Unit.objects.filter(Q(pk__in=granted) | Q(pk=user.scope_unit_id))


def scope_for(user) -> Scope:
    """The scope of a user: administrators see everything, a personnel officer the subtrees of their units, a
    trainer the unit tree (names only, no roster), an official their own record."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    official_id = Official.objects.filter(user=user).values_list("pk", flat=True).first()
    if roles.is_admin(user):
        return Scope(all_units=True, all_officials=True, own_official_id=official_id, can_manage=True)
    if roles.is_personnel(user):
        paths = tuple(scope_units_of(user).values_list("path", flat=True))
        if paths:
            return Scope(unit_paths=paths, own_official_id=official_id, can_manage=True)
    if roles.is_trainer(user):
        return Scope(all_units=True, own_official_id=official_id)
    return Scope(own_official_id=official_id)


def closed_scope_units(user) -> list[Unit]:
    """The closed units a personnel officer is still bound to (with `merged_into`, where known), so that they can be
    told their figures stop there. Empty for anyone else."""
    if not getattr(user, "is_authenticated", False) or roles.PERSONNEL not in roles.group_names(user):
        return []
    return list(scope_units_of(user).filter(active_to__isnull=False).select_related("merged_into").order_by("name"))


def bound_to_closed_unit_q() -> Q:
    """The filter on User for personnel officers bound to a unit that has been closed."""
    return Q(groups__name=roles.PERSONNEL) & (Q(scope_grants__unit__active_to__isnull=False)
                                               | Q(scope_unit__active_to__isnull=False))


def user_list(*, q: str = "", role: str = "", closed_scope: bool = False) -> QuerySet[User]:
    """Accounts for the administrators' list: a name (diacritics ignored), username, e-mail or employee code
    search; a role key of `org.roles.KEYS` ("staff": any staff role); only those bound to a closed unit."""
    qs = User.objects.all()
    if q:
        text = q.strip()
        folded = fold(text)
        qs = qs.filter(Q(username__icontains=text) | Q(email__icontains=text) | Q(first_name__icontains=text)
                       | Q(last_name__icontains=text) | Q(official__name_folded__contains=folded)
                       | Q(official__employee_code__iexact=text))
    if role == "staff":
        qs = qs.filter(Q(groups__name__in=roles.STAFF_GROUPS) | Q(is_superuser=True))
    elif role == "admin":
        qs = qs.filter(Q(groups__name=roles.ADMINISTRATOR) | Q(is_superuser=True))
    elif role in roles.KEYS:
        qs = qs.filter(groups__name=roles.KEYS[role])
    if closed_scope:
        qs = qs.filter(bound_to_closed_unit_q())
    # A join over groups or grants repeats a person; the ids make them unique without DISTINCT over every column.
    return (User.objects.filter(pk__in=qs.values("pk")).select_related("official", "official__unit")
            .prefetch_related("groups", "scope_grants__unit").order_by("last_name", "first_name", "username"))


def scope_grants_of(user) -> QuerySet[ScopeGrant]:
    """A personnel officer's units, with where each closed one went and who granted it."""
    return (ScopeGrant.objects.filter(user=user).select_related("unit", "unit__merged_into", "granted_by")
            .order_by("unit__path"))


def role_changes_of(user) -> QuerySet[RoleChange]:
    """The history of a person's roles and scope, newest first."""
    return (RoleChange.objects.filter(user=user).select_related("by", "other_user").prefetch_related("units")
            .order_by("-at", "-id"))


def account_find(text: str) -> User | None:
    """The account with this username or whose official has this employee code (case ignored), or None."""
    text = (text or "").strip()
    if not text:
        return None
    return (User.objects.filter(username__iexact=text).first()
            or User.objects.filter(official__employee_code__iexact=text).first())


def units_visible_to(user) -> QuerySet[Unit]:
    """Units a user may see (see `scope_for`)."""
    return scope_for(user).units()


def officials_visible_to(user) -> QuerySet[Official]:
    """Officials a user may see (see `scope_for`)."""
    return scope_for(user).officials()


def official_of(user) -> Official | None:
    """The roster record bound to an account, with its unit, or None for accounts that are not officials."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Official.objects.select_related("unit", "unit__parent").filter(user=user).first()


def unit_ancestors(unit: Unit) -> list[Unit]:
    """The unit's ancestors from the root down, excluding the unit itself."""
    ids = [int(p) for p in unit.path.strip("/").split("/")[:-1] if p]
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def unit_list(*, user, q: str = "", kind: str = "", parent_code: str = "", include_inactive: bool = False
              ) -> QuerySet[Unit]:
    """Units visible to the user, filtered by a diacritic-insensitive name or code search, kind and parent."""
    qs = units_visible_to(user).select_related("parent")
    if not include_inactive:
        qs = qs.filter(active_to__isnull=True)
    if q:
        folded = fold(q)
        qs = qs.filter(Q(name_folded__contains=folded) | Q(code__iexact=q.strip()))
    if kind:
        qs = qs.filter(kind=kind)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    return qs


def official_list(*, user, q: str = "", unit: Unit | None = None, with_subunits: bool = True, role: str = "",
                  category: str = "", status: str = "") -> QuerySet[Official]:
    """Officials visible to the user, filtered by name/code search, unit (subtree), role flag, category, status."""
    qs = officials_visible_to(user)
    if q:
        folded = fold(q)
        qs = qs.filter(Q(name_folded__contains=folded) | Q(employee_code__iexact=q.strip()))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path) if with_subunits else qs.filter(unit=unit)
    if role in {"is_reform_officer", "is_one_stop_receiver", "is_leader"}:
        qs = qs.filter(**{role: True})
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("unit__path", "name_folded")


def official_transfers(official: Official) -> QuerySet[Transfer]:
    """An official's postings, oldest first, with unit names."""
    return official.transfers.select_related("from_unit", "to_unit", "recorded_by").order_by("effective_date", "id")


def official_unit_on(official: Official, on: dt.date) -> Unit | None:
    """The unit an official belonged to on a date, from their transfer history."""
    t = official.transfers.filter(effective_date__lte=on).select_related("to_unit").order_by("-effective_date", "-id").first()
    return t.to_unit if t else None


def unit_tree_on(on: dt.date) -> list[dict]:
    """The unit tree as it stood on a date: code, name, kind, parent code, from the version history."""
    rows = (
        UnitVersion.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("unit", "parent")
        .order_by("unit__path")
    )
    return [
        {"id": v.unit_id, "code": v.unit.code, "name": v.name, "kind": v.kind,
         "parent_code": v.parent.code if v.parent else None}
        for v in rows
    ]


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """Import jobs a user may follow: administrators all, others their own."""
    qs = ImportJob.objects.select_related("created_by")
    if roles.is_admin(user):
        return qs
    return qs.filter(created_by=user)


def unit_children_counts(units: QuerySet[Unit], *, scope: Scope) -> dict[int, int]:
    """Number of active officials in each given unit's subtree, for the unit tree page, in one query."""
    from django.db.models import Count

    officials = scope.officials().filter(status="active")
    counts: dict[int, int] = {}
    per_unit = dict(officials.values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    paths = dict(Unit.objects.filter(id__in=per_unit).values_list("id", "path"))
    for unit in units:
        counts[unit.id] = sum(n for uid, n in per_unit.items() if paths.get(uid, "").startswith(unit.path))
    return counts


AUDIENCE_ROLE_FIELDS = (("audience_reform_officers", "is_reform_officer"),
                        ("audience_one_stop_receivers", "is_one_stop_receiver"),
                        ("audience_leaders", "is_leader"))


def audience_q(rule, *, prefix: str = "") -> Q:
    """The filter on Official (or on a model reaching it through `prefix`, e.g. "official__") that selects the
    audience of a rule carrying the `org.models.Audience` fields. Active officials only."""
    p = prefix
    unit_paths = list(rule.audience_units.values_list("path", flat=True)) if rule.pk else []
    roles = [flag for field, flag in AUDIENCE_ROLE_FIELDS if getattr(rule, field)]
    categories = [c for c in (rule.audience_categories or []) if c]
    ranks = [r for r in (rule.audience_ranks or []) if r]
    # The list stays a subquery: an exam or a requirement may list thousands of officials, and no caller needs them
    # in Python. Only a rule with nothing but a list asks whether the list is empty (then it means everyone).
    listed = rule.audience_officials.values("pk") if rule.pk else None
    has_rule = bool(unit_paths or roles or categories or ranks)
    active = Q(**{f"{p}status": OfficialStatus.ACTIVE})
    if not has_rule and (listed is None or not listed.exists()):
        return active
    by_rule = Q()
    if unit_paths:
        units_q = Q()
        for path in unit_paths:
            if rule.audience_include_subunits:
                units_q |= Q(**{f"{p}unit__path__startswith": path})
            else:
                units_q |= Q(**{f"{p}unit__path": path})
        by_rule &= units_q
    if roles:
        roles_q = Q()
        for flag in roles:
            roles_q |= Q(**{f"{p}{flag}": True})
        by_rule &= roles_q
    if categories:
        by_rule &= Q(**{f"{p}category__in": categories})
    if ranks:
        by_rule &= Q(**{f"{p}rank__in": ranks})
    chosen = by_rule if has_rule else Q(**{f"{p}pk__in": []})
    if listed is not None:
        chosen |= Q(**{f"{p}pk__in": listed})
    return active & chosen


def officials_in_audience(rule) -> QuerySet[Official]:
    """Active officials a rule applies to (see `org.models.Audience`). Not `rule.audience_officials`, which holds
    only the officials listed by name."""
    return Official.objects.filter(audience_q(rule))


def in_audience(rule, official: Official) -> bool:
    """Whether one official belongs to a rule's audience."""
    return Official.objects.filter(audience_q(rule), pk=official.pk).exists()


@dataclass
class AudienceDraft:
    """An audience rule being filled in and not saved yet (a form's live count of who it reaches): the same fields
    as `org.models.Audience`, with the units and listed officials given as ids. `audience_q` reads it as it reads a
    saved rule."""

    unit_ids: list[int]
    audience_include_subunits: bool = True
    audience_reform_officers: bool = False
    audience_one_stop_receivers: bool = False
    audience_leaders: bool = False
    audience_categories: list[str] = dc_field(default_factory=list)
    audience_ranks: list[str] = dc_field(default_factory=list)
    official_ids: list[int] = dc_field(default_factory=list)
    pk = "draft"  # audience_q reads the unit and official lists of a rule that has a primary key: a draft's always

    @property
    def audience_units(self) -> QuerySet[Unit]:
        return Unit.objects.filter(pk__in=self.unit_ids)

    @property
    def audience_officials(self) -> QuerySet[Official]:
        return Official.objects.filter(pk__in=self.official_ids)


def audience_count(rule) -> int:
    """How many active officials a rule (saved, or an `AudienceDraft`) reaches."""
    return officials_in_audience(rule).count()


def unit_successors(unit_ids) -> dict[int, list[Unit]]:
    """For each given unit that has closed with successors: the unit(s) that carry it on today, following the
    successor map of every reorganisation (and `Unit.merged_into` for a merge recorded without one) through later
    changes (A into B, later B split into C and D gives [C, D]). Units still active, or closed without a
    successor, are absent."""
    from .models import Succession

    todo = {int(i) for i in unit_ids}
    if not todo:
        return {}
    direct: dict[int, list[int]] = {}
    units: dict[int, Unit] = {}
    frontier, expanded = set(todo), set()
    while frontier:  # a unit goes through a few reorganisations in its life at most
        expanded |= frontier
        for pred, succ in (Succession.objects.filter(predecessor_id__in=frontier).order_by("successor__code")
                           .values_list("predecessor_id", "successor_id")):
            direct.setdefault(pred, []).append(succ)
        wanted = frontier | {x for uid in frontier for x in direct.get(uid, [])}
        units.update({u.pk: u for u in Unit.objects.filter(pk__in=wanted - set(units))})
        for uid in frontier:
            u = units.get(uid)
            if uid not in direct and u is not None and u.merged_into_id:
                direct[uid] = [u.merged_into_id]
        nxt = {x for uid in frontier for x in direct.get(uid, [])}
        units.update({u.pk: u for u in Unit.objects.filter(pk__in=nxt - set(units))})
        frontier = {x for x in nxt if x in units and not units[x].is_active} - expanded

    def today_of(uid: int, seen: frozenset) -> list[int]:
        u = units.get(uid)
        if u is None or uid in seen:
            return []
        if u.is_active:
            return [uid]
        return [x for nxt in direct.get(uid, []) for x in today_of(nxt, seen | {uid})]

    found = {}
    for uid in todo:
        u = units.get(uid)
        if u is None or u.is_active:
            continue
        heirs = list(dict.fromkeys(x for nxt in direct.get(uid, []) for x in today_of(nxt, frozenset({uid}))))
        if heirs:
            found[uid] = [units[x] for x in heirs]
    return found
