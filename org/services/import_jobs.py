"""Import jobs: an uploaded roster or unit-tree file stored, then read (`org.parsing`), checked whole and written
(`roster_apply`, `units_apply`) in one transaction by a Celery task, or refused with every error; progress is kept
in the cache because the import's own transaction hides it."""
from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import parsing
from ..models import ImportJob, Official, User
from ..selectors import Scope, scope_for
from .base import roster_changed_on_commit
from .roster import roster_apply
from .units import units_apply

logger = logging.getLogger("org.services")


@transaction.atomic
def import_job_create(*, user: User, kind: str, uploaded_file) -> ImportJob:
    """Store an uploaded roster or unit file and queue its import (run after the commit)."""
    from django.conf import settings

    from ..tasks import import_job_run_task

    name = uploaded_file.name.rsplit("/", 1)[-1]
    if not name.lower().endswith((".xlsx", ".csv", ".txt")):
        raise ValidationError(_("Only .xlsx and .csv files can be imported."))
    if uploaded_file.size > settings.IMPORT_MAX_FILE_SIZE:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_FILE_SIZE // 2**20})
    job = ImportJob.objects.create(kind=kind, file=uploaded_file, original_name=name, created_by=user,
                                   scope_unit_id=user.scope_unit_id)
    transaction.on_commit(lambda: import_job_run_task.delay(job_id=job.pk))
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate the whole file, then write it in one transaction, or refuse it with every error found.
    Safe to run twice: a finished job is left as it is."""
    from django.utils import translation

    job, claimed = ImportJob.claim(job_id)
    if not claimed:
        return job

    def progress(phase: str, total: int):
        def report(done: int) -> None:
            job.progress_report(done, total, phase=phase)
        return report

    warnings: list[str] = []  # what the reader converted (an old font encoding): shown on the job's page
    with translation.override("vi"):
        try:
            with job.file.open("rb") as fh:
                data = fh.read()
            frame = parsing.read_table(data, job.original_name)
            warnings = list(frame.attrs.get("warnings", []))
            job.total_rows = len(frame)
            job.save(update_fields=["total_rows"])
            scope = scope_for(job.created_by) if job.created_by else Scope()
            validate, apply = ((parsing.roster_validate, roster_apply) if job.kind == ImportJob.Kind.ROSTER
                               else (parsing.units_validate, units_apply))
            rows, errors = validate(frame, scope=scope, progress=progress("validating", len(frame)))
            if errors:
                raise parsing.ImportRefused(errors)
            result = apply(rows, by=job.created_by, progress=progress("writing", len(rows)))
        except parsing.ImportRefused as refused:
            status = ImportJob.Status.FAILED
            job.errors = [e.as_dict() for e in refused.errors[: parsing.MAX_ERRORS_KEPT]]
            job.summary = {"error_count": len(refused.errors)}
        except Exception:
            logger.exception("import job %s crashed", job_id)
            status = ImportJob.Status.FAILED
            job.errors = [parsing.RowError(0, "", _(
                "The import stopped because of a system error; nothing was changed. Please try again or contact "
                "the administrator.")).as_dict()]
        else:
            status = ImportJob.Status.DONE
            job.summary = result.as_dict()
            if job.kind == ImportJob.Kind.ROSTER:  # one signal for the whole file
                codes = {r["employee_code"].lower() for _n, r in rows}
                roster_changed_on_commit(pk for code, pk in Official.objects.values_list("employee_code", "pk")
                                if code.lower() in codes)
        if warnings:
            job.summary = {**job.summary, "warnings": warnings}
        job.finish(status, fields=["errors", "summary"])
        job.progress_clear()
    return job


def import_jobs_fail_stale(*, older_than: dt.timedelta = dt.timedelta(hours=2)) -> int:
    """Mark imports left running by a worker that died as failed. Their transaction rolled back, so nothing
    was written; the person is told to upload again. Returns how many were marked."""
    return ImportJob.fail_stale(older_than=older_than, errors=[{"row": 0, "column": "", "message": str(_(
        "The import was interrupted (the server restarted); nothing was changed. Please upload the file again."))}])
