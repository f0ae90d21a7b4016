"""Reads for the coverage reports: status counts per unit and requirement (live, in one aggregate query, or from a
nightly snapshot), the unit tree, the names of who is missing, and the assembled periodic report. The scoping rule
is `org.selectors.scope_for`: personnel officers their subtree, administrators everything."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max, QuerySet, Sum
from django.utils import timezone

from lms.models import Assignment, Requirement
from org.models import Unit
from org.selectors import Scope, scope_for

from scoring import coverage
from .models import CoverageSnapshot, ExportJob

DONE = list(coverage.DONE_STATUSES)
UNIT_FIELDS = ("id", "parent_id", "path", "depth", "name", "code", "kind", "active_to")
# A periodic report reads the snapshot taken at the period's end; one older than this is not that period's figure.
SNAPSHOT_MAX_AGE_DAYS = 31
PUBLIC_CACHE_KEY = "reports:public:v2"
PUBLIC_CACHE_SECONDS = 900


class NoSnapshot(LookupError):
    """No figures were recorded for the date asked for."""


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


def snapshot_date_on(on: dt.date, *, requirement_ids: list[int] | None = None) -> dt.date | None:
    """The latest snapshot date on or before `on`, or None."""
    qs = CoverageSnapshot.objects.filter(date__lte=on)
    if requirement_ids is not None:
        qs = qs.filter(requirement_id__in=requirement_ids)
    return qs.aggregate(d=Max("date"))["d"]


def snapshot_counts(*, scope: Scope, date: dt.date, requirement_ids: list[int] | None = None
                    ) -> tuple[pd.DataFrame, dict[int, str]]:
    """The status counts stored for a date, in `live_counts`' shape, and where each unit stood in the tree then."""
    qs = CoverageSnapshot.objects.filter(date=date)
    if not scope.all_officials:
        qs = qs.filter(scope.path_q("unit_path"))
    if requirement_ids is not None:
        qs = qs.filter(requirement_id__in=requirement_ids)
    cols = ["unit_id", "requirement_id", "unit_path", *coverage.STATUSES]
    wide = pd.DataFrame(list(qs.values_list(*cols)), columns=cols)
    paths = dict(zip(wide["unit_id"].astype(int), wide["unit_path"]))
    long = wide.melt(id_vars=["unit_id", "requirement_id"], value_vars=list(coverage.STATUSES), var_name="status",
                     value_name="n")
    return long[long["n"] > 0].reset_index(drop=True), paths


@dataclass
class CoverageReport:
    """Roll-up table for some requirements over a scope, live or as recorded on `as_of`."""

    table: pd.DataFrame
    requirements: list
    live: bool
    as_of: dt.date  # the day the figures describe: today when live, the snapshot's date otherwise
    scope: Scope = field(repr=False, default=None)

    def breakdown(self, *, requirement_id: int, unit_id: int) -> coverage.UnitBreakdown:
        b = coverage.breakdown(self.table, requirement_id=requirement_id, unit_id=unit_id)
        # Closed or merged units stay in the tree for history; list them only while they still have an audience.
        b.children = [c for c in b.children if c.get("active_to") is None or c["audience"]]
        return b

    def row(self, *, requirement_id: int, unit_id: int) -> dict | None:
        t = self.table
        found = t[(t["requirement_id"] == requirement_id) & (t["unit_id"] == unit_id)]
        return coverage.records(found)[0] if len(found) else None


def coverage_report(*, scope: Scope, requirements, on: dt.date | None = None) -> CoverageReport:
    """Coverage of `requirements` over the scope's units, rolled up the tree. With `on` before today, the figures
    come from the latest snapshot on or before that day (raises NoSnapshot when there is none)."""
    requirements = list(requirements)
    req_ids = [r.pk for r in requirements]
    units = units_frame(scope)
    today = timezone.localdate()
    if on is None or on >= today:
        counts = live_counts(scope=scope, requirement_ids=None if scope.all_units and _all(req_ids) else req_ids)
        live, as_of = True, today
    else:
        as_of = snapshot_date_on(on, requirement_ids=req_ids)
        if as_of is None:
            raise NoSnapshot(on)
        counts, paths = snapshot_counts(scope=scope, date=as_of, requirement_ids=req_ids)
        # Roll the past up the tree as it stood then.
        units["path"] = [paths.get(int(i), p) for i, p in zip(units["id"], units["path"])]
        live = False
    table = coverage.rollup(counts, units, requirements_frame(requirements))
    return CoverageReport(table=table, requirements=requirements, live=live, as_of=as_of, scope=scope)


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
    lines: list[dict]  # children, then the unit's own staff, each with `label`
    total: dict


@dataclass
class PeriodReport:
    """What goes on the report a unit sends upward for a period."""

    unit: Unit
    period: str
    year: int
    end: dt.date
    as_of: dt.date
    live: bool
    sections: list[Section]
    generated_at: dt.datetime


def report_lines(b: coverage.UnitBreakdown, *, unit_name: str, own_label: str) -> list[dict]:
    """The lines of one table: each child unit, then the unit's own staff when it has any."""
    lines = [dict(c, label=c["name"]) for c in b.children]
    if b.own:
        lines.append(dict(b.own, label=own_label % {"unit": unit_name}, code="", is_own=True))
    return lines


def period_report(*, scope: Scope, unit: Unit, period: str, year: int, requirements,
                  today: dt.date | None = None) -> PeriodReport:
    """The periodic report for a unit: per requirement, its child units' and own staff's figures as of the
    period's end (a snapshot, or live while the period is still running). Raises NoSnapshot when the period is
    over and no snapshot was taken close enough to its end."""
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    end = coverage.period_end(period, year)
    on = None if end >= today else end
    report = coverage_report(scope=scope, requirements=requirements, on=on)
    if on is not None and (on - report.as_of).days > SNAPSHOT_MAX_AGE_DAYS:
        raise NoSnapshot(on)
    own_label = _("%(unit)s (officials of the unit itself)")
    sections = []
    for r in report.requirements:
        b = report.breakdown(requirement_id=r.pk, unit_id=unit.pk)
        sections.append(Section(requirement=r, lines=report_lines(b, unit_name=unit.name, own_label=own_label),
                                total=b.total))
    return PeriodReport(unit=unit, period=period, year=year, end=end, as_of=report.as_of, live=report.live,
                        sections=sections, generated_at=timezone.now())


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
