"""Alert rules: parsing, threshold and anomaly detection, storage, dedup, and a real webhook."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis_data import Ev, make_doc
from flashpoint.analyze.alert_store import count_alerts, deliver, list_alerts, run_alerts
from flashpoint.analyze.alerts import (
    Anomaly,
    Rule,
    Threshold,
    evaluate,
    load_rules,
    parse_rules,
    robust_z,
)
from flashpoint.analyze.series import daily_series
from flashpoint.cli import app
from flashpoint.errors import ConfigError
from flashpoint.model import Document
from flashpoint.store import Store

START = dt.date(2024, 1, 1)
RULES = """
rules:
  - name: usa-rus-pressure
    source: USA
    target: [RUS]
    types: [ACCUSE, THREATEN]
    threshold: {events: 4, window: 3d}
  - name: dyad-spike
    by: dyad
    anomaly: {baseline: 28d, z: 3.5, min_events: 3}
"""


def series_docs(counts: dict[tuple[str, str], list[int]], start: dt.date = START
                ) -> list[Document]:
    """One article per event, so every event is its own story (counts are exact)."""
    docs = []
    for (src, tgt), per_day in counts.items():
        for i, n in enumerate(per_day):
            day = start + dt.timedelta(days=i)
            docs += [make_doc(f"{src}{tgt}-{i}-{j}", day, [Ev("ACCUSE", src, tgt, day)])
                     for j in range(n)]
    return docs


FLAT = [1] * 40                      # one event every day
SPIKE = [1 if i % 3 == 0 else 0 for i in range(40)]
SPIKE[35] = 6                        # a burst after a quiet baseline


def test_rules_parse_with_defaults() -> None:
    rules = parse_rules(RULES)
    assert [r.name for r in rules] == ["usa-rus-pressure", "dyad-spike"]
    assert rules[0].source == ["USA"] and rules[0].threshold == Threshold(events=4, window=3)
    assert rules[1].anomaly == Anomaly(baseline=28, z=3.5, min_events=3)
    flt = rules[0].event_filter()
    assert flt.source == ("USA",) and flt.types == ("ACCUSE", "THREATEN")


@pytest.mark.parametrize(("text", "message"), [
    ("rules: [", "not valid YAML at line 1"),
    ("rules:\n  - name: a\n   threshold: 3\n", "not valid YAML at line 3"),
    ("- just a list", "mapping with a `rules:` list"),
    ("rules: []", "rules: List should have at least 1 item"),
    ("rules:\n  - name: a\n", "rules[0] (a): give exactly one of `threshold` or `anomaly`"),
    ("rules:\n  - name: a\n    threshold: {window: 7d}\n",
     "rules[0] (a).threshold: threshold needs one of `events` or `value`"),
    ("rules:\n  - name: a\n    anomaly: {z: -2}\n", "rules[0] (a).anomaly.z"),
    ("rules:\n  - name: a\n    anomaly: {}\n    colour: red\n", "rules[0] (a).colour"),
    ("rules:\n  - name: a\n    by: planet\n    anomaly: {}\n", "rules[0] (a).by"),
    ("rules:\n  - name: a\n    threshold: {events: 2, window: soon}\n", "window must be"),
    ("rules:\n  - {name: a, anomaly: {}}\n  - {name: a, anomaly: {}}\n", "repeated: a"),
])
def test_bad_rules_give_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_rules(text, where="rules.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("rules.yaml")


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read rules file"):
        load_rules(tmp_path / "nope.yaml")


def test_robust_z() -> None:
    z, median, scale = robust_z(10, [0, 1, 2, 1, 0, 1, 2])  # median 1, MAD 1
    assert median == 1 and scale == 1.4826 and z == pytest.approx(9 / 1.4826)
    z, median, scale = robust_z(2, [2, 2, 2, 2])  # flat: MAD 0, floored scale
    assert (z, median, scale) == (0, 2, 1.0)


def test_anomaly_fires_on_the_burst_and_not_on_flat_series(store: Store) -> None:
    store.save_documents(series_docs({("USA", "RUS"): SPIKE, ("FRA", "DEU"): FLAT}))
    rule = parse_rules(RULES)[1]
    found = evaluate(rule, daily_series(store, rule.event_filter(), by="dyad"))
    assert [(f.subject, f.day, f.value, f.expected) for f in found] == [
        ({"source": "USA", "target": "RUS"}, START + dt.timedelta(days=35), 6.0, 0.0)]
    assert found[0].score == pytest.approx(6.0)  # (6 - median 0) / floored scale 1
    assert "USA \u2192 RUS" in found[0].message


def test_anomaly_does_not_fire_on_a_steady_high_series(store: Store) -> None:
    store.save_documents(series_docs({("FRA", "DEU"): [5] * 40}))
    rule = Rule(name="spike", anomaly=Anomaly())
    assert evaluate(rule, daily_series(store, by="dyad")) == []


def test_threshold_fires_once_per_episode(store: Store) -> None:
    per_day = [0] * 10 + [2, 2, 1, 2, 0, 0, 0, 0, 0, 0] + [3, 3, 0, 0]
    store.save_documents(series_docs({("USA", "RUS"): per_day, ("FRA", "DEU"): FLAT[:24]}))
    rule = parse_rules(RULES)[0]
    found = evaluate(rule, daily_series(store, rule.event_filter(), by="dyad"))
    # 3-day sums reach 4 on day 11 (2+2) and stay >= 4 through day 13; again on day 21
    assert [(f.day - START).days for f in found] == [11, 21]
    assert [f.value for f in found] == [4.0, 6.0]
    assert found[0].window_start == START + dt.timedelta(days=9)
    flat = Rule(name="flat", threshold=Threshold(events=4, window=3))
    assert [f.subject for f in evaluate(flat, daily_series(store, by="dyad"))] == [
        {"source": "USA", "target": "RUS"}, {"source": "USA", "target": "RUS"}]


class Hook(BaseHTTPRequestHandler):
    """A webhook receiver: records JSON bodies; answers with the server's `status`."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.received = []  # type: ignore[attr-defined]
    server.status = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/hook"


