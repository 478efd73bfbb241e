"""Population margins of a round (step 5 of the weight chain): read, checked as a whole, stored.

File: CSV (UTF-8, BOM allowed) with the header ``scope,variable,category,total``; ``scope`` is a district code or
``*`` (the whole city), ``variable`` an item code of the round's questionnaire with answer codes (S2 age group, S3
sex …), ``category`` one of its answer codes, ``total`` the adult population. Each (scope, variable) pair is one
raking margin over the respondents of that scope. A file is refused as a whole, with every row and reason, when a
scope, variable or category is unknown, a category has no respondent (raking could never meet it), respondents
answered a category the file has no total for, a variable is given both for the city and per district or not for
every district, or the totals of the variables of one scope disagree by more than 0.1%.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, select

import analysis
import questionnaires as qn

from ..errors import MarginsRefused
from ..extensions import db
from ..models import Action, Community, District, Margin, Round, RoundCommunity, Street
from ..models._common import utcnow
from . import audit, versions
from .round_data import read_round

HEADER = ("scope", "variable", "category", "total")
CITY = "*"
TOLERANCE = 0.001  # totals of one scope's variables may differ by 0.1% (rounding in census tables)
MAX_ROWS = 10_000


@dataclass(frozen=True)
class MarginsReport:
    rows: int
    variables: tuple[str, ...]
    scopes: tuple[str, ...]


def load(round_: Round, data: bytes, *, source: str = "margins file") -> MarginsReport:
    """Check ``data`` against the round and replace the round's margins by it (all or nothing)."""
    questionnaire = versions.definition(round_.version) if round_.version else None
    rows, problems = _read(data, source)
    districts = _districts(round_)
    if not problems:
        problems = _check_rows(rows, questionnaire, districts)
    if not problems:
        problems = _check_respondents(round_, rows) + _check_totals(rows, districts)
    if problems:
        raise MarginsRefused(problems)
    db.session.execute(delete(Margin).where(Margin.round_id == round_.id))
    db.session.add_all(Margin(round_id=round_.id, scope=s, variable=v, category=c, total=t) for _, s, v, c, t in rows)
    round_.changed_at = utcnow()
    audit.record(Action.ROUND_CHANGED, detail={"round": round_.code, "margins": len(rows), "source": source})
    db.session.commit()
    return MarginsReport(len(rows), tuple(sorted({r[2] for r in rows})), tuple(sorted({r[1] for r in rows})))


def of_round(round_: Round) -> list[analysis.Margin]:
    """The round's stored margins as :class:`analysis.Margin` (one per scope and variable), totals reconciled
    by :func:`reconcile` so that every raking margin sums to the same population."""
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for m in db.session.scalars(select(Margin).where(Margin.round_id == round_.id).order_by(Margin.id)):
        totals[(m.scope, m.variable)][m.category] = m.total
    return [analysis.Margin(scope, variable, t) for (scope, variable), t in reconcile(totals).items()]


def reconcile(totals: dict[tuple[str, str], dict[str, float]]) -> dict[tuple[str, str], dict[str, float]]:
    """Scale each margin's totals proportionally so that all margins sum to one population.

    Census tables of one population rarely add up to the same total to the person; raking needs them to (R's
    ``rake`` does not converge otherwise). Within each district, the district-scoped variables are scaled to
    their mean total there; then every margin is scaled to the mean population of the variables (city margins:
    their total; district margins: the sum over districts). The file check keeps these changes within 0.1%.
    """
    if not totals:
        return {}
    by_variable: dict[str, dict[str, float]] = defaultdict(dict)
    for (scope, variable), cats in totals.items():
        by_variable[variable][scope] = sum(cats.values())
    district_target: dict[str, list[float]] = defaultdict(list)
    for scopes in by_variable.values():
        for scope, total in scopes.items():
            if scope != CITY:
                district_target[scope].append(total)
    level = {d: float(np.mean(v)) for d, v in district_target.items()}
    population = float(np.mean([sum(level.get(s, t) if s != CITY else t for s, t in scopes.items())
                                for scopes in by_variable.values()]))
    district_sum = sum(level.values())
    out = {}
    for (scope, variable), cats in totals.items():
        target = population if scope == CITY else level[scope] * population / district_sum
        factor = target / sum(cats.values()) if sum(cats.values()) > 0 else 1.0
        out[(scope, variable)] = {c: t * factor for c, t in cats.items()}
    return out


