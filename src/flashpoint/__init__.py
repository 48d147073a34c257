"""flashpoint: traceable political event data from news.

    >>> import flashpoint
    >>> doc = flashpoint.extract("Warsaw closed the border.", published="2023-02-16")
    >>> doc.text[doc.spans()[0].start:] if doc.spans() else doc.text
    'Warsaw closed the border.'

`extract` never alters the string it is given: every span indexes it exactly.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable, Iterator
from functools import lru_cache

from flashpoint.__about__ import __version__
from flashpoint.errors import (
    BinaryInputError,
    ConfigError,
    EmptyInputError,
    FlashpointError,
    FormatError,
    InputError,
    StoreError,
)
from flashpoint.model import (
    Actor,
    Article,
    Coder,
    Document,
    Event,
    Failure,
    Location,
    Mention,
    Modality,
    Span,
    Statement,
)
from flashpoint.pipeline import Pipeline, make_article

# The `flashpoint.extract` sub-package (extraction stages) shares its name with the
# `extract()` function below. Importing a sub-package sets it as an attribute of its
# parent, so it is imported here, first: `def extract` then rebinds the name to the
# function, and later imports of `flashpoint.extract.*` modules leave it alone.
importlib.import_module("flashpoint.extract")

__all__ = [
    "Actor",
    "Article",
    "BinaryInputError",
    "Coder",
    "ConfigError",
    "Document",
    "EmptyInputError",
    "Event",
    "Failure",
    "FlashpointError",
    "FormatError",
    "InputError",
    "Location",
    "Mention",
    "Modality",
    "Span",
    "Statement",
    "StoreError",
    "__version__",
    "default_pipeline",
    "extract",
    "extract_many",
]


def default_pipeline(n_process: int = 1, triage: bool = True) -> Pipeline:
    """The coder `extract` uses, built once per process: spaCy and the gazetteers load
    here, so the first call takes a few seconds and later ones are fast.

    With `triage` (the default) long articles are first read by `flashpoint.nlp.triage`,
    and only their parts that may hold an event are parsed; short texts are never
    triaged. The coder version then ends in `+triage.1`, so codings made with and
    without triage sit side by side in a store.
    """
    return _build_pipeline(n_process, bool(triage))


@lru_cache(maxsize=8)
def _build_pipeline(n_process: int, triage: bool) -> Pipeline:
    from flashpoint.extract.events import EventStage
    from flashpoint.extract.statements import StatementStage
    from flashpoint.nlp.stage import NlpStage
    from flashpoint.nlp.triage import TrimStage, coder_version, load_triage
    from flashpoint.pipeline import Stage

    after: list[Stage] = [StatementStage(), EventStage(use_statements=True)]
    if not triage:
        return Pipeline([NlpStage(n_process=n_process), *after])
    pipeline = Pipeline([NlpStage(n_process=n_process, triage=load_triage()), *after,
                         TrimStage()])
    pipeline.coder = Coder(name=pipeline.coder.name, version=coder_version(triage=True))
    return pipeline


def extract(
    text: str,
    published: str | dt.date | None = None,
    url: str | None = None,
    title: str | None = None,
    *,
    triage: bool = True,
) -> Document:
    """Extract mentions, statements and events from one article's text.

    `triage=False` parses all of a long article (see `default_pipeline`)."""
    article = make_article(text, published=published, url=url, title=title)
    return next(iter(default_pipeline(triage=triage)([article])))


def extract_many(
    items: Iterable[str | Article], n_process: int = 1, *, triage: bool = True
) -> Iterator[Document]:
    """Extract from many texts or Articles, in input order, batching the NLP work.

    Gives the same Documents as calling `extract` on each item (with the same `triage`,
    see `default_pipeline`). With `n_process` > 1 the
    whole coder runs in that many worker processes (`flashpoint.scale.workers`), each
    loading its own spaCy; items are read from `items` only as results are consumed.
    """
    if n_process < 1:
        raise ConfigError(f"n_process must be at least 1, got {n_process}")
    articles = (item if isinstance(item, Article) else make_article(item) for item in items)
    if n_process == 1:
        yield from default_pipeline(triage=triage)(articles)
        return
    from flashpoint.scale.workers import ParallelCoder

    with ParallelCoder(n_process, triage=triage) as coder:
        yield from coder(articles)
