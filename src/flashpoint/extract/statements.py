"""Statements: who said, believes or intends what, in which words.

Three passes over the parsed article, then one reconciliation:

1. **Quotes** (`quotes.find_quotes`): every passage between quotation marks, multi-paragraph
   quotes joined.
2. **Cue clauses**: every word of the cue lexicon (`cues.py`) used as a predicate with a
   complement - a clause ("said (that) ..."), a to-infinitive ("vowed to ..."), an object
   ("criticized the plan") - plus "according to X" and participles ("..., citing X").
   The complement is the content, the subject the speaker.
3. **Direct quotes** get their speaker from a cue after the quote (`"...," he said`), before
   it in the same sentence (`he said, "..."`), at the end of the previous paragraph
   (`he said:`), or, with no cue at all, from the nearest statement around it.

Reconciliation follows how attribution corpora (PolNeAR) count: each word belongs to at most
one statement. A quote inside reported speech ("would join ... 'only if attacked'") stays
part of that statement (a mixed quote, `direct` false); a quote that is the whole complement
of a cue is a direct statement; a quote interrupted by its cue (`"A," he said, "B."`) is
one statement whose content covers both parts (its speaker and cue lie inside the content).

Speakers resolve to actors through the NLP core's mentions (names, descriptors such as "the
veteran strongman", pronouns through coreference, metonyms such as "Warsaw").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Protocol, TypeVar

from spacy.tokens import Doc, Token

from flashpoint.extract.cues import Cue, CueLexicon, load_cues
from flashpoint.extract.lookup import Lookup
from flashpoint.extract.modality import modality_of
from flashpoint.extract.quotes import Quote, find_quotes, paragraphs
from flashpoint.extract.roles import agent_of
from flashpoint.extract.statement_model import (
    Candidate,
    OpenCueLexicon,
    StatementModel,
    features,
    load_model,
)
from flashpoint.model import Actor, Mention, Modality, Span, Statement
from flashpoint.nlp.actors import doc_text
from flashpoint.pipeline import Draft

SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
OBJECTS = frozenset({"dobj", "obj", "attr", "oprd"})
# Prepositions whose object is the content of an object-frame cue ("called for X",
# "talked about X", "warned of X", "accused X of Y" keeps X).
CONTENT_PREPS = frozenset({"for", "about", "of", "on", "against", "to"})
# Participles and clauses that hang off another predicate and share its subject.
SHARED_SUBJECT_DEPS = frozenset({"advcl", "xcomp", "conj", "acl", "pcomp", "relcl", "prep"})
# A quote signed with a dash and a name on the same line: `"..." ― Jane Doe`.
_DASH_SIGNATURE = re.compile(
    r"[ \t\u00a0]*([\u2015\u2014\u2013]|--)[ \t\u00a0]*"
    r"([A-Z][\w.'\u2019-]*(?:[ \t\u00a0]+(?:[A-Z][\w.'\u2019-]*|de|del|van|von|la|al)){0,5})")
RELATIVE_TAGS = frozenset({"WDT", "WP"})
CUE_POS = frozenset({"VERB", "AUX", "ADJ", "NOUN"})
PERSONAL = frozenset({"he", "she", "they", "i", "we", "it"})
MIN_DIRECT_WORDS = 4  # shorter quotes with no cue of their own are scare quotes or titles
CONTEXT_PARAGRAPHS = 2  # how far a cue-less quote looks for its speaker
_EDGE = " \t\n,;:-\u2013\u2014"
HOSTILE = frozenset({
    "retaliate", "retaliation", "respond", "response", "revenge", "punish", "punishment",
    "attack", "strike", "destroy", "crush", "war", "fight", "force", "consequence",
    "consequences", "cruel", "harsh", "sanction", "sanctions", "hit", "pay",
})


@dataclass
class _Found:
    """A statement before ids and actors are attached."""

    content: tuple[int, int]
    direct: bool
    kind: str = "speech"
    function: str | None = None
    cue: tuple[int, int] | None = None
    speaker: tuple[int, int] | None = None
    speaker_head: int | None = None  # token index
    predicate: int | None = None  # token index of the cue predicate
    content_head: int | None = None
    head_char: int | None = None  # where the complement's head word starts
    parts: list[tuple[int, int]] = field(default_factory=list)
    whole: bool = False  # a quote that is the whole complement of its cue


class _Tokens:
    """Character-offset lookups into a Doc."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.starts = [t.idx for t in doc]

    def at(self, char: int) -> int:
        """Index of the token containing or starting after `char`."""
        i = bisect.bisect_right(self.starts, char) - 1
        return max(i, 0)

    def within(self, start: int, end: int) -> range:
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return range(lo, hi)


def _extent(tokens: Iterable[Token]) -> tuple[int, int]:
    toks = list(tokens)
    return min(t.idx for t in toks), max(t.idx + len(t.text) for t in toks)


def _clip_paragraph(text: str, anchor: int, start: int, end: int) -> tuple[int, int]:
    """Keep [start, end) within the paragraph (line) holding `anchor`: a parse that joins
    two paragraphs must not make one statement of them."""
    para_start = text.rfind("\n", 0, anchor) + 1
    para_end = text.find("\n", anchor)
    para_end = len(text) if para_end < 0 else para_end
    return max(start, para_start), min(end, para_end)


