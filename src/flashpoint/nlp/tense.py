"""The tense of the clause around a character offset, from the dependency parse.

Date resolution needs it: "said Thursday" is the Thursday before the dateline, "due to
meet on Friday" the Friday after. Wire copy marks the future with "will"/"shall", with
"is due / scheduled / set / expected / going to", and with plans ("plans to visit"), so
those count as future even when the governing verb is past ("was due to meet"), as do
"would" in reported speech ("said he would meet ... on Friday") and an infinitive under a
verb of intention ("agreed to meet again on Tuesday").
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc, Token

from flashpoint.nlp.dates import Tense

FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "would"})
# "agreed to meet on Tuesday": an infinitive under these verbs is still to come.
FUTURE_GOVERNORS = frozenset({"agree", "plan", "promise", "vow", "pledge", "decide", "hope",
                              "intend", "want", "expect", "aim", "prepare", "threaten",
                              "offer", "seek", "try", "propose", "undertake", "commit"})
FUTURE_MARKERS = frozenset({"due", "scheduled", "set", "expected", "going", "planned",
                            "plan", "plans", "planning", "intend", "intends", "aim", "aims",
                            "poised", "slated", "to"})
PAST_TAGS = frozenset({"VBD", "VBN"})


def _verb_of(token: Token) -> Token:
    """The nearest verb (or predicative adjective like "due") governing `token`."""
    current = token
    for _ in range(8):
        if current.pos_ in ("VERB", "AUX") or current.lower_ in FUTURE_MARKERS:
            return current
        if current.head is current:
            return current
        current = current.head
    return current


def clause_tense(verb: Token) -> Tense | None:
    """Past, present or future for the clause headed by `verb`."""
    chain = [verb]
    head = verb
    for _ in range(3):  # "was due to meet": meet <- due <- was
        if head.dep_ in ("xcomp", "acomp", "ccomp", "advcl") or head.head.lower_ in FUTURE_MARKERS:
            head = head.head
            chain.append(head)
        else:
            break
    for token in chain:
        if token.lower_ in FUTURE_MARKERS - {"to"}:
            return "future"
        if token.dep_ == "xcomp" and token.head.lemma_ in FUTURE_GOVERNORS and any(
            c.lower_ == "to" and c.dep_ == "aux" for c in token.children
        ):
            return "future"
        if any(c.lower_ in FUTURE_AUX and c.dep_ == "aux" for c in token.children):
            return "future"
    if verb.tag_ in PAST_TAGS or any(
        c.dep_ in ("aux", "auxpass") and c.tag_ in PAST_TAGS for c in verb.children
    ):
        return "past"
    if verb.tag_ in ("VBP", "VBZ"):
        return "present"
    return None


def tense_lookup(doc: Doc) -> Callable[[int], Tense | None]:
    """A function from character offset to the tense of the clause there."""

    def tense_at(offset: int) -> Tense | None:
        span = doc.char_span(offset, offset + 1, alignment_mode="expand")
        if span is None or len(span) == 0:
            return None
        return clause_tense(_verb_of(span[0]))

    return tense_at
