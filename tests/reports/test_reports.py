"""Coverage report pages, exports, snapshots and the public page, on a small seeded piece of Đồng Nai."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from lms import services as lms_services
from lms.models import Assignment
from org import roles
from org import services as org_services
from reports.views import coverage as coverage_views
from reports.services import export_job_run, export_jobs_purge, snapshot_take
from reports.models import CoverageSnapshot, ExportJob

from ..factories import OfficialFactory, RequirementFactory, UserFactory

PASSWORD = "Test@12345"

# Per unit: (name, state) of each official. States become real assignment dates; the LMS derives the status.
PEOPLE = {
    "trang_dai": [("Nguyễn Văn An", "completed"), ("Trần Thị Bình", "expiring"), ("Lê Văn Cường", "in_progress"),
                  ("Phạm Thị Dung", "overdue")],
    "tan_phong": [("Hoàng Văn Em", "completed"), ("Vũ Thị Gấm", "not_started"), ("Đỗ Văn Hải", "completed")],
    "bien_hoa": [("Bùi Thị Hoa", "completed"), ("Ngô Văn Khải", "not_started")],
    "xuan_trung": [("Đặng Văn Long", "completed"), ("Mai Thị Mơ", "overdue"), ("Lý Văn Nam", "completed")],
    "snv": [("Tạ Thị Oanh", "completed"), ("Cao Văn Phúc", "in_progress")],
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Export files are written to storage: keep them out of the working tree.
    settings.MEDIA_ROOT = str(tmp_path)


def _apply(assignment: Assignment, state: str, today: dt.date) -> None:
    now = timezone.now()
    if state == "completed":
        assignment.completed_at, assignment.expires_at = now - dt.timedelta(days=10), None
    elif state == "expiring":
        assignment.completed_at, assignment.expires_at = now - dt.timedelta(days=300), today + dt.timedelta(days=5)
    elif state == "in_progress":
        assignment.started_at = now - dt.timedelta(days=2)
    elif state == "overdue":
        assignment.due_at = today - dt.timedelta(days=1)
    assignment.save()


@pytest.fixture
def seeded(tree):
    today = timezone.localdate()
    people = {}
    for key, rows in PEOPLE.items():
        for name, state in rows:
            o = OfficialFactory(full_name=name, unit=tree[key], is_one_stop_receiver=state in ("completed", "overdue"))
            people[name] = (o, state)
    everyone = RequirementFactory(title="Bồi dưỡng kiến thức CCHC", plan_clause="KH 15122, mục II.4.c",
                                  due_date=today + dt.timedelta(days=60), validity_months=24, renewal_window_days=30)
    receivers = RequirementFactory(title="Tập huấn tiếp nhận hồ sơ một cửa", target_percent=80,
                                   due_date=today + dt.timedelta(days=60), audience_one_stop_receivers=True)
    for req in (everyone, receivers):
        lms_services.requirement_assign(requirement=req)
        for a in Assignment.objects.filter(requirement=req).select_related("official"):
            _apply(a, people[a.official.full_name][1], today)
        lms_services.assignment_status_refresh(requirement=req, today=today)
    return {"tree": tree, "everyone": everyone, "receivers": receivers, "people": people, "today": today}


def login(client, user):
    client.force_login(user)
    return client


def sql_counts(requirement_id: int, path: str) -> tuple[int, int]:
    """Audience and done for a subtree, counted directly in SQL."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), SUM(CASE WHEN a.status IN ('completed', 'expiring') THEN 1 ELSE 0 END) "
            "FROM lms_assignment a JOIN org_official o ON o.id = a.official_id JOIN org_unit u ON u.id = o.unit_id "
            "WHERE a.active AND a.requirement_id = %s AND u.path LIKE %s", [requirement_id, path + "%"])
        n, done = cur.fetchone()
    return n, done or 0


