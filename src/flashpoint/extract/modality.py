"""Modality of a clause: did it happen, is it denied, planned, imagined or conditional?

Event coders that ignore modality turn "promised not to send troops" into a troop
movement and "ready to fight if attacked" into a battle. PLOVER foresees negated,
future and hypothetical events; flashpoint codes them as flags on every event and
statement (`flashpoint.model.Modality`), plus the span of the condition a conditional
act depends on.

The rules read spaCy's dependency parse of the clause's predicate (`modality_of(verb)`):

- **negated**: the predicate, or a verb governing it through an infinitive, carries a
  negation ("promised *not* to send", "do *not* plan to send", "*never* met"); a governor
  denies or refuses it ("*denied* sending", "*refused* to attend", "*failed* to reach");
  its subject or object is "no ..." / "nobody" ("*no* troops were sent").
- **future**: "will", "shall", "'ll"; "is due / set / scheduled / expected / going /
  poised to"; an infinitive under a verb of intention ("*plans* to", "*vowed* to",
  "*agreed* to", "*ready* to"); "would" in reported speech without a condition ("said
  he would visit"). A date after publication also makes an event future (the event
  stage knows the dates).
- **hypothetical**: the modals could / might / may / should / must / would (outside
  reported speech); a governing "fears / concerns / speculation that ..."; an embedded
  question ("asked *if* he could ..."); a direct question ("?"); the clause is inside a
  condition ("if *X attacks*"); or the clause depends on a condition (the consequent).
- **condition**: the span of an "if / only if / unless / provided (that) / as long as /
  on condition that / in case" clause that governs the predicate, in the article's
  characters ("if so much as one soldier from (Ukraine) comes to our territory ...").

Everything is dependency arithmetic on tokens (no model), so it runs on every clause of
every article; it was hand-written because no maintained library implements clause
modality over spaCy parses for English news.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from flashpoint.model import Modality, Span
from flashpoint.nlp.actors import doc_text

__all__ = [
    "READINESS_FRAMES",
    "Condition",
    "conditions",
    "governors",
    "in_condition",
    "modality_of",
    "span_modality",
]

# --- lexicons -------------------------------------------------------------------------
NEGATION_WORDS = frozenset({"not", "n't", "never", "no", "nt", "neither", "nor"})
NEGATIVE_DETERMINERS = frozenset({"no", "neither"})
NEGATIVE_PRONOUNS = frozenset({"nobody", "nothing", "none", "noone"})
# A verb whose complement did not / will not happen ("denied sending", "refused to go").
NEGATIVE_GOVERNORS = frozenset({
    "deny", "refuse", "decline", "fail", "reject", "avoid", "rule", "stop", "cease",
    "abandon", "forgo", "forego", "halt", "renounce", "dismiss",
})
DENIAL_VERBS = frozenset({"deny", "refute", "dismiss", "reject"})
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "ll"})
# "is due / set / scheduled / going / expected to meet": the infinitive is still to come.
FUTURE_FRAMES = frozenset({
    "due", "set", "scheduled", "expected", "going", "poised", "slated", "about",
    "planned", "likely", "bound", "ready", "prepared", "willing", "eager", "determined",
    "intent", "keen",
})
# Verbs of intention: an infinitive (or that-clause) under them is still to come.
FUTURE_GOVERNORS = frozenset({
    "plan", "promise", "vow", "pledge", "agree", "decide", "intend", "want", "expect",
    "aim", "prepare", "threaten", "offer", "seek", "propose", "undertake", "commit",
    "hope", "schedule", "resolve", "swear", "announce", "move", "vote", "order",
    "urge", "ask", "call", "demand", "request", "invite", "warn", "try", "attempt",
})
# "ready / prepared / willing to fight": a disposition, not an act (also future).
READINESS_FRAMES = frozenset({"ready", "prepared", "willing", "able", "eager", "determined"})
HYPOTHETICAL_AUX = frozenset({"could", "might", "may", "should", "must", "ought", "would",
                              "'d", "can", "cannot", "ca"})
# "can" is ability, not a guess, unless negated or questioned: only these count alone.
WEAK_MODALS = frozenset({"can", "ca", "cannot"})
# Nouns, verbs and adjectives that make their complement an imagined state of affairs.
HYPOTHETICAL_GOVERNORS = frozenset({
    "fear", "worry", "concern", "speculation", "speculate", "rumour", "rumor", "risk",
    "possibility", "possible", "prospect", "scenario", "danger", "suspicion", "wonder",
    "question", "imagine", "suppose", "whether", "unlikely", "likely", "potential",
    "chance", "doubt", "hypothetical", "consider", "mull", "weigh", "threat", "warning",
})
# Verbs of asking / knowing whose "if"-clause is an embedded question, not a condition.
QUESTION_GOVERNORS = frozenset({
    "ask", "wonder", "know", "question", "see", "check", "decide", "determine", "unclear",
    "clear", "sure", "doubt", "tell", "say", "learn", "find", "investigate", "consider",
})
SPEECH_VERBS = frozenset({
    "say", "tell", "add", "announce", "state", "declare", "claim", "insist", "report",
    "write", "explain", "note", "warn", "stress", "confirm", "suggest", "argue", "reply",
    "assert", "indicate", "believe", "think", "predict", "hint", "signal", "vow",
    "promise", "pledge", "repeat", "reiterate", "comment", "acknowledge", "admit",
})
# Subordinators that introduce a condition; "even if" and "as if" do not.
CONDITION_MARKS = frozenset({"if", "unless"})
CONDITION_PARTICIPLES = frozenset({"provided", "providing", "assuming", "given"})
CONDITION_NOT_AFTER = frozenset({"even", "as", "what"})
CONDITION_LEFT_FOCUS = frozenset({"only", "just", "except", "but"})
# Dependencies that link a verb to the verb it complements without a new finite clause.
CHAIN_DEPS = frozenset({"xcomp", "acomp"})
_TRIM = frozenset({"PUNCT", "SPACE"})
_MULTIWORD_MIDDLES = frozenset({"long", "case", "condition"})  # _multiword_condition
_OPEN_QUOTES = frozenset({'"', "“", "'", "‘", "«", "(", "["})


@dataclass(frozen=True)
class Condition:
    """One condition clause of a sentence, as token indices and article characters.

    `first`..`last` are the clause's tokens (inclusive); `anchor` the token whose subtree
    is the clause (its verb, or "provided"/"long"); `attach` the predicate it qualifies.
    """

    first: int
    last: int
    anchor: int
    attach: int
    start: int
    end: int

    def covers(self, token: Token) -> bool:
        return self.first <= token.i <= self.last

    def span(self, text: str) -> Span:
        return Span.of(text, self.start, self.end)


# --- public ---------------------------------------------------------------------------
def modality_of(pred: Token, *, text: str | None = None) -> Modality:
    """The modality of the clause whose predicate (verb, or event noun) is `pred`.

    `text` is the article text the spans index (default: the parsed Doc's text).
    """
    text = text if text is not None else doc_text(pred.doc)
    chain = list(governors(pred))
    negated = _negated(pred, chain)
    cond = _governing_condition(pred)
    inside = in_condition(pred)
    reported = _reported(chain)
    modals = {c.lower_ for t in chain for c in t.children
              if c.dep_ in ("aux", "auxpass") and c.tag_ == "MD"} - FUTURE_AUX
    if "would" in modals or "'d" in modals:
        modals.discard("would")
        modals.discard("'d")
        if reported and cond is None and inside is None:
            future_would = True
        else:
            modals.add("would")
            future_would = False
    else:
        future_would = False
    future = future_would or _future(chain)
    strong_modals = modals - WEAK_MODALS
    hypothetical = bool(
        strong_modals
        or (modals & WEAK_MODALS and _is_question(pred))
        or cond is not None
        or inside is not None
        or _is_question(pred)
        or _hypothetical_governor(pred)
        or any(t.lower_ in READINESS_FRAMES for t in chain[1:])
        or _purpose(chain[-1])
    )
    return Modality(
        negated=negated,
        future=future,
        hypothetical=hypothetical,
        condition=cond.span(text) if cond is not None else None,
    )


def span_modality(span: SpacySpan, *, text: str | None = None) -> Modality:
    """Modality of a clause given as a spaCy span (e.g. a statement's content)."""
    return modality_of(_span_predicate(span), text=text)


def governors(pred: Token) -> Iterator[Token]:
    """`pred`, then the verbs it complements without a new finite clause:
    send <- plan <- (do not) in "do not plan to send", meet <- due <- was."""
    current = pred
    yield current
    for _ in range(6):
        head = current.head
        if head is current:
            return
        if current.dep_ in CHAIN_DEPS or (current.dep_ in ("conj",) and head.pos_ in ("VERB",
                                                                                      "AUX")):
            yield head
            current = head
            continue
        if current.dep_ == "pobj" and head.dep_ == "prep" and current.pos_ == "NOUN":
            return  # an event noun stops at its preposition
        return


def conditions(sent: SpacySpan) -> list[Condition]:
    """Every condition clause in a sentence."""
    doc = sent.doc
    text = doc_text(doc)
    found: list[Condition] = []
    for tok in sent:
        anchor: Token | None = None
        first: Token | None = None
        low = tok.lower_
        if low in CONDITION_MARKS and tok.dep_ == "mark":
            prev = doc[tok.i - 1].lower_ if tok.i > sent.start else ""
            if prev in CONDITION_NOT_AFTER:
                continue
            anchor = tok.head
            if low == "if" and _embedded_question(anchor) and anchor.head.i < tok.i:
                continue
            first = tok
            if prev in CONDITION_LEFT_FOCUS:
                first = doc[tok.i - 1]
        elif low in CONDITION_PARTICIPLES and any(
            c.dep_ in ("pcomp", "ccomp", "advcl") for c in tok.children
        ) and tok.dep_ in ("prep", "advcl", "mark", "advmod"):
            anchor = first = tok
        elif _multiword_condition(tok, sent):
            anchor, first = tok, doc[tok.i - 1]
        if anchor is None or first is None:
            continue
        last = min(anchor.right_edge.i, sent.end - 1)
        while last > first.i and (doc[last].pos_ in _TRIM or doc[last].text in _OPEN_QUOTES):
            last -= 1
        if last < first.i:
            continue
        attach = anchor.head if anchor.head is not anchor else anchor
        if first.i <= attach.i <= last and attach is not anchor:
            attach = anchor
        start = doc[first.i].idx
        end = doc[last].idx + len(doc[last])
        end = min(end, len(text))
        found.append(Condition(first.i, last, anchor.i, attach.i, start, end))
    return found


def _multiword_condition(tok: Token, sent: SpacySpan) -> bool:
    """"as long as ...", "in case ...", "on condition that ...": `tok` is the middle word."""
    doc = tok.doc
    if tok.i <= sent.start or tok.i + 1 >= sent.end:
        return False
    low = tok.lower_
    if low not in _MULTIWORD_MIDDLES:  # most tokens: skip reading neighbours and children
        return False
    prev, nxt = doc[tok.i - 1].lower_, doc[tok.i + 1]
    clauses = {c.dep_ for c in tok.children}
    if low == "long" and prev == "as":
        return "advcl" in clauses
    if low == "case" and prev == "in":
        return bool(clauses & {"acl", "relcl", "advcl", "ccomp"}) and nxt.pos_ != "PUNCT"
    return low == "condition" and prev == "on" and nxt.lower_ == "that"


def in_condition(pred: Token) -> Condition | None:
    """The condition clause `pred` is inside ("attacks" in "if X attacks"), if any."""
    for cond in _sentence_conditions(pred):
        if cond.covers(pred):
            return cond
    return None


# --- internals ------------------------------------------------------------------------
def _sentence_conditions(pred: Token) -> list[Condition]:
    """Conditions of `pred`'s sentence, computed once per sentence and cached on the Doc."""
    doc: Doc = pred.doc
    cache: dict[int, list[Condition]] = doc.user_data.setdefault("flashpoint_conditions", {})
    sent = pred.sent
    found = cache.get(sent.start)
    if found is None:
        found = cache[sent.start] = conditions(sent)
    return found


def _governing_condition(pred: Token) -> Condition | None:
    """The condition that qualifies `pred` (it is the consequent), if any."""
    doc = pred.doc
    best: Condition | None = None
    inside = in_condition(pred)
    for cond in _sentence_conditions(pred):
        if cond.covers(pred):
            continue
        if inside is not None and not (inside.first <= cond.first and cond.last <= inside.last):
            continue  # a condition's own clause is qualified only by conditions within it
        attach, anchor = doc[cond.attach], doc[cond.anchor]
        governs = _dominates(attach, pred) or (anchor.i == attach.i and _dominates(anchor, pred))
        # a misattached condition inside the predicate's own clause still qualifies it
        governs = governs or pred.is_ancestor(anchor)
        if governs and (best is None or abs(cond.first - pred.i) < abs(best.first - pred.i)):
            best = cond
    return best


def _dominates(top: Token, token: Token) -> bool:
    """`top` is `token` or one of its ancestors."""
    return top.i == token.i or top.is_ancestor(token)


def _negated(pred: Token, chain: list[Token]) -> bool:
    # a negation does not spread over coordination ("did not claim it and blamed ...")
    cut = next((i for i, t in enumerate(chain[:-1]) if t.dep_ == "conj"), None)
    if cut is not None:
        chain = chain[: cut + 1]
    for i, tok in enumerate(chain):
        for c in tok.children:
            if c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ == "never"):
                return True
            if c.dep_ in ("nsubj", "nsubjpass", "dobj") and (
                c.lower_ in NEGATIVE_PRONOUNS
                or any(d.dep_ == "det" and d.lower_ in NEGATIVE_DETERMINERS
                       for d in c.children)
            ):
                return True
        if i > 0 and tok.lemma_.lower() in NEGATIVE_GOVERNORS:
            return True
    # "denied that its troops crossed", "denied that it allows militants to attack": a
    # clause (or gerund) under a denial, up to three clause links away.
    cur = chain[-1]
    for _ in range(3):
        if cur.dep_ not in ("ccomp", "dobj", "pcomp", "xcomp") or cur.head is cur:
            break
        head = cur.head
        if head.lemma_.lower() in DENIAL_VERBS and head.pos_ == "VERB":
            return not any(c.dep_ == "neg" for c in head.children)  # "did not deny"
        if head.lemma_.lower() in SPEECH_VERBS:
            break
        cur = head
    return False


def _future(chain: list[Token]) -> bool:
    for i, tok in enumerate(chain):
        if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in tok.children):
            return True
        if i > 0 and tok.lower_ in FUTURE_FRAMES:
            return True
        if i > 0 and tok.lemma_.lower() in FUTURE_GOVERNORS and tok.pos_ == "VERB":
            return True
        if i > 0 and tok.lower_ in ("plans", "plan") and tok.pos_ == "NOUN":
            return True
    return False


