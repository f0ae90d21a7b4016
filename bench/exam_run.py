"""Exam engine benchmark, run: nginx in front of gunicorn against PostgreSQL + Redis (docker-compose.yml's shape),
then locust through three phases, then a check of the database. Run bench/exam_setup.py once before.

  .venv/bin/python bench/exam_run.py                      # all phases, ~20 min
  .venv/bin/python bench/exam_run.py --phases burst --front none          # gunicorn facing the clients itself
  .venv/bin/python bench/exam_run.py --phases autosave --autosave-seconds 300 --workers 4

Phases (one nginx and gunicorn, one database, one after another):
  burst     2,000 candidates start the same 60-question exam, spread evenly over 60 s (locust spawn rate 33.3/s)
  autosave  10,000 candidates each save an answer every 30 s (~333 saves/s), joining over 120 s
  floor     throughput: the real save endpoint and the bare floor view (bench/floor.py), each saturated by the same
            number of clients with no pause, alternated twice
Then every save that got a 200 is looked up: the stored Answer must have that seq or a newer one.
The load generator shares the machine's 2 cores with gunicorn, PostgreSQL and Redis; the CPU each used is reported.
Results: a Markdown summary on stdout, raw numbers in bench/results/exam_run_<time>.tmp (JSON).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import exam_setup  # noqa: E402  (sets the environment: bench database and Redis db)
from paper_ids import option_id  # noqa: E402

ROOT = exam_setup.ROOT
RESULTS = ROOT / "bench" / "results"
LOCUST = os.environ.get("BENCH_LOCUST", str(ROOT / ".venv-bench" / "bin" / "locust"))
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8077"))
DBNAME = exam_setup.DATABASE_URL.rsplit("/", 1)[1]
CLK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting: who used the two cores during each phase ---------------------------------------------------

def _classify(cmdline: str) -> str:
    if cmdline.startswith("nginx"):
        return "nginx"
    if "gunicorn" in cmdline:
        return "gunicorn"
    if "locust" in cmdline:
        return "locust"
    if cmdline.startswith("postgres"):
        if "autovacuum" in cmdline:
            return "postgres autovacuum"
        return "postgres (bench db)" if DBNAME in cmdline else "postgres (other)"
    if "redis-server" in cmdline:
        return "redis"
    return "other processes"


class CpuMeter(threading.Thread):
    """Samples /proc every second and adds up CPU seconds per kind of process."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seen: dict[int, tuple[str, float]] = {}
        self.used: dict[str, float] = {}
        self.timeline: list[dict] = []  # per sample: seconds since start, CPU % of one core per kind, machine busy
        self.stop_flag = threading.Event()
        self._sample(first=True)
        self.t0 = time.monotonic()
        self.stat0 = self._machine()

    @staticmethod
    def _machine() -> tuple[int, int]:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(ticks), ticks[3] + ticks[4]  # all, idle + iowait

    def _sample(self, first=False):
        before, machine_before = dict(self.used), getattr(self, "_last_machine", None)
        self._last_machine = self._machine()
        self._walk(first)
        if not first and machine_before:
            (all1, idle1), (all0, idle0) = self._last_machine, machine_before
            row = {k: round(v - before.get(k, 0.0), 2) * 100 for k, v in self.used.items()
                   if v - before.get(k, 0.0) > 0.005}
            row["machine busy"] = round((1 - (idle1 - idle0) / max(1, all1 - all0)) * os.cpu_count() * 100)
            row["t"] = round(time.monotonic() - self.t0, 1)
            self.timeline.append(row)

    def _walk(self, first=False):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cpu = (int(fields[11]) + int(fields[12])) / CLK
                if pid not in self.seen:
                    kind = _classify((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                    # Running at the first sample: counted from then on; born later: counted from its start.
                    self.seen[pid] = (kind, cpu if first else 0.0)
                kind, last = self.seen[pid]
                if cpu > last:
                    self.used[kind] = self.used.get(kind, 0.0) + cpu - last
                    self.seen[pid] = (kind, cpu)
            except (OSError, IndexError, ValueError):
                continue

    def run(self):
        while not self.stop_flag.wait(1.0):
            self._sample()

    def finish(self) -> dict:
        self.stop_flag.set()
        self.join()
        self._sample()
        wall = time.monotonic() - self.t0
        (all1, idle1), (all0, idle0) = self._machine(), self.stat0
        busy = (1 - (idle1 - idle0) / max(1, all1 - all0)) * os.cpu_count() * 100
        # Processes that come and go between samples (other people's test runs) and kernel threads end up in
        # "unaccounted": the machine total comes from /proc/stat.
        out = {k: round(v / wall * 100) for k, v in sorted(self.used.items())}
        return {"wall_s": round(wall, 1), "machine busy": round(busy), **out,
                "unaccounted": round(busy - sum(out.values())), "timeline": self.timeline}


# --- gunicorn -------------------------------------------------------------------------------------------------

SOCKET = RESULTS / "gunicorn.sock"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "cchc.conf.template"


def upstream(args) -> str:
    """Where nginx reaches gunicorn: a Unix socket (default) or TCP on the next port (--upstream tcp)."""
    return f"unix:{SOCKET}" if args.upstream == "unix" else f"{HOST}:{PORT + 1}"


def start_gunicorn(args) -> subprocess.Popen:
    """gunicorn as docker-compose.yml's web service runs it; behind nginx on a Unix socket, or facing the clients
    itself on HOST:PORT (--front none)."""
    bind = f"{HOST}:{PORT}" if args.front == "none" else upstream(args)
    cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind", bind,
           "--workers", str(args.workers), "--timeout", "60", "--backlog", "4096"]
    if args.front == "none":  # behind nginx, nginx keeps the access log (docker-compose.yml)
        cmd += ["--access-logfile", str(RESULTS / "gunicorn_access.tmp")]
    if args.threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(args.threads)]
    env = {**os.environ, **exam_setup.server_env()}
    if args.front == "nginx":
        env["TRUSTED_CLIENT_IP_HEADER"] = "X-Real-IP"  # as docker-compose.yml sets it behind the proxy
    (RESULTS / "gunicorn_access.tmp").unlink(missing_ok=True)
    SOCKET.unlink(missing_ok=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(RESULTS / "gunicorn.tmp", "w"),
                            stderr=subprocess.STDOUT)
    return proc


