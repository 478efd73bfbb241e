"""Sample draws of a survey round: take-all, stratified SRS and two-stage (SRS or systematic PPS of buildings).

Pure and seeded: the same frame (in the same row order), seed and parameters give the same rows. The random
numbers come from ``numpy.random.default_rng(seed)`` used community by community in sorted order of the
community labels, and within a community building by building in frame order, so the seed and the parameters
are all a round needs to store. **The caller passes the frame sorted** by (community, building, unit): the draw
depends on the frame's row order, and sorting first makes it depend on the frame's content only.

Formulas: Cochran (1977), *Sampling Techniques*, 3rd ed., ch. 4 (SRS), 9A.6 (systematic PPS) and 10 (two-stage);
Särndal, Swensson & Wretman (1992), sec. 3.6 (certainty units of a PPS design).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np

from ._errors import AnalysisError

__all__ = ["DESIGNS", "Draw", "allocate", "draw_sample"]

DESIGNS = ("take-all", "srs", "two-stage")


def _whole(value, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise AnalysisError(f"{name}: {value!r} is not a whole number")
    if value < minimum:
        raise AnalysisError(f"{name}: {int(value)} is below {minimum}")
    return int(value)


def _sizes(sizes) -> dict:
    if not isinstance(sizes, Mapping) or not sizes:
        raise AnalysisError("sizes: expected a non-empty mapping community -> households in the frame")
    return {c: _whole(v, f"sizes[{c!r}]") for c, v in sizes.items()}


def allocate(sizes: Mapping, *, per_community: int | None = None, proportional: int | None = None,
             given: Mapping | None = None) -> dict:
    """Households to draw per community: the same number, proportional to N_c, or given per community.

    Parameters
    ----------
    sizes : mapping
        Community -> N_c, its households in the frame.
    per_community : int, optional
        The same n_c for every community.
    proportional : int, optional
        A total n allocated as n N_c / N, rounded by largest remainders (Hamilton's method: floors first,
        then one more to the largest fractional parts, ties to the earlier community in sorted order), and
        at least 1 per community, so the total exceeds n by the communities whose quota rounds to 0.
    given : mapping, optional
        Community -> n_c (a sizes file); communities of ``sizes`` absent from it get 0 (not sampled).

    Exactly one of the three is given. An n_c above N_c is kept: the draw takes all and reports a shortfall.

    Raises
    ------
    AnalysisError
        A negative or non-integer n (naming the community), a community of ``given`` not in ``sizes``.
    """
    frame = _sizes(sizes)
    chosen = [k for k, v in (("per_community", per_community), ("proportional", proportional),
                             ("given", given)) if v is not None]
    if len(chosen) != 1:
        raise AnalysisError("allocate: give exactly one of per_community, proportional, given "
                            f"(got {', '.join(chosen) or 'none'})")
    if per_community is not None:
        n = _whole(per_community, "per_community")
        return {c: n for c in frame}
    if given is not None:
        if not isinstance(given, Mapping):
            raise AnalysisError("given: expected a mapping community -> n")
        unknown = [c for c in given if c not in frame]
        if unknown:
            raise AnalysisError(f"given: unknown community {unknown[0]!r} (not in the frame)")
        return {c: _whole(given.get(c, 0), f"given[{c!r}]") for c in frame}
    total = _whole(proportional, "proportional", minimum=1)
    names = sorted(frame)
    big = sum(frame.values())
    if big == 0:
        raise AnalysisError("sizes: the frame has no households to allocate among")
    quota = np.array([total * frame[c] / big for c in names])
    n = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - n), kind="stable")
    n[order[: total - int(n.sum())]] += 1
    return {c: max(1, int(k)) for c, k in zip(names, n, strict=True)}


@dataclass(frozen=True, eq=False)
class Draw:
    """The households a draw selected, main sample and reserve replicates.

    Attributes
    ----------
    design : str
    rows : ndarray of int
        Indices into the frame arrays, grouped by community (sorted labels), main sample and reserves.
    replicate : ndarray of int
        1 = main sample, 2, 3 … = reserve replicates (released a whole replicate at a time).
    community : ndarray
        The community of each drawn row.
    building_probability : ndarray
        First-stage probability of each drawn row's building (1 for take-all and srs).
    building_size : ndarray
        M_b, the frame households of each drawn row's building (two-stage; N_c otherwise).
    community_size : dict
        Community -> N_c, households in the frame at the draw.
    building_count : dict
        Community -> B_c, its buildings in the frame.
    shortfall : dict
        Community -> (asked, available) where the main sample got fewer households than asked.
    """

    design: str
    rows: np.ndarray = field(repr=False)
    replicate: np.ndarray = field(repr=False)
    community: np.ndarray = field(repr=False)
    building_probability: np.ndarray = field(repr=False)
    building_size: np.ndarray = field(repr=False)
    community_size: dict = field(repr=False)
    building_count: dict = field(repr=False)
    shortfall: dict = field(default_factory=dict)
    _group: np.ndarray = field(default=None, repr=False)  # community (srs) or building (two-stage) code per row

    def probabilities(self, released: Mapping | int = 1) -> np.ndarray:
        """Inclusion probability pi of every drawn row once ``released`` replicates are in the field.

        ``released`` is a number of replicates for every community, or community -> number (absent: 1).
        srs: pi = (released households of c) / N_c; two-stage: pi = pi_b x (released households of b) / M_b
        (Cochran 1977, eq. 10.2); take-all: 1. Rows of unreleased replicates get NaN.
        """
        if isinstance(released, Mapping):
            unknown = [c for c in released if c not in self.community_size]
            if unknown:
                raise AnalysisError(f"released: unknown community {unknown[0]!r}")
            names = np.array(list(released), dtype=object)
            limit = np.ones(self.rows.shape[0], dtype=np.int64)
            for c in names:
                limit[self.community == c] = _whole(released[c], f"released[{c!r}]", minimum=1)
        else:
            limit = np.full(self.rows.shape[0], _whole(released, "released", minimum=1))
        live = self.replicate <= limit
        if self.design == "take-all":
            return np.where(live, 1.0, np.nan)
        counts = np.bincount(self._group, weights=live, minlength=int(self._group.max(initial=-1)) + 1)
        pi = self.building_probability * counts[self._group] / self.building_size
        return np.where(live, pi, np.nan)


def _seed(seed) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise AnalysisError(f"seed: {seed!r} is not a non-negative whole number")
    return np.random.default_rng(int(seed))


def _blocks(rng, size: int, block: int, replicates: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions 0..size-1 of a random permutation cut into blocks of ``block``: (positions, replicate)."""
    if block >= size:
        return np.arange(size), np.ones(size, dtype=np.int64)
    take = rng.permutation(size)[: min(size, block * replicates)]
    return take, np.arange(take.shape[0]) // block + 1


