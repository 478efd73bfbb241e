"""Where a resident request spends its time: the household flow in-process (Flask test client, no
gunicorn, one resident after another), with SQL statements counted per request kind and a cProfile.

    .venv/bin/python benchmarks/_load_profile.py [--backend postgresql|sqlite] [--residents 200] [--top 30]

Uses the same fresh database and frame as bench_load.py (PostgreSQL database ``survey_bench``,
dropped afterwards).  Prints, per request kind, the mean wall time and the mean number of SQL
statements, then the functions with the largest cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load_client as client  # noqa: E402
import _load_db as database  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--no-profile", action="store_true", help="time and count only (no cProfile overhead)")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from survey import create_app
    from survey.extensions import db as sqla

    db = database.create(args.backend)
    try:
        tokens, _items = database.prepare(db, args.residents + 20)
        app = create_app({"SQLALCHEMY_DATABASE_URI": db.url, "SECRET_KEY": "profile", "ENV": "production"})
        counts: dict[str, list[int]] = defaultdict(list)
        times: dict[str, list[float]] = defaultdict(list)
        cpu: dict[str, list[float]] = defaultdict(list)
        statements: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        current = {"n": 0, "kind": "", "trips": 0}
        trips: dict[str, list[int]] = defaultdict(list)
        if args.backend == "postgresql":  # every server round trip of psycopg 3 goes through Connection.wait
            import psycopg

            original_wait = psycopg.Connection.wait

            def counting_wait(self, *a, **kw):
                current["trips"] += 1
                return original_wait(self, *a, **kw)

            psycopg.Connection.wait = counting_wait
        with app.app_context():
            engine = sqla.engine

        @event.listens_for(engine, "before_cursor_execute")
        def count(_conn, _cursor, statement, *_args):
            current["n"] += 1
            statements[current["kind"]][re.sub(r"\s+", " ", statement)[:110]] += 1

        def request(c, method, path, kind, **kw):
            current["n"], current["kind"], current["trips"] = 0, kind, 0
            started, cpu_started = time.perf_counter(), time.process_time()
            r = c.open(path, method=method, **kw)
            times[kind].append(time.perf_counter() - started)
            cpu[kind].append(time.process_time() - cpu_started)
            counts[kind].append(current["n"])
            trips[kind].append(current["trips"])
            return r

        def resident(token):
            c = app.test_client()
            r = request(c, "GET", f"/r/{token}", "landing")
            path = re.search(r'href="(/r/[^"]+/p/\d+)"', r.text).group(1)
            while True:
                r = request(c, "GET", path, "get")
                body, _ = client.fill(r.text)
                r = request(c, "POST", path, "post", data=body,
                            content_type="application/x-www-form-urlencoded")
                assert r.status_code == 302, r.status_code
                path = re.sub(r"^https?://[^/]+", "", r.headers["Location"])
                if path.endswith("/done"):
                    request(c, "GET", path, "done")
                    return

        for token in tokens[:20]:  # warm-up: templates compiled, questionnaire parsed, pool filled
            resident(token)
        counts.clear(), times.clear(), statements.clear(), trips.clear(), cpu.clear()
        profile = cProfile.Profile()
        started = time.perf_counter()
        if not args.no_profile:
            profile.enable()
        for token in tokens[20:20 + args.residents]:
            resident(token)
        profile.disable()
        wall = time.perf_counter() - started
        total = sum(len(v) for v in times.values())
        total_cpu = sum(sum(v) for v in cpu.values())
        print(f"{args.backend}: {args.residents} residents in-process, {wall:.2f} s, "
              f"{args.residents / wall:.1f} questionnaires/s, {wall / total * 1e3:.2f} ms wall and "
              f"{total_cpu / total * 1e3:.2f} ms app cpu per request"
              f"{'' if args.no_profile else ' (profiled)'}")
        for kind in ("landing", "get", "post", "done"):
            print(f"  {kind:<8} {sum(times[kind]) / len(times[kind]) * 1e3:6.2f} ms wall "
                  f"{sum(cpu[kind]) / len(cpu[kind]) * 1e3:6.2f} ms app cpu  "
                  f"{sum(counts[kind]) / len(counts[kind]):5.1f} SQL statements / request"
                  + (f", {sum(trips[kind]) / len(trips[kind]):5.1f} server round trips (BEGIN, ping, "
                     "COMMIT/ROLLBACK included)" if trips[kind] else ""))
        for kind in ("landing", "get", "post", "done"):
            n = len(times[kind])
            print(f"\nSQL per {kind} request:")
            for stmt, k in sorted(statements[kind].items(), key=lambda kv: -kv[1]):
                print(f"  {k / n:5.2f}  {stmt}")
        if not args.no_profile:
            print()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
        with app.app_context():
            sqla.session.remove()
            sqla.engine.dispose()
    finally:
        db.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
