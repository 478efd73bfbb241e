"""Domain variances on a calibrated design without residualising an n x domains matrix.

Every calibration step of ``_weighting_residuals`` is linear in the scores: residualize(z) = z - X L G'z, with X and
G sparse (one entry per row and margin: the margin level of the row, times a row value) and L a small matrix over
all margin levels (the identity for post-stratification; R's 10 raking sweeps run on the identity for raking).
For domain scores Z (n x D, one non-zero per row) the PSU totals of the residuals are T - M beta, with T the PSU
totals of Z, M the PSU totals of X and beta = L G'Z (levels x D, from sparse sums). The stratified variance
sum_h a_h sum_j R_hj^2 - b_h (sum_j R_hj)^2 then expands into sums over the (domain, PSU) pairs that hold members
and small quadratic forms in beta: no dense n x D array. Same numbers as the dense path (R's ``svyrecvar``).
"""

from __future__ import annotations

import weakref

import numpy as np

from ._weighting_residuals import _R_RAKING_RESIDUAL_SWEEPS, CalibrationChain, PostStratification, Raking


def linear_steps(calibration) -> list | None:
    """[(codes, x, g, sizes, L), ...] per step, or None for a calibration of unknown kind (dense path)."""
    if isinstance(calibration, CalibrationChain):
        out = []
        for step in calibration.steps:
            part = linear_steps(step)
            if part is None:
                return None
            out += part
        return out
    if isinstance(calibration, PostStratification):
        psw = np.where((calibration.weights == 0) & (calibration.old_weights == 0), 1.0, calibration.weights)
        nlev = len(calibration.levels)
        old = np.bincount(calibration.codes, weights=calibration.old_weights, minlength=nlev)
        g = calibration.old_weights / psw / np.where(old > 0, old, 1.0)[calibration.codes]
        return [([calibration.codes], [psw], [g], [nlev], np.eye(nlev))]
    if isinstance(calibration, Raking):
        return [_raking(calibration)]
    return None


def _raking(raking: Raking):
    """Raking.residualize's sweeps run on the identity: c = L b for level sums b of z / w_m."""
    codes = [c for _n, _l, c, _w in raking.margins]
    psw = [w for _n, _l, _c, w in raking.margins]
    size = [len(levels) for _n, levels, _c, _w in raking.margins]
    inv = [np.divide(1.0, w, out=np.zeros_like(w), where=w > 0) for w in psw]
    mm = range(len(size))
    offset = np.concatenate([[0], np.cumsum(size)])
    total = int(offset[-1])
    count = [np.maximum(np.bincount(codes[m], psw[m] > 0, size[m]), 1.0)[:, None] for m in mm]
    a = [[_cross(codes[m], codes[k], psw[k] * inv[m], size[m], size[k]) for k in mm] for m in mm]
    eye = np.eye(total)
    b = [eye[offset[m]:offset[m + 1]] for m in mm]
    c = [np.zeros((size[m], total)) for m in mm]
    for _ in range(_R_RAKING_RESIDUAL_SWEEPS):
        for m in mm:
            c[m] += (b[m] - sum(a[m][k] @ c[k] for k in mm)) / count[m]
    return codes, psw, inv, size, np.vstack(c)


def _cross(rows, cols, values, nrows, ncols):
    return np.bincount(rows * ncols + cols, weights=values, minlength=nrows * ncols).reshape(nrows, ncols)


_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepared(design):
    """Per design, once: the linear steps, the cross products G_k'X_l, M, M'AM and the stratum sums of M."""
    if design in _PREPARED:
        return _PREPARED[design]
    from scipy import sparse

    steps = linear_steps(design.calibration)
    if steps is None:
        return None
    gx = {}
    for k, (codes, _x, g, size, _L) in enumerate(steps):
        for j, (codes_l, x_l, _g, size_l, _L) in enumerate(steps[:k]):
            gx[k, j] = np.vstack([np.hstack([_cross(c, cl, gm * xl, s, sl) for cl, xl, sl in
                                             zip(codes_l, x_l, size_l, strict=True)])
                                  for c, gm, s in zip(codes, g, size, strict=True)])
    m = _psu_sums(design, steps, sum(sum(st[3]) for st in steps), sparse)
    a, b = design.coefficients()
    h = design.psu_stratum
    ga = np.asarray((m.T @ m.multiply(a[h][:, None])).todense())
    strata = sparse.csr_array((np.ones(design.n_psus), (h, np.arange(design.n_psus))),
                              shape=(design.n_strata, design.n_psus))
    n_h = np.asarray((strata @ m).todense())
    _PREPARED[design] = out = (steps, gx, m.T.tocsr(), ga, n_h, n_h.T @ (n_h * b[:, None]))
    return out


def calibrated_variance(design, z, member, dom, ndom, prep, pairs):
    """Variance per domain of the calibration residuals (module docstring), and the size of its largest terms
    (its rounding error is ~1e-16 of that: the caller recomputes domains whose variance cancels).

    ``pairs`` (from ``_variance.variance``): the PSU totals of z per (domain, PSU) pair and the (domain, stratum)
    cells.
    """
    from scipy import sparse

    steps, gx, mt, ga, n_h, gb = prep
    full = bool(member.all())
    rows = slice(None) if full else np.flatnonzero(member)
    d, zr = dom[rows], z[rows]
    a, b = design.coefficients()
    h = design.psu_stratum
    betas = []
    for k, (codes, _x, g, size, lmat) in enumerate(steps):
        gz = np.vstack([_cross(c[rows], d, gm[rows] * zr, s, ndom) for c, gm, s in zip(codes, g, size, strict=True)])
        for j in range(k):
            gz -= gx[k, j] @ betas[j]
        betas.append(lmat @ gz)
    beta = np.vstack(betas)
    totals, pair_psu, pair_dom = pairs.totals, pairs.pair_psu, pairs.pair_dom
    a_pair = a[h[pair_psu]] * totals
    v = np.bincount(pair_dom, a_pair * totals, ndom)
    scale = v.copy()
    q = sparse.csr_array((a_pair, (pair_psu, pair_dom)), shape=(design.n_psus, ndom))
    v -= 2 * np.sum(np.asarray((mt @ q).todense()) * beta, axis=0)
    quad = np.einsum("cd,ce,ed->d", beta, ga, beta)
    v += quad
    scale += np.abs(quad)
    cell_dom, cell_h = pairs.cell_dom, pairs.cell_h
    s = np.bincount(pairs.cell, totals, cell_dom.shape[0])
    v -= np.bincount(cell_dom, b[cell_h] * s**2, ndom)
    v += 2 * np.bincount(cell_dom, b[cell_h] * s * np.sum(n_h[cell_h] * beta[:, cell_dom].T, axis=1), ndom)
    v -= np.einsum("cd,ce,ed->d", beta, gb, beta)
    return v, scale


def _psu_sums(design, steps, ncols, sparse):
    """M: PSU totals of every step's X (PSUs x all levels), sparse."""
    offset, cols, values = 0, [], []
    for codes, x, _g, size, _L in steps:
        for c, xm, s in zip(codes, x, size, strict=True):
            cols.append(c + offset)
            values.append(xm)
            offset += s
    psu = np.tile(design.psu_code, len(cols))
    return sparse.csr_array((np.concatenate(values), (psu, np.concatenate(cols))), shape=(design.n_psus, ncols))
