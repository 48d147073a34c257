"""A news site with feeds on 127.0.0.1 (http.server in a thread), for the watcher tests.

`Site` serves whatever `Resource`s a test puts at paths, honours ETag / Last-Modified
validators, can be slow, and logs every request with its headers, so tests can check
what the watcher asked for (and what it did not).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

PARAGRAPH = (
    "The foreign minister said on Tuesday that talks with the neighbouring government "
    "would resume next week, after the border crossing at the river was closed to trucks "
    "for three days and hundreds of drivers waited in the cold. "
)


@dataclass
class Resource:
    body: bytes
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    content_length: bool = True


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class Site:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.resources: dict[str, Resource] = {}
        self.log: list[Request] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with site._lock:
                    site.log.append(Request(self.path, {k.lower(): v for k, v in
                                                        self.headers.items()}))
                    resource = site.resources.get(self.path)
                if resource is None:
                    self._send(404, b"not found", "text/plain", {})
                    return
                if resource.delay:
                    time.sleep(resource.delay)
                validators = {}
                if resource.etag:
                    validators["ETag"] = resource.etag
                if resource.last_modified:
                    validators["Last-Modified"] = resource.last_modified
                if (resource.etag and self.headers.get("If-None-Match") == resource.etag) or (
                    resource.last_modified
                    and self.headers.get("If-Modified-Since") == resource.last_modified
                ):
                    self._send(304, b"", None, validators)
                    return
                self._send(resource.status, resource.body, resource.content_type,
                           {**validators, **resource.headers}, resource.content_length)

            def _send(self, status: int, body: bytes, content_type: str | None,
                      headers: dict[str, str], length: bool = True) -> None:
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if length:
                        self.send_header("Content-Length", str(len(body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    if status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (too large, timeout): what the test wants

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = _QuietServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self.host = host

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def put(self, path: str, resource: Resource) -> str:
        self.resources[path] = resource
        return self.url(path)

    def put_page(self, path: str, n: int, **kwargs: object) -> str:
        return self.put(path, Resource(news_page(n), **kwargs))  # type: ignore[arg-type]

    def put_feed(self, path: str, links: list[str], **kwargs: object) -> str:
        return self.put(path, Resource(rss(links), content_type="application/rss+xml",
                                       **kwargs))  # type: ignore[arg-type]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (the watcher abandoning a page) is expected here."""


@contextmanager
def running(site: Site) -> Iterator[Site]:
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
        thread.join(timeout=5)


WORDS = (
    "minister", "border", "troops", "talks", "crossing", "army", "government", "president",
    "capital", "ceasefire", "aid", "refugees", "election", "parliament", "vote", "protest",
    "police", "city", "region", "officials", "agreement", "sanctions", "oil", "gas",
    "pipeline", "attack", "village", "province", "rebels", "commander", "spokesman",
    "statement", "meeting", "summit", "foreign", "defence",
)


def news_page(n: int, *, extra: str = "") -> bytes:
    """A news page whose body trafilatura finds; `n` makes its text its own (pages with
    different `n` are different stories, not near-duplicates)."""
    rng = random.Random(n)
    body = "".join(
        f"<p>Report {n}, paragraph {i}: {PARAGRAPH if i == 0 else ''}"
        + " ".join(rng.choice(WORDS) for _ in range(40)) + ".</p>"
        for i in range(4)
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Report {n}</title>"
        f'<meta property="article:published_time" content="2024-03-0{1 + n % 9}">'
        f"</head><body><nav>Home | World</nav><article><h1>Report {n}</h1>{body}{extra}"
        "</article><footer>Copyright</footer></body></html>"
    ).encode()


def rss(links: list[str], title: str = "Test feed") -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{escape(link)}</link><guid>{escape(link)}</guid>"
        "</item>" for i, link in enumerate(links)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://example.org/</link>{items}"
            "</channel></rss>").encode()
