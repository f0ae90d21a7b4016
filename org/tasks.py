from celery import shared_task

from .services import import_job_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_job_run_task(*, job_id: int) -> str:
    """Run a roster or unit import; a finished job is skipped, so a redelivered message does no harm."""
    return import_job_run(job_id=job_id).status
