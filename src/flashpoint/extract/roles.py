"""Who did it to whom: source and target actors of a predicate, from the parse.

The NLP core resolved every actor mention (names, descriptors, metonyms, pronouns for
people). This module maps a predicate's grammatical roles onto those mentions:

- **source**: the subject ("Warsaw closed ..."), the passive agent ("attacked *by
  Kyiv's army*"), the controller of an infinitive ("Lukashenko has promised not to
  send": the subject of "promised"; "asked Putin to send": Putin), the shared subject of
  coordinated verbs ("hit out at ... and vowed retaliation"), a possessor or nationality
  of an event noun ("*Russia's* offensive", "the *Russian* offensive"), and the speaker
  for first-person pronouns inside a statement ("*I* do not plan to send").
- **target**: the passive subject, the direct object or indirect object, the object of
  "against / on / at / to / with / into / toward ..." ("hit out *at Poland*"), and a
  mention inside the object phrase ("backed plans ... *with Belarus*").
- coordinated actors give one actor each ("Poland *and* Lithuania"); "the two countries"
  stands for the two countries named last; a purpose infinitive with no target of its own
  takes the target of the verb it serves ("sent experts *to Bosnia* to investigate").
- names inside stance words ("an *anti-Syria* journalist") and nationalities naming a
  border ("on the *Thai* border") are no actors of any role.

Everything is read from token indices, so the cost is a few dictionary lookups per role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as Span_

from flashpoint.extract.lookup import Lookup
from flashpoint.model import Actor, Span, Statement
from flashpoint.nlp.actors import Resolved, doc_text
from flashpoint.nlp.gazetteer import Gazetteer

__all__ = ["ActorIndex", "Role", "Roles", "find_roles", "is_ally", "names_a_border"]

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
OBJECT_DEPS = frozenset({"dobj", "dative"})
# Prepositions whose object is the one acted upon ("against X", "hit out at X").
TARGET_PREPS = frozenset({"against", "on", "at", "to", "with", "into", "toward", "towards",
                          "upon", "onto", "over", "for", "from", "of"})
# Of those, the ones that name a target only for some event types.
WEAK_PREPS = {"for": frozenset({"SUPPORT", "AID"}),
              "from": frozenset({"RETREAT", "SANCTION", "AID"}),
              "over": frozenset({"ACCUSE", "THREATEN", "SANCTION"}),
              "of": frozenset({"ACCUSE", "SUPPORT"}),
              "to": frozenset({"AID", "MOBILIZE", "THREATEN", "REQUEST", "AGREE", "CONSULT",
                               "SUPPORT", "COOPERATE", "SANCTION", "RETREAT", "ACCUSE"})}
STANCE_PREFIXES = frozenset({"anti", "pro"})
# A nationality naming a border says where, not who ("a camp on the *Thai* border" is
# not Thai): a border has two sides.
BORDER_NOUNS = frozenset({"border", "frontier", "boundary", "borderland"})
FIRST_PERSON = frozenset({"i", "me", "my", "we", "us", "our", "myself", "ourselves"})
GROUP_PRONOUNS = frozenset({"it", "its", "they", "them", "their", "itself", "themselves"})
# "the two countries / sides / nations": the two actors named last.
PAIR_NOUNS = frozenset({"country", "countries", "side", "sides", "nation", "nations",
                        "government", "governments", "leader", "leaders", "neighbour",
                        "neighbours", "neighbor", "neighbors", "ally", "allies", "state",
                        "states", "capital", "capitals", "president", "presidents"})
PAIR_WORDS = frozenset({"two", "both"})
PAIR_WINDOW = 1200  # characters back to look for the pair
# Event nouns whose possessor is the one acted upon ("Bazoum's release").
PATIENT_NOUNS = frozenset({"release", "arrest", "detention", "killing", "assassination",
                           "execution", "capture", "abduction", "kidnapping", "expulsion",
                           "deportation", "extradition", "torture", "imprisonment",
                           "removal", "ouster", "overthrow"})


@dataclass(frozen=True)
class Role:
    """An actor in a role, with the token it was read from."""

    actor: Actor
    token: int
    syntactic: bool = True  # False when guessed from context
    # True for the source's own country standing in for a recipient nobody names
    # (PLOVER's domestic coding); such a target says nothing about the event itself
    domestic: bool = False


@dataclass(frozen=True)
class Roles:
    sources: tuple[Role, ...]
    targets: tuple[Role, ...]


class ActorIndex:
    """Resolved mentions of one document, indexed by token for role lookups."""

    def __init__(self, doc: Doc, resolved: Sequence[Resolved],
                 statements: Sequence[Statement] = (),
                 gazetteer: Gazetteer | None = None) -> None:
        self.doc = doc
        self.gazetteer = gazetteer
        self.by_token: dict[int, Resolved] = {}
        self.ordered: list[Resolved] = []
        for r in sorted((r for r in resolved if r.mention.actor is not None),
                        key=lambda r: r.mention.span.start):
            span = doc.char_span(r.mention.span.start, r.mention.span.end,
                                 alignment_mode="expand")
            if span is not None and _stance(span):
                continue
            self.ordered.append(r)
            indices = range(span.start, span.end) if span is not None else range(r.root,
                                                                                 r.root + 1)
            for i in indices:
                self.by_token.setdefault(i, r)
            self.by_token[r.root] = r
        self.statements = [s for s in statements if s.speaker_actor is not None]
        self._contents = Lookup(self.statements, lambda s: (s.content.start, s.content.end))

    def at(self, tok: Token) -> Resolved | None:
        return self.by_token.get(tok.i)

    def demonym(self, tok: Token) -> Role | None:
        """'the Russian offensive': a nationality adjective the NLP core leaves unresolved
        (it names no actor by itself) owns an event noun."""
        if self.gazetteer is None or not tok.text[:1].isupper():
            return None
        for entry in self.gazetteer.lookup(tok.text):
            if entry.kind == "demonym":
                span = Span.of(doc_text(self.doc), tok.idx, tok.idx + len(tok.text))
                return Role(Actor(code=entry.code, sector=None, name=entry.name, span=span),
                            tok.i)
        return None

    def speaker_for(self, tok: Token) -> Statement | None:
        """The statement whose content holds `tok` (for first-person pronouns)."""
        for st in self._contents.near(tok.idx, tok.idx):  # see extract/lookup.py
            if st.content.start <= tok.idx < st.content.end:
                return st
        return None

    def actors_of(self, tok: Token, *, deep: bool = True) -> list[Role]:
        """The actors a noun phrase headed by `tok` names (coordination expanded)."""
        roles: list[Role] = []
        for head in _conjuncts(tok):
            for role in self._one(head, deep=deep):
                if all(r.actor.code != role.actor.code or r.actor.sector != role.actor.sector
                       for r in roles):
                    roles.append(role)
        return roles

    def _one(self, tok: Token, *, deep: bool) -> list[Role]:
        found = self.at(tok)
        if found is not None and found.mention.actor is not None:
            return [Role(found.mention.actor, tok.i)]
        low = tok.lower_
        if low in FIRST_PERSON:  # "I", "we" in a statement: its speaker
            st = self.speaker_for(tok)
            if st is not None and st.speaker_actor is not None:
                return [Role(st.speaker_actor, tok.i)]
            return []
        if low in GROUP_PRONOUNS:  # "Syria says *it* is willing to withdraw"
            return self._governing_subject(tok)
        if deep:
            # "one soldier from (Ukraine)", "the government of Poland", "neighboring
            # Poland and Lithuania — EU members"
            for sub in tok.subtree:
                if sub.i == tok.i or sub.dep_ in ("relcl", "acl", "ccomp", "advcl"):
                    continue
                hit = self.at(sub)
                if hit is not None and hit.mention.actor is not None and not _clause_between(
                        sub, tok) and not names_a_border(sub):
                    return self.actors_of(sub, deep=False)
        return []

    def _governing_subject(self, tok: Token) -> list[Role]:
        """'it' / 'they' for a state or an organisation: the subject of a clause that
        governs the pronoun's own ("Syria says it will ...", "the rebels said they ..."),
        when that subject is an actor other than a person (the NLP core resolves pronouns
        for people only)."""
        cur = tok.head
        for _ in range(6):
            for c in cur.children:
                if c.dep_ not in SUBJECT_DEPS or c.i == tok.i or c.is_ancestor(tok):
                    continue
                hit = self.at(c)
                if hit is not None and hit.mention.actor is not None and \
                        hit.mention.kind != "person":
                    return [Role(hit.mention.actor, tok.i, syntactic=False)]
            if cur.head is cur:
                break
            cur = cur.head
        return []

    def pair(self, tok: Token, exclude: str | None = None) -> list[Role]:
        """'the two countries' -> the two distinct actors (not places) named last before it;
        with `exclude`, the two named last other than that code."""
        if tok.lower_ not in PAIR_NOUNS or not any(
            c.lower_ in PAIR_WORDS for c in tok.children
        ) and tok.lower_ not in ("both",):
            return []
        start = tok.idx
        picked: list[Role] = []
        for r in reversed(self.ordered):
            if r.mention.span.start >= start or r.mention.actor is None:
                continue
            if start - r.mention.span.start > PAIR_WINDOW:
                break
            if r.mention.kind != "country" and r.mention.actor.sector not in ("GOV", None) or (
                    r.mention.kind in ("city", "other") and r.mention.actor.sector is None):
                continue
            if exclude is not None and r.mention.actor.code == exclude:
                continue
            if all(p.actor.code != r.mention.actor.code for p in picked):
                picked.append(Role(r.mention.actor, r.root, syntactic=False))
            if len(picked) == 2:
                break
        return picked if len(picked) == 2 else []


def _stance(span: Span_) -> bool:
    """A name inside a stance word ("an *anti-Syria* journalist", "pro-Russian
    rebels"): it says what someone is for or against, not who they are."""
    doc, i = span.doc, span.start
    return (i >= 2 and doc[i - 1].text == "-" and doc[i - 2].lower_ in STANCE_PREFIXES) or (
        i >= 1 and doc[i - 1].lower_.rstrip("-") in STANCE_PREFIXES
        and doc[i - 1].lower_.endswith("-"))


def _conjuncts(tok: Token) -> list[Token]:
    out = [tok]
    stack = [tok]
    while stack and len(out) < 6:
        cur = stack.pop()
        for c in cur.children:
            if c.dep_ in ("conj", "appos") and c.pos_ in ("PROPN", "NOUN", "PRON"):
                if c.dep_ == "appos" and tok.pos_ == "PROPN":
                    continue  # "Poland and Lithuania — EU members": a description
                out.append(c)
                stack.append(c)
    return out


def _clause_between(sub: Token, top: Token) -> bool:
    cur = sub
    for _ in range(8):
        if cur.i == top.i:
            return False
        if cur.pos_ in ("VERB", "AUX") and cur.dep_ not in ("amod", "compound"):
            return True
        cur = cur.head
    return False


def subject_of(pred: Token) -> tuple[Token | None, bool]:
    """The token acting as `pred`'s subject, and whether it is a passive subject."""
    cur = pred
    active_conj = False
    for _ in range(8):
        for c in cur.children:
            if c.dep_ in SUBJECT_DEPS:
                return c, False
            if c.dep_ in ("nsubjpass",):
                if active_conj and cur is not pred:
                    # "... that Russia was forced to do so and blamed Ukraine": an active
                    # verb misattached to a passive one; its subject is further up.
                    return _upper_subject(cur), False
                return c, cur is pred
        head = cur.head
        if head is cur:
            return None, False
        if cur.dep_ in ("xcomp", "acomp"):
            # object control: "asked Putin to send", "allowed the Kremlin to use"
            obj = next((c for c in head.children if c.dep_ in ("dobj",)), None)
            if obj is None:  # "called on Rwanda to withdraw", "appealed to X to stop"
                obj = next((g for c in head.children if c.dep_ in ("prep", "prt")
                            and c.lower_ in ("on", "upon") for g in c.children
                            if g.dep_ == "pobj"), None)
            if obj is not None and head.lemma_.lower() not in ("promise", "vow", "pledge"):
                return obj, False
            cur = head
            continue
        if cur.dep_ == "conj" or (cur.dep_ in ("advcl",) and cur.tag_ in ("VBG", "VBN")) or (
                cur.dep_ == "advcl" and cur.tag_ == "VB" and any(
                    c.dep_ == "aux" and c.lower_ == "to" for c in cur.children)):
            # (a purpose infinitive shares its subject: "X gave a grant *to finance* ...")
            if cur.dep_ == "conj" and not any(c.dep_ == "auxpass" for c in cur.children):
                active_conj = True
            cur = head
            continue
        if cur.dep_ == "relcl" and head.pos_ in ("NOUN", "PROPN"):
            return head, False
        if cur.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN") and cur.tag_ == "VBG":
            return head, False
        return None, False
    return None, False


def _upper_subject(verb: Token) -> Token | None:
    cur = verb
    for _ in range(6):
        head = cur.head
        if head is cur:
            return None
        cur = head
        for c in cur.children:
            if c.dep_ in SUBJECT_DEPS:
                return c
    return None


def _reduced_passive(pred: Token) -> bool:
    """A bare past participle heading its own clause ("if attacked", "when hit") is
    passive: the subject it inherits is the one acted upon."""
    return pred.tag_ == "VBN" and pred.dep_ in ("advcl", "acl") and not any(
        c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in pred.children)


def agent_of(pred: Token) -> Token | None:
    for c in pred.children:
        if c.dep_ == "agent":
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    return None


def find_roles(index: ActorIndex, pred: Token, type_: str, *,
               noun: Token | None = None) -> Roles:
    """Source and target actors of the event whose predicate is `pred` (and, for a light
    verb or a bare event noun, whose event noun is `noun`)."""
    sources: list[Role] = []
    targets: list[Role] = []
    subj, passive = subject_of(pred)
    agent = agent_of(pred)
    if not passive and subj is not None and _reduced_passive(pred):
        passive = True  # "(Belarus would join) only if attacked by Kyiv": Belarus is hit
    if noun is not None:  # "Russia's offensive", "the Russian offensive"
        sources += _noun_owner(index, noun)
    if not sources:
        if passive:
            if agent is not None:
                sources += index.actors_of(agent)
            if subj is not None:
                targets += _target_roles(index, subj)
        elif subj is not None:
            sources += index.actors_of(subj, deep=True) or index.pair(subj)
    elif passive and subj is not None:
        targets += _target_roles(index, subj)
    src_code = sources[0].actor.code if sources else None
    heads = [pred] if noun is None or noun.i == pred.i else [noun, pred]
    addressees: list[Role] = []
    for head in heads:
        if targets:
            break
        for c in head.children:
            if c.dep_ in OBJECT_DEPS and (noun is None or c.i != noun.i):
                targets += _target_roles(index, c, src_code)
            elif c.dep_ in ("prep", "prt") and _is_target_prep(c, type_):
                for g in c.children:
                    if g.dep_ == "pobj":
                        found = _target_roles(index, g, src_code)
                        targets += found
                        if c.lower_ == "to":
                            addressees += found
    if type_ == "ACCUSE" and addressees and len(addressees) < len(targets):
        # "complained *to the UN* over Israeli raids": the one complained to hears the
        # accusation; the accused is the target
        targets = [t for t in targets if t not in addressees]
    if not targets:  # "backed plans to set up training centres *with Belarus*"
        for c in pred.children:
            if c.dep_ == "dobj" and (noun is None or c.i != noun.i):
                targets += _deep_object(index, c, src_code)
    if not targets and pred.dep_ == "conj" and not any(
        c.dep_ in ("nsubj", "nsubjpass") for c in pred.children
    ):  # "hit out at Poland ... and vowed retaliation"
        sibling = pred.head
        for c in sibling.children:
            if c.dep_ in OBJECT_DEPS or (c.dep_ in ("prep", "prt") and c.lower_ in TARGET_PREPS):
                objs = [c] if c.dep_ in OBJECT_DEPS else [g for g in c.children
                                                           if g.dep_ == "pobj"]
                for o in objs:
                    targets += [Role(r.actor, r.token, syntactic=False)
                                for r in _target_roles(index, o)]
    if not targets and _purpose(pred):
        # "sent 21 personnel *to Bosnia* to investigate": an act done for the sake of
        # another has its recipient
        targets += _inherited_targets(index, pred.head, type_, src_code)
    return Roles(tuple(sources), tuple(targets))


def _purpose(pred: Token) -> bool:
    """A purpose infinitive ("... *to investigate*") attached to the verb it serves."""
    return pred.dep_ == "advcl" and pred.tag_ == "VB" and pred.head.pos_ == "VERB" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in pred.children)


