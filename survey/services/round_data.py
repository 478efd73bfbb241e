"""The one place in ``survey/`` that turns a round's rows into arrays for ``analysis/``.

:func:`read_round` reads, for every released sampled household of a round, its geography, building and unit,
selection probability, response (if any) with its status, and the answers to the items asked for, in two
streaming queries, and returns them as numpy columns aligned row by row (households in (community, building,
unit) order, so every run sees them alike). The variance design of each design (strata, PSU, fpc) is declared
here once, from the design page's table.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Answer, Community, District, Household, Response, Round, SampledHousehold, Street
from .outcomes import RESPONSE_OUTCOMES


@dataclass(frozen=True, eq=False)
class RoundArrays:
    """Columns of a round's released sample, one row per sampled household (numpy arrays, same length)."""

    round: Round
    sample_id: np.ndarray  # sampled_household.id
    community: np.ndarray  # community codes (text)
    street: np.ndarray
    district: np.ndarray
    building: np.ndarray
    unit: np.ndarray
    probability: np.ndarray  # pi of the released sample
    building_probability: np.ndarray
    community_households: np.ndarray  # N_c of the household's community, at the draw
    community_buildings: np.ndarray  # B_c
    response_id: np.ndarray  # response.public_id, '' without a response
    status: np.ndarray  # the response's status, '' without a response
    answers: dict[str, np.ndarray] = field(default_factory=dict)  # item -> numbers (NaN: no answer)

    def __len__(self) -> int:
        return int(self.sample_id.shape[0])

    def outcomes(self) -> np.ndarray:
        """Each household's AAPOR outcome, as :func:`survey.services.outcomes.outcome_of` derives it."""
        from .outcomes import outcome_of

        by_status = {status: outcome_of(status or None) for status in ("", *RESPONSE_OUTCOMES)}
        return np.array([by_status[s] for s in self.status.tolist()], dtype="<U2")

    def design_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(stratum, PSU, fpc) of the variance design of the round's sample design (rounds-and-weights.md):
        take-all and srs: strata = community, PSU = household, fpc = N_c; two-stage: PSU = building,
        fpc = B_c (first stage only, as R)."""
        if self.round.design == "two-stage":
            psu = np.char.add(np.char.add(self.community.astype(str), "/"), self.building.astype(str))
            return self.community, psu, self.community_buildings.astype(float)
        return self.community, self.sample_id.astype(str), self.community_households.astype(float)


_COLUMNS = ("sample_id", "community_id", "building", "unit", "probability", "building_probability",
            "response_id", "status")


def read_round(round_: Round, items: Sequence[str] = (), *, ordered: bool = False) -> RoundArrays:
    """Every released sampled household of ``round_`` with the numeric answers to ``items``.

    One lean query reads the households (each item's answer joined by its unique key); the geography of the
    round's communities (a few hundred rows) is read apart and spread by numpy. On PostgreSQL the households
    come as one ``COPY ... TO STDOUT`` read by pyarrow's CSV reader. Rows are in sample order, or in
    (community, building, unit) order with ``ordered`` (for files people read)."""
    items = list(dict.fromkeys(items))
    query = _query(round_, items)
    columns = _copy_columns(query, items) if _postgresql() else _fetch_columns(query, items)
    geo = _geography(round_)
    if ordered:
        columns = _sorted(columns, geo)
    ids = np.array(sorted(geo), dtype=np.int64)
    where = np.searchsorted(ids, columns["community_id"].astype(np.int64))
    table = [geo[i] for i in ids.tolist()]
    pick = {name: np.array([row[k] for row in table], dtype=kind)[where] if len(table) else np.array([], kind)
            for k, (name, kind) in enumerate((("community", str), ("street", str), ("district", str),
                                               ("community_households", np.int64),
                                               ("community_buildings", np.int64)))}
    return RoundArrays(
        round=round_, sample_id=columns["sample_id"].astype(np.int64),
        community=pick["community"], street=pick["street"], district=pick["district"],
        building=columns["building"].astype(str), unit=columns["unit"].astype(str),
        probability=columns["probability"].astype(float),
        building_probability=columns["building_probability"].astype(float),
        community_households=pick["community_households"], community_buildings=pick["community_buildings"],
        response_id=columns["response_id"].astype(object), status=columns["status"].astype(object),
        answers={item: columns[f"a_{i}"] for i, item in enumerate(items)},
    )


def _geography(round_: Round) -> dict[int, tuple]:
    """community id -> (community code, street code, district code, N_c, B_c) of the round's communities."""
    from ..models import RoundCommunity

    query = (select(Community.id, Community.code, Street.code, District.code, RoundCommunity.households,
                    RoundCommunity.buildings)
             .join(Street, Street.id == Community.street_id).join(District, District.id == Street.district_id)
             .join(RoundCommunity, RoundCommunity.community_id == Community.id)
             .where(RoundCommunity.round_id == round_.id))
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def _sorted(columns: dict[str, np.ndarray], geo: dict[int, tuple]) -> dict[str, np.ndarray]:
    codes = [geo[c][0] for c in columns["community_id"].tolist()]
    keys = list(zip(codes, columns["building"].tolist(), columns["unit"].tolist(), strict=True))
    order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    return {name: values[order] for name, values in columns.items()}


def _query(round_: Round, items: Sequence[str]):
    response = and_(Response.round_id == SampledHousehold.round_id,
                    Response.household_id == SampledHousehold.household_id)
    answers = [aliased(Answer, name=f"a_{i}") for i in range(len(items))]
    query = (
        select(SampledHousehold.id, Household.community_id, Household.building, Household.unit,
               SampledHousehold.probability, SampledHousehold.building_probability, Response.public_id,
               Response.status, *(a.value for a in answers))
        .join(Household, Household.id == SampledHousehold.household_id)
        .outerjoin(Response, response)
    )
    for item, alias in zip(items, answers, strict=True):
        query = query.outerjoin(alias, and_(alias.response_id == Response.id, alias.item == item))
    return query.where(SampledHousehold.round_id == round_.id, SampledHousehold.released.is_(True))


def _fetch_columns(query, items: Sequence[str]) -> dict[str, np.ndarray]:
    names = [*_COLUMNS, *(f"a_{i}" for i in range(len(items)))]
    rows = db.session.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    out = {}
    for name, values in zip(names, columns, strict=True):
        if name.startswith("a_"):
            out[name] = np.array([_number(v) for v in values], dtype=float)
        elif name in ("response_id", "status"):
            out[name] = np.array(["" if v is None else v for v in values], dtype=object)
        elif name == "probability":
            out[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
        else:
            out[name] = np.array(values, dtype=object if name in ("building", "unit") else None)
    return out


def _copy_columns(query, items: Sequence[str]) -> dict[str, np.ndarray]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [*_COLUMNS, *(f"a_{i}" for i in range(len(items)))]
    sql = str(query.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    buffer = io.BytesIO()
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    types = {name: pa.string() for name in names}
    types.update(sample_id=pa.int64(), community_id=pa.int64(), probability=pa.float64(),
                 building_probability=pa.float64())
    table = pacsv.read_csv(
        io.BytesIO(buffer.getvalue()), read_options=pacsv.ReadOptions(column_names=names),
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True,
                                             quoted_strings_can_be_null=False))
    out = {}
    for name in names:
        column = table.column(name)
        if name.startswith("a_"):
            out[name] = _numbers(column)
        elif name in ("response_id", "status"):
            out[name] = column.fill_null("").to_numpy(zero_copy_only=False)
        else:
            out[name] = column.to_numpy(zero_copy_only=False)
    return out


def _numbers(column) -> np.ndarray:
    """Answer cells as numbers: NaN where absent or not a number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return np.array([_number(v) for v in column.to_pylist()], dtype=float)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _number(cell: str | None) -> float:
    if cell is None:
        return np.nan
    try:
        return float(cell)
    except ValueError:
        return np.nan
