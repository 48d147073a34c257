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
`flashpoint serve` one command. Each `--workers` process has its own cache.
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

HEADER = b"x-flashpoint-cache"
SKIPPED_PREFIXES = ("/static", "/docs", "/openapi.json", "/api/events/export")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    generation: tuple[int, int]  # (the store's, this process's writes)
    stored_at: float


class ResponseCache:
    """ASGI middleware replaying stored answers while `generation()` stays the same."""

    def __init__(self, app: ASGIApp, generation: Callable[[], int],
                 local_writes: Callable[[], int], *,
                 max_bytes: int = 64_000_000, max_entry_bytes: int = 2_000_000,
                 recheck: float = 1.0, max_age: float = 60.0) -> None:
        self.app = app
        self.generation = generation
        self.local_writes = local_writes
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.recheck = recheck
        self.max_age = max_age
        self._answers: OrderedDict[bytes, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._known: tuple[int, float] | None = None  # (generation, when it was read)
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
        answer = self._lookup(key, generation)
        if answer is not None:
            await send({"type": "http.response.start", "status": answer.status,
                        "headers": [*answer.headers, (HEADER, b"hit")]})
            await send({"type": "http.response.body", "body": answer.body})
            return
        await self._compute(scope, receive, send, key, generation)

    @staticmethod
    def _cacheable(scope: Scope) -> bool:
        return (scope["type"] == "http" and scope["method"] == "GET"
                and not str(scope["path"]).startswith(SKIPPED_PREFIXES))

    async def _current_generation(self) -> tuple[int, int]:
        known = self._known
        if known is None:  # the first request waits for the first reading
            self._polling = True
            await self._poll()
        elif time.monotonic() - known[1] >= self.recheck and not self._polling:
            # Answer from what is known; the requests after the poll see the new value.
            self._polling = True
            self._task = asyncio.get_running_loop().create_task(self._poll())
        assert self._known is not None
        return self._known[0], self.local_writes()

    async def _poll(self) -> None:
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
        self._known = (generation, time.monotonic())

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

    async def _compute(self, scope: Scope, receive: Receive, send: Send, key: bytes,
                       generation: tuple[int, int]) -> None:
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
                    self._store(key, Answer(start["status"], list(start.get("headers", [])),
                                            b"".join(chunks), generation, time.monotonic()))
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