def _inherited_targets(index: ActorIndex, verb: Token, type_: str,
                       exclude: str | None) -> list[Role]:
    """The actors named as `verb`'s objects or prepositional targets, as guesses."""
    found: list[Role] = []
    for c in verb.children:
        objs: list[Token] = []
        if c.dep_ in OBJECT_DEPS:
            objs = [c]
        elif c.dep_ in ("prep", "prt") and (c.lower_ in ("to", "into")
                                             or _is_target_prep(c, type_)):
            objs = [g for g in c.children if g.dep_ == "pobj"]
        for o in objs:
            found += [Role(r.actor, r.token, syntactic=False)
                      for r in _target_roles(index, o, exclude)
                      if r.actor.code != exclude and not is_ally(o)]
    return found


def _is_target_prep(prep: Token, type_: str) -> bool:
    low = prep.lower_
    if low not in TARGET_PREPS:
        return False
    if low == "with" and any(c.lower_ == "together" for c in prep.head.children):
        return False  # "fight together with the Russians": allies, not targets
    if low == "with" and prep.i > 0 and prep.doc[prep.i - 1].lower_ == "together":
        return False
    allowed = WEAK_PREPS.get(low)
    return allowed is None or type_ in allowed


def _target_roles(index: ActorIndex, tok: Token, exclude: str | None = None) -> list[Role]:
    roles = index.actors_of(tok, deep=True)
    if not roles:
        roles = index.pair(tok, exclude)
    return roles


