"""Reads for the coverage reports: status counts per unit and requirement (live, in one aggregate query, or as of a
past day from the dated history, `reports.history`), the unit tree, the names of who is missing, and the assembled
periodic report. The scoping rule is `org.selectors.scope_for`: personnel officers their subtree, administrators
everything."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from lms.models import Assignment, Requirement
from org.models import Unit
from org.selectors import Scope, scope_for

from scoring import coverage

from . import history
from .models import CoverageSnapshot, ExportJob

DONE = list(coverage.DONE_STATUSES)
UNIT_FIELDS = ("id", "parent_id", "path", "depth", "name", "code", "kind", "active_to")
PUBLIC_CACHE_KEY = "reports:public:v2"
PUBLIC_CACHE_SECONDS = 900


class UnitNotOnDate(LookupError):
    """The unit asked for was not in the unit tree on the date asked for (created later, or closed before)."""

    def __init__(self, unit, on: dt.date):
        super().__init__(unit, on)
        self.unit, self.on = unit, on


def can_view_reports(user) -> bool:
    """Coverage reports are for personnel officers (their subtree) and administrators (everything)."""
    return scope_for(user).can_manage


def report_requirements(user) -> QuerySet[Requirement]:
    """Requirements a manager may report on (the LMS's visibility rule), most recent due date last."""
    from lms.selectors import requirements_visible_to

    return requirements_visible_to(user).order_by("due_date", "title", "pk")


def requirements_frame(requirements) -> pd.DataFrame:
    rows = [{"id": r.pk, "title": r.title, "plan_clause": r.plan_clause, "target_percent": float(r.target_percent)}
            for r in requirements]
    return pd.DataFrame(rows, columns=["id", "title", "plan_clause", "target_percent"])


def units_frame(scope: Scope) -> pd.DataFrame:
    """The units a scope covers, with the fields reports show."""
    return pd.DataFrame(list(scope.units().values_list(*UNIT_FIELDS)), columns=list(UNIT_FIELDS))


def root_units(scope: Scope) -> QuerySet[Unit]:
    """Where a scope's report starts: the province (every top unit) for administrators, the officer's units."""
    if scope.all_units:
        return Unit.objects.filter(parent__isnull=True, active_to__isnull=True).order_by("path")
    return scope.units().filter(path__in=scope.unit_paths).order_by("path")


def live_counts(*, scope: Scope, requirement_ids: list[int] | None = None) -> pd.DataFrame:
    """Active assignments per (official's current unit, requirement, status): one GROUP BY over the table."""
    qs = Assignment.objects.filter(active=True)
    if not scope.all_officials:
        qs = qs.filter(scope.path_q("official__unit__path"))
    if requirement_ids is not None:
        qs = qs.filter(requirement_id__in=requirement_ids)
    rows = qs.values_list("official__unit_id", "requirement_id", "status").annotate(n=Count("pk")).order_by()
    return pd.DataFrame(list(rows), columns=["unit_id", "requirement_id", "status", "n"])


@dataclass
class UnitAsOf:
    """A unit as it stood on a date: code, name and kind of that day, and its parent of that day."""

    pk: int
    code: str
    name: str
    kind: str
    parent: UnitAsOf | None = None


@dataclass
class CoverageReport:
    """Roll-up table for some requirements over a scope: live, or as of a past day computed from the history on
    the unit tree of that day (`reports.history`)."""

    table: pd.DataFrame
    requirements: list
    live: bool
    as_of: dt.date  # the day the figures describe: today when live
    scope: Scope = field(repr=False, default=None)
    unit_ids: frozenset = frozenset()  # the units of the report's tree (that day's, for a past day)

    def breakdown(self, *, requirement_id: int, unit_id: int) -> coverage.UnitBreakdown:
        b = coverage.breakdown(self.table, requirement_id=requirement_id, unit_id=unit_id)
        # Closed or merged units stay in today's tree for history; list them only while they still have an audience.
        # (A past day's tree holds only the units of that day, all listed.)
        b.children = [c for c in b.children if c.get("active_to") is None or c["audience"]]
        return b

    def row(self, *, requirement_id: int, unit_id: int) -> dict | None:
        t = self.table
        found = t[(t["requirement_id"] == requirement_id) & (t["unit_id"] == unit_id)]
        return coverage.records(found)[0] if len(found) else None

    def has_unit(self, unit_id: int) -> bool:
        return unit_id in self.unit_ids

    def unit_as_of(self, unit_id: int) -> UnitAsOf | None:
        """The unit with its name, kind and parent of the report's day; None when it was not in that day's tree."""
        units = self.table.drop_duplicates("unit_id").set_index("unit_id")
        chain: list[int] = []
        current = unit_id
        while current is not None and current in units.index and current not in chain:
            chain.append(current)
            parent = units.at[current, "parent_id"]
            current = None if parent is None or pd.isna(parent) else int(parent)
        made = None
        for uid in reversed(chain):
            r = units.loc[uid]
            made = UnitAsOf(pk=int(uid), code=r["code"], name=r["name"], kind=r["kind"], parent=made)
        return made if chain else None

    def ancestors(self, unit_id: int) -> list[dict]:
        """The unit's ancestors in the report (root first), as {code, name}: the breadcrumbs of that day."""
        u = self.unit_as_of(unit_id)
        out = []
        while u is not None and u.parent is not None:
            u = u.parent
            out.insert(0, {"code": u.code, "name": u.name})
        return out


def coverage_report(*, scope: Scope, requirements, on: dt.date | None = None) -> CoverageReport:
    """Coverage of `requirements` over the scope's units, rolled up the tree. With `on` before today, the figures
    are computed from the dated history for the end of that day, on the unit tree of that day."""
    requirements = list(requirements)
    req_ids = [r.pk for r in requirements]
    today = timezone.localdate()
    if on is not None and on < today:
        units = history.scoped_tree(scope, on)
        counts = history.history_counts(on=on, requirement_ids=req_ids,
                                        unit_ids=None if scope.all_units else [int(i) for i in units["id"]])
        live, as_of = False, on
    else:
        units = units_frame(scope)
        counts = live_counts(scope=scope, requirement_ids=None if scope.all_units and _all(req_ids) else req_ids)
        live, as_of = True, today
    table = coverage.rollup(counts, units, requirements_frame(requirements))
    return CoverageReport(table=table, requirements=requirements, live=live, as_of=as_of, scope=scope,
                          unit_ids=frozenset(int(i) for i in units["id"]))


def coverage_rows(report: CoverageReport, *, unit_id: int | None) -> list[dict]:
    """The report's table as flat rows for other systems (the API): per requirement and unit of the report's day,
    the unit's code, name, parent code and depth, its subtree's figures, and the codes of its successors when it
    has been merged away since. A unit's subtree only, when given. A unit closed today is left out of a live
    report where nobody is in its audience (as on the page)."""
    t = report.table
    if unit_id is not None:
        t = t[[f"/{unit_id}/" in p for p in t["path"]]]
    codes = dict(zip(report.table["unit_id"].astype(int), report.table["code"]))
    closed_col = "active_to" if report.live else "closed_on"
    closed = sorted({int(u) for u, c in zip(t["unit_id"], t[closed_col]) if not pd.isna(c)})
    successors = history.successor_notes(closed)
    rows = []
    for r in t.to_dict("records"):
        if report.live and not pd.isna(r["active_to"]) and not r["audience"]:
            continue
        uid = int(r["unit_id"])
        parent = r["parent_id"]
        coverage_value = r["coverage"]
        rows.append({
            "requirement_id": int(r["requirement_id"]), "unit_code": r["code"], "unit_name": r["name"],
            "parent_code": None if pd.isna(parent) else codes.get(int(parent)),
            "depth": int(r["depth"]), "audience": int(r["audience"]), "done": int(r["done"]),
            "in_progress": int(r["in_progress"]), "not_started": int(r["not_started"]), "overdue": int(r["overdue"]),
            "expiring": int(r["expiring"]),
            "coverage_percent": None if pd.isna(coverage_value) else round(float(coverage_value), 2),
            "target_percent": float(r["target_percent"]), "gap": int(r["gap"]),
            "successors": [s["code"] for s in successors.get(uid, [])],
        })
    return rows


def history_notes(lines: list[dict]) -> dict[int, str]:
    """For the unit lines of a past report: what became of each unit since (merged into …, dissolved, renamed),
    by unit id. Units unchanged since are absent."""
    from django.utils.translation import gettext as _

    ids = [int(line["unit_id"]) for line in lines if line.get("unit_id") is not None and not line.get("is_own")]
    if not ids:
        return {}
    today_names = dict(Unit.objects.filter(pk__in=ids).values_list("id", "name"))
    closed = {int(line["unit_id"]): line.get("closed_on") for line in lines if line.get("closed_on")}
    successors = history.successor_notes(closed)
    notes = {}
    for line in lines:
        if line.get("is_own") or line.get("unit_id") is None:
            continue
        uid = int(line["unit_id"])
        if uid in closed:
            day = closed[uid].strftime("%d/%m/%Y")
            if successors.get(uid):
                notes[uid] = _("Merged into %(successors)s from %(date)s.") % {
                    "successors": ", ".join(s["name"] for s in successors[uid]), "date": day}
            else:
                notes[uid] = _("Dissolved from %(date)s.") % {"date": day}
        elif today_names.get(uid) and today_names[uid] != line.get("name"):
            notes[uid] = _("Now named %(name)s.") % {"name": today_names[uid]}
    return notes


def _all(req_ids: list[int]) -> bool:
    # Skipping a long IN list when every requirement is asked for keeps the administrator's query the plain GROUP BY.
    return len(req_ids) == Requirement.objects.count()


def trend_series(*, requirement: Requirement, unit: Unit, since: dt.date | None = None) -> pd.DataFrame:
    """Per snapshot date: the unit subtree's audience and done for one requirement (one aggregate query)."""
    qs = CoverageSnapshot.objects.filter(requirement=requirement, unit_path__startswith=unit.path)
    if since is not None:
        qs = qs.filter(date__gte=since)
    rows = (qs.values("date").annotate(done=Sum(F("completed") + F("expiring")),
                                       audience=Sum(F("completed") + F("expiring") + F("in_progress")
                                                    + F("not_started") + F("overdue")))
            .order_by("date").values_list("date", "audience", "done"))
    return pd.DataFrame(list(rows), columns=["date", "audience", "done"])


def missing_assignments(*, scope: Scope, requirement: Requirement, unit: Unit, status: str = ""
                        ) -> QuerySet[Assignment]:
    """Active assignments in a unit's subtree that are not completed (or completed and still valid), with the
    official and their unit, ordered by unit then name. `status` narrows to one status."""
    qs = (Assignment.objects.filter(active=True, requirement=requirement, official__unit__path__startswith=unit.path)
          .exclude(status__in=DONE)
          .select_related("official", "official__unit")
          .order_by("official__unit__path", "official__name_folded", "pk"))
    if not scope.all_officials:
        qs = qs.filter(scope.path_q("official__unit__path"))
    if status and status not in DONE:
        qs = qs.filter(status=status)
    return qs


# --- The periodic report ---------------------------------------------------------------------------------------

@dataclass
class Section:
    requirement: Requirement
    lines: list[dict]  # children, then the unit's own staff, each with `label` (and `note` on a past report)
    total: dict


@dataclass
class PeriodReport:
    """What goes on the report a unit sends upward for a period."""

    unit: Unit | UnitAsOf  # as it stood at the period's end (name, kind and parent of that day)
    period: str
    year: int
    end: dt.date
    as_of: dt.date
    live: bool
    sections: list[Section]
    generated_at: dt.datetime
    notes: list[str] = field(default_factory=list)  # what became of the report's units since, for a past period


def report_lines(b: coverage.UnitBreakdown, *, unit_name: str, own_label: str) -> list[dict]:
    """The lines of one table: each child unit, then the unit's own staff when it has any."""
    lines = [dict(c, label=c["name"]) for c in b.children]
    if b.own:
        lines.append(dict(b.own, label=own_label % {"unit": unit_name}, code="", is_own=True))
    return lines


def period_report(*, scope: Scope, unit: Unit, period: str, year: int, requirements,
                  today: dt.date | None = None) -> PeriodReport:
    """The periodic report for a unit: per requirement, its child units' and own staff's figures as of the
    period's end, on the unit tree of that day with its names (live while the period is still running). Raises
    UnitNotOnDate when the unit was not in the tree at the period's end."""
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    end = coverage.period_end(period, year)
    on = None if end >= today else end
    report = coverage_report(scope=scope, requirements=requirements, on=on)
    shown: Unit | UnitAsOf = unit
    if not report.live:
        shown = report.unit_as_of(unit.pk)
        if shown is None:
            raise UnitNotOnDate(unit, end)
    own_label = _("%(unit)s (officials of the unit itself)")
    sections = []
    for r in report.requirements:
        b = report.breakdown(requirement_id=r.pk, unit_id=unit.pk)
        sections.append(Section(requirement=r, lines=report_lines(b, unit_name=shown.name, own_label=own_label),
                                total=b.total))
    notes: list[str] = []
    if not report.live and sections:
        by_unit = history_notes([sections[0].total, *sections[0].lines])
        for s in sections:
            for line in s.lines:
                if not line.get("is_own") and int(line["unit_id"]) in by_unit:
                    line["note"] = by_unit[int(line["unit_id"])]
        for line in [sections[0].total, *sections[0].lines]:
            if not line.get("is_own") and int(line["unit_id"]) in by_unit:
                notes.append(f"{line['name']}: {by_unit[int(line['unit_id'])]}")
    return PeriodReport(unit=shown, period=period, year=year, end=end, as_of=report.as_of, live=report.live,
                        sections=sections, generated_at=timezone.now(), notes=notes)


# --- Public page --------------------------------------------------------------------------------------------------

def public_coverage() -> dict:
    """Province-wide coverage of the active requirements, aggregates only, cached: {"as_of", "requirements",
    "rows"} where rows carry unit ids, names and figures, never people, and no result of a group smaller than
    PUBLIC_MIN_GROUP_SIZE (`coverage.suppress_small_groups`)."""
    data = cache.get(PUBLIC_CACHE_KEY)
    if data is not None:
        return data
    requirements = list(Requirement.objects.filter(is_active=True).order_by("due_date", "title", "pk"))
    report = coverage_report(scope=Scope(all_units=True, all_officials=True), requirements=requirements)
    keep = ["requirement_id", "unit_id", "parent_id", "depth", "path", "name", "code", "kind", "active_to", "audience",
            "done",
            "in_progress", "not_started", "overdue", "coverage", "target_percent", "gap", "own_audience", "own_done",
            "own_expiring", "own_in_progress", "own_not_started", "own_overdue"]
    data = {
        "as_of": report.as_of,
        "requirements": [{"id": r.pk, "title": r.title, "plan_clause": r.plan_clause,
                          "target_percent": float(r.target_percent), "due_date": r.due_date} for r in requirements],
        "rows": coverage.suppress_small_groups(coverage.records(report.table[keep]),
                                               minimum=settings.PUBLIC_MIN_GROUP_SIZE),
    }
    cache.set(PUBLIC_CACHE_KEY, data, PUBLIC_CACHE_SECONDS)
    return data


# --- Export jobs ----------------------------------------------------------------------------------------------------

def export_jobs_visible_to(user) -> QuerySet[ExportJob]:
    """A person's own export jobs (the files carry names: nobody else may download them)."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(created_by=user)


def report_scope(user) -> Scope:
    """The user's scope for reports (see `can_view_reports`)."""
    return scope_for(user)
