"""`Fetcher`: one careful HTTP GET, the way a polite and defensive crawler makes it.

What every request gets, and why:

- **addresses**: only public ones, checked after DNS and at connect (`safety.py`);
  redirects are followed by hand, at most `max_redirects`, each hop checked again;
- **robots.txt** of each origin, read once per `Fetcher` with `urllib.robotparser`
  (absent: all allowed; a 5xx or unreachable robots.txt: nothing allowed, as RFC 9309 says);
- **rate limit**: at least `host_delay` seconds between two requests to one host;
- **timeouts**: httpx's connect/read timeouts, plus an overall deadline so a server that
  drips one byte a second cannot hold the watcher;
- **size**: the body is streamed and abandoned past `max_bytes`;
- **content type**: checked from the headers before the body is read;
- **conditional requests**: `If-None-Match` / `If-Modified-Since` from the last answer,
  so an unchanged feed costs a 304 and no body.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from flashpoint.__about__ import __version__
from flashpoint.errors import TooLargeError
from flashpoint.ingest.options import megabytes
from flashpoint.ingest.page import media_type
from flashpoint.watch.errors import (
    BlockedError,
    ContentTypeError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    RobotsError,
)
from flashpoint.watch.safety import GuardedTransport, parse_networks

USER_AGENT = f"flashpoint/{__version__} (news event monitor)"
ROBOTS_MAX_BYTES = 500_000
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchSettings:
    """Limits and manners for every request (feeds.yaml `defaults`, CLI options)."""

    timeout: float = 10.0            # seconds per connect / read
    deadline: float = 30.0           # seconds for a whole response, body included
    max_bytes: int = 5_000_000       # per page or feed
    max_redirects: int = 5
    host_delay: float = 1.0          # seconds between two requests to one host
    user_agent: str = USER_AGENT
    robots: bool = True
    allow_private: bool = False
    allow_addresses: tuple[str, ...] = ()  # addresses / CIDR networks let through anyway


@dataclass(frozen=True)
class Fetched:
    """A response: its final URL (after redirects), status, and body (empty for 304)."""

    url: str
    status: int
    content: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Robots:
    parsers: dict[str, RobotFileParser | None] = field(default_factory=dict)


class Fetcher:
    """Makes GET requests under `FetchSettings`; raises `FetchError`s, never httpx's."""

    def __init__(
        self, settings: FetchSettings | None = None, *,
        clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._clock, self._sleep = clock, sleep
        self._last: dict[str, float] = {}
        self._robots = _Robots()
        timeout = httpx.Timeout(self.settings.timeout)
        self._client = httpx.Client(
            transport=GuardedTransport(self.settings.allow_private,
                                       parse_networks(self.settings.allow_addresses)),
            timeout=timeout,
            follow_redirects=False, trust_env=False,
            headers={"User-Agent": self.settings.user_agent},
        )
        self.requests = 0  # how many requests went out (tests and the log read it)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def get(
        self, url: str, *, accept: Collection[str] | None = None,
        etag: str | None = None, last_modified: str | None = None,
    ) -> Fetched:
        """GET `url`, following redirects; `accept` lists the media types wanted (None:
        any). With `etag` / `last_modified`, an unchanged resource returns status 304."""
        for _hop in range(self.settings.max_redirects + 1):
            _check_scheme(url)
            if self.settings.robots and not self._allowed(url):
                raise RobotsError(f"robots.txt of {_origin(url)} disallows {url}")
            headers: dict[str, str] = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            result = self._request(url, headers, accept, self.settings.max_bytes)
            if isinstance(result, str):  # a redirect: go on from its target
                url = result
                continue
            return result
        raise HTTPStatusError(
            f"more than {self.settings.max_redirects} redirects from {url}", 310
        )

    def _request(
        self, url: str, headers: dict[str, str], accept: Collection[str] | None, limit: int,
    ) -> Fetched | str:
        self._wait_for_host(url)
        started = self._clock()
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in _REDIRECTS and "location" in response.headers:
                    return urljoin(url, response.headers["location"])
                if status == 304:
                    return Fetched(url=url, status=304)
                if status >= 400:
                    raise HTTPStatusError(f"HTTP {status} {response.reason_phrase} for {url}",
                                          status)
                content_type = response.headers.get("content-type")
                if accept is not None and media_type(content_type) not in accept:
                    raise ContentTypeError(
                        f"{url} is {media_type(content_type) or 'of no stated type'}, "
                        f"not {' or '.join(sorted(accept))}"
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise _too_large(url, limit, int(declared))
                chunks: list[bytes] = []
                total = 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    total += len(chunk)
                    if total > limit:
                        raise _too_large(url, limit)
                    if self._clock() - started > self.settings.deadline:
                        raise FetchTimeout(f"{url} took over {self.settings.deadline:g} s; "
                                           "abandoned")
                return Fetched(
                    url=url, status=status, content=b"".join(chunks), content_type=content_type,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                )
        except httpx.TimeoutException as exc:
            raise FetchTimeout(f"timed out after {self.settings.timeout:g} s: {url} "
                               f"({type(exc).__name__})") from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise FetchError(f"cannot fetch {url}: {exc or type(exc).__name__}") from exc

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        last = self._last.get(host)
        if last is not None:
            wait = last + self.settings.host_delay - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()
        self.requests += 1

    def _allowed(self, url: str) -> bool:
        origin = _origin(url)
        if origin not in self._robots.parsers:
            self._robots.parsers[origin] = self._read_robots(origin)
        parser = self._robots.parsers[origin]
        return parser is not None and parser.can_fetch(self.settings.user_agent, url)

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        """The parsed robots.txt; None means "disallow all" (server error, unreachable)."""
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            found = self._request(origin + "/robots.txt", {}, None, ROBOTS_MAX_BYTES)
        except BlockedError:
            raise
        except HTTPStatusError as exc:
            if exc.status >= 500:
                return None
            parser.parse([])  # 4xx: no robots.txt, everything allowed
            return parser
        except FetchError:
            return None
        if isinstance(found, str):  # a redirected robots.txt: not followed, allow all
            parser.parse([])
            return parser
        parser.parse(found.content.decode("utf-8", errors="replace").splitlines())
        return parser


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedError(f"not an http(s) URL: {url!r}")


def _too_large(url: str, limit: int, size: int | None = None) -> TooLargeError:
    what = f"{megabytes(size)}, " if size is not None else ""
    return TooLargeError(f"{url} is {what}over the limit of {megabytes(limit)}; abandoned")
