"""A reorganisation plan (phương án sắp xếp): read from a file or built on screen, checked against today's tree, and
previewed. Reads only: applying and reversing are `org.services.reorganisation`'s.

A plan is plain JSON (stored on `org.models.Reorganisation.plan`):

- ``targets``: the units as they are after the change, each ``{code, name, kind, parent_code, sources: [{code,
  share}], line}``. One target with one whole source that is itself is a rename or a move; several sources are a
  merge (into a unit that keeps one of their codes, or a new one); a source listed as ``partial`` under several
  targets is split between them, and its officials (and sub-units) are allotted in ``allocations``.
- ``dissolve``: codes of units that cease without a successor of their own (a whole level such as the districts):
  what is left in them goes to their parent, and their successors are whatever their sub-units became.
- ``allocations``: employee code or sub-unit code → target code, for split and dissolved units.

The file has the columns of the statistics office's successor lists (``new_code, new_name, old_code, old_name,
kind``, as ../shared/data/dong-nai-reform-2025-07-01.csv), optionally ``new_kind`` and ``new_parent_code``; a
target's parent defaults to the one chosen on the form. The allocation file has ``employee_code, unit_code``.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from common.tabular import Column, RowError, map_columns, read_frame
from common.text import fold

from .models import Audience, Official, OfficialStatus, Unit, UnitKind, User
from .signals import reorganisation_impact

PLAN_COLUMNS = (
    Column("new_code", "new_code", required=True, aliases=("Mã đơn vị mới", "ma moi")),
    Column("new_name", "new_name", required=True, aliases=("Tên đơn vị mới", "ten moi")),
    Column("old_code", "old_code", required=True, aliases=("Mã đơn vị cũ", "ma cu")),
    Column("old_name", "old_name", aliases=("Tên đơn vị cũ", "ten cu")),
    Column("share", "kind", aliases=("Hình thức", "share", "toan bo/mot phan")),
    Column("new_kind", "new_kind", aliases=("Loại đơn vị mới",)),
    Column("new_parent_code", "new_parent_code", aliases=("Mã đơn vị cấp trên mới",)),
)
ALLOCATION_COLUMNS = (
    Column("code", "employee_code", required=True, aliases=("Mã cán bộ", "Mã", "ma can bo")),
    Column("unit_code", "unit_code", required=True, aliases=("Mã đơn vị", "Mã đơn vị mới", "ma don vi")),
)
SHARE_WORDS = {"full": "full", "toan bo": "full", "": "full", "partial": "partial", "mot phan": "partial"}
KIND_BY_PREFIX = (("phuong ", UnitKind.WARD), ("xa ", UnitKind.COMMUNE), ("thi tran ", UnitKind.TOWNSHIP),
                  ("dac khu ", UnitKind.OTHER), ("thanh pho ", UnitKind.CITY), ("thi xa ", UnitKind.TOWN),
                  ("huyen ", UnitKind.DISTRICT), ("tinh ", UnitKind.PROVINCE))
DISTRICT_LEVEL = (UnitKind.CITY, UnitKind.DISTRICT, UnitKind.TOWN)


class PlanRefused(Exception):
    """The plan has errors; nothing was recorded. `errors` are RowErrors (line 0 for the form's own fields)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def kind_for(name: str, fallback: str) -> str:
    folded = fold(name) + " "
    return next((kind for prefix, kind in KIND_BY_PREFIX if folded.startswith(prefix)), fallback)


def plan_from_file(data: bytes, filename: str, *, parent_code: str = "", dissolve_kinds=(),
                   merge_into_parent=()) -> dict:
    """Read a successor list into a plan. `parent_code` is where targets without their own parent go;
    `dissolve_kinds` adds every active unit of those kinds among the sources' ancestors to `dissolve` (the district
    level); `merge_into_parent` lists top units (other provinces) merged whole into `parent_code`."""
    frame = read_frame(data, filename, columns=PLAN_COLUMNS, search_rows=10)
    frame, errors = map_columns(frame, PLAN_COLUMNS)
    targets: dict[str, dict] = {}
    for line, row in zip(frame.index, frame.to_dict("records")):
        row = {k: str(v).strip() for k, v in row.items()}
        share = SHARE_WORDS.get(fold(row["share"]))
        if share is None:
            errors.append(RowError(line, "kind", _("“%(value)s” is not “full” or “partial”.") % {"value": row["share"]}))
            continue
        for key in ("new_code", "new_name", "old_code"):
            if not row[key]:
                errors.append(RowError(line, key, _("this field is required.")))
        if not (row["new_code"] and row["new_name"] and row["old_code"]):
            continue
        target = targets.setdefault(row["new_code"], {
            "code": row["new_code"], "name": row["new_name"], "kind": row["new_kind"],
            "parent_code": row["new_parent_code"] or parent_code, "sources": [], "line": int(line)})
        if target["name"] != row["new_name"]:
            errors.append(RowError(line, "new_name", _("the unit %(code)s is named “%(a)s” on line %(line)s and “%(b)s”"
                                                       " here.") % {"code": row["new_code"], "a": target["name"],
                                                                    "line": target["line"], "b": row["new_name"]}))
        target["sources"].append({"code": row["old_code"], "share": share, "line": int(line)})
    if errors:
        raise PlanRefused(errors)
    plan = {"targets": list(targets.values()), "dissolve": [], "allocations": {}}
    merge_into_parent = [c for c in merge_into_parent if c and c != parent_code]
    if merge_into_parent:
        top = Unit.objects.filter(code=parent_code).first()
        if top is not None:
            plan["targets"].append({"code": top.code, "name": top.name, "kind": top.kind,
                                    "parent_code": top.parent.code if top.parent_id else "",
                                    "sources": [{"code": top.code, "share": "full", "line": 0}]
                                    + [{"code": c, "share": "full", "line": 0} for c in merge_into_parent],
                                    "line": 0})
    if dissolve_kinds:
        sources = [s["code"] for t in plan["targets"] for s in t["sources"]]
        paths = Unit.objects.filter(code__in=sources).values_list("path", flat=True)
        ancestor_ids = {int(p) for path in paths for p in path.strip("/").split("/")[:-1] if p}
        plan["dissolve"] = list(Unit.objects.filter(pk__in=ancestor_ids, kind__in=list(dissolve_kinds),
                                                    active_to__isnull=True).order_by("path").values_list("code", flat=True))
    return plan


def allocations_from_file(data: bytes, filename: str) -> dict[str, str]:
    """Employee code (or sub-unit code) → target unit code, from a two-column file."""
    frame = read_frame(data, filename, columns=ALLOCATION_COLUMNS, search_rows=10)
    frame, errors = map_columns(frame, ALLOCATION_COLUMNS)
    out: dict[str, str] = {}
    for line, row in zip(frame.index, frame.to_dict("records")):
        code, unit_code = str(row["code"]).strip(), str(row["unit_code"]).strip()
        if not code or not unit_code:
            errors.append(RowError(line, "", _("both the code and the unit code are required.")))
            continue
        out[code.lower()] = unit_code
    if errors:
        raise PlanRefused(errors)
    return out


def plan_codes(plan: dict) -> set[str]:
    """Every unit code a plan names: targets, their parents, sources, dissolved units."""
    targets = plan.get("targets", [])
    return ({t["code"] for t in targets} | {t.get("parent_code") or "" for t in targets}
            | {s["code"] for t in targets for s in t["sources"]} | set(plan.get("dissolve", []))) - {""}


def may_open(user, reorganisation) -> bool:
    """Administrators open every plan; a personnel officer the plans they made themselves inside their own
    subtree (a merge started from a unit's page): every unit it names is below their own units, parents aside."""
    from . import roles
    from .selectors import scope_for

    if roles.is_admin(user):
        return True
    scope = scope_for(user)
    if reorganisation.created_by_id != user.pk or not scope.can_manage:
        return False
    plan = reorganisation.plan or {}
    codes = plan_codes(plan)
    parents = {t.get("parent_code") for t in plan.get("targets", [])}
    units = list(Unit.objects.filter(code__in=codes))
    return len(units) == len(codes) and all(
        scope.covers_unit(u) and (u.code in parents or not scope.is_root_path(u.path)) for u in units)


# --- Checking a plan against today's tree ---------------------------------------------------------------------

@dataclass
class Checked:
    """A plan resolved against the database: units by code, what each source becomes, the successor map."""

    plan: dict
    units: dict[str, Unit]
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_codes: list[str] = field(default_factory=list)  # targets to create
    # source code → [(target code, share)]; a continuing unit maps to itself
    fate: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    successors: dict[str, list[str]] = field(default_factory=dict)  # closing unit code → successor codes
    heirs: dict[str, list[str]] = field(default_factory=dict)  # closing unit code → what audiences and scopes follow
    # unit code → {"unit", "members", "options": [(code, name)], "required"}: officials to allot (split units must
    # be; a dissolved unit's own staff may be)
    allot: dict[str, dict] = field(default_factory=dict)
    unallocated: dict[str, list[str]] = field(default_factory=dict)  # unit code → employee codes left to allot
    _parents: dict | None = field(default=None, repr=False)

    @property
    def closing(self) -> list[str]:
        return sorted(self.successors, key=lambda c: self.units[c].path if c in self.units else c)

    def ancestors_after(self, code: str) -> list[str]:
        """The codes above a unit once the plan is applied (nearest first), worked out from the plan and today's
        tree without applying anything."""
        if self._parents is None:
            self._parents = dict(Unit.objects.values_list("code", "parent__code"))
        targets = {t["code"]: t for t in self.plan.get("targets", [])}

        def parent_after(x: str) -> str | None:
            p = (targets[x].get("parent_code") if x in targets else None) or self._parents.get(x)
            for _hop in range(50):  # a closing parent hands its sub-units on: to its one target, else upwards
                if not p or p not in self.successors:
                    return p
                goes = self.fate.get(p, [])
                p = goes[0][0] if len(goes) == 1 else self._parents.get(p)
            return None

        out, x = [], code
        while len(out) < 50:
            x = parent_after(x)
            if not x or x in out:
                return out
            out.append(x)
        return out

    def audience_after(self, codes: list[str], *, include_subunits: bool) -> list[str]:
        """What an audience naming `codes` names once the plan is applied: a closing unit gives way to its heirs;
        an heir already inside another named unit's subtree adds no one and is left out."""
        after = [x for x in codes if x not in self.heirs]
        for x in codes:
            after += self.heirs.get(x, [])
        after = list(dict.fromkeys(after))
        if include_subunits:
            named = set(after)
            after = [x for x in after if not (set(self.ancestors_after(x)) & (named - {x}))]
        return after


def plan_check(plan: dict, *, on: dt.date) -> Checked:
    """Resolve a plan against today's tree and list every error (each naming its line or unit)."""
    targets = plan.get("targets", [])
    dissolve = list(plan.get("dissolve", []))
    allocations = {k.lower(): v for k, v in (plan.get("allocations") or {}).items()}
    codes = plan_codes(plan)
    units = {u.code: u for u in Unit.objects.filter(code__in=codes).select_related("parent")}
    c = Checked(plan=plan, units=units)
    target_codes = {t["code"] for t in targets}
    seen_full: dict[str, int] = {}
    partial_of: dict[str, list[str]] = defaultdict(list)
    for t in targets:
        line = t.get("line", 0)
        existing = units.get(t["code"])
        source_codes = [s["code"] for s in t["sources"]]
        if existing is not None and t["code"] not in source_codes:
            c.errors.append(RowError(line, "new_code", _("the code %(code)s already belongs to %(name)s, which is not"
                                                         " among this unit's sources.")
                                     % {"code": t["code"], "name": existing.name}))
        if existing is not None and not existing.is_active:
            c.errors.append(RowError(line, "new_code", _("the unit %(name)s is no longer active.") % {"name": existing.name}))
        if existing is None:
            c.new_codes.append(t["code"])
        parent_code = t.get("parent_code") or ""
        if parent_code and parent_code not in units and parent_code not in target_codes:
            c.errors.append(RowError(line, "new_parent_code", _("there is no unit with code %(code)s.")
                                     % {"code": parent_code}))
        elif parent_code in units and not units[parent_code].is_active:
            c.errors.append(RowError(line, "new_parent_code", _("the unit %(name)s is no longer active.")
                                     % {"name": units[parent_code].name}))
        if not parent_code and existing is None:
            c.errors.append(RowError(line, "new_parent_code", _("choose the unit the new units belong to.")))
        for s in t["sources"]:
            unit = units.get(s["code"])
            if unit is None:
                c.errors.append(RowError(s.get("line", line), "old_code", _("there is no unit with code %(code)s.")
                                         % {"code": s["code"]}))
                continue
            if not unit.is_active:
                c.errors.append(RowError(s.get("line", line), "old_code", _("the unit %(name)s is no longer active.")
                                         % {"name": unit.name}))
            if s["share"] == "full":
                if s["code"] in seen_full:
                    c.errors.append(RowError(s.get("line", line), "old_code",
                                             _("the unit %(code)s goes whole into two units (see line %(line)s).")
                                             % {"code": s["code"], "line": seen_full[s["code"]]}))
                seen_full[s["code"]] = s.get("line", line)
            else:
                partial_of[s["code"]].append(t["code"])
            c.fate.setdefault(s["code"], []).append((t["code"], s["share"]))
    for code, goes in partial_of.items():
        if code in seen_full:
            c.errors.append(RowError(seen_full[code], "old_code", _("the unit %(code)s is listed both whole and in"
                                                                   " part.") % {"code": code}))
    for code in dissolve:
        if code not in units:
            c.errors.append(RowError(0, "", _("there is no unit with code %(code)s.") % {"code": code}))
        elif code in c.fate:
            c.errors.append(RowError(0, "", _("%(name)s is both dissolved and listed as a source.")
                                     % {"name": units[code].name}))
    if c.errors:
        return c
    # What each closing unit becomes: merged or split sources, and dissolved units through their sub-units.
    for code, goes in c.fate.items():
        if any(target == code for target, _share in goes):
            continue  # it continues (and may take in others)
        c.successors[code] = [target for target, _share in goes]
    def through(unit: Unit) -> list[str]:
        found: list[str] = []
        for child in unit.children.filter(active_to__isnull=True).order_by("code"):
            if child.code in c.fate:
                goes = [t for t, _share in c.fate[child.code]]
                found += [child.code] if child.code in goes else goes
            elif child.code in dissolve:
                found += through(child)
            else:
                found.append(child.code)  # it stays, under its parent's successor
        return found

    for code in dissolve:
        unit = units[code]
        c.successors[code] = list(dict.fromkeys(through(unit))) or ([unit.parent.code] if unit.parent_id else [])
    # Who was aimed at a closing unit (an audience, a personnel scope) is aimed at what became of its people: the
    # successors of its sub-units when it had any (Bình Phước's communes, not the whole of the province it merged
    # into), else its own successors.
    for code, successors in c.successors.items():
        unit = units.get(code)
        deep = list(dict.fromkeys(through(unit))) if unit is not None and code not in dissolve else []
        c.heirs[code] = deep or successors
    # Split units' officials must each be allotted to one of the unit's successors; a dissolved unit's own
    # officials may be (to one of its heirs), else they go to its parent.
    names = {u.code: u.name for u in Unit.objects.filter(
        code__in={x for v in list(partial_of.values()) + [c.heirs[d] for d in dissolve] for x in v}
        | {units[d].parent.code for d in dissolve if units[d].parent_id})}
    names.update({t["code"]: t["name"] for t in targets})
    groups = [(code, goes, True) for code, goes in partial_of.items()]
    groups += [(code, c.heirs[code] + ([units[code].parent.code] if units[code].parent_id else []), False)
               for code in dissolve]
    for code, goes, required in groups:
        unit = units.get(code)
        members = list(Official.objects.filter(unit=unit, status=OfficialStatus.ACTIVE).order_by("name_folded"))
        if not members:
            continue
        options = list(dict.fromkeys(goes))
        c.allot[code] = {"unit": unit, "members": members, "required": required,
                         "options": [(o, names.get(o, o)) for o in options]}
        missing = []
        for o in members:
            chosen = allocations.get(o.employee_code.lower())
            if chosen is None:
                missing.append(o.employee_code)
            elif chosen not in options:
                c.errors.append(RowError(0, "", _("%(person)s (%(code)s) is allotted to %(unit)s, which is not one of the"
                                                  " successors of %(source)s.")
                                         % {"person": o.full_name, "code": o.employee_code, "unit": chosen,
                                            "source": unit.name}))
        if missing and required:
            c.unallocated[code] = missing
        elif missing and unit.parent_id:
            c.warnings.append(_("%(n)s officials of %(unit)s, which is dissolved, will go to %(parent)s unless you "
                                "allot them to one of its successors below.")
                              % {"n": len(missing), "unit": unit.name, "parent": unit.parent.name})
    if on is not None:
        later = [u.name for u in units.values() if u.versions.filter(valid_from__gt=on).exists()]
        if later:
            c.warnings.append(_("These units have changes dated after %(date)s, which stay in force: %(units)s.")
                              % {"date": on.strftime("%d/%m/%Y"), "units": ", ".join(sorted(later))})
    return c


# --- Preview ------------------------------------------------------------------------------------------------------

def audience_models() -> list:
    """Every model whose rows choose people by unit (requirements, exams, training sessions…)."""
    return [m for m in apps.get_models() if issubclass(m, Audience)]


def audiences_touching(unit_ids) -> list[dict]:
    """Rows of every audience model that name one of `unit_ids`, or are owned by one: label, object, units."""
    out = []
    for model in audience_models():
        owner = "scope_unit" if any(f.name == "scope_unit" for f in model._meta.fields) else None
        cond = Q(audience_units__in=unit_ids)
        if owner:
            cond |= Q(**{f"{owner}__in": unit_ids})
        for obj in model.objects.filter(cond).distinct().prefetch_related("audience_units"):
            out.append({"model": model._meta.label, "label": str(model._meta.verbose_name), "object": obj,
                        "units": [u for u in obj.audience_units.all() if u.pk in unit_ids],
                        "owner": getattr(obj, f"{owner}_id") if owner else None})
    return out


def personnel_touching(unit_ids) -> list[User]:
    """Personnel officers whose scope is one of these units."""
    from . import roles

    qs = User.objects.filter(groups__name=roles.PERSONNEL, is_active=True)
    grants = getattr(User, "scope_grants", None)
    cond = Q(scope_unit_id__in=unit_ids)
    if grants is not None:
        cond |= Q(scope_grants__unit_id__in=unit_ids)
    return list(qs.filter(cond).distinct().order_by("username"))


@dataclass
class Preview:
    checked: Checked
    lines: list[dict]  # one per target: name, code, new?, sources with officials
    closing: list[dict]  # unit, successors, officials
    personnel: list[dict]
    audiences: list[dict]
    impacts: list[dict]  # from other apps (open sittings…)
    officials_moving: int


def plan_preview(plan: dict, *, on: dt.date) -> Preview:
    """Everything applying the plan would touch, without touching it."""
    c = plan_check(plan, on=on)
    units = c.units
    counts = dict(Official.objects.filter(unit__code__in=set(units), status=OfficialStatus.ACTIVE)
                  .values_list("unit__code").annotate(n=Count("pk")).values_list("unit__code", "n"))
    # Every unit the page names, by the name it will have: today's, or the plan's for its targets.
    named = set(units) | {x for v in list(c.successors.values()) + list(c.heirs.values()) for x in v}
    names = dict(Unit.objects.filter(code__in=named - set(units)).values_list("code", "name"))
    names.update({u.code: u.name for u in units.values()})
    names.update({t["code"]: t["name"] for t in plan.get("targets", [])})
    lines = []
    for t in plan.get("targets", []):
        existing = units.get(t["code"])
        lines.append({
            "code": t["code"], "name": t["name"], "new": existing is None,
            "renamed": existing is not None and existing.name != t["name"], "old_name": existing.name if existing else "",
            "parent": names.get(t.get("parent_code"), t.get("parent_code", "")),
            "sources": [{"code": s["code"], "name": units[s["code"]].name if s["code"] in units else "?",
                         "share": s["share"], "officials": counts.get(s["code"], 0)} for s in t["sources"]],
            "officials": sum(counts.get(s["code"], 0) for s in t["sources"] if s["share"] == "full"),
        })
    closing = [{"unit": units[code], "successors": [{"code": s, "name": names.get(s, s)} for s in c.successors[code]],
                "officials": counts.get(code, 0), "dissolved": code in plan.get("dissolve", []),
                "unallocated": c.unallocated.get(code, [])} for code in c.closing]
    closing_ids = [row["unit"].pk for row in closing]
    code_of = {u.pk: u.code for u in units.values()}
    personnel = []
    for user in personnel_touching(closing_ids):
        mine = set(user.scope_grants.values_list("unit_id", flat=True)) | {user.scope_unit_id}
        gone = [code_of[i] for i in mine if i in closing_ids and i in code_of]
        personnel.append({"user": user, "from": [units[x].name for x in gone],
                          "to": [names.get(h, h) for h in dict.fromkeys(h for x in gone for h in c.heirs.get(x, []))]})
    audiences = []
    for a in audiences_touching(closing_ids):
        codes = list(a["object"].audience_units.values_list("code", flat=True))
        after = c.audience_after(codes, include_subunits=a["object"].audience_include_subunits)
        audiences.append(dict(a, successors=[names.get(x, x) for x in after if x not in codes]))
    impacts = []
    for _receiver, result in reorganisation_impact.send(sender=Unit, unit_ids=closing_ids):
        impacts.extend(result or [])
    moving = sum(counts.get(code, 0) for code in c.closing)
    return Preview(checked=c, lines=lines, closing=closing, personnel=personnel, audiences=audiences,
                   impacts=impacts, officials_moving=moving)
