"""The glue between a round and ``analysis.draw_sample``: the frame as arrays, the draw's parameters, sizes files.

No sampling arithmetic lives here: allocation, selection and every probability come from ``analysis``.  The frame
is read sorted by (community code, building, unit), as ``draw_sample`` asks, and only up to the largest household
id the draw saw, so a draw replays exactly (the same households, the same probabilities) after later frame loads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
from sqlalchemy import func, select

import analysis
from analysis import AnalysisError

from ..errors import RoundError
from ..extensions import db
from ..models import Community, Household

SIZES_COLUMNS = ("community_code", "n")
GENERATOR = f"numpy.random.default_rng (PCG64), numpy {np.__version__}"


@dataclass(frozen=True)
class DrawSpec:
    """How a round draws its sample (the options of ``round create``), stored as the round's parameters."""

    design: str = "take-all"
    per_community: int | None = None
    proportional: int | None = None
    sizes: Mapping[str, int] | None = None  # community code -> n (a sizes file)
    buildings: int | None = None
    per_building: int | None = None
    pps: bool = False
    reserve: int = 0

    def parameters(self) -> dict:
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in asdict(self).items() if k != "design"}

    @classmethod
    def from_round(cls, design: str, parameters: Mapping) -> DrawSpec:
        fields = {k: parameters.get(k) for k in ("per_community", "proportional", "sizes", "buildings",
                                                  "per_building")}
        return cls(design=design, pps=bool(parameters.get("pps")), reserve=int(parameters.get("reserve") or 0),
                   **fields)

    def check(self) -> None:
        """Options that do not belong to the design are refused rather than silently ignored."""
        allocation = [n for n, v in (("--per-community", self.per_community), ("--proportional", self.proportional),
                                     ("--sizes", self.sizes)) if v is not None]
        stages = [n for n, v in (("--buildings", self.buildings), ("--per-building", self.per_building))
                  if v is not None] + (["--pps"] if self.pps else [])
        if self.design not in analysis.DESIGNS:
            raise RoundError(f"design {self.design!r} is not one of {', '.join(analysis.DESIGNS)}")
        if self.design == "take-all" and (allocation or stages or self.reserve):
            given = ", ".join(allocation + stages) or "--reserve"
            raise RoundError(f"a take-all round draws every household: {given} does not apply")
        if self.design == "srs" and (len(allocation) != 1 or stages):
            raise RoundError("an srs round takes exactly one of --per-community, --proportional, --sizes "
                             "(and no --buildings/--per-building/--pps)")
        if self.design == "two-stage" and (allocation or self.buildings is None or self.per_building is None):
            raise RoundError("a two-stage round takes --buildings A and --per-building M "
                             "(and none of --per-community, --proportional, --sizes)")


@dataclass(frozen=True)
class Frame:
    """The frame as the draw sees it: one entry per household, sorted by (community, building, unit)."""

    household: np.ndarray  # household ids
    community: np.ndarray  # community codes
    building: np.ndarray
    max_id: int


def read_frame(max_id: int | None = None) -> Frame:
    """Every household of the frame (with an id up to ``max_id``), sorted as ``draw_sample`` asks."""
    query = select(Household.id, Community.code, Household.building, Household.unit).join(Community)
    if max_id is not None:
        query = query.where(Household.id <= max_id)
    rows = sorted(db.session.execute(query), key=lambda r: (r[1], r[2], r[3]))
    if not rows:
        return Frame(np.zeros(0, np.int64), np.zeros(0, object), np.zeros(0, object), max_id or 0)
    ids, communities, buildings, _units = zip(*rows, strict=True)
    ids = np.array(ids, dtype=np.int64)
    top = int(ids.max()) if max_id is None else max_id
    return Frame(ids, np.array(communities, dtype=object), np.array(buildings, dtype=object), top)


def draw(frame: Frame, spec: DrawSpec, seed: int) -> tuple[analysis.Draw, dict | None]:
    """The seeded draw of ``spec`` over ``frame`` and the households asked per community (None: take-all);
    a refusal of ``analysis`` becomes a :class:`RoundError`."""
    spec.check()
    if frame.household.shape[0] == 0:
        raise RoundError("the frame has no households: load one with import-frame first")
    try:
        names = np.unique(frame.community).tolist()
        n = asked = None
        if spec.design == "srs":
            names, counts = np.unique(frame.community, return_counts=True)
            sizes = dict(zip(names.tolist(), counts.tolist(), strict=True))
            n = asked = analysis.allocate(sizes, per_community=spec.per_community, proportional=spec.proportional,
                                          given=spec.sizes)
        elif spec.design == "two-stage":
            asked = dict.fromkeys(names, spec.buildings * spec.per_building)
        result = analysis.draw_sample(frame.community, frame.building, design=spec.design, n=n,
                                      buildings=spec.buildings, per_building=spec.per_building, pps=spec.pps,
                                      reserve=spec.reserve, seed=seed)
        return result, asked
    except AnalysisError as err:
        raise RoundError(str(err)) from None


def read_sizes(data: bytes, *, source: str = "sizes file") -> dict[str, int]:
    """A sizes file (``community_code,n``): every problem named with its row, nothing half-read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RoundError(f"{source}: not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(cell.strip() for cell in rows[0]) != SIZES_COLUMNS:
        raise RoundError(f"{source}: the header must be exactly {','.join(SIZES_COLUMNS)}")
    known = set(db.session.scalars(select(Community.code)))
    sizes, problems = {}, []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            problems.append(f"row {number}: expected 2 cells, found {len(row)}")
            continue
        code, n = row[0].strip(), row[1].strip()
        if code not in known:
            problems.append(f"row {number}: unknown community {code!r}")
        elif code in sizes:
            problems.append(f"row {number}: community {code} is listed twice")
        elif not n.lstrip("-").isdigit():
            problems.append(f"row {number}: n {n!r} is not a whole number")
        elif int(n) < 0:
            problems.append(f"row {number}: n {n} is negative")
        else:
            sizes[code] = int(n)
    if problems:
        raise RoundError(f"{source}: " + "; ".join(problems))
    return sizes


def frame_counts(community_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Community id -> (households, buildings) in the frame now."""
    query = (select(Household.community_id, func.count(), func.count(func.distinct(Household.building)))
             .where(Household.community_id.in_(community_ids)).group_by(Household.community_id))
    return {cid: (int(n), int(b)) for cid, n, b in db.session.execute(query)}
