"""Syntactic cues of a sentence for the learned typer: its governing verb and what it governs.

    >>> from flashpoint.nlp.pipeline import load_nlp
    >>> doc = load_nlp()("Zarif has condemned a U.S. court decision.")
    >>> cue_string(doc.sents)
    'v=condemn o=decision vo=condemn_decision'

Why: a news sentence is long and most of its words (names, dates, places, attributions)
say nothing about the event type, so a bag of its words and character n-grams hears the
event's verb as one voice among thirty. The event is mostly carried by the clause's
governing verb ("condemned"), its object ("a decision"), the infinitive it controls
("agreed *to undertake* an exercise"), its particle ("backed *down*") and its
prepositions ("called *for* sanctions"). The typer gives these cues a TF-IDF block of
their own (`flashpoint.extract.typer`), so the same words weigh more when they are the
event. For a sentence whose main verb reports ("..., a spokesman *said*") the cues are
those of the verb reported, as the event stage reads it.

The cues are read from spaCy's dependency parse (the NLP core's parse in the event stage,
the same model's parse at training time), so they cost a few microseconds per sentence
once the sentence is parsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.tokens import Span, Token

__all__ = ["REPORTING_LEMMAS", "cue_string", "cue_tokens", "parse_cues", "reported"]

# Main verbs that report another clause ("..., officials said").
REPORTING_LEMMAS = frozenset({"say", "tell", "report", "announce", "state", "add", "claim"})
# Dependents that say what a verb acts on ("condemned *a decision*", "was *attacked*":
# the passive subject, "called him *a murderer*").
_OBJECT_DEPS = frozenset({"dobj", "nsubjpass", "attr", "oprd"})


def reported(root: Token) -> Token:
    """The verb of what was reported, for a sentence whose main verb reports it ("the
    government *ordered* ..., a spokesman said"); else the main verb itself."""
    if root.lemma_ not in REPORTING_LEMMAS:
        return root
    return next((c for c in root.children if c.dep_ == "ccomp" and c.pos_ in ("VERB", "AUX")),
                root)


def _word(tok: Token) -> str:
    return "_".join((tok.lemma_ or tok.text).lower().split()) or "_"


def _verb_cues(verb: Token, prefix: str, out: list[str]) -> None:
    lemma = _word(verb)
    out.append(f"{prefix}v={lemma}")
    for child in verb.children:
        dep = child.dep_
        if dep in _OBJECT_DEPS:
            obj = _word(child)
            out += [f"{prefix}o={obj}", f"{prefix}vo={lemma}_{obj}"]
        elif dep == "xcomp" and child.pos_ in ("VERB", "AUX"):
            inf = _word(child)
            out += [f"{prefix}x={inf}", f"{prefix}vx={lemma}_{inf}"]
            out += [f"{prefix}xo={_word(c)}" for c in child.children if c.dep_ == "dobj"]
        elif dep == "prep":
            out.append(f"{prefix}p={lemma}_{child.lower_}")
            out += [f"{prefix}po={child.lower_}_{_word(c)}" for c in child.children
                    if c.dep_ == "pobj"]
        elif dep == "neg":
            out.append(f"{prefix}neg")
        elif dep == "prt":
            out.append(f"{prefix}vp={lemma}_{child.lower_}")


def cue_tokens(sent: Span) -> list[str]:
    """The cues of one sentence: its governing verb (the verb reported, under "said"), the
    verb's object, infinitive, prepositions, particle and negation, and the same for verbs
    coordinated with it (prefixed `c`); the reporting verb itself as `r=`."""
    root = sent.root
    out: list[str] = []
    pred = reported(root)
    if pred is not root:
        out.append(f"r={_word(root)}")
    _verb_cues(pred, "", out)
    for child in pred.children:
        if child.dep_ == "conj" and child.pos_ == "VERB":
            _verb_cues(child, "c", out)
    return out


def cue_string(sents: Iterable[Span]) -> str:
    """The cues of a text's sentences as one whitespace-separated string (the typer's
    input for its cue block)."""
    return " ".join(tok for sent in sents for tok in cue_tokens(sent))


def parse_cues(texts: Sequence[str]) -> list[str]:
    """Cues of raw texts, parsed with the NLP core's spaCy pipeline (for callers of the
    typer that have no parse: training, benchmarks, `EventTyper.predict` alone)."""
    from flashpoint.nlp.pipeline import load_nlp  # the model loads on first use only

    nlp = load_nlp()
    return [cue_string(doc.sents) for doc in nlp.pipe(texts, batch_size=64)]
