"""Thin Celery tasks of the reports (autodiscovered by config/celery.py): the nightly coverage snapshot, export jobs,
and exam statistics, recomputed in the background after grading so the trainers' page is served from cache (a
burst of submissions, a whole exam room at the bell, queues one recomputation, not one per paper)."""
from celery import shared_task
from django.core.cache import cache
from django.db import transaction

# Submissions within this many seconds of the first one share its recomputation, which runs once they are in.
DEBOUNCE_SECONDS = 30


def _queued_key(exam_id: int) -> str:
    return f"exam-stats:queued:{exam_id}"


@shared_task(acks_late=True)
def exam_statistics_refresh_task(exam_id: int) -> None:
    """Compute and cache the exam's statistics for its current papers (nothing to do if already cached)."""
    from exams.models import Exam
    from exams.statistics import statistics_of

    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is not None:
        statistics_of(exam)


def exam_statistics_refresh_later(*, exam_id: int) -> bool:
    """Queue a recomputation unless one is already waiting for this exam; returns whether one was queued.
    The marker expires when the queued task runs, so a later submission queues the next one. If the marker ever
    outlives a run, the page still shows current figures: the cache key changes with every paper and grade."""
    if not cache.add(_queued_key(exam_id), 1, timeout=DEBOUNCE_SECONDS):
        return False
    exam_statistics_refresh_task.apply_async(args=[exam_id], countdown=DEBOUNCE_SECONDS)
    return True


def on_attempt_graded(sender, attempt, **kwargs) -> None:
    """Receiver of exams.signals.attempt_graded (connected in reports.apps)."""
    exam_id = attempt.exam_id
    transaction.on_commit(lambda: exam_statistics_refresh_later(exam_id=exam_id))

@shared_task
def coverage_snapshot_task() -> int:
    """Nightly (Celery beat): record the day's coverage; re-running the same day replaces that day's rows."""
    from .services import snapshot_take

    return snapshot_take()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_job_run_task(*, job_id: int) -> str:
    """Build one export's file; a finished job is skipped, so a redelivered message does no harm."""
    from .services import export_job_run

    return export_job_run(job_id=job_id).status


@shared_task
def export_jobs_purge_task() -> int:
    """Daily: delete export files older than a week and fail exports whose worker died."""
    from .services import export_jobs_purge

    return export_jobs_purge()
