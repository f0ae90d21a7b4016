"""Background jobs in a real browser: the page follows a running import or export (job-progress.js) and shows the
result by itself once the job has finished."""
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from .conftest import sign_in


def _import_job(user):
    from org.models import ImportJob

    job = ImportJob.objects.create(kind="roster", original_name="danh-sach.xlsx", created_by=user,
                                   status=ImportJob.Status.RUNNING, file=SimpleUploadedFile("danh-sach.xlsx", b"x"))
    key = ImportJob.PROGRESS_KEY.format(pk=job.pk)
    cache.set(key, {"phase": "writing", "done": 10, "total": 100}, 600)

    def finish():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            summary={"rows": 100, "created": 90, "updated": 10, "transferred": 0, "unchanged": 0})
    return f"/nhap-du-lieu/{job.pk}/", key, finish, "Đã nhập 100 dòng"


def _export_job(user):
    from reports.models import ExportJob

    job = ExportJob.objects.create(kind="missing", fmt="csv", title="Danh sách chưa hoàn thành", created_by=user,
                                   status=ExportJob.Status.RUNNING)
    key = f"reports:export:{job.pk}"
    cache.set(key, {"done": 10, "total": 100}, 600)

    def finish():
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.DONE, file_name="chua-hoan-thanh.csv")
    return f"/bao-cao/xuat/{job.pk}/", key, finish, "Tải về chua-hoan-thanh.csv"


@pytest.mark.parametrize("make_job", [_import_job, _export_job], ids=["import", "export"])
def test_the_job_page_shows_progress_then_the_result_without_a_manual_reload(page, live_server, demo, make_job):
    from org.models import User

    url, key, finish, done_text = make_job(User.objects.get(username="personnel"))
    sign_in(page, live_server.url, "personnel", demo)
    page.goto(live_server.url + url)
    assert page.locator("[data-job-part=bar]").evaluate("bar => bar.value") == 10  # as the page was rendered
    cache.set(key, {**cache.get(key), "done": 40}, 600)  # the job moves on; the page follows by itself
    page.wait_for_function("document.querySelector('[data-job-part=bar]').value === 40")
    assert page.locator("[data-job-part=phase]").inner_text() == "Đang xử lý — 40 / 100"
    finish()
    page.wait_for_selector(f"text={done_text}")  # the script reloaded the page once the job was done
    assert page.locator("[data-job-part=bar]").count() == 0
