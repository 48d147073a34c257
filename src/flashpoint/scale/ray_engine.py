"""`flashpoint ingest --engine ray`: read and code on Ray Data, bulk-load on the driver.

The run, stage by stage:

1. The driver expands the inputs (directories, globs) into files, in the order the local
   path reads them, and snapshots what the store already holds: the ids and text hashes
   of stored articles, and the stored articles this coder never coded (`pending`: what a
   killed run, or a `--no-code` run, left behind).
2. Ray Data reads the files (`map_batches` over file paths with the local path's own
   reader, `flashpoint.ingest.sources.read_file`: one task per file, each file's items
   streamed out in chunks), so every format the local path reads (text, Markdown, HTML,
   JSON/JSONL, WARC, gzip) reads the same here. Files are read from a filesystem every
   node sees; object stores (s3://) are not supported.
3. An actor pool of `workers` actors (`ray_tasks.CodeBatch`: each builds the coder once
   with `flashpoint.default_pipeline()`, so spaCy loads once per worker) drops articles
   the store already holds and codes the rest, batch by batch.
4. The driver takes the results in input order (`preserve_order`), writes each batch as
   a Parquet shard (documents as `Document.to_json()`, events as PLOVER records, failures)
   and loads it into the store in one transaction (`bulk.load_batch`: COPY on PostgreSQL).

Because a batch's articles and codings are committed together, and loading is
insert-if-absent, killing a run at any point and running it again ends with the same rows
as one clean run. The coder, the reader and the duplicate rules are the local path's, so
the stored Documents are identical to `flashpoint.ingest_run.ingest`'s.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from flashpoint.errors import ConfigError, InputError
from flashpoint.ingest import ReadOptions
from flashpoint.ingest.records import to_failure
from flashpoint.ingest.sources import _GLOB_CHARS, STDIN, _is_article_file
from flashpoint.ingest_run import IngestReport, note_failure, recorded_run
from flashpoint.model import Article, Document, Failure
from flashpoint.nlp.triage import coder_version
from flashpoint.scale import bulk
from flashpoint.scale.ray_runtime import (
    BLOCK_ROWS,
    CODE_BATCH,
    READ_CPUS,
    RayCoder,
    code_with_ray,
    data_context,
    from_rows,
    import_ray,
    ray_session,
    result_batches,
)
from flashpoint.scale.ray_tasks import ROWS, CodeBatch, Row, article_row, read_path
from flashpoint.store import Store
from flashpoint.store import schema as tables
from flashpoint.store.stories import Stories

__all__ = ["RayCoder", "code_with_ray", "expand_inputs", "ingest_ray", "ray_session"]

PENDING_CHUNK = 1000  # stored-but-uncoded articles the driver holds at a time


def expand_inputs(inputs: Iterable[str]) -> Iterator[str | Failure]:
    """The files the local path would read for `inputs`, in its order, or a Failure for
    an input that names nothing (the same messages as `flashpoint.ingest`).

    Mirrors the walk of `flashpoint.ingest.sources` (sorted, hidden entries and
    non-article files skipped, symlinked directories not followed); it lists paths where
    that one reads them, so the files can be read on other machines.
    """
    from flashpoint.errors import EmptyInputError, NotFoundError

    for name in inputs:
        if name == STDIN:
            raise ConfigError("--engine ray reads files, not stdin (-): save the input to a "
                              "file, or use the local engine")
        path = Path(name)
        try:
            if path.is_dir():
                found = list(_walk(path))
                if not found:
                    raise EmptyInputError(f"the directory {name!r} holds no article files")
                yield from found
            elif path.exists():
                yield name
            elif _GLOB_CHARS & set(name):
                import glob

                matches = sorted(glob.iglob(name, recursive=True))
                if not matches:
                    raise NotFoundError(f"no file matches the pattern {name!r}")
                yield from expand_inputs(matches)
            else:
                raise NotFoundError(f"no such file or directory: {name!r}")
        except (InputError, OSError) as exc:
            yield to_failure(name, exc)


def _walk(directory: Path) -> Iterator[str]:
    with os.scandir(directory) as scan:
        entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        elif entry.is_file() and _is_article_file(path):
            yield str(path)


def _read_tables(batch: pa.Table, options: ReadOptions) -> Iterator[pa.Table]:
    """Ray `map_batches` over file paths: each file's rows, `BLOCK_ROWS` at a time."""
    chunk: list[Row] = []
    for item in batch.to_pylist():
        for found in read_path(item, options):
            chunk.append(found)
            if len(chunk) >= BLOCK_ROWS:
                yield pa.Table.from_pylist(chunk, schema=ROWS)
                chunk = []
    if chunk:
        yield pa.Table.from_pylist(chunk, schema=ROWS)


def _dataset(ray: Any, paths: list[str], pending: Iterable[Article], *, options: ReadOptions,
             workers: int, code: bool, known: Any, coder_options: dict[str, Any],
             plover: bool = True) -> Any:
    """The Ray Data plan: read `paths` (plus the `pending` articles), then code."""
    parts = []
    if paths:
        parts.append(
            ray.data.from_items([{"path": p} for p in paths],
                                override_num_blocks=max(1, min(len(paths), 200)))
            .map_batches(_read_tables, batch_size=1, batch_format="pyarrow",
                         fn_kwargs={"options": options}, num_cpus=READ_CPUS)
        )
    rows = (article_row(a, pending=True) for a in pending)
    while chunk := list(itertools.islice(rows, PENDING_CHUNK)):  # into the object store
        parts.append(from_rows(ray, chunk))
    if not parts:
        return None
    ds = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    if code:
        ds = ds.map_batches(
            CodeBatch, batch_size=CODE_BATCH, batch_format="pyarrow", num_cpus=1,
            compute=ray.data.ActorPoolStrategy(size=workers),
            fn_constructor_kwargs={"known": known, "coder_options": coder_options,
                                   "plover": plover},
        )
    return ds