def _content_span(text: str, anchor: int, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) kept within the paragraph of `anchor` and trimmed; None when less
    than two characters are left (no content worth a statement)."""
    start, end = _trim(text, *_clip_paragraph(text, anchor, start, end))
    dangling = _DANGLING.search(text, start, end)
    if dangling is not None and dangling.start() > start:
        start, end = _trim(text, start, dangling.start())
    return (start, end) if end - start >= 2 else None


# A conjunction left at the content's end when the parser hung its conjunct elsewhere
# ("declined to threaten Moscow or" | "even directly declare it responsible").
_DANGLING = re.compile(r"[\s,]+(?:and|or|but|nor)\Z", re.IGNORECASE)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop spaces and clause punctuation at both edges (never quote marks or '.')."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def _subtree_extent(head: Token, exclude: set[int] | None = None) -> tuple[int, int]:
    """Character extent of `head`'s subtree, stopping at excluded tokens' subtrees."""
    exclude = exclude or set()
    toks = [t for t in head.subtree if t.i not in exclude]
    return _extent(toks or [head])


def _subject(pred: Token) -> Token | None:
    """The subject of `pred`, looking up through participles, conjuncts and infinitives."""
    tok: Token | None = pred
    for _ in range(4):
        if tok is None:
            break
        for child in tok.children:
            if child.dep_ in SUBJECTS:
                if child.tag_ in RELATIVE_TAGS and tok.dep_ == "relcl":
                    return tok.head  # "officials who said ...": the officials said it
                return child
            if child.dep_ == "agent":
                objs = [c for c in child.children if c.dep_ == "pobj"]
                if objs:
                    return objs[0]
        if tok.dep_ in SHARED_SUBJECT_DEPS and tok.head.i != tok.i:
            tok = tok.head
        else:
            break
    return None


def _is_cue_verb(tok: Token) -> bool:
    cues = load_cues()
    return tok.lemma_.lower() in cues and cues.get(tok.lemma_.lower(), "c") is not None


def _speaker_extent(subject: Token) -> tuple[int, int]:
    """The subject noun phrase, without a trailing relative clause or apposition tail."""
    inside = range(subject.left_edge.i, subject.right_edge.i + 1)
    keep = [t for t in subject.subtree
            if not any(a.dep_ in ("relcl", "acl") and a.i != subject.i
                       for a in t.ancestors if a.i in inside)
            # "the Coast Guard, which said ...": a relative clause that is the cue itself
            and not (t.dep_ == "relcl" and _is_cue_verb(t))]
    while len(keep) > 1 and keep[-1].tag_ in RELATIVE_TAGS:
        keep.pop()
    start, end = _extent(keep or [subject])
    # never across a paragraph break (a photo caption parsed into the next sentence)
    text = doc_text(subject.doc)
    return _clip_paragraph(text, subject.idx, start, end)


class StatementFinder:
    """Finds statements in one parsed article."""

    def __init__(self, lexicon: CueLexicon | None = None,
                 model: StatementModel | None | bool = True) -> None:
        """`model`: the learned statement model (`statement_model.py`); True loads the
        shipped one, False or None runs the rule finders alone."""
        self.cues = lexicon or load_cues()
        self.model: StatementModel | None = (
            load_model() if model is True else model if isinstance(model, StatementModel)
            else None)
        self._open: StatementFinder | None = None

    @property
    def open_finder(self) -> StatementFinder:
        """The same finder over the open lexicon (every lemma a possible cue)."""
        if self._open is None:
            self._open = StatementFinder(OpenCueLexicon(self.cues), model=False)
        return self._open

    # --- cue clauses -----------------------------------------------------------------
    def cue_clauses(self, doc: Doc, text: str, quoted: list[tuple[int, int]]) -> list[_Found]:
        found: list[_Found] = []
        inside = _Inside(quoted)
        for tok in doc:
            if inside(tok.idx):
                continue
            if tok.lower_ == "according":
                item = self._according(tok, text)
                if item:
                    found.append(item)
                continue
            if tok.pos_ not in CUE_POS or tok.lemma_.lower() not in self.cues:
                continue
            item = self._clause(tok, text)
            if item is not None:
                found.append(item)
        return found

    def _clause(self, pred: Token, text: str) -> _Found | None:
        lemma = pred.lemma_.lower()
        complement, frame = _complement(pred)
        if complement is None:
            return self._passive(pred, text) or self._parenthetical(pred, text)
        if pred.pos_ == "NOUN":
            if frame == "o":
                frame = "n"  # "his criticism of the plan": the object of the noun's preposition
            elif frame != "c":
                return None
        raised = _raised_subject(pred, lemma, frame)
        cue = self.cues.get(lemma, frame) or (self.cues.get(lemma, "c") if raised else None)
        if cue is None:
            return None
        if raised is not None:
            return self._raising(pred, raised, complement, cue, text)
        subject = _subject(pred) if pred.pos_ != "NOUN" else _owner(pred)
        exclude = {pred.i}
        if subject is not None:
            # a subject found above the cue ("officials who said ...") holds the cue in its
            # subtree: leave out only the words before the cue clause
            exclude |= {t.i for t in subject.subtree
                        if t.i < pred.left_edge.i or not subject.is_ancestor(pred)}
        exclude |= self._inner_statements(complement)
        exclude |= {c.i for c in complement.children if c.dep_ == "mark" and c.lower_ == "for"}
        exclude |= _trailing_relative(complement)
        start, end = _subtree_extent(complement, exclude)
        if frame == "c" and complement.i < pred.i:
            # "The plan is dead, officials said": the content ends before the cue, unless
            # the sentence goes on with a clause ("..., Graham said, since most of them ...")
            tail = [c for c in pred.children if c.i > pred.i and c.dep_ == "advcl"
                    and c.pos_ in ("VERB", "AUX") and c.lemma_.lower() not in self.cues
                    and any(m.dep_ == "mark" and m.lower_ in _REASON_MARKS
                            for m in c.children)]
            if text[complement.left_edge.idx - 1:complement.left_edge.idx] in _QUOTE_MARKS:
                tail = []  # a quote before its cue ends where the quote ends
            if tail:
                end = max(end, _extent(tail[-1].subtree)[1])
            else:
                # the cue clause starts after the content ("..., said Howard Rubel": the
                # cue's own left edge is the content's, as the content hangs from it)
                clause = [t for t in pred.subtree
                          if t.i > complement.right_edge.i and not t.is_punct] or [pred]
                end = min(end, min(t.idx for t in clause))
        elif frame == "o":
            end = max(end, _object_tail(pred, complement))
            named = [c for c in pred.children if c.dep_ == "oprd" and c.i > complement.i]
            if named and text[named[0].left_edge.idx - 1:named[0].left_edge.idx] in _QUOTE_MARKS:
                # 'call them "lone wolves"': the quoted name is what is said
                start, end = named[0].left_edge.idx - 1, _extent(named[0].subtree)[1] + 1
        elif frame == "t":
            objects = [c for c in pred.children if c.dep_ in OBJECTS and c.i < complement.i]
            objects += [o for c in pred.children if c.dep_ == "prep" and c.lower_ == "on"
                        and c.i < complement.i for o in c.children if o.dep_ == "pobj"]
            if objects:  # "told his advisers to find a way", "called on Congress to act":
                start = min(start, min(o.left_edge.idx for o in objects))  # content too
        if frame in ("c", "t") and complement.i > pred.i and complement.dep_ not in (
                "advmod", "intj"):  # "said so / yes in the poll": nothing more was said
            more = self._reported_conjunct(pred, complement)
            if more is not None:
                end = max(end, _extent(more.subtree)[1])
            end = max(end, self._reported_tail(pred, complement))
        content = _content_span(text, pred.idx, start, end)
        if content is None:
            return None
        speaker = _speaker_extent(subject) if subject is not None else None
        return _Found(
            content=content, direct=False, kind=cue.kind, function=cue.function,
            cue=_cue_extent(pred), speaker=speaker,
            speaker_head=subject.i if subject is not None else None,
            predicate=pred.i, content_head=complement.i, head_char=complement.idx,
        )

    def _raising(self, pred: Token, raised: Token, complement: Token, cue: Cue,
                 text: str) -> _Found | None:
        """"Clinton is expected to win", "the deal appears to have stalled": the subject
        belongs to what is expected or appears, not to a speaker (PolNeAR annotates the
        subject and the infinitive as one content around the cue; `content_parts` gives
        the two). The speaker is the "by" agent, if any."""
        start = _extent(raised.subtree)[0]
        end = _subtree_extent(complement, _trailing_relative(complement))[1]
        cue_toks = [t for t in pred.children if raised.right_edge.i < t.i < pred.i
                    and not t.is_punct] + [pred]
        agent = agent_of(pred)
        content = _content_span(text, pred.idx, start, end)
        if content is None:
            return None
        return _Found(content=content, direct=False, kind=cue.kind, function=cue.function,
                      cue=_extent(cue_toks),
                      speaker=_speaker_extent(agent) if agent is not None else None,
                      speaker_head=agent.i if agent is not None else None,
                      predicate=pred.i, content_head=complement.i, head_char=complement.idx)

    def _reported_tail(self, pred: Token, complement: Token) -> int:
        """Where the words the parser hung on the cue after its complement end: PolNeAR
        annotators take them into the content ("said the event brought back memories of
        her father, and of ''all the people ...''"; "notes that X would owe $212 billion,
        if they were taxed properly"), up to a new cue ("..., and added that ...")."""
        end = 0
        for child in pred.children:
            if child.i <= complement.right_edge.i or child.is_punct or child.dep_ == "cc":
                continue
            # a listed cue (`entries`: the open lexicon's generic ones would stop at any verb)
            if child.lemma_.lower() in self.cues.entries and child.pos_ in ("VERB", "AUX"):
                break
            if child.dep_ not in _TAIL_DEPS:
                break
            if (child.dep_ == "conj" and _finite(child)
                    and any(c.dep_ in SUBJECTS for c in child.children)):
                break  # "said A, and he left the room": a new clause of the writer's
            if child.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in _CONTRAST
                                             for m in child.children):
                break  # "said A, while others said B": the writer's contrast
            if any(self._is_speech_cue(t) and any(c.dep_ in SUBJECTS for c in t.children)
                   for t in child.subtree):
                break  # "..., compared with 23 percent who said B": B is their statement
            end = max(end, _extent(child.subtree)[1])
        return end

    def _reported_conjunct(self, pred: Token, complement: Token) -> Token | None:
        """A second reported clause the parser hung on the cue instead of on the first
        ("announced that X was careless and would face punishment, but that ..."): a
        conjunct of the cue after its complement that opens with "that" (also when it is a
        cue itself: "said X and that the footage did not show Y"). The last such one.
        (Taking conjuncts with a subject or a modal of their own too lost as much as it
        won on PolNeAR.)"""
        found = None
        for conj in pred.children:
            if conj.dep_ != "conj" or conj.i < complement.i or conj.pos_ not in ("VERB", "AUX"):
                continue
            kids = list(conj.children)
            if any(c.dep_ == "mark" and c.lower_ == "that" for c in kids):
                found = conj
        return found

    def _inner_statements(self, complement: Token) -> set[int]:
        """Tokens of a speech cue coordinated with the content's head ("X promised A and
        said B"): B is a statement of its own. (Excluding subordinate cues too, ", arguing
        that B", lost more than it won on PolNeAR dev: annotators keep them in.)"""
        out: set[int] = set()
        for tok in complement.subtree:
            if tok.i == complement.i or tok.dep_ != "conj" or tok.head.i != complement.i:
                continue
            if any(c.dep_ == "mark" and c.lower_ == "that" for c in tok.children):
                continue  # "said A and that the footage did not show B": still reported
            entry = self.cues.get(tok.lemma_.lower(), "c")
            if entry is None or entry.kind != "speech" or _complement(tok)[1] not in ("c", "q"):
                continue
            if any(t.i in out for t in tok.ancestors):
                continue
            out |= {t.i for t in tok.subtree}
            lead = tok.left_edge.i - 1
            while lead > complement.left_edge.i and (tok.doc[lead].is_punct
                                                     or tok.doc[lead].dep_ == "cc"):
                out.add(lead)
                lead -= 1
        return out

    def _passive(self, pred: Token, text: str) -> _Found | None:
        """"The meeting was first reported by the local paper": the passive subject of an
        object-taking cue is what was said, the "by" agent who said it."""
        lemma = pred.lemma_.lower()
        cue = self.cues.get(lemma, "o") or self.cues.get(lemma, "c")
        if cue is None or pred.pos_ != "VERB" or pred.tag_ != "VBN":
            return None
        subject = next((c for c in pred.children if c.dep_ == "nsubjpass"), None)
        agent = agent_of(pred)
        if subject is None or subject.tag_ in RELATIVE_TAGS:
            return None
        if agent is None:
            # "the senator is seen as the stronger candidate": what is seen, around the cue
            as_phrase = next((c for c in pred.children if c.dep_ == "prep"
                              and c.lower_ == "as" and c.i > pred.i), None)
            if as_phrase is None or lemma not in _AS_PASSIVE:
                return None
            return self._raising(pred, subject, as_phrase, cue, text)
        content = _content_span(text, pred.idx,
                                *_subtree_extent(subject, _trailing_relative(subject)))
        if content is None:
            return None
        return _Found(content=content, direct=False, kind=cue.kind, function=cue.function,
                      cue=_cue_extent(pred), speaker=_speaker_extent(agent),
                      speaker_head=agent.i, predicate=pred.i, content_head=subject.i,
                      head_char=subject.idx)

    def _parenthetical(self, pred: Token, text: str) -> _Found | None:
        """"But to prevent problems, he said, officials should be vigilant": a speech cue
        hanging off the clause it reports (parataxis); the content is that clause."""
        cue = self.cues.get(pred.lemma_.lower(), "c")
        if (cue is None or cue.kind != "speech" or pred.pos_ != "VERB"
                or pred.dep_ not in ("parataxis", "advcl", "conj", "ccomp") or pred.head.i == pred.i
                or pred.head.pos_ not in ("VERB", "AUX")):
            return None
        head_complement = _complement(pred.head)[0] if pred.dep_ == "ccomp" else None
        if head_complement is not None and head_complement.i == pred.i:
            return None  # "Trump said he was joking": the content of "said", not its frame
        subject = _subject(pred)
        if subject is None or subject.head.i != pred.i:
            return None
        head = pred.head
        exclude = {t.i for t in pred.subtree}
        start, end = _subtree_extent(head, exclude)
        if not start <= pred.idx <= end:
            # the cue follows its clause ("X is true, he said."): content stops before it
            end = min(end, pred.left_edge.idx)
        content = _content_span(text, pred.idx, start, end)
        if content is None or len(re.findall(r"\w+", text[slice(*content)])) < 3:
            return None
        return _Found(content=content, direct=False, kind="speech", function=cue.function,
                      cue=_cue_extent(pred), speaker=_speaker_extent(subject),
                      speaker_head=subject.i, predicate=pred.i, content_head=head.i,
                      head_char=head.idx)

    def _according(self, tok: Token, text: str) -> _Found | None:
        to, source = _according_source(tok)
        if source is None:
            return None
        clause = tok.head
        while clause.head.i != clause.i and not (
                clause.dep_ in ("ROOT", "conj")
                or clause.dep_ == "ccomp" and clause.head.lemma_.lower() in self.cues):
            clause = clause.head  # up to the clause, or to what a cue reports
        exclude = {t.i for t in tok.subtree}
        start, end = _subtree_extent(clause, exclude)
        # keep the side of the clause the phrase does not sit in the middle of, unless it
        # sits between the subject and its verb ("fundraising, according to X, has
        # surged": content_parts gives the two sides)
        subject = next((c for c in clause.children if c.dep_ in SUBJECTS), None)
        if tok.i > clause.i:
            end = min(end, tok.idx)
        elif ((subject is None or not subject.i < tok.i < clause.i)
              and tok.right_edge.i + 1 < len(tok.doc)):
            start = max(start, tok.doc[tok.right_edge.i + 1].idx)
        start, end = _trim(text, start, end)
        if end - start < 2:
            return None
        return _Found(content=(start, end), direct=False, cue=_extent([tok, to] if to else [tok]),
                      speaker=_speaker_extent(source), speaker_head=source.i,
                      predicate=clause.i, content_head=clause.i, head_char=clause.idx)

    # --- direct quotes ---------------------------------------------------------------
    def direct(self, doc: Doc, text: str, quotes: list[Quote], tokens: _Tokens) -> list[_Found]:
        out: list[_Found] = []
        for quote in quotes:
            cue, subject = self._trailing(quote, doc, text, tokens)
            if cue is None:
                cue, subject = self._leading(quote, doc, text, tokens)
            item = _Found(content=(quote.start, quote.end), direct=True,
                          parts=[(quote.start, quote.end)])
            if cue is not None:
                entry = self.cues.get(cue.lemma_.lower(), "q") or self.cues.get(
                    cue.lemma_.lower(), "c")
                item.cue = _cue_extent(cue)
                item.predicate = cue.i
                item.kind = entry.kind if entry else "speech"
                item.function = entry.function if entry else None
                if subject is not None:
                    item.speaker = _speaker_extent(subject)
                    item.speaker_head = subject.i
            else:
                signed = _DASH_SIGNATURE.match(text, quote.end)
                if signed:  # “...” ― Pamela Padilla (vox pops, epigraphs)
                    item.cue = signed.span(1)
                    item.speaker = signed.span(2)
                    item.speaker_head = tokens.at(signed.start(2))
                    item.whole = True
            out.append(item)
        # a nickname inside a speaker's name (Marcia "Cia" Price) is not a quote
        return [item for item in out
                if not any(o.speaker and o.speaker[0] <= item.content[0]
                           and item.content[1] <= o.speaker[1] for o in out)]

    def _is_speech_cue(self, tok: Token) -> bool:
        lemma = tok.lemma_.lower()
        if tok.pos_ not in ("VERB", "AUX"):
            return False
        cue = self.cues.get(lemma, "q") or self.cues.get(lemma, "c")
        return cue is not None and cue.kind == "speech"

    def _trailing(self, quote: Quote, doc: Doc, text: str,
                  tokens: _Tokens) -> tuple[Token | None, Token | None]:
        """`"...," he said` / `"...," said the minister` / `"...," Smith told reporters`."""
        last = quote.parts[-1][1]
        para_end = text.find("\n", last)
        para_end = len(text) if para_end < 0 else para_end
        window = [doc[i] for i in tokens.within(last, para_end)[:40]]  # not the paragraph
        for n, tok in enumerate(window):
            if tok.text in ('"', "\u201c", "\u201e") or (n > 0 and tok.text in (".", "!", "?")
                                                        and not _cue_seen(window[:n], self)):
                break
            if tok.lower_ == "according":
                src = _according_source(tok)[1]
                if src is not None:
                    return tok, src
            if self._is_speech_cue(tok):
                subject = _subject(tok)
                if subject is not None and subject.idx >= quote.start and subject.idx < last:
                    subject = None  # a subject inside the quote: not this quote's speaker
                return tok, subject
        return None, None

    def _leading(self, quote: Quote, doc: Doc, text: str,
                 tokens: _Tokens) -> tuple[Token | None, Token | None]:
        """`he said, "..."` in the same sentence, or `he said:` ending the last paragraph."""
        first = tokens.at(quote.start)
        if first >= len(doc):
            return None, None
        para_start = text.rfind("\n", 0, quote.start) + 1
        before = text[para_start:quote.start].strip()
        if before:
            lo = tokens.at(para_start)
            candidates = [doc[i] for i in range(first - 1, max(lo, first - 25) - 1, -1)]
            sent_start = doc[first].sent.start if doc[first].sent is not None else lo
            for tok in candidates:
                if tok.i < sent_start and not before.endswith(":"):
                    break
                if tok.text in ('"', "\u201d", "\u201c") and tok.idx < quote.start:
                    break
                if tok.text in (".", "!", "?") and not before.endswith(":"):
                    break
                if self._is_speech_cue(tok):
                    # the quote must be what the cue introduces: `said, "` / `said: "` /
                    # `declared "`, not a phrase further on (`said the plan was "a mess"`)
                    if before.endswith((",", ":")) or tok.i == first - 1:
                        return tok, _subject(tok)
                    return None, None
            return None, None
        # The quote opens its paragraph: a cue ending the previous one ("he said:")
        prev_end = para_start - 1
        while prev_end > 0 and text[prev_end - 1].isspace():
            prev_end -= 1
        if prev_end <= 0 or text[prev_end - 1] != ":":
            return None, None
        idx = tokens.at(prev_end - 1)
        for i in range(idx, max(idx - 12, -1), -1):
            if self._is_speech_cue(doc[i]):
                return doc[i], _subject(doc[i])
        return None, None


