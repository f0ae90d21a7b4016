"""Benchmark: the 2025 reform applied at the province's scale, in one operation.

Setup: the two provinces as of 01/03/2025 from the GSO list (Đồng Nai 75 and Bình Phước 70: 2 provinces, 20
district-level units, 270 communes; `dong-nai-binh-phuoc-units-2025-03.csv`), each with the 20 departments of the
demo, 52,463 synthetic Đồng Nai officials (the plan's 2019 headcount) and BENCH_BP_OFFICIALS Bình Phước officials
(default 20,000: no published headcount was found; Bình Phước has about a third of Đồng Nai's population), spread
over every unit as `org.demo` spreads them; three requirements aimed at units (Biên Hòa, Long Khánh, Bình Phước),
assigned through the LMS.

Measured: reading the successor file into a plan, the preview, and the apply transaction (units created, renamed,
moved, closed; every official of a closing unit posted to its successor; audiences and scopes followed); then the
LMS's follow-up pass (assignments brought in line for everyone who moved), which runs after the commit as a task.
Then checks: 95 commune-level units active under 75, no district-level unit active, every official in an active
unit, as many assignments active as before, and the tree of 31/12/2024 as it was.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_reorg .venv/bin/python bench/reorganisation.py
      BENCH_OFFICIALS=5000 BENCH_BP_OFFICIALS=2000 … for a quick run.
"""
import os
import sys
import tempfile
import time
from pathlib import Path

OFFICIALS = int(os.environ.get("BENCH_OFFICIALS", "52463"))
BP_OFFICIALS = int(os.environ.get("BENCH_BP_OFFICIALS", "20000"))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key-signs-nothing-that-outlives-the-run")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

import csv  # noqa: E402
import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from lms import services as lms_services  # noqa: E402
from lms.models import Assignment, Completion, Requirement  # noqa: E402
from org import demo  # noqa: E402
from org.models import (Official, Reorganisation, Succession, Transfer, Unit, UnitKind, UnitVersion,  # noqa: E402
                        User)
from org.reorganisation import plan_from_file, plan_preview  # noqa: E402
from org.selectors import unit_tree_on  # noqa: E402
from org.services import unit_create  # noqa: E402
from org.services.reorganisation import reorganisation_allocate, reorganisation_apply, reorganisation_create  # noqa: E402
from common.text import fold  # noqa: E402

ON = dt.date(2025, 7, 1)


def data_file(name: str) -> Path:
    for base in (ROOT / "org" / "data", ROOT.parent / "shared" / "data"):
        if (base / name).exists():
            return base / name
    raise SystemExit(f"{name} not found in org/data or ../shared/data")


