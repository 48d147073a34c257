"""Answers to repeated GET requests, kept in memory until the store changes.

A dashboard is read far more than it is written: many analysts open the same event
table, the same actor page, the same dyad chart, and between two ingest batches every
one of those answers is the same. Computing one costs 5-30 ms of CPU (queries, JSON,
templates); replaying it costs a dictionary lookup. So `flashpoint serve` keeps the
bodies of successful GET answers, keyed by path and query string, and drops them all as
soon as the store's generation moves (migration 0005: every write transaction, by any
process, raises it).

Bounds, so that the cache can neither serve stale data for long nor grow without limit:
- writes through this process's Store (POST /api/documents, or a program that serves a
  Store it also writes to) are seen at once; writes by other processes within `recheck`
  seconds (default 1 s): the stored generation is read in the background at most that
  often, never while a request waits. Every answer also expires after `max_age` seconds
  (default 60 s), for pages whose content depends on the clock;
- bodies over `max_entry_bytes` are not kept, and the least recently used answers go
  first once the total passes `max_bytes` (`flashpoint serve --cache-mb`, 0 turns the
  cache off);
- only 200 answers to GET requests under /api/ and the dashboard pages are kept; exports
  (streamed downloads), static files, the API docs, POST requests and errors never are.

Why not an HTTP cache in front (nginx, Varnish) or a library: the invalidation rule is
"the store changed", which only flashpoint can see, and an ASGI layer of 100 lines keeps
`flashpoint serve` one command.

With `--workers N`, each process keeps its answers in memory and also leaves them in a
cache all the processes share (`serve/shared_answers.py`), so a page computed by one is
replayed by the others. And when several requests for the same page arrive while it is
being computed, the later ones wait for that answer instead of computing it again (right
after a start, the most popular pages are asked for by many users at once).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flashpoint.serve.shared_answers import SharedAnswers

HEADER = b"x-flashpoint-cache"
MAX_AGE = 60.0  # seconds an answer may be replayed, whatever the store does
SKIPPED_PREFIXES = ("/static", "/docs", "/openapi.json", "/api/events/export")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    generation: tuple[int, int]  # (the store's, this process's writes)
    stored_at: float


def computes_a_page(scope: Scope) -> bool:
    """A GET or HEAD that runs an endpoint to compute an answer of bounded size: not a
    streamed download, a static file or the API docs (`serve/admission.py` gates these;
    the GETs among them are the ones this cache may keep)."""
    return (scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
            and not str(scope["path"]).startswith(SKIPPED_PREFIXES))


def _no_cache(scope: Scope) -> bool:
    """`Cache-Control: no-cache` on the request (RFC 9111: do not answer from a store
    without checking with the origin; here the answer is computed again)."""
    return any(name == b"cache-control" and b"no-cache" in value.lower()
               for name, value in scope.get("headers", []))


class ResponseCache:
    """ASGI middleware replaying stored answers while `generation()` stays the same."""

    def __init__(self, app: ASGIApp, generation: Callable[[], int],
                 local_writes: Callable[[], int], *,
                 max_bytes: int = 64_000_000, max_entry_bytes: int = 2_000_000,
                 recheck: float = 1.0, max_age: float = MAX_AGE,
                 shared: SharedAnswers | None = None) -> None:
        self.app = app
        self.generation = generation
        self.local_writes = local_writes
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.recheck = recheck
        self.max_age = max_age
        self.shared = shared
        self._answers: OrderedDict[bytes, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        # (generation, when it was read, this process's writes counted before reading it)
        self._known: tuple[int, float, int] | None = None
        self._computing: dict[tuple[bytes, tuple[int, int]], asyncio.Event] = {}
        self._polling = False
        self._task: asyncio.Task[None] | None = None  # the running poll (kept referenced)
        # The poll gets a thread of its own, not one of the endpoints' pool, so a busy
        # server reads its generation as soon as it is due.
        self._poll_limiter = anyio.CapacityLimiter(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        generation = await self._current_generation()
        if _no_cache(scope):  # the client asks for a fresh answer (it is kept all the same)
            answer = computing = None
        else:
            answer = self._lookup(key, generation) or self._lookup_shared(key, generation)
            computing = self._computing.get((key, generation))
        if answer is None and computing is not None:
            await computing.wait()  # someone is computing this very page: take theirs
            answer = self._lookup(key, generation)
        if answer is not None:
            await send({"type": "http.response.start", "status": answer.status,
                        "headers": [*answer.headers, (HEADER, b"hit")]})
            await send({"type": "http.response.body", "body": answer.body})
            return
        done = self._computing[key, generation] = asyncio.Event()
        try:
            await self._compute(scope, receive, send, key, generation)
        finally:
            done.set()
            if self._computing.get((key, generation)) is done:
                del self._computing[key, generation]

    @staticmethod
    def _cacheable(scope: Scope) -> bool:
        return computes_a_page(scope) and scope["method"] == "GET"

    async def _current_generation(self) -> tuple[int, int]:
        known = self._known
        if known is None or (self.shared is not None and known[2] != self.local_writes()):
            # The first request waits for the first reading. So does the first after a
            # write of our own when answers are shared: they are found by the store's
            # generation, which that write raised.
            self._polling = True
            await self._poll()
        elif time.monotonic() - known[1] >= self.recheck and not self._polling:
            # Answer from what is known; the requests after the poll see the new value.
            self._polling = True
            self._task = asyncio.get_running_loop().create_task(self._poll())
        assert self._known is not None
        return self._known[0], self.local_writes()

    async def _poll(self) -> None:
        writes = self.local_writes()
        try:
            # A database read: off the event loop, like the endpoints' own queries.
            generation = await anyio.to_thread.run_sync(self.generation,
                                                        limiter=self._poll_limiter)
        finally:
            self._polling = False
        known = self._known
        if known is not None and known[0] != generation:
            with self._lock:  # every answer is stale now: free the memory at once
                self._answers.clear()
                self._bytes = 0
        self._known = (generation, time.monotonic(), writes)

    def _lookup(self, key: bytes, generation: tuple[int, int]) -> Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                return None
            if (answer.generation != generation
                    or time.monotonic() - answer.stored_at > self.max_age):
                self._drop(key)
                return None
            self._answers.move_to_end(key)
            return answer

    def _lookup_shared(self, key: bytes, generation: tuple[int, int]) -> Answer | None:
        """An answer another worker computed at this store generation, kept here too."""
        if self.shared is None:
            return None
        found = self.shared.get(generation[0], key)
        if found is None or found[3] > self.max_age:
            return None
        status, headers, body, age = found
        answer = Answer(status, headers, body, generation, time.monotonic() - age)
        if len(body) <= self.max_entry_bytes:
            self._store(key, answer)
        return answer

    async def _compute(self, scope: Scope, receive: Receive, send: Send, key: bytes,
                       generation: tuple[int, int]) -> None:
        """Run the app, pass its answer on, and keep it if it may be replayed."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def recording_send(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200
                message = {**message, "headers": [*message.get("headers", []),
                                                  (HEADER, b"miss")]}
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > self.max_entry_bytes:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
                if not message.get("more_body", False) and keep and start is not None:
                    kept = Answer(start["status"], list(start.get("headers", [])),
                                  b"".join(chunks), generation, time.monotonic())
                    self._store(key, kept)
                    if self.shared is not None:  # for the other workers, in the background
                        self.shared.offer(generation[0], key, kept.status, kept.headers,
                                          kept.body)
            await send(message)

        await self.app(scope, receive, recording_send)

    def _store(self, key: bytes, answer: Answer) -> None:
        with self._lock:
            if key in self._answers:
                self._drop(key)
            self._answers[key] = answer
            self._bytes += len(answer.body)
            while self._bytes > self.max_bytes and self._answers:
                self._drop(next(iter(self._answers)))

    def _drop(self, key: bytes) -> None:
        self._bytes -= len(self._answers.pop(key).body)

    def __len__(self) -> int:
        return len(self._answers)