class _Inside:
    """Is a character inside one of the given (sorted) ranges?"""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = sorted(ranges)
        self.starts = [r[0] for r in self.ranges]

    def __call__(self, char: int) -> bool:
        i = bisect.bisect_right(self.starts, char) - 1
        return i >= 0 and self.ranges[i][0] <= char < self.ranges[i][1]


def _according_source(according: Token) -> tuple[Token | None, Token | None]:
    """The "to" and its object in "according to X"."""
    to = next((c for c in according.children if c.lower_ == "to"), None)
    source = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
    return to, source


def _cue_seen(tokens: Sequence[Token], finder: StatementFinder) -> bool:
    return any(finder._is_speech_cue(t) for t in tokens)


def _cue_extent(pred: Token) -> tuple[int, int]:
    """The cue predicate with its particle ("pointed out", "called for")."""
    toks = [pred] + [c for c in pred.children if c.dep_ == "prt"]
    return _extent(toks)


# Dependents after an object that complete what is said about it: "criticized him *for
# not paying taxes*", "described her *as a lifetime politician*", "called it *a mess*".
_OBJECT_TAIL_DEPS = frozenset({"oprd", "xcomp"})
# Dependents of a cue after its clause complement that are still what was said.
_TAIL_DEPS = frozenset({"conj", "advcl", "prep", "npadvmod", "dep", "xcomp", "ccomp",
                        "parataxis"})
