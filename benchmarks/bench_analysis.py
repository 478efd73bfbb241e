"""Benchmark: one rate and one score for every community of a 1,000,000-respondent city.

Builds a seeded survey (1,000 communities as strata, sampled buildings as PSUs with a first-stage FPC), writes it
as one CSV file, then times, in the same run:

* end to end, the command line: ``python -m analysis estimate survey.csv --weights w --strata community --psu
  building --fpc fpc --by community --proportion aware=1 --mean score`` as a new process (start, imports, reading
  the CSV, the design, both estimates by community, JSON written to a file), its peak memory (maximum resident set
  of the process) against the size of the file, and ``python -m analysis --help`` (start-up alone);
* end to end, R: ``Rscript benchmarks/bench_analysis_r.R`` (``read.csv`` + ``svydesign`` +
  ``svyby(~aware, ~community, des, svyciprop, method="logit")`` + ``svyby(~score, ~community, des, svymean,
  na.rm=TRUE)`` + ``write_json``), the whole process, with its parts;
* in process, this engine: ``Design(...)`` plus ``proportion(..., domain=community)`` and ``mean(...,
  domain=community)`` (estimates, SEs, df, logit / Wald-t intervals, deff, n_eff) on numpy columns, factorisation
  included, and a single hand-written NumPy pass computing the same from pre-coded integer columns (the floor).

It checks that the engine, the NumPy pass, the command line and R agree, then prints times, ratios and memory.
Usage: python benchmarks/bench_analysis.py [--rows 1000000] [--communities 1000] [--no-r] [--repeat 9]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import special, stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import Design, mean, proportion  # noqa: E402


def make_survey(rows: int, communities: int, seed: int = 2024) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sampled = rng.integers(10, 31, communities)  # buildings sampled per community
    population = sampled * rng.integers(2, 12, communities)  # buildings in the community (FPC)
    community = np.sort(rng.integers(0, communities, rows))
    building = (rng.random(rows) * sampled[community]).astype(np.int64)  # label within the community
    level = rng.normal(0.8, 0.7, communities)
    building_effect = rng.normal(0, 0.4, (communities, 31))[community, building]
    adults = rng.integers(1, 5, rows)
    w = population[community] / sampled[community] * rng.uniform(20, 60, rows) * adults
    aware = (rng.random(rows) < special.expit(level[community] + building_effect)).astype(np.int64)
    score = np.clip(60 + 12 * (level[community] + building_effect) + rng.normal(0, 15, rows), 0, 100).round(1)
    score[rng.random(rows) < 0.02] = np.nan  # item non-response
    return {"community": community, "building": building, "w": np.round(w, 3),
            "fpc": population[community].astype(np.float64), "aware": aware, "score": score}


def build(data):
    return Design(data["w"], strata=data["community"], psu=data["building"], fpc=data["fpc"])


def ours(data, design=None):
    design = design or build(data)
    rate = proportion(data["aware"], design, 1, domain=data["community"], ci_method="logit")
    score = mean(data["score"], design, domain=data["community"])
    return rate, score


def numpy_pass(data, coded):
    """The same numbers, hand-coded for this one case: domains = strata, PSU codes given, no checks."""
    h, psu, psu_h, n_h, f, n_strata, n_psus = coded
    out = {}
    for name, y, logit in (("rate", data["aware"].astype(np.float64), True), ("score", data["score"], False)):
        valid = ~np.isnan(y)
        w = np.where(valid, data["w"], 0.0)
        yv = np.where(valid, y, 0.0)
        wsum = np.bincount(h, w, n_strata)
        est = np.bincount(h, w * yv, n_strata) / wsum
        z = w * (yv - est[h]) / wsum[h]
        totals = np.bincount(psu, z, n_psus)
        s1, s2 = np.bincount(psu_h, totals, n_strata), np.bincount(psu_h, totals**2, n_strata)
        se = np.sqrt((1 - f) * n_h / (n_h - 1) * (s2 - s1**2 / n_h))
        df = np.bincount(psu_h, np.bincount(psu, valid, n_psus) > 0, n_strata) - 1
        t = stats.t.ppf(0.975, df)
        if logit:
            half = t * se / (est * (1 - est))
            low, high = special.expit(special.logit(est) - half), special.expit(special.logit(est) + half)
        else:
            low, high = est - t * se, est + t * se
        out[name] = (est, se, low, high)
    return out


def code(data):
    """Integer codes the NumPy pass starts from (not timed: a database hands these over)."""
    h = data["community"]
    psu = h * 31 + data["building"]
    used, psu = np.unique(psu, return_inverse=True)
    psu_h = used // 31
    n_strata = int(h.max()) + 1
    n_h = np.bincount(psu_h, minlength=n_strata).astype(np.float64)
    f = n_h / np.bincount(h, data["fpc"], n_strata) * np.bincount(h, minlength=n_strata)
    return h, psu, psu_h, n_h, f, n_strata, used.shape[0]


def best_of(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


CLI = ["--weights", "w", "--strata", "community", "--psu", "building", "--fpc", "fpc",
       "--by", "community", "--proportion", "aware=1", "--mean", "score"]


def write_csv(data, path: Path) -> int:
    """The survey as one CSV file (a missing score is an empty cell, read as NA by R too); its size in bytes."""
    score = np.where(np.isnan(data["score"]), "", data["score"].astype(str))
    with open(path, "w") as fh:
        fh.write("community,building,w,fpc,aware,score\n")
        cols = [data["community"].astype(str), data["building"].astype(str), data["w"].astype(str),
                data["fpc"].astype(np.int64).astype(str), data["aware"].astype(str), score]
        fh.write("\n".join(",".join(row) for row in zip(*cols, strict=True)) + "\n")
    return path.stat().st_size


def timed_process(argv: list[str], out_path: Path, cwd=None) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of one process from start to exit; stdout to ``out_path``.

    The process runs under ``/usr/bin/time`` so that its peak memory is its own: a child forked from this (large)
    benchmark process would report the benchmark's resident set as its own maximum.
    """
    usage = out_path.with_suffix(".rusage")
    with open(out_path, "w") as out:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(usage), *argv], stdout=out,
                              stderr=subprocess.PIPE, cwd=cwd, text=True)
        elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv[:4])} failed: {proc.stderr}")
    return elapsed, int(usage.read_text().split()[-1]) / 1024  # %M is in KiB


