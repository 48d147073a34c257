"""The cache of answers that all `flashpoint serve --workers N` processes share.

Each worker keeps its own answers in memory (`serve/cache.py`), so without this layer
every distinct page is computed once per worker: with two workers, twice the work right
after a start or a store change, when 200 users' first requests are all misses and queue
on the CPUs. Here a worker that computed a page leaves it for the others.

It is diskcache (a well-kept SQLite-backed cache that several processes may use at
once) in a private directory `flashpoint serve` creates at start and removes at exit.
Entries are keyed by the store generation the answer was computed at, so that an answer
from before a write is never found under the generation after it; they expire after the
same `max_age` as the in-memory answers, and the oldest stored go first past the size
limit. Reading an entry is a SQLite read (about 0.05 ms here); a read or write that
meets a lock for longer than `timeout` counts as a miss, never as an error, because the
page can always be computed instead.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from pathlib import Path

import diskcache

_LENGTH = 4  # bytes of the big-endian length of the JSON head in a stored value
BACKLOG = 64  # answers waiting to be written; more are dropped
_Offer = tuple[int, bytes, int, list[tuple[bytes, bytes]], bytes]


class SharedAnswers:
    """Answers (status, headers, body) by store generation and request, across processes."""

    def __init__(self, directory: str | Path, *, max_bytes: int, max_age: float,
                 timeout: float = 0.5) -> None:
        self.max_age = max_age
        # "least-recently-stored": a read never writes, so readers never queue on the lock.
        self._cache = diskcache.Cache(str(directory), size_limit=max_bytes, timeout=timeout,
                                      eviction_policy="least-recently-stored")
        self._offers: queue.Queue[_Offer | None] = queue.Queue(maxsize=BACKLOG)
        self._writer: threading.Thread | None = None

    def get(self, generation: int, key: bytes) -> tuple[int, list[tuple[bytes, bytes]],
                                                        bytes, float] | None:
        """(status, headers, body, age in seconds) stored for `key`, or None."""
        try:
            value = self._cache.get(_key(generation, key))
        except diskcache.Timeout:
            return None
        if not isinstance(value, bytes):
            return None
        size = int.from_bytes(value[:_LENGTH], "big")
        head = json.loads(value[_LENGTH:_LENGTH + size])
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in head["headers"]]
        return (int(head["status"]), headers, value[_LENGTH + size:],
                max(0.0, time.time() - float(head["stored"])))

    def offer(self, generation: int, key: bytes, status: int,
              headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Store an answer in the background: a write may wait for another worker's lock,
        and no client should wait with it. Offers beyond a short backlog are dropped (the
        page is computed again if asked for)."""
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_offers, daemon=True,
                                            name="flashpoint-shared-answers")
            self._writer.start()
        with contextlib.suppress(queue.Full):
            self._offers.put_nowait((generation, key, status, headers, body))

    def _write_offers(self) -> None:
        while (offer := self._offers.get()) is not None:
            self.put(*offer)

    def put(self, generation: int, key: bytes, status: int,
            headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        head = json.dumps({"status": status, "stored": time.time(),
                           "headers": [(k.decode("latin-1"), v.decode("latin-1"))
                                       for k, v in headers]}).encode()
        value = len(head).to_bytes(_LENGTH, "big") + head + body
        # Another worker holding the lock that long: this answer is not worth the wait.
        with contextlib.suppress(diskcache.Timeout):
            self._cache.set(_key(generation, key), value, expire=self.max_age)

    def close(self) -> None:
        if self._writer is not None:
            self._offers.put(None)  # after the offers already queued
            self._writer.join(timeout=5)
            self._writer = None
        self._cache.close()


def _key(generation: int, key: bytes) -> bytes:
    return str(generation).encode() + b" " + key
