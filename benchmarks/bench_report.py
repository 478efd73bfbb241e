"""Benchmark: a whole report card of a 1,000,000-respondent round, in process from arrays, against R.

Builds a seeded round (1,000 communities as strata, 50 streets, 10 districts, households as PSUs with a first-stage
FPC, 30 items coded 1-5 and 9), then times, in the same run:

* this engine, in process from numpy arrays, on the raked design (the platform's case: weights raked to sex and
  district totals, the calibration in the variance) and on the design weights (R's case below):
  ``Design(...)`` + ``report_card(...)`` (the 7 indicators and the 30
  items at city, district, street and community level: estimate, SE, logit / Wald-t interval, df, n, n_eff, deff,
  NCHS mark on the Korn-Graubard interval; rates also without code 9 and the share of code 9) + ``rank_intervals``
  of the 7 indicators for communities (in the city and within their district) and streets (10,000 draws each);
* R end to end: ``Rscript benchmarks/bench_report_r.R`` (``read.csv`` + ``svydesign(id=~1, strata=~community,
  fpc=~fpc)`` + ``svyby(~r1 + ... + r30, ~community, des, svymean)``, the 30 item rates by community only) on a CSV of
  the same rows, the whole process, with its parts.

It checks that R's 30,000 community rates and SEs equal the engine's (rtol 1e-6) and prints times, the ratio and
memory. The database read of the platform is not part of it. Usage:
python benchmarks/bench_report.py [--rows 1000000] [--communities 1000] [--no-r]
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import Design, IndicatorDefinition, ItemDefinition, rake, rank_intervals, report_card  # noqa: E402

ITEMS = [f"I{k:02d}" for k in range(1, 31)]
SCORES = {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}
DEFINITIONS = [ItemDefinition(code, (1, 2), SCORES) for code in ITEMS]
GROUPS = {"awareness": (1, 4), "support": (5, 8), "satisfaction": (9, 16), "civility": (17, 22),
          "participation": (23, 26), "safety": (27, 30)}
INDICATORS = [IndicatorDefinition(code, "rate", tuple(ITEMS[a - 1:b])) for code, (a, b) in GROUPS.items()]
INDICATORS.append(IndicatorDefinition("satisfaction_index", "score", tuple(ITEMS[8:16])))


def make_round(rows: int, communities: int, seed: int = 20261201) -> dict:
    """Respondents sorted by community; 50 streets and 10 districts of equal numbers of communities."""
    rng = np.random.default_rng(seed)
    community = np.sort(rng.integers(0, communities, rows))
    n_c = np.bincount(community, minlength=communities)
    size = np.ceil(n_c * rng.uniform(5, 20, communities)).astype(np.int64)
    street = community * 50 // communities
    data = {"community": community, "street": street, "district": street // 5, "sex": rng.integers(1, 3, rows),
            "weight": (size / n_c)[community], "fpc": size[community]}
    for k, item in enumerate(ITEMS):
        positive = 1 / (1 + np.exp(-(rng.normal(0.2 * (k % 5 - 2), 0.6, communities))))
        u = rng.random(rows)
        codes = np.where(u < 0.08, 9, np.where(rng.random(rows) < positive[community], 1 + (u < 0.5),
                                               3 + (u * 100).astype(np.int64) % 3))
        data[item] = codes.astype(np.float64)
    return data


def engine(data: dict, raked: bool = False) -> tuple[object, list, dict]:
    """The whole report card and the rank intervals; ``raked``: on the weights raked to sex (city) and district
    totals, the calibration in the variance (the platform's case), else on the design weights (R's case here)."""
    times = {}
    t = time.perf_counter()
    weights, calibration = data["weight"], None
    if raked:
        total = weights.sum()
        districts = {k: float(weights[data["district"] == k].sum()) for k in np.unique(data["district"])}
        cal = rake(weights, [("sex", data["sex"], {1: 0.48 * total, 2: 0.52 * total}),
                             ("district", data["district"], districts)])
        weights, calibration = cal.weights, cal.calibration
    design = Design(weights, strata=data["community"], fpc=data["fpc"], calibration=calibration)
    times["design" + (" (raking included)" if raked else "")] = time.perf_counter() - t
    t = time.perf_counter()
    card = report_card(design, {k: data[k] for k in ITEMS}, DEFINITIONS, INDICATORS,
                       {k: data[k] for k in ("district", "street", "community")})
    times["report card"] = time.perf_counter() - t
    t = time.perf_counter()
    district_of = data["district"][np.unique(data["community"], return_index=True)[1]]
    ranks = []
    for ind in INDICATORS:
        city = card.get("city", ind.code).estimates.estimate[0]
        comm, street = card.get("community", ind.code).estimates, card.get("street", ind.code).estimates
        ranks += [rank_intervals(comm, city, kind=ind.kind), rank_intervals(comm, city, kind=ind.kind,
                                                                              within=district_of),
                  rank_intervals(street, city, kind=ind.kind)]
    times["ranks"] = time.perf_counter() - t
    return card, ranks, times


def run_r(data: dict, tmp: Path, items: int) -> tuple[float, dict, list]:
    path, out = tmp / "respondents.csv", tmp / "r_out.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["community", "weight", "fpc", *ITEMS])
        cols = [data["community"], data["weight"], data["fpc"]] + [data[k].astype(np.int64) for k in ITEMS]
        w.writerows(zip(*(c.tolist() for c in cols), strict=True))
    t = time.perf_counter()
    proc = subprocess.run(["Rscript", str(ROOT / "benchmarks" / "bench_report_r.R"), str(path), str(out), str(items)],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    parts = next(line for line in proc.stdout.splitlines() if line.startswith("R_TIMES")).split()[1:]
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return wall, dict(zip(("read", "design", "svyby", "write"), map(float, parts), strict=True)), rows


def check(card, rows, items: int) -> float:
    worst = 0.0
    for item in ITEMS[:items]:
        est = card.get("community", f"item:{item}").estimates
        mine = [r for r in rows if r["item"] == item]
        r_est = np.array([float(r["estimate"]) for r in mine])
        r_se = np.array([float(r["se"]) for r in mine])
        np.testing.assert_allclose(est.estimate, r_est, rtol=1e-9)
        np.testing.assert_allclose(est.se, r_se, rtol=1e-6)
        worst = max(worst, float(np.max(np.abs(est.se / r_se - 1))))
    return worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--r-items", type=int, default=len(ITEMS),
                        help="R's svyby on the first K items only (R needs > 9 GB for 30 items at 1,000,000 rows)")
    args = parser.parse_args()
    data = make_round(args.rows, args.communities)
    print(f"rows {args.rows:,}, communities {args.communities:,}, items {len(ITEMS)}, indicators {len(INDICATORS)}")
    for raked in (True, False):
        card, ranks, times = engine(data, raked)
        total = sum(times.values())
        estimates = sum(len(e.estimates) * (3 if e.without_9 is not None else 1) for e in card.entries)
        print(f"engine{' raked' if raked else ''}: {total:.2f} s "
              f"({', '.join(f'{k} {v:.2f} s' for k, v in times.items())}); {len(card.entries)} entries, "
              f"{estimates:,} estimates, {len(ranks)} rank interval sets")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the process (data included) {peak:,.0f} MiB")
    if args.no_r:
        return
    with tempfile.TemporaryDirectory() as tmp:
        wall, parts, rows = run_r(data, Path(tmp), args.r_items)
    worst = check(card, rows, args.r_items)
    k = args.r_items
    print(f"R end to end, {k} item(s): {wall:.1f} s ({', '.join(f'{key} {v:.1f} s' for key, v in parts.items())})")
    print(f"R agrees: {k} item rates x {args.communities} communities, SE max relative difference {worst:.1e}")
    print(f"engine (whole report card + ranks, design weights) vs R end to end ({k} item(s) by community only): "
          f"{wall / total:.1f}x")
    if k < len(ITEMS):
        print(f"R extrapolated to {len(ITEMS)} items (svyby time x {len(ITEMS)}/{k}, read and design once): "
              f"{wall + parts['svyby'] * (len(ITEMS) / k - 1):.0f} s")


if __name__ == "__main__":
    main()
