"""Faults under load: gunicorn (2 workers) on PostgreSQL, residents who retry as a browser would; one worker
killed with SIGKILL and PostgreSQL restarted once in the middle of the run.

Afterwards every questionnaire the server acknowledged (the thank-you page) must be stored complete exactly
once, no answer twice, and no 5xx shown to a client except while the database was down, and then only the
bilingual "try again" page (503).  Prints the counts and the p95 latency before, during and after each fault;
exits 1 when a check fails.  Run by tests/test_faults.py (marked slow) and by hand:

    python benchmarks/fault_run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_h7
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
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

import _fault_client as fc  # noqa: E402
import _load_db as database  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from bench_load import percentile, stop_gunicorn, worker_pids  # noqa: E402

HOST = "127.0.0.1"


def free_port() -> int:
    """A free port in 18000-18999 (not 5000/8000, where others may serve)."""
    for _ in range(100):
        port = random.randint(18000, 18999)
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) != 0:
                return port
    raise SystemExit("no free port in 18000-18999")


def reset_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def start_gunicorn(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_SECRET_KEY": secrets.token_urlsafe(32),
           "SURVEY_ENV": "production", "SURVEY_BASE_URL": f"http://{HOST}:{port}"}
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--worker-class", "gthread",
           "--threads", "4", "--keep-alive", "30", "--bind", f"{HOST}:{port}", "--log-level", "error",
           "--chdir", str(ROOT), "wsgi:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0 and len(worker_pids(proc.pid)) == workers:
                return proc
        time.sleep(0.2)
    stop_gunicorn(proc)
    raise SystemExit("gunicorn did not start within 30 s")


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", "5432"]).returncode == 0


async def faults(master: int, log: fc.Log, kill_at: float, restart_at: float | None, marks: dict) -> None:
    """SIGKILL one worker at ``kill_at`` s; restart PostgreSQL at ``restart_at`` s (None: never)."""
    await asyncio.sleep(kill_at)
    victim = worker_pids(master)[0]
    os.kill(victim, signal.SIGKILL)
    marks["kill"] = time.perf_counter() - log.t0
    if restart_at is None:
        return
    await asyncio.sleep(max(0.0, restart_at - (time.perf_counter() - log.t0)))
    marks["db_down"] = time.perf_counter() - log.t0
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    proc = await asyncio.create_subprocess_exec("pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                                                "restart")
    await proc.wait()
    while not pg_ready():
        await asyncio.sleep(0.2)
    marks["db_up"] = time.perf_counter() - log.t0


async def terminate_sessions(url: str, log: fc.Log, at: float, seconds: float, marks: dict) -> None:
    """Cut every connection of this run's database again and again for ``seconds`` (pg_terminate_backend):
    the connection failures of a restart, without restarting a server that others share."""
    await asyncio.sleep(at)
    marks["db_down"] = time.perf_counter() - log.t0
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        await asyncio.sleep(0.05)
    engine.dispose()
    marks["db_up"] = time.perf_counter() - log.t0


def windows(marks: dict, end: float) -> list[tuple[str, float, float]]:
    kill = marks["kill"]
    spans = [("before the worker kill", 0.0, kill), ("worker kill (5 s)", kill, kill + 5)]
    if "db_down" in marks:
        spans += [("between the faults", kill + 5, marks["db_down"]),
                  ("database restart (until up + 5 s)", marks["db_down"], marks["db_up"] + 5),
                  ("after the restart", marks["db_up"] + 5, end)]
    else:
        spans.append(("after the worker kill", kill + 5, end))
    return spans


def verify(url: str, log: fc.Log, items: int) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT t.token, r.status, (SELECT count(*) FROM answer a WHERE a.response_id = r.id) "
            "FROM response r JOIN token t ON t.id = r.token_id")).all()
        duplicate_answers = conn.execute(sa.text(
            "SELECT count(*) FROM (SELECT response_id, item FROM answer GROUP BY response_id, item "
            "HAVING count(*) > 1) d")).scalar_one()
    engine.dispose()
    by_token: dict[str, list[tuple[str, int]]] = {}
    for token, status, answers in rows:
        by_token.setdefault(token, []).append((status, answers))
    stored = sum(1 for t in log.acknowledged if by_token.get(t) == [("complete", items)])
    return {
        "acknowledged": len(log.acknowledged),
        "stored complete exactly once": stored,
        "lost (acknowledged, not stored complete)": len(log.acknowledged) - stored,
        "duplicated (a token with >1 response)": sum(1 for v in by_token.values() if len(v) > 1),
        "answers stored twice": duplicate_answers,
        "complete but not acknowledged (resident gave up)": sum(
            1 for t, v in by_token.items() if t not in log.acknowledged and ("complete", items) in v),
    }


def report(log: fc.Log, marks: dict, counts: dict, end: float) -> bool:
    down = (marks.get("db_down", -1.0), marks.get("db_up", -1.0) + 2.0)
    # a 5xx is excused when the request was in flight while the database was down (cut or restarting)
    outside = [r for r in log.requests if r[2] >= 500 and not (r[0] + r[1] >= down[0] and r[0] <= down[1])]
    served = [r for r in log.requests if r[2]]
    other = sum(1 for r in served if r[2] >= 500 and r[2] != 503)
    print(f"requests sent {log.sent}; answered {len(served)}; connections lost and the request re-sent on a "
          f"new one {log.connections - log.browsers}; requests that failed to connect "
          f"{sum(1 for r in log.requests if r[2] == 0)}; 503 try-again pages "
          f"{sum(1 for r in log.requests if r[2] == 503)}; other 5xx {other}")
    print("faults at " + ", ".join(f"{k} {v:.1f}s" for k, v in marks.items()) + f"; run {end:.1f}s")
    for name, value in counts.items():
        print(f"{name:50s} {value}")
    for name, lo, hi in windows(marks, end):
        span = sorted(r[1] for r in served if lo <= r[0] < hi)
        p95 = f"{percentile(span, 95) * 1e3:7.1f} ms" if span else "      -"
        print(f"p95 {name:36s} {p95}  ({len(span)} requests)")
    problems = []
    if outside:
        problems.append(f"{len(outside)} 5xx outside the database restart, e.g. {outside[:3]}")
    if log.bad_pages:
        problems.append(f"{len(log.bad_pages)} 5xx pages without the try-again text, e.g. {log.bad_pages[:2]}")
    if counts["lost (acknowledged, not stored complete)"] or counts["duplicated (a token with >1 response)"] \
            or counts["answers stored twice"]:
        problems.append("acknowledged questionnaires lost or duplicated")
    if log.failed:
        problems.append(f"{len(log.failed)} residents gave up, e.g. {log.failed[:3]}")
    if not log.acknowledged:
        problems.append("nothing was acknowledged")
    print("OK" if not problems else "FAILED: " + "; ".join(problems))
    return not problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database this run may empty")
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--kill-at", type=float, default=12)
    parser.add_argument("--restart-at", type=float, default=26, help="0: do not restart PostgreSQL")
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--terminate-at", type=float, default=0,
                        help="instead of a restart: cut this database's connections for 3 s from then")
    args = parser.parse_args(argv)
    reset_schema(args.database_url)
    tokens, items = database.prepare(database.Database("postgresql", args.database_url), args.households)
    port = free_port()
    proc = start_gunicorn(args.database_url, port, 2)
    log, marks = fc.Log(), {}
    try:
        async def run() -> None:
            log.t0 = time.perf_counter()
            await asyncio.gather(
                fc.residents(HOST, port, tokens, log, clients=args.clients, seconds=args.seconds),
                faults(proc.pid, log, args.kill_at, args.restart_at or None, marks),
                *([terminate_sessions(args.database_url, log, args.terminate_at, 3.0, marks)]
                  if args.terminate_at else []))
        asyncio.run(run())
        end = time.perf_counter() - log.t0
    finally:
        stop_gunicorn(proc)
    counts = verify(args.database_url, log, items)
    return 0 if report(log, marks, counts, end) else 1


if __name__ == "__main__":
    sys.exit(main())