def render_nginx(upstream: str, listen: str, media_root: str, access_log: str) -> str:
    """deploy/nginx/cchc.conf.template with its ${CCHC_...} filled in, as the nginx image's entrypoint does."""
    text = NGINX_TEMPLATE.read_text()
    for name, value in (("CCHC_UPSTREAM", upstream), ("CCHC_LISTEN", listen), ("CCHC_MEDIA_ROOT", media_root),
                        ("CCHC_ACCESS_LOG", access_log), ("CCHC_ERROR_ROOT", str(NGINX_TEMPLATE.parent / "errors"))):
        text = text.replace("${" + name + "}", value)
    return text


def start_nginx(args) -> subprocess.Popen:
    """The system's nginx (Debian's package) with docker-compose.yml's proxy configuration, in the foreground."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise SystemExit("nginx is not installed (apt-get install nginx-light), or run with --front none")
    tmp = RESULTS / "nginx_tmp"
    tmp.mkdir(exist_ok=True)
    site = RESULTS / "nginx_site.tmp"
    (RESULTS / "nginx_access.tmp").unlink(missing_ok=True)
    site.write_text(render_nginx(upstream(args).removeprefix("http://"), f"{HOST}:{PORT}", str(ROOT / "media"),
                                 str(RESULTS / "nginx_access.tmp")))
    main_conf = RESULTS / "nginx.tmp"
    main_conf.write_text(f"""# written by bench/exam_run.py