def _pps(rng, sizes: np.ndarray, a: int) -> tuple[np.ndarray, np.ndarray]:
    """Systematic PPS of ``a`` of the buildings with household counts ``sizes``: (chosen, first-stage pi).

    Buildings with a M_b >= M (recomputed on the rest) are certainty buildings (pi = 1); the rest get
    pi = a' M_b / M' from a systematic pass with a random start (Cochran 1977, sec. 9A.6).
    """
    certain = np.zeros(sizes.shape[0], dtype=bool)
    while True:
        rest = ~certain
        left = a - int(certain.sum())
        new = rest & (left * sizes >= sizes[rest].sum())
        if left <= 0 or not new.any():
            break
        certain |= new
    pi = np.where(certain, 1.0, 0.0)
    left, rest = a - int(certain.sum()), np.flatnonzero(~certain)
    chosen = np.zeros(sizes.shape[0], dtype=bool)
    chosen[certain] = True
    if left > 0 and rest.size:
        m = sizes[rest].astype(float)
        step = m.sum() / left
        points = rng.uniform(0.0, step) + step * np.arange(left)
        hit = np.searchsorted(np.cumsum(m), points, side="right")
        chosen[rest[hit]] = True
        pi[rest] = left * m / m.sum()
    return np.flatnonzero(chosen), pi


def _check_draw(design, n, buildings, per_building, reserve, names, building):
    if design not in DESIGNS:
        raise AnalysisError(f"design: {design!r} is not one of {', '.join(DESIGNS)}")
    reserve = _whole(reserve, "reserve")
    if design == "take-all" and reserve:
        raise AnalysisError("reserve: a take-all draw has no reserve replicates")
    if design == "srs":
        if n is None:
            raise AnalysisError("n: an srs draw needs n, a mapping community -> households to draw")
        n = {c: n for c in names} if isinstance(n, Integral) and not isinstance(n, bool) else n
        if not isinstance(n, Mapping):
            raise AnalysisError("n: expected a mapping community -> households to draw")
        unknown = [c for c in n if c not in set(names)]
        if unknown:
            raise AnalysisError(f"n: unknown community {unknown[0]!r} (not in the frame)")
        n = {c: _whole(n.get(c, 0), f"n[{c!r}]") for c in names}
    if design == "two-stage":
        if building is None:
            raise AnalysisError("building: a two-stage draw needs the building of every household")
        buildings = _whole(buildings, "buildings", minimum=1)
        per_building = _whole(per_building, "per_building", minimum=1)
    return n, buildings, per_building, reserve


