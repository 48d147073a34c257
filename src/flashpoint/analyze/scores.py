"""PLOVER quad classes and conflict–cooperation scores, as Python lookups and SQL expressions.

Series, exports and reports all need "how cooperative or conflictual is this event": the
PLOVER codebook gives a quad class per event type (1 verbal cooperation, 2 material
cooperation, 3 verbal conflict, 4 material conflict) and a -10..+10 score per type and per
type:mode, meant to line up with CAMEO Goldstein scores. The numbers come from the one
ontology (`flashpoint.extract.ontology`); this module only makes them usable in queries.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from flashpoint.extract.ontology import ontology

QUAD_NAMES: dict[int, str] = {
    1: "verbal cooperation", 2: "material cooperation",
    3: "verbal conflict", 4: "material conflict",
}


@lru_cache(maxsize=1)
def score_table() -> dict[str, float]:
    """{"TYPE": score, "TYPE:mode": score for every scored mode}."""
    plover = ontology()
    table: dict[str, float] = {}
    for name in plover.types:
        event_type = plover.event_type(name)
        table[name] = event_type.score
        for mode in event_type.modes:
            if mode.score is not None:
                table[f"{name}:{mode.name}"] = mode.score
    return table


@lru_cache(maxsize=1)
def quad_table() -> dict[str, int]:
    """{"TYPE": quad code 1..4}."""
    plover = ontology()
    return {name: int(plover.quad_class(name)) for name in plover.types}


def score(event_type: str, mode: str | None = None) -> float | None:
    """The PLOVER score of a type (and mode); the type's score for an unscored mode;
    None for a type that is not one of the 16 PLOVER types."""
    table = score_table()
    if mode is not None and f"{event_type}:{mode}" in table:
        return table[f"{event_type}:{mode}"]
    return table.get(event_type)


def quad_code(event_type: str) -> int | None:
    """1..4 for a PLOVER type, None for anything else."""
    return quad_table().get(event_type)


def score_sql(type_col: sa.ColumnElement[Any], mode_col: sa.ColumnElement[Any]
              ) -> sa.ColumnElement[float]:
    """A SQL expression computing `score(type, mode)` for each row (NULL when unknown).

    A CASE over the table with bound values, so aggregation stays in the database and a
    series over millions of events never leaves it.
    """
    table = score_table()
    whens: list[tuple[sa.ColumnElement[bool], float]] = []
    for key, value in table.items():
        if ":" in key:
            type_, mode = key.split(":", 1)
            whens.append((sa.and_(type_col == type_, mode_col == mode), value))
    whens += [(type_col == key, value) for key, value in table.items() if ":" not in key]
    return sa.cast(sa.case(*whens, else_=sa.null()), sa.Float)


def quad_sql(type_col: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """A SQL expression computing `quad_code(type)` (NULL for unknown types)."""
    return sa.cast(sa.case(quad_table(), value=type_col, else_=sa.null()), sa.Integer)
