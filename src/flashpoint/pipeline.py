"""The coder: the ordered stages that turn an article's text into a Document.

Each stage is a callable class (resources loaded once in the constructor) that takes a
`Draft` and returns a new one; `Coder` runs them in order and builds the `Document`.
Stages declare what they read and write so the order can be checked when the coder is
built, not discovered wrong at run time (the idea of spaCy's `pipe_analysis`).

Stages so far: `flashpoint.nlp.stage.NlpStage` (parse, actors, people, dates). Statements
and events plug in after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from flashpoint.__about__ import __version__
from flashpoint.errors import ConfigError
from flashpoint.ids import article_id
from flashpoint.model import Article, Coder, Document, Event, Mention, Statement

CODER_NAME = "flashpoint.coder.plover"
# Bump when extraction output changes: stored codings are keyed by this version, so a
# re-run with a new coder sits beside the old output instead of overwriting it.
CODER_VERSION = f"{__version__}+nlp.1+statements.6+events.3"


@dataclass(frozen=True)
class Draft:
    """The working state of one article while stages run (internal to the pipeline)."""

    article: Article
    mentions: tuple[Mention, ...] = ()
    statements: tuple[Statement, ...] = ()
    events: tuple[Event, ...] = ()
    extras: dict[str, object] = field(default_factory=dict)

    def with_(self, **changes: object) -> Draft:
        return replace(self, **changes)  # type: ignore[arg-type]


class Stage(Protocol):
    """A pipeline stage: pure compute on a batch of drafts, returning new drafts."""

    name: str
    reads: frozenset[str]
    writes: frozenset[str]

    def __call__(self, batch: Sequence[Draft]) -> list[Draft]: ...


def check_order(stages: Sequence[Stage]) -> None:
    """Raise ConfigError when a stage reads something no earlier stage writes."""
    available = {"article"}
    for stage in stages:
        missing = stage.reads - available
        if missing:
            raise ConfigError(
                f"stage {stage.name!r} reads {sorted(missing)} but no earlier stage writes it"
            )
        available |= stage.writes


class ArticleCoder(Protocol):
    """Anything that codes Articles into Documents in input order: a `Pipeline`, or
    `flashpoint.scale.workers.ParallelCoder` running pipelines in worker processes."""

    coder: Coder

    def __call__(self, articles: Iterable[Article]) -> Iterator[Document]: ...

    def close(self) -> None: ...


class Pipeline:
    """Runs the stages over batches of articles and yields Documents in input order."""

    def __init__(self, stages: Sequence[Stage] = (), *, batch_size: int = 64) -> None:
        check_order(stages)
        self.stages = list(stages)
        self.batch_size = batch_size
        self.coder = Coder(name=CODER_NAME, version=CODER_VERSION)

    def __call__(self, articles: Iterable[Article]) -> Iterator[Document]:
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def close(self) -> None:
        """Nothing to release (the stages hold only memory); here so that callers can
        close any ArticleCoder alike."""

    def _run(self, articles: list[Article]) -> list[Document]:
        drafts = [Draft(article=a) for a in articles]
        for stage in self.stages:
            drafts = stage(drafts)
        return [self._document(d) for d in drafts]

    def _document(self, draft: Draft) -> Document:
        a = draft.article
        return Document(
            id=a.id,
            url=a.url,
            title=a.title,
            published=a.published,
            source=a.source,
            text=a.text,
            mentions=list(draft.mentions),
            statements=list(draft.statements),
            events=list(draft.events),
            coder=self.coder,
        )


def make_article(
    text: str,
    *,
    published: str | dt.date | None = None,
    url: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Article:
    """An Article for text given directly (no ingestion): the text is kept as it is."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    if isinstance(published, str):
        try:
            published = dt.date.fromisoformat(published[:10])
        except ValueError as exc:
            raise ConfigError(
                f"published must be an ISO date (YYYY-MM-DD), got {published!r}"
            ) from exc
    elif isinstance(published, dt.datetime):
        published = published.date()
    return Article(
        id=article_id(url, text), url=url, title=title, published=published,
        source=source, text=text,
    )