_CONTRAST = frozenset({"while", "whereas", "though", "although"})
_REASON_MARKS = frozenset({"since", "because", "although", "though", "while", "as", "if",
                           "unless", "whereas", "until", "so"})
_QUOTE_MARKS = "\"\u201c\u201d'\u2018\u2019`"
_OBJECT_TAIL_PREPS = frozenset({"for", "as", "of", "over", "about", "to", "into"})


def _object_tail(pred: Token, obj: Token) -> int:
    """Where the cue's dependents after its object that are still what was said end
    (0 when there are none); a non-restrictive relative clause closing one is the
    writer's ("compares his struggles to those of the former president, who ...")."""
    end = _subtree_extent(obj, _trailing_relative(obj, appositions=False))[1]
    for child in pred.children:
        if child.i <= obj.i:
            continue
        if child.dep_ in _OBJECT_TAIL_DEPS or (
                child.dep_ == "prep" and child.lower_ in _OBJECT_TAIL_PREPS):
            end = max(end, _subtree_extent(child, _trailing_relative(child))[1])
    return end


_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _finite(verb: Token) -> bool:
    """A finite clause ("he left", "the talks are failing"), not a participle ("the
    envoy being helpful") that still hangs on what was said."""
    return verb.pos_ in ("VERB", "AUX") and (
        verb.tag_ in _FINITE_TAGS
        or any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE_TAGS for c in verb.children))


_APPOSITION_MARKS = frozenset({",", "-", "--", "\u2013", "\u2014"})


