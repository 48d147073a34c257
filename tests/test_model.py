"""The record model: spans index text exactly, and documents survive a JSON round trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from flashpoint.model import (
    Actor,
    Coder,
    Document,
    Event,
    Location,
    Mention,
    Modality,
    Span,
    Statement,
)

TEXT = (
    'President Alexander Lukashenko said Thursday that Belarus would join "only if attacked". '
    "Warsaw closed the border last week."
)


def span(needle: str) -> Span:
    start = TEXT.index(needle)
    return Span.of(TEXT, start, start + len(needle))


def full_document() -> Document:
    """A document that uses every field of the contract."""
    blr = Actor(code="BLR", sector="GOV", name="Alexander Lukashenko",
                span=span("Alexander Lukashenko"))
    pol = Actor(code="POL", sector="GOV", name="Poland", span=span("Warsaw"))
    statement = Statement(
        id="s1", kind="speech", speaker=span("President Alexander Lukashenko"),
        speaker_actor=blr, cue=span("said"), content=span("Belarus would join"),
        direct=False, function="THREATEN",
        modality=Modality(future=True, condition=span("only if attacked")),
    )
    event = Event(
        id="e1", type="SANCTION", mode="border", contexts=["border"], source=pol, target=None,
        location=Location(name="Warsaw", country="POL", lat=52.23, lon=21.01),
        date=dt.date(2023, 2, 9), date_precision="week",
        modality=Modality(), reported_by=None,
        evidence=span("Warsaw closed the border last week."), confidence=0.8,
    )
    return Document(
        id="a1", url="https://example.org/x", title="T", published=dt.date(2023, 2, 16),
        source="Wire", text=TEXT,
        mentions=[Mention(span=span("Warsaw"), kind="city", actor=pol)],
        statements=[statement], events=[event],
        coder=Coder(name="flashpoint.coder.plover", version="test"),
    )


def test_document_round_trips_through_json() -> None:
    doc = full_document()
    again = Document.from_dict(json.loads(doc.to_json()))
    assert again == doc
    assert again.to_dict() == doc.to_dict()


def test_every_span_of_the_document_indexes_its_text() -> None:
    doc = full_document()
    spans = doc.spans()
    assert len(spans) >= 8
    assert all(s.is_valid_for(doc.text) for s in spans)


def test_to_dict_uses_contract_field_names_and_iso_dates() -> None:
    data = full_document().to_dict()
    assert set(data) == {"id", "url", "title", "published", "source", "text", "mentions",
                         "statements", "events", "coder"}
    assert data["published"] == "2023-02-16"
    event = data["events"][0]
    assert event["date"] == "2023-02-09"
    assert set(event["modality"]) == {"negated", "future", "hypothetical", "condition"}
    assert event["evidence"]["text"] == TEXT[event["evidence"]["start"]:event["evidence"]["end"]]


def test_span_rejects_inconsistent_offsets() -> None:
    with pytest.raises(ValidationError):
        Span(start=5, end=3, text="")
    with pytest.raises(ValidationError):
        Span(start=0, end=4, text="abc")
    with pytest.raises(ValueError):
        Span.of("abc", 1, 9)


def test_records_are_immutable_and_strict() -> None:
    s = Span.of("abc", 0, 1)
    with pytest.raises(ValidationError):
        s.start = 2  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Span.model_validate({"start": 0, "end": 1, "text": "a", "extra": 1})


def test_confidence_must_be_a_probability() -> None:
    data = full_document().to_dict()
    data["events"][0]["confidence"] = 1.5
    with pytest.raises(ValidationError):
        Document.from_dict(data)


@given(st.text(max_size=200), st.data())
def test_span_of_always_indexes_the_text(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    s = Span.of(text, start, end)
    assert s.is_valid_for(text)
    assert Span.from_dict(s.to_dict()) == s