def xlsx_lines(content: bytes) -> dict[str, tuple]:
    """Label → (required, completed, rate, target, missing) for the table lines of the report workbook (the first
    section's, when a label appears in several)."""
    ws = load_workbook(io.BytesIO(content)).active
    out = {}
    for row in ws.iter_rows(values_only=True):
        if row and isinstance(row[2], int) and isinstance(row[1], str):
            out.setdefault(row[1], tuple(row[2:7]))
    return out


def test_page_excel_and_sql_agree(client, seeded, admin_user):
    tree, req = seeded["tree"], seeded["everyone"]
    login(client, admin_user)
    page = client.get("/bao-cao/", {"yc": req.pk})
    assert page.status_code == 200
    lines = {line["code"]: line for line in page.context["lines"]}
    total = page.context["total"]
    xlsx = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "yc": req.pk, "ky": "year", "nam": seeded["today"].year,
                                            "dinh-dang": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = xlsx_lines(xlsx.content)
    for key in ("bien_hoa", "long_khanh", "snv"):
        unit = tree[key]
        n, done = sql_counts(req.pk, unit.path)
        assert (lines[unit.code]["audience"], lines[unit.code]["done"]) == (n, done)
        assert sheet[unit.name][:2] == (n, done)
    n, done = sql_counts(req.pk, tree["province"].path)
    # By hand: 14 officials, 7 completed and 1 whose completion is expiring but still valid.
    assert Assignment.objects.get(requirement=req, official__full_name="Trần Thị Bình").status == "expiring"
    assert (n, done) == (14, 8)
    assert (total["audience"], total["done"], total["gap"]) == (14, 8, 6)
    assert sheet["Tổng cộng"][:2] == (14, 8)
    assert '<tr class="total" data-code="75"><td>' in page.content.decode()


