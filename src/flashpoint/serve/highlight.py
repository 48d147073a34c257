"""Cut an article's text into segments, each knowing which extractions cover it.

The article view shows the text once, with every extraction's evidence, speaker, cue,
quote and condition marked, even where they overlap (a condition inside an event's
evidence inside a quote). Cutting the text at every span boundary gives segments whose
covering set is constant; the template renders each as an autoescaped `<span>` whose
classes say what covers it, and `data-ann` lists the annotation keys whose codings the
page shows on hover or click. The text itself is never treated as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flashpoint.model import Document, Event, Modality, Span, Statement
from flashpoint.serve.ontology import quad_label, quad_slug


@dataclass(frozen=True)
class Mark:
    """One marked span: `key` names its annotation (e0, s3), `role` what part it is."""

    start: int
    end: int
    key: str
    role: str  # evidence, condition, speaker, cue, content


@dataclass(frozen=True)
class Segment:
    text: str
    classes: tuple[str, ...]
    keys: tuple[str, ...]


def modality_names(modality: Modality) -> list[str]:
    """The ways something did not (simply) happen: negated, future, hypothetical,
    conditional; empty for a plain past or present fact."""
    names = [name for name in ("negated", "future", "hypothetical")
             if getattr(modality, name)]
    if modality.condition is not None:
        names.append("conditional")
    return names


def _span(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"start": span.start, "end": span.end, "text": span.text}


def event_note(event: Event) -> dict[str, Any]:
    """What the page shows for an event: its coding, in display form."""
    return {
        "kind": "event", "id": event.id, "type": event.type, "mode": event.mode,
        "quad": quad_label(event.type), "contexts": event.contexts,
        "source": event.source.to_dict(), "target": event.target.to_dict()
        if event.target else None,
        "date": event.date.isoformat() if event.date else None,
        "date_precision": event.date_precision,
        "location": event.location.to_dict() if event.location else None,
        "modality": modality_names(event.modality),
        "condition": _span(event.modality.condition), "evidence": _span(event.evidence),
        "reported_by": event.reported_by, "confidence": event.confidence,
    }


def statement_note(statement: Statement) -> dict[str, Any]:
    return {
        "kind": "statement", "id": statement.id, "statement_kind": statement.kind,
        "function": statement.function, "direct": statement.direct,
        "speaker": _span(statement.speaker),
        "speaker_actor": statement.speaker_actor.to_dict() if statement.speaker_actor
        else None,
        "cue": _span(statement.cue), "content": _span(statement.content),
        "modality": modality_names(statement.modality),
        "condition": _span(statement.modality.condition),
    }


def annotate(doc: Document) -> tuple[list[Mark], dict[str, dict[str, Any]]]:
    """Every mark of the document and the note (coding) behind each annotation key."""
    marks: list[Mark] = []
    notes: dict[str, dict[str, Any]] = {}
    for i, statement in enumerate(doc.statements):
        key = f"s{i}"
        notes[key] = statement_note(statement)
        marks.append(Mark(statement.content.start, statement.content.end, key, "content"))
        for role, span in (("speaker", statement.speaker), ("cue", statement.cue),
                           ("condition", statement.modality.condition)):
            if span is not None:
                marks.append(Mark(span.start, span.end, key, role))
    for i, event in enumerate(doc.events):
        key = f"e{i}"
        notes[key] = event_note(event)
        marks.append(Mark(event.evidence.start, event.evidence.end, key, "evidence"))
        if event.modality.condition is not None:
            condition = event.modality.condition
            marks.append(Mark(condition.start, condition.end, key, "condition"))
    return [m for m in marks if m.end > m.start], notes


def segments(text: str, marks: list[Mark], notes: dict[str, dict[str, Any]]) -> list[Segment]:
    """The text cut at every mark boundary; each segment carries CSS classes and keys."""
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    cuts = [c for c in cuts if 0 <= c <= len(text)]
    out: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [m for m in marks if m.start <= start and end <= m.end]
        classes: set[str] = set()
        for mark in covering:
            note = notes[mark.key]
            classes.add(f"m-{mark.role}")
            if mark.role == "evidence":
                classes.add("q-" + quad_slug(note.get("quad")))
                classes.update(f"x-{name}" for name in note["modality"])
                if not note["modality"]:
                    classes.add("x-factual")
            if note["kind"] == "statement" and note.get("function") in {"THREATEN", "AGREE"}:
                classes.add("f-" + str(note["function"]).lower())
        keys = tuple(dict.fromkeys(m.key for m in covering))
        out.append(Segment(text[start:end], tuple(sorted(classes)), keys))
    return out
