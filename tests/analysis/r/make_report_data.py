"""Seeded synthetic rounds for the report-card tests; writes tests/analysis/data/report_*.csv.

Run from the repository root:  python tests/analysis/r/make_report_data.py
Then:  Rscript tests/analysis/r/make_reference.R   (topic report of tests/analysis/reference.json)

One city of 4 districts x 3 streets x 3 communities (36 communities), respondents only, two rounds:
- ``takeall`` (the previous round): every household of a community of 20-45 households visited, 45-80% respond;
- ``srs`` (the current round): 10-25 households drawn from communities of 300-800, 60-90% respond.
weight = N_c / respondents_c (non-response adjusted within the community), fpc = N_c; the design is
``svydesign(ids=~1, strata=~community, fpc=~fpc, weights=~weight)`` raked to S3 (city) and district totals
(report_margins.csv). Items (codes 1-5, 9 = can't say, empty = not asked): K1, K2 awareness (1 = yes);
S1 support and M1, M2 satisfaction (1-2 positive, also scored); Q1 scored only; M2 not asked when K2 is 9.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data"
ITEMS = ("K1", "K2", "S1", "M1", "M2", "Q1")


def communities():
    return [(f"D{d}", f"D{d}S{s}", f"D{d}S{s}C{c}") for d in range(1, 5) for s in range(1, 4) for c in range(1, 4)]


def answers(rng, n, shift):
    """Answer codes of n respondents of a community whose positive answers are shifted by ``shift``."""
    out = {}
    for k, item in enumerate(ITEMS):
        base = np.array([0.30, 0.25, 0.15, 0.12, 0.10, 0.08])
        base[:2] *= np.exp(shift + 0.1 * k)
        codes = rng.choice([1, 2, 3, 4, 5, 9], size=n, p=base / base.sum()).astype(float)
        codes[rng.random(n) < 0.04] = np.nan  # not answered
        out[item] = codes
    out["M2"][out["K2"] == 9] = np.nan  # skip logic
    return out


def round_rows(name, rng):
    rows = []
    for district, street, community in communities():
        shift = rng.normal(0, 0.5)
        if name == "takeall":
            size = int(rng.integers(20, 46))
            n = int(rng.binomial(size, rng.uniform(0.45, 0.8)))
        else:
            size = int(rng.integers(300, 801))
            n = int(rng.binomial(int(rng.integers(10, 26)), rng.uniform(0.6, 0.9)))
        n = max(n, 6)
        a = answers(rng, n, shift)
        sex = rng.integers(1, 3, n)
        for i in range(n):
            rows.append([name, district, street, community, f"{community}-{i + 1:03d}", repr(size / n), size,
                         int(sex[i])] + ["" if np.isnan(a[k][i]) else int(a[k][i]) for k in ITEMS])
    return rows


def margins(rows):
    total = sum(int(r[6]) for r in {r[3]: r for r in rows}.values())
    by_district = {}
    for r in {r[3]: r for r in rows}.values():
        by_district[r[1]] = by_district.get(r[1], 0) + int(r[6])
    male = round(total * 0.48)
    out = [(rows[0][0], "S3", "1", male), (rows[0][0], "S3", "2", total - male)]
    return out + [(rows[0][0], "district", d, t) for d, t in sorted(by_district.items())]


def main():
    rng = np.random.default_rng(20261209)
    header = ["round", "district", "street", "community", "household", "weight", "fpc", "S3", *ITEMS]
    rounds = [round_rows(name, rng) for name in ("takeall", "srs")]
    with open(OUT / "report_respondents.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for rows in rounds:
            w.writerows(rows)
    with open(OUT / "report_margins.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["round", "variable", "category", "total"])
        for rows in rounds:
            w.writerows(margins(rows))


if __name__ == "__main__":
    main()
