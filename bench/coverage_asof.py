"""Benchmark: coverage as of a past date, computed from the dated history, at the province's scale, against one
hand-written SQL query over the same history giving the same per-unit figures.

Setup: the demo unit tree (213 units), 52,463 officials (`org.demo`), five requirements of the plan assigned on
01/03/2020 through `lms.services.requirement_assign`, then six years of dated history written in bulk,
deterministically: newcomers joining 2021–2025 (their first posting and assignments dated then), officials moving
unit on dated postings, assignments deactivated (people who left), completions from 04/2020 to 11/2026 with a
24-month validity for three requirements (so expiries, and renewals for most), people who started and did not
finish; then a reorganisation through `org.services` on 01/07/2024: a commune renamed, a commune merged into
another (its officials moved by dated postings). The report is then produced for 30/09/2023 (before the
reorganisation) and 31/12/2024 (after it).

Measured side by side, median of BENCH_REPEAT runs after one warm-up:
- the report as the pages and the API produce it (`reports.selectors.coverage_report(on=D)`: the tree of D, one
  aggregate query, the roll-up), for the province and for the Biên Hòa personnel officer;
- one hand-written SQL query over the same tables giving audience and done per (unit of D, requirement), rolled
  up: WITH RECURSIVE over the unit versions of D for the tree, an anti-join for each official's posting of D,
  the completions valid on D, and the assignments of D's audience;
- the live report (today, from the stored statuses) for comparison.
The per-unit figures of the report and the hand-written query must be equal for every unit and requirement;
the script exits non-zero otherwise.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_asof .venv/bin/python bench/coverage_asof.py
      .venv/bin/python bench/coverage_asof.py                          (SQLite file in a temp dir)
      BENCH_OFFICIALS=3000 … for a quick run. BENCH_KEEP=1 skips the reseeding when the data is already there.
"""
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

