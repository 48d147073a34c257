"""Who "he", "the veteran strongman" and "Lukashenko" are: coreference for people.

A small rule-based resolver, documented so its mistakes are predictable:

1. A surname or partial name joins the chain of an earlier full name that ends with it
   ("Alexander Lukashenko" ... "Lukashenko").
2. A personal pronoun (he, him, his, she, her) refers to the most salient earlier person
   of a compatible gender: salience is recency (in sentences), with a bonus for having
   been a grammatical subject and for having been mentioned often.
3. A definite descriptive noun phrase whose head is a person noun ("the veteran
   strongman", "the longtime leader", "the president", "the minister") refers the same
   way, preferring people who hold office when the noun is an office word.

Every resolved pronoun or descriptor becomes a person Mention carrying its antecedent's
actor, so statement attribution can use "he said" like "Lukashenko said"; a partial name
without an actor of its own gets its chain's.
`bench/coref.py` measures it on team-written gold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from flashpoint.model import Actor, Mention, Span
from flashpoint.nlp.actors import Resolved, doc_text, token_indices

MALE = frozenset({"he", "him", "his", "himself"})
FEMALE = frozenset({"she", "her", "hers", "herself"})
PERSON_NOUNS = frozenset({
    "strongman", "leader", "president", "premier", "minister", "chancellor", "official",
    "diplomat", "envoy", "ambassador", "spokesman", "spokeswoman", "spokesperson", "general",
    "commander", "chief", "king", "queen", "emir", "prince", "monarch", "dictator", "ruler",
    "autocrat", "politician", "statesman", "stateswoman", "lawmaker", "senator", "mayor",
    "governor", "secretary", "negotiator", "head", "prime", "veteran", "incumbent", "founder",
})
OFFICE_NOUNS = frozenset({
    "strongman", "leader", "president", "premier", "minister", "chancellor", "king",
    "queen", "emir", "prince", "monarch", "dictator", "ruler", "autocrat", "head",
    "incumbent", "secretary",
})
FEMALE_NOUNS = frozenset({"queen", "spokeswoman", "stateswoman", "princess"})
# The office a definite description names ("the chancellor" is the head of government).
NOUN_OFFICES = {
    "president": "head_of_state", "king": "head_of_state", "queen": "head_of_state",
    "emir": "head_of_state", "monarch": "head_of_state", "chancellor": "head_of_government",
    "premier": "head_of_government", "prime minister": "head_of_government",
    "foreign minister": "foreign_minister", "defence minister": "defence_minister",
    "defense minister": "defence_minister",
}
_WINDOW = 6  # sentences a pronoun may reach back


@dataclass
class Chain:
    """One person and everything that refers to them."""

    name: str
    actor: Actor | None
    gender: str | None
    last_sentence: int
    office: str | None = None
    mentions: int = 1
    subject: bool = False
    tokens: list[int] = field(default_factory=list)

    def salience(self, sentence: int) -> float:
        distance = sentence - self.last_sentence
        return -distance + (0.5 if self.subject else 0.0) + min(self.mentions, 5) * 0.2


def _sentence_index(doc: Doc) -> dict[int, int]:
    index: dict[int, int] = {}
    for n, sent in enumerate(doc.sents):
        for token in sent:
            index[token.i] = n
    return index


def resolve_people(doc: Doc, resolved: list[Resolved]) -> list[Resolved]:
    """Link names, pronouns and descriptors to people.

    Returns `resolved` with partial names completed from their chain ("Gan" after
    "China Coast Guard spokesman Gan Yu" gets his actor), followed by new person
    mentions for the pronouns and descriptors that were resolved."""
    sentence_of = _sentence_index(doc)
    people = {r.root: r for r in resolved if r.mention.kind == "person"}
    taken = {i for r in resolved
             for i in token_indices(doc, r.mention.span.start, r.mention.span.end)}
    chains: list[Chain] = []
    found: list[Mention] = []
    completed: dict[int, Resolved] = {}
    for token in doc:
        sentence = sentence_of.get(token.i, 0)
        person = people.get(token.i)
        if person is not None:
            named = _name(chains, person, token, sentence)
            if named.actor is not None and (person.mention.actor is None or (
                    person.descriptor and named.actor != person.mention.actor)):
                completed[token.i] = Resolved(
                    _refer(doc, named, person.mention.span.start, person.mention.span.end),
                    token.i, named.gender)
            continue
        if token.i in taken:
            continue
        lower = token.lower_
        gender: str | None
        if token.pos_ == "PRON" and (lower in MALE or lower in FEMALE):
            gender = "m" if lower in MALE else "f"
            chain = _reporter(chains, token, gender) or _best(
                chains, sentence, gender=gender, office=False, exclude=_coarguments(doc, token))
            if chain is not None:
                found.append(_refer(doc, chain, token.idx, token.idx + len(token.text)))
                _touch(chain, token, sentence)
        elif lower in PERSON_NOUNS and token.pos_ == "NOUN" and _definite(token):
            gender = "f" if lower in FEMALE_NOUNS else None
            modifier = next((c.lower_ for c in token.children if c.dep_ in ("compound", "amod")
                             and f"{c.lower_} {lower}" in NOUN_OFFICES), None)
            wanted = NOUN_OFFICES.get(f"{modifier} {lower}" if modifier else lower)
            chain = _best(chains, sentence, gender=gender, office=lower in OFFICE_NOUNS,
                          wanted=wanted)
            if chain is not None:
                start = min(t.idx for t in token.subtree if t.i <= token.i)
                found.append(_refer(doc, chain, start, token.idx + len(token.text)))
                _touch(chain, token, sentence)
    out = [completed.get(r.root, r) for r in resolved]
    roots = {r.root for r in resolved}
    out += [Resolved(m, _root_at(doc, m), None) for m in found if _root_at(doc, m) not in roots]
    return out


def _root_at(doc: Doc, mention: Mention) -> int:
    span = doc.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
    return span.root.i if span is not None and len(span) else 0


def _name(chains: list[Chain], person: Resolved, token: Token, sentence: int) -> Chain:
    mention = person.mention
    actor = mention.actor
    text = mention.span.text
    # A leader's chain is named by the canonical name; anyone else by the words used.
    name = actor.name if actor is not None and text.split()[-1] in actor.name.split() else text
    if person.descriptor and actor is not None:
        # "the German minister" after "Annalena Baerbock": the same person, if one of
        # that country was named recently; otherwise a new, nameless person
        same = [c for c in chains if c.actor is not None and c.actor.code == actor.code
                and sentence - c.last_sentence <= _WINDOW]
        if same:
            chain = max(same, key=lambda c: c.salience(sentence))
            _touch(chain, token, sentence)
            return chain
    for chain in chains:
        words = chain.name.split()
        if chain.name == name or (" " not in text and text in words):
            _touch(chain, token, sentence)
            chain.gender = chain.gender or person.gender
            chain.actor = chain.actor or actor
            return chain
    chain = Chain(name=name, actor=actor, gender=person.gender, last_sentence=sentence,
                  office=person.office, subject=token.dep_ in ("nsubj", "nsubjpass"),
                  tokens=[token.i])
    chains.append(chain)
    return chain


def _touch(chain: Chain, token: Token, sentence: int) -> None:
    chain.last_sentence = sentence
    chain.mentions += 1
    chain.subject = chain.subject or token.dep_ in ("nsubj", "nsubjpass")
    chain.tokens.append(token.i)


def _reporter(chains: list[Chain], pronoun: Token, gender: str) -> Chain | None:
    """ "Clinton praised him and said he would press Congress": the subject of a reported
    clause is, unless the text says otherwise, whoever is reporting it."""
    if pronoun.dep_ not in ("nsubj", "nsubjpass") or pronoun.head.dep_ != "ccomp":
        return None
    verb = pronoun.head.head
    while True:
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects or verb.dep_ != "conj" or verb.head is verb:
            break
        verb = verb.head  # "... and said he would": the subject is the first verb's
    for subject in subjects:
        for chain in chains:
            if subject.i in chain.tokens and chain.gender in (None, gender):
                return chain
    return None


def _coarguments(doc: Doc, pronoun: Token) -> set[int]:
    """Tokens an object pronoun cannot refer to: the subject of its own verb ("Sisi
    assured him": him is not Sisi). Reflexives and possessives are exempt."""
    if pronoun.dep_ not in ("dobj", "dative", "pobj", "iobj") or pronoun.lower_.endswith("self"):
        return set()
    verb = pronoun.head.head if pronoun.dep_ == "pobj" else pronoun.head
    return {c.i for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")}


def _best(chains: list[Chain], sentence: int, *, gender: str | None,
          office: bool, exclude: set[int] | frozenset[int] = frozenset(),
          wanted: str | None = None) -> Chain | None:
    candidates = [
        c for c in chains
        if sentence - c.last_sentence <= _WINDOW
        and (gender is None or c.gender in (None, gender))
        and not exclude.intersection(c.tokens)
    ]
    if wanted is not None:  # "the chancellor": whoever holds that office, if named
        holders = [c for c in candidates if c.office == wanted]
        candidates = holders or candidates
    if office:
        holders = [c for c in candidates if c.actor is not None and c.actor.sector == "GOV"]
        candidates = holders or candidates
    if not candidates:
        return None
    return max(candidates, key=lambda c: c.salience(sentence))


def _definite(token: Token) -> bool:
    """A noun phrase introduced by "the" (not "a", not a possessive of someone else)."""
    return any(child.dep_ == "det" and child.lower_ == "the" for child in token.children)


def _refer(doc: Doc, chain: Chain, start: int, end: int) -> Mention:
    actor = chain.actor
    if actor is not None:
        actor = actor.model_copy(update={"span": Span.of(doc_text(doc), start, end)})
    return Mention(span=Span.of(doc_text(doc), start, end), kind="person", actor=actor)