def run_cli(workdir: Path, repeat: int):
    """Best wall time and peak memory of the command line end to end and of --help; the estimates written."""
    best, rss = np.inf, 0.0
    for _ in range(repeat):
        argv = [sys.executable, "-m", "analysis", "estimate", str(workdir / "survey.csv"), *CLI]
        t, peak = timed_process(argv, workdir / "estimates.json", ROOT)
        best, rss = min(best, t), max(rss, peak)
    help_runs = [timed_process([sys.executable, "-m", "analysis", "--help"], workdir / "help.txt", ROOT)
                 for _ in range(repeat)]
    imports = [sys.executable, "-c", "import analysis._cli_run, pyarrow.csv, pyarrow.compute, scipy.special"]
    _, base = timed_process(imports, workdir / "imports.txt", ROOT)
    rows = json.loads((workdir / "estimates.json").read_text())["estimates"]
    return best, rss, min(help_runs), base, rows


def run_r(workdir: Path):
    """R end to end: wall time and peak memory of the process, its parts, and its estimates."""
    wall, rss = timed_process(["Rscript", str(ROOT / "benchmarks" / "bench_analysis_r.R"),
                               str(workdir / "survey.csv"), str(workdir / "rate.csv"), str(workdir / "score.csv"),
                               str(workdir / "r.json")], workdir / "r.out")
    line = next(x for x in (workdir / "r.out").read_text().splitlines() if x.startswith("R_TIMES"))
    parts = dict(zip(("read", "design", "rate", "score", "write"), map(float, line.split()[1:]), strict=True))

    def read(name):
        with open(workdir / name) as fh:
            rows = list(csv.DictReader(fh))
        return {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k != "community"}

    return wall, rss, parts, read("rate.csv"), read("score.csv")


def cli_columns(rows: list[dict], variable: str) -> dict[str, np.ndarray]:
    picked = [r for r in rows if r["variable"] == variable]
    return {f: np.array([np.nan if r[f] is None else r[f] for r in picked], dtype=float)
            for f in ("estimate", "se", "ci_low", "ci_high")}


