"""Thin Celery tasks for the coverage reports (autodiscovered by config/celery.py)."""
from celery import shared_task


@shared_task
def coverage_snapshot_task() -> int:
    """Nightly (Celery beat): record the day's coverage; re-running the same day replaces that day's rows."""
    from .coverage_services import snapshot_take

    return snapshot_take()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_job_run_task(*, job_id: int) -> str:
    """Build one export's file; a finished job is skipped, so a redelivered message does no harm."""
    from .coverage_services import export_job_run

    return export_job_run(job_id=job_id).status


@shared_task
def export_jobs_purge_task() -> int:
    """Daily: delete export files older than a week and fail exports whose worker died."""
    from .coverage_services import export_jobs_purge

    return export_jobs_purge()