def _purpose(verb: Token) -> bool:
    """'came with a gun *to kill*', 'use territory *to launch* attacks': an aim."""
    return verb.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to"
                                        for c in verb.children)


def _reported(chain: list[Token]) -> bool:
    """The clause is the complement of a speech verb ("said he would visit")."""
    top = chain[-1]
    return top.dep_ in ("ccomp", "parataxis") and top.head.lemma_.lower() in SPEECH_VERBS


def _is_question(pred: Token) -> bool:
    sent = pred.sent
    last = sent[-1]
    for tok in reversed(sent):
        if tok.pos_ != "PUNCT" or tok.text == "?":
            last = tok
            break
    return last.text == "?"


def _embedded_question(verb: Token) -> bool:
    head = verb.head
    return verb.dep_ in ("ccomp", "advcl", "dobj") and head is not verb and (
        head.lemma_.lower() in QUESTION_GOVERNORS
    )


def _hypothetical_governor(pred: Token) -> bool:
    """Walks up through clause links: "fears (have grown) that Belarus could announce"."""
    current = pred
    for _ in range(8):
        head = current.head
        if head is current:
            break
        if current.dep_ in ("ccomp", "acl", "advcl", "xcomp", "relcl", "pcomp", "pobj",
                            "dobj", "conj"):
            if head.lemma_.lower() in HYPOTHETICAL_GOVERNORS:
                return True
            # "fears have grown that ...": the that-clause hangs from the verb whose
            # subject is the fear noun.
            if current.dep_ == "ccomp" and any(
                c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in HYPOTHETICAL_GOVERNORS
                for c in head.children
            ):
                return True
            if current.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in ("if", "whether") for c in current.children
            ) and _embedded_question(current):
                return True
            if current.dep_ in ("ccomp", "advcl") and any(
                c.dep_ == "mark" and c.lower_ == "whether" for c in current.children
            ):
                return True
        if current.dep_ in ("ccomp", "parataxis") and head.lemma_.lower() in SPEECH_VERBS:
            break  # a report of the clause, not a doubt about it
        current = head
    return False


def _span_predicate(span: SpacySpan) -> Token:
    """The main verb of a clause span (its syntactic root, or the first verb in it)."""
    root = span.root
    if root.pos_ in ("VERB", "AUX"):
        return root
    for tok in span:
        if tok.pos_ == "VERB":
            return tok
    return root
