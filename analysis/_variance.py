"""Taylor-linearised variance of many domain estimates at once, and R's domain degrees of freedom.

The scores z (one column of the influence function per domain, zero outside the domain) are summed by
(domain, PSU) with ``np.bincount`` over combined keys, then
``V_d = sum_h a_h sum_j z_dhj^2 - b_h (sum_j z_dhj)^2`` with a_h = (1 - f_h) n_h / (n_h - 1) and
b_h = a_h / n_h, n_h taken from the whole design: a PSU without members of the domain still counts.
No loop over domains or strata runs unless the design is calibrated (then the residuals are dense and
are taken in column blocks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._calibrated_variance import calibrated_variance, prepared
from ._checks import AnalysisError, factorize

_BLOCK_CELLS = 20_000_000  # rows x domains per residualize() call on calibrated designs


def variance(design, z: np.ndarray, member: np.ndarray, dom: np.ndarray, ndom: int):
    """Variance and design df per domain.

    Parameters
    ----------
    design : Design
    z : ndarray, shape (n,)
        Linearised scores, 0 outside ``member`` rows.
    member : ndarray of bool, shape (n,)
        Rows in the estimate's domain (domain level known, value not missing).
    dom : ndarray of int, shape (n,)
        Domain code of each member row (anything elsewhere).
    ndom : int
        Number of domains.

    Returns
    -------
    v, df : ndarray (ndom,), ndarray of int (ndom,)
    """
    full = bool(member.all())
    psu_dom = _psu_domain(design, dom, ndom)
    if psu_dom is not None:  # domains nest PSUs: the (domain, PSU) pairs are the PSUs, no row gathers
        pair_psu, positive = _nested_pairs(design, member, psu_dom, full)
        pair_dom = psu_dom[pair_psu]
        pair, rows = design.psu_code, slice(None)
        npair = design.n_psus
    else:
        rows = slice(None) if full else np.flatnonzero(member)
        pair, pair_psu, pair_dom = _pairs(dom[rows], design.psu_code[rows], design.n_psus)
        npair = pair_psu.shape[0]
        if design.all_positive:
            positive = np.ones(npair, dtype=bool)
        else:
            positive = np.bincount(pair, design.weights[rows], npair) > 0
    h = design.psu_stratum[pair_psu]
    n_strata = design.n_strata
    cell, cells = factorize(pair_dom * np.int64(n_strata) + h)
    cell_dom, cell_h = cells // n_strata, cells % n_strata
    cell_positive = np.bincount(cell, positive, cells.shape[0]) > 0
    df = np.bincount(pair_dom[positive], minlength=ndom)
    df -= np.bincount(cell_dom[cell_positive], minlength=ndom)

    totals = np.bincount(pair, z[rows], npair)
    if psu_dom is not None:
        totals = totals[pair_psu]
    if design.calibration is not None:
        pairs = _Pairs(totals, pair_psu, pair_dom, cell, cell_dom, cell_h)
        return _calibrated_variance(design, z, member, dom, ndom, pairs), df
    a, b = design.coefficients()
    stratum_sums = np.bincount(cell, totals, cells.shape[0])
    v = np.bincount(pair_dom, a[h] * totals**2, ndom)
    v -= np.bincount(cell_dom, b[cell_h] * stratum_sums**2, ndom)
    lonely = design.lonely[cell_h]
    if lonely.any():
        v = _lonely(design, v, lonely, cell_dom, cell_h, ndom)
    return np.maximum(v, 0.0), df


def _psu_domain(design, dom: np.ndarray, ndom: int) -> np.ndarray | None:
    """The domain of each PSU when every PSU lies in one domain (-1: outside every domain), else None."""
    if dom is design.stratum:  # PSUs are nested in strata
        return design.psu_stratum
    owner = np.full(design.n_psus, -1, dtype=np.int64)
    owner[design.psu_code] = dom
    return owner if np.array_equal(owner[design.psu_code], dom) else None


def _nested_pairs(design, member: np.ndarray, psu_dom: np.ndarray, full: bool):
    """PSUs holding member rows, and whether those rows carry weight (R's degf counts weight != 0)."""
    if full and design.all_positive:
        used = np.flatnonzero(psu_dom >= 0)
        return used, np.ones(used.shape[0], dtype=bool)
    rows = np.bincount(design.psu_code, member.astype(np.float64), design.n_psus)
    used = np.flatnonzero((rows > 0) & (psu_dom >= 0))
    if design.all_positive:
        return used, np.ones(used.shape[0], dtype=bool)
    weighted = np.bincount(design.psu_code, (member & (design.weights > 0)).astype(np.float64), design.n_psus)
    return used, weighted[used] > 0


def _pairs(d: np.ndarray, p: np.ndarray, n_psus: int):
    """Codes of the (domain, PSU) pairs that hold member rows; one O(n) pass when domains nest PSUs."""
    owner = np.full(n_psus, -1, dtype=np.int64)
    owner[p] = d
    if np.array_equal(owner[p], d):  # every PSU lies in one domain (e.g. communities as domains)
        used = np.flatnonzero(owner >= 0)
        remap = np.full(n_psus, -1, dtype=np.int64)
        remap[used] = np.arange(used.shape[0])
        return remap[p], used, owner[used]
    pair, keys = factorize(d * np.int64(n_psus) + p)
    return pair, keys % n_psus, keys // n_psus


def _lonely(design, v, lonely, cell_dom, cell_h, ndom):
    """R's lonely-PSU policies, applied to the strata that hold members of each domain."""
    policy = design.lonely_psu
    if policy == "fail":
        h = int(cell_h[np.flatnonzero(lonely)[0]])
        raise AnalysisError(
            f"strata: stratum {design.stratum_label(h)!r} has only one PSU "
            "(lonely_psu='fail'; choose 'remove', 'certainty', 'adjust' or 'average')"
        )
    if policy == "average":
        present = np.bincount(cell_dom, minlength=ndom)
        ok = np.bincount(cell_dom[~lonely], minlength=ndom)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = v * present / ok
    return v


@dataclass(frozen=True)
class _Pairs:
    """PSU totals of the scores per (domain, PSU) pair holding members, and the (domain, stratum) cells."""

    totals: np.ndarray
    pair_psu: np.ndarray
    pair_dom: np.ndarray
    cell: np.ndarray
    cell_dom: np.ndarray
    cell_h: np.ndarray


def _calibrated_variance(design, z, member, dom, ndom, pairs):
    """Dense path: calibration residuals are non-zero outside the domain, so each domain is a full column."""
    if design.lonely.any():
        _lonely(design, np.zeros(1), design.lonely, np.zeros(design.n_strata, dtype=np.int64),
                np.arange(design.n_strata), 1)
    prep = prepared(design)
    if prep is None:
        v = _dense(design, z, member, dom, np.arange(ndom))
    else:  # the calibration's linear form, no n x domains residuals; where the terms cancel (a rate the
        v, scale = calibrated_variance(design, z, member, dom, ndom, prep, pairs)  # weights are calibrated to), dense
        close = np.flatnonzero(v < 1e-6 * scale)
        if close.size:
            v[close] = _dense(design, z, member, dom, close)
    if design.lonely_psu == "average" and design.lonely.any():
        v = v * design.n_strata / (design.n_strata - design.lonely.sum())
    return np.maximum(v, 0.0)


def _dense(design, z, member, dom, which: np.ndarray) -> np.ndarray:
    """Variance of the domains ``which``: each a full column of scores, residualised, in blocks."""
    a, b = design.coefficients()
    h = design.psu_stratum
    block = max(1, _BLOCK_CELLS // design.n)
    rows = np.flatnonzero(member)
    position = np.full(int(dom[rows].max()) + 1 if rows.size else 1, -1, dtype=np.int64)
    position[which] = np.arange(which.shape[0])
    col = np.where(dom[rows] < position.shape[0], position[np.minimum(dom[rows], position.shape[0] - 1)], -1)
    v = np.zeros(which.shape[0])
    for start in range(0, which.shape[0], block):
        stop = min(which.shape[0], start + block)
        cols = np.zeros((design.n, stop - start))
        inside = (col >= start) & (col < stop)
        cols[rows[inside], col[inside] - start] = z[rows[inside]]
        resid = np.asarray(design.calibration.residualize(cols), dtype=np.float64).reshape(design.n, -1)
        totals = _sum_by(design.psu_code, resid, design.n_psus)
        sums = _sum_by(h, totals, design.n_strata)
        v[start:stop] = a[h] @ totals**2 - b @ sums**2
    return v


def _sum_by(codes: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(k))
    return np.add.reduceat(x[order], starts, axis=0)