def _trailing_relative(head: Token, appositions: bool = True) -> set[int]:
    """A non-restrictive relative clause, apposition or participle closing the content
    (", who is 70"; ", the existing military alliance"; ", implicitly putting ..."):
    background the writer adds, not what was said."""
    right = head.right_edge.i
    for tok in head.subtree:
        if tok.i == head.i or tok.left_edge.i <= head.left_edge.i:
            continue
        tail = (tok.dep_ == "relcl" or (tok.dep_ == "appos" and appositions)
                or (tok.dep_ == "advcl" and tok.tag_ == "VBG")  # ", implicitly putting ..."
                or (tok.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in _CONTRAST
                                                for m in tok.children)))
        if (tail and tok.right_edge.i >= right - 1
                and tok.doc[tok.left_edge.i - 1].text in _APPOSITION_MARKS):
            return {t.i for t in tok.subtree} | {tok.left_edge.i - 1}
    return set()


# Verbs that raise the subject of their infinitive: "X seems / appears to ...", and the
# passives "X is expected / said / believed / reported to ...".
_RAISING = frozenset({"seem", "appear"})
# Belief and naming verbs whose passive takes an "as" complement: "X is seen as Y".
_AS_PASSIVE = frozenset({"see", "view", "regard", "consider", "perceive", "describe",
                         "portray", "characterize", "characterise", "know", "cast"})
_RAISING_PASSIVE = frozenset({"expect", "say", "believe", "think", "report", "know",
                              "consider", "understand", "rumor", "allege", "suppose",
                              "presume", "estimate", "predict", "project"})


def _raised_subject(pred: Token, lemma: str, frame: str) -> Token | None:
    """The subject of a raising cue with a to-infinitive (see `_RAISING`), else None."""
    if frame != "t" or pred.pos_ not in ("VERB", "AUX"):
        return None
    for child in pred.children:
        if child.i > pred.i:
            break
        if child.dep_ == "nsubj" and lemma in _RAISING:
            return child
        if child.dep_ == "nsubjpass" and lemma in _RAISING_PASSIVE:
            return child
    return None


def _owner(noun: Token) -> Token | None:
    """Whose claim / statement: the possessor or the "by" agent of a cue noun."""
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    return None


def _complement(pred: Token) -> tuple[Token | None, str]:
    """The content-bearing dependent of a cue predicate and its frame letter."""
    text = doc_text(pred.doc)
    children = [c for c in pred.children  # never across a paragraph break (a bad parse)
                if text.find("\n", min(c.idx, pred.idx), max(c.idx, pred.idx)) < 0]
    clauses = [child for child in children
               if child.dep_ == "ccomp" or (child.dep_ == "acl" and pred.pos_ == "NOUN"
                                            and any(c.dep_ == "mark" for c in child.children))]
    if clauses:
        # A clause before the cue and one after it ("Six in 10 said X; 46 percent said Y"
        # parsed with X under the second "said"): the one after is what this cue reports.
        return next((c for c in clauses if c.i > pred.i), clauses[0]), "c"
    for child in children:
        if child.dep_ == "intj" and child.i > pred.i and child.lower_ in ("yes", "no"):
            return child, "c"  # "46 percent of voters said yes"
        if child.dep_ == "advmod" and child.i == pred.i + 1 and child.lower_ == "so":
            return child, "c"  # "after half said so": the pro-form stands for the clause
    for child in children:
        if child.dep_ == "xcomp" and any(c.dep_ == "aux" and c.lower_ == "to"
                                         for c in child.children):
            return child, "t"
    for child in children:
        # "called for the United States to step up ...": a for-to clause, parsed as an
        # adverbial clause of the cue, is what is called for (its subject included)
        if (child.dep_ == "advcl" and child.i > pred.i
                and any(c.dep_ == "mark" and c.lower_ == "for" for c in child.children)
                and any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children)):
            return child, "t"
    for child in children:
        if child.dep_ in OBJECTS and child.pos_ in ("NOUN", "PROPN", "PRON", "NUM", "X"):
            if child.pos_ == "PRON" and child.lower_ in PERSONAL | {"it", "this", "that"}:
                continue
            return child, "o"
    for child in children:
        if child.dep_ == "prep" and child.lower_ in CONTENT_PREPS:
            objs = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
            if objs:
                return objs[0], "o"
    return None, ""


def _actor_for(speaker_head: int | None, speaker: tuple[int, int] | None,
               mentions: Lookup[Mention], doc: Doc) -> Actor | None:
    """The actor of the mention that holds the speaker's head word (else any inside)."""
    if speaker is None:
        return None
    head = doc[speaker_head] if speaker_head is not None else None
    best: Mention | None = None
    lo, hi = speaker
    if head is not None:
        lo, hi = min(lo, head.idx), max(hi, head.idx)
    for mention in mentions.near(lo, hi):  # not all mentions: see extract/lookup.py
        if mention.actor is None:
            continue
        s, e = mention.span.start, mention.span.end
        if head is not None and s <= head.idx < e:
            return mention.actor
        if best is None and s >= speaker[0] and e <= speaker[1]:
            best = mention
    return best.actor if best else None


def _function(item: _Found, text: str) -> str | None:
    """Promise-like cues threaten when what is promised is hostile ("vowed retaliation")."""
    if item.function == "AGREE" and item.cue is not None:
        words = set(re.findall(r"[a-z]+", text[item.content[0]:item.content[1]].lower()))
        cue_word = text[item.cue[0]:item.cue[1]].lower()
        if words & HOSTILE and not cue_word.startswith(("agree", "accept", "offer")):
            return "THREATEN"
    return item.function


def find_statements(doc: Doc, mentions: Sequence[Mention],
                    finder: StatementFinder | None = None) -> list[Statement]:
    """All statements of a parsed article, ordered by where their content starts."""
    finder = finder or StatementFinder()
    text = doc_text(doc)
    items, quoted = _rule_items(doc, text, finder)
    if finder.model is not None:
        opens, enclosing = open_and_enclosing(doc, text, quoted, items, finder)
        items = _apply_model(finder.model, items, opens, doc, text, enclosing)
    _context_speakers(items, text)
    return _build(items, doc, text, mentions)


def _rule_items(doc: Doc, text: str,
                finder: StatementFinder) -> tuple[list[_Found], list[tuple[int, int]]]:
    """The rule finders' statements, and the quotes long enough to hold statements."""
    tokens = _Tokens(doc)
    quotes = find_quotes(text)
    quoted = [(q.start, q.end) for q in quotes if q.words(text) >= MIN_DIRECT_WORDS]
    clauses = finder.cue_clauses(doc, text, quoted)
    directs = _merge_interrupted(finder.direct(doc, text, quotes, tokens), text, doc, tokens,
                                 finder)
    headline = _headline(text, tokens)
    if headline is not None:
        clauses.append(headline)
    return (_join_continuations(_reconcile(clauses, directs, text, doc, tokens, finder), text),
            quoted)


def _frame(pred: Token) -> str:
    return "" if pred.lower_ == "according" else _complement(pred)[1]


def open_candidates(doc: Doc, text: str, quoted: list[tuple[int, int]], items: list[_Found],
                    finder: StatementFinder) -> list[_Found]:
    """Cue clauses of the open lexicon that the rules leave alone: a lemma and frame the
    cue lexicon does not list, content and cue outside every rule statement."""
    return open_and_enclosing(doc, text, quoted, items, finder)[0]