def test_alerts_are_stored_posted_and_not_repeated(
    store: Store, webhook: ThreadingHTTPServer
) -> None:
    per_day = [0] * 10 + [2, 2, 1, 2] + [0] * 21 + [6]
    store.save_documents(series_docs({("USA", "RUS"): per_day, ("FRA", "DEU"): FLAT}))
    rules = parse_rules(RULES)
    first = run_alerts(store, rules, webhook=url(webhook), allow_private=True)
    assert [(a.rule, a.kind) for a in first.new] == [
        ("usa-rus-pressure", "threshold"), ("usa-rus-pressure", "threshold"),
        ("dyad-spike", "anomaly")]
    assert first.delivered == 3 and first.failed == []
    received = webhook.received  # type: ignore[attr-defined]
    assert [r["rule"] for r in received] == [a.rule for a in first.new]
    assert received[2]["subject"] == {"source": "USA", "target": "RUS"}
    assert received[2]["day"] == (START + dt.timedelta(days=35)).isoformat()
    assert received[2]["text"] == first.new[2].message
    stored = list_alerts(store)
    assert len(stored) == 3 and all(a.delivered_at is not None for a in stored)
    assert stored[0].source_code == "USA" and stored[0].target_code == "RUS"

    again = run_alerts(store, rules, webhook=url(webhook), allow_private=True)
    assert again.found == 3 and again.new == [] and again.delivered == 0
    assert len(received) == 3 and count_alerts(store) == 3


def test_failed_delivery_is_recorded_and_retried(
    store: Store, webhook: ThreadingHTTPServer
) -> None:
    # USA-RUS is new on day 8; the store's other data makes days 0-7 its quiet baseline
    store.save_documents(series_docs({("USA", "RUS"): [0] * 8 + [5], ("FRA", "DEU"): [1]}))
    rules = [Rule(name="burst", anomaly=Anomaly(baseline=7))]
    webhook.status = 500  # type: ignore[attr-defined]
    failed = run_alerts(store, rules, webhook=url(webhook), allow_private=True)
    assert len(failed.new) == 1 and failed.delivered == 0
    assert failed.failed == [f"{failed.new[0].id}: HTTP 500"]
    assert list_alerts(store)[0].delivery_error == "HTTP 500"
    webhook.status = 204  # type: ignore[attr-defined]
    retried = run_alerts(store, rules, webhook=url(webhook), allow_private=True)
    assert retried.new == [] and retried.delivered == 1
    (alert,) = list_alerts(store)
    assert alert.delivered_at is not None and alert.delivery_error is None
    assert len(webhook.received) == 2  # type: ignore[attr-defined]


