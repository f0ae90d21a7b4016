"""Import jobs: an uploaded roster or unit-tree file stored, then read (`org.parsing`), checked whole and written
(`roster_apply`, `units_apply`) in one transaction by a Celery task, or refused with every error; progress is kept
in the cache because the import's own transaction hides it."""
from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from .. import parsing
from ..models import ImportJob, User
from ..selectors import Scope, scope_for
from .roster import roster_apply
from .units import units_apply

logger = logging.getLogger("org.services")


MAX_CHANGES_KEPT = 2000
STALE_AFTER = dt.timedelta(hours=2)

BUSY = gettext_lazy("Another import is being checked or written right now. Wait until it has finished (its page shows its "
         "progress), then upload this file again; nothing was changed.")


def import_running(*, besides: int | None = None) -> bool:
    """Whether another import is being checked or written: two at once would each check its file against a roster
    the other is changing. A job left running longer than `STALE_AFTER` (its worker died; see
    `import_jobs_fail_stale`) does not count."""
    return (ImportJob.objects.filter(status=ImportJob.Status.RUNNING, created_at__gte=timezone.now() - STALE_AFTER)
            .exclude(pk=besides).exists())


@transaction.atomic
def import_job_create(*, user: User, kind: str, uploaded_file, dry_run: bool = False,
                      encoding_checked: bool = False) -> ImportJob:
    """Store an uploaded roster or unit file and queue its import (run after the commit). With `dry_run` the file
    is checked and its changes listed, and nothing is written. A file in an old Vietnamese font encoding (TCVN3,
    VNI) is converted and shown as a preview first, written only once `encoding_checked` says someone looked at
    the converted names. Refused while another import runs."""
    from django.conf import settings

    from ..tasks import import_job_run_task

    name = uploaded_file.name.rsplit("/", 1)[-1]
    if not name.lower().endswith((".xlsx", ".csv", ".txt")):
        raise ValidationError(_("Only .xlsx and .csv files can be imported."))
    if uploaded_file.size > settings.IMPORT_MAX_FILE_SIZE:
        raise ValidationError(_("The file is larger than %(mb)s MB.") % {"mb": settings.IMPORT_MAX_FILE_SIZE // 2**20})
    if not uploaded_file.size:
        raise ValidationError(str(parsing.EMPTY_FILE))
    if import_running():
        raise ValidationError(str(BUSY))
    summary = {**({"dry_run": True} if dry_run else {}), **({"encoding_checked": True} if encoding_checked else {})}
    job = ImportJob.objects.create(kind=kind, file=uploaded_file, original_name=name, created_by=user,
                                   scope_unit_id=user.scope_unit_id, summary=summary)
    transaction.on_commit(lambda: import_job_run_task.delay(job_id=job.pk))
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, user: User) -> ImportJob:
    """Import for real the file a preview converted from an old font encoding, after its names were checked: a new
    job on the same stored file. Only the preview's own author may, and only once."""
    if not (job.status == ImportJob.Status.DONE and (job.summary or {}).get("encoding_preview")
            and job.created_by_id == user.pk and not (job.summary or {}).get("confirmed_by_job")):
        raise ValidationError(_("This preview cannot be imported: upload the file again."))
    if import_running():
        raise ValidationError(str(BUSY))
    new = ImportJob.objects.create(kind=job.kind, file=job.file.name, original_name=job.original_name,
                                   created_by=user, scope_unit_id=job.scope_unit_id,
                                   summary={"encoding_checked": True})
    job.summary = {**job.summary, "confirmed_by_job": new.pk}
    job.save(update_fields=["summary"])
    from ..tasks import import_job_run_task

    transaction.on_commit(lambda: import_job_run_task.delay(job_id=new.pk))
    return new


class _DryRun(Exception):
    """Raised at the end of a dry run's writing, so that its transaction is rolled back."""


def import_apply(apply, rows, *, by, dry_run: bool, progress=lambda n: None):
    """Write `rows` with `apply` (roster_apply or units_apply), or with `dry_run` write them and roll them back, so
    that the changes are counted and listed exactly as a real import would make them. The LMS is told only of a
    real import (the rolled-back transaction's on-commit messages are dropped)."""
    if not dry_run:
        return apply(rows, by=by, progress=progress)
    result = None
    try:
        with transaction.atomic():
            result = apply(rows, by=by, progress=progress)
            raise _DryRun
    except _DryRun:
        pass
    return result


def import_job_run(*, job_id: int) -> ImportJob:
    """Validate the whole file, then write it in one transaction, or refuse it with every error found.
    Safe to run twice: a finished job is left as it is."""
    from django.utils import translation

    job, claimed = ImportJob.claim(job_id)
    if not claimed:
        return job
    dry_run = bool((job.summary or {}).get("dry_run"))
    encoding_checked = bool((job.summary or {}).get("encoding_checked"))
    encoding_preview, legacy_samples = False, []
    if import_running(besides=job.pk):  # uploaded while another was waiting: it ran first
        job.errors = [parsing.RowError(0, "", str(BUSY)).as_dict()]
        job.summary = {"dry_run": dry_run, "error_count": 1}
        job.finish(ImportJob.Status.FAILED, fields=["errors", "summary"])
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
            if frame.attrs.get("legacy_encoding") and not dry_run and not encoding_checked:
                # Converted names are shown before they are written: this run is a preview.
                dry_run = encoding_preview = True
                legacy_samples = frame.attrs.get("legacy_samples", [])
            job.total_rows = len(frame)
            job.save(update_fields=["total_rows"])
            scope = scope_for(job.created_by) if job.created_by else Scope()
            validate, apply = ((parsing.roster_validate, roster_apply) if job.kind == ImportJob.Kind.ROSTER
                               else (parsing.units_validate, units_apply))
            rows, errors = validate(frame, scope=scope, progress=progress("validating", len(frame)))
            if errors:
                raise parsing.ImportRefused(errors)
            result = import_apply(apply, rows, by=job.created_by, dry_run=dry_run,
                                  progress=progress("writing", len(rows)))
        except parsing.ImportRefused as refused:
            status = ImportJob.Status.FAILED
            job.errors = [e.as_dict() for e in refused.errors[: parsing.MAX_ERRORS_KEPT]]
            job.summary = {"dry_run": dry_run, "error_count": len(refused.errors)}
        except IntegrityError:
            # Another import (or a person on a page) wrote the same codes or e-mails while this one was writing.
            logger.warning("import job %s collided with another write", job_id, exc_info=True)
            status = ImportJob.Status.FAILED
            job.errors = [parsing.RowError(0, "", _(
                "Another import or change wrote some of the same officials while this file was being written; "
                "nothing from this file was changed. Upload it again: it will be checked against the roster as it "
                "is now.")).as_dict()]
            job.summary = {"dry_run": dry_run, "error_count": 1}
        except Exception:
            logger.exception("import job %s crashed", job_id)
            status = ImportJob.Status.FAILED
            job.errors = [parsing.RowError(0, "", _(
                "The import stopped because of a system error; nothing was changed. Please try again or contact "
                "the administrator.")).as_dict()]
            job.summary = {"dry_run": dry_run, "error_count": 1}
        else:
            status = ImportJob.Status.DONE
            job.summary = {**result.as_dict(), "dry_run": dry_run, "changes": result.changes[:MAX_CHANGES_KEPT],
                           "change_count": len(result.changes)}
        if warnings:
            job.summary = {**job.summary, "warnings": warnings}
        if encoding_preview:
            job.summary = {**job.summary, "encoding_preview": True, "legacy_samples": legacy_samples}
        if encoding_checked:
            job.summary = {**job.summary, "encoding_checked": True}
        job.finish(status, fields=["errors", "summary"])
        job.progress_clear()
    return job


def import_jobs_fail_stale(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Mark imports left running by a worker that died as failed. Their transaction rolled back, so nothing
    was written; the person is told to upload again. Returns how many were marked."""
    return ImportJob.fail_stale(older_than=older_than, errors=[{"row": 0, "column": "", "message": str(_(
        "The import was interrupted (the server restarted); nothing was changed. Please upload the file again."))}])
