"""Write tests/analysis/data/synthetic_domains.csv: a seeded household civility survey (communities = strata,
buildings = PSUs) for the "estimates" topic.

Run from the repository root:  .venv/bin/python tests/analysis/r/make_synthetic.py
Then ``Rscript tests/analysis/r/make_reference.R`` computes R's numbers on it (r/estimates.R).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).parent.parent / "data" / "synthetic_domains.csv"


def main(seed: int = 20240603) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(1, 41):
        n_buildings_pop = int(rng.integers(8, 60))
        n_sampled = 1 if c == 7 else int(rng.integers(2, 7))  # community 7 has a lonely building
        level = rng.normal(0, 0.8)
        for b in rng.choice(n_buildings_pop, size=n_sampled, replace=False):
            effect = level + rng.normal(0, 0.5)
            for _hh in range(int(rng.integers(2, 8))):
                adults = int(rng.integers(1, 5))
                weight = n_buildings_pop / n_sampled * 12 * adults
                age = str(rng.choice(["18-34", "35-59", "60+"], p=[0.3, 0.45, 0.25]))
                aware = rng.random() < 1 / (1 + np.exp(-(0.8 + effect)))
                support = int(np.clip(np.round(3.4 + effect + rng.normal(0, 1)), 1, 5))
                score = float(np.clip(60 + 12 * effect + rng.normal(0, 15), 0, 100))
                rows.append({
                    "community": f"C{c:02d}", "building": f"B{int(b):02d}", "age": age,
                    "weight": round(weight, 4), "fpc": n_buildings_pop,
                    "aware": "" if rng.random() < 0.05 else int(aware),
                    "support": "" if rng.random() < 0.08 else support,
                    "score": "" if rng.random() < 0.05 else round(score, 1),
                    "never": 0,  # a rate of exactly 0 in every community
                })
    with open(OUT, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
