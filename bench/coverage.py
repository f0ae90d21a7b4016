"""Benchmark: the province-wide coverage report at the province's scale, against a hand-written SQL aggregate.

Setup: the demo unit tree (213 units: 182 GSO units, 20 departments, 11 one-stop sections), 52,463 synthetic
officials (`org.demo`), 10 requirements from the plan with realistic audiences, assigned through the LMS services
(`lms.services.requirement_assign`), then given deterministic dates (completed, expiring, in progress, overdue…)
and statuses through `lms.services.assignment_status_refresh`.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_cov .venv/bin/python bench/coverage.py
      .venv/bin/python bench/coverage.py                         (SQLite file in a temp dir)
      BENCH_OFFICIALS=3000 … for a quick run. BENCH_KEEP=1 skips the reseeding when the data is already there.

Prints the timings (median of BENCH_REPEAT runs, and the worst) and checks that the report, the Excel export and
a direct SQL count agree; exits non-zero if they do not.
"""
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

OFFICIALS = int(os.environ.get("BENCH_OFFICIALS", "52463"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key-signs-nothing-that-outlives-the-run")  # DEBUG is off
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
import logging  # noqa: E402

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # the test client then exposes the rendered page's context, to compare figures
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from lms import services as lms_services  # noqa: E402
from lms.models import Assignment, Requirement  # noqa: E402
from org import demo, roles  # noqa: E402
from org import services as org_services  # noqa: E402
from org.models import Official, Unit, User  # noqa: E402
from org.selectors import scope_for  # noqa: E402
from reports import selectors as sel  # noqa: E402
from reports import exports  # noqa: E402
from reports.services import snapshot_take  # noqa: E402

HAND_SQL = """
    SELECT o.unit_id, a.requirement_id, a.status, COUNT(*)
    FROM lms_assignment a JOIN org_official o ON o.id = a.official_id
    WHERE a.active
    GROUP BY o.unit_id, a.requirement_id, a.status
"""

# Ten requirements of the 2020 plan and who they bind (the Audience fields of lms.Requirement).
REQUIREMENTS = [
    ("Bồi dưỡng kiến thức cải cách hành chính năm 2020", "KH 15122/KH-UBND, mục II.4.c", {}),
    ("Kỹ năng tiếp nhận, trả kết quả tại Bộ phận Một cửa", "mục II.4.c", {"audience_one_stop_receivers": True}),
    ("Nghiệp vụ công chức phụ trách cải cách hành chính", "mục II.4.c", {"audience_reform_officers": True}),
    ("Sử dụng phần mềm một cửa điện tử", "mục II.4.c", {"audience_one_stop_receivers": True}),
    ("Sát hạch kiến thức, kỹ năng CCHC", "mục II.4.d, I.2.t",
     {"audience_reform_officers": True, "audience_one_stop_receivers": True}),
    ("Kỹ năng giao tiếp, ứng xử với người dân, doanh nghiệp", "mục II.4.c",
     {"audience_categories": ["can_bo", "cong_chuc"]}),
    ("Đạo đức công vụ và văn hóa công sở", "mục II.4.b", {}),
    ("Chữ ký số và văn bản điện tử", "mục II.6", {"audience_leaders": True}),
    ("Dịch vụ công trực tuyến mức độ 3, 4", "mục II.6", {"audience_categories": ["cong_chuc"]}),
    ("Quy trình giải quyết thủ tục hành chính", "mục II.2", {"audience_categories": ["cong_chuc", "vien_chuc"]}),
]


def timed(fn, repeat=REPEAT):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times), max(times)


def seed():
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    demo.seed_units()
    demo.seed_officials(OFFICIALS)
    admin = User.objects.create(username="bench-admin", is_superuser=True)
    org_services.role_grant(user=admin, role=roles.ADMINISTRATOR)
    officer = User.objects.create(username="bench-personnel")
    org_services.role_grant(user=officer, role=roles.PERSONNEL, scope_unit=Unit.objects.get(code=demo.BIEN_HOA_CODE))
    print(f"  roster: {Unit.objects.count()} units, {Official.objects.count()} officials "
          f"({time.perf_counter() - t0:.1f} s)", flush=True)
    today = timezone.localdate()
    t0 = time.perf_counter()
    for title, clause, audience in REQUIREMENTS:
        req = Requirement.objects.create(title=title, plan_clause=clause, due_date=today + dt.timedelta(days=45),
                                         validity_months=24, renewal_window_days=30, **audience)
        lms_services.requirement_assign(requirement=req)
    print(f"  assigned through lms.services: {Assignment.objects.count()} assignments "
          f"({time.perf_counter() - t0:.1f} s)", flush=True)
    t0 = time.perf_counter()
    randomise(today)
    print(f"  dates and statuses: {time.perf_counter() - t0:.1f} s", flush=True)


@transaction.atomic
def randomise(today):
    """Deterministic progress: units differ (some far ahead, some behind), people within a unit too. Dates are
    written in a few dozen UPDATEs (one per state and date bucket), then the LMS derives the statuses."""
    from collections import defaultdict

    from lms.selectors import chunks

    rng = random.Random(2020)
    unit_pace = {u: rng.uniform(0.2, 0.95) for u in Unit.objects.order_by("id").values_list("id", flat=True)}
    now = timezone.now()
    groups = defaultdict(list)
    for pk, unit_id in Assignment.objects.order_by("id").values_list("id", "official__unit_id"):
        r, pace, bucket = rng.random(), unit_pace[unit_id], rng.randint(1, 10)
        if r < pace * 0.9:
            groups[("expiring" if rng.random() < 0.08 else "completed", bucket)].append(pk)
        elif r < pace:
            groups[("in_progress", bucket)].append(pk)
        elif rng.random() < 0.3:
            groups[("overdue", bucket)].append(pk)
    for (state, bucket), ids in groups.items():
        if state in ("completed", "expiring"):
            done = now - dt.timedelta(days=30 * bucket)
            values = {"completed_at": done, "started_at": done - dt.timedelta(days=3),
                      "expires_at": today + dt.timedelta(days=bucket * 2) if state == "expiring" else None}
        elif state == "in_progress":
            values = {"started_at": now - dt.timedelta(days=bucket)}
        else:
            values = {"due_at": today - dt.timedelta(days=bucket * 5)}
        for chunk in chunks(ids, 5000):
            Assignment.objects.filter(pk__in=chunk).update(**values)
    lms_services.assignment_status_refresh(today=today)


def hand_sql():
    with connection.cursor() as cur:
        cur.execute(HAND_SQL)
        return cur.fetchall()


def sql_subtree(requirement_id: int, path: str) -> tuple[int, int]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.status IN ('completed', 'expiring') THEN 1 ELSE 0 END), 0) "
            "FROM lms_assignment a JOIN org_official o ON o.id = a.official_id JOIN org_unit u ON u.id = o.unit_id "
            "WHERE a.active AND a.requirement_id = %s AND u.path LIKE %s", [requirement_id, path + "%"])
        return tuple(cur.fetchone())


