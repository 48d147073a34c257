"""Ray for flashpoint: starting or joining Ray, and coding Articles on a Ray Data actor pool.

`ray_session` starts a quiet local Ray (or joins a cluster) for the length of a block;
`RayCoder` codes Articles with no store (benchmarks, notebooks); `ray_engine.ingest_ray`
builds the full ingest on the same pieces. Ray is an optional dependency: nothing here
imports it before it is needed, and its absence gives one clear error.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pyarrow as pa

from flashpoint.errors import ConfigError, FlashpointError, WorkerError
from flashpoint.model import Article, Coder, Document, Failure
from flashpoint.nlp.triage import coder_version
from flashpoint.pipeline import CODER_NAME
from flashpoint.scale.ray_tasks import ROWS, CodeBatch, Row, article_row

INSTALL_HINT = "the Ray engine needs Ray: pip install 'flashpoint[ray]'"
CODE_BATCH = 16  # articles an actor codes per call: spaCy batches, both actors kept busy
# Rows per block handed to the actors: one block is one actor call, so small blocks spread
# a short input over every actor (a block costs Ray Data about a millisecond; an article
# costs the coder tens).
BLOCK_ROWS = CODE_BATCH
LOCAL_OBJECT_STORE = 512 * 1024 * 1024  # bytes; Ray's default is 30% of the RAM
# CPUs a read task asks for. Not 1, the coding actors' share: Ray Data fuses a task stage
# into the next actor stage when their resources match, and then one actor would read a
# whole JSONL or WARC file and code all of it alone.
READ_CPUS = 0.5


def import_ray() -> Any:
    """The `ray` module, or a clear error naming the extra to install."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import ray
            import ray.data  # noqa: F401
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    return ray


@contextmanager
def ray_session(workers: int, address: str | None = None) -> Iterator[Any]:
    """Ray, connected for the block: a local Ray of `workers` CPUs (plus one for the
    read tasks) when `address` is None, else the cluster at `address` ('auto',
    'ray://host:10001'). Ray already initialised by the caller (a notebook, the tests)
    is used as it is and left running."""
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    quiet: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.ERROR,
                             "log_to_driver": False}
    # The driver's core worker logs a routine notice about actor restarts at ERROR level
    # on every Ray Data actor pool (ray-project/ray#53727); real failures still raise.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    try:
        if address is None:
            ray.init(num_cpus=workers + 1, object_store_memory=LOCAL_OBJECT_STORE, **quiet)
        else:
            ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address!r}" if address else "a local Ray"
        raise WorkerError(f"cannot start {where}: {exc}") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def data_context(ray: Any) -> None:
    """Results in input order (so duplicates resolve as in the local path), no progress
    bars or banners from Ray Data (we draw our own)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)


def from_rows(ray: Any, rows: list[Row]) -> Any:
    """A dataset of `rows` in blocks of `BLOCK_ROWS` (one block would go to one actor)."""
    table = pa.Table.from_pylist(rows, schema=ROWS)
    return ray.data.from_arrow([table.slice(start, BLOCK_ROWS)
                                for start in range(0, len(rows), BLOCK_ROWS)])


def result_batches(ds: Any, batch_size: int) -> Iterator[pa.Table]:
    """The dataset's rows in input order, `batch_size` at a time; errors inside Ray
    (an actor that died and could not be restarted) become `WorkerError`."""
    try:
        yield from ds.iter_batches(batch_size=batch_size, batch_format="pyarrow")
    except FlashpointError:
        raise
    except Exception as exc:  # Ray wraps worker failures in its own exception types
        raise WorkerError(f"the Ray run failed: {type(exc).__name__}: {exc}") from exc


class RayCoder:
    """Codes Articles on Ray Data actors as `ingest_ray` does, with no store: Documents in
    input order (for `bench/throughput.py` and notebooks; an `ArticleCoder`).

    Ray starts on the first call (or the caller's session is used) and stops at `close`.
    Each call is one Ray Data run with its own actor pool, so each call pays the actors'
    start (loading the coder: ~10-20 s on 2 cores), as every `ingest --engine ray` does.
    For a steady-state rate, the last call's first result batch is timed apart:
    `startup_seconds` (call to first batch, actor start included) and `startup_rows`
    (Documents in that batch); `(n - startup_rows) / (seconds - startup_seconds)`.
    The articles of a call are collected first: they go to the cluster as one dataset.
    """

    def __init__(self, workers: int = 2, address: str | None = None, *,
                 triage: bool | None = None) -> None:
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.address = address
        self.coder_options: dict[str, Any] = {} if triage is None else {"triage": triage}
        self.coder = Coder(name=CODER_NAME,
                           version=coder_version(triage if triage is not None else True))
        self.startup_seconds: float | None = None
        self.startup_rows = 0
        self._session: ExitStack | None = None

    def __enter__(self) -> RayCoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the Ray this coder started (a caller's own session is left running)."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def import_ray(self) -> Any:
        if self._session is None:
            session = ExitStack()
            ray = session.enter_context(ray_session(self.workers, self.address))
            data_context(ray)
            self._session = session
            return ray
        return import_ray()

    def __call__(self, articles: Iterable[Article]) -> Iterator[Document]:
        rows = [article_row(a, pending=True) for a in articles]  # pending: never skipped
        if not rows:
            return
        ray = self.import_ray()
        started = time.perf_counter()
        self.startup_seconds = None
        ds = from_rows(ray, rows).map_batches(
            CodeBatch, batch_size=CODE_BATCH, batch_format="pyarrow", num_cpus=1,
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            fn_constructor_kwargs={"coder_options": self.coder_options, "plover": False},
        )
        for batch in result_batches(ds, CODE_BATCH):
            if self.startup_seconds is None:
                self.startup_seconds = time.perf_counter() - started
                self.startup_rows = batch.num_rows
            for item in batch.to_pylist():
                if item["document"] is None:
                    message = Failure.model_validate_json(item["failure"]).message
                    raise WorkerError(f"{item['origin'] or item['id']}: {message}")
                yield Document.model_validate_json(item["document"])


def code_with_ray(articles: Iterable[Article], workers: int = 2, address: str | None = None,
                  *, triage: bool | None = None) -> Iterator[Document]:
    """Code `articles` on Ray (no store): Documents in input order. Ray is started and
    stopped here unless the caller already runs it (see `RayCoder`)."""
    with RayCoder(workers, address, triage=triage) as coder:
        yield from coder(articles)
