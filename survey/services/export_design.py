"""The sampling-design columns of an export: one function, the one place the export reads them from.

``final_weight``, ``stratum``, ``psu`` and ``fpc`` come from a round's sample and weight chain (design:
rounds-and-weights.md). Until the weight chain is stored and wired in here, :func:`design_columns` gives no
values, so these columns are present in every file and empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DESIGN = ("final_weight", "stratum", "psu", "fpc")
EMPTY: Mapping[str, Any] = {name: None for name in DESIGN}


def design_columns(round_id: int | None, connection) -> Mapping[int, Mapping[str, Any]]:
    """Response id -> {final_weight, stratum, psu, fpc} of the responses of round ``round_id`` (None: every
    round), read on ``connection`` (the export's snapshot). A response absent from the mapping has no values
    yet: today every response (the weight chain is not stored yet)."""
    return {}
