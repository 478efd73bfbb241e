"""Soak: the resident load client at a steady rate for 10 minutes against gunicorn (2 workers) on PostgreSQL,
with each worker's resident memory (RSS) sampled every 10 s.  Passes when no worker grows beyond 10% from the
first sample after warm-up to the last, and no request fails.  Run by hand (not in CI):

    python benchmarks/soak.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_h7
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fault_client as fc  # noqa: E402
import _load_db as database  # noqa: E402
from bench_load import stop_gunicorn, worker_pids  # noqa: E402
from fault_run import HOST, free_port, reset_schema, start_gunicorn, verify  # noqa: E402


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def sample(master: int, log: fc.Log, seconds: float, every: float, curve: list) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        curve.append((time.perf_counter() - log.t0, {pid: rss_kib(pid) for pid in worker_pids(master)}))
        await asyncio.sleep(every)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database this run may empty")
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=2.0, help="new residents per second")
    parser.add_argument("--warmup", type=float, default=30, help="seconds before the first memory sample counts")
    args = parser.parse_args(argv)
    reset_schema(args.database_url)
    tokens, items = database.prepare(database.Database("postgresql", args.database_url),
                                     int(args.seconds * args.rate * 1.2) + 100)
    port = free_port()
    proc = start_gunicorn(args.database_url, port, 2)
    log, curve = fc.Log(), []
    try:
        async def run() -> None:
            log.t0 = time.perf_counter()
            await asyncio.gather(
                fc.residents(HOST, port, tokens, log, clients=16, seconds=args.seconds, rate=args.rate),
                sample(proc.pid, log, args.seconds, 10.0, curve))
        asyncio.run(run())
    finally:
        stop_gunicorn(proc)
    counts = verify(args.database_url, log, items)
    errors = [r for r in log.requests if r[2] == 0 or r[2] >= 500]
    print(f"requests {log.sent}; errors {len(errors)}; residents gave up {len(log.failed)}")
    for name, value in counts.items():
        print(f"{name:50s} {value}")
    warm = [point for point in curve if point[0] >= args.warmup]
    first, last = warm[0][1], warm[-1][1]
    print("RSS MiB per worker over time: " + "; ".join(
        f"{t:.0f}s " + "/".join(f"{kib / 1024:.1f}" for kib in rss.values()) for t, rss in curve[::6]))
    growth = {pid: (last[pid] - first[pid]) / first[pid] for pid in first if pid in last}
    for pid in first:
        print(f"worker {pid}: {first[pid] / 1024:.1f} MiB at {warm[0][0]:.0f}s -> "
              f"{last.get(pid, 0) / 1024:.1f} MiB at {warm[-1][0]:.0f}s ({growth.get(pid, float('nan')):+.1%})")
    ok = (not errors and not log.failed and counts["lost (acknowledged, not stored complete)"] == 0
          and growth and all(g <= 0.10 for g in growth.values()) and set(first) == set(last))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