def test_excel_report_is_laid_out_to_be_sent_upward(client, seeded, admin_user):
    login(client, admin_user)
    r = client.get("/bao-cao/dinh-ky/", {"don-vi": "731", "ky": "year", "nam": seeded["today"].year,
                                         "dinh-dang": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    assert any("THÀNH PHỐ BIÊN HÒA" in c for c in cells) and any("TỈNH ĐỒNG NAI" in c for c in cells)
    # One section per requirement; Biên Hòa's lines are its two wards then its own staff.
    assert any(c.startswith("I. Bồi dưỡng kiến thức CCHC") for c in cells)
    assert any(c.startswith("II. Tập huấn tiếp nhận hồ sơ một cửa") for c in cells)
    lines = xlsx_lines(r.content)
    assert lines["Phường Trảng Dài"][:2] == (4, 2)
    assert lines["Phường Tân Phong"][:2] == (3, 2)
    own = [k for k in lines if k.startswith("Thành phố Biên Hòa")]
    assert own and lines[own[0]][:2] == (2, 1)


def test_pdf_report(client, seeded, admin_user):
    login(client, admin_user)
    r = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "ky": "year", "nam": seeded["today"].year,
                                         "dinh-dang": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_long_pdf_report_is_built_in_the_background(client, seeded, admin_user, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    monkeypatch.setattr(coverage_views, "INLINE_PDF_LINES", 3)
    login(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "ky": "year", "nam": seeded["today"].year,
                                             "dinh-dang": "pdf"})
    job = ExportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/bao-cao/xuat/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file_name.endswith(".pdf")
    body = b"".join(client.get(f"/bao-cao/xuat/{job.pk}/tai-ve/").streaming_content)
    assert body.startswith(b"%PDF")


def test_csv_of_the_unit_table_opens_in_excel(client, seeded, admin_user):
    login(client, admin_user)
    r = client.get("/bao-cao/", {"yc": seeded["everyone"].pk, "don-vi": "731", "format": "csv"})
    assert r.content.startswith(b"\xef\xbb\xbf")
    text = r.content.decode("utf-8-sig")
    assert "Phường Trảng Dài" in text and "25993,Phường Trảng Dài,4,2,1,0,1,50.0" in text


def test_drill_down_reaches_the_names_of_who_is_missing(client, seeded, bien_hoa_officer):
    login(client, bien_hoa_officer.user)
    r = client.get("/bao-cao/chua-hoan-thanh/", {"yc": seeded["everyone"].pk, "don-vi": "25993"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Lê Văn Cường" in html and "Phạm Thị Dung" in html
    # Completed, and completed but expiring soon, are not missing.
    assert "Nguyễn Văn An" not in html and "Trần Thị Bình" not in html
    overdue_only = client.get("/bao-cao/chua-hoan-thanh/", {"yc": seeded["everyone"].pk, "don-vi": "25993",
                                                            "trang-thai": "overdue"}).content.decode()
    assert "Phạm Thị Dung" in overdue_only and "Lê Văn Cường" not in overdue_only


def test_personnel_officer_sees_only_their_subtree(client, seeded, bien_hoa_officer):
    login(client, bien_hoa_officer.user)
    req = seeded["everyone"]
    r = client.get("/bao-cao/", {"yc": req.pk})
    assert r.status_code == 200 and r.context["unit"].code == "731"
    assert r.context["total"]["audience"] == sql_counts(req.pk, seeded["tree"]["bien_hoa"].path)[0]
    assert "Phường Xuân Trung" not in r.content.decode()
    assert client.get("/bao-cao/", {"yc": req.pk, "don-vi": "732"}).status_code == 404
    assert client.get("/bao-cao/", {"don-vi": "75"}).status_code == 404
    assert client.get("/bao-cao/chua-hoan-thanh/", {"yc": req.pk, "don-vi": "26071"}).status_code == 404
    assert client.get("/bao-cao/dinh-ky/", {"don-vi": "732", "ky": "q1", "nam": 2020,
                                            "dinh-dang": "xlsx"}).status_code == 404


def test_an_officer_over_two_units_sees_the_coverage_of_both_and_nothing_else(client, seeded):
    from org.selectors import scope_for
    from reports.selectors import root_units

    tree, req = seeded["tree"], seeded["everyone"]
    officer = UserFactory(username="tochuc-hai")
    org_services.role_grant(user=officer, role=roles.PERSONNEL, units=[tree["tan_phong"], tree["long_khanh"]])
    assert {u.code for u in root_units(scope_for(officer))} == {"25996", "732"}
    login(client, officer)
    first = client.get("/bao-cao/", {"yc": req.pk})
    assert first.status_code == 200 and {u.code for u in first.context["roots"]} == {"25996", "732"}
    assert 'data-testid="scope-roots"' in first.content.decode()
    for code, key in (("25996", "tan_phong"), ("732", "long_khanh")):
        r = client.get("/bao-cao/", {"yc": req.pk, "don-vi": code})
        assert r.status_code == 200
        assert r.context["total"]["audience"] == sql_counts(req.pk, tree[key].path)[0]
    overview = client.get("/bao-cao/", {"don-vi": "732"})
    assert overview.status_code == 200 and overview.context["overview"]
    for code in ("75", "731", "25993", "75-SNV"):
        assert client.get("/bao-cao/", {"yc": req.pk, "don-vi": code}).status_code == 404, code
    missing = client.get("/bao-cao/chua-hoan-thanh/", {"yc": req.pk, "don-vi": "26071"}).content.decode()
    assert "Mai Thị Mơ" in missing  # overdue in Xuân Trung
    assert client.get("/bao-cao/chua-hoan-thanh/", {"yc": req.pk, "don-vi": "25993"}).status_code == 404
    sheet = client.get("/bao-cao/dinh-ky/", {"don-vi": "732", "yc": req.pk, "ky": "year",
                                             "nam": seeded["today"].year, "dinh-dang": "xlsx"})
    assert xlsx_lines(sheet.content)["Phường Xuân Trung"][:2] == sql_counts(req.pk, tree["xuan_trung"].path)


def test_officials_and_trainers_are_refused(client, seeded, trang_dai_official, trainer_user):
    assert client.get("/bao-cao/").status_code == 302  # to the sign-in page
    login(client, trang_dai_official.user)
    assert client.get("/bao-cao/").status_code == 403
    assert client.get("/bao-cao/chua-hoan-thanh/", {"yc": seeded["everyone"].pk}).status_code == 403
    login(client, trainer_user)
    assert client.get("/bao-cao/").status_code == 403


def test_public_page_shows_figures_and_no_names(client, seeded):
    r = client.get("/cong-khai/", {"yc": seeded["everyone"].pk})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Thành phố Biên Hòa" in html and "Sở Nội vụ" in html
    assert r.context["unit"]["audience"] == 14 and r.context["unit"]["done"] == 8
    drill = client.get("/cong-khai/", {"yc": seeded["everyone"].pk, "don-vi": "731"}).content.decode()
    csv = client.get("/cong-khai/", {"yc": seeded["everyone"].pk, "don-vi": "731", "format": "csv"}).content.decode()
    for official, _state in seeded["people"].values():
        for text in (html, drill, csv):
            assert official.full_name not in text and official.employee_code not in text
    assert client.get("/cong-khai/", {"yc": "999999"}).status_code == 404


def test_public_page_is_cached(client, seeded):
    client.get("/cong-khai/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cong-khai/").status_code == 200
    assert not [q for q in queries.captured_queries if "lms_assignment" in q["sql"]]


def test_snapshot_is_idempotent_per_date(seeded):
    day = seeded["today"]
    first = snapshot_take(on=day)
    rows = sorted(CoverageSnapshot.objects.filter(date=day).values_list("unit_id", "requirement_id", "completed",
                                                                          "overdue"))
    assert snapshot_take(on=day) == first
    assert sorted(CoverageSnapshot.objects.filter(date=day).values_list(
        "unit_id", "requirement_id", "completed", "overdue")) == rows
    # New facts, same date: the date's rows are replaced, not added to.
    Assignment.objects.filter(requirement=seeded["everyone"], status="overdue").update(status="completed")
    snapshot_take(on=day)
    assert CoverageSnapshot.objects.filter(date=day).count() == first
    assert sum(CoverageSnapshot.objects.filter(date=day, requirement=seeded["everyone"])
               .values_list("overdue", flat=True)) == 0


def test_as_of_a_past_date_is_computed_from_the_history_and_the_trend_drawn(client, seeded, admin_user):
    req, today = seeded["everyone"], seeded["today"]
    Assignment.objects.update(assigned_at=timezone.now() - dt.timedelta(days=30))
    snapshot_take(on=today - dt.timedelta(days=2))
    snapshot_take(on=today - dt.timedelta(days=1))
    # Vũ Thị Gấm completes today: today's figures change, the past's do not.
    late = Assignment.objects.get(requirement=req, official__full_name="Vũ Thị Gấm")
    late.completed_at = timezone.now()
    late.save()
    lms_services.assignment_status_refresh(requirement=req, today=today)
    login(client, admin_user)
    past = client.get("/bao-cao/", {"yc": req.pk, "ngay": (today - dt.timedelta(days=2)).strftime("%d/%m/%Y")})
    assert past.context["report"].live is False
    assert past.context["total"]["done"] == 8
    assert "tính từ hồ sơ có ghi ngày" in past.content.decode()
    live = client.get("/bao-cao/", {"yc": req.pk})
    assert live.context["total"]["done"] == 8 + 1
    assert "<polyline" in live.content.decode()
    # Before the province's tree existed: a message and today's figures, not an error page.
    early = client.get("/bao-cao/", {"yc": req.pk, "ngay": "01/01/2001"}, follow=True)
    assert early.status_code == 200 and early.context["report"].live
    assert any("01/01/2001" in str(m) for m in early.context["messages"])


def test_period_report_of_a_past_period_is_computed_from_the_history(client, seeded, admin_user):
    req = seeded["everyone"]
    year = seeded["today"].year - 1
    # Everyone was assigned before that year; every completion came later.
    Assignment.objects.update(assigned_at=timezone.make_aware(dt.datetime(year - 1, 6, 1)))
    login(client, admin_user)
    r = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "yc": req.pk, "ky": "q1", "nam": year, "dinh-dang": "xlsx"})
    lines = xlsx_lines(r.content)
    assert lines["Thành phố Biên Hòa"][:2] == (sql_counts(req.pk, seeded["tree"]["bien_hoa"].path)[0], 0)
    # Every period of the year can be produced, and its lines add up to its total.
    for period in ("q1", "h1", "m9", "year"):
        r = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "yc": req.pk, "ky": period, "nam": year,
                                            "dinh-dang": "xlsx"})
        assert r.status_code == 200
        rows = [row for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
                if row and isinstance(row[1], str) and isinstance(row[2], int)]
        *units, total = rows
        assert total[1] == "Tổng cộng" and sum(row[2] for row in units) == total[2] == 14
        assert sum(row[3] for row in units) == total[3]


