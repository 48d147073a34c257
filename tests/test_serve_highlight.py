"""Cutting an article into marked segments for the article view (no server needed)."""

from __future__ import annotations

from flashpoint.serve.highlight import annotate, segments
from serve_data import belarus_doc, hostile_doc


def test_segments_cover_the_text_exactly_once() -> None:
    for doc in (belarus_doc(), hostile_doc()):
        marks, notes = annotate(doc)
        cut = segments(doc.text, marks, notes)
        assert "".join(s.text for s in cut) == doc.text
        assert all(s.text for s in cut)


def test_overlapping_marks_keep_every_annotation() -> None:
    doc = belarus_doc()
    marks, notes = annotate(doc)
    cut = segments(doc.text, marks, notes)
    # the condition sits inside the quoted statement: both keys, both roles
    condition = next(s for s in cut if "m-condition" in s.classes)
    assert {"s0", "e0"} <= set(condition.keys)
    assert "m-content" in condition.classes
    # each event's evidence is marked with its modality
    negated = "".join(s.text for s in cut if "x-negated" in s.classes and "m-evidence"
                      in s.classes)
    assert negated == "not to send troops to Ukraine"
    factual = [s for s in cut if "x-factual" in s.classes]
    assert "".join(s.text for s in factual) == "Poland closed a border crossing with Belarus"
    assert {n["kind"] for n in notes.values()} == {"event", "statement"}
    assert notes["e0"]["modality"] == ["conditional"]
    assert notes["e0"]["condition"]["text"].startswith("only if")
    threat = [s for s in cut if "f-threaten" in s.classes]
    assert threat and all("s0" in s.keys for s in threat)


def test_unmarked_text_has_no_keys() -> None:
    doc = belarus_doc()
    marks, notes = annotate(doc)
    first = segments(doc.text, marks, notes)[0]
    assert first.keys == () and first.text.startswith("Lukashenko says")