worker_processes {args.nginx_workers};
worker_rlimit_nofile 20000;  # the hard limit here (ulimit -Hn)
pid {RESULTS}/nginx.pid.tmp;
error_log {RESULTS}/nginx_error.tmp warn;
events {{ worker_connections 19000; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
""")
    return subprocess.Popen([nginx, "-c", str(main_conf), "-p", str(RESULTS), "-e", str(RESULTS / "nginx_error.tmp"),
                             "-g", "daemon off;"], stdout=open(RESULTS / "nginx_out.tmp", "w"),
                            stderr=subprocess.STDOUT)


def wait_up(procs: list[subprocess.Popen]) -> None:
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/healthz", timeout=2).read()
            return
        except OSError:
            if any(p.poll() is not None for p in procs):
                break
            time.sleep(0.5)
    for p in procs:
        stop(p)
    raise SystemExit("the server did not come up; see bench/results/gunicorn.tmp and nginx_error.tmp")


def wait_idle(max_wait: float = 300) -> float:
    """After an overloaded phase, gunicorn still works off the connections the kernel queued for it: wait until
    /healthz answers fast again, so that one phase's backlog is not measured in the next."""
    start = time.monotonic()
    while time.monotonic() - start < max_wait:
        t = time.monotonic()
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/healthz", timeout=30).read()
        except OSError:
            pass
        if time.monotonic() - t < 0.05:
            break
        time.sleep(1)
    time.sleep(3)
    return round(time.monotonic() - start, 1)


def _busy_fraction(seconds: float = 1.0) -> float:
    """How busy the machine's cores were over the next `seconds` (from /proc/stat)."""
    def sample():
        fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(max_wait: float = 90, below: float = 0.15) -> float:
    """Before a measured phase: wait until the machine is quiet (every gunicorn worker booted, the reset's VACUUM
    and autovacuum done), so that a phase measures the starts, not the workers compiling the code or the previous
    run's dead rows being cleaned (the server runs for weeks; its workers are warm)."""
    start = time.monotonic()
    while time.monotonic() - start < max_wait and _busy_fraction() > below:
        pass
    return round(time.monotonic() - start, 1)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- locust ---------------------------------------------------------------------------------------------------

def locust(user_class: str, users: int, rate: float, seconds: int, extra_env: dict | None = None) -> dict:
    out = RESULTS / f"locust_{user_class}.tmp"
    out.unlink(missing_ok=True)
    env = {**os.environ, "BENCH_OUT": str(out), **(extra_env or {})}
    cmd = [LOCUST, "-f", str(ROOT / "bench" / "locustfile_exam.py"), "--headless", "--only-summary",
           "-H", f"http://{HOST}:{PORT}", "-u", str(users), "-r", str(rate), "-t", f"{seconds}s",
           "--stop-timeout", "30", "--loglevel", "WARNING", user_class]
    log = open(RESULTS / f"locust_{user_class}.log.tmp", "w")
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    data = json.loads(out.read_text()) if out.exists() else {}
    if not any(data.get("latencies", {}).values()):
        raise SystemExit(f"locust sent no request; see {log.name}")
    return data


def pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def summarise(samples: list, failures: dict, since: float | None = None) -> dict:
    """Exact percentiles (ms) and the rate of requests over the span they were sent in."""
    rows = [(t, ms) for t, ms in samples if since is None or t >= since]
    if not rows:
        return {"requests": 0}
    times = sorted(ms for _t, ms in rows)
    span = max(t + ms / 1000 for t, ms in rows) - min(t for t, _ms in rows)
    return {"requests": len(rows), "failures": sum(failures.values()) if since is None else None,
            "failure_kinds": failures if since is None else None, "span_s": round(span, 1),
            "req_s": round(len(rows) / span, 1) if span else None,
            "p50": round(pct(times, 50), 1), "p95": round(pct(times, 95), 1), "p99": round(pct(times, 99), 1),
            "max": round(times[-1], 1)}


def stalls(data: dict, first: float) -> dict:
    """When locust's own event loop ran late (> 50 ms): its sends were late too, and the replies waited to be read."""
    rows = data.get("loop_stalls", [])
    return {"count": len(rows), "max_ms": max((ms for _t, ms in rows), default=0),
            "total_ms": round(sum(ms for _t, ms in rows)), "worst": sorted(
                ([round(t - first, 1), ms] for t, ms in rows), key=lambda r: -r[1])[:5]}


def max_seq() -> int:
    from django.db.models import Max

    from exams.models import Answer

    return Answer.objects.aggregate(m=Max("seq"))["m"] or 0


def verify(acks: list) -> dict:
    """Every acknowledged save must be in the database: the stored Answer has that seq or a newer one, and where
    it has that very seq, the response sent with it."""
    from exams.models import Answer

    options = {u["attempt"]: u["options"] for u in json.loads(exam_setup.SESSIONS_FILE.read_text())["users"]}
    latest: dict[tuple[int, int], tuple[int, int]] = {}
    for attempt, slot, seq, choice in acks:
        if seq > latest.get((attempt, slot), (-1, 0))[0]:
            latest[(attempt, slot)] = (seq, choice)
    stored = {}
    attempts = sorted({a for a, _s in latest})
    for i in range(0, len(attempts), 2000):
        for a, s, q, r in (Answer.objects.filter(attempt_id__in=attempts[i:i + 2000])
                           .values_list("attempt_id", "slot", "seq", "response")):
            stored[(a, s)] = (q, r)
    bad = []
    for key, (seq, choice) in latest.items():
        got_seq, got_response = stored.get(key, (-1, None))
        sent = {"choice": option_id(options[key[0]], key[1], choice)}
        if got_seq < seq or (got_seq == seq and got_response != sent):
            bad.append((key, seq, got_seq))
    return {"acks": len(acks), "answer_rows_checked": len(latest), "missing_or_wrong": len(bad), "examples": bad[:5]}


def _brief(row: dict) -> dict:
    """The one-line summary printed while running: without the per-second CPU timeline (it is in the raw file)."""
    cpu = {k: v for k, v in row.get("cpu_percent_of_one_core", {}).items() if k != "timeline"}
    return {**row, "cpu_percent_of_one_core": cpu}


def phase_burst(args, report):
    from exams.models import Attempt, AttemptQuestion

    exam_setup.reset_burst()
    report.setdefault("quiet_wait_s", {})["burst"] = wait_quiet()
    meter = CpuMeter()
    meter.start()
    n = args.burst_users
    data = locust("BurstCandidate", n, round(n / args.burst_seconds, 2), args.burst_seconds + 90,
                  {"BENCH_BURST": str(n)})
    cpu = meter.finish()
    starts = data["latencies"].get("start", [])
    exam = json.loads(exam_setup.SESSIONS_FILE.read_text())["burst_exam"]
    attempts = Attempt.objects.filter(exam_id=exam)
    sent = sorted(t for t, _ms in starts)
    report["burst"] = {**summarise(starts, data["failures"].get("start", {})),
                       "sent_over_s": round(sent[-1] - sent[0], 1), "cpu_percent_of_one_core": cpu,
                       "sittings_in_db": attempts.count(),
                       "slots_in_db": AttemptQuestion.objects.filter(attempt__exam_id=exam).count()}
    print(json.dumps(_brief(report["burst"])), flush=True)


def phase_shift(args, report):
    """A shift opens: every candidate of the session's rooms starts within --shift-seconds (10 s). Their papers were
    drawn and frozen at check-in (exams.services.sessions), each sitting written READY with its slots, so a start
    is one UPDATE of one row."""
    from exams.models import Attempt, AttemptQuestion

    exam_setup.reset_shift()
    report.setdefault("quiet_wait_s", {})["shift"] = wait_quiet()
    meter = CpuMeter()
    meter.start()
    n = exam_setup.SHIFT_USERS
    data = locust("ShiftCandidate", n, round(n / args.shift_seconds, 2), args.shift_seconds + 90,
                  {"BENCH_BURST": str(n)})
    cpu = meter.finish()
    starts = data["latencies"].get("start", [])
    exam = json.loads(exam_setup.SESSIONS_FILE.read_text())["shift_exam"]
    sent = sorted(t for t, _ms in starts)
    report["shift"] = {**summarise(starts, data["failures"].get("start", {})),
                       "sent_over_s": round(sent[-1] - sent[0], 1) if sent else None, "cpu_percent_of_one_core": cpu,
                       "sittings_in_db": Attempt.objects.filter(exam_id=exam).count(),
                       "slots_in_db": AttemptQuestion.objects.filter(attempt__exam_id=exam).count()}
    print(json.dumps(_brief(report["shift"])), flush=True)


def phase_autosave(args, report):
    """Steady load: candidates join over --ramp seconds (the start burst is its own phase), each saving every
    --pacing seconds from a random moment of its first interval; the report's `steady` window starts once all
    have joined and each has saved once."""
    meter = CpuMeter()
    meter.start()
    ramp, pacing = args.ramp, args.pacing
    data = locust("AutosaveCandidate", args.users, round(args.users / ramp, 1),
                  int(ramp + pacing + args.autosave_seconds),
                  {"BENCH_SEQ_BASE": str(max_seq() + 1), "BENCH_PACING": str(pacing)})
    cpu = meter.finish()
    saves = data["latencies"].get("save", [])
    first = min(t for t, _ms in saves)
    report["autosave"] = {"all": summarise(saves, data["failures"].get("save", {})),
                          "steady": summarise(saves, {}, since=first + ramp + pacing),
                          "cpu_percent_of_one_core": cpu, "load_generator_stalls": stalls(data, first)}
    report["autosave"]["verify"] = verify(data["acks"])
    print(json.dumps(_brief(report["autosave"])), flush=True)


def phase_floor(args, report):
    report["floor"] = []
    for round_ in range(2):
        for cls, name in (("SaveHammer", "save (max)"), ("FloorHammer", "floor (max)")):
            meter = CpuMeter()
            meter.start()
            data = locust(cls, args.hammer_users, args.hammer_users, args.hammer_seconds,
                          {"BENCH_SEQ_BASE": str(max_seq() + 1)})
            cpu = meter.finish()
            row = {"endpoint": name, "round": round_ + 1,
                   **summarise(data["latencies"].get(name, []), data["failures"].get(name, {})),
                   "verify": verify(data["acks"]), "cpu_percent_of_one_core": cpu}
            report["floor"].append(row)
            print(json.dumps(_brief(row)), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phases", default="burst,shift,autosave,floor")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "1")))
    parser.add_argument("--front", choices=("nginx", "none"), default="nginx",
                        help="nginx in front of gunicorn, as docker-compose.yml runs it, or gunicorn facing locust")
    parser.add_argument("--nginx-workers", type=int, default=1)
    parser.add_argument("--upstream", choices=("unix", "tcp"), default="unix")
    parser.add_argument("--burst-users", type=int, default=2000)
    parser.add_argument("--burst-seconds", type=int, default=60)
    parser.add_argument("--shift-seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--pacing", type=float, default=30.0)
    parser.add_argument("--ramp", type=float, default=120.0, help="seconds over which the candidates join")
    parser.add_argument("--autosave-seconds", type=int, default=240, help="measured, once all have joined")
    parser.add_argument("--hammer-users", type=int, default=16)
    parser.add_argument("--hammer-seconds", type=int, default=45)
    args = parser.parse_args()
    if not exam_setup.SESSIONS_FILE.exists():
        raise SystemExit("Run bench/exam_setup.py first.")
    import django

    django.setup()
    from django.db import connection

    RESULTS.mkdir(exist_ok=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the code may have moved on since exam_setup.py ran
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
    report = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "front": args.front, "workers": args.workers,
              "threads": args.threads,
              "postgres": pg, "cores": os.cpu_count(), "loadavg_before": os.getloadavg(), "args": vars(args)}
    print(json.dumps(report), flush=True)
    servers = [start_gunicorn(args)]
    if args.front == "nginx":
        servers.append(start_nginx(args))
    wait_up(servers)
    connection.close()
    try:
        for phase in args.phases.split(","):
            {"burst": phase_burst, "shift": phase_shift, "autosave": phase_autosave,
             "floor": phase_floor}[phase](args, report)
            connection.close()
            report.setdefault("drain_s", {})[phase] = wait_idle()
    finally:
        for proc in reversed(servers):
            stop(proc)
    report["loadavg_after"] = os.getloadavg()
    out = RESULTS / f"exam_run_{time.strftime('%Y%m%d_%H%M%S')}.tmp"
    out.write_text(json.dumps(report, indent=1))
    print(f"raw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
