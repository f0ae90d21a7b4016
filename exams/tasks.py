from celery import shared_task

from .services import attempts_finalise_overdue


@shared_task(acks_late=True)
def finalise_overdue_attempts() -> int:
    """Periodic: submit sittings whose time is over, so none is left hanging (finished ones are skipped)."""
    return attempts_finalise_overdue()
