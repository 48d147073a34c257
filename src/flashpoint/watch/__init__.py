"""Monitoring: poll RSS/Atom feeds and ingest the pages they list (`flashpoint watch`).

    from flashpoint.watch import Watcher, load_config
    watcher = Watcher(store, load_config("feeds.yaml"))
    watcher.run_once()          # or watcher.run(stop_event)
    watcher.close()

Modules: `config` (feeds.yaml), `safety` (address checks), `fetch` (the careful GET),
`feeds` (feedparser), `watcher` (the loop), `errors` (failure kinds). State lives in the
store (`flashpoint.store.watch_state`).
"""

from __future__ import annotations

from flashpoint.watch.config import Feed, WatchConfig, load_config, parse_config
from flashpoint.watch.fetch import Fetched, Fetcher, FetchSettings
from flashpoint.watch.safety import blocked_reason
from flashpoint.watch.watcher import Watcher, WatchReport

__all__ = [
    "Feed",
    "FetchSettings",
    "Fetched",
    "Fetcher",
    "WatchConfig",
    "WatchReport",
    "Watcher",
    "blocked_reason",
    "load_config",
    "parse_config",
]
