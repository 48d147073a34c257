"""A stored event, turned into a PLOVER record: the shape of JSONL exports and API downloads.

PLOVER's gold-standard records name their fields `id`, `date`, `source` and `target`
(lists of `{actorText, code, sector}`), `event`, `mode`, `context`, `eventText` and `text`
(the sentence), plus provenance (`publication`, `coder`, `version`, `dateCoded`,
`language`). flashpoint writes those, then what PLOVER foresees but no public coder fills:
modality (`negated`, `future`, `hypothetical`, `condition`), character offsets for the
evidence and the condition (`textInfo`), the article (`articleId`, `url`, `title`),
`confidence`, `quadCode` and `eventScale` (the PLOVER score), and the story's source count.

`FLAT_FIELDS` is the same record as one flat row with fixed, typed columns: CSV and
Parquet use it, so every export has the same columns in the same order whatever the data.
docs/analysis.md has the field table.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flashpoint.analyze import scores
from flashpoint.model import Actor, Document, Event, Span
from flashpoint.store import codec

LANGUAGE = "en"
FlatType = Literal["str", "int", "float", "bool", "date"]

# (column, type) of the flat form, in output order.
FLAT_FIELDS: tuple[tuple[str, FlatType], ...] = (
    ("id", "str"), ("date", "date"), ("date_precision", "str"),
    ("source_code", "str"), ("source_sector", "str"), ("source_name", "str"),
    ("source_text", "str"),
    ("target_code", "str"), ("target_sector", "str"), ("target_name", "str"),
    ("target_text", "str"),
    ("event", "str"), ("mode", "str"), ("context", "str"),
    ("quad_code", "int"), ("event_scale", "float"),
    ("negated", "bool"), ("future", "bool"), ("hypothetical", "bool"),
    ("condition", "str"), ("condition_start", "int"), ("condition_end", "int"),
    ("event_text", "str"), ("evidence_start", "int"), ("evidence_end", "int"),
    ("text", "str"),
    ("location_name", "str"), ("location_country", "str"),
    ("location_lat", "float"), ("location_lon", "float"),
    ("reported_by", "str"), ("confidence", "float"),
    ("article_id", "str"), ("url", "str"), ("title", "str"), ("published", "date"),
    ("publication", "str"), ("story_id", "int"), ("sources", "int"),
    ("coder", "str"), ("version", "str"),
)
FLAT_NAMES = tuple(name for name, _ in FLAT_FIELDS)
CONTEXT_SEPARATOR = ";"
MAX_SENTENCE = 1500  # characters looked back for the start of an event's sentence

# Where a sentence ends: terminal punctuation, optional closing quotes/brackets, then
# whitespace; or a blank line. Hand-written rather than spaCy because exports must not
# load an NLP model, and only the sentence *around* a known span is needed.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+|\n\s*\n")


@dataclass(frozen=True)
class ArticleContext:
    """What a record needs from the event's article and coding, besides the event."""

    article_id: str
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    publication: str | None = None
    coder: str | None = None
    version: str | None = None
    coded_at: dt.datetime | None = None
    story_id: int | None = None
    sources: int = 1
    text: str | None = None

    @classmethod
    def of_document(cls, doc: Document) -> ArticleContext:
        return cls(article_id=doc.id, url=doc.url, title=doc.title, published=doc.published,
                   publication=doc.source, coder=doc.coder.name, version=doc.coder.version,
                   text=doc.text)


def sentence_around(text: str, start: int, end: int) -> Span:
    """The sentence(s) of `text` containing `text[start:end]` (PLOVER's `text` field)."""
    # Look back at most MAX_SENTENCE characters: scanning from the top of a long article
    # for every event made exports quadratic in article length.
    begin = max(0, start - MAX_SENTENCE)
    for match in _SENTENCE_END.finditer(text, begin, start):
        begin = match.end()
    after = _SENTENCE_END.search(text, max(end, begin))
    if after is None:
        finish = len(text.rstrip())
    elif after.group().startswith("\n"):
        finish = after.start()
    else:  # keep the full stop and any closing quote
        finish = after.start() + len(after.group().rstrip())
    finish = max(finish, end)
    while begin < start and text[begin].isspace():
        begin += 1
    return Span.of(text, begin, min(finish, len(text)))


def _actor(actor: Actor | None) -> list[dict[str, Any]]:
    if actor is None:
        return []
    return [{"actorText": actor.span.text if actor.span else actor.name,
             "code": actor.code, "sector": actor.sector, "name": actor.name}]


def _span(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"start": span.start, "end": span.end, "text": span.text}


