"""One ingest run: read sources, store new articles, code them, record every problem.

This joins the stages the CLI (and later the watcher and API) drive: `ingest` reads,
`store` keeps, `pipeline` codes. Articles are committed in batches, so killing a run
loses at most the batch in flight, and a re-run skips what is already stored (ids are
content hashes) and codes whatever the killed run stored but had not coded yet.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from flashpoint.errors import InputError
from flashpoint.ingest import ReadOptions, read_sources
from flashpoint.model import Article, Failure
from flashpoint.pipeline import ArticleCoder
from flashpoint.store import Store
from flashpoint.store.rows import AddResult
from flashpoint.store.stories import Stories


@dataclass
class IngestReport:
    """What a run did, for the summary table and for callers."""

    run_id: int
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    coded: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return len(self.failures)


@contextmanager
def recorded_run(store: Store, inputs: list[str]) -> Iterator[IngestReport]:
    """A run row for one ingest (local or Ray): yields its report, then closes the row
    with the counts, the time taken and how the run ended (done, interrupted, failed),
    whatever happens inside."""
    started = time.perf_counter()
    report = IngestReport(run_id=store.start_run(command="ingest", inputs=inputs))
    status = "failed"
    try:
        yield report
        status = "done"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        report.seconds = time.perf_counter() - started
        store.finish_run(
            report.run_id, stored=report.stored, duplicates=report.duplicates,
            failed=report.failed, status=status,
        )


def ingest(
    store: Store,
    inputs: list[str],
    *,
    options: ReadOptions | None = None,
    code: bool = True,
    pipeline: ArticleCoder | None = None,
    batch_size: int = 50,
    strict: bool = False,
    stdin: IO[bytes] | None = None,
    console: Console | None = None,
) -> IngestReport:
    """Ingest `inputs` into `store`; returns the report. Raises only in strict mode."""
    if pipeline is None and code:
        from flashpoint import default_pipeline

        pipeline = default_pipeline()
    stories = Stories(store)
    batch: list[Article] = []
    progress = Progress(
        SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
        TextColumn("{task.completed} read"), TimeElapsedColumn(),
        console=console, transient=True, disable=console is None,
    )
    with recorded_run(store, inputs) as report, progress:
        task = progress.add_task("ingesting", total=None)
        for item in read_sources(inputs, options=options, stdin=stdin):
            if isinstance(item, Failure):
                note_failure(store, report, item, strict)
                continue
            report.read += 1
            progress.update(task, completed=report.read)
            batch.append(item)
            if len(batch) >= batch_size:
                _flush(store, batch, report, pipeline if code else None, stories)
                batch = []
        _flush(store, batch, report, pipeline if code else None, stories)
        if code and pipeline is not None:
            _code_pending(store, pipeline, report, batch_size)
        stories.assign_missing(batch_size)
    return report


def note_failure(store: Store, report: IngestReport, failure: Failure, strict: bool) -> None:
    """Record one item's failure (or warning) in the store and the report; raise in
    strict mode. Shared with the Ray engine, whose driver records failures the same way."""
    store.record_failures([failure], run_id=report.run_id)
    if failure.severity == "warning":
        report.warnings.append(failure)
        return
    report.failures.append(failure)
    if strict:
        raise InputError(f"{failure.origin}: {failure.message}")


def _flush(store: Store, batch: list[Article], report: IngestReport,
           pipeline: ArticleCoder | None, stories: Stories | None = None) -> list[AddResult]:
    """Store one batch, put the new articles in their stories, code them.

    Returns one result per article, in order (the watcher marks its items with them).
    """
    if not batch:
        return []
    results = store.add_articles(batch, run_id=report.run_id)
    # One result per input article, in order: code exactly the articles that were stored
    # (not a later copy with the same id, whose text may differ in spacing).
    fresh = [a for a, r in zip(batch, results, strict=True) if r.status == "stored"]
    report.stored += len(fresh)
    report.duplicates += len(results) - len(fresh)
    if stories is not None and fresh:
        stories.assign(fresh)
    if pipeline is not None and fresh:
        report.coded += store.save_documents(pipeline(fresh))
    return results


store_batch = _flush  # the public name: `flashpoint.watch` stores its pages through it


def _code_pending(store: Store, pipeline: ArticleCoder, report: IngestReport,
                  size: int) -> None:
    """Code articles stored earlier but never coded by this coder (e.g. after a kill)."""
    pending: Iterable[Article] = store.iter_uncoded(pipeline.coder.version, batch_size=size)
    report.coded += store.save_documents(pipeline(pending))
