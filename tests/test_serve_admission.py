"""The gate on computed answers (`flashpoint.serve.admission`).

What must hold: no more than `limit` endpoints run at once; waiting requests go first come,
first served while the wait is short, newest first once the oldest has waited
`lifo_after`, and oldest first again once it has waited `max_wait`; a request that goes
away while waiting takes no place with it; and a place is given back as soon as the
answer starts, so a client slow to read cannot hold it. The middleware runs under real
uvicorn with real concurrent clients.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from flashpoint.errors import ConfigError
from flashpoint.serve import ServerSettings
from flashpoint.serve.admission import Admission, Slots
from flashpoint.serve.app import app_for_worker, worker_environment
from serve_data import serving

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: the dashboard tests' Playwright (sync API)
    keeps an event loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _order_served(slots: Slots, waiters: int, pause_before_release: float = 0.0,
                        gap: float = 0.0) -> list[int]:
    """Hold the only place, queue `waiters` requests (`gap` seconds apart), then hand the
    place on one release at a time; the order in which the waiters got it."""
    served: list[int] = []
    await slots.acquire()

    async def waiter(n: int) -> None:
        await slots.acquire()
        served.append(n)

    tasks = []
    for n in range(waiters):
        tasks.append(asyncio.create_task(waiter(n)))
        await asyncio.sleep(gap)
    await asyncio.sleep(pause_before_release)
    for _ in range(waiters):
        slots.release()
        await asyncio.sleep(0)  # let the chosen waiter run
    await asyncio.gather(*tasks)
    return served


def test_first_come_first_served_while_the_wait_is_short() -> None:
    slots = Slots(1, lifo_after=60, max_wait=120)
    assert run(_order_served(slots, 4)) == [0, 1, 2, 3]


def test_newest_first_once_a_queue_has_formed() -> None:
    slots = Slots(1, lifo_after=0.05, max_wait=120)
    assert run(_order_served(slots, 4, pause_before_release=0.1)) == [3, 2, 1, 0]


def test_a_request_waiting_max_wait_goes_before_newer_ones() -> None:
    # waiter 0 has waited over max_wait when the place comes free; 1-3 have waited over
    # lifo_after but not max_wait, so the newest of them goes next
    slots = Slots(1, lifo_after=0.01, max_wait=0.3)

    async def scenario() -> list[int]:
        served: list[int] = []
        await slots.acquire()

        async def waiter(n: int) -> None:
            await slots.acquire()
            served.append(n)

        first = asyncio.create_task(waiter(0))
        await asyncio.sleep(0.35)
        rest = [asyncio.create_task(waiter(n)) for n in (1, 2, 3)]
        await asyncio.sleep(0.05)
        for _ in range(4):
            slots.release()
            await asyncio.sleep(0)
        await asyncio.gather(first, *rest)
        return served

    assert run(scenario()) == [0, 3, 2, 1]


def test_never_more_than_limit_holders_and_nothing_leaks_on_cancel() -> None:
    async def scenario() -> None:
        slots = Slots(2)
        running = most = 0

        async def job() -> None:
            nonlocal running, most
            await slots.acquire()
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.01)
            running -= 1
            slots.release()

        await asyncio.gather(*(job() for _ in range(20)))
        assert most == 2
        # a waiter that goes away takes no place with it
        await slots.acquire()
        await slots.acquire()
        gone = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)
        assert slots.waiting == 1
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        assert slots.waiting == 0
        slots.release()
        slots.release()
        await asyncio.wait_for(slots.acquire(), 1)  # both places are free again
        await asyncio.wait_for(slots.acquire(), 1)

    run(scenario())


@pytest.mark.parametrize("release_first", [True, False],
                         ids=["handed-then-cancelled", "cancelled-then-released"])
def test_a_cancel_racing_a_release_loses_no_place(release_first: bool) -> None:
    """Either the place was handed to a waiter that is cancelled before it runs (it
    must give the place back), or the waiter was cancelled and then a release skipped
    it (its handler must not fail on the entry the release dropped)."""
    async def scenario() -> None:
        slots = Slots(1)
        await slots.acquire()
        waiter = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)
        if release_first:
            slots.release()
            waiter.cancel()
        else:
            waiter.cancel()
            slots.release()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await asyncio.wait_for(slots.acquire(), 1)
        assert slots.waiting == 0

    run(scenario())


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        Slots(0)
    with pytest.raises(ConfigError):
        ServerSettings(compute_slots=-1)


def test_compute_slots_reach_the_worker_processes(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: object) -> None:
    settings = ServerSettings(compute_slots=5, cache_bytes=0)
    monkeypatch.setenv("FLASHPOINT_SERVE_WORKER",
                       worker_environment(f"{tmp_path}/w.db", None, settings))
    app = app_for_worker()
    assert app.state.settings.compute_slots == 5
    app.state.store.close()


def test_endpoints_run_at_most_limit_at_once_under_uvicorn() -> None:
    running = most = 0

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.1)
        running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    with serving(Admission(page, Slots(2))) as url:
        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(lambda n: httpx.get(f"{url}/p{n}", timeout=30), range(10)))
        exported = httpx.get(f"{url}/api/events/export", timeout=30)  # not gated
    assert [a.text for a in answers] == [f"/p{n}" for n in range(10)]
    assert most == 2
    assert exported.status_code == 200


def test_a_long_computation_gives_its_place_back_after_the_lease() -> None:
    """With one place, a page that takes two seconds (a whole-store aggregate) must not
    hold up a quick page asked for after it: past the lease it runs outside the gate."""
    finished: list[str] = []

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(2.0 if scope["path"] == "/slow" else 0.01)
        finished.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    with serving(Admission(page, Slots(1), lease=0.2)) as url, \
            ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(httpx.get, f"{url}/slow", timeout=30)
        time.sleep(0.1)
        started = time.monotonic()
        quick = httpx.get(f"{url}/quick", timeout=30)
        took = time.monotonic() - started
        slow.result()
    assert quick.text == "done"
    assert finished == ["/quick", "/slow"]
    assert took < 1.5


def test_a_client_slow_to_read_holds_no_place() -> None:
    """With one place, a client that asks for a large page and never reads it must not
    stop the next request from being computed: the place is given back when the answer
    starts, not when the last byte has gone."""
    chunk = b"x" * 1_000_000

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if scope["path"] == "/large":  # 64 MB: far beyond what socket buffers hold
            for _ in range(64):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"small"})

    with serving(Admission(page, Slots(1))) as url:
        address = urlsplit(url)
        with socket.create_connection((address.hostname, address.port)) as stalled:
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.sendall(b"GET /large HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(0.5)  # the large answer has started and is stuck on the socket
            answer = httpx.get(f"{url}/small", timeout=10)
    assert answer.text == "small"
