"""Flatten a Document's mentions, statements and events into table rows, and back.

The tables keep every span, actor and modality as plain columns (see `schema.py`), so
this module is the single place that knows the mapping. Reading must give back exactly
the records that were written: `tests/test_store.py` round-trips a Document that uses
every field, and a hypothesis test round-trips generated ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flashpoint.model import Actor, Event, Mention, Modality, Span, Statement

Row = Mapping[Any, Any]  # a SQLAlchemy RowMapping, or any dict of column values


def span_values(prefix: str, span: Span | None) -> dict[str, Any]:
    if span is None:
        return {f"{prefix}_start": None, f"{prefix}_end": None, f"{prefix}_text": None}
    return {f"{prefix}_start": span.start, f"{prefix}_end": span.end, f"{prefix}_text": span.text}


def span_json(row: Row, prefix: str) -> dict[str, Any] | None:
    start = row[f"{prefix}_start"]
    if start is None:
        return None
    return {"start": start, "end": row[f"{prefix}_end"], "text": row[f"{prefix}_text"]}


def read_span(row: Row, prefix: str) -> Span | None:
    data = span_json(row, prefix)
    return None if data is None else Span.model_validate(data)


def _required_span(row: Row, prefix: str) -> dict[str, Any]:
    span = span_json(row, prefix)
    if span is None:  # the column is NOT NULL; this guards hand-edited databases
        raise ValueError(f"row has no {prefix} span")
    return span


def actor_values(prefix: str, actor: Actor | None) -> dict[str, Any]:
    values = {
        f"{prefix}_code": actor.code if actor else None,
        f"{prefix}_sector": actor.sector if actor else None,
        f"{prefix}_name": actor.name if actor else None,
    }
    values.update(span_values(prefix, actor.span if actor else None))
    return values


def actor_json(row: Row, prefix: str) -> dict[str, Any] | None:
    code = row[f"{prefix}_code"]
    if code is None:
        return None
    return {"code": code, "sector": row[f"{prefix}_sector"], "name": row[f"{prefix}_name"],
            "span": span_json(row, prefix)}


def read_actor(row: Row, prefix: str) -> Actor | None:
    data = actor_json(row, prefix)
    return None if data is None else Actor.model_validate(data)


def modality_values(modality: Modality) -> dict[str, Any]:
    return {
        "negated": modality.negated,
        "future": modality.future,
        "hypothetical": modality.hypothetical,
        **span_values("condition", modality.condition),
    }


def modality_json(row: Row) -> dict[str, Any]:
    return {"negated": bool(row["negated"]), "future": bool(row["future"]),
            "hypothetical": bool(row["hypothetical"]),
            "condition": span_json(row, "condition")}


def read_modality(row: Row) -> Modality:
    return Modality.model_validate(modality_json(row))


def mention_row(mention: Mention) -> dict[str, Any]:
    return {
        "kind": mention.kind,
        **span_values("span", mention.span),
        **actor_values("actor", mention.actor),
    }


def read_mention(row: Row) -> Mention:
    return Mention.model_validate({"span": _required_span(row, "span"), "kind": row["kind"],
                                   "actor": actor_json(row, "actor")})


def statement_row(statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.id,
        "kind": statement.kind,
        "direct": statement.direct,
        "function": statement.function,
        **span_values("speaker", statement.speaker),
        **actor_values("speaker_actor", statement.speaker_actor),
        **span_values("cue", statement.cue),
        **span_values("content", statement.content),
        **modality_values(statement.modality),
    }


def statement_json(row: Row) -> dict[str, Any]:
    """The statement of `row` in its JSON form (`Statement.to_dict()`), built straight from
    the columns: list endpoints return pages of these, and a round trip through the
    validated record costs more than the query (`read_statement` validates this)."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "speaker": span_json(row, "speaker"),
        "speaker_actor": actor_json(row, "speaker_actor"),
        "cue": span_json(row, "cue"),
        "content": _required_span(row, "content"),
        "direct": bool(row["direct"]),
        "function": row["function"],
        "modality": modality_json(row),
    }


def read_statement(row: Row) -> Statement:
    return Statement.model_validate(statement_json(row))


def event_row(event: Event) -> dict[str, Any]:
    location = event.location
    return {
        "id": event.id,
        "type": event.type,
        "mode": event.mode,
        "contexts": json.dumps(event.contexts, ensure_ascii=False),
        **actor_values("source", event.source),
        **actor_values("target", event.target),
        "location_name": location.name if location else None,
        "location_country": location.country if location else None,
        "location_lat": location.lat if location else None,
        "location_lon": location.lon if location else None,
        "date": event.date,
        "date_precision": event.date_precision,
        **modality_values(event.modality),
        "reported_by": event.reported_by,
        **span_values("evidence", event.evidence),
        "confidence": event.confidence,
    }


def event_json(row: Row) -> dict[str, Any]:
    """The event of `row` in its JSON form (`Event.to_dict()`), built straight from the
    columns, for the same reason as `statement_json`; `read_event` validates this."""
    source = actor_json(row, "source")
    if source is None:  # NOT NULL column; guards hand-edited databases
        raise ValueError(f"event {row['id']!r} has no source actor")
    location = None
    if row["location_name"] is not None:
        location = {"name": row["location_name"], "country": row["location_country"],
                    "lat": row["location_lat"], "lon": row["location_lon"]}
    date = row["date"]
    return {
        "id": row["id"],
        "type": row["type"],
        "mode": row["mode"],
        "contexts": json.loads(row["contexts"]),
        "source": source,
        "target": actor_json(row, "target"),
        "location": location,
        "date": date.isoformat() if date is not None else None,
        "date_precision": row["date_precision"],
        "modality": modality_json(row),
        "reported_by": row["reported_by"],
        "evidence": _required_span(row, "evidence"),
        "confidence": row["confidence"],
    }


def read_event(row: Row) -> Event:
    return Event.model_validate(event_json(row))