OFFICIALS = int(os.environ.get("BENCH_OFFICIALS", "52463"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "9"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key-signs-nothing-that-outlives-the-run")  # DEBUG is off
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402
from collections import defaultdict  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Exists, OuterRef, Subquery  # noqa: E402
from django.utils import timezone  # noqa: E402

from lms import rules  # noqa: E402
from lms import services as lms_services  # noqa: E402
from lms.models import Assignment, Completion, Requirement  # noqa: E402
from lms.selectors import chunks  # noqa: E402
from org import demo, roles  # noqa: E402
from org import services as org_services  # noqa: E402
from org.models import Official, Transfer, Unit, UnitKind, User  # noqa: E402
from org.selectors import scope_for  # noqa: E402
from reports import selectors as sel  # noqa: E402
from reports.history import day_end, history_counts  # noqa: E402

# Five requirements of the 2020 plan: (title, audience, validity in months or None).
REQUIREMENTS = [
    ("Bồi dưỡng kiến thức cải cách hành chính", {}, 24),
    ("Kỹ năng tiếp nhận, trả kết quả tại Bộ phận Một cửa", {"audience_one_stop_receivers": True}, 24),
    ("Nghiệp vụ công chức phụ trách cải cách hành chính", {"audience_reform_officers": True}, None),
    ("Kỹ năng giao tiếp, ứng xử với người dân, doanh nghiệp", {"audience_categories": ["can_bo", "cong_chuc"]}, 24),
    ("Chữ ký số và văn bản điện tử", {"audience_leaders": True}, None),
]
REORG_DAY = dt.date(2024, 7, 1)
DAYS = [dt.date(2023, 9, 30), dt.date(2024, 12, 31)]
LAST_DAY = dt.date(2026, 11, 1)

# The hand-written query: audience and done per (unit of D, requirement), each unit's subtree on D's tree.
HAND_SQL = """
WITH RECURSIVE v AS (
    SELECT unit_id, parent_id FROM org_unitversion
    WHERE valid_from <= %(on)s AND (valid_to IS NULL OR valid_to > %(on)s)),
tree (unit_id, ancestor_id) AS (
    SELECT unit_id, unit_id FROM v
    UNION ALL
    SELECT tree.unit_id, v.parent_id FROM tree JOIN v ON v.unit_id = tree.ancestor_id WHERE v.parent_id IS NOT NULL),
posting AS (
    SELECT t.official_id, t.to_unit_id FROM org_transfer t
    WHERE t.effective_date <= %(on)s AND NOT EXISTS (
        SELECT 1 FROM org_transfer n WHERE n.official_id = t.official_id AND n.effective_date <= %(on)s
          AND (n.effective_date, n.id) > (t.effective_date, t.id))),
valid AS (
    SELECT DISTINCT official_id, requirement_id FROM lms_completion
    WHERE completed_at < %(end)s AND (expires_at IS NULL OR expires_at > %(on)s)),
own AS (
    SELECT p.to_unit_id AS unit_id, a.requirement_id, COUNT(*) AS audience, COUNT(v.official_id) AS done
    FROM lms_assignment a JOIN posting p ON p.official_id = a.official_id
    LEFT JOIN valid v ON v.official_id = a.official_id AND v.requirement_id = a.requirement_id
    WHERE a.assigned_at < %(end)s AND (a.deactivated_at IS NULL OR a.deactivated_at >= %(end)s)
    GROUP BY p.to_unit_id, a.requirement_id)
SELECT tree.ancestor_id, own.requirement_id, SUM(own.audience), SUM(own.done)
FROM own JOIN tree ON tree.unit_id = own.unit_id
GROUP BY tree.ancestor_id, own.requirement_id
"""


def timed(fn, repeat=REPEAT):
    fn()  # warm-up
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times), max(times)


def aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


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
    t0 = time.perf_counter()
    for title, audience, validity in REQUIREMENTS:
        req = Requirement.objects.create(title=title, plan_clause="KH 15122/KH-UBND, mục II.4.c",
                                         due_date=dt.date(2020, 12, 31), validity_months=validity,
                                         renewal_window_days=30, **audience)
        lms_services.requirement_assign(requirement=req, now=aware(dt.date(2020, 3, 1)))
    print(f"  assigned on 01/03/2020 through lms.services: {Assignment.objects.count()} assignments "
          f"({time.perf_counter() - t0:.1f} s)", flush=True)
    t0 = time.perf_counter()
    merged, kept, renamed = history()
    print(f"  dated history: {Transfer.objects.count()} postings, {Completion.objects.count()} completions, "
          f"{Assignment.objects.filter(active=False).count()} deactivated ({time.perf_counter() - t0:.1f} s)",
          flush=True)
    t0 = time.perf_counter()
    org_services.unit_update(unit=renamed, name=renamed.name.replace("Xã", "Phường"), kind=UnitKind.WARD,
                             on=REORG_DAY)
    moved = org_services.unit_merge(source=merged, target=kept, on=REORG_DAY)
    lms_services.assignment_status_refresh(today=timezone.localdate())
    print(f"  01/07/2024: {renamed.code} renamed, {merged.code} merged into {kept.code} ({moved} officials moved); "
          f"statuses refreshed ({time.perf_counter() - t0:.1f} s)", flush=True)


@transaction.atomic
def history():
    """Six years of dated records, written in bulk (see the module's docstring). Returns the units the
    reorganisation will touch (merged, kept, renamed): their people are left out of the random moves, so every
    posting stays inside the tree of its day."""
    rng = random.Random(2020)
    communes = list(Unit.objects.filter(parent__code=demo.BIEN_HOA_CODE, kind__in=[UnitKind.WARD, UnitKind.COMMUNE])
                    .order_by("code"))
    merged, kept, renamed = communes[-1], communes[-2], communes[-3]
    reorg = {merged.pk, kept.pk, renamed.pk}
    leaves = [u for u in Unit.objects.exclude(kind=UnitKind.PROVINCE).values_list("id", flat=True) if u not in reorg]
    officials = list(Official.objects.order_by("id").values_list("id", "unit_id"))
    pace = {u: rng.uniform(0.3, 0.95) for u in Unit.objects.values_list("id", flat=True)}
    joined: dict[int, dt.date] = {}
    newcomers = defaultdict(list)  # join date -> officials
    moves = []
    for oid, unit_id in officials:
        joined[oid] = dt.date(2020, 1, 1)
        if unit_id in reorg:
            continue
        if rng.random() < 0.03:
            joined[oid] = between(rng, dt.date(2021, 1, 1), dt.date(2025, 12, 31))
            newcomers[joined[oid]].append(oid)
        elif rng.random() < 0.06:
            moves.append((oid, unit_id, rng.choice(leaves), between(rng, dt.date(2021, 1, 1), dt.date(2025, 12, 31))))
    for day, ids in newcomers.items():
        for chunk in chunks(ids, 2000):
            Transfer.objects.filter(official_id__in=chunk).update(effective_date=day)
            Assignment.objects.filter(official_id__in=chunk).update(assigned_at=aware(day, 10))
    Transfer.objects.bulk_create([Transfer(official_id=oid, from_unit_id=src, to_unit_id=dst, effective_date=day,
                                           source=Transfer.Source.MANUAL) for oid, src, dst, day in moves],
                                 batch_size=2000)
    by_unit = defaultdict(list)
    for oid, _src, dst, _day in moves:
        by_unit[dst].append(oid)
    for dst, ids in by_unit.items():
        Official.objects.filter(pk__in=ids).update(unit_id=dst)
    # Leavers: 2% of assignments deactivated on a dated day (bucketed by month to keep the UPDATEs few).
    validity = dict(Requirement.objects.values_list("id", "validity_months"))
    unit_of = dict(officials)
    leave = defaultdict(list)
    completions = []
    started = defaultdict(list)
    for pk, oid, rid in Assignment.objects.order_by("id").values_list("id", "official_id", "requirement_id"):
        first_day = max(joined[oid], dt.date(2020, 3, 1))
        if rng.random() < 0.02:
            leave[between(rng, dt.date(2021, 1, 1), dt.date(2026, 6, 30)).replace(day=1)].append(pk)
        r = rng.random()
        p = pace[unit_of[oid]]
        if r < p:
            day = between(rng, first_day + dt.timedelta(days=20), LAST_DAY)
            while day <= LAST_DAY:
                expires = rules.expiry_for(day, validity[rid])
                completions.append(Completion(official_id=oid, requirement_id=rid, completed_at=aware(day, 14),
                                              expires_at=expires, source=Completion.Source.DEMO))
                if expires is None or rng.random() > 0.7:
                    break
                day = expires - dt.timedelta(days=rng.randint(-60, 25))  # renewed around the expiry, or late
        elif r < p + 0.1:
            started[between(rng, first_day, LAST_DAY).replace(day=1)].append(pk)
    Completion.objects.bulk_create(completions, batch_size=5000)
    for day, ids in leave.items():
        for chunk in chunks(ids, 2000):
            Assignment.objects.filter(pk__in=chunk).update(active=False, deactivated_at=aware(day, 16))
    for day, ids in started.items():
        for chunk in chunks(ids, 2000):
            Assignment.objects.filter(pk__in=chunk).update(started_at=aware(day, 8))
    # Each assignment carries its latest completion, as the LMS keeps it.
    latest = Completion.objects.filter(official_id=OuterRef("official_id"), requirement_id=OuterRef("requirement_id")
                                       ).order_by("-completed_at")
    Assignment.objects.filter(Exists(latest)).update(
        completed_at=Subquery(latest.values("completed_at")[:1]), expires_at=Subquery(latest.values("expires_at")[:1]),
        completion_id=Subquery(latest.values("pk")[:1]))
    Assignment.objects.filter(completed_at__isnull=False, started_at__isnull=True).update(
        started_at=Subquery(Completion.objects.filter(official_id=OuterRef("official_id"),
                                                      requirement_id=OuterRef("requirement_id"))
                            .order_by("completed_at").values("completed_at")[:1]))
    return Unit.objects.get(pk=merged.pk), Unit.objects.get(pk=kept.pk), Unit.objects.get(pk=renamed.pk)


def hand_sql(on: dt.date):
    ops = connection.ops
    with connection.cursor() as cur:
        cur.execute(HAND_SQL, {"on": ops.adapt_datefield_value(on), "end": ops.adapt_datetimefield_value(day_end(on))})
        return cur.fetchall()


def main():
    print(f"database: {connection.vendor}", flush=True)
    if not (os.environ.get("BENCH_KEEP") and Completion.objects.exists()):
        seed()
    admin, officer = User.objects.get(username="bench-admin"), User.objects.get(username="bench-personnel")
    admin_scope, officer_scope = scope_for(admin), scope_for(officer)
    requirements = list(sel.report_requirements(admin))
    print(f"  {Unit.objects.count()} units, {Official.objects.count()} officials, {len(requirements)} requirements, "
          f"{Assignment.objects.count()} assignments, {Completion.objects.count()} completions, "
          f"{Transfer.objects.count()} postings", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    results, mismatches = [], 0
    for day in DAYS:
        rows, t_sql, w_sql = timed(lambda: hand_sql(day))
        report, t_rep, w_rep = timed(lambda: sel.coverage_report(scope=admin_scope, requirements=requirements, on=day))
        _, t_counts, _ = timed(lambda: history_counts(on=day, requirement_ids=[r.pk for r in requirements]))
        _, t_officer, _ = timed(lambda: sel.coverage_report(
            scope=officer_scope, requirements=list(sel.report_requirements(officer)), on=day))
        expected = {(int(u), int(r)): (int(a), int(d)) for u, r, a, d in rows}
        got = {(int(u), int(r)): (int(a), int(d)) for u, r, a, d in
               report.table[["unit_id", "requirement_id", "audience", "done"]].itertuples(index=False) if a}
        if got != expected:
            bad = {k for k in set(got) | set(expected) if got.get(k) != expected.get(k)}
            mismatches += len(bad)
            for k in sorted(bad)[:10]:
                print(f"  MISMATCH {day} unit/requirement {k}: report {got.get(k)} hand SQL {expected.get(k)}")
        province = report.row(requirement_id=requirements[0].pk, unit_id=Unit.objects.get(code=demo.PROVINCE_CODE).pk)
        results.append((day, t_sql, w_sql, t_rep, w_rep, t_counts, t_officer, len(report.table),
                        province["audience"], province["done"]))
    _, t_live, _ = timed(lambda: sel.coverage_report(scope=admin_scope, requirements=requirements))

    print()
    for day, t_sql, w_sql, t_rep, w_rep, t_counts, t_officer, n_rows, aud, done in results:
        print(f"  as of {day:%d/%m/%Y}: province audience {aud}, done {done}; {n_rows} report rows")
        print(f"    hand-written SQL (one query, rolled up)          {t_sql * 1000:8.1f} ms (worst {w_sql * 1000:.1f})")
        print(f"    coverage_report(on=D), province                  {t_rep * 1000:8.1f} ms (worst {w_rep * 1000:.1f})"
              f"  = {t_rep / t_sql:.2f}x the hand SQL")
        print(f"      of which history_counts (the aggregate query)  {t_counts * 1000:8.1f} ms")
        print(f"    coverage_report(on=D), Biên Hòa officer          {t_officer * 1000:8.1f} ms")
    print(f"  live report (today, stored statuses)               {t_live * 1000:8.1f} ms")
    print(f"\n  report and hand SQL agree on every unit and requirement: "
          f"{'yes' if not mismatches else f'NO ({mismatches} mismatches)'}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
