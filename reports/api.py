"""The reports' API: the status of one's own export jobs, in the shape every job page polls (common.jobs)."""
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router

from common.jobs import JobStatusOut

from . import selectors
from .models import ExportJob

router = Router(tags=["reports"])


class ExportJobOut(JobStatusOut):
    error: str
    download: str | None

    @staticmethod
    def resolve_download(obj) -> str | None:
        return reverse("reports:export_download", args=[obj.pk]) if obj.status == ExportJob.Status.DONE else None


@router.get("/reports/exports/{job_id}", response=ExportJobOut, summary="Status and progress of an export")
def get_export(request, job_id: int):
    return get_object_or_404(selectors.export_jobs_visible_to(request.user), pk=job_id)
