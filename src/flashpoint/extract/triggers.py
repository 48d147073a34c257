"""Event triggers: which words in a clause can carry a PLOVER event, and of what type.

A trigger is a verb ("shelled", "urged", "hit out at") or an event noun ("the offensive",
"joint military exercises", "talks"). The lexicon (`data/events/triggers.tsv`, written by
the team; its README explains the columns) gives each trigger a PLOVER type, a mode and a
weight: a *prior* that the event stage mixes with the learned typer's probabilities.
Object constraints keep ambiguous verbs honest: "closed the border" is a SANCTION,
"closed the deal" is nothing; "sent troops" is MOBILIZE, "sent aid" is AID.

Matching is dictionary lookups on lemmas, so it costs next to nothing per token.
"""

from __future__ import annotations

import csv
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.tokens import Token

__all__ = ["Lexicon", "Trigger", "TriggerRow", "load_lexicon", "object_lemmas"]

# Modifiers that make a noun event joint ("joint exercises", "combined drills").
JOINT_WORDS = frozenset({"joint", "combined", "bilateral", "trilateral", "multinational",
                         "three-way", "two-way", "multilateral", "way"})
# "asked if ...", "asked whether ...": questions, not requests.
QUESTION_VERBS = frozenset({"ask", "wonder", "question"})
# Prepositions whose object counts as the verb's object ("withdraw *from* the treaty",
# "impose sanctions *on*", "cut ties *with*"); "under the deal" does not.
OBJECT_PREPS = frozenset({"from", "on", "against", "to", "with", "for", "into", "out", "off",
                          "upon"})
OBJECT_DEPS = frozenset({"dobj", "nsubjpass", "attr", "npadvmod", "oprd", "dative"})


@dataclass(frozen=True)
class TriggerRow:
    """One lexicon row."""

    lemma: str
    particle: str | None
    pos: str  # "V" or "N"
    type: str
    mode: str | None
    weight: float
    objects: frozenset[str] | None  # None: any object; "joint" for joint nouns
    not_objects: frozenset[str] = frozenset()  # objects that rule the row out
    # the row is ruled out when its object takes a to-infinitive ("reached an agreement
    # *to withdraw*" promises a future act: AGREE, where "reached an agreement" is SUPPORT)
    no_infinitive: bool = False


@dataclass(frozen=True)
class Trigger:
    """A trigger found in a parsed clause."""

    token: int  # the trigger token (verb or event noun)
    row: TriggerRow
    noun: int | None = None  # for a light verb carrying an event noun, the noun


class Lexicon:
    """The trigger table, indexed by lemma and part of speech."""

    def __init__(self, rows: Iterable[TriggerRow], light_verbs: Iterable[str]) -> None:
        self.verbs: dict[str, list[TriggerRow]] = {}
        self.nouns: dict[str, list[TriggerRow]] = {}
        for row in rows:
            table = self.verbs if row.pos == "V" else self.nouns
            table.setdefault(row.lemma, []).append(row)
        self.light_verbs = frozenset(light_verbs)

    def verb(self, tok: Token, people: Container[int] = ()) -> TriggerRow | None:
        """The first verb row whose particle and object constraints `tok` satisfies.

        `people` holds the token indices of person mentions: an `@person` object
        constraint ("hosted Putin") is met by them.
        """
        rows = self.verbs.get(tok.lemma_.lower())
        if not rows:
            return None
        if tok.lemma_.lower() in QUESTION_VERBS and any(
            c.dep_ in ("ccomp", "advcl") and any(
                m.lower_ in ("if", "whether") for m in c.children if m.dep_ == "mark")
            for c in tok.children
        ):
            return None  # "asked if he could ...": a question, not a request
        objects: frozenset[str] | None = None
        particles = {c.lower_ for c in tok.children if c.dep_ in ("prt", "prep", "advmod")}
        for row in rows:
            if row.particle is not None and row.particle not in particles:
                continue
            if row.objects is not None or row.not_objects:
                if objects is None:
                    objects = object_lemmas(tok, people)
                if row.objects is not None and not objects & row.objects:
                    continue
                if objects & row.not_objects:
                    continue
            if row.no_infinitive and _object_infinitive(tok):
                continue
            return row
        return None

    def ruled_out(self, tok: Token, row: TriggerRow) -> frozenset[str]:
        """Types the table keeps from verb `tok`, which matched `row`, by a construction:
        a type its lemma takes only with listed objects when `tok` has no object ("troops
        *withdrew from the town*" is not the SANCTION of "withdrew from the treaty" or
        "withdrew its ambassador"), and a type ruled out by an object's to-infinitive
        ("reached an agreement *to* withdraw" is not the SUPPORT of "reached an
        agreement"). Types another row of the lemma gives without constraint stay open."""
        rows = self.verbs.get(tok.lemma_.lower()) if row.pos == "V" else None
        if not rows:
            return frozenset()
        no_object = not any(c.dep_ in OBJECT_DEPS for c in tok.children)
        kept: set[str] = set()
        for r in rows:
            if r.type == row.type or r.particle != row.particle:
                continue
            by_infinitive = r.no_infinitive and _object_infinitive(tok)
            if by_infinitive or (r.objects is not None and no_object):
                kept.add(r.type)
        kept -= {r.type for r in rows if r.objects is None and not r.no_infinitive
                 and not r.not_objects}
        return frozenset(kept)

    def noun(self, tok: Token) -> TriggerRow | None:
        """The first noun row whose modifier constraint `tok` satisfies."""
        lemma = tok.lemma_.lower()
        rows = self.nouns.get(lemma) or self.nouns.get(tok.lower_)
        if not rows:
            return None
        mods: frozenset[str] | None = None
        for row in rows:
            if row.objects is not None:
                if mods is None:
                    mods = frozenset(
                        c.lemma_.lower() for c in tok.children
                        if c.dep_ in ("amod", "compound", "nmod", "npadvmod")
                    ) | frozenset(c.lower_ for c in tok.children if c.dep_ in ("amod",
                                                                                "compound"))
                    # "suspension *of aid*" says what "aid suspension" says
                    mods |= frozenset(g.lemma_.lower() for c in tok.children
                                      if c.dep_ == "prep" and c.lower_ == "of"
                                      for g in c.children if g.dep_ == "pobj")
                wanted = row.objects
                if "joint" in wanted:
                    if not mods & JOINT_WORDS:
                        continue
                elif not mods & wanted:
                    continue
            return row
        return None


