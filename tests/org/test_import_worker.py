"""A roster import through the real broker: Redis carries the task, a Celery worker thread runs it."""
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.celery import app as celery_app
from org.models import ImportJob, Official
from org.services import import_job_create

from .conftest import roster_rows, to_csv

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        yield
    celery_app.conf.task_always_eager = True


def test_import_runs_on_a_worker_and_reports_progress_through_the_api(tree, bien_hoa_officer, worker, client):
    job = import_job_create(user=bien_hoa_officer.user, kind="roster",
                            uploaded_file=SimpleUploadedFile("ds.csv", to_csv(roster_rows(300))))
    client.force_login(bien_hoa_officer.user)
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        status = client.get(f"/api/imports/{job.pk}").json()["status"]
        if status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status == "done"
    assert ImportJob.objects.get(pk=job.pk).summary["created"] == 300
    assert Official.objects.filter(employee_code__startswith="BH-").count() == 300
