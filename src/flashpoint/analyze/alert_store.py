"""Alerts kept in the store, deduplicated, and posted to a webhook.

`run_alerts` is what `flashpoint alerts run` does: evaluate the rules (`alerts.py`), insert
each finding unless its key is already stored (`ON CONFLICT DO NOTHING`, so two runs at
once cannot both insert it), and POST only the newly stored ones to the webhook. A
re-run over the same data therefore stores and posts nothing. A failed delivery is kept
with its error and retried on the next run that has a webhook; one failing POST never
stops the others.

The webhook body is the alert as JSON (`AlertRow.to_dict()`) plus `text`, the one-line
message, which chat tools that accept `{"text": ...}` show as is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from flashpoint.analyze.alerts import Finding, Rule, find_alerts
from flashpoint.analyze.filters import EventFilter
from flashpoint.errors import ConfigError
from flashpoint.store import Store
from flashpoint.store import schema as tables
from flashpoint.store.writes import insert_if_new
from flashpoint.watch.errors import BlockedError
from flashpoint.watch.safety import GuardedTransport

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "flashpoint-alerts"


@dataclass(frozen=True)
class AlertRow:
    """A stored alert."""

    id: int
    key: str
    rule: str
    kind: str
    grouping: str
    subject: dict[str, str | None]
    source_code: str | None
    target_code: str | None
    day: dt.date
    window_start: dt.date
    metric: str
    value: float
    expected: float | None
    score: float | None
    message: str
    details: dict[str, Any]
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    delivery_error: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (ISO dates)."""
        data = asdict(self)
        for name in ("day", "window_start", "created_at", "delivered_at"):
            value = data[name]
            data[name] = value.isoformat() if value is not None else None
        return data


@dataclass
class AlertRun:
    """What one run did: findings, newly stored alerts, deliveries."""

    found: int = 0
    new: list[AlertRow] = field(default_factory=list)
    delivered: int = 0
    failed: list[str] = field(default_factory=list)  # "alert id: error"


def _row(mapping: Any) -> AlertRow:
    values = dict(mapping)
    values["subject"] = json.loads(values["subject"])
    values["details"] = json.loads(values["details"])
    return AlertRow(**values)


def save_findings(store: Store, findings: Sequence[Finding]) -> list[AlertRow]:
    """Store findings whose key is new; return those (already-stored ones are skipped)."""
    if not findings:
        return []
    now = dt.datetime.now(dt.UTC)
    inserted: list[str] = []
    with store.db.write() as conn:
        for finding in findings:
            values = {
                "key": finding.key, "rule": finding.rule, "kind": finding.kind,
                "grouping": finding.grouping,
                "subject": json.dumps(finding.subject, sort_keys=True),
                "source_code": finding.subject.get("source") or finding.subject.get("actor"),
                "target_code": finding.subject.get("target"),
                "day": finding.day, "window_start": finding.window_start,
                "metric": finding.metric, "value": finding.value,
                "expected": finding.expected, "score": finding.score,
                "message": finding.message,
                "details": json.dumps(finding.details, sort_keys=True, default=str),
                "created_at": now,
            }
            if insert_if_new(conn, store.dialect, tables.alerts, values):
                inserted.append(finding.key)
        if not inserted:
            return []
        query = (sa.select(tables.alerts).where(tables.alerts.c.key.in_(inserted))
                 .order_by(tables.alerts.c.id))
        return [_row(row) for row in conn.execute(query).mappings()]


def list_alerts(store: Store, *, rule: str | None = None, since: dt.date | None = None,
                until: dt.date | None = None, actors: Sequence[str] = (),
                limit: int = 100, offset: int = 0) -> list[AlertRow]:
    """Stored alerts, newest day first (then newest stored); `actors` keeps alerts whose
    subject names one of these codes (as source, target or actor)."""
    if limit < 0 or offset < 0:
        raise ConfigError(f"limit and offset cannot be negative (got {limit}, {offset})")
    table = tables.alerts
    query = sa.select(table).order_by(table.c.day.desc(), table.c.id.desc())
    if rule is not None:
        query = query.where(table.c.rule == rule)
    if since is not None:
        query = query.where(table.c.day >= since)
    if until is not None:
        query = query.where(table.c.day <= until)
    if actors:
        query = query.where(sa.or_(table.c.source_code.in_(actors),
                                   table.c.target_code.in_(actors)))
    with store.db.read() as conn:
        return [_row(row) for row in conn.execute(query.limit(limit).offset(offset)).mappings()]


def count_alerts(store: Store, *, rule: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(tables.alerts)
    if rule is not None:
        query = query.where(tables.alerts.c.rule == rule)
    with store.db.read() as conn:
        return int(conn.scalar(query) or 0)


def _undelivered(store: Store) -> list[AlertRow]:
    """Alerts whose last delivery failed (retried by the next run with a webhook)."""
    table = tables.alerts
    query = (sa.select(table).where(table.c.delivered_at.is_(None),
                                    table.c.delivery_error.is_not(None))
             .order_by(table.c.id))
    with store.db.read() as conn:
        return [_row(row) for row in conn.execute(query).mappings()]


def deliver(store: Store, alerts: Sequence[AlertRow], url: str, *,
            timeout: float = DEFAULT_TIMEOUT, allow_private: bool = False,
            client: httpx.Client | None = None) -> tuple[int, list[str]]:
    """POST each alert to `url` as JSON; record success or the error on its row.

    Returns (delivered, ["<id>: <error>", ...]). A 2xx answer counts as delivered.
    The webhook goes through the watcher's SSRF guard (`watch/safety.py`): a URL that
    resolves to a loopback, private or link-local address is refused unless
    `allow_private` (a receiver on this machine or the local network); redirects are
    not followed and proxy variables are ignored.
    """
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"webhook must be an http(s) URL, got {url!r}")
    own = client is None
    http = client or httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT},
                                  transport=GuardedTransport(allow_private),
                                  trust_env=False, follow_redirects=False)
    delivered, failed = 0, []
    try:
        for alert in alerts:
            error: str | None = None
            try:
                response = http.post(url, json={**alert.to_dict(), "text": alert.message})
                if not response.is_success:
                    error = f"HTTP {response.status_code}"
            except (httpx.HTTPError, BlockedError) as exc:
                error = f"{type(exc).__name__}: {exc}"
            values: dict[str, Any] = (
                {"delivered_at": dt.datetime.now(dt.UTC), "delivery_error": None}
                if error is None else {"delivery_error": error}
            )
            with store.db.write() as conn:
                conn.execute(tables.alerts.update().where(tables.alerts.c.id == alert.id)
                             .values(**values))
            if error is None:
                delivered += 1
            else:
                failed.append(f"{alert.id}: {error}")
    finally:
        if own:
            http.close()
    return delivered, failed


def run_alerts(store: Store, rules: Sequence[Rule], *, webhook: str | None = None,
               base: EventFilter | None = None, since: str | dt.date | None = None,
               timeout: float = DEFAULT_TIMEOUT, allow_private: bool = False) -> AlertRun:
    """Evaluate `rules`, store new alerts, post new (and earlier failed) ones to `webhook`."""
    findings = find_alerts(store, rules, base=base, since=since)
    run = AlertRun(found=len(findings), new=save_findings(store, findings))
    if webhook:
        retry = [a for a in _undelivered(store) if a.key not in {n.key for n in run.new}]
        run.delivered, run.failed = deliver(store, [*retry, *run.new], webhook,
                                            timeout=timeout, allow_private=allow_private)
    return run
