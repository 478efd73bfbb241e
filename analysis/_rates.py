"""AAPOR outcome rates from the counts of final disposition codes, vectorised over many units at once.

AAPOR, *Standard Definitions: Final Dispositions of Case Codes and Outcome Rates for Surveys* (10th ed., 2023),
section "Outcome rates": response rates RR1-RR6, cooperation rates COOP1-COOP4, refusal rates REF1-REF3 and
contact rates CON1-CON3. With the codes of :data:`analysis.OUTCOMES` (I complete, P partial, R refusal and
break-off, NC non-contact, O other, UH/UO unknown eligibility, NE not eligible) and e the estimated share of the
cases of unknown eligibility that are eligible:

    RR1 = I / ((I+P) + (R+NC+O) + (UH+UO))        RR2 = (I+P) / ((I+P) + (R+NC+O) + (UH+UO))
    RR3 = I / ((I+P) + (R+NC+O) + e(UH+UO))       RR4 = (I+P) / ((I+P) + (R+NC+O) + e(UH+UO))
    RR5 = I / ((I+P) + (R+NC+O))                  RR6 = (I+P) / ((I+P) + (R+NC+O))
    COOP1 = I / ((I+P) + R + O)                   COOP2 = (I+P) / ((I+P) + R + O)
    COOP3 = I / ((I+P) + R)                       COOP4 = (I+P) / ((I+P) + R)
    REF1 = R / ((I+P) + (R+NC+O) + (UH+UO))       REF2 = R / ((I+P) + (R+NC+O) + e(UH+UO))
    REF3 = R / ((I+P) + (R+NC+O))
    CON1 = ((I+P) + R + O) / ((I+P) + (R+NC+O) + (UH+UO))
    CON2 = ((I+P) + R + O) / ((I+P) + (R+NC+O) + e(UH+UO))
    CON3 = ((I+P) + R + O) / ((I+P) + (R+NC+O))

A rate whose denominator is 0 is NaN. The figures agree with R's ``outcomerate`` package (Rosen, 2018), whose
worked example (I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1, NE=1, e=0.9) is checked in ``tests/analysis/test_rates.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._errors import AnalysisError
from ._outcomes import ELIGIBLE, KNOWN, OUTCOMES

__all__ = ["RATES", "eligibility_share", "outcome_rates"]

#: Every rate :func:`outcome_rates` gives, in AAPOR's order.
RATES = ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4",
         "REF1", "REF2", "REF3", "CON1", "CON2", "CON3")

_UNKNOWN = frozenset(OUTCOMES) - KNOWN


def _counts(counts: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Every outcome's counts as float arrays of one broadcast shape; refuse missing, unknown or negative counts."""
    if not isinstance(counts, Mapping):
        raise AnalysisError("counts: give a mapping from outcome code to counts")
    missing = [code for code in OUTCOMES if code not in counts]
    unknown = [str(code) for code in counts if code not in OUTCOMES]
    if missing or unknown:
        raise AnalysisError(f"counts: missing {', '.join(missing) or 'nothing'}, unknown {', '.join(unknown) or 'none'}"
                            f" (the codes are {', '.join(OUTCOMES)})")
    try:
        arrays = {code: np.asarray(counts[code], dtype=float) for code in OUTCOMES}
        arrays = dict(zip(arrays, np.broadcast_arrays(*arrays.values()), strict=True))
    except (TypeError, ValueError) as err:
        raise AnalysisError(f"counts: not numbers of one shape ({err})") from err
    for code, values in arrays.items():
        if np.any(~np.isfinite(values)) or np.any(values < 0):
            raise AnalysisError(f"counts: {code} has a negative or missing count")
    return arrays


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (no warning)."""
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _total(arrays: dict[str, np.ndarray], codes) -> np.ndarray:
    return sum((arrays[code] for code in sorted(codes)), start=np.zeros_like(arrays["I"]))


def eligibility_share(counts: Mapping[str, object]) -> np.ndarray:
    """AAPOR's e estimated from the cases of known eligibility: (I+P+R+NC+O) / (I+P+R+NC+O+NE).

    AAPOR Standard Definitions (2023), "Outcome rates", on estimating e ("the proportion of cases of unknown
    eligibility that are eligible" taken from the cases whose eligibility was determined); R ``outcomerate``'s
    default ``e``. ``counts`` maps every outcome code to a count or an array of counts; NaN where no case has a
    known eligibility.
    """
    arrays = _counts(counts)
    return _ratio(_total(arrays, ELIGIBLE), _total(arrays, KNOWN))


def outcome_rates(counts: Mapping[str, object], e) -> dict[str, np.ndarray]:
    """Every AAPOR rate of :data:`RATES` (formulas in this module's docstring) from the outcome counts.

    Parameters
    ----------
    counts : mapping of outcome code -> count or array of counts
        Every code of :data:`analysis.OUTCOMES` (I, P, R, NC, O, UH, UO, NE); arrays broadcast together, one
        element per unit (community, interviewer ...). NE enters no rate, only :func:`eligibility_share`.
    e : float or array
        The eligible share of the unknown-eligibility cases (RR3, RR4, REF2, CON2), between 0 and 1; usually one
        :func:`eligibility_share` of the whole round used at every level. NaN gives NaN for those rates.

    Returns
    -------
    dict
        Rate name -> float array of the broadcast shape; NaN where the rate's denominator is 0.
    """
    arrays = _counts(counts)
    e = np.asarray(e, dtype=float)
    if np.any((e < 0) | (e > 1)):
        raise AnalysisError("e: the eligible share must lie between 0 and 1")
    i, p, r, o = arrays["I"], arrays["P"], arrays["R"], arrays["O"]
    interviews, contacts = i + p, i + p + r + o
    known = _total(arrays, ELIGIBLE)  # (I+P) + (R+NC+O)
    unknown = _total(arrays, _UNKNOWN)  # UH + UO
    estimated = known + e * unknown
    denominators = {"all": known + unknown, "e": estimated, "eligible": known, "coop12": interviews + r + o,
                    "coop34": interviews + r}
    formulas = {
        "RR1": (i, "all"), "RR2": (interviews, "all"), "RR3": (i, "e"), "RR4": (interviews, "e"),
        "RR5": (i, "eligible"), "RR6": (interviews, "eligible"),
        "COOP1": (i, "coop12"), "COOP2": (interviews, "coop12"), "COOP3": (i, "coop34"),
        "COOP4": (interviews, "coop34"),
        "REF1": (r, "all"), "REF2": (r, "e"), "REF3": (r, "eligible"),
        "CON1": (contacts, "all"), "CON2": (contacts, "e"), "CON3": (contacts, "eligible"),
    }
    return {name: _ratio(*np.broadcast_arrays(formulas[name][0], denominators[formulas[name][1]]))
            for name in RATES}
