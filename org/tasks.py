from celery import shared_task

from .services import import_job_run, import_jobs_fail_stale


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_job_run_task(*, job_id: int) -> str:
    """Run a roster or unit import; a finished job is skipped, so a redelivered message does no harm."""
    return import_job_run(job_id=job_id).status


@shared_task
def import_jobs_fail_stale_task() -> int:
    """Periodic: close imports whose worker died, so nobody waits on a progress bar forever."""
    return import_jobs_fail_stale()


@shared_task
def reorganisation_notify(reorganisation_id: int, user_ids: list[int]) -> int:
    """E-mail the personnel officers concerned once a reorganisation is applied."""
    from .services.reorganisation import reorganisation_notify as notify

    return notify(reorganisation_id=reorganisation_id, user_ids=user_ids)
