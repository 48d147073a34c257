"""The NLP stage of the coder: parse, resolve actors and people, resolve dates.

It reads each draft's article text and writes its `mentions`, plus, for the stages after
it, the parsed spaCy Doc (`extras["spacy"]`), the resolved mentions with their head
tokens (`extras["resolved"]`) and the resolved temporal expressions (`extras["dates"]`).
Parsing is batched through `nlp.pipe`; very long texts are parsed in paragraph chunks and
joined back into one Doc, so memory stays bounded and offsets still index the text.

With a `Triage` (`flashpoint.nlp.triage`; or a plan a triage stage left in
`extras["triage"]`) only the parts the plan keeps are parsed: the rest is blanked to
spaces first, so the parser skips it and offsets still index the article text. The plan
is written to `extras["triage"]` for the stages after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from flashpoint.nlp.actors import ActorResolver
from flashpoint.nlp.coref import resolve_people
from flashpoint.nlp.dates import find_dates
from flashpoint.nlp.gazetteer import load_gazetteer
from flashpoint.nlp.pipeline import load_nlp
from flashpoint.nlp.tense import tense_lookup
from flashpoint.nlp.triage import Plan, Triage, blank
from flashpoint.pipeline import Draft

CHUNK_CHARS = 20_000  # texts longer than this are parsed paragraph-chunk by chunk
# spaCy cannot hash lone surrogates; they are parsed as U+FFFD (same length, so offsets
# still index the caller's text, which the spans are then cut from).
_SURROGATE = re.compile("[\ud800-\udfff]")


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Pieces of `text` that concatenate back to it exactly, cut after paragraph breaks
    (or, inside one enormous paragraph, after a sentence end or a space)."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = window.rfind("\n\n")
        if cut < size // 4:
            cut = max(window.rfind(". "), window.rfind(" "))
        cut = cut + 1 if cut > 0 else size
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


class NlpStage:
    """Callable stage: `stage(drafts) -> drafts` with mentions and parse attached."""

    name = "nlp"
    reads = frozenset({"article"})
    writes = frozenset({"mentions", "spacy", "resolved", "dates"})

    def __init__(self, *, n_process: int = 1, batch_size: int = 32,
                 gazetteer_root: str | None = None, triage: Triage | None = None) -> None:
        self.nlp: Language = load_nlp(gazetteer_root)
        self.resolver = ActorResolver(load_gazetteer(gazetteer_root))
        self.n_process = n_process
        self.batch_size = batch_size
        self.triage = triage
        if triage is not None:
            self.writes = NlpStage.writes | {"triage"}

    def parse(self, texts: Sequence[str]) -> Iterator[Doc]:
        """spaCy Docs for `texts`, in order; long texts in chunks joined into one Doc."""
        pieces: list[str] = []
        owners: list[int] = []
        for n, text in enumerate(texts):
            for piece in chunks(_SURROGATE.sub("\ufffd", text)):
                pieces.append(piece)
                owners.append(n)
        if len(pieces) == 1:  # `extract(text)`: nlp() skips pipe()'s per-call generators
            yield self.nlp(pieces[0])
            return
        parsed = self.nlp.pipe(pieces, batch_size=self.batch_size, n_process=self.n_process)
        current: list[Doc] = []
        owner = 0
        for piece_owner, doc in zip(owners, parsed, strict=True):
            if piece_owner != owner and current:
                yield _join(current)
                current = []
            owner = piece_owner
            current.append(doc)
        if current:
            yield _join(current)

    def __call__(self, batch: Sequence[Draft]) -> list[Draft]:
        out: list[Draft] = []
        if self.triage is not None:
            triage = self.triage
            batch = [d if "triage" in d.extras else d.with_(
                extras={**d.extras, "triage": triage.plan(d.article.text)}) for d in batch]
        texts = [_parsed_text(d) for d in batch]
        for draft, text, doc in zip(batch, texts, self.parse(texts), strict=True):
            published = draft.article.published
            doc.user_data["flashpoint_text"] = draft.article.text  # see _SURROGATE
            resolved = resolve_people(doc, self.resolver(doc, published))
            resolved = self.resolver.complete_from_context(doc, resolved)
            mentions = sorted((r.mention for r in resolved),
                              key=lambda m: (m.span.start, m.span.end))
            dates = find_dates(text, published, tense_lookup(doc))
            extras = {**draft.extras, "spacy": doc, "resolved": resolved, "dates": dates}
            out.append(draft.with_(mentions=tuple(mentions), extras=extras))
        return out


def _parsed_text(draft: Draft) -> str:
    """The article text with what triage dropped blanked (the text itself without it)."""
    plan = draft.extras.get("triage")
    return blank(draft.article.text, plan) if isinstance(plan, Plan) else draft.article.text


def _join(docs: list[Doc]) -> Doc:
    return docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)
