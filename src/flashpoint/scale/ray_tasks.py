"""What runs inside Ray workers: reading one input file, and coding a batch of articles.

Rows travel between the stages (and into the Parquet shards) in one fixed Arrow schema,
`ROWS`: records are carried as their JSON (`Article.to_json`, `Document.to_json`,
`Failure.to_json`), so a row is self-describing and needs no flashpoint type to be read
by other tools. `kind` says what a row holds:

- ``article``: an Article read but not coded (`--no-code`, or its coding failed:
  `failure` then says why, and a later run codes it as pending);
- ``document``: an Article and its coding (`document`, plus its events as PLOVER
  records in `plover`);
- ``duplicate``: an Article the store already held when the run started (by id or by
  text), so it was not coded again; only `id` and `origin` are kept;
- ``failure``: an input item that could not be read (or a warning about one).

`pending` marks rows for articles taken from the store (stored by an earlier run, never
coded by this coder), not from the inputs.

This module is imported by the workers, so it keeps its imports light: the coder is
built in `CodeBatch.__init__`, once per actor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from flashpoint.ids import text_hash
from flashpoint.ingest.options import ReadOptions
from flashpoint.ingest.records import guarded
from flashpoint.ingest.sources import read_file
from flashpoint.model import Article, Document, Failure

CODE_STAGE = "code"

ROWS = pa.schema([
    pa.field("kind", pa.string()),
    pa.field("pending", pa.bool_()),
    pa.field("id", pa.string()),
    pa.field("origin", pa.string()),
    pa.field("article", pa.string()),
    pa.field("document", pa.string()),
    pa.field("plover", pa.string()),
    pa.field("failure", pa.string()),
])

Row = dict[str, Any]


def row(kind: str, *, pending: bool = False, id: str | None = None, origin: str | None = None,
        article: str | None = None, document: str | None = None, plover: str | None = None,
        failure: str | None = None) -> Row:
    """One row of `ROWS` (every column present, so Arrow never guesses a type)."""
    return {"kind": kind, "pending": pending, "id": id, "origin": origin, "article": article,
            "document": document, "plover": plover, "failure": failure}


def article_row(article: Article, *, pending: bool = False) -> Row:
    return row("article", pending=pending, id=article.id, origin=article.origin,
               article=article.to_json())


def read_path(item: dict[str, Any], options: ReadOptions) -> Iterator[Row]:
    """The rows of one input file (Ray `flat_map`): the very reader the local path uses
    (`flashpoint.ingest.sources.read_file`), under the same per-item guard."""
    path = str(item["path"])
    for found in guarded(path, read_file(Path(path), options)):
        if isinstance(found, Failure):
            yield row("failure", origin=found.origin, failure=found.to_json())
        else:
            yield article_row(found)


class CodeBatch:
    """The Ray Data actor: builds the coder once, then codes batches of article rows.

    Articles the store already held when the run started (`known_ids`, `known_hashes`:
    the same id, or the same normalised text under another id) come back as
    ``duplicate`` rows uncoded, so a re-run after a kill codes only what is missing.
    An article whose coding raises comes back uncoded with a ``code`` failure; the rest
    of its batch is coded one by one, so one bad article costs only itself.
    """

    def __init__(self, known: Any = None, coder_options: dict[str, Any] | None = None,
                 plover: bool = True) -> None:
        from flashpoint import default_pipeline

        ids, hashes = _resolve(known)
        self.known_ids: frozenset[str] = frozenset(ids)
        self.known_hashes: frozenset[str] = frozenset(hashes)
        self.pipeline = default_pipeline(**(coder_options or {}))
        self.plover = plover

    def __call__(self, batch: pa.Table) -> pa.Table:
        rows: list[Row] = batch.to_pylist()
        out: list[Row | None] = [None] * len(rows)
        todo: list[tuple[int, Article]] = []
        for index, item in enumerate(rows):
            if item["kind"] != "article":
                out[index] = item
                continue
            article = Article.model_validate_json(item["article"])
            if not item["pending"] and self._known(article):
                out[index] = row("duplicate", id=article.id, origin=article.origin)
            else:
                todo.append((index, article))
        for (index, _), coded in zip(todo, self._code([a for _, a in todo]), strict=True):
            out[index] = coded
            coded["pending"] = rows[index]["pending"]
        return pa.Table.from_pylist(out, schema=ROWS)

    def _known(self, article: Article) -> bool:
        return article.id in self.known_ids or text_hash(article.text) in self.known_hashes

    def _code(self, articles: list[Article]) -> list[Row]:
        """A row per article, in order; never raises (a failed Ray task would be retried
        and then fail the whole run for one bad article)."""
        if not articles:
            return []
        try:
            return [self._document_row(doc, a) for doc, a in
                    zip(self.pipeline(articles), articles, strict=True)]
        except Exception as exc:
            if len(articles) == 1:  # record and continue: the failure policy
                failure = Failure(origin=articles[0].origin or articles[0].id,
                                  stage=CODE_STAGE, kind="internal",
                                  message=f"coding failed: {type(exc).__name__}: {exc}")
                return [{**article_row(articles[0]), "failure": failure.to_json()}]
        # find the article at fault: code the batch one by one
        return [row for article in articles for row in self._code([article])]

    def _document_row(self, doc: Document, article: Article) -> Row:
        plover = None
        if self.plover:
            from flashpoint.analyze.records import document_records

            plover = json.dumps(document_records(doc), ensure_ascii=False)
        return row("document", id=doc.id, origin=article.origin, document=doc.to_json(),
                   plover=plover)


def _resolve(known: Any) -> tuple[list[str], list[str]]:
    """`known` is (ids, hashes), or a Ray object reference to them (one copy per actor,
    fetched once, instead of pickling the sets into every task)."""
    if known is None:
        return [], []
    if not isinstance(known, tuple):
        import ray

        known = ray.get(known)
    ids, hashes = known
    return list(ids), list(hashes)
