"""Triage: decide, without parsing, which parts of an article deserve the full pipeline.

Most of a news stream (sport, culture, business) holds no political event, and parsing is
most of the coder's cost. Triage reads each long article with cheap features only (word
lookups and two regular expressions) and splits it into *units*: sentences, a quoted
passage being one unit with the sentences it touches (a quote is never cut in two). It
keeps:

- every unit holding a surface form of an event trigger (`data/events/triggers.tsv`; a
  trigger that needs a particle, an object from a list or a light verb counts only when
  one of those words is in the same unit: "closed the *border*", "step *down*", "*reached*
  a deal") or of a statement cue that performs a PLOVER act (`data/lexicons/cues.tsv`:
  "accused", "urged", "vowed");
- the unit before a kept one in the same paragraph, or across a paragraph break when the
  kept one has a personal pronoun or opens with a quote (antecedents, `He said:`);
- every unit naming a country, people or capital (actors elsewhere in the article
  resolve through the article's countries: "the government", "the minister");
- the headline and first paragraph of any article it keeps.

An article with no such unit is not parsed at all. Dropped units are *blanked* (each
character replaced by a space, newlines kept) rather than cut out, so the parser sees one
whitespace token where they were and every span still indexes the caller's text;
`TrimStage` cuts an evidence span that the parser ran on into a blank back to the parsed
words.

Surface forms are generated from the lemmas with the spaCy model's own lemmatizer tables,
inverted (every suffix rule run backwards, every irregular form): a form the parser could
lemmatize to a trigger is not missed, and over-generation only costs speed. Mid-sentence
capitalised words ("March", "Deal") are names to the parser and never count.

Short texts (under `SHORT_CHARS` characters or `SHORT_UNITS` sentences: a headline, a
sentence, a few short paragraphs) are never triaged. Thresholds were chosen on the even
half of the BBC set and are measured on the odd half by `bench/triage.py` (docs/scale.md,
"Triage").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeVar

from flashpoint.extract.cues import load_cues
from flashpoint.extract.events import STANDALONE_NOUN_TYPES
from flashpoint.extract.quotes import find_quotes, paragraphs
from flashpoint.extract.triggers import JOINT_WORDS, load_lexicon
from flashpoint.model import Event, Modality, Span, Statement
from flashpoint.nlp.gazetteer import Gazetteer, load_gazetteer
from flashpoint.pipeline import CODER_VERSION, Draft

# Part of the coder version when triage runs (bump when its decisions change).
TRIAGE_VERSION = "triage.1"


def coder_version(triage: bool = True) -> str:
    """The version of the coder `default_pipeline(triage=...)` builds, without building
    it: the worker engines label their results and find uncoded articles with it."""
    return f"{CODER_VERSION}+{TRIAGE_VERSION}" if triage else CODER_VERSION



__all__ = ["TRIAGE_VERSION", "Plan", "TrimStage", "Triage", "TriageLexicon", "TriageStage",
           "blank", "coder_version", "inflections", "load_triage"]

# Texts shorter than this (characters or sentences) are never triaged: single sentences
# (bench/events.py scores them through `extract`), headlines, a few short paragraphs.
SHORT_CHARS = 500
SHORT_UNITS = 5
# Political actor words (government, minister, troops, leaders' names... per 100 words)
# from which an article is kept whole, so a political story keeps all its statements
# (events are kept either way); None: never. At 5.0 about 40% of BBC politics articles
# and 4% of the other categories are kept whole.
POLITICAL_DENSITY: float | None = 5.0
# Units kept before each relevant unit (antecedents, a cue ending the previous paragraph).
CONTEXT_UNITS = 1
# Body paragraphs kept at the top of every kept article (with the headline line before
# them, when the text starts with one): who and what the story is about.
LEAD_PARAGRAPHS = 1
# What is kept of a dropped unit that names a country, people or capital ("Seychelles",
# "Argentine", "Kabul"): actors elsewhere resolve through the article's countries, so
# "units" keeps the unit, "names" only the name (on a line of its own), "none" nothing.
PlaceMode = Literal["units", "names", "none"]
KEEP_PLACES: PlaceMode = "units"
# Gazetteer sectors whose nouns ("minister", "troops", "rebels") signal political actors.
POLITICAL_SECTORS = frozenset({"GOV", "MIL", "LEG", "COP", "REB", "PRM", "SPY", "JUD",
                               "OPP", "PTY", "UAF", "ELI"})

LEMMA_POS = ("verb", "noun")
_WORD = re.compile(r"[A-Za-z]+")
# A sentence ends at . ! or ? (and a closing mark) followed by space and a capital, digit
# or opening mark. Hand-written: a sentence splitter that needs no model is the point.
_SENT_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018]?[A-Z0-9])")


# ---------------------------------------------------------------------- lexicon
def inflections(lemma: str, rules: Mapping[str, Sequence[Sequence[str]]],
                exceptions: Mapping[str, Mapping[str, Sequence[str]]]) -> set[str]:
    """Every form the rule lemmatizer could map to `lemma` (lower case) as a verb or a
    noun: each suffix rule `(old, new)` run backwards and each irregular form listed for
    it, for both parts of speech (a verb tagged as a noun still carries its trigger).
    Adjective rules are left out: the event and statement stages read triggers and acts
    only on verbs and nouns ("striker" is no form of "strike")."""
    out = {lemma}
    for pos in LEMMA_POS:
        for old, new in rules.get(pos, ()):
            if lemma.endswith(new) and len(lemma) > len(new):
                out.add(lemma[: len(lemma) - len(new)] + old)
        for form, lemmas in exceptions.get(pos, {}).items():
            if lemma in lemmas:
                out.add(form)
    return {f for f in out if f}


@dataclass(frozen=True)
class TriageLexicon:
    """Lower-case word forms the triage looks up (built by `build_lexicon`)."""

    triggers: frozenset[str]  # forms of triggers and act cues that fire on their own
    constrained: Mapping[str, frozenset[str]]  # form -> words one of which it needs
    political: frozenset[str]  # lower-case political actor nouns and titles
    names: frozenset[str]  # capitalised names: leaders' surnames, organisations, groups
    places: frozenset[str] = frozenset()  # country, demonym and capital names, as written


def _forms(lemmas: Iterable[str], rules: Mapping[str, Sequence[Sequence[str]]],
           exceptions: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for lemma in lemmas:
        for form in inflections(lemma.lower(), rules, exceptions):
            out.setdefault(form, lemma)
    return out


def build_lexicon(rules: Mapping[str, Sequence[Sequence[str]]],
                  exceptions: Mapping[str, Mapping[str, Sequence[str]]],
                  gazetteer: Gazetteer) -> TriageLexicon:
    """The triage lexicon from the project's trigger, cue and gazetteer data.

    A trigger row fires whatever the words around it unless it needs a particle ("step
    *down*"), an object from a list ("closed the *border*") or, for an event noun that
    cannot stand alone ("a deal"), a light verb to carry it ("reached a deal"); those
    count only when one of the words they need is in the same unit.
    """
    lex = load_lexicon()
    light = set(lex.light_verbs)
    free: set[str] = set()
    needs: dict[str, set[str]] = {}
    for table in (lex.verbs, lex.nouns):
        for lemma, rows in table.items():
            for row in rows:
                need: set[str] | None
                wanted = row.objects
                if wanted is not None and "joint" in wanted:
                    need = set(JOINT_WORDS)
                elif wanted is not None and "@person" not in wanted:
                    need = set(wanted)
                elif row.particle is not None:
                    need = {row.particle}
                elif row.pos == "N" and row.type not in STANDALONE_NOUN_TYPES:
                    need = light
                else:
                    need = None
                if need is None:
                    free.add(lemma)
                else:
                    needs.setdefault(lemma, set()).update(need)
    cue_needs: dict[str, set[str]] = {}
    for lemma, cues in load_cues().entries.items():
        acts = [cue for cue in cues if cue.function]
        if acts and all(cue.frames == {"t"} for cue in acts):
            cue_needs[lemma] = {"to"}  # "ordered X *to* leave"
        elif acts:
            free.add(lemma)
    constrained: dict[str, frozenset[str]] = {}
    for lemma, needed in [*needs.items(), *cue_needs.items()]:
        if lemma in free:
            continue
        wanted_forms = frozenset(_forms(needed, rules, exceptions))
        for form in _forms([lemma], rules, exceptions):
            constrained[form] = constrained.get(form, frozenset()) | wanted_forms
    free_forms = frozenset(_forms(free, rules, exceptions))
    political = {word for word, sector in gazetteer.sectors.items()
                 if sector in POLITICAL_SECTORS and " " not in word}
    political.update(title for title in gazetteer.titles if _WORD.fullmatch(title))
    names: set[str] = set()
    for form, entries in gazetteer.exact.items():
        if any(e.kind in ("organization", "group", "seat") for e in entries) \
                and _WORD.fullmatch(form) and len(form) > 2:
            names.add(form)  # "NATO", "Hamas", "Kremlin"
    for tenures in gazetteer.leaders.values():
        for tenure in tenures:
            last = tenure.name.split()[-1]
            if len(last) > 3 and _WORD.fullmatch(last):
                names.add(last)  # "Blair", "Putin"
    places = {form for form, entries in gazetteer.exact.items()
              if _WORD.fullmatch(form) and form[:1].isupper()
              and any(e.kind in ("country", "demonym", "capital") for e in entries)}
    return TriageLexicon(
        triggers=free_forms, constrained=constrained, places=frozenset(places),
        political=frozenset(w.lower() for w in political),
        names=frozenset(n for n in names if n[:1].isupper()),
    )


# ---------------------------------------------------------------------- plans
@dataclass(frozen=True)
class Plan:
    """What triage decided for one text.

    `keep` lists the (start, end) character ranges the pipeline parses, in order; the
    rest is blanked. `triaged` is False when the text was kept whole without looking
    (short) or whole on purpose (political); `paragraphs`/`kept_paragraphs` and
    `units`/`kept_units` count what was looked at and kept.
    """

    length: int
    keep: tuple[tuple[int, int], ...]
    triaged: bool
    reason: str  # "short", "political", "relevant", "irrelevant"
    paragraphs: int = 0
    kept_paragraphs: int = 0
    units: int = 0
    kept_units: int = 0
    # place names kept alone from dropped units (each parsed as a one-word line), so
    # actors resolved from the article's countries keep the same country
    names: tuple[tuple[int, int], ...] = ()

    @property
    def parsed(self) -> int:
        """Characters the parser reads."""
        return sum(e - s for s, e in self.keep) + sum(e - s for s, e in self.names)

    @property
    def dropped(self) -> bool:
        """Nothing of the article is parsed."""
        return not self.keep

    @property
    def whole(self) -> bool:
        return self.keep == ((0, self.length),)


def units_of(text: str) -> list[tuple[int, int, int]]:
    """(start, end, paragraph number) of each sentence; sentences that a quoted passage
    touches are merged with it, so a quote is never cut in two."""
    raw: list[tuple[int, int, int]] = []
    for n, (p_start, p_end) in enumerate(paragraphs(text)):
        start = p_start
        for m in _SENT_END.finditer(text, p_start, p_end):
            raw.append((start, m.start() + len(m.group().rstrip()), n))
            start = m.end()
        raw.append((start, p_end, n))
    quotes = [(q.start, q.end) for q in find_quotes(text)] if _has_quote(text) else []
    if not quotes:
        return raw
    merged: list[tuple[int, int, int]] = []
    qi = 0
    for start, end, n in raw:
        while qi < len(quotes) and quotes[qi][1] <= start:
            qi += 1
        if merged and qi < len(quotes) and quotes[qi][0] < start:  # a quote runs on
            merged[-1] = (merged[-1][0], end, merged[-1][2])
        else:
            merged.append((start, end, n))
    return merged


def _headline(text: str) -> int:
    """1 when the text opens with a headline line (no sentence punctuation at its end)."""
    first = paragraphs(text)[:1]
    if not first:
        return 0
    line = text[first[0][0]:first[0][1]].rstrip()
    return 0 if line.endswith((".", "!", "?", ":", '"', "\u201d", "'")) else 1


def _words(text: str, headline: bool = False) -> set[str]:
    """Lower-cased words that could be verbs or common nouns: capitalised words count only
    first in the unit or in capitals (mid-sentence "March" or "Deal" is a name, which the
    parser tags PROPN and the event stage never reads as a trigger). Headlines are often
    in title case: all their words count."""
    out: set[str] = set()
    for n, match in enumerate(_WORD.finditer(text)):
        word = match.group()
        if n == 0 or headline or word[0].islower() or word.isupper():
            out.add(word.lower())
    return out


_PRONOUN = re.compile(r"\b(?:he|she|they|his|her|their|him|them)\b", re.IGNORECASE)
_QUOTE_OPEN = ('"', "\u201c", "\u2018", "'")


def _needs_context(text: str, unit: tuple[int, int, int], before: tuple[int, int, int]) -> bool:
    """Whether a relevant unit leans on the one before it: always within a paragraph;
    across a paragraph break when it has a personal pronoun whose antecedent may be
    there, or a quote whose cue may close the previous paragraph (`He said:`)."""
    piece = text[unit[0]:unit[1]]
    if unit[2] == before[2]:
        return True
    if piece.lstrip().startswith(_QUOTE_OPEN) or text[before[0]:before[1]].rstrip().endswith(":"):
        return True
    return _PRONOUN.search(piece) is not None


def _has_quote(text: str) -> bool:
    return any(mark in text for mark in ('"', "\u201c", "\u201d", "\u00ab", "\u2018"))


class Triage:
    """Plans which parts of a text to parse (`plan`); pure compute, no model."""

    def __init__(self, lexicon: TriageLexicon, *, short_chars: int = SHORT_CHARS,
                 short_units: int = SHORT_UNITS,
                 political_density: float | None = POLITICAL_DENSITY,
                 context_units: int = CONTEXT_UNITS, lead_paragraphs: int = LEAD_PARAGRAPHS,
                 context_always: bool = False, keep_places: PlaceMode = KEEP_PLACES) -> None:
        self.lex = lexicon
        self.context_always = context_always  # the unit before, whatever it holds
        self.keep_places = keep_places
        self.short_chars = short_chars
        self.short_units = short_units
        self.political_density = political_density
        self.context_units = context_units
        self.lead_paragraphs = lead_paragraphs

    def relevant(self, text: str, headline: bool = False) -> bool:
        """Whether a piece of text holds a trigger or an act-performing cue."""
        words = _words(text, headline)
        lex = self.lex
        if words & lex.triggers:
            return True
        return any(words & lex.constrained[w] for w in words if w in lex.constrained)

    def density(self, text: str) -> float:
        """Political actor words per 100 words."""
        words = _WORD.findall(text)
        if not words:
            return 0.0
        hits = sum(1 for w in words if w.lower() in self.lex.political or w in self.lex.names)
        return 100.0 * hits / len(words)

    def plan(self, text: str) -> Plan:
        """What of `text` to parse (see the module docstring for the rules)."""
        whole = ((0, len(text)),)
        if len(text) < self.short_chars:
            return Plan(len(text), whole, False, "short")
        units = units_of(text)
        n_paragraphs = units[-1][2] + 1 if units else 0
        if len(units) < self.short_units:
            return Plan(len(text), whole, False, "short", n_paragraphs, n_paragraphs,
                        len(units), len(units))
        if self.political_density is not None and self.density(text) >= self.political_density:
            return Plan(len(text), whole, False, "political", n_paragraphs, n_paragraphs,
                        len(units), len(units))
        lead = self.lead_paragraphs + _headline(text)
        hits = [self.relevant(text[s:e], para < lead - self.lead_paragraphs)
                for s, e, para in units]
        if not any(hits):
            return Plan(len(text), (), True, "irrelevant", n_paragraphs, 0, len(units), 0)
        keep = [False] * len(units)
        for i, hit in enumerate(hits):
            if hit:
                keep[i] = True
                if i and self.context_units and (self.context_always or _needs_context(
                        text, units[i], units[i - 1])):
                    for j in range(max(0, i - self.context_units), i):
                        keep[j] = True
        for i, (start, end, para) in enumerate(units):
            if para < lead or (self.keep_places == "units" and not keep[i] and any(
                    w in self.lex.places for w in _WORD.findall(text, start, end))):
                keep[i] = True
        ranges: list[tuple[int, int]] = []
        for (start, end, _), kept in zip(units, keep, strict=True):
            if not kept:
                continue
            if ranges and not text[ranges[-1][1]:start].strip():
                ranges[-1] = (ranges[-1][0], end)  # adjacent: one range
            else:
                ranges.append((start, end))
        kept_paragraphs = len({para for (_, _, para), k in zip(units, keep, strict=True) if k})
        names: list[tuple[int, int]] = []
        if self.keep_places == "names":
            for (start, end, _), kept in zip(units, keep, strict=True):
                if not kept:
                    names += [m.span() for m in _WORD.finditer(text, start, end)
                              if m.group() in self.lex.places]
        return Plan(len(text), tuple(ranges), True, "relevant", n_paragraphs,
                    kept_paragraphs, len(units), sum(keep), tuple(names))


def blank(text: str, plan: Plan) -> str:
    """`text` with everything outside what `plan` keeps replaced by spaces (newlines kept),
    so the parser skips it and offsets still index `text`. A place name kept alone gets
    a line of its own (one blank before and after it becomes a newline), so the parser
    never reads it as part of a kept sentence."""
    if plan.whole:
        return text
    pieces: list[str] = []
    pos = 0
    alone = set(plan.names)
    after_alone = False
    for start, end in sorted((*plan.keep, *plan.names)):
        gap = _spaces(text[pos:start])
        if gap and after_alone:
            gap = "\n" + gap[1:]
        is_alone = (start, end) in alone
        if gap and is_alone:
            gap = gap[:-1] + "\n"
        pieces += [gap, text[start:end]]
        pos, after_alone = end, is_alone
    tail = _spaces(text[pos:])
    if tail and after_alone:
        tail = "\n" + tail[1:]
    pieces.append(tail)
    return "".join(pieces)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _spaces(piece: str) -> str:
    return _NOT_NEWLINE.sub(" ", piece)


@lru_cache(maxsize=2)
def load_triage(gazetteer_root: str | None = None) -> Triage:
    """The default triage, built once per process from the spaCy model's lemmatizer
    tables and the packaged lexicons."""
    from flashpoint.nlp.pipeline import load_nlp

    lemmatizer = load_nlp(gazetteer_root).get_pipe("lemmatizer")
    lookups = lemmatizer.lookups  # type: ignore[attr-defined]
    rules = lookups.get_table("lemma_rules", {})
    exceptions = lookups.get_table("lemma_exc", {})
    # spaCy's Table keys are string hashes: take the parts of speech by name
    return Triage(build_lexicon({pos: rules.get(pos, []) for pos in LEMMA_POS},
                                {pos: exceptions.get(pos, {}) for pos in LEMMA_POS},
                                load_gazetteer(gazetteer_root)))


class TriageStage:
    """Callable stage: writes `extras["triage"]`, the `Plan` the NLP stage parses by."""

    name = "triage"
    reads = frozenset({"article"})
    writes = frozenset({"triage"})

    def __init__(self, triage: Triage | None = None, *,
                 gazetteer_root: str | None = None) -> None:
        self.triage = triage or load_triage(gazetteer_root)

    def __call__(self, batch: Sequence[Draft]) -> list[Draft]:
        return [d.with_(extras={**d.extras, "triage": self.triage.plan(d.article.text)})
                for d in batch]


class TrimStage:
    """Callable stage, last in a triaged coder: nothing may come from text that was not
    parsed. An evidence, content or condition span that runs on into a blanked stretch
    (the parser hangs a blank on the sentence before it) is cut back to the parsed words;
    a statement or event lying wholly in blanks (a best-guess event on an all-blank
    text) is dropped, and an article triage dropped keeps no mention, statement or event.
    """

    name = "triage-trim"
    reads = frozenset({"article", "triage", "mentions", "statements", "events"})
    writes = frozenset({"mentions", "statements", "events"})

    def __call__(self, batch: Sequence[Draft]) -> list[Draft]:
        out: list[Draft] = []
        for draft in batch:
            plan = draft.extras.get("triage")
            if not isinstance(plan, Plan) or plan.whole:
                out.append(draft)
            elif plan.dropped:
                out.append(draft.with_(mentions=(), statements=(), events=()))
            else:
                out.append(self._trim(draft, _Trimmer(draft.article.text, plan)))
        return out

    @staticmethod
    def _trim(draft: Draft, trim: _Trimmer) -> Draft:
        mentions = tuple(m for m in draft.mentions if trim(m.span) is not None)
        return draft.with_(mentions=mentions,
                           statements=_trimmed(draft.statements, "content", trim),
                           events=_trimmed(draft.events, "evidence", trim))


Traced = TypeVar("Traced", Statement, Event)


def _trimmed(records: Sequence[Traced], field: str, trim: _Trimmer) -> tuple[Traced, ...]:
    """`records` whose span `field` (a statement's content, an event's evidence) still
    holds parsed words, cut to them, with their condition spans cut likewise."""
    out: list[Traced] = []
    for record in records:
        span = trim(getattr(record, field))
        if span is not None:
            out.append(record.model_copy(update={
                field: span, "modality": trim.modality(record.modality)}))
    return tuple(out)


class _Trimmer:
    def __init__(self, text: str, plan: Plan) -> None:
        self.text = text
        self.ranges = sorted((*plan.keep, *plan.names))

    def __call__(self, span: Span) -> Span | None:
        """`span` cut back to the parsed text; None when none of it was parsed."""
        inside = [(max(s, span.start), min(e, span.end)) for s, e in self.ranges
                  if s < span.end and span.start < e]
        if not inside:
            return None
        start, end = inside[0][0], inside[-1][1]
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if (start, end) == (span.start, span.end):
            return span
        return Span.of(self.text, start, end)

    def modality(self, modality: Modality) -> Modality:
        if modality.condition is None:
            return modality
        condition = self(modality.condition)
        return modality.model_copy(update={"condition": condition})