def check(label, got, expected, rtol=1e-6):
    for field, want in expected.items():
        have = np.asarray(getattr(got, field) if not isinstance(got, tuple) else got[field])
        np.testing.assert_allclose(have, want, rtol=rtol, err_msg=f"{label}: {field}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-r", action="store_true", help="skip R (no ratio to R)")
    args = parser.parse_args()

    data = make_survey(args.rows, args.communities)
    print(f"survey: {args.rows:,} respondents, {args.communities:,} communities (strata), "
          f"{len(np.unique(data['community'] * 31 + data['building'])):,} buildings (PSUs)")
    rate, score, ref = in_process(data, args.repeat)
    for name, got in (("rate", rate), ("score", score)):
        est, se, low, high = ref[name]
        check(f"numpy pass, {name}", got, {"estimate": est, "se": se, "ci_low": low, "ci_high": high}, 1e-9)
    print("agreement: engine == single NumPy pass (estimates, SEs, intervals; rtol 1e-9)")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        size = write_csv(data, workdir / "survey.csv") / 2**20
        t_cli, rss_cli, (t_help, rss_help), rss_base, rows = run_cli(workdir, max(3, args.repeat // 3))
        for name, got in (("rate", rate), ("score", score)):
            check(f"command line, {name}", got, cli_columns(rows, "aware=1" if name == "rate" else "score"), 1e-12)
        print("agreement: command line == engine (estimates, SEs, intervals; rtol 1e-12)")
        print(f"command line end to end (start, read {size:.1f} MiB CSV, design, rate + score by community, "
              f"JSON): {t_cli:.3f} s (best of {max(3, args.repeat // 3)})")
        print(f"  peak memory (max RSS of the process): {rss_cli:.0f} MiB = {rss_cli / size:.2f} x the input file; "
              f"above the same imports without data ({rss_base:.0f} MiB): {(rss_cli - rss_base):.0f} MiB = "
              f"{(rss_cli - rss_base) / size:.2f} x")
        print(f"  start-up alone (python -m analysis --help): {t_help:.3f} s, {rss_help:.0f} MiB")
        if args.no_r:
            return
        t_r, rss_r, parts, r_rate, r_score = run_r(workdir)
    check("R svyby svyciprop", rate, r_rate)
    check("R svyby svymean", score, r_score)
    print("agreement: engine == R svyby (rate: estimate, SE, logit CI; score: estimate, SE; rtol 1e-6)")
    print(f"R end to end (Rscript process): {t_r:.3f} s, peak memory {rss_r:.0f} MiB; of which read.csv "
          f"{parts['read']:.3f} s, svydesign {parts['design']:.3f} s, svyby svyciprop {parts['rate']:.3f} s, "
          f"svyby svymean {parts['score']:.3f} s, write {parts['write']:.3f} s")
    print(f"end to end: command line {t_cli:.3f} s vs R {t_r:.3f} s: {t_r / t_cli:.0f}x")
    print(f"in process: engine vs R svyby only: {(parts['rate'] + parts['score']) / IN_PROCESS['ours']:.0f}x")


IN_PROCESS: dict[str, float] = {}


def in_process(data, repeat: int):
    """The engine on numpy columns, best of ``repeat``, interleaved with the NumPy pass; prints the figures."""
    ours(data)  # warm-up (imports)
    coded = code(data)
    design = build(data)
    t_ours, t_numpy, t_design, t_estimates = np.inf, np.inf, np.inf, np.inf
    for _ in range(repeat):  # interleaved, so that all see the same machine load
        t, (rate, score) = best_of(lambda: ours(data), 1)
        t_ours = min(t_ours, t)
        t_design = min(t_design, best_of(lambda: build(data), 1)[0])
        t_estimates = min(t_estimates, best_of(lambda: ours(data, design), 1)[0])
        t, ref = best_of(lambda: numpy_pass(data, coded), 1)
        t_numpy = min(t_numpy, t)
    tracemalloc.start()
    ours(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    input_bytes = sum(a.nbytes for a in data.values())
    IN_PROCESS["ours"] = t_ours
    print(f"in process, this engine (design + rate + score, all communities): {t_ours:8.3f} s  (best of {repeat})")
    print(f"  of which Design(...) from raw columns: {t_design:.3f} s; estimates on a built design: "
          f"{t_estimates:.3f} s")
    print(f"single NumPy pass (pre-coded columns, no checks):     {t_numpy:8.3f} s")
    print(f"engine / NumPy pass = {t_ours / t_numpy:.2f} (with Design), {t_estimates / t_numpy:.2f} (design built)")
    print(f"peak memory of the engine (tracemalloc): {peak / 2**20:.1f} MiB "
          f"(input columns {input_bytes / 2**20:.1f} MiB)")
    return rate, score, ref


if __name__ == "__main__":
    main()
