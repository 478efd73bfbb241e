"""Benchmark: the weight chain of a round of 1,000,000 sampled households, this engine against R, same run.

A seeded srs round: 1,000 communities in 50 streets and 10 districts, about 600,000 respondents (AAPOR I),
H1 from 1 to 6 (capped at 4), a few communities with too few respondents (so classes are merged), margins S2
(3 age groups) and S3 (2 sexes) for each of the 10 districts. Times

* ``analysis.weight_chain`` from the arrays (steps 1-5: classes, unknown eligibility, non-response, adults,
  raking to 2 variables x 10 districts, converged to 1e-8 relative);
* the same chain in R: ``chain_steps`` of tests/analysis/r/weight_chain.R and survey's ``rake`` on the
  respondents (benchmarks/bench_weights_r.R), timed inside R without reading the CSV, and the whole Rscript run;

checks that the final weights agree (rtol 1e-6) and prints both times and their ratio.
With ``--database URL`` (an empty PostgreSQL database; everything in it is dropped) the round is loaded there
first (benchmarks/_weights_db.py, not timed) and the platform's own path is timed too: ``weights.compute`` =
read the round from the database + steps 1-5 + store every household's weights, as the ``weights`` command and
page do. The database knows outcomes I, P, NE and UH only (no interviewer visits yet), so in this mode the other
codes of the synthetic round become UH for both sides.
Usage: python benchmarks/bench_weights.py [--households 1000000] [--communities 1000] [--no-r]
       [--database postgresql+psycopg://postgres@127.0.0.1:5432/bench]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import Margin, weight_chain  # noqa: E402

CODES = np.array(["I", "P", "R", "NC", "O", "UH", "UO", "NE"])
SHARES = (0.60, 0.04, 0.12, 0.10, 0.03, 0.04, 0.02, 0.05)


def round_arrays(households: int, communities: int, seed: int = 8) -> dict:
    """The round as arrays, one row per sampled household (synthetic; a database read can replace this)."""
    rng = np.random.default_rng(seed)
    community = np.sort(rng.integers(0, communities, households))
    street = community * 50 // communities
    district = street // 5
    frame = np.bincount(community, minlength=communities) * rng.integers(3, 9, communities)
    outcome = CODES[rng.choice(8, size=households, p=SHARES)]
    low = np.isin(community, rng.choice(communities, 12, replace=False))  # 12 communities barely respond
    outcome[low & (outcome == "I") & (rng.random(households) < 0.995)] = "R"
    resp = outcome == "I"
    return {
        "community": community, "street": street, "district": district,
        "probability": np.bincount(community, minlength=communities)[community] / frame[community],
        "outcome": outcome, "H1": np.where(resp, rng.integers(1, 7, households), np.nan),
        "S2": np.where(resp, rng.integers(1, 4, households), 0),
        "S3": np.where(resp, rng.integers(1, 3, households), 0),
    }


def margins(districts: int = 10, seed: int = 9) -> list[Margin]:
    rng = np.random.default_rng(seed)
    out = []
    for d in range(districts):
        total = int(rng.integers(300_000, 900_000))
        s3 = int(total * rng.uniform(0.47, 0.53))
        s2a, s2b = int(total * rng.uniform(0.2, 0.3)), int(total * rng.uniform(0.35, 0.45))
        out.append(Margin(str(d), "S2", {1: s2a, 2: s2b, 3: total - s2a - s2b}))
        out.append(Margin(str(d), "S3", {1: s3, 2: total - s3}))
    return out


def ours(data: dict, margin_list: list[Margin]):
    return weight_chain(base_weight=1 / data["probability"], outcome=data["outcome"], community=data["community"],
                        street=data["street"], district=data["district"], adults=data["H1"],
                        values={"S2": data["S2"], "S3": data["S3"]}, margins=margin_list, cap=4, min_respondents=5)


def write_csv(data: dict, margin_list: list[Margin], folder: Path) -> tuple[Path, Path]:
    households, marg = folder / "households.csv", folder / "margins.csv"
    cols = ("community", "street", "district", "probability", "outcome", "H1", "S2", "S3")
    with open(households, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        h1 = np.where(np.isnan(data["H1"]), -1, data["H1"]).astype(np.int64)
        prob = [repr(float(p)) for p in data["probability"]]
        w.writerows(zip(data["community"].tolist(), data["street"].tolist(), data["district"].tolist(), prob,
                        data["outcome"].tolist(), ["NA" if v < 0 else v for v in h1.tolist()],
                        data["S2"].tolist(), data["S3"].tolist(), strict=True))
    with open(marg, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("scope", "variable", "category", "total"))
        w.writerows((m.scope, m.variable, c, t) for m in margin_list for c, t in m.totals.items())
    return households, marg


def run_r(data, margin_list):
    with tempfile.TemporaryDirectory() as tmp:
        households, marg = write_csv(data, margin_list, Path(tmp))
        out = Path(tmp) / "final.bin"
        start = time.perf_counter()
        proc = subprocess.run(["Rscript", str(ROOT / "benchmarks" / "bench_weights_r.R"), str(households), str(marg),
                               str(out)], capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode:
            sys.exit(f"Rscript failed: {proc.stderr.strip()}")
        line = next(x for x in proc.stdout.splitlines() if x.startswith("R_TIME"))
        return float(line.split()[1]), wall, np.fromfile(out, dtype=np.float64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--database", help="an empty PostgreSQL database to load the round into (dropped first)")
    args = parser.parse_args()
    data, margin_list = round_arrays(args.households, args.communities), margins()
    if args.database:
        import _weights_db  # benchmarks/ is on sys.path when this script runs

        data["outcome"] = _weights_db.database_outcomes(data["outcome"])
        data["S2"] = np.where(data["S2"] > 0, data["S2"] + 1, 0)  # ages 18+ are codes 2-4 (code 1 is screened out)
        margin_list = [Margin(m.scope, m.variable, {(c + 1 if m.variable == "S2" else c): t
                                                    for c, t in m.totals.items()}) for m in margin_list]
        app = _weights_db.app_for(args.database)
        start = time.perf_counter()
        _weights_db.load_round(app, data, margin_list)
        print(f"loaded the round into the database in {time.perf_counter() - start:.1f} s (not timed below)")
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        chain = ours(data, margin_list)
        times.append(time.perf_counter() - start)
    resp = chain.respondent
    print(f"households {args.households:,}, respondents {int(resp.sum()):,}, classes merged "
          f"{len(chain.merges)}, raking sweeps {chain.calibrated.iterations}")
    print(f"ours: weight_chain from arrays  {min(times):8.3f} s (best of {args.repeat})")
    best = min(times)
    if args.database:
        reads, computes, stored = _weights_db.timed_compute(app, args.repeat)
        np.testing.assert_allclose(stored, chain.final_weight, rtol=1e-9)
        best = min(computes)
        print(f"ours: read from the database    {min(reads):8.3f} s (best of {args.repeat})")
        print(f"ours: weights.compute (read + chain + store) {best:8.3f} s (best of {args.repeat}); "
              "stored weights = weight_chain's")
    if args.no_r:
        return
    r_time, r_wall, r_final = run_r(data, margin_list)
    np.testing.assert_allclose(chain.final_weight[resp], r_final, rtol=1e-6)
    what = "platform from the database" if args.database else "weight_chain from arrays"
    print(f"R:    chain in R (inside R)     {r_time:8.3f} s   ratio {r_time / best:6.1f}x ({what})")
    print(f"R:    whole Rscript run         {r_wall:8.3f} s   ratio {r_wall / best:6.1f}x ({what})")
    print("final weights agree (rtol 1e-6)")


if __name__ == "__main__":
    main()