def open_and_enclosing(doc: Doc, text: str, quoted: list[tuple[int, int]],
                       items: list[_Found], finder: StatementFinder,
                       ) -> tuple[list[_Found], list[Enclosing]]:
    """The open candidates (see `open_candidates`), and the open-lexicon cue clauses whose
    content encloses rule statements in reported speech and overlaps nothing else, with
    the indexes (in `items`) of the statements they enclose. The second kind is PolNeAR's
    commonest boundary miss: the rules find a statement inside an attribution whose own
    cue no lexicon frame reads (`sent queries [seeking to confirm their address] and ...`),
    and keep only the inner one; the model decides whether the outer clause replaces it."""
    spans = sorted(it.content for it in items)
    starts = [s for s, _ in spans]
    longest = max((e - s for s, e in spans), default=0)

    def overlaps(lo: int, hi: int) -> bool:
        first = bisect.bisect_left(starts, lo - longest)
        return any(s < hi and lo < e for s, e in
                   spans[first:bisect.bisect_left(starts, hi)])

    def enclosed(found: _Found, cue_at: int) -> list[int] | None:
        lo, hi = found.content
        if lo <= cue_at < hi:
            return None
        inner = [n for n, it in enumerate(items) if it.content[0] < hi and lo < it.content[1]]
        if any(items[n].direct or items[n].predicate is None
               or not lo <= items[n].content[0] <= items[n].content[1] <= hi for n in inner):
            return None
        return inner

    skip: list[tuple[int, int]] = []  # cues inside quotes or rule statements: not read
    for lo, hi in sorted([*quoted, *spans]):
        if skip and lo <= skip[-1][1]:
            skip[-1] = (skip[-1][0], max(skip[-1][1], hi))
        else:
            skip.append((lo, hi))
    out: list[_Found] = []
    outer: list[Enclosing] = []
    for found in finder.open_finder.cue_clauses(doc, text, skip):
        if found.predicate is None:
            continue
        pred = doc[found.predicate]
        frame = _frame(pred)
        if not frame:
            continue  # "according to": the rules' business
        lexicon_frame = "n" if frame == "o" and pred.pos_ == "NOUN" else frame
        if finder.cues.get(pred.lemma_.lower(), lexicon_frame) is not None:
            continue  # a lexicon cue and frame: the rules decided already
        if overlaps(pred.idx, pred.idx + 1):
            continue
        if not overlaps(*found.content):
            out.append(found)
        elif (inner := enclosed(found, pred.idx)):
            outer.append(Enclosing(found, tuple(inner)))
    return out, outer


@dataclass(frozen=True)
class Enclosing:
    """An open-lexicon cue clause whose content holds rule statements (`inner`: their
    indexes in the rule finders' list), which it replaces when the model keeps it."""

    found: _Found
    inner: tuple[int, ...]


def candidate(item: _Found, doc: Doc, source: str) -> Candidate:
    """What the statement model sees of a found statement."""
    frame = _frame(doc[item.predicate]) if item.predicate is not None else ""
    return Candidate(content=item.content, predicate=item.predicate, frame=frame,
                     kind=item.kind, function=item.function, speaker_head=item.speaker_head,
                     content_head=item.content_head, cue=item.cue, source=source)


def _apply_model(model: StatementModel, items: list[_Found], opens: list[_Found], doc: Doc,
                 text: str, enclosing: Sequence[Enclosing] = ()) -> list[_Found]:
    """Drop the rule statements in reported speech the model is surest are not
    attributions, add the open-lexicon candidates it is confident of (their kind from
    the frame: a to-infinitive states an intention, the rest speech; no function), and
    let an enclosing clause it is confident of (from `keep_enclosing`) replace the rule
    statements inside it (the surest first; one that overlaps a kept statement without
    holding it whole is left out)."""
    kept = [it for it in items
            if it.direct or it.predicate is None
            or model.probability(features(doc, text, candidate(it, doc, "rule")))
            >= model.drop_below]
    for found in opens:
        if model.probability(features(doc, text, candidate(found, doc, "open"))) \
                >= model.keep_from:
            found.kind = _open_kind(found, doc)
            kept.append(found)
    if model.keep_enclosing is not None and enclosing:
        scored = [(model.probability(enclosing_features(doc, text, outer)), outer.found)
                  for outer in enclosing]
        kept, added = replace_enclosed(kept, scored, model.keep_enclosing)
        for found in added:
            found.kind = _open_kind(found, doc)
        kept += added
    kept.sort(key=lambda f: f.content)
    return drop_nested(kept)


class _Spanned(Protocol):
    content: tuple[int, int]


_S = TypeVar("_S", bound=_Spanned)


def replace_enclosed(kept: list[_S], clauses: Sequence[tuple[float, _S]], threshold: float
                     ) -> tuple[list[_S], list[_S]]:
    """The enclosing clauses scored at least `threshold` (surest first, ties in order;
    none overlapping one chosen before) replace the statements of `kept` they hold whole;
    a chosen clause that still overlaps a kept statement is left out. Returns what stays
    of `kept` and the clauses to add. Shared with training (`train_statements.replay`),
    which replays these decisions to choose the threshold."""
    chosen: list[_S] = []
    for p, clause in sorted(clauses, key=lambda pc: -pc[0]):  # stable: ties keep order
        lo, hi = clause.content
        if p >= threshold and not any(lo < c.content[1] and c.content[0] < hi
                                      for c in chosen):
            chosen.append(clause)
    for clause in chosen:
        lo, hi = clause.content
        kept = [it for it in kept if not lo <= it.content[0] <= it.content[1] <= hi]
    added = [c for c in chosen if not any(c.content[0] < it.content[1]
                                          and it.content[0] < c.content[1] for it in kept)]
    return kept, added


def _open_kind(found: _Found, doc: Doc) -> str:
    return "intention" if _frame(doc[found.predicate or 0]) == "t" else "speech"


def enclosing_features(doc: Doc, text: str, outer: Enclosing) -> list[str]:
    """The model's features of an enclosing clause: an open candidate's, marked."""
    return [*features(doc, text, candidate(outer.found, doc, "open")), "wrap",
            f"wrapn={min(len(outer.inner), 3)}"]


# A headline that names its speaker before a colon ("Ortega: Border Talks Will Resume
# 'Within Days.'"): the newsroom's short form of "X said ...". The name is a few capitalised words;
# rubrics that head a headline the same way ("Breaking:", "The Latest:", "WATCH:") are
# told apart by their form (a determiner, shouting capitals) or by this list.
_HEADLINE = re.compile(
    r"[ \t]*([A-Z][\w.'\u2019&-]*(?:[ \t]+[\w.'\u2019&-]+){0,3})[ \t]*:[ \t]+(\S)")
_RUBRICS = frozenset({
    "breaking", "update", "updated", "exclusive", "watch", "video", "photos", "live",
    "latest", "opinion", "analysis", "editorial", "review", "interview", "revealed", "wow",
    "look", "bombshell", "busted", "report", "byline", "correction", "explainer",
    "factbox", "timeline", "q&a", "graphic", "podcast", "just", "leaked", "boom", "fact",
    "check", "daily", "news", "briefing", "newsletter", "recap", "preview", "spoiler",
})
_NOT_NAMES = frozenset({"the", "a", "an", "and", "or", "of", "on", "in", "for", "to",
                        "with", "is", "are", "was", "this", "that", "why", "how", "what"})
