"""Coverage report pages, exports and the public transparency page. Thin: figures come from
`coverage_selectors`, files from `exports`, jobs from `coverage_services`; scoping from `org.selectors.scope_for`."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.views import content_disposition, download
from lms.models import Assignment
from org.models import Unit
from org.selectors import Scope, scope_for, unit_ancestors

from scoring import coverage

from .. import exports
from .. import selectors as sel
from ..forms import PeriodExportForm, parse_day
from ..models import ExportJob
from ..services import export_job_create, unit_not_on_date_message

# Names lists up to this many rows are sent at once; longer ones are built by a Celery task with a progress bar.
INLINE_EXPORT_ROWS = 2000
# Periodic reports in PDF with more table lines than this (about two pages) are built by a Celery task too.
INLINE_PDF_LINES = 60
TREND_DAYS = 366


def _scope(request) -> Scope:
    scope = scope_for(request.user)
    if not scope.can_manage:
        raise PermissionDenied(_("Coverage reports are for personnel officers and administrators."))
    return scope


def _unit(scope: Scope, code: str | None) -> Unit:
    """The unit asked for, inside the scope (404 outside it), or where the scope's report starts."""
    if code:
        return get_object_or_404(scope.units().select_related("parent"), code=code)
    unit = sel.root_units(scope).select_related("parent").first()
    if unit is None:
        raise Http404(_("There is no unit to report on."))
    return unit


def _requirement(request, value: str | None, *, required: bool = False):
    if not value:
        if required:
            raise Http404(_("Choose a requirement."))
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404(_("Choose a requirement.")) from None
    return get_object_or_404(sel.report_requirements(request.user), pk=pk)


def _breadcrumbs(scope: Scope, unit: Unit) -> list[Unit]:
    return [u for u in unit_ancestors(unit) if scope.covers_unit(u)]


def _query(**params) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@login_required
@require_GET
def coverage_page(request):
    """The coverage report: all requirements for a unit, or one requirement by child unit, live or as of a date."""
    scope = _scope(request)
    unit = _unit(scope, request.GET.get("don-vi"))
    requirement = _requirement(request, request.GET.get("yc"))
    all_requirements = list(sel.report_requirements(request.user))
    raw_day = request.GET.get("ngay", "").strip()
    on = parse_day(raw_day) if raw_day else None
    if raw_day and on is None:
        messages.error(request, _("“%(value)s” is not a date (dd/mm/yyyy); showing today's figures.")
                       % {"value": raw_day})
    chosen = [requirement] if requirement else all_requirements
    report = sel.coverage_report(scope=scope, requirements=chosen, on=on)
    if not report.live and not report.has_unit(unit.pk):
        messages.warning(request, unit_not_on_date_message(sel.UnitNotOnDate(unit, report.as_of))
                         + " " + _("Showing today's figures."))
        report = sel.coverage_report(scope=scope, requirements=chosen)
    day_param = report.as_of.isoformat() if not report.live else ""
    shown = unit if report.live else report.unit_as_of(unit.pk)
    ctx = {
        "unit": unit, "unit_name": shown.name, "requirement": requirement, "requirements": all_requirements,
        "report": report, "day": day_param, "today": timezone.localdate(),
        "breadcrumbs": _breadcrumbs(scope, unit) if report.live else report.ancestors(unit.pk),
        "roots": [] if scope.all_units else list(sel.root_units(scope)),
        "period_form": PeriodExportForm(initial={"ky": "q1", "nam": timezone.localdate().year, "dinh_dang": "xlsx"}),
    }
    if requirement is None:
        rows = []
        for r in all_requirements:
            line = report.row(requirement_id=r.pk, unit_id=unit.pk)
            if line:
                rows.append(dict(line, requirement=r, label=r.title, code=""))
        if request.GET.get("format") == "csv":
            return download(_overview_csv(rows), f"bao-phu-{unit.code}.csv", exports.CSV)
        ctx["overview"] = rows
        return render(request, "reports/coverage.html", ctx)

    b = report.breakdown(requirement_id=requirement.pk, unit_id=unit.pk)
    lines = sel.report_lines(b, unit_name=shown.name, own_label=_("%(unit)s (officials of the unit itself)"))
    if not report.live:
        notes = sel.history_notes(lines)
        lines = [dict(line, note=notes.get(line.get("unit_id"), "")) for line in lines]
    if request.GET.get("format") == "csv":
        return download(exports.lines_csv(lines, b.total, total_label=shown.name),
                        f"bao-phu-{requirement.pk}-{unit.code}.csv", exports.CSV)
    series = sel.trend_series(requirement=requirement, unit=unit, since=report.as_of - dt.timedelta(days=TREND_DAYS))
    series = series[series["date"] <= report.as_of] if len(series) else series
    ctx.update(lines=lines, total=b.total,
               trend=coverage.trend(series, target_percent=float(requirement.target_percent)))
    return render(request, "reports/coverage.html", ctx)


