"""Benchmark: validate and import a 50,000-row roster (the province's scale), then re-import it unchanged.

Run:  .venv/bin/python bench/import_roster.py            (SQLite file in a temp dir)
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/import_roster.py
Prints wall time and peak memory (RSS) per phase as a Markdown table row for bench/README.md.
"""
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_ROWS", "50000"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key-signs-nothing-that-outlives-the-run")  # DEBUG is off

import django  # noqa: E402

django.setup()

import pandas as pd  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from org import demo, parsing, services  # noqa: E402
from org.models import Official, Unit  # noqa: E402
from org.selectors import Scope  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    print(f"  {label:<32} {elapsed:7.2f} s   peak RSS {peak_mb():6.0f} MB", flush=True)
    return result, elapsed


def main():
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    demo.seed_units()
    codes = [u.code for u in Unit.objects.exclude(kind="province")]
    rows = [
        {"Mã cán bộ": f"NV-{i:06d}", "Họ và tên": f"Nguyễn Văn Thử {i}", "Mã đơn vị": codes[i % len(codes)],
         "Phân loại": ("Cán bộ", "Công chức", "Viên chức")[i % 3], "Ngạch": "Chuyên viên",
         "Vị trí việc làm": "Tư pháp – Hộ tịch", "Phụ trách CCHC": "x" if i % 40 == 0 else "",
         "Tiếp nhận hồ sơ một cửa": "x" if i % 9 == 0 else "", "Lãnh đạo": "", "Trạng thái": "Đang công tác",
         "Email": f"nv{i}@dongnai.example", "Số điện thoại": "0912345678", "Ngày sinh": "15/03/1985",
         "Ngày hiệu lực": "01/01/2020"}
        for i in range(ROWS)
    ]
    buf = io.BytesIO()
    pd.DataFrame(rows).to_excel(buf, index=False)
    xlsx = buf.getvalue()
    csv = pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")
    scope = Scope(all_units=True, all_officials=True, can_manage=True)
    print(f"{ROWS} rows on {connection.vendor}; xlsx {len(xlsx) / 2**20:.1f} MB, csv {len(csv) / 2**20:.1f} MB")

    frame, t_read_xlsx = timed("read .xlsx", lambda: parsing.read_table(xlsx, "roster.xlsx"))
    _, t_read_csv = timed("read .csv", lambda: parsing.read_table(csv, "roster.csv"))
    (valid, errors), t_validate = timed("validate (new roster)", lambda: parsing.roster_validate(frame, scope=scope))
    assert not errors, errors[:3]
    result, t_apply = timed("write (create 50k + accounts)", lambda: services.roster_apply(valid, by=None))
    assert result.created == ROWS and Official.objects.count() == ROWS
    (valid, errors), t_validate2 = timed("validate (re-import)", lambda: parsing.roster_validate(frame, scope=scope))
    result, t_apply2 = timed("write (re-import, no change)", lambda: services.roster_apply(valid, by=None))
    assert result.unchanged == ROWS
    bad = frame.copy()
    bad.iloc[ROWS // 2, 2] = "KHONG-CO"
    (_, errors), t_bad = timed("validate (one bad row)", lambda: parsing.roster_validate(bad, scope=scope))
    assert len(errors) == 1, errors
    print(f"| {connection.vendor} | {ROWS:,} | {t_read_xlsx:.1f} | {t_validate:.1f} | {t_apply:.1f} | "
          f"{t_validate2 + t_apply2:.1f} | {t_bad:.1f} | {peak_mb():.0f} |")


if __name__ == "__main__":
    main()
