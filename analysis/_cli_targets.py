"""What ``python -m analysis estimate`` estimates: ``--mean``, ``--proportion``, ``--indicator``, ``--questionnaire``.

* ``--mean COL``: the weighted mean of a numeric column.
* ``--proportion COL=VALUE[,VALUE...]``: the rate of those codes; compared as numbers when the column holds numbers
  (a VALUE that is not a number is then an error), else as text. A VALUE that never occurs in the column is a
  warning (the rate is still printed).
* ``--indicator NAME=ITEM1,ITEM2,...``: a composite rate, the mean of the item rates (:func:`analysis.composite`).
  With ``--questionnaire`` each item is coded by its positive set; without, the item columns must hold 0/1.
* ``--indicator CODE`` with ``--questionnaire FILE``: the questionnaire's indicator CODE (its kind, items, item
  weights, positive sets or score maps); ``--questionnaire FILE`` without any target estimates all its indicators.

Only this module imports ``questionnaires``, and only when ``--questionnaire`` is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ._checks import as_numeric, label
from ._errors import AnalysisError
from ._estimators import code_rate, code_score, composite, mean, proportion

__all__ = ["Target", "plan", "estimate_target"]


@dataclass(frozen=True)
class Target:
    """One thing to estimate; ``variable`` is what the output rows call it."""

    variable: str
    kind: str  # 'mean', 'proportion', 'rate' or 'score'
    columns: tuple[str, ...]
    values: tuple[str, ...] = ()  # --proportion codes
    codings: tuple = ()  # per item: frozenset (positive set), Mapping (score map) or None (already 0/1)
    item_weights: tuple[float, ...] = ()


def plan(specs: list[tuple[str, str]], questionnaire_path: str | None) -> list[Target]:
    """The targets of the command line, in its order; all indicators of the questionnaire if there are none."""
    q = _load(questionnaire_path) if questionnaire_path else None
    if not specs and q is not None:
        if not q.indicators:
            raise AnalysisError(f"{questionnaire_path}: defines no indicators; give --mean, --proportion or "
                                "--indicator")
        return [_from_questionnaire(q, ind.code, questionnaire_path) for ind in q.indicators]
    if not specs:
        raise AnalysisError("nothing to estimate: give --mean COL, --proportion COL=VALUE or --indicator "
                            "NAME=ITEM1,ITEM2,... (or --questionnaire FILE)")
    targets = []
    for kind, spec in specs:
        if kind == "mean":
            targets.append(Target(spec, "mean", (spec,)))
        elif kind == "proportion":
            column, values = split(spec, "--proportion", "COL=VALUE[,VALUE...]")
            targets.append(Target(spec, "proportion", (column,), tuple(v.strip() for v in values.split(","))))
        else:
            targets.append(_indicator(spec, q, questionnaire_path))
    return targets


def _indicator(spec: str, q, path: str | None) -> Target:
    if "=" not in spec:
        if q is None:
            raise AnalysisError(f"--indicator: expected NAME=ITEM1,ITEM2,..., got {spec!r} (a bare indicator code "
                                "needs --questionnaire FILE)")
        return _from_questionnaire(q, spec, path)
    name, items = split(spec, "--indicator", "NAME=ITEM1,ITEM2,...")
    codes = tuple(item.strip() for item in items.split(","))
    if "" in codes:
        raise AnalysisError(f"--indicator {name}: an empty item in {items!r}")
    codings = tuple(_positive(q, code, path, name) for code in codes) if q is not None else (None,) * len(codes)
    return Target(name, "rate", codes, codings=codings, item_weights=(1.0,) * len(codes))


def _positive(q, code: str, path: str, name: str) -> frozenset:
    item = _item(q, code, path, name)
    if not item.positive:
        raise AnalysisError(f"--indicator {name}: item {code!r} has no positive set in {path}")
    return item.positive


def _item(q, code: str, path: str, name: str):
    try:
        return q.item(code)
    except KeyError:
        raise AnalysisError(f"--indicator {name}: {path} has no item {code!r}") from None


def _from_questionnaire(q, code: str, path: str) -> Target:
    found = next((ind for ind in q.indicators if ind.code == code), None)
    if found is None:
        known = ", ".join(ind.code for ind in q.indicators) or "none"
        raise AnalysisError(f"--indicator: {path} has no indicator {code!r} (indicators: {known})")
    items = [_item(q, item, path, code) for item, _ in found.items]
    codings = tuple(item.positive if found.kind == "rate" else item.scores for item in items)
    return Target(code, found.kind, tuple(item for item, _ in found.items), codings=codings,
                  item_weights=tuple(weight for _, weight in found.items))


def _load(path: str):
    import questionnaires  # the statistics never import it; only this option of the command line does

    try:
        return questionnaires.load(path)
    except questionnaires.QuestionnaireError as err:
        first = err.problems[0] if err.problems else "refused"
        more = f" (and {len(err.problems) - 1} more problems)" if len(err.problems) > 1 else ""
        raise AnalysisError(f"--questionnaire {path}: {first}{more}") from None


def estimate_target(target: Target, data, design, domain, args, warn: Callable[[str], None]):
    """The estimate (or per-domain estimates) of one target on the design built from ``data``."""
    if target.kind == "mean":
        return mean(target.columns[0], design, domain=domain, level=args.level)
    if target.kind == "proportion":
        y, codes = _coded_answers(target, data, warn)
        return proportion(y, design, codes, domain=domain, ci_method=args.ci_method, level=args.level)
    items = [_coded_item(target, column, coding, data) for column, coding in zip(target.columns, target.codings,
                                                                                strict=True)]
    return composite(items, design, item_weights=list(target.item_weights), kind=target.kind, domain=domain,
                     ci_method=args.ci_method, level=args.level)


def _coded_answers(target: Target, data, warn) -> tuple[np.ndarray, list]:
    """The column and the codes to count; numbers compared as numbers (1 == 1.0), text through its levels."""
    column, values = target.columns[0], target.values
    y = data.array(column)
    if y.dtype.kind in "fiub":
        try:
            codes = [float(v) for v in values]
        except ValueError:
            bad = next(v for v in values if not _is_number(v))
            raise AnalysisError(f"--proportion {target.variable}: column {column!r} holds numbers and {bad!r} is "
                                "not a number") from None
        for value, code in zip(values, codes, strict=True):
            if not (y == code).any():
                warn(f"--proportion {target.variable}: value {value} never occurs in column {column!r} "
                     f"(values from {label(float(np.nanmin(y)))} to {label(float(np.nanmax(y)))})")
        return y, codes
    factor = data.factor(column)
    levels = [str(level) for level in factor.levels]
    for value in values:
        if value not in levels:
            warn(f"--proportion {target.variable}: value {value!r} never occurs in column {column!r}")
    y = np.where(factor.codes >= 0, factor.codes, np.nan)
    return y, [float(i) for i, level in enumerate(levels) if level in values]


def _coded_item(target: Target, column: str, coding, data) -> np.ndarray:
    y = as_numeric(data.array(column), f"--indicator {target.variable}: column {column!r}")
    if isinstance(coding, Mapping):
        return code_score(y, coding)
    if coding is not None:
        return code_rate(y, sorted(coding))
    bad = ~np.isnan(y) & (y != 0) & (y != 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise AnalysisError(f"--indicator {target.variable}: column {column!r} has {label(y[i])} at row {i + 1}; "
                            "without --questionnaire the items must be 0/1 (--questionnaire FILE codes them by "
                            "their positive sets)")
    return y


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def split(spec: str, option: str, form: str) -> tuple[str, str]:
    """``COL=REST`` into its two parts, or an error naming the option and the expected form."""
    column, sep, rest = spec.partition("=")
    if not sep or not column or not rest:
        raise AnalysisError(f"{option}: expected {form}, got {spec!r}")
    return column.strip(), rest