def test_bad_report_input_never_breaks_the_page(client, seeded, admin_user):
    login(client, admin_user)
    # A date that is not one: today's figures, and the page says so.
    r = client.get("/bao-cao/", {"ngay": "hôm qua"})
    assert r.status_code == 200
    assert [str(m) for m in r.context["messages"]] == [
        "“hôm qua” không phải là ngày (dd/mm/yyyy); đang hiển thị số liệu hôm nay."]
    # A requirement or a unit that does not exist: not found, as a link to one that was deleted would be.
    assert client.get("/bao-cao/", {"yc": "abc"}).status_code == 404
    assert client.get("/bao-cao/", {"don-vi": "nope"}).status_code == 404


def test_bad_period_is_reported(client, seeded, admin_user):
    login(client, admin_user)
    r = client.get("/bao-cao/dinh-ky/", {"don-vi": "75", "ky": "q5", "nam": "abc", "dinh-dang": "doc"}, follow=True)
    assert r.status_code == 200
    assert [str(m) for m in r.context["messages"]] == [
        "Hãy chọn một lựa chọn hợp lệ. q5 không phải là một trong các lựa chọn khả thi.", "Nhập một số tổng thể.",
        "Hãy chọn một lựa chọn hợp lệ. doc không phải là một trong các lựa chọn khả thi."]


