"""Stored report data: nightly coverage snapshots (a cache of the figures `reports.history` computes for a day,
read by the trend chart) and export jobs."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.jobs import BackgroundJob


class CoverageSnapshot(models.Model):
    """The status counts of one unit's own officials for one requirement at the end of one day. Roll-ups are
    computed on read; `unit_path` keeps where the unit stood in the tree that day, so a later move or merge does
    not change a past report."""

    date = models.DateField(_("date"))
    requirement = models.ForeignKey("lms.Requirement", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255)
    completed = models.PositiveIntegerField(default=0)
    expiring = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    not_started = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "requirement_id", "unit_path"]
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        constraints = [models.UniqueConstraint(fields=["date", "requirement", "unit"], name="one_snapshot_row_per_day")]
        indexes = [models.Index(fields=["requirement", "date", "unit_path"])]

    @property
    def audience(self) -> int:
        return self.completed + self.expiring + self.in_progress + self.not_started + self.overdue


class ExportJob(BackgroundJob):
    """A large export built by a Celery task, then downloaded by the person who asked for it."""

    PROGRESS_KEY = "reports:export:{pk}"

    class Kind(models.TextChoices):
        MISSING = "missing", _("Officials who have not completed")
        PERIOD = "period", _("Periodic report")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        FAILED = "failed", _("Failed")
        DONE = "done", _("Done")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    fmt = models.CharField(_("format"), max_length=8, choices=Format.choices)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta(BackgroundJob.Meta):
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()
