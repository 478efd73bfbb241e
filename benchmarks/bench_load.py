"""Load benchmark of the resident flow: gunicorn (2 workers) on PostgreSQL and/or SQLite, concurrent residents.

    .venv/bin/python benchmarks/bench_load.py [--backend postgresql|sqlite|both] [--clients 32]
                                              [--questionnaires N] [--workers 2] [--worker-class gthread]

For each backend: a fresh database (PostgreSQL: database ``survey_bench`` created and dropped through
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``; SQLite: a temp file) is migrated and loaded
with the app's own code (Alembic upgrade, the built-in questionnaire published, a generated frame with one
token per household).  gunicorn serves ``wsgi:app`` with SURVEY_ENV=production; a lean asyncio client
(one process, keep-alive, regex forms: benchmarks/_load_client.py) runs ``--clients`` residents at a
time, each answering the whole household flow for its own token: landing GET, GET + POST per page,
thank-you GET.  The trivial route (``/static/site.css``: the app has no smaller route) is measured at the
same concurrency in the same run, so the ratios printed are comparable between machines.  Finally the
database is checked: every token used has exactly one complete response with all its answers, no token
has two, no unused token has any.  Exit status 1 on FAIL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load_client as client  # noqa: E402
import _load_db as database  # noqa: E402

HOST = "127.0.0.1"
TRIVIAL = "/static/site.css"
GOAL = {"questionnaires_per_s": 100.0, "p95_ms": 100.0, "clients": 32}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- CPU accounting from /proc: who used the two cores during the measured part -----------------------
_TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[str, int, float]]:
    """pid -> (comm, ppid, cpu seconds) for every readable process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1: stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(entry)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
    return table


def cpu_snapshot(gunicorn_pid: int) -> dict[str, float]:
    table = _proc_table()
    server = sum(cpu for pid, (_, ppid, cpu) in table.items() if pid == gunicorn_pid or ppid == gunicorn_pid)
    postgres = sum(cpu for comm, _, cpu in table.values() if comm.startswith("postgres"))
    own = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / _TICK  # all but idle and iowait
    snap = {"gunicorn": server, "postgres": postgres, "client": own.ru_utime + own.ru_stime}
    snap["other processes"] = busy - sum(snap.values())
    return snap


def cpu_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: after[k] - before[k] for k in before}


