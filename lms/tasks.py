"""Thin Celery tasks: load by id, call a service. Each is idempotent and safe to run twice."""
from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def requirement_assign_task(*, requirement_id: int) -> dict:
    """(Re)assign one requirement to its whole audience, after it was created or edited."""
    from .models import Requirement
    from .services import requirement_assign, requirement_dates_changed

    requirement = Requirement.objects.filter(pk=requirement_id).first()
    if requirement is None:
        return {}
    result = requirement_assign(requirement=requirement).as_dict()
    requirement_dates_changed(requirement=requirement)
    return result


@shared_task(acks_late=True, reject_on_worker_lost=True)
def roster_changed_task(*, official_ids: list[int] | None = None) -> dict:
    """Follow the roster: re-run every requirement's rule for the officials who changed (or everyone)."""
    from .services import requirements_assign

    return requirements_assign(official_ids=official_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def completions_evaluate_task(*, official_ids: list[int]) -> int:
    """Recompute some officials' completions (a lesson finished, an exam graded, attendance recorded)."""
    from .services import completions_evaluate_for

    return completions_evaluate_for(official_ids=official_ids)


@shared_task
def assignment_status_refresh_task() -> int:
    """Nightly: statuses that change with the calendar (overdue, expiring)."""
    from .services import assignment_status_refresh

    return assignment_status_refresh()


@shared_task
def reminders_send_task() -> dict:
    """Daily: reminders before due dates, when overdue and before expiry; never twice for one event."""
    from .reminders import reminders_send

    return reminders_send()


@shared_task
def digests_send_task() -> int:
    """Weekly: each personnel officer's digest of who is behind in their units."""
    from .reminders import digests_send

    return digests_send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def session_invite_task(*, session_id: int) -> int:
    """Send a training session's invitations to its audience (each person once)."""
    from .models import TrainingSession
    from .reminders import session_invitations_send

    session = TrainingSession.objects.filter(pk=session_id).first()
    return session_invitations_send(session=session) if session else 0