HEADLINE_MAX_WORDS = 30


def _headline(text: str, tokens: _Tokens) -> _Found | None:
    """"Name: what they said." as the article's first paragraph (its headline)."""
    first = next(iter(paragraphs(text)), None)
    if first is None:
        return None
    start, end = first
    line = text[start:end]
    match = _HEADLINE.match(line)
    if match is None or len(re.findall(r"\w+", line)) > HEADLINE_MAX_WORDS:
        return None
    words = match.group(1).split()
    if any(w.lower().strip(".") in _NOT_NAMES | _RUBRICS for w in words) or any(
            len(w) > 4 and w.isupper() for w in words) or (
            len(words) == 1 and len(words[0]) > 3 and words[0].isupper()):
        return None  # "The Latest:", "BREAKING:", "Netanyahu and Obama:", "KYIV:" (dateline)
    c0, c1 = _trim(text, start + match.start(2), end)
    while c1 > c0 and text[c1 - 1] in ".;":
        c1 -= 1
    if text[c0:c1].rstrip("'\u2019\"\u201d").endswith("?") or len(
            re.findall(r"\w+", text[c0:c1])) < 3:
        return None  # "Ted Cruz: Conservative or Career Politician?" asks, not reports
    colon = start + match.end(1) + line[match.end(1):].index(":")
    speaker = (start + match.start(1), start + match.end(1))
    return _Found(content=(c0, c1), direct=False, cue=(colon, colon + 1), speaker=speaker,
                  speaker_head=tokens.at(speaker[1] - 1), head_char=c0)


def _reconcile(clauses: list[_Found], directs: list[_Found], text: str, doc: Doc,
               tokens: _Tokens, finder: StatementFinder) -> list[_Found]:
    """One statement per stretch of words (see the module docstring)."""
    kept: list[_Found] = []
    # Indexes instead of scans over every quote for every clause, which made a long
    # paragraph quadratic (extract/lookup.py); the first match in `directs` order is kept.
    order = {id(d): n for n, d in enumerate(directs)}
    near = Lookup(directs, lambda d: d.content)
    by_words: dict[tuple[str, ...], list[_Found]] = {}
    for d in directs:
        by_words.setdefault(_words(text, d.content), []).append(d)
    for clause in clauses:
        c0, c1 = clause.content
        # The complement is (essentially) one quote: a direct statement with this cue.
        words = _words(text, clause.content)
        candidates = sorted({id(d): d for d in [*(by_words.get(words, []) if words else []),
                                                *near.near(c0, c1)]}.values(),
                            key=lambda d: order[id(d)])
        same = next((d for d in candidates if _covers(d.content, clause.content, text)
                     or _quote_and_own_cue(d, clause.content, text)), None)
        if same is not None:
            same.cue = same.cue or clause.cue
            if same.speaker is None:
                same.speaker, same.speaker_head = clause.speaker, clause.speaker_head
            same.predicate = same.predicate or clause.predicate
            same.kind, same.function = clause.kind, clause.function
            same.whole = True
            continue
        # The object of the cue is a quoted phrase: 'citing "growing tensions" with X'.
        if clause.head_char is not None:
            head_quote = next((d for d in near.near(clause.head_char, clause.head_char)
                               if d.content[0] <= clause.head_char
                               < d.content[1] and d.cue is None
                               and c0 <= d.content[0] and d.content[1] <= c1 + 1), None)
            if head_quote is not None and _is_object_quote(clause, head_quote, text):
                head_quote.cue, head_quote.predicate = clause.cue, clause.predicate
                head_quote.speaker, head_quote.speaker_head = clause.speaker, clause.speaker_head
                head_quote.kind, head_quote.function = clause.kind, clause.function
                head_quote.whole = True
                continue
        # A clause whose content lies inside a long direct quote is the quote's business.
        if any(d.content[0] <= c0 and c1 <= d.content[1] for d in near.near(c0, c1)):
            continue
        kept.append(clause)
    clauses_kept = Lookup(list(kept), lambda k: k.content)
    added: list[tuple[int, int]] = []  # directs kept below, sorted: the same test, indexed
    longest = 0
    for item in directs:
        s, e = _words_extent(text, *item.content)
        inside_clause = any(k.content[0] <= s and e <= k.content[1]
                            for k in clauses_kept.near(s, e)) or any(
            end >= e for _, end in added[bisect.bisect_left(added, (s - longest, -1)):
                                         bisect.bisect_right(added, (s, len(text) + 1))])
        if inside_clause:
            continue  # a partial quote inside reported speech: part of that statement
        if (not item.whole and len(item.parts) == 1
                and len(re.findall(r"\w+", text[s:e])) < MIN_DIRECT_WORDS):
            continue  # scare quotes, titles, nicknames: only whole complements count
        if item.cue is None and not item.whole and not _starts_sentence(text, item.content[0]):
            continue  # a quoted phrase inside someone's sentence: part of a paraphrase
        kept.append(item)
        bisect.insort(added, item.content)
        longest = max(longest, item.content[1] - item.content[0])
    kept.sort(key=lambda f: f.content)
    return _merge_interrupted(drop_nested(kept), text, doc, tokens, finder)


def _is_object_quote(clause: _Found, quote: _Found, text: str) -> bool:
    """The quote starts the object and holds most of its words."""
    c0, c1 = clause.content
    q0, q1 = quote.content
    before = text[c0:q0].strip()
    return not before and (q1 - q0) >= 0.4 * (c1 - c0)


def _words(text: str, span: tuple[int, int]) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text[span[0]:span[1]]))


def _covers(quote: tuple[int, int], content: tuple[int, int], text: str) -> bool:
    """The quote and the content hold the same words (edges and punctuation aside)."""
    q = re.findall(r"\w+", text[quote[0]:quote[1]])
    c = re.findall(r"\w+", text[content[0]:content[1]])
    return bool(q) and q == c


def _quote_and_own_cue(quote: _Found, content: tuple[int, int], text: str) -> bool:
    """`said, "A," Lukashenko said`: the content is the quote plus the quote's own cue."""
    if quote.cue is None or not (content[0] <= quote.content[1] and quote.content[0] <= content[1]):
        return False
    spans = [quote.content, quote.cue] + ([quote.speaker] if quote.speaker else [])
    for start, end in ((content[0], min(s for s, _ in spans)),
                       *((a[1], b[0]) for a, b in pairwise(sorted(spans))),
                       (max(e for _, e in spans), content[1])):
        if start < end and re.search(r"\w", text[start:end]):
            return False
    return True


def drop_nested(items: list[_S]) -> list[_S]:
    """Each word in at most one statement: drop a statement inside an earlier one (items
    sorted by content)."""
    out: list[_S] = []
    for item in items:
        if out and item.content[1] <= out[-1].content[1] and item.content[0] >= out[-1].content[0]:
            continue
        out.append(item)
    return out


