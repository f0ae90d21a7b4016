"""The reports' API: the status of one's own export jobs (in the shape every job page polls, common.jobs), and the
figures of the quarterly report for other systems: the requirements one may report on and coverage per unit and
requirement as of any date, scoped as the report pages are (personnel officers their subtree, administrators
everything)."""
import datetime as dt

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from common.jobs import JobStatusOut
from org.selectors import Scope, scope_for

from . import selectors
from .forms import parse_day
from .models import ExportJob
from .services import unit_not_on_date_message

router = Router(tags=["reports"])


class ExportJobOut(JobStatusOut):
    error: str
    download: str | None

    @staticmethod
    def resolve_download(obj) -> str | None:
        return reverse("reports:export_download", args=[obj.pk]) if obj.status == ExportJob.Status.DONE else None


@router.get("/reports/exports/{job_id}", response=ExportJobOut, summary="Status and progress of an export")
def get_export(request, job_id: int):
    return get_object_or_404(selectors.export_jobs_visible_to(request.user), pk=job_id)


def _scope(request) -> Scope:
    scope = scope_for(request.user)
    if not scope.can_manage:
        raise HttpError(403, _("Coverage reports are for personnel officers and administrators."))
    return scope


class RequirementOut(Schema):
    id: int
    title: str
    plan_clause: str
    due_date: dt.date | None
    target_percent: float
    validity_months: int | None
    is_active: bool


@router.get("/reports/requirements", response=list[RequirementOut],
            summary="Training requirements the caller may report on")
def list_requirements(request):
    _scope(request)
    return list(selectors.report_requirements(request.user))


class CoverageQuery(Schema):
    on: str = Field("", description="The day (yyyy-mm-dd; dd/mm/yyyy also accepted), today when empty. Figures are "
                                    "those at the end of that day, on the unit tree and names of that day.")
    requirement: int | None = Field(None, description="One requirement (its id); all the caller may report on when "
                                                      "empty.")
    unit: str = Field("", description="A unit code: that unit and its sub-units as of the day; the caller's whole "
                                      "scope when empty.")


class CoverageRowOut(Schema):
    requirement_id: int
    unit_code: str
    unit_name: str = Field(description="The unit's name on the day asked for")
    parent_code: str | None
    depth: int
    audience: int
    done: int = Field(description="Completed and still valid (expiring ones included)")
    in_progress: int
    not_started: int
    overdue: int
    expiring: int
    coverage_percent: float | None = Field(description="done ÷ audience × 100; null when nobody is in the audience")
    target_percent: float
    gap: int = Field(description="How many more must complete to reach the target")
    successors: list[str] = Field(description="For a unit merged away since: the codes of the units that carry it "
                                              "on today")


class CoverageOut(Schema):
    as_of: dt.date
    live: bool = Field(description="True for today's figures; false for a past day computed from the history")
    rows: list[CoverageRowOut]


@router.get("/reports/coverage", response=CoverageOut,
            summary="Coverage per unit and requirement as of a date (the quarterly report's figures)")
def coverage_as_of(request, filters: Query[CoverageQuery]):
    scope = _scope(request)
    today = timezone.localdate()
    on = today
    if filters.on.strip():
        on = parse_day(filters.on)
        if on is None:
            raise HttpError(422, _("“%(value)s” is not a date: write it as yyyy-mm-dd (or dd/mm/yyyy).")
                            % {"value": filters.on.strip()[:40]})
        if on > today:
            raise HttpError(422, _("%(date)s is in the future: coverage can be given up to today.")
                            % {"date": on.strftime("%d/%m/%Y")})
    requirements = selectors.report_requirements(request.user)
    if filters.requirement is not None:
        requirements = [get_object_or_404(requirements, pk=filters.requirement)]
    unit = get_object_or_404(scope.units(), code=filters.unit.strip()) if filters.unit.strip() else None
    report = selectors.coverage_report(scope=scope, requirements=requirements, on=on)
    if unit is not None and not report.has_unit(unit.pk):
        raise HttpError(404, unit_not_on_date_message(selectors.UnitNotOnDate(unit, on)))
    rows = selectors.coverage_rows(report, unit_id=unit.pk if unit else None)
    return {"as_of": report.as_of, "live": report.live, "rows": rows}
