"""`feeds.yaml`: which feeds to watch, how often, and the manners of every request.

    defaults:                 # optional; these are the built-in values
      interval: 900           # seconds between two polls of one feed
      timeout: 10             # seconds per connect / read
      deadline: 30            # seconds for a whole response
      max_page_mb: 5          # larger pages (and feeds) are abandoned
      host_delay: 1.0         # seconds between two requests to one host
      robots: true            # obey robots.txt
      user_agent: "flashpoint/0.1 (news event monitor)"
      allow_addresses: []     # private addresses / networks allowed anyway, e.g. 10.1.2.0/24
    feeds:
      - url: https://example.org/world/rss.xml
        name: Example World   # optional: shown in the log
        interval: 600         # optional: this feed's own poll interval
        tags: [world, wire]   # optional: your grouping, shown in the log

Validated on load: a mistake is a `ConfigError` naming the feed and the field, before
anything is fetched.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from flashpoint.errors import ConfigError
from flashpoint.watch.fetch import FetchSettings
from flashpoint.watch.safety import parse_networks

DEFAULT_INTERVAL = 900.0
MIN_INTERVAL = 1.0


@dataclass(frozen=True)
class Feed:
    url: str
    name: str | None = None
    interval: float = DEFAULT_INTERVAL
    tags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.url


@dataclass(frozen=True)
class WatchConfig:
    feeds: tuple[Feed, ...]
    fetch: FetchSettings = field(default_factory=FetchSettings)


_DEFAULT_KEYS = {"interval", "timeout", "deadline", "max_page_mb", "host_delay", "robots",
                 "user_agent", "allow_addresses"}
_FEED_KEYS = {"url", "name", "interval", "tags"}


def load_config(path: str | Path, *, allow_private: bool = False) -> WatchConfig:
    """Read and check a feeds.yaml file."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc
    return parse_config(raw, where=str(path), allow_private=allow_private)


def parse_config(raw: Any, *, where: str = "feeds.yaml",
                 allow_private: bool = False) -> WatchConfig:
    if not isinstance(raw, dict) or not isinstance(raw.get("feeds"), list) or not raw["feeds"]:
        raise ConfigError(f"{where}: expected a mapping with a non-empty 'feeds' list")
    unknown = set(raw) - {"defaults", "feeds"}
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key(s) {sorted(unknown)}")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{where}: 'defaults' must be a mapping")
    _no_unknown(defaults, _DEFAULT_KEYS, f"{where}: defaults")
    interval = _number(defaults, "interval", DEFAULT_INTERVAL, f"{where}: defaults",
                       minimum=MIN_INTERVAL)
    base = FetchSettings()
    settings = dataclasses.replace(
        base,
        timeout=_number(defaults, "timeout", base.timeout, f"{where}: defaults"),
        deadline=_number(defaults, "deadline", base.deadline, f"{where}: defaults"),
        max_bytes=int(_number(defaults, "max_page_mb", base.max_bytes / 1e6,
                              f"{where}: defaults") * 1_000_000),
        host_delay=_number(defaults, "host_delay", base.host_delay, f"{where}: defaults",
                           minimum=0.0),
        robots=bool(defaults.get("robots", base.robots)),
        user_agent=str(defaults.get("user_agent", base.user_agent)),
        allow_private=allow_private,
        allow_addresses=_networks(defaults.get("allow_addresses") or [], where),
    )
    feeds: list[Feed] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw["feeds"], start=1):
        what = f"{where}: feed {number}"
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict):
            raise ConfigError(f"{what}: expected a mapping with a 'url'")
        _no_unknown(entry, _FEED_KEYS, what)
        url = str(entry.get("url") or "").strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{what}: 'url' must be an http(s) URL, got {url!r}")
        if url in seen:
            raise ConfigError(f"{what}: {url} is listed twice")
        seen.add(url)
        tags = entry.get("tags") or []
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list):
            raise ConfigError(f"{what}: 'tags' must be a list of strings")
        feeds.append(Feed(
            url=url, name=str(entry["name"]) if entry.get("name") else None,
            interval=_number(entry, "interval", interval, what, minimum=MIN_INTERVAL),
            tags=tuple(str(t) for t in tags),
        ))
    return WatchConfig(feeds=tuple(feeds), fetch=settings)


def _networks(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise ConfigError(f"{where}: defaults: 'allow_addresses' must be a list")
    try:
        parse_networks(str(v) for v in values)
    except ValueError as exc:
        raise ConfigError(f"{where}: defaults: 'allow_addresses': {exc}") from exc
    return tuple(str(v) for v in values)


def _no_unknown(mapping: dict[str, Any], known: set[str], what: str) -> None:
    unknown = set(mapping) - known
    if unknown:
        raise ConfigError(f"{what}: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")


def _number(mapping: dict[str, Any], key: str, default: float, what: str, *,
            minimum: float = 0.001) -> float:
    value = mapping.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"{what}: '{key}' must be a number >= {minimum:g}, got {value!r}")
    return float(value)