def object_lemmas(verb: Token, people: Container[int] = ()) -> frozenset[str]:
    """Lemmas a verb's object constraint is checked against: the heads of its objects
    (and of passive subjects), their compounds and conjuncts, and the nouns after its
    prepositions ("withdraw from the treaty", "impose a curfew")."""
    found: set[str] = set()
    heads = [c for c in verb.children if c.dep_ in OBJECT_DEPS]
    heads += [g for c in verb.children if c.dep_ in ("prep", "prt")
              and c.lower_ in OBJECT_PREPS for g in c.children if g.dep_ == "pobj"]
    seen = 0
    while heads and seen < 12:
        head = heads.pop()
        seen += 1
        found.add(head.lemma_.lower())
        found.add(head.lower_)
        if head.i in people:
            found.add("@person")
        for c in head.children:
            if c.dep_ in ("compound", "amod"):
                found.add(c.lemma_.lower())
            elif c.dep_ in ("conj", "appos"):
                heads.append(c)
            elif c.dep_ == "prep" and c.lower_ == "of":  # "a state of emergency"
                heads.extend(g for g in c.children if g.dep_ == "pobj")
    return frozenset(found)


def _object_infinitive(verb: Token) -> bool:
    """Whether an object of `verb` (or of its on/to phrase) takes a to-infinitive ("an
    agreement *to exchange* information")."""
    heads = [c for c in verb.children if c.dep_ in OBJECT_DEPS]
    heads += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in ("on", "to")
              for g in c.children if g.dep_ == "pobj"]
    return any(c.dep_ in ("acl", "relcl") and c.tag_ == "VB" and any(
        a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        for h in heads for c in h.children)


def _rows(name: str) -> list[str]:
    path = resources.files("flashpoint") / "data" / "events" / name
    return path.read_text("utf-8").splitlines()


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged trigger lexicon, read once per process."""
    rows: list[TriggerRow] = []
    lines = [line for line in _rows("triggers.tsv") if line and not line.startswith("#")]
    for n, rec in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)):
        words = rec["lemma"].split()
        objects = rec["objects"]
        try:
            weight = float(rec["weight"])
        except ValueError as exc:  # a typo in the table must not pass silently
            raise ValueError(f"triggers.tsv row {n + 2}: bad weight {rec['weight']!r}") from exc
        negative = objects.startswith("!")
        no_infinitive = objects.endswith("|-to")
        objects = objects.removesuffix("|-to")
        names = frozenset(objects.lstrip("!").split("|"))
        rows.append(TriggerRow(
            lemma=words[0], particle=words[1] if len(words) > 1 else None, pos=rec["pos"],
            type=rec["type"], mode=None if rec["mode"] == "-" else rec["mode"],
            weight=weight,
            objects=None if objects == "-" or negative else names,
            not_objects=names if negative else frozenset(), no_infinitive=no_infinitive,
        ))
    light = [w.strip() for w in _rows("light_verbs.txt") if w.strip() and not w.startswith("#")]
    return Lexicon(rows, light)