def test_unreachable_webhook_does_not_lose_alerts(store: Store) -> None:
    store.save_documents(series_docs({("USA", "RUS"): [0] * 8 + [5], ("FRA", "DEU"): [1]}))
    rules = [Rule(name="burst", anomaly=Anomaly(baseline=7))]
    run = run_alerts(store, rules, webhook="http://127.0.0.1:9/none", timeout=2,
                     allow_private=True)
    assert len(run.new) == 1 and "ConnectError" in run.failed[0]
    assert count_alerts(store) == 1


def test_webhook_on_a_private_address_is_refused_unless_allowed(
    store: Store, webhook: ThreadingHTTPServer
) -> None:
    """The SSRF guard covers the webhook too: 127.0.0.1 is refused (nothing sent, the
    alert kept for a retry) until the operator allows private addresses."""
    store.save_documents(series_docs({("USA", "RUS"): [0] * 8 + [5], ("FRA", "DEU"): [1]}))
    rules = [Rule(name="burst", anomaly=Anomaly(baseline=7))]
    refused = run_alerts(store, rules, webhook=url(webhook))
    assert refused.delivered == 0 and "BlockedError" in refused.failed[0]
    assert "127.0.0.1 is a loopback address" in refused.failed[0]
    assert webhook.received == []  # type: ignore[attr-defined]
    allowed = run_alerts(store, rules, webhook=url(webhook), allow_private=True)
    assert allowed.delivered == 1 and len(webhook.received) == 1  # type: ignore[attr-defined]
    for hostile in ("http://169.254.169.254/latest/meta-data", "http://[::1]:9/x",
                    "http://10.0.0.1:9/x", "http://[::ffff:127.0.0.1]:9/x"):
        delivered, failed = deliver(store, list_alerts(store), hostile, timeout=2)
        assert delivered == 0 and all("BlockedError" in f for f in failed), hostile


def test_since_limits_the_days_that_alert(store: Store) -> None:
    per_day = [0] * 10 + [2, 2, 1, 2] + [0] * 21 + [6]
    store.save_documents(series_docs({("USA", "RUS"): per_day}))
    late = START + dt.timedelta(days=30)
    run = run_alerts(store, parse_rules(RULES), since=late)
    # the day-11 threshold episode is before `since`; day 35 crosses it and is anomalous
    assert sorted((a.kind, (a.day - START).days) for a in run.new) == [
        ("anomaly", 35), ("threshold", 35)]


def test_cli_alerts_run_and_list(tmp_path: Path, webhook: ThreadingHTTPServer) -> None:
    db = str(tmp_path / "a.db")
    with Store(db) as store:
        store.save_documents(series_docs({("USA", "RUS"): [0] * 10 + [2, 2, 1, 2]}))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["alerts", "run", str(rules), "--db", db,
                                 "--webhook", url(webhook), "--allow-private"])
    assert result.exit_code == 0, result.output
    assert "1 new alert(s), 1 delivered" in result.stdout
    again = runner.invoke(app, ["alerts", "run", str(rules), "--db", db])
    assert "0 new alert(s)" in again.stdout
    listed = runner.invoke(app, ["alerts", "list", "--db", db, "--json"])
    rows = json.loads(listed.stdout)
    assert [r["rule"] for r in rows] == ["usa-rus-pressure"] and rows[0]["delivered_at"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - name: x\n    threshold: {events: 0}\n", encoding="utf-8")
    refused = runner.invoke(app, ["alerts", "run", str(bad), "--db", db])
    assert refused.exit_code == 2
    message = " ".join(refused.output.split())
    assert "bad.yaml has invalid rules: rules[0] (x).threshold.events" in message


def test_the_rules_example_in_the_docs_parses() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "analysis.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.DOTALL)
    assert blocks, "docs/analysis.md shows an example rules file"
    rules = parse_rules(blocks[0], where="docs/analysis.md")
    assert [r.name for r in rules] == ["belarus-poland-pressure", "conflict-spike", "any-assault"]
    assert rules[1].metric == "conflict" and rules[1].anomaly is not None