def draw_sample(community, building=None, *, design: str, n: Mapping | None = None, buildings: int | None = None,
                per_building: int | None = None, pps: bool = False, reserve: int = 0, seed: int) -> Draw:
    """Draw a round's sample from a frame of households (one row each, sorted by community, building, unit).

    Parameters
    ----------
    community, building : array_like
        Community and building label of every frame household (building labels are unique within a
        community; needed for two-stage only).
    design : {'take-all', 'srs', 'two-stage'}
    n : mapping
        srs: community -> n_c (absent: 0), e.g. from :func:`allocate`.
    buildings, per_building : int
        two-stage: a buildings per community (SRS, or systematic PPS by household count with ``pps=True``,
        certainty buildings taken with probability 1), then m households by SRS in each.
    reserve : int
        R reserve replicates: srs, a random permutation of the community cut into blocks of n_c (block k is
        replicate k); two-stage, the same within each selected building with blocks of m.
    seed : int
        Seed of ``numpy.random.default_rng``.

    A community (or building) with fewer households than asked takes all; a community whose main sample is
    short is listed in ``Draw.shortfall`` as (asked, available).
    """
    comm = np.asarray(community)
    if comm.ndim != 1 or comm.shape[0] == 0:
        raise AnalysisError("community: expected a non-empty 1-D array, one label per frame household")
    bldg = None if building is None else np.asarray(building)
    if bldg is not None and bldg.shape != comm.shape:
        raise AnalysisError(f"building: has {bldg.shape[0]} rows, community has {comm.shape[0]}")
    rng = _seed(seed)
    names, codes = np.unique(comm, return_inverse=True)
    n, buildings, per_building, reserve = _check_draw(design, n, buildings, per_building, reserve,
                                                      names.tolist(), bldg)
    members = np.split(np.argsort(codes, kind="stable"), np.cumsum(np.bincount(codes))[:-1])
    parts, sizes, counts, short = [], {}, {}, {}
    for k, (c, idx) in enumerate(zip(names.tolist(), members, strict=True)):
        sizes[c] = int(idx.shape[0])
        b_codes = None
        if bldg is not None:
            _, first, b_codes = np.unique(bldg[idx], return_index=True, return_inverse=True)
            order = np.argsort(np.argsort(first))  # buildings numbered in frame order
            b_codes = order[b_codes]
            counts[c] = int(first.shape[0])
        if design == "take-all":
            got = (idx, np.ones(idx.shape[0], np.int64), np.ones(idx.shape[0]), np.full(idx.shape[0], idx.shape[0]),
                   np.full(idx.shape[0], k))
        elif design == "srs":
            pos, rep = _blocks(rng, idx.shape[0], n[c], reserve + 1)
            got = (idx[pos], rep, np.ones(pos.shape[0]), np.full(pos.shape[0], idx.shape[0]), np.full(pos.shape[0], k))
            if n[c] > idx.shape[0]:
                short[c] = (n[c], int(idx.shape[0]))
        else:
            got = _two_stage(rng, idx, b_codes, buildings, per_building, pps, reserve, k)
            main = int(np.sum(got[1] == 1))
            if main < buildings * per_building:
                short[c] = (buildings * per_building, main)
        parts.append(got)
    rows, rep, bprob, bsize, group = (np.concatenate([p[j] for p in parts]) for j in range(5))
    _, group = np.unique(group, return_inverse=True)
    return Draw(design, rows, rep, comm[rows], bprob, bsize.astype(float), sizes, counts, short, group)


def _two_stage(rng, idx, b_codes, a, m, pps, reserve, k):
    """One community of a two-stage draw: (rows, replicate, building pi, M_b, building group key)."""
    sizes = np.bincount(b_codes)
    if a >= sizes.shape[0]:
        chosen, pi = np.arange(sizes.shape[0]), np.ones(sizes.shape[0])
    elif pps:
        chosen, pi = _pps(rng, sizes, a)
    else:
        chosen = np.sort(rng.choice(sizes.shape[0], size=a, replace=False))
        pi = np.full(sizes.shape[0], a / sizes.shape[0])
    order = np.argsort(b_codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out = []
    for b in chosen.tolist():
        members = idx[order[starts[b]: starts[b + 1]]]
        pos, rep = _blocks(rng, members.shape[0], m, reserve + 1)
        size = pos.shape[0]
        out.append((members[pos], rep, np.full(size, pi[b]), np.full(size, sizes[b]),
                    np.full(size, k * (1 << 32) + b, dtype=np.int64)))
    return tuple(np.concatenate([o[j] for o in out]) for j in range(5))