def _deep_object(index: ActorIndex, obj: Token, exclude: str | None) -> list[Role]:
    """The first actor anywhere inside an object phrase, other than the source's country
    (a guess: the phrase may cross an infinitive)."""
    for sub in obj.subtree:
        hit = index.at(sub)
        if hit is None or hit.mention.actor is None or hit.mention.actor.code == exclude:
            continue
        if hit.mention.kind in ("city", "other") and hit.mention.actor.sector is None:
            continue
        if is_ally(sub) or names_a_border(sub):
            continue
        return [Role(hit.mention.actor, sub.i, syntactic=False)]
    return []


def names_a_border(tok: Token) -> bool:
    """'on the *Thai* border', 'near the *Syrian* frontier': a place on either side, not
    an actor ("*across* the Iraqi border" is in Iraq, so that one still names it)."""
    border = tok.head
    return tok.dep_ in ("amod", "compound", "poss") and border.lemma_.lower() in BORDER_NOUNS \
        and not (border.dep_ == "pobj" and border.head.lower_ in ("across", "beyond", "over"))


def is_ally(tok: Token) -> bool:
    """'together with the Russians', 'alongside Russia': a partner, not a target."""
    head = tok.head
    if tok.dep_ != "pobj" or head.lower_ not in ("with", "alongside"):
        return False
    return head.lower_ == "alongside" or (head.i > 0 and tok.doc[head.i - 1].lower_ == "together")


def _noun_owner(index: ActorIndex, noun: Token) -> list[Role]:
    """'Russia's offensive', 'the Russian offensive', 'Kyiv's army' for an event noun
    (not "Bazoum's release": there the possessor is the one released)."""
    if noun.lemma_.lower() in PATIENT_NOUNS and not any(
        c.dep_ == "prep" and c.lower_ == "of" for c in noun.children
    ):  # ("Algeria's expulsion *of four diplomats*": then the possessor acts)
        return []
    for c in noun.children:
        if c.dep_ == "poss" or (c.dep_ in ("amod", "compound") and c.pos_ in ("ADJ", "PROPN")):
            found = index.actors_of(c, deep=False)
            if found:
                return found
            role = index.demonym(c)
            if role is not None:
                return [role]
    return []
