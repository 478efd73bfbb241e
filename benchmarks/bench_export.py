"""Export benchmark (issue #11): responses x 30 items from PostgreSQL written as CSV, XLSX, .sav, .dta and
Parquet by ``flask export-responses``, each timed with its peak memory, at two sizes (memory must stay flat
for the streaming formats), and R's ``haven::write_sav`` of a data frame read from the CSV for the ratio.

    .venv/bin/python benchmarks/bench_export.py                       # 100,000 then 1,000,000 responses
    .venv/bin/python benchmarks/bench_export.py --sizes 20000 --formats csv,parquet --no-r

It creates (and drops, unless --keep) the PostgreSQL database survey_bench_export. Data are loaded with COPY
(built-in questionnaire: 30 items; 1,000 communities; one household per response).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB = "survey_bench_export"  # --database changes it
URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB
COMMUNITIES = 1000
R_SCRIPT = """
args <- commandArgs(trailingOnly = TRUE)
t0 <- Sys.time(); d <- read.csv(args[1], encoding = "UTF-8", colClasses = c(response_id = "character"))
t1 <- Sys.time(); haven::write_sav(d, args[2]); t2 <- Sys.time()
cat(sprintf("%.2f %.2f\\n", as.numeric(t1 - t0, units = "secs"), as.numeric(t2 - t1, units = "secs")))
"""


def admin(statement: str) -> None:
    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def prepare():
    """A fresh database: schema, the built-in questionnaire, districts / streets / communities."""
    admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{DB}"')
    from flask_migrate import upgrade

    import questionnaires as qn
    from survey import create_app
    from survey.services import versions

    app = create_app({"SQLALCHEMY_DATABASE_URI": URL, "SECRET_KEY": "bench-export"})
    with app.app_context():
        upgrade()
        version = versions.publish(qn.builtin())
        version_id, questionnaire = version.id, versions.definition(version)
    rows = {"district": [(d, f"D{d:02d}", f"测试{d}区") for d in range(1, 11)],
            "street": [(s, f"S{s:03d}", f"测试{s}街道", (s - 1) // 10 + 1) for s in range(1, 101)],
            "community": [(c, f"C{c:04d}", f"测试{c}社区", (c - 1) // 10 + 1) for c in range(1, COMMUNITIES + 1)]}
    columns = {"district": "id, code, name", "street": "id, code, name, district_id",
               "community": "id, code, name, street_id"}
    with raw() as conn, conn.cursor() as cur:
        for table, values in rows.items():
            with cur.copy(f"COPY {table} ({columns[table]}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        cur.execute("INSERT INTO survey_round (id, code, name, questionnaire_version_id, design, parameters, seed, "
                    "generator, status, is_current, created_at, changed_at) VALUES (1, 'R1', 'R1', %s, 'take-all', "
                    "'{}', 0, '', 'in_field', true, now(), now())", (version_id,))
    return version_id, questionnaire


def raw():
    return psycopg.connect(URL.replace("postgresql+psycopg", "postgresql"), autocommit=False)


def load(version_id: int, questionnaire, first: int, last: int, step: int = 50_000) -> float:
    """Responses first..last-1 (households, responses, 30 answers each) by COPY, committed every ``step``
    responses (so PostgreSQL never queues millions of foreign-key checks); the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(first)
    choices = [(q.code, q.codes) for q in questionnaire.items if q.codes]
    for start in range(first, last, step):
        for attempt in range(1, 4):  # a chunk is one transaction: after a lost connection it is loaded again
            try:
                with raw() as conn, conn.cursor() as cur:
                    cur.execute("SET session_replication_role = replica")  # rows are consistent by construction
                    _copy(cur, version_id, range(start, min(start + step, last)), choices, rng)
                    conn.commit()
                break
            except psycopg.OperationalError as err:
                print(f"  (chunk at {start:,}: {err}; attempt {attempt} of 3)", flush=True)
                time.sleep(10)
        else:
            raise SystemExit("the database kept closing the connection")
    with raw() as conn:
        conn.autocommit = True
        conn.execute("SELECT setval('response_id_seq', (SELECT max(id) FROM response))")
        conn.execute("SELECT setval('household_id_seq', (SELECT max(id) FROM household))")
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _copy(cur, version_id: int, numbers: range, choices, rng: random.Random) -> None:
    with cur.copy("COPY household (id, community_id, building, unit) FROM STDIN") as copy:
        for n in numbers:
            copy.write(f"{n + 1}\t{n % COMMUNITIES + 1}\t{n // 10000 + 1}\t{n % 10000 + 1}\n")
    with cur.copy("COPY response (id, public_id, idempotency_key, questionnaire_version_id, round_id, "
                  "community_id, household_id, mode, probability_sample, language, status, page, started_at, "
                  "updated_at, submitted_at) FROM STDIN") as copy:
        for n in numbers:
            copy.write(f"{n + 1}\tR{n:09d}\tK{n:09d}\t{version_id}\t1\t{n % COMMUNITIES + 1}\t{n + 1}\t"
                       f"qr_household\tt\tzh\tcomplete\t6\t2026-11-01 08:00:00+00\t2026-11-01 08:09:00+00\t"
                       f"2026-11-01 08:10:00+00\n")
    with cur.copy("COPY answer (response_id, item, value) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n in numbers:
            for code, codes in choices:
                buffer.write(f"{n + 1}\t{code}\t{codes[rng.randrange(len(codes))]}\n")
            if n % 5 == 0:
                buffer.write(f"{n + 1}\tE1\t希望小区加装电梯，第{n}号意见\n")
            if n % 1000 == 999:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def measured(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (MB) of the process and its output."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output.strip()


def export(fmt: str, out: Path) -> tuple[float, float, int]:
    """One export by the command line; run again once if the database closed the connection under it."""
    env = {**os.environ, "SURVEY_DATABASE_URL": URL, "SURVEY_SECRET_KEY": "bench-export"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "export-responses", "--format", fmt, "--out", str(out)]
    try:
        seconds, peak, _ = measured(command, env)
    except SystemExit as err:
        print(f"  ({fmt} failed, run again: {str(err).splitlines()[-1]})", flush=True)
        time.sleep(10)
        seconds, peak, _ = measured(command, env)
    return seconds, peak, out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="response counts, ascending (comma-separated)")
    parser.add_argument("--formats", default="csv,xlsx,sav,dta,parquet")
    parser.add_argument("--no-r", action="store_true", help="skip R's haven::write_sav")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--database", default="survey_bench_export",
                        help="PostgreSQL database to create and drop (default survey_bench_export)")
    args = parser.parse_args()
    global DB, URL
    DB, URL = args.database, ADMIN_URL.rsplit("/", 1)[0] + "/" + args.database
    sizes = [int(s) for s in args.sizes.split(",")]
    version_id, questionnaire = prepare()
    loaded, results = 0, []
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        for size in sizes:
            seconds = load(version_id, questionnaire, loaded, size)
            loaded = size
            print(f"loaded {size:,} responses ({size * 30:,} answers) in {seconds:.0f} s", flush=True)
            for fmt in args.formats.split(","):
                out = Path(folder) / f"responses-{size}.{fmt}"
                took, peak, nbytes = export(fmt, out)
                results.append((size, fmt, took, peak, nbytes))
                print(f"  {fmt:8} {size:>9,} responses: {took:6.1f} s, peak {peak:6.0f} MB, "
                      f"file {nbytes / 1e6:7.1f} MB", flush=True)
            if not args.no_r and "csv" in args.formats:
                r_sav = Path(folder) / f"r-{size}.sav"
                script = Path(folder) / "write_sav.R"
                script.write_text(R_SCRIPT)
                took, peak, output = measured(["Rscript", str(script), str(Path(folder) / f"responses-{size}.csv"),
                                               str(r_sav)])
                read_s, write_s = (float(x) for x in output.split()[-2:])
                ours = next((r[2] for r in results if r[0] == size and r[1] == "sav"), None)
                ratio = f"{(read_s + write_s) / ours:.2f}" if ours else "n/a"
                print(f"  R        {size:>9,} responses: read.csv {read_s:.1f} s + haven::write_sav {write_s:.1f} s "
                      f"(Rscript process {took:.1f} s, peak {peak:.0f} MB); "
                      f"R's read+write / our .sav from PostgreSQL = {ratio}", flush=True)
    if not args.keep:
        admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
