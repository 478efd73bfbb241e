"""Benchmark: one rate and one score for every community of a 1,000,000-respondent city.

Builds a seeded survey (1,000 communities as strata, sampled buildings as PSUs with a first-stage FPC), then
times, in the same run:

* this engine: ``Design(...)`` plus ``proportion(..., domain=community)`` and ``mean(..., domain=community)``
  (estimates, SEs, df, logit / Wald-t intervals, deff, n_eff), factorisation of the raw columns included;
* a single hand-written NumPy pass computing the same estimates, SEs and intervals from pre-coded integer
  columns (the floor for any NumPy implementation);
* R's ``svyby(~aware, ~community, des, svyciprop, method="logit")`` and
  ``svyby(~score, ~community, des, svymean, na.rm=TRUE)`` (benchmarks/bench_analysis_r.R).

It checks that all three agree, then prints the times, the ratios and the peak memory of our computation.
Usage: python benchmarks/bench_analysis.py [--rows 1000000] [--communities 1000] [--no-r]
"""

from __future__ import annotations

import argparse
import csv
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


def run_r(data, workdir: Path):
    path = workdir / "survey.csv"
    score = np.where(np.isnan(data["score"]), "NA", data["score"].astype(str))
    with open(path, "w") as fh:
        fh.write("community,building,w,fpc,aware,score\n")
        cols = [data["community"].astype(str), data["building"].astype(str), data["w"].astype(str),
                data["fpc"].astype(np.int64).astype(str), data["aware"].astype(str), score]
        fh.write("\n".join(",".join(row) for row in zip(*cols, strict=True)) + "\n")
    proc = subprocess.run(["Rscript", str(ROOT / "benchmarks" / "bench_analysis_r.R"), str(path),
                           str(workdir / "rate.csv"), str(workdir / "score.csv")],
                          capture_output=True, text=True, check=True)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("R_TIMES"))
    t_rate, t_score = map(float, line.split()[1:])

    def read(name):
        with open(workdir / name) as fh:
            rows = list(csv.DictReader(fh))
        return {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k != "community"}

    return t_rate + t_score, t_rate, t_score, read("rate.csv"), read("score.csv")


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
    ours(data)  # warm-up (imports, scipy distributions)
    coded = code(data)
    design = build(data)
    t_ours, t_numpy, t_design, t_estimates = np.inf, np.inf, np.inf, np.inf
    for _ in range(args.repeat):  # interleaved, so that all see the same machine load
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

    for name, got in (("rate", rate), ("score", score)):
        est, se, low, high = ref[name]
        check(f"numpy pass, {name}", got, {"estimate": est, "se": se, "ci_low": low, "ci_high": high}, 1e-9)
    print("agreement: engine == single NumPy pass (estimates, SEs, intervals; rtol 1e-9)")

    print(f"this engine (design + rate + score, all communities): {t_ours:8.3f} s  (best of {args.repeat})")
    print(f"  of which Design(...) from raw columns: {t_design:.3f} s; estimates on a built design: "
          f"{t_estimates:.3f} s")
    print(f"single NumPy pass (pre-coded columns, no checks):     {t_numpy:8.3f} s")
    print(f"engine / NumPy pass = {t_ours / t_numpy:.2f} (with Design), {t_estimates / t_numpy:.2f} (design built)")
    print(f"peak memory of the engine (tracemalloc): {peak / 2**20:.1f} MiB "
          f"(input columns {input_bytes / 2**20:.1f} MiB)")
    if args.no_r:
        return
    with tempfile.TemporaryDirectory() as tmp:
        t_r, t_rate, t_score, r_rate, r_score = run_r(data, Path(tmp))
    check("R svyby svyciprop", rate, r_rate)
    check("R svyby svymean", score, r_score)
    print("agreement: engine == R svyby (rate: estimate, SE, logit CI; score: estimate, SE; rtol 1e-6)")
    print(f"R svyby: {t_r:8.3f} s  (svyciprop {t_rate:.3f} s + svymean {t_score:.3f} s)")
    print(f"speed-up over R svyby: {t_r / t_ours:.0f}x")


if __name__ == "__main__":
    main()
