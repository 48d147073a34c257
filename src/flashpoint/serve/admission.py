"""How many answers a server process computes at once, and which waiting request goes next.

ASGI middleware (`Admission`) around the routes, inside the cache of answers: replayed
answers never wait here; every GET that runs an endpoint does, except streamed downloads
and static files.

After a start (or a write, which empties the cache of answers) every user's requests are
computed, each 5-30 ms of CPU, and for a second or two they arrive faster than two cores
can answer them. What happened then, before this gate: all of them entered the
endpoints' thread pool, took turns at the GIL with each other and with the event loop,
and a request passing through the pool twice (a dependency, then the endpoint) queued
at the back each time. Every request of the burst finished late, cached or not.

So computations pass a gate: at most `limit` per process at once (SQLite releases the
GIL, so two overlap usefully; more only share one core), and the rest wait. While the
wait is short the order is first come, first served. Once the oldest request has waited
`lifo_after` seconds a queue is forming, and the newest waiting request goes first
(adaptive LIFO, as in Facebook's "Fail at Scale", ACM Queue 13(8), 2015): a request that
is already late gets little from being served a bit sooner, while the requests behind
it, served at once, are not late at all. So a burst makes a few requests slow instead of
all of them. And none for ever: one that has waited `max_wait` seconds goes before every
newer one. (On the load test of docs/reliability.md the burst lasts two to three
seconds: a bound of 5 s let the few late requests take up to 3.4 s; a bound of 1 s held
them to about a second, but on a slower minute it turned the order back to first come,
first served for the end of the burst, and twice as many requests took over 500 ms.)

A page that takes long (an aggregate over the whole store: about a second on 1M events)
must not stop the others: a computation still running after `LEASE` seconds gives its
place back and runs on outside the gate, as every computation did before it. Such a page
is mostly waiting on the database, which releases the GIL, so it takes little from the
pages let in after it.

Hand-written, not AnyIO's `CapacityLimiter` or `asyncio.Semaphore`: both wake their
waiters strictly in arrival order, and neither can choose the newest.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flashpoint.serve.cache import computes_a_page

LIFO_AFTER = 0.05  # seconds the oldest request waits before the newest goes first
LEASE = 0.25  # seconds a computation holds its place at most (50x a typical page)
MAX_WAIT = 5.0  # seconds after which a waiting request goes before all newer ones


class Slots:
    """At most `limit` holders at once; waiters are woken as the module docstring says."""

    def __init__(self, limit: int, *, lifo_after: float = LIFO_AFTER,
                 max_wait: float = MAX_WAIT) -> None:
        if limit < 1:
            raise ValueError("limit must be 1 or more")
        self.limit = limit
        self.lifo_after = lifo_after
        self.max_wait = max_wait
        self._free = limit
        self._waiting: deque[tuple[float, asyncio.Future[None]]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def acquire(self) -> None:
        """Take one of the `limit` places (give it back with `release`)."""
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        entry = (time.monotonic(), asyncio.get_running_loop().create_future())
        self._waiting.append(entry)
        try:
            await entry[1]
        except asyncio.CancelledError:
            if entry[1].done() and not entry[1].cancelled():
                self.release()  # the place was handed over just as the request went away
            elif entry in self._waiting:  # (a release may have skipped and dropped it)
                self._waiting.remove(entry)
            raise

    def release(self) -> None:
        while self._waiting:
            _, chosen = self._next()
            if not chosen.done():  # a cancelled waiter is skipped
                chosen.set_result(None)  # the place passes straight to it
                return
        self._free += 1

    def _next(self) -> tuple[float, asyncio.Future[None]]:
        waited = time.monotonic() - self._waiting[0][0]
        if waited < self.lifo_after or waited >= self.max_wait:
            return self._waiting.popleft()
        return self._waiting.pop()


class Admission:
    """ASGI middleware: an endpoint runs only while its request holds one of `slots`.

    The place is given back when the answer starts (its body is already computed; a
    client slow to read it must not hold a place), when the endpoint ends, or after
    `lease` seconds, whichever comes first."""

    def __init__(self, app: ASGIApp, slots: Slots, lease: float = LEASE) -> None:
        self.app = app
        self.slots = slots
        self.lease = lease

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not computes_a_page(scope):
            await self.app(scope, receive, send)
            return
        await self.slots.acquire()
        held = True

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                self.slots.release()

        async def releasing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        timer = asyncio.get_running_loop().call_later(self.lease, give_back)
        try:
            await self.app(scope, receive, releasing_send)
        finally:
            timer.cancel()
            give_back()