def main():
    print(f"database: {connection.vendor}", flush=True)
    if not (os.environ.get("BENCH_KEEP") and Assignment.objects.exists()):
        seed()
    admin = User.objects.get(username="bench-admin")
    officer = User.objects.get(username="bench-personnel")
    admin_scope, officer_scope = scope_for(admin), scope_for(officer)
    requirements = list(sel.report_requirements(admin))
    n_assign = Assignment.objects.filter(active=True).count()
    print(f"  {Unit.objects.count()} units, {Official.objects.count()} officials, {len(requirements)} requirements, "
          f"{n_assign} active assignments", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    results = {}
    hand_sql()  # warm the cache for both sides alike
    rows, results["hand SQL aggregate"], worst_sql = timed(hand_sql)
    report, results["coverage report (province)"], worst_rep = timed(
        lambda: sel.coverage_report(scope=admin_scope, requirements=requirements))
    _, results["  of which the ORM aggregate"], _ = timed(lambda: sel.live_counts(scope=admin_scope))
    _, results["coverage report (Biên Hòa officer)"], _ = timed(
        lambda: sel.coverage_report(scope=officer_scope, requirements=list(sel.report_requirements(officer))))

    client = Client()
    client.force_login(admin)
    _, results["page /bao-cao/ (all requirements)"], _ = timed(lambda: client.get("/bao-cao/"))
    first = requirements[0]
    page = client.get("/bao-cao/", {"yc": first.pk})
    _, results["page /bao-cao/?yc= (by unit)"], _ = timed(lambda: client.get("/bao-cao/", {"yc": first.pk}))
    province = Unit.objects.get(code=demo.PROVINCE_CODE)
    year = timezone.localdate().year
    xlsx, results["Excel periodic report (10 sections)"], _ = timed(
        lambda: client.get("/bao-cao/dinh-ky/", {"don-vi": province.code, "ky": "year", "nam": year,
                                                 "dinh-dang": "xlsx"}), repeat=3)
    # A province-wide PDF is built by a Celery task (see reports.views.coverage.INLINE_PDF_LINES): time the task's work.
    _, results["PDF periodic report (10 sections, task)"], _ = timed(
        lambda: exports.period_report_pdf(sel.period_report(scope=admin_scope, unit=province, period="year",
                                                            year=year, requirements=requirements)), repeat=3)
    missing = sel.missing_assignments(scope=admin_scope, requirement=first, unit=province)
    n_missing = missing.count()
    _, results[f"names list of the province, CSV ({n_missing} rows)"], _ = timed(
        lambda: exports.missing_csv(missing.iterator(chunk_size=2000)), repeat=1)
    _, results[f"names list of the province, Excel ({n_missing} rows)"], _ = timed(
        lambda: exports.missing_xlsx(missing.iterator(chunk_size=2000), title="bench"), repeat=1)
    with transaction.atomic():
        written, results["nightly snapshot (write)"], _ = timed(lambda: snapshot_take(), repeat=3)
    day = timezone.localdate() - dt.timedelta(days=1)
    snapshot_take(on=day)
    _, results["coverage report as of yesterday (from history)"], _ = timed(
        lambda: sel.coverage_report(scope=admin_scope, requirements=requirements, on=day))

    # --- Agreement: page, Excel export and SQL ---------------------------------------------------------------
    total = {(int(u), int(r)): 0 for u, r, _s, _n in rows}
    for u, r, _s, n in rows:
        total[(int(u), int(r))] += n
    lines = {line["code"]: line for line in page.context["lines"]}
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    first_section = {}
    for row in sheet.iter_rows(values_only=True):
        if row and isinstance(row[1], str) and isinstance(row[2], int):
            first_section.setdefault(row[1], row[2:4])
    mismatches = 0
    for child in Unit.objects.filter(parent=province, active_to__isnull=True):
        expected = sql_subtree(first.pk, child.path)
        got_page = (lines[child.code]["audience"], lines[child.code]["done"])
        got_xlsx = tuple(first_section.get(child.name, (None, None)))
        if not (expected == got_page == got_xlsx):
            mismatches += 1
            print(f"  MISMATCH {child.code}: sql {expected} page {got_page} excel {got_xlsx}")
    for r in requirements:
        expected = sql_subtree(r.pk, province.path)
        line = report.row(requirement_id=r.pk, unit_id=province.pk)
        if expected != (line["audience"], line["done"]):
            mismatches += 1
            print(f"  MISMATCH requirement {r.pk}: sql {expected} report {(line['audience'], line['done'])}")
    assert sum(total.values()) == n_assign

    print()
    for label, seconds in results.items():
        print(f"  {label:<48} {seconds * 1000:9.1f} ms")
    ratio = results["coverage report (province)"] / results["hand SQL aggregate"]
    print(f"\n  report / hand SQL = {ratio:.2f}x (worst report {worst_rep * 1000:.1f} ms, worst SQL "
          f"{worst_sql * 1000:.1f} ms); snapshot rows {written}")
    print(f"  page, Excel and SQL agree: {'yes' if not mismatches else f'NO ({mismatches} mismatches)'}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
