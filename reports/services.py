"""Writes for the coverage reports: the nightly snapshot and the export jobs. Safe to run twice."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.jobs import OPEN
from org.models import Unit
from org.selectors import Scope, scope_for

from scoring import coverage

from . import exports
from . import selectors as sel
from .models import CoverageSnapshot, ExportJob

logger = logging.getLogger(__name__)
EXPORT_KEEP_DAYS = 7


@transaction.atomic
def snapshot_take(*, on: dt.date | None = None) -> int:
    """Record every unit's own status counts per requirement as they stand now, dated `on` (today). Re-running
    for the same date replaces that date's rows. Returns the number of rows written."""
    on = on or timezone.localdate()
    counts = sel.live_counts(scope=Scope(all_units=True, all_officials=True))
    wide = coverage.wide_counts(counts)
    paths = dict(Unit.objects.values_list("id", "path"))
    CoverageSnapshot.objects.filter(date=on).delete()
    rows = [CoverageSnapshot(date=on, requirement_id=int(r.requirement_id), unit_id=int(r.unit_id),
                             unit_path=paths.get(int(r.unit_id), ""), completed=int(r.completed),
                             expiring=int(r.expiring), in_progress=int(r.in_progress), not_started=int(r.not_started),
                             overdue=int(r.overdue))
            for r in wide.itertuples(index=False)]
    CoverageSnapshot.objects.bulk_create(rows, batch_size=2000)
    cache.delete(sel.PUBLIC_CACHE_KEY)
    return len(rows)


# --- Export jobs ----------------------------------------------------------------------------------------------------

@transaction.atomic
def export_job_create(*, user, kind: str, fmt: str, params: dict, title: str) -> ExportJob:
    """Queue a large export (run after the commit); the person follows it on the job's page."""
    from .tasks import export_job_run_task

    if kind not in ExportJob.Kind.values or fmt not in ExportJob.Format.values:
        raise ValidationError(_("Unknown export."))
    job = ExportJob.objects.create(kind=kind, fmt=fmt, params=params, title=title[:255], created_by=user)
    transaction.on_commit(lambda: export_job_run_task.delay(job_id=job.pk))
    return job


def _build_missing(job: ExportJob, scope: Scope, report) -> tuple[bytes, str, int]:
    p = job.params
    requirement = sel.report_requirements(job.created_by).filter(pk=p["requirement_id"]).first()
    unit = scope.units().filter(pk=p["unit_id"]).first()
    if requirement is None or unit is None:
        raise PermissionDenied
    qs = sel.missing_assignments(scope=scope, requirement=requirement, unit=unit, status=p.get("status", ""))
    total = qs.count()
    report(0, total)
    rows = qs.iterator(chunk_size=2000)
    name = exports.file_name(exports.missing_title(requirement.title, unit.name), job.fmt)
    if job.fmt == ExportJob.Format.XLSX:
        data = exports.missing_xlsx(rows, title=f"{requirement.title} — {unit.name}",
                                    progress=lambda done: report(done, total))
    else:
        data = exports.missing_csv(rows, progress=lambda done: report(done, total))
    return data, name, total


def _build_period(job: ExportJob, scope: Scope, report) -> tuple[bytes, str, int]:
    p = job.params
    unit = scope.units().filter(pk=p["unit_id"]).first()
    if unit is None:
        raise PermissionDenied
    requirements = sel.report_requirements(job.created_by)
    if p.get("requirement_ids"):
        requirements = requirements.filter(pk__in=p["requirement_ids"])
    report(0, 1)
    rep = sel.period_report(scope=scope, unit=unit, period=p["period"], year=int(p["year"]), requirements=requirements)
    if job.fmt == ExportJob.Format.PDF:
        data = exports.period_report_pdf(rep)
    else:
        data = exports.period_report_xlsx(rep)
    return data, exports.period_file_name(rep, job.fmt), sum(len(s.lines) for s in rep.sections)


def unit_not_on_date_message(exc: sel.UnitNotOnDate) -> str:
    """What a person reads when they ask for a unit on a day it did not exist."""
    return _("%(unit)s was not in the unit tree on %(date)s (it was created later or had closed before), so "
             "there is no report for it on that day.") % {"unit": exc.unit.name, "date": exc.on.strftime("%d/%m/%Y")}


def export_job_run(*, job_id: int) -> ExportJob:
    """Build the file of an export job with the scope its owner has now. A finished job is left as it is."""
    job, claimed = ExportJob.claim(job_id)
    if not claimed:
        return job
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            scope = scope_for(job.created_by)
            if not scope.can_manage:
                raise PermissionDenied
            build = _build_missing if job.kind == ExportJob.Kind.MISSING else _build_period
            data, name, rows = build(job, scope, job.progress_report)
            job.file.save(name, ContentFile(data), save=False)
            job.file_name, job.total_rows, status = name, rows, ExportJob.Status.DONE
        except PermissionDenied:
            status, job.error = ExportJob.Status.FAILED, _("You no longer have access to these figures.")
        except sel.UnitNotOnDate as exc:
            status = ExportJob.Status.FAILED
            job.error = unit_not_on_date_message(exc)
        except Exception:  # noqa: BLE001 — the person must see a failed job, never a spinner that never ends
            logger.exception("export job %s failed", job_id)
            status, job.error = ExportJob.Status.FAILED, _("The export failed; please try again.")
        job.finish(status, fields=["file", "file_name", "total_rows", "error"])
    job.progress_clear()
    return job


def export_jobs_purge(*, older_than: dt.timedelta = dt.timedelta(days=EXPORT_KEEP_DAYS)) -> int:
    """Delete export files and jobs older than a week (they hold names), and fail jobs left running by a worker
    that died. Returns how many jobs were removed."""
    now = timezone.now()
    ExportJob.fail_stale(older_than=dt.timedelta(hours=2), statuses=OPEN,
                         error=_("The export was interrupted; please start it again."))
    removed = 0
    for job in ExportJob.objects.filter(created_at__lt=now - older_than):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
