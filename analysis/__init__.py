"""Survey statistics matching R's ``survey`` package: design, domain estimates, intervals, weighting.

Pure functions on numpy arrays, frozen results, no I/O (besides ``python -m analysis``).

Public API
----------
Design                     stratified cluster design with first-stage FPC and lonely-PSU policy
mean, proportion, total    estimates overall or for every level of a domain at once
composite                  (weighted) mean of several item rates or scores, covariance included
code_rate, code_score      code answers into 0/1 indicators or scores (NaN = missing)
rate_interval, wald_interval   confidence intervals (logit, xlogit, mean, beta, wilson)
Estimate, DomainEstimates  results;  reliability(estimate) -> 'ok' | 'flag' | 'suppress'
OUTCOMES, PRIORITY, combine    AAPOR outcome codes of a sampled household (VISIT_DISPOSITIONS, KNOWN, ELIGIBLE ...)
allocate, draw_sample, Draw    seeded sample draws of a round (take-all, srs, two-stage with SRS or PPS buildings)
weight_chain, Margin, WeightChain, diagnostics   the weight chain of a round (rounds-and-weights.md, steps 1-5)
report_card, ItemDefinition, IndicatorDefinition, ReportCard, CardEntry, nchs_marks   report cards (every
                           indicator and item at city/district/street/community, NCHS marks 'suppress'/'review'/'ok')
change, Change; rank_intervals, RankIntervals   change since the previous round; simulated rank intervals
fay_herriot, FayHerriot    Fay-Herriot EBLUPs of small areas (REML, MSE g1 + g2 + 2 g3)
RATES, outcome_rates, eligibility_share   AAPOR response, cooperation, refusal and contact rates from outcome counts
AnalysisError              bad input (a ValueError naming the argument, column, level or stratum)

Weighting
---------
design_weights, nonresponse_adjust, trim     base weights, non-response classes, R's ``trimWeights``
poststratify, rake                           R's ``postStratify`` / ``rake``: a ``Calibrated`` result
DesignWeights, NonresponseAdjusted, Trimmed, Calibrated   their frozen results
PostStratification, Raking, CalibrationChain   ``Calibrated.calibration``: the record ``Design(calibration=...)``
                           uses for the variance (R's ``design$postStrata``); exported so callers can inspect it
WeightingError             bad weighting input (names the argument, column and level)
"""

from ._design import LONELY_PSU, Design
from ._errors import AnalysisError, WeightingError
from ._estimators import code_rate, code_score, composite, mean, proportion, total
from ._intervals import CI_METHODS, rate_interval, wald_interval
from ._results import DomainEstimates, Estimate, reliability

__all__ = [
    "AnalysisError", "CI_METHODS", "LONELY_PSU", "Design", "DomainEstimates", "Estimate", "code_rate",
    "code_score", "composite", "mean", "proportion", "rate_interval", "reliability", "total", "wald_interval",
]

# --- weighting
from ._calibration import Calibrated, CalibrationChain, PostStratification, Raking, poststratify, rake  # noqa: E402
from ._weighting import (  # noqa: E402
    DesignWeights,
    NonresponseAdjusted,
    Trimmed,
    design_weights,
    nonresponse_adjust,
    trim,
)

__all__ += [
    "Calibrated", "CalibrationChain", "DesignWeights", "NonresponseAdjusted", "PostStratification", "Raking",
    "Trimmed", "WeightingError", "design_weights", "nonresponse_adjust", "poststratify", "rake", "trim",
]
# --- end weighting ---

# --- rounds: outcomes, sample draws, the weight chain
from ._chain import Margin, Merge, WeightChain, weight_chain  # noqa: E402
from ._chain_diagnostics import ChainDiagnostics, diagnostics  # noqa: E402
from ._outcomes import ELIGIBLE, KNOWN, OUTCOMES, PRIORITY, RESPONDENTS, VISIT_DISPOSITIONS, Outcome, combine  # noqa: E402
from ._sampling import DESIGNS, Draw, allocate, draw_sample  # noqa: E402

__all__ += [
    "DESIGNS", "ELIGIBLE", "KNOWN", "OUTCOMES", "PRIORITY", "RESPONDENTS", "VISIT_DISPOSITIONS", "ChainDiagnostics",
    "Draw", "Margin", "Merge", "Outcome", "WeightChain", "allocate", "combine", "diagnostics", "draw_sample",
    "weight_chain",
]
# --- end rounds ---

# --- report cards: every indicator and item at every level, change, rank intervals, Fay-Herriot
from ._compare import Change, RankIntervals, change, rank_intervals  # noqa: E402
from ._fay_herriot import FayHerriot, fay_herriot  # noqa: E402
from ._marks import MARKS, nchs_marks  # noqa: E402
from ._report import CANT_SAY, CardEntry, IndicatorDefinition, ItemDefinition, ReportCard, report_card  # noqa: E402

__all__ += [
    "CANT_SAY", "MARKS", "CardEntry", "Change", "FayHerriot", "IndicatorDefinition", "ItemDefinition", "RankIntervals",
    "ReportCard", "change", "fay_herriot", "nchs_marks", "rank_intervals", "report_card",
]
# --- end report cards ---

# --- response rates: AAPOR RR1-RR6, COOP1-COOP4, REF1-REF3, CON1-CON3 from outcome counts
from ._rates import RATES, eligibility_share, outcome_rates  # noqa: E402

__all__ += ["RATES", "eligibility_share", "outcome_rates"]
# --- end response rates ---