# --- gunicorn -----------------------------------------------------------------------------------------
def start_gunicorn(url: str, port: int, args) -> subprocess.Popen:
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_SECRET_KEY": secrets.token_urlsafe(32),
        "SURVEY_ENV": "production",
        "SURVEY_BASE_URL": f"http://{HOST}:{port}",
    }
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", str(args.workers),
        "--worker-class", args.worker_class, "--bind", f"{HOST}:{port}", "--backlog", "2048",
        "--log-level", "warning", "--chdir", str(args.app_dir),
    ]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads), "--keep-alive", "30"]
    cmd.append("wsgi:app")
    proc = subprocess.Popen(cmd, cwd=args.app_dir, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as s:
                s.sendall(f"GET {TRIVIAL} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return proc
        except OSError:
            pass
        time.sleep(0.1)
    stop_gunicorn(proc)
    raise SystemExit("gunicorn did not answer within 30 s")


def worker_pids(master: int) -> list[int]:
    return sorted(pid for pid, (_, ppid, _) in _proc_table().items() if ppid == master)


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)  # the master stops its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- figures ------------------------------------------------------------------------------------------
def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def ms(values: list[float]) -> str:
    s = sorted(values)
    return (f"p50 {percentile(s, 50) * 1e3:6.1f}  p95 {percentile(s, 95) * 1e3:6.1f}  "
            f"p99 {percentile(s, 99) * 1e3:6.1f}  max {s[-1] * 1e3:6.1f} ms  (n={len(s)})") if s else "n=0"


def run_backend(backend: str, args) -> bool:
    print(f"\n=== {backend}: gunicorn {args.workers} x {args.worker_class}"
          f"{f' ({args.threads} threads)' if args.worker_class == 'gthread' else ''}, {args.clients} clients, "
          f"{args.questionnaires} questionnaires ===", flush=True)
    db = database.create(backend)
    proc = None
    try:
        t0 = time.perf_counter()
        warmup = args.warmup
        spare = 10  # households nobody answers: they must stay without a response
        tokens, items = database.prepare(db, warmup + args.questionnaires + spare)
        print(f"setup: {len(tokens)} households, {items} items, {time.perf_counter() - t0:.1f} s", flush=True)
        port = free_port()
        proc = start_gunicorn(db.url, port, args)

        warm, main = tokens[:warmup], tokens[warmup:warmup + args.questionnaires]
        warm_stats = client.Stats()
        asyncio.run(client.run_flows(HOST, port, warm, args.clients, warm_stats))
        asyncio.run(client.run_trivial(HOST, port, TRIVIAL, args.clients, 1.0, client.Stats()))  # warm-up

        # The trivial route is measured just before and just after the flow (the machine may be shared:
        # the ratio uses the mean of both), at the same concurrency.
        stats = client.Stats()
        load = os.getloadavg()[0]
        before = cpu_snapshot(proc.pid)
        trivial1 = asyncio.run(client.run_trivial(HOST, port, TRIVIAL, args.clients, args.trivial_seconds / 2, stats))
        trivial_cpu = cpu_delta(before, cpu_snapshot(proc.pid))
        spies = []
        if args.profile:
            import _load_pyspy as pyspy

            spies = pyspy.start(worker_pids(proc.pid), Path(args.profile) / backend)
            time.sleep(0.5)
        before = cpu_snapshot(proc.pid)
        wall = asyncio.run(client.run_flows(HOST, port, main, args.clients, stats))
        flow_cpu = cpu_delta(before, cpu_snapshot(proc.pid))
        if spies:
            pyspy.stop(spies)
        trivial2 = asyncio.run(client.run_trivial(HOST, port, TRIVIAL, args.clients, args.trivial_seconds / 2, stats))
        stop_gunicorn(proc)
        proc = None
        trivial_wall = trivial1[1]

        lat = stats.latencies
        pages = lat["landing"] + lat["get"] + lat["post"] + lat["done"]
        completed = len(stats.completed)
        qps, rps = completed / wall, len(pages) / wall
        trivial_rps = (trivial1[0] + trivial2[0]) / (trivial1[1] + trivial2[1])
        print(f"backend                 {backend}")
        print(f"workers                 {args.workers} x {args.worker_class}"
              f"{f' ({args.threads} threads)' if args.worker_class == 'gthread' else ''}")
        print(f"clients                 {args.clients}")
        print(f"questionnaires          {completed} completed of {len(main)} (+{len(warm_stats.completed)} warm-up)")
        print(f"wall time               {wall:.2f} s")
        print(f"questionnaires/s        {qps:.1f}")
        print(f"pages/s                 {rps:.1f}  ({len(pages)} requests: landing, GET+POST per page, thank-you)")
        print(f"page latency            {ms(pages)}")
        for kind in ("landing", "get", "post", "done"):
            print(f"  {kind:<21} {ms(lat[kind])}")
        print(f"trivial {TRIVIAL:<15} {trivial_rps:.1f} req/s (before {trivial1[0] / trivial1[1]:.0f}, "
              f"after {trivial2[0] / trivial2[1]:.0f})  {ms(lat['trivial'])}")
        print(f"ratio questionnaires/s / trivial req/s  {qps / trivial_rps:.4f}")
        print(f"ratio pages/s / trivial req/s           {rps / trivial_rps:.4f}")
        print("cpu s per s (2 cores)   flow: " + ", ".join(f"{k} {v / wall:.2f}" for k, v in flow_cpu.items()))
        print("                        trivial: " + ", ".join(f"{k} {v / trivial_wall:.2f}"
                                                             for k, v in trivial_cpu.items()))
        print(f"server cpu per page     {flow_cpu['gunicorn'] / len(pages) * 1e3:.2f} ms gunicorn + "
              f"{flow_cpu['postgres'] / len(pages) * 1e3:.2f} ms postgres  (load average at start {load:.1f})")
        print(f"connections opened      {stats.connects}")
        errors = stats.errors + warm_stats.errors
        print(f"errors                  {len(errors)}")
        for line in errors[:10]:
            print(f"  {line}")

        used = {token: (answered, posted) for token, answered, posted in warm_stats.completed + stats.completed}
        for token in set(warm + main) - set(used):
            used[token] = (items, -1)  # attempted and failed: must show up as lost or incomplete
        verdict = database.verify(db, used, items)
        for line in verdict.lines:
            print(f"check: {line}")
        ok = verdict.ok and not errors and completed == len(main)
        goal = ""
        if backend == "postgresql":
            met = (qps >= GOAL["questionnaires_per_s"] and percentile(sorted(pages), 95) * 1e3 < GOAL["p95_ms"]
                   and args.clients == GOAL["clients"])
            goal = (f"  (goal >= {GOAL['questionnaires_per_s']:.0f} questionnaires/s at {GOAL['clients']} clients, "
                    f"p95 < {GOAL['p95_ms']:.0f} ms: {'met' if met else 'NOT met'})")
        if args.profile:
            print("\n".join(pyspy.summarize(Path(args.profile) / backend)))
            print("(py-spy sampling slows the workers: the figures above are not comparable to a run without it)")
        print(("PASS" if ok else "FAIL") + goal, flush=True)
        return ok
    finally:
        if proc is not None:
            stop_gunicorn(proc)
        if not args.keep:
            db.drop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--questionnaires", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--warmup", type=int, default=64, help="questionnaires answered before measuring")
    parser.add_argument("--trivial-seconds", type=float, default=5.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="serve the app from another checkout (e.g. a patched copy); the database is still "
                             "prepared with this checkout's code")
    parser.add_argument("--profile", metavar="DIR",
                        help="sample the workers with py-spy during the flow (raw stacks in DIR) and summarize")
    args = parser.parse_args(argv)
    backends = ["postgresql", "sqlite"] if args.backend == "both" else [args.backend]
    results = [run_backend(backend, args) for backend in backends]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
