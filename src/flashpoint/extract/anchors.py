"""When and where an event happened: its clause's date and place, else the article's.

- **Date**: the temporal expression of the event's own clause ("closed the checkpoint
  *last week*"), else one of a governing clause ("Putin *last month* said he backed
  ..."; "he said *Thursday* that ..."), else the article's publication date. Expressions
  were found and resolved against the publication date by the NLP core
  (`extras["dates"]`); here they are only attached to clauses. The publication-date
  fallback has `week` precision: news reports what happened in the last days, and
  saying "day" would claim more than the text does.
- **Place**: a place mention after a locative preposition in the clause ("talks *in
  Minsk*", "clashes *near Goma*"), else the dateline city ("GOMA, Congo —").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from flashpoint.model import DatePrecision, Location
from flashpoint.nlp.actors import Resolved
from flashpoint.nlp.dates import ResolvedDate
from flashpoint.nlp.gazetteer import Gazetteer

__all__ = ["DateIndex", "PlaceFinder", "dateline"]

LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "around", "across",
                            "within", "throughout", "off"})
PLACE_KINDS = frozenset({"city", "country", "other"})
FALLBACK_PRECISION: DatePrecision = "week"
# "GOMA, Congo (Reuters) —", "SAN FRANCISCO -", "KYIV —": an all-capital city first.
_DATELINE = re.compile(
    r"\A\s*(?P<city>[A-Z][A-Z'.\- ]{1,40}?[A-Z])(?:,\s*[A-Z][\w.' ]{1,30})?"
    r"(?:\s*\([^)]{1,40}\))?\s*(?:--|[-—–:])\s"
)


@dataclass(frozen=True)
class DateChoice:
    date: dt.date
    precision: DatePrecision
    explicit: bool  # from the clause or a governing clause, not the publication date


class DateIndex:
    """Resolved dates of one document, attached to the verb that governs each."""

    def __init__(self, doc: Doc, dates: Sequence[ResolvedDate]) -> None:
        self.by_verb: dict[int, ResolvedDate] = {}
        for d in dates:
            span = doc.char_span(d.start, d.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            verb = _governing_verb(span.root)
            if verb is not None:
                self.by_verb.setdefault(verb.i, d)

    def for_predicate(self, pred: Token, published: dt.date | None) -> DateChoice | None:
        """The date of the clause of `pred`, walking up to governing clauses."""
        cur = pred
        for _ in range(8):
            found = self.by_verb.get(cur.i)
            if found is not None:
                return DateChoice(found.date, found.precision, True)
            if cur.head is cur:
                break
            cur = cur.head
        if published is None:
            return None
        return DateChoice(published, FALLBACK_PRECISION, False)


def _governing_verb(tok: Token) -> Token | None:
    """The verb a temporal expression dates, or None when it dates a noun phrase
    ("Lukashenko, in power since 1994, ..." dates his rule, not the sentence's verb)."""
    cur = tok
    for _ in range(8):
        if cur.pos_ in ("VERB", "AUX") and cur.dep_ not in ("amod",):
            return cur
        if cur.head is cur:
            return cur
        if cur is not tok and ((cur.pos_ in ("PROPN", "PRON") and cur.dep_ in (
                "nsubj", "nsubjpass", "dobj", "appos", "pobj")) or cur.dep_ == "appos"):
            return None
        cur = cur.head
    return cur


class PlaceFinder:
    """Locations for events: clause place mentions, else the dateline."""

    def __init__(self, doc: Doc, resolved: Sequence[Resolved], text: str,
                 gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.places: dict[int, Resolved] = {}
        for r in resolved:
            if r.mention.kind in PLACE_KINDS:
                self.places[r.root] = r
        self.dateline = dateline(text, gazetteer)

    def for_predicate(self, pred: Token, clause: range) -> Location | None:
        for i in clause:
            place = self.places.get(i)
            if place is None:
                continue
            tok = pred.doc[i]
            if tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE_PREPS and _same_clause(
                    tok, pred):
                return self.location(place)
        return self.dateline

    def location(self, place: Resolved) -> Location:
        mention = place.mention
        actor = mention.actor
        name = mention.span.text
        if mention.kind == "country" and actor is not None:
            return Location(name=actor.name, country=actor.code)
        city = self.gazetteer.city(name) if mention.kind in ("city", "other") else None
        if city is not None and (actor is None or actor.code == city.code):
            return Location(name=city.name, country=city.code, lat=city.lat, lon=city.lon)
        return Location(name=name, country=actor.code if actor is not None else None)


def _same_clause(tok: Token, pred: Token) -> bool:
    """`tok` hangs from `pred` (or from a noun of its clause) without another verb between."""
    cur = tok.head
    for _ in range(8):
        if cur.i == pred.i:
            return True
        if cur.pos_ in ("VERB", "AUX") or cur.head is cur:
            return False
        cur = cur.head
    return False


def dateline(text: str, gazetteer: Gazetteer) -> Location | None:
    """The dateline city of a wire story ("KYIV, Ukraine (AP) — ..."), if the body opens
    with one that the gazetteer knows."""
    m = _DATELINE.match(text[:120])
    if m is None:
        return None
    name = m.group("city").strip().title()
    city = gazetteer.city(name)
    if city is None:
        return None
    return Location(name=city.name, country=city.code, lat=city.lat, lon=city.lon)