def _merge_interrupted(items: list[_Found], text: str, doc: Doc,
                       tokens: _Tokens, finder: StatementFinder) -> list[_Found]:
    """`"A," he said, "B."` and `"A," he said. "B."`: a quote with no cue of its own joins
    the quote before it in the same paragraph when only that quote's cue clause stands
    between them (attribution corpora annotate one statement with two parts)."""
    out: list[_Found] = []
    for item in items:
        prev = out[-1] if out else None
        if (prev is not None and prev.direct and item.direct
                and (item.cue is None or item.cue == prev.cue)
                and prev.cue is not None and prev.content[1] <= prev.cue[0] < item.content[0]
                and _plain_between(text, prev.content[1], item.content[0])
                and prev.predicate is not None
                and _only_cue_clause(doc, tokens, doc[prev.predicate], prev.content[1],
                                     item.content[0], finder)):
            prev.parts = prev.parts + item.parts
            prev.content = (prev.content[0], item.content[1])
            continue
        out.append(item)
    return out


def _join_continuations(items: list[_Found], text: str) -> list[_Found]:
    """`"A," he said. "B."` with B in the same paragraph or opening the next one: a quote
    with no cue of its own right after a quote whose cue follows it continues that
    speaker's words, and attribution corpora annotate one statement with both parts.
    (A quote whose cue came before it, `He said: "A."` ¶ `"B."`, is left alone: there
    the corpus as often starts a new statement.)"""
    out: list[_Found] = []
    for item in items:
        prev = out[-1] if out else None
        if (prev is not None and prev.direct and item.direct and item.cue is None
                and not item.whole and prev.cue is not None
                and prev.cue[0] >= prev.content[1] - 1 and len(item.parts) == 1
                and _continues(text, prev.content[1], item.content[0])):
            prev.parts = prev.parts + item.parts
            prev.content = (prev.content[0], item.content[1])
            continue
        out.append(item)
    return out


def _continues(text: str, end: int, start: int) -> bool:
    """Only the first quote's cue clause lies between the two quotes: the rest of its
    paragraph, and the second opens the next paragraph or follows in this one."""
    between = text[end:start]
    if any(ch in between for ch in '"\u201c\u201d') or len(between) > 250:
        return False
    breaks = between.count("\n")
    if breaks == 0:
        return True
    return not between.split("\n")[-1].strip() and between.strip("\n \t").count("\n") == 0


def _plain_between(text: str, start: int, end: int) -> bool:
    """Only a cue clause between two quotes: same paragraph, no other quotation."""
    between = text[start:end]
    return (len(between) < 250 and "\n" not in between
            and not any(ch in between for ch in '"\u201c\u201d'))


def _only_cue_clause(doc: Doc, tokens: _Tokens, pred: Token, start: int, end: int,
                     finder: StatementFinder) -> bool:
    """Whether the words between two quotes are the first quote's cue clause and its
    modifiers ("said Caddell, speaking of her health."), not a new statement ("before
    asking her") or a new clause with a subject of its own ("but Kevin was drifting off")."""
    for i in tokens.within(start, end):
        tok = doc[i]
        if tok.i == pred.i:
            continue
        if finder._is_speech_cue(tok) and tok.head.i != pred.i or tok.dep_ == "ccomp":
            return False
        if tok.dep_ in SUBJECTS and tok.head.i != pred.i and tok.head.dep_ in ("conj",):
            return False
    return True


def _starts_sentence(text: str, char: int) -> bool:
    """Whether the quote opening at `char` starts a paragraph or a sentence."""
    i = char - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i < 0 or text[i] in "\n.!?:;\"\u201d\u2019)\u2014\u2015"


def _words_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """From the first to the last word character of text[start:end]."""
    words = list(re.finditer(r"\w", text[start:end]))
    if not words:
        return start, end
    return start + words[0].start(), start + words[-1].end()


def _context_speakers(items: list[_Found], text: str) -> None:
    """A direct quote with no cue takes the speaker of the nearest statement before it in
    the same or the previous paragraphs, else the one right after it."""
    starts = [start for start, _ in paragraphs(text)]

    def paragraph(char: int) -> int:
        return bisect.bisect_right(starts, char)

    for n, item in enumerate(items):
        if not item.direct or item.speaker is not None:
            continue
        here = paragraph(item.content[0])
        for other in reversed(items[:n]):
            if other.speaker is None:
                continue
            if here - paragraph(other.content[0]) > CONTEXT_PARAGRAPHS:
                break
            item.speaker, item.speaker_head = other.speaker, other.speaker_head
            item.kind = "speech"
            break
        else:
            for other in items[n + 1:]:
                if other.speaker is None:
                    continue
                if paragraph(other.content[0]) - here <= 1:
                    item.speaker, item.speaker_head = other.speaker, other.speaker_head
                break


def _build(items: list[_Found], doc: Doc, text: str,
           mentions: Sequence[Mention]) -> list[Statement]:
    out: list[Statement] = []
    index = Lookup(mentions, lambda m: (m.span.start, m.span.end))
    for n, item in enumerate(items, start=1):
        start, end = item.content
        modality = Modality()
        if item.predicate is not None and not item.direct:
            pred = doc[item.predicate]
            complement, _ = _complement(pred)
            if complement is not None:
                modality = modality_of(complement, text=text)
        out.append(Statement(
            id=f"s{n}",
            kind=item.kind,
            speaker=Span.of(text, *item.speaker) if item.speaker else None,
            speaker_actor=_actor_for(item.speaker_head, item.speaker, index, doc),
            cue=Span.of(text, *item.cue) if item.cue else None,
            content=Span.of(text, start, end),
            direct=item.direct,
            function=_function(item, text),
            modality=modality,
        ))
    return out


def content_parts(statement: Statement, text: str) -> list[tuple[int, int]]:
    """The words a statement reports, without an attribution that interrupts them: the
    quoted parts of a direct statement (both halves of `"A," he said, "B."`), the two sides
    of a parenthetical cue in reported speech ("A, he said, B"), else the whole content."""
    c0, c1 = statement.content.start, statement.content.end
    if not statement.direct:
        inner = [s for s in (statement.speaker, statement.cue)
                 if s is not None and c0 < s.start and s.end < c1]
        if not inner:
            return [(c0, c1)]
        lo, hi = min(s.start for s in inner), max(s.end for s in inner)
        parts = [_trim(text, c0, lo), _trim(text, hi, c1)]
        return [p for p in parts if p[1] > p[0]] or [(c0, c1)]
    sub = text[statement.content.start:statement.content.end]
    parts = [(q.start, q.end) for q in find_quotes(sub)]
    shifted = [(a + statement.content.start, b + statement.content.start) for a, b in parts
               if b > a]
    return shifted or [(statement.content.start, statement.content.end)]


class StatementStage:
    """Pipeline stage: writes `statements` from the NLP stage's parse and mentions."""

    name = "statements"
    reads = frozenset({"spacy", "mentions"})
    writes = frozenset({"statements"})

    def __init__(self) -> None:
        self.finder = StatementFinder()

    def __call__(self, batch: Sequence[Draft]) -> list[Draft]:
        out = []
        for draft in batch:
            doc = draft.extras.get("spacy")
            if not isinstance(doc, Doc):
                out.append(draft)
                continue
            statements = find_statements(doc, draft.mentions, self.finder)
            out.append(draft.with_(statements=tuple(statements)))
        return out


__all__ = ["Cue", "StatementFinder", "StatementStage", "candidate", "content_parts",
           "drop_nested", "find_statements", "open_candidates", "open_and_enclosing",
           "replace_enclosed", "Enclosing"]
