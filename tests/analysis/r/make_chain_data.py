"""Seeded synthetic survey rounds for the weight-chain tests; writes tests/analysis/data/chain_*.csv.

Run from the repository root:  PYTHONPATH=. python tests/analysis/r/make_chain_data.py
Then:  Rscript tests/analysis/r/make_reference.R   (topic weight_chain of tests/analysis/reference.json)

Three rounds of one city (12 communities, 6 streets, 2 districts, buildings of 4-15 households):
- ``takeall``: every household; C03 refuses entirely, C05 and C06 have 2 and 1 respondents: pooled in their
  street, then with C03 in the district, then (still small) joined to C04, the large class of their streets.
- ``srs``: 12 households per community with reserves (replicate 2 released in C01); C03 refuses entirely.
- ``two-stage``: 3 buildings per community by systematic PPS, 5 households each; C05 has 2 respondents.
H1 runs 1-7 (above the cap of 4). Margins: S3 for the city, S2 per district (one margin over both).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from analysis import draw_sample

OUT = Path(__file__).resolve().parents[1] / "data"
CODES = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
SHARES = (0.55, 0.05, 0.12, 0.10, 0.03, 0.06, 0.03, 0.06)


def frame(rng):
    rows = []
    for c in range(1, 13):
        street = (c - 1) // 2 + 1
        for b in range(1, int(rng.integers(5, 9)) + 1):
            for u in range(1, int(rng.integers(4, 16)) + 1):
                rows.append((f"C{c:02d}", f"S{street:02d}", "D1" if street <= 3 else "D2", f"B{b:02d}", f"{u:03d}"))
    return np.array(rows, dtype=object)


def outcomes(rng, comm, small):
    out = rng.choice(CODES, size=comm.shape[0], p=SHARES).astype(object)
    out[comm == "C03"] = "R"
    for c, keep in small.items():
        rows = np.flatnonzero((comm == c) & (out == "I"))
        out[rows[keep:]] = "R"
        if rows.size < keep:
            out[np.flatnonzero(comm == c)[: keep]] = "I"
    return out


def round_rows(name, rng, fr, draw, released, small):
    rows, pi = draw.rows, draw.probabilities(released)
    live = ~np.isnan(pi)
    rows, pi = rows[live], pi[live]
    comm = fr[rows, 0]
    out = outcomes(rng, comm, small)
    n = rows.shape[0]
    resp = out == "I"
    answer = {
        "H1": rng.integers(1, 8, n), "S2": rng.integers(1, 4, n), "S3": rng.integers(1, 3, n),
        "A1": rng.choice([1, 2, 3, 4, 5, 9], size=n, p=[0.25, 0.3, 0.15, 0.1, 0.1, 0.1]),
        "Q1": rng.integers(1, 6, n),
    }
    fpc = draw.building_count if name == "two-stage" else draw.community_size  # the design page's table
    for i in range(n):
        r = fr[rows[i]]
        yield [name, *r, repr(float(pi[i])), out[i], fpc[r[0]]] + [
            int(answer[k][i]) if resp[i] else "" for k in ("H1", "S2", "S3", "A1", "Q1")]


MARGINS = [("*", "S3", "1", 24500), ("*", "S3", "2", 25500),
           ("D1", "S2", "1", 8250), ("D1", "S2", "2", 12375), ("D1", "S2", "3", 6875),
           ("D2", "S2", "1", 5625), ("D2", "S2", "2", 10125), ("D2", "S2", "3", 6750)]


def main():
    rng = np.random.default_rng(20261201)
    fr = frame(rng)
    header = ["round", "community", "street", "district", "building", "unit", "probability", "outcome", "fpc",
              "H1", "S2", "S3", "A1", "Q1"]
    comm, bldg = fr[:, 0].astype(str), fr[:, 3].astype(str)
    rounds = [
        ("take-all", draw_sample(comm, bldg, design="take-all", seed=1), 1, {"C05": 2, "C06": 1}),
        ("srs", draw_sample(comm, bldg, design="srs", n=dict.fromkeys(np.unique(comm).tolist(), 12), reserve=1,
                            seed=2), {"C01": 2}, {}),
        ("two-stage", draw_sample(comm, bldg, design="two-stage", buildings=3, per_building=5, pps=True, seed=3),
         1, {"C05": 2}),
    ]
    OUT.mkdir(exist_ok=True)
    with open(OUT / "chain_households.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for name, draw, released, small in rounds:
            w.writerows(round_rows(name, rng, fr, draw, released, small))
    with open(OUT / "chain_margins.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["round", "scope", "variable", "category", "total"])
        for name, *_ in rounds:
            w.writerows([name, *m] for m in MARGINS)


if __name__ == "__main__":
    main()
