"""The LMS follows the roster and the exam engine: both only send signals, and the work is queued here."""
from django.db import transaction
from django.dispatch import receiver

from exams.signals import attempt_graded
from org.signals import roster_changed


@receiver(roster_changed, dispatch_uid="lms.roster_changed")
def _roster_changed(sender, official_ids=None, **kwargs):
    from .services import FULL_PASS_OVER
    from .tasks import roster_changed_task

    ids = sorted(set(official_ids)) if official_ids is not None else None
    if ids is not None and len(ids) > FULL_PASS_OVER:
        ids = None  # a whole-province import: one full pass, and a small message instead of 50,000 ids
    transaction.on_commit(lambda: roster_changed_task.delay(official_ids=ids))


@receiver(attempt_graded, dispatch_uid="lms.attempt_graded")
def _attempt_graded(sender, attempt, **kwargs):
    from .tasks import completions_evaluate_task

    official_id = attempt.official_id
    transaction.on_commit(lambda: completions_evaluate_task.delay(official_ids=[official_id]))
