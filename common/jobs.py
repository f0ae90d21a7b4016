"""Background jobs (an uploaded import, a large export): what every kind shares, written once.

A job row is claimed once (pending → running in one UPDATE, so a redelivered Celery message does nothing), reports
its progress through the cache (the job's own transaction hides its rows from the person waiting), and ends done
or failed at a recorded time; jobs left open by a worker that died are failed by a periodic task. Every kind's
status is served through the API in one shape (`JobStatusOut`), which static/js/job-progress.js polls."""
import datetime as dt

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from ninja import Schema

# The status values every kind uses (each model gives them its own labels).
PENDING, RUNNING, FAILED, DONE = "pending", "running", "failed", "done"
OPEN = (PENDING, RUNNING)
PROGRESS_SECONDS = 3600


class BackgroundJob(models.Model):
    """Abstract base of a job row. A subclass declares `status` (with the values above and its own labels),
    `created_by` (the person who asked for it) and `PROGRESS_KEY`, the cache key of its progress with `{pk}` in it."""

    PROGRESS_KEY = "job:{pk}:progress"

    total_rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def claim(cls, pk: int):
        """The job, and whether this caller won it (it was pending and is now running). Safe to call twice."""
        won = cls.objects.filter(pk=pk, status=PENDING).update(status=RUNNING)
        return cls.objects.select_related("created_by").get(pk=pk), bool(won)

    @classmethod
    def progress_of(cls, pk: int) -> dict:
        """What a running job last reported ({} when it has not, or has finished)."""
        return cache.get(cls.PROGRESS_KEY.format(pk=pk)) or {}

    @property
    def progress(self) -> dict:
        return self.progress_of(self.pk)

    def progress_report(self, done: int, total: int, **extra) -> None:
        cache.set(self.PROGRESS_KEY.format(pk=self.pk), {**extra, "done": done, "total": total},
                  timeout=PROGRESS_SECONDS)

    def progress_clear(self) -> None:
        cache.delete(self.PROGRESS_KEY.format(pk=self.pk))

    def finish(self, status: str, *, fields: list[str]) -> None:
        """Record the outcome: `status` (DONE or FAILED), the time, and the other `fields` the caller has set."""
        self.status, self.finished_at = status, timezone.now()
        self.save(update_fields=[*fields, "status", "finished_at"])

    @classmethod
    def fail_stale(cls, *, older_than: dt.timedelta, statuses=(RUNNING,), **fields) -> int:
        """Fail the jobs in `statuses` created before `older_than` ago (their worker died); how many."""
        cutoff = timezone.now() - older_than
        return cls.objects.filter(status__in=statuses, created_at__lt=cutoff).update(
            status=FAILED, finished_at=timezone.now(), **fields)


class JobStatusOut(Schema):
    """A job's status as every job page polls it: the value, its label in the reader's language, the progress."""

    id: int
    status: str
    status_label: str
    total_rows: int
    progress: dict

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_progress(obj) -> dict:
        return obj.progress