def test_large_names_export_runs_as_a_job_with_a_download(client, seeded, bien_hoa_officer, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    monkeypatch.setattr(coverage_views, "INLINE_EXPORT_ROWS", 1)
    login(client, bien_hoa_officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/bao-cao/chua-hoan-thanh/", {"yc": seeded["everyone"].pk, "don-vi": "731", "dinh-dang": "csv"})
    job = ExportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/bao-cao/xuat/{job.pk}/"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.total_rows == 4  # 3 in the wards + 1 at the city
    page = client.get(r["Location"]).content.decode()
    assert f"/bao-cao/xuat/{job.pk}/tai-ve/" in page
    assert client.get(f"/api/reports/exports/{job.pk}").json()["status"] == "done"
    body = b"".join(client.get(f"/bao-cao/xuat/{job.pk}/tai-ve/").streaming_content)
    assert body.startswith(b"\xef\xbb\xbf") and "Phạm Thị Dung" in body.decode("utf-8-sig")
    assert "Mai Thị Mơ" not in body.decode("utf-8-sig")  # Long Khánh: outside the officer's subtree
    # Someone else cannot follow or download it; running it again changes nothing.
    other = UserFactory(username="khac")
    org_services.role_grant(user=other, role=roles.ADMINISTRATOR)
    login(client, other)
    assert client.get(f"/bao-cao/xuat/{job.pk}/tai-ve/").status_code == 404
    assert client.get(f"/api/reports/exports/{job.pk}").status_code == 404
    assert export_job_run(job_id=job.pk).status == ExportJob.Status.DONE
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert export_jobs_purge() == 1 and not ExportJob.objects.exists()


def test_small_names_export_is_sent_at_once(client, seeded, admin_user):
    login(client, admin_user)
    r = client.post("/bao-cao/chua-hoan-thanh/", {"yc": seeded["everyone"].pk, "don-vi": "25993", "dinh-dang": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    names = [row[2] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=3, values_only=True)]
    assert names == ["Lê Văn Cường", "Phạm Thị Dung"]
