"""Constructed Documents with events and statements, for the analysis tests.

The coder does not emit events yet, so analysis is tested on Documents built here: each
event or statement gets its own sentence in the article text, and every span indexes that
text exactly (the same contract real extractors follow). The numbers the tests expect are
counted by hand from these specs, never computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from flashpoint.model import Actor, Coder, Document, Event, Modality, Span, Statement

CODER = Coder(name="flashpoint.coder.test", version="test.1")
NAMES = {"BLR": "Belarus", "POL": "Poland", "RUS": "Russia", "UKR": "Ukraine",
         "LTU": "Lithuania", "USA": "United States"}


@dataclass(frozen=True)
class Ev:
    """An event to build: who, what, to whom, when, and how sure/real it is."""

    type: str
    source: str
    target: str | None = None
    day: dt.date | None = None
    mode: str | None = None
    negated: bool = False
    hypothetical: bool = False
    future: bool = False
    conditional: bool = False
    confidence: float = 0.9
    contexts: tuple[str, ...] = ()
    sentence: str | None = None


@dataclass(frozen=True)
class St:
    """A statement to build: a leader saying something that performs `function`."""

    speaker: str
    code: str
    function: str | None
    quote: str


@dataclass
class Builder:
    """Accumulates sentences and the spans pointing into them."""

    parts: list[str] = field(default_factory=list)

    @property
    def length(self) -> int:
        return sum(len(p) for p in self.parts)

    def add(self, sentence: str) -> tuple[int, int]:
        if self.parts:
            self.parts.append(" ")
        start = self.length
        self.parts.append(sentence)
        return start, start + len(sentence)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def make_doc(
    article_id: str, published: dt.date, events: Sequence[Ev], statements: Sequence[St] = (),
    *, url: str | None = None, title: str | None = None, source: str = "Test Wire",
    coder: Coder = CODER, lead: str | None = None,
) -> Document:
    """A Document whose text is one sentence per event/statement, spans exact."""
    b = Builder()
    b.add(lead if lead is not None else f"Report {article_id}.")  # distinct texts
    placed: list[tuple[Ev, int, int, int, int, tuple[int, int] | None]] = []
    for n, ev in enumerate(events):
        src = NAMES.get(ev.source, ev.source)
        tgt = NAMES.get(ev.target, ev.target) if ev.target else "others"
        core = ev.sentence or f"{src} moved to {ev.type.lower()} {tgt} (item {n})"
        cond_text = " if provoked" if ev.conditional else ""
        start, end = b.add(core + cond_text + ".")
        src_start = start + core.index(src) if src in core else start
        tgt_start = start + core.index(tgt) if ev.target and tgt in core else None
        cond = (start + len(core) + 1, start + len(core) + len(cond_text)) if cond_text else None
        placed.append((ev, start, start + len(core), src_start, tgt_start or -1, cond))
    stmt_spans: list[tuple[St, tuple[int, int], tuple[int, int]]] = []
    for st in statements:
        sentence = f"{st.speaker} said: \u201c{st.quote}\u201d"
        start, _ = b.add(sentence + ".")
        quote_start = start + len(st.speaker) + len(" said: \u201c")
        stmt_spans.append((st, (start, start + len(st.speaker)),
                           (quote_start, quote_start + len(st.quote))))
    text = b.text
    built: list[Event] = []
    for n, (ev, start, end, src_start, tgt_start, cond) in enumerate(placed):
        src_name = NAMES.get(ev.source, ev.source)
        actor = Actor(code=ev.source, sector="GOV", name=src_name,
                       span=Span.of(text, src_start, src_start + len(src_name))
                       if text[src_start:].startswith(src_name) else None)
        target = None
        if ev.target:
            tgt_name = NAMES.get(ev.target, ev.target)
            target = Actor(code=ev.target, sector=None, name=tgt_name,
                           span=Span.of(text, tgt_start, tgt_start + len(tgt_name))
                           if tgt_start >= 0 else None)
        built.append(Event(
            id=f"{article_id}-e{n}", type=ev.type, mode=ev.mode, contexts=list(ev.contexts),
            source=actor, target=target, date=ev.day,
            date_precision="day" if ev.day else None,
            modality=Modality(negated=ev.negated, future=ev.future,
                              hypothetical=ev.hypothetical,
                              condition=Span.of(text, *cond) if cond else None),
            evidence=Span.of(text, start, end), confidence=ev.confidence,
        ))
    built_statements = [
        Statement(
            id=f"{article_id}-s{n}", kind="speech", speaker=Span.of(text, *speaker),
            speaker_actor=Actor(code=st.code, sector="GOV", name=st.speaker,
                                span=Span.of(text, *speaker)),
            content=Span.of(text, *content), direct=True, function=st.function,
        )
        for n, (st, speaker, content) in enumerate(stmt_spans)
    ]
    return Document(
        id=article_id, url=url, title=title or f"Article {article_id}", published=published,
        source=source, text=text, statements=built_statements, events=built, coder=coder,
    )


D = dt.date


def corpus() -> list[Document]:
    """The hand-counted corpus most analysis tests share.

    Real (counted by default) events, by day:
      2024-03-01  BLR->POL THREATEN x2 (a1), RUS->UKR ASSAULT:aerial (a1)
      2024-03-02  BLR->POL MOBILIZE:troops (a2), POL->BLR ACCUSE:disapprove (a2)
      2024-03-03  BLR->POL THREATEN (a3, dated by its article: the event has no date)
    Not counted by default: BLR->POL ASSAULT negated (a2), BLR->POL ASSAULT hypothetical
    (a3). Counted with its modality kept: RUS->UKR CONSULT future (a3).
    """
    a1 = make_doc("a1", D(2024, 3, 1), [
        Ev("THREATEN", "BLR", "POL", D(2024, 3, 1)),
        Ev("THREATEN", "BLR", "POL", D(2024, 3, 1), mode="violence"),
        Ev("ASSAULT", "RUS", "UKR", D(2024, 3, 1), mode="aerial", contexts=("military",)),
    ], [St("Alexander Lukashenko", "BLR", "THREATEN", "We will respond to any provocation")],
        url="https://news.example.org/a1", title="Minsk warns Warsaw")
    a2 = make_doc("a2", D(2024, 3, 2), [
        Ev("MOBILIZE", "BLR", "POL", D(2024, 3, 2), mode="troops"),
        Ev("ACCUSE", "POL", "BLR", D(2024, 3, 2), mode="disapprove"),
        Ev("ASSAULT", "BLR", "POL", D(2024, 3, 2), negated=True),
    ], [St("Andrzej Duda", "POL", "REQUEST", "Minsk must pull its troops back"),
        St("A spokesman", "POL", None, "The weather was fine")],
        url="https://news.example.org/a2", title="Troops at the border")
    a3 = make_doc("a3", D(2024, 3, 3), [
        Ev("THREATEN", "BLR", "POL", None),
        Ev("ASSAULT", "BLR", "POL", D(2024, 3, 3), hypothetical=True, conditional=True),
        Ev("CONSULT", "RUS", "UKR", D(2024, 3, 5), future=True),
    ], url=None, title="Talks planned")
    return [a1, a2, a3]