def _read(data: bytes, source: str) -> tuple[list[tuple], list[tuple[int, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return [], [(0, f"{source} is not UTF-8 (byte {err.start + 1}); save it as 'CSV UTF-8'")]
    if "\x00" in text:
        return [], [(0, f"{source} contains a NUL byte; it is not a CSV text file")]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        return [], [(1, f"the header must be {','.join(HEADER)} (got {','.join(header or [])!r})")]
    rows, problems = [], []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(HEADER):
            problems.append((line, f"expected {len(HEADER)} cells, got {len(cells)}"))
            continue
        scope, variable, category, total = (c.strip() for c in cells)
        number = _total(total)
        if number is None:
            problems.append((line, f"total {total!r} is not a number of 0 or more"))
            continue
        rows.append((line, scope, variable, category, number))
        if len(rows) > MAX_ROWS:
            return [], [(line, f"more than {MAX_ROWS} margin rows; a margin file is a few census tables")]
    if not rows and not problems:
        problems.append((0, f"{source} has no margin rows"))
    return rows, problems


def _total(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _districts(round_: Round) -> set[str]:
    query = (select(District.code).join(Street, Street.district_id == District.id)
             .join(Community, Community.street_id == Street.id)
             .join(RoundCommunity, RoundCommunity.community_id == Community.id)
             .where(RoundCommunity.round_id == round_.id).distinct())
    return set(db.session.scalars(query))


def _check_rows(rows, questionnaire: qn.Questionnaire | None, districts: set[str]) -> list[tuple[int, str]]:
    problems, seen = [], {}
    items = {item.code: item for item in questionnaire.items} if questionnaire else {}
    for line, scope, variable, category, _total in rows:
        key = (scope, variable, category)
        if key in seen:
            problems.append((line, f"{scope}/{variable}/{category} is given twice (first on row {seen[key]})"))
            continue
        seen[key] = line
        if scope != CITY and scope not in districts:
            known = ", ".join(sorted(districts)) or "none"
            problems.append((line, f"unknown scope {scope!r}: give '*' or a district of the round ({known})"))
        item = items.get(variable)
        if item is None or not item.choices or item.kind.several:
            problems.append((line, f"unknown variable {variable!r}: give an item of the questionnaire that has one "
                                   "answer code per respondent (S2, S3 …)"))
        elif not category.isdigit() or int(category) not in item.codes:
            codes = ", ".join(map(str, item.codes))
            problems.append((line, f"{variable} has no answer code {category!r} (codes: {codes})"))
    return problems + _check_scopes(rows, districts)


def _check_scopes(rows, districts: set[str]) -> list[tuple[int, str]]:
    scopes: dict[str, dict[str, int]] = defaultdict(dict)
    for line, scope, variable, *_ in rows:
        scopes[variable].setdefault(scope, line)
    problems = []
    for variable, given in scopes.items():
        first = min(given.values())
        if CITY in given and len(given) > 1:
            problems.append((first, f"{variable} is given both for the city ('*') and per district: give one"))
        elif CITY not in given and set(given) != districts:
            missing = ", ".join(sorted(districts - set(given)))
            problems.append((first, f"{variable} is given per district but not for {missing}: give it for every "
                                    "district of the round, or for the city ('*')"))
    return problems


def _check_respondents(round_: Round, rows) -> list[tuple[int, str]]:
    variables = sorted({r[2] for r in rows})
    arrays = read_round(round_, variables)
    respondent = arrays.outcomes() == "I"
    problems = []
    if not respondent.any():
        return [(0, f"round {round_.code} has no complete interview yet; load margins once answers are in")]
    given = {(s, v, c): line for line, s, v, c, total in rows if total > 0}
    present: set[tuple[str, str, str]] = set()
    for variable in variables:
        values = arrays.answers[variable][respondent]
        district = arrays.district[respondent]
        for value, d in zip(values.tolist(), district.tolist(), strict=True):
            if not math.isnan(value):
                category = str(int(value))
                present.add((CITY, variable, category))
                present.add((d, variable, category))
    for (scope, variable, category), line in sorted(given.items(), key=lambda kv: kv[1]):
        if (scope, variable, category) not in present:
            problems.append((line, f"{scope}/{variable}/{category}: no respondent has this category, so raking "
                                   "could never meet its total; merge it with a neighbouring category"))
    scopes_of = {(s, v) for _, s, v, _, _ in rows}
    for scope, variable, category in sorted(present):
        if (scope, variable) in scopes_of and (scope, variable, category) not in given:
            problems.append((0, f"{scope}/{variable}: respondents answered {category}, which has no total"))
    return problems


def _check_totals(rows, districts: set[str]) -> list[tuple[int, str]]:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lines: dict[tuple[str, str], int] = {}
    for line, scope, variable, _category, total in rows:
        sums[scope][variable] += total
        lines.setdefault((scope, variable), line)
    problems = []
    for scope, variables in sorted(sums.items()):
        problems += _disagree(scope, variables, lines)
    city = dict(sums.get(CITY, {}))
    per_district: dict[str, float] = defaultdict(float)
    for scope, variables in sums.items():
        if scope != CITY:
            for variable, total in variables.items():
                per_district[variable] += total
    everything = {**city, **{f"{v} (sum of districts)": t for v, t in per_district.items()}}
    if city and per_district:
        problems += _disagree("the city", everything, {})
    return problems


def _disagree(scope: str, totals: dict[str, float], lines: dict) -> list[tuple[int, str]]:
    if len(totals) < 2:
        return []
    low, high = min(totals.values()), max(totals.values())
    if high == 0 or (high - low) / high <= TOLERANCE:
        return []
    listed = ", ".join(f"{v} {t:g}" for v, t in sorted(totals.items()))
    line = min((lines.get((scope, v), 0) for v in totals), default=0)
    return [(line, f"the totals of {scope} disagree by more than {TOLERANCE:.1%}: {listed}")]


def stored(round_: Round) -> list[Margin]:
    """The round's margins as stored (scope, variable, category order)."""
    return list(db.session.scalars(select(Margin).where(Margin.round_id == round_.id)
                                   .order_by(Margin.scope, Margin.variable, Margin.category)))