def seed() -> None:
    call_command("migrate", verbosity=0)
    for model in (Assignment, Requirement, Succession):
        model.objects.all().delete()
    Transfer.objects.update(reorganisation=None)
    UnitVersion.objects.update(reorganisation=None)
    Reorganisation.objects.all().delete()
    demo.reset()
    units = {}
    with open(data_file("dong-nai-binh-phuoc-units-2025-03.csv"), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            units[row["code"]] = unit_create(code=row["code"], name=row["name"], kind=demo.KIND_FROM_CSV.get(
                row["kind"], UnitKind.OTHER), parent=units.get(row["parent_code"]), active_from=dt.date(2020, 1, 1))
    for province in ("75", "70"):
        for suffix, name in demo.DEPARTMENTS:
            code = f"{province}-{suffix}"
            units[code] = unit_create(code=code, name=name, kind=UnitKind.DEPARTMENT, parent=units[province],
                                      active_from=dt.date(2020, 1, 1))
    people = demo._People()
    for province, total in (("75", OFFICIALS), ("70", BP_OFFICIALS)):
        inside = [u for u in Unit.objects.filter(path__startswith=units[province].path).exclude(kind=UnitKind.PROVINCE)]
        alloc = demo._allocation(inside, total)
        users, rows = [], []
        for unit in inside:
            for i in range(alloc[unit.id]):
                code = f"{unit.code}-{i + 1:04d}"
                name, _f = people.name()
                users.append(User(username=code.lower(), password="!"))
                rows.append(dict(employee_code=code, full_name=name, name_folded=fold(name), unit=unit,
                                 date_of_birth=people.birthday(), **demo._profile(unit, i, people)))
        User.objects.bulk_create(users, batch_size=5000)
        ids = dict(User.objects.values_list("username", "id"))
        Official.objects.bulk_create([Official(user_id=ids[r["employee_code"].lower()], **r) for r in rows],
                                     batch_size=5000)
        oids = dict(Official.objects.values_list("employee_code", "id"))
        Transfer.objects.bulk_create([Transfer(official_id=oids[r["employee_code"]], to_unit=r["unit"],
                                               effective_date=dt.date(2020, 1, 1), source=Transfer.Source.SEED)
                                      for r in rows], batch_size=5000)
    for title, code, flags in (("Bồi dưỡng CCHC — Biên Hòa", "731", {}),
                               ("Một cửa — Long Khánh", "732", {"audience_one_stop_receivers": True}),
                               ("Bồi dưỡng CCHC — Bình Phước", "70", {"audience_reform_officers": True})):
        r = Requirement.objects.create(title=title, due_date=dt.date(2026, 12, 31), **flags)
        r.audience_units.set([units[code]])
        lms_services.requirement_assign(requirement=r)


def main() -> None:
    if not os.environ.get("BENCH_KEEP"):
        t = time.perf_counter()
        seed()
        print(f"seeded {Official.objects.count():,} officials, {Unit.objects.count()} units in "
              f"{time.perf_counter() - t:.1f} s")
    before_tree = sorted((r["code"], r["name"], r["parent_code"]) for r in unit_tree_on(dt.date(2024, 12, 31)))
    before_active = Assignment.objects.filter(active=True).count()
    before_records = Assignment.objects.count(), Completion.objects.count()
    data = data_file("dong-nai-reform-2025-07-01.csv").read_bytes()

    t = time.perf_counter()
    plan = plan_from_file(data, "reform.csv", parent_code="75", dissolve_kinds=("city", "district", "town"),
                          merge_into_parent=["70"])
    t_plan = time.perf_counter() - t
    r = reorganisation_create(title="Sắp xếp ĐVHC 2025", effective_date=ON, plan=plan)
    split = Official.objects.filter(unit__code="26449").order_by("employee_code").values_list("employee_code", flat=True)
    reorganisation_allocate(reorganisation=r, allocations={c: ("26359" if i % 2 else "26446") for i, c in enumerate(split)})
    t = time.perf_counter()
    preview = plan_preview(r.plan, on=ON)
    t_preview = time.perf_counter() - t
    assert not preview.checked.errors, preview.checked.errors[:5]

    t = time.perf_counter()
    with transaction.atomic():
        reorganisation_apply(reorganisation=r)
        t_apply = time.perf_counter() - t
    t_total = time.perf_counter() - t  # the commit runs the LMS's follow-up (eager here; a worker's task in production)

    live = Unit.objects.filter(active_to__isnull=True)
    communes = live.filter(kind__in=[UnitKind.WARD, UnitKind.COMMUNE, UnitKind.TOWNSHIP]).count()
    districts = live.filter(kind__in=[UnitKind.CITY, UnitKind.DISTRICT, UnitKind.TOWN]).count()
    stranded = Official.objects.filter(unit__active_to__isnull=False, status="active").count()
    after_tree = sorted((r["code"], r["name"], r["parent_code"]) for r in unit_tree_on(dt.date(2024, 12, 31)))
    after_active = Assignment.objects.filter(active=True).count()
    after_records = Assignment.objects.count(), Completion.objects.count()
    print(f"officials moved: {preview.officials_moving:,}; units closing: {len(preview.closing)}; "
          f"new units: {sum(1 for x in preview.lines if x['new'])}")
    print(f"plan from file: {t_plan * 1000:.0f} ms; preview: {t_preview * 1000:.0f} ms; "
          f"apply (one transaction): {t_apply:.2f} s; LMS follow-up after the commit: {t_total - t_apply:.2f} s")
    print(f"after: {communes} commune-level units, {districts} district-level, {stranded} officials in closed units; "
          f"assignments active {before_active:,} → {after_active:,} (audiences follow the successors, which hold more "
          f"people than the old units); assignment and completion rows {before_records} → {after_records}; "
          f"2024 tree unchanged: {before_tree == after_tree}")
    ok = communes == 95 and districts == 0 and stranded == 0 and before_tree == after_tree \
        and after_records[0] >= before_records[0] and after_records[1] == before_records[1]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
