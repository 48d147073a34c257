"""Coding on several processes of one machine: `flashpoint ingest --workers N`.

Each worker process builds the whole coder once (spaCy, gazetteers, typer) and codes
chunks of articles end to end, so every stage runs in parallel, not only the parse
(`nlp.pipe(n_process=...)` would leave actors, statements and events on one core).

Memory stays bounded on any input size: articles are pulled from the caller's iterable
only as fast as results are consumed (at most `window` chunks in flight), and Documents
come back in input order. Workers are started with `spawn`, not `fork`: a fork would copy
the parent's threads' locks (rich's progress refresher, database pools) in whatever state
they happen to be in.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any

from flashpoint.errors import ConfigError, WorkerError
from flashpoint.model import Article, Coder, Document
from flashpoint.pipeline import CODER_NAME, ArticleCoder, Pipeline, make_article

# Articles a worker codes per round trip: big enough that pickling and scheduling are
# small beside the coding (tens of ms an article), small enough to keep both cores busy
# on a short batch.
CHUNK = 8

_coder: Pipeline | None = None  # the coder of this worker process
_warm = False  # whether it has coded anything yet


def _start_worker(options: dict[str, Any]) -> None:
    global _coder
    from flashpoint import default_pipeline

    _coder = default_pipeline(**options)


_WARM_UP = ("The foreign minister said on Monday that the government would send "
            "troops to the border if the talks failed.")


def _worker_pid(pause: float) -> int:
    """This worker's pid once its coder has coded a sentence (whatever loads on first
    use is loaded), after a short pause so that one worker cannot take every probe of
    `ParallelCoder.start` while the others are still loading."""
    global _warm
    assert _coder is not None, "worker started without its coder"
    if not _warm:
        list(_coder([make_article(_WARM_UP)]))
        _warm = True
    time.sleep(pause)
    return os.getpid()


def _code_chunk(articles: list[Article]) -> list[Document]:
    assert _coder is not None, "worker started without its coder"
    return list(_coder(articles))


class ParallelCoder:
    """Codes Articles on `workers` processes; a drop-in for `Pipeline` where a coder is
    taken (`flashpoint.ingest_run.ingest`, `extract_many`).

    Use as a context manager (or call `close`) to stop the workers; they are started on
    first use, so building one costs nothing.
    """

    def __init__(self, workers: int, *, chunk: int = CHUNK, window: int | None = None,
                 **coder_options: Any) -> None:
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        if chunk < 1:
            raise ConfigError(f"chunk must be at least 1, got {chunk}")
        self.workers = workers
        self.chunk = chunk
        self.window = window or 2 * workers
        self.coder_options = coder_options
        from flashpoint.nlp.triage import coder_version

        # what the workers' coder will stamp on its Documents (and what ingest looks for
        # when it codes articles stored earlier but not coded by this coder)
        self.coder = Coder(name=CODER_NAME,
                           version=coder_version(bool(coder_options.get("triage", True))))
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParallelCoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def start(self, timeout: float = 300.0) -> list[int]:
        """Start every worker and wait until each has built its coder and coded a
        sentence; their pids.

        Workers are otherwise started as chunks arrive (the spawn context starts a
        process per submitted task while none is idle), so the first chunks of a run
        wait for a whole coder to load. Benchmarks call this so that their clock measures
        coding, not start-up; an ingest does not need to.
        """
        pool = self._executor()
        deadline = time.monotonic() + timeout
        seen: set[int] = set()
        while len(seen) < self.workers:
            if time.monotonic() > deadline:
                raise WorkerError(f"only {len(seen)} of {self.workers} worker processes "
                                  f"started within {timeout:g} s")
            # a worker answers only once its initializer (the coder) has run
            probes = [pool.submit(_worker_pid, 0.2) for _ in range(self.workers)]
            try:
                seen.update(probe.result() for probe in probes)
            except BrokenProcessPool as exc:
                self.close()
                raise WorkerError("a worker process died while starting") from exc
        return sorted(seen)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.coder_options,),
            )
        return self._pool

    def __call__(self, articles: Iterable[Article]) -> Iterator[Document]:
        pool = self._executor()
        source = iter(articles)
        pending: deque[Future[list[Document]]] = deque()
        try:
            while True:
                while len(pending) < self.window:
                    chunk = list(islice(source, self.chunk))
                    if not chunk:
                        break
                    pending.append(pool.submit(_code_chunk, chunk))
                if not pending:
                    return
                yield from pending.popleft().result()
        except BrokenProcessPool as exc:
            self.close()
            raise WorkerError(
                "a worker process died (killed or out of memory?); the articles it held "
                "are not coded: a re-run codes whatever is stored but not coded yet"
            ) from exc
        finally:
            for future in pending:
                future.cancel()


def coder_for(workers: int, **coder_options: Any) -> ArticleCoder:
    """The in-process coder for one worker, a ParallelCoder for more."""
    if workers == 1:
        from flashpoint import default_pipeline

        return default_pipeline(**coder_options)
    return ParallelCoder(workers, **coder_options)
