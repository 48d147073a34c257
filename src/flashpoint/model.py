"""The records every flashpoint stage exchanges, and the public JSON contract.

These types are the contract of DESIGN.md ("What it produces"): a `Document` is what
`flashpoint.extract()` returns and what `to_dict()` turns into JSON. Every extracted field
carries a `Span` with character offsets into `Document.text`, so a user can check any row
against the words it came from.

The records are frozen pydantic models: stages build new records rather than mutating
shared ones, the same classes validate JSON coming back in (`Document.from_dict`), and
FastAPI can reuse them for its OpenAPI schema. This module imports nothing of flashpoint.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MentionKind = Literal["person", "org", "country", "city", "group", "other"]
StatementKind = Literal["speech", "belief", "intention"]
DatePrecision = Literal["day", "week", "month", "year"]
FailureSeverity = Literal["error", "warning"]


class Record(BaseModel):
    """Base of every record: immutable, strict about unknown fields, JSON round-trip."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form of this record (dates as ISO strings)."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        """Validate `data` (as produced by `to_dict`) back into a record."""
        return cls.model_validate(data)


class Span(Record):
    """Characters `text[start:end]` of the document; `text` repeats them for readers."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} precedes start {self.start}")
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"span {self.start}:{self.end} has length {self.end - self.start} "
                f"but its text has {len(self.text)} characters"
            )
        return self

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span of `text[start:end]`: the one way stages should build spans."""
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"span {start}:{end} is outside a text of length {len(text)}")
        return cls(start=start, end=end, text=text[start:end])

    def is_valid_for(self, text: str) -> bool:
        """True when this span indexes `text` exactly."""
        return text[self.start : self.end] == self.text


class Actor(Record):
    """Who acts: a PLOVER/CAMEO-style code (ISO3 country or IGO/NGO/...) plus a sector."""

    code: str
    sector: str | None = None
    name: str
    span: Span | None = None


class Mention(Record):
    """A stretch of text naming an entity, with what it resolved to (if anything)."""

    span: Span
    kind: MentionKind
    actor: Actor | None = None


class Modality(Record):
    """Whether an event or statement happened, is denied, planned, imagined or conditional."""

    negated: bool = False
    future: bool = False
    hypothetical: bool = False
    condition: Span | None = None


class Statement(Record):
    """An attributed quote, reported speech, belief or intention."""

    id: str
    kind: StatementKind = "speech"
    speaker: Span | None = None
    speaker_actor: Actor | None = None
    cue: Span | None = None
    content: Span
    direct: bool
    function: str | None = None
    modality: Modality = Field(default_factory=Modality)


class Location(Record):
    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None


class Event(Record):
    """One PLOVER event, each field traceable to the clause it came from."""

    id: str
    type: str
    mode: str | None = None
    contexts: list[str] = Field(default_factory=list)
    source: Actor
    target: Actor | None = None
    location: Location | None = None
    date: dt.date | None = None
    date_precision: DatePrecision | None = None
    modality: Modality = Field(default_factory=Modality)
    reported_by: str | None = None
    evidence: Span
    confidence: float = Field(ge=0.0, le=1.0)


class Coder(Record):
    """Which coder produced a document; stored codings are keyed by (article, version)."""

    name: str
    version: str


class ArticleFields(Record):
    """What an article and its document share: identity, metadata and the body."""

    id: str
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    text: str


class Article(ArticleFields):
    """One news article as ingested, before any extraction.

    `text` is the normalised body: extraction offsets index it exactly.
    """

    origin: str | None = Field(
        default=None, description="where the article was read from (path, path:line, URL)"
    )


class Document(ArticleFields):
    """An article with everything flashpoint extracted from it."""

    mentions: list[Mention] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    coder: Coder

    def spans(self) -> list[Span]:
        """Every span in the document, for checks that they index `text`."""
        found: list[Span] = []

        def walk(value: Any) -> None:
            if isinstance(value, Span):
                found.append(value)
            elif isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(getattr(value, name))
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        for name in ("mentions", "statements", "events"):
            walk(getattr(self, name))
        return found


class Failure(Record):
    """One input item that could not be (fully) processed, and why.

    Failures are data, not exceptions: a batch records them and carries on.
    """

    origin: str
    stage: str
    kind: str
    message: str
    severity: FailureSeverity = "error"