def _overview_csv(rows: list[dict]) -> bytes:
    header = [_("Requirement"), _("Plan clause"), *exports.figure_header()[2:]]
    return exports.csv_bytes(header, [[r["requirement"].title, r["requirement"].plan_clause,
                                       *exports.figure_row(r)[2:]] for r in rows])


@login_required
def missing_page(request):
    """Who in a unit's subtree has not completed a requirement, with their status and due date (live)."""
    scope = _scope(request)
    params = request.POST if request.method == "POST" else request.GET
    unit = _unit(scope, params.get("don-vi"))
    requirement = _requirement(request, params.get("yc"), required=True)
    status = params.get("trang-thai", "")
    if status not in {s for s in Assignment.Status.values if s not in coverage.DONE_STATUSES}:
        status = ""
    qs = sel.missing_assignments(scope=scope, requirement=requirement, unit=unit, status=status)
    if request.method == "POST":
        return _missing_export(request, qs, unit=unit, requirement=requirement, status=status,
                               fmt=params.get("dinh-dang", "csv"))
    if request.method != "GET":
        return HttpResponse(status=405)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    statuses = [(s, label) for s, label in Assignment.Status.choices if s not in coverage.DONE_STATUSES]
    return render(request, "reports/missing.html", {
        "unit": unit, "requirement": requirement, "page": page, "status": status, "statuses": statuses,
        "breadcrumbs": _breadcrumbs(scope, unit), "inline_max": INLINE_EXPORT_ROWS,
        "query": _query(yc=requirement.pk, **{"don-vi": unit.code, "trang-thai": status}),
    })


def _missing_export(request, qs, *, unit, requirement, status, fmt):
    if fmt not in (ExportJob.Format.CSV, ExportJob.Format.XLSX):
        fmt = ExportJob.Format.CSV
    total = qs.count()
    if total <= INLINE_EXPORT_ROWS:
        name = exports.file_name(exports.missing_title(requirement.title, unit.name), fmt)
        if fmt == ExportJob.Format.XLSX:
            data = exports.missing_xlsx(qs, title=f"{requirement.title} — {unit.name}")
            return download(data, name, exports.XLSX)
        return download(exports.missing_csv(qs), name, exports.CSV)
    job = export_job_create(
        user=request.user, kind=ExportJob.Kind.MISSING, fmt=fmt,
        params={"requirement_id": requirement.pk, "unit_id": unit.pk, "status": status, "language": get_language()},
        title=exports.missing_title(requirement.title, unit.name))
    return redirect("reports:export_job", pk=job.pk)


@login_required
def period_export(request):
    """The periodic report (Q1, 6 months, 9 months, year) of a unit as Excel or PDF. The report page's form posts:
    both formats are then built the same way, as an export job whose page offers the file. A GET (a saved link)
    answers with the file at once unless the PDF is long."""
    scope = _scope(request)
    params = request.POST if request.method == "POST" else request.GET
    unit = _unit(scope, params.get("don-vi"))
    requirement = _requirement(request, params.get("yc"))
    form = PeriodExportForm.from_query(params)
    back = reverse("reports:coverage") + _query(yc=requirement.pk if requirement else "", **{"don-vi": unit.code})
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(back)
    d = form.cleaned_data
    requirements = [requirement] if requirement else list(sel.report_requirements(request.user))
    if request.method == "POST":
        return _period_job(request, unit=unit, requirement=requirement, d=d)
    try:
        report = sel.period_report(scope=scope, unit=unit, period=d["ky"], year=d["nam"], requirements=requirements)
    except sel.UnitNotOnDate as exc:
        messages.error(request, unit_not_on_date_message(exc))
        return redirect(back)
    if d["dinh_dang"] == ExportJob.Format.PDF:
        if sum(len(s.lines) + 1 for s in report.sections) > INLINE_PDF_LINES:
            # WeasyPrint lays out about three pages a second: a long report is built in the background.
            return _period_job(request, unit=unit, requirement=requirement, d=d)
        return download(exports.period_report_pdf(report), exports.period_file_name(report, "pdf"), exports.PDF)
    return download(exports.period_report_xlsx(report), exports.period_file_name(report, "xlsx"), exports.XLSX)


