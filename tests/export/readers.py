"""Independent readers of the export files: PSPP and R's haven run as separate programs, pandas, openpyxl, pyarrow.

R prints what haven read as JSON: per column its values, its variable label and its value labels."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

R_READ = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- if (args[2] == "sav") haven::read_sav(args[1]) else haven::read_dta(args[1])
out <- lapply(d, function(col) list(
  values = as.vector(unclass(col)),
  label = if (is.null(attr(col, "label"))) NA else attr(col, "label"),
  labels = if (is.null(attr(col, "labels"))) NULL else as.list(setNames(as.vector(unclass(attr(col, "labels"))),
                                                                          names(attr(col, "labels"))))))
cat(jsonlite::toJSON(list(names = names(d), columns = out), auto_unbox = TRUE, na = "null", digits = NA))
"""


def haven(path: Path) -> dict:
    """``{"names": [...], "columns": {name: {"values", "label", "labels"}}}`` as R's haven reads the file."""
    script = path.with_suffix(".R")
    script.write_text(R_READ, encoding="utf-8")
    # Rscript -e 'haven::read_sav(path)' / 'haven::read_dta(path)', printed with jsonlite::toJSON
    done = subprocess.run(["Rscript", str(script), str(path), path.suffix[1:]], capture_output=True, text=True,
                          check=True, encoding="utf-8")
    return json.loads(done.stdout)


def pspp(path: Path, *, labels: bool = False) -> list[dict[str, str]]:
    """The rows of a .sav as PSPP reads them (``pspp-convert FILE.sav OUT.csv``, ``--labels`` for value labels)."""
    out = path.with_name(path.stem + ("-labels" if labels else "") + ".csv")
    subprocess.run(["pspp-convert", *(["--labels"] if labels else []), str(path), str(out)], check=True,
                   capture_output=True)
    with out.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