def plover_record(event: Event, context: ArticleContext) -> dict[str, Any]:
    """The PLOVER record (JSON-ready dict) of one event of one article."""
    sentence = (sentence_around(context.text, event.evidence.start, event.evidence.end)
                if context.text is not None else None)
    day = event.date or context.published
    location = event.location
    return {
        "id": event.id,
        "date": day.isoformat() if day else None,
        "datePrecision": event.date_precision if event.date else (
            "day" if context.published else None),
        "source": _actor(event.source),
        "target": _actor(event.target),
        "event": event.type,
        "mode": event.mode,
        "context": list(event.contexts),
        "quadCode": scores.quad_code(event.type),
        "eventScale": scores.score(event.type, event.mode),
        "eventText": event.evidence.text,
        "text": sentence.text if sentence else None,
        "textInfo": {
            "start": event.evidence.start, "end": event.evidence.end,
            "sentenceStart": sentence.start if sentence else None,
            "sentenceEnd": sentence.end if sentence else None,
        },
        "negated": event.modality.negated,
        "future": event.modality.future,
        "hypothetical": event.modality.hypothetical,
        "condition": _span(event.modality.condition),
        "eventLoc": None if location is None else {
            "name": location.name, "country": location.country,
            "lat": location.lat, "lon": location.lon,
        },
        "reportedBy": event.reported_by,
        "confidence": event.confidence,
        "articleId": context.article_id,
        "url": context.url,
        "title": context.title,
        "published": context.published.isoformat() if context.published else None,
        "publication": context.publication,
        "storyId": context.story_id,
        "sources": context.sources,
        "language": LANGUAGE,
        "coder": context.coder,
        "version": context.version,
        "dateCoded": context.coded_at.date().isoformat() if context.coded_at else None,
    }


def document_records(doc: Document) -> list[dict[str, Any]]:
    """Every event of a Document as PLOVER records (no store needed)."""
    context = ArticleContext.of_document(doc)
    return [plover_record(event, context) for event in doc.events]


def context_of_row(row: codec.Row) -> ArticleContext:
    """The ArticleContext of a row of `filters.filtered_events` (+ optional `article_text`)."""
    return ArticleContext(
        article_id=row["article_id"], url=row["url"], title=row["title"],
        published=row["published"], publication=row["publication"],
        coder=row["coder_name"], version=row["coder_version"], coded_at=row["coded_at"],
        story_id=row["story_id"], sources=int(row["sources"] or 1),
        text=row.get("article_text"),
    )


def record_of_row(row: codec.Row) -> dict[str, Any]:
    """The PLOVER record of a row of `filters.filtered_events`."""
    return plover_record(codec.read_event(row), context_of_row(row))


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """A PLOVER record as one flat row with the `FLAT_FIELDS` columns (dates as
    `datetime.date`, context joined by ';', None when there is none)."""
    source = record["source"][0] if record["source"] else {}
    target = record["target"][0] if record["target"] else {}
    condition = record["condition"] or {}
    location = record["eventLoc"] or {}
    info = record["textInfo"]
    return {
        "id": record["id"], "date": _day(record["date"]),
        "date_precision": record["datePrecision"],
        "source_code": source.get("code"), "source_sector": source.get("sector"),
        "source_name": source.get("name"), "source_text": source.get("actorText"),
        "target_code": target.get("code"), "target_sector": target.get("sector"),
        "target_name": target.get("name"), "target_text": target.get("actorText"),
        "event": record["event"], "mode": record["mode"],
        "context": CONTEXT_SEPARATOR.join(record["context"]) or None,
        "quad_code": record["quadCode"], "event_scale": record["eventScale"],
        "negated": record["negated"], "future": record["future"],
        "hypothetical": record["hypothetical"],
        "condition": condition.get("text"), "condition_start": condition.get("start"),
        "condition_end": condition.get("end"),
        "event_text": record["eventText"], "evidence_start": info["start"],
        "evidence_end": info["end"], "text": record["text"],
        "location_name": location.get("name"), "location_country": location.get("country"),
        "location_lat": location.get("lat"), "location_lon": location.get("lon"),
        "reported_by": record["reportedBy"], "confidence": record["confidence"],
        "article_id": record["articleId"], "url": record["url"], "title": record["title"],
        "published": _day(record["published"]), "publication": record["publication"],
        "story_id": record["storyId"], "sources": record["sources"],
        "coder": record["coder"], "version": record["version"],
    }


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def to_json_line(record: Mapping[str, Any]) -> str:
    """One JSONL line (no trailing newline); non-ASCII kept as is."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