def _period_job(request, *, unit, requirement, d):
    job = export_job_create(
        user=request.user, kind=ExportJob.Kind.PERIOD, fmt=d["dinh_dang"],
        params={"unit_id": unit.pk, "period": d["ky"], "year": d["nam"],
                "requirement_ids": [requirement.pk] if requirement else [], "language": get_language()},
        title=exports.period_report_name(d["ky"], d["nam"], unit.name))
    return redirect("reports:export_job", pk=job.pk)


@login_required
def export_job_page(request, pk: int):
    job = get_object_or_404(sel.export_jobs_visible_to(request.user), pk=pk)
    return render(request, "reports/export_job.html", {"job": job, "progress": job.progress})


@login_required
def export_download(request, pk: int):
    job = get_object_or_404(sel.export_jobs_visible_to(request.user), pk=pk, status=ExportJob.Status.DONE)
    if not job.file:
        raise Http404
    types = {"csv": exports.CSV, "xlsx": exports.XLSX, "pdf": exports.PDF}
    response = FileResponse(job.file.open("rb"), content_type=types.get(job.fmt, "application/octet-stream"))
    response["Content-Disposition"] = content_disposition(job.file_name or f"{job.pk}.{job.fmt}")
    return response


# --- Public ------------------------------------------------------------------------------------------------------

@require_GET
def public_page(request):
    """Coverage by unit for everyone, without signing in: aggregates only, never a name."""
    data = sel.public_coverage()
    reqs = data["requirements"]
    req = None
    raw = request.GET.get("yc", "")
    if raw:
        req = next((r for r in reqs if str(r["id"]) == raw), None)
        if req is None:
            raise Http404(_("No such requirement."))
    elif reqs:
        req = reqs[0]
    rows = [r for r in data["rows"] if req and r["requirement_id"] == req["id"]]
    by_code = {r["code"]: r for r in rows}
    code = request.GET.get("don-vi", "")
    if code:
        unit = by_code.get(code)
        if unit is None:
            raise Http404(_("No such unit."))
    else:
        unit = next((r for r in rows if r["parent_id"] is None and r["active_to"] is None), None)
    children = sorted((r for r in rows if unit and r["parent_id"] == unit["unit_id"]
                       and (r["active_to"] is None or r["audience"] or r["suppressed"])), key=coverage.child_order)
    crumbs = []
    if unit:
        ids = [int(p) for p in unit["path"].strip("/").split("/")[:-1] if p]
        by_id = {r["unit_id"]: r for r in rows}
        crumbs = [by_id[i] for i in ids if i in by_id]
    lines = [dict(c, label=c["name"]) for c in children]
    own = coverage.own_line(unit) if unit else None
    if own:
        lines.append(dict(own, label=_("%(unit)s (officials of the unit itself)") % {"unit": unit["name"]}, code="",
                          is_own=True))
    minimum = settings.PUBLIC_MIN_GROUP_SIZE
    if request.GET.get("format") == "csv" and unit:
        table = exports.lines_csv([_marked(line, minimum) for line in lines], _marked(unit, minimum),
                                  total_label=unit["name"])
        return download(table, exports.file_name(f"{req['title']} — {unit['name']}", "csv"), exports.CSV)
    withheld = [line["suppressed"] for line in [*lines, unit or {}] if line.get("suppressed")]
    return render(request, "reports/public.html", {"requirements": reqs, "requirement": req, "unit": unit,
                                                   "lines": lines, "crumbs": crumbs, "as_of": data["as_of"],
                                                   "minimum": minimum, "withheld": set(withheld),
                                                   "small_mark": f"< {minimum}", "withheld_mark": WITHHELD_MARK})


WITHHELD_MARK = "×"


def _marked(line: dict, minimum: int) -> dict:
    """A line for the public CSV: withheld figures marked as the page marks them ("< 5", "×")."""
    if not line.get("suppressed"):
        return line
    marked = {**line, **{name: WITHHELD_MARK for name in coverage.RESULTS}}
    if line["suppressed"] == coverage.SMALL:
        marked["audience"] = f"< {minimum}"
    return marked
