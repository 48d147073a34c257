"""The small records the store returns besides the model's own (Article, Document).

They are frozen dataclasses rather than model records because they describe the store
(when a row was ingested, which run wrote it), not the news: they never travel through
the pipeline, and the CLI and REST API format them directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, Literal

from flashpoint.model import Failure, FailureSeverity

AddStatus = Literal["stored", "duplicate"]
RunStatus = Literal["running", "done", "failed", "interrupted"]
RUN_STATUSES: frozenset[str] = frozenset({"running", "done", "failed", "interrupted"})


class _Row:
    """`to_dict()` for the row dataclasses: JSON-ready, dates and times as ISO strings."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _json_value(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


@dataclass(frozen=True)
class AddResult(_Row):
    """What `Store.add_articles` did with one article.

    `duplicate_of` is the id of the stored article this one repeats: the same id when it
    was already stored under it, another id when only the normalised text matched.
    """

    article_id: str
    status: AddStatus
    duplicate_of: str | None = None


@dataclass(frozen=True)
class ArticleRow(_Row):
    """One line of an article listing or search result (no body, just a snippet)."""

    id: str
    title: str | None
    url: str | None
    published: dt.date | None
    source: str | None
    ingested_at: dt.datetime
    chars: int
    snippet: str
    rank: float | None = None  # search relevance, higher is better; None when not searching


@dataclass(frozen=True)
class FailureRow(_Row):
    """A recorded failure with where and when it was recorded."""

    id: int
    run_id: int | None
    origin: str
    stage: str
    kind: str
    message: str
    severity: FailureSeverity
    created_at: dt.datetime

    def to_failure(self) -> Failure:
        return Failure(
            origin=self.origin, stage=self.stage, kind=self.kind,
            message=self.message, severity=self.severity,
        )


@dataclass(frozen=True)
class RunSummary(_Row):
    """One ingest (or other) run: what was asked and what came of it."""

    id: int
    command: str
    inputs: list[str]
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    stored: int
    duplicates: int
    failed: int

    @property
    def seconds(self) -> float | None:
        """Wall-clock duration, once finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