def _known(store: Store) -> tuple[list[str], list[str]]:
    """Ids and text hashes of every stored article (what the actors skip)."""
    query = sa.select(tables.articles.c.id, tables.articles.c.text_hash)
    with store.reading() as conn:
        rows = conn.execute(query).all()
    return [r[0] for r in rows], [r[1] for r in rows]


def ingest_ray(
    store: Store,
    inputs: list[str],
    *,
    options: ReadOptions | None = None,
    workers: int = 1,
    address: str | None = None,
    code: bool = True,
    batch_size: int = 50,
    strict: bool = False,
    console: Console | None = None,
    shards: str | os.PathLike[str] | None = None,
    triage: bool | None = None,
) -> IngestReport:
    """Ingest `inputs` into `store` on Ray; the same report (and rows) as `ingest`.

    `workers` coding actors run on a local Ray started here (`address` None) or on the
    cluster at `address`. Each batch of `batch_size` results is written as a Parquet
    shard under `shards` (default: a temporary directory, removed at the end) and loaded
    in one transaction. `triage` is passed to `default_pipeline` when given.
    Raises only in strict mode (the first failed item) or when Ray cannot run.
    """
    if batch_size < 1:
        raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
    options = replace(options or ReadOptions(), strict=False)  # strict is decided here
    coder_options: dict[str, Any] = {} if triage is None else {"triage": triage}
    ray = import_ray()
    progress = Progress(
        SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
        TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
        console=console, transient=True, disable=console is None,
    )
    temporary = tempfile.TemporaryDirectory(prefix="flashpoint-shards-") if shards is None \
        else nullcontext(os.fspath(shards))
    with recorded_run(store, inputs) as report, progress, temporary as shard_dir:
        task = progress.add_task("expanding inputs", total=None, counts="")
        paths: list[str] = []
        for found in expand_inputs(inputs):
            if isinstance(found, Failure):
                note_failure(store, report, found, strict)
            else:
                paths.append(found)
        version = coder_version(triage if triage is not None else True)
        pending = store.iter_uncoded(version) if code else iter(())
        known = _known(store) if code else None
        progress.update(task, description="starting Ray")
        with ray_session(workers, address):
            data_context(ray)
            ds = _dataset(ray, paths, pending, options=options, workers=workers, code=code,
                          known=ray.put(known) if known else None,
                          coder_options=coder_options)
            loader = _Loader(store, report, strict, Path(shard_dir))
            if ds is not None:
                progress.update(task, description=f"reading and coding on {workers} "
                                f"Ray worker{'s' * (workers > 1)}")
                for batch in result_batches(ds, batch_size):
                    loader.load(batch)
                    progress.update(task, counts=loader.counts())
        progress.update(task, description="assigning stories")
        loader.stories.assign_missing(batch_size)
    return report


class _Loader:
    """The driver's side: each result batch becomes a Parquet shard and one transaction."""

    def __init__(self, store: Store, report: IngestReport, strict: bool, shard_dir: Path):
        self.store = store
        self.report = report
        self.strict = strict
        self.shard_dir = shard_dir
        self.shard_dir.mkdir(parents=True, exist_ok=True)
        self.stories = Stories(store)
        self.shards = 0

    def counts(self) -> str:
        r = self.report
        return f"{r.read} read, {r.stored} stored, {r.coded} coded, {r.failed} failed"

    def load(self, batch: pa.Table) -> None:
        pq.write_table(batch, self.shard_dir / f"part-{self.run_tag}-{self.shards:05d}.parquet")
        self.shards += 1
        articles: list[Article] = []
        documents: dict[int, Document] = {}
        pending: list[Document] = []
        for item in batch.to_pylist():
            if item["failure"] is not None:
                note_failure(self.store, self.report, Failure.model_validate_json(
                    item["failure"]), self.strict)
            kind = item["kind"]
            if kind == "duplicate":
                self.report.read += 1
                self.report.duplicates += 1
            elif kind in ("article", "document"):
                doc = Document.model_validate_json(item["document"]) if item["document"] \
                    else None
                if item["pending"]:
                    if doc is not None:
                        pending.append(doc)
                    continue
                self.report.read += 1
                if doc is not None:
                    documents[len(articles)] = doc
                    articles.append(Article(**doc.model_dump(include=_ARTICLE_FIELDS),
                                            origin=item["origin"]))
                else:
                    articles.append(Article.model_validate_json(item["article"]))
        now = dt.datetime.now(dt.UTC)
        with self.store.db.write() as conn:
            results, coded = bulk.load_batch(conn, self.store.dialect, articles, documents,
                                             pending, self.report.run_id, now)
        fresh = [a for a, r in zip(articles, results, strict=True) if r.status == "stored"]
        self.report.stored += len(fresh)
        self.report.duplicates += len(results) - len(fresh)
        self.report.coded += coded
        if fresh:
            self.stories.assign(fresh)

    @property
    def run_tag(self) -> str:
        return f"{self.report.run_id:06d}"


_ARTICLE_FIELDS = {"id", "url", "title", "published", "source", "text"}
