"""Situation reports: numbers, structure, hostile text, Markdown files, and the page in Chromium."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis_data import Ev, St, corpus, make_doc
from browser import artefact
from flashpoint.analyze.alert_store import run_alerts
from flashpoint.analyze.alerts import Anomaly, Rule
from flashpoint.analyze.filters import EventFilter
from flashpoint.analyze.report import build_report, md_escape, render_report, safe_url, write_report
from flashpoint.cli import app
from flashpoint.store import Store

D = dt.date
GENERATED = dt.datetime(2024, 3, 6, 12, 0, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled examples, ingested and coded the way a user does it."""
    db = str(tmp_path_factory.mktemp("examples") / "examples.db")
    result = CliRunner().invoke(app, ["ingest", "--examples", "--db", db])
    assert result.exit_code == 0, result.output
    return db


def counted_events(store: Store) -> set[tuple[object, ...]]:
    """Events a report counts, worked out from the stored Documents (not from SQL):
    real (not negated or hypothetical), once per (story, type, mode, dyad, day, future)
    where an article in no story is its own story."""
    from flashpoint.store.stories import Stories

    stories = Stories(store)
    keys: set[tuple[object, ...]] = set()
    for article in store.iter_articles():
        doc = store.get_document(article.id)
        assert doc is not None
        story = stories.story_of(doc.id) or doc.id
        for e in doc.events:
            if not (e.modality.negated or e.modality.hypothetical):
                keys.add((story, e.type, e.mode, e.source.code,
                          e.target.code if e.target else None, e.date or doc.published,
                          e.modality.future))
    return keys


def test_report_of_the_bundled_examples(examples_db: str) -> None:
    with Store(examples_db) as store:
        report = build_report(store, generated=GENERATED)
        stats = store.stats()
        mentioned: Counter[str] = Counter()
        for article in store.iter_articles():
            doc = store.get_document(article.id)
            assert doc is not None
            for code in {m.actor.code for m in doc.mentions if m.actor}:
                mentioned[code] += 1
        events = counted_events(store)
    assert report.articles == stats["articles"] >= 15
    # the period covers every article, and events dated before them ("since 2015")
    assert report.first is not None and report.last is not None
    assert report.first.isoformat() <= stats["published"]["first"]
    assert report.last.isoformat() >= stats["published"]["last"]
    if events:
        assert report.first == min(min(key[5] for key in events),  # type: ignore[type-var]
                                   dt.date.fromisoformat(stats["published"]["first"]))
    assert report.events == len(events)
    assert report.statements <= stats["statements"]
    assert report.actors, "the examples mention actors"
    assert len(report.actors) == min(10, len(mentioned))
    for code, _, n in report.actors:
        assert n == mentioned[code]
    assert report.actors[0][2] == max(mentioned.values())
    assert [n for _, _, n in report.actors] == sorted((n for _, _, n in report.actors),
                                                      reverse=True)
    # one chart per kind of data present: actors always; three more once events exist
    assert len(report.charts) == (4 if report.events else 1)
    assert all(chart.png.startswith(PNG) for chart in report.charts)

    html = render_report(report, "html")
    for section in ("totals", "charts", "notable", "statements", "changes", "actors"):
        assert f'id="{section}"' in html
    assert f'<b id="n-articles">{report.articles}</b>' in html
    assert f'<b id="n-events">{report.events}</b>' in html
    dyads = {(src, tgt) for _, _, _, src, tgt, _, _ in events}
    assert report.n_dyads == len(dyads) and f'<b id="n-dyads">{len(dyads)}</b>' in html
    assert html.count('src="data:image/png;base64,') == len(report.charts)
    top_code = report.actors[0][0]
    assert f"<td>{top_code}</td>" in html


def test_report_of_constructed_events_and_statements(store: Store) -> None:
    store.save_documents(corpus())
    report = build_report(store, generated=GENERATED)
    assert (report.articles, report.events, report.sources, report.statements) == (3, 7, 7, 3)
    assert report.first == D(2024, 3, 1) and report.last == D(2024, 3, 5)
    assert report.quads == {1: 1, 2: 0, 3: 4, 4: 2}
    assert report.dyads == [("BLR \u2192 POL", 4), ("RUS \u2192 UKR", 2), ("POL \u2192 BLR", 1)]
    assert report.n_dyads == 3
    assert report.types[0] == ("THREATEN", 3)
    # most intense first: ASSAULT:aerial -9.5, MOBILIZE:troops -6.5, then the THREATENs
    assert [e["event"] for e in report.notable[:2]] == ["ASSAULT", "MOBILIZE"]
    assert len(report.notable) == 7
    assert all(e["quote"]["match"] == e["eventText"] for e in report.notable)
    said = [(s["speaker_actor_code"], s["label"], s["content_text"])
            for s in report.leader_statements]
    assert said == [("POL", "demand", "Minsk must pull its troops back"),
                    ("BLR", "threat", "We will respond to any provocation")]
    # without --since, "recent" is the last 7 days of data: all of it, against nothing
    assert report.recent_start == D(2024, 3, 1)
    assert [(c.dyad, c.recent, c.baseline, c.new) for c in report.changes] == [
        ("BLR \u2192 POL", 4, 0, True), ("RUS \u2192 UKR", 2, 0, True),
        ("POL \u2192 BLR", 1, 0, True)]

    blr = build_report(store, EventFilter(actor="BLR"), generated=GENERATED)
    assert (blr.events, blr.articles) == (5, 3)
    assert [s["speaker_actor_code"] for s in blr.leader_statements] == ["BLR"]
    assert blr.dyads == [("BLR \u2192 POL", 4), ("POL \u2192 BLR", 1)]

    html = render_report(report, "html")
    assert html.count('class="event q') == 7
    assert "<mark>Russia moved to assault Ukraine (item 2)</mark>" in html
    assert 'href="https://news.example.org/a1"' in html
    assert "<code>a3</code>" in html  # no URL: the article id instead of a link


def test_what_changed_compares_recent_days_with_the_baseline(store: Store) -> None:
    start = D(2024, 1, 1)
    docs = []
    for i in range(35):
        day = start + dt.timedelta(days=i)
        n = 1 if i < 28 else 5  # 1 a day for four weeks, then 5 a day
        docs += [make_doc(f"x{i}-{j}", day, [Ev("ACCUSE", "USA", "RUS", day)])
                 for j in range(n)]
    docs.append(make_doc("q", start, [Ev("CONSULT", "FRA", "DEU", start)]))
    store.save_documents(docs)
    since = start + dt.timedelta(days=28)
    report = build_report(store, EventFilter(since=since), generated=GENERATED)
    assert report.recent_start == since and report.baseline_start == start
    assert report.events == 35
    assert [(c.dyad, c.recent, c.baseline, c.recent_per_day, c.baseline_per_day, c.delta)
            for c in report.changes] == [
        ("USA \u2192 RUS", 35, 28, 5.0, 1.0, 4.0),
        ("FRA \u2192 DEU", 0, 1, 0.0, 0.036, -0.036),  # gone quiet
    ]
    # 5 against a baseline median of 1 (MAD 0, scale floored at 1): z = 4 >= 3.5 on
    # each recent day, since the burst days stay a minority of the 28-day baseline
    assert [(f.subject["source"], (f.day - start).days, f.score) for f in report.unusual] == [
        ("USA", day, 4.0) for day in range(28, 35)]
    html = render_report(report, "html")
    assert html.count("<li>USA \u2192 RUS: 5 events on") == 7
    assert 'id="alerts"' not in html  # no rules were run

    rules = [Rule(name="usa-spike", source=["USA"], anomaly=Anomaly())]
    stored = run_alerts(store, rules).new
    assert len(stored) == 7
    again = build_report(store, EventFilter(since=since, actor="RUS"), generated=GENERATED)
    assert [a.id for a in again.alerts] == [a.id for a in reversed(stored)]  # newest first
    assert build_report(store, EventFilter(since=since, actor="FRA")).alerts == []
    assert '<li><strong>usa-spike</strong> (anomaly): USA' in render_report(again, "html")


def test_hostile_article_text_is_escaped(store: Store) -> None:
    evil = '<img src=x onerror="alert(1)"> Belarus moved to threaten Poland'
    doc = make_doc("evil", D(2024, 3, 1), [Ev("THREATEN", "BLR", "POL", D(2024, 3, 1),
                                               sentence=evil)],
                   [St("<script>alert(2)</script>", "BLR", "THREATEN", "[x](javascript:1)")],
                   url="javascript:alert(3)", title="<script>alert(4)</script>",
                   source="<b>Wire</b>")
    store.save_documents([doc])
    report = build_report(store, generated=GENERATED)
    html = render_report(report, "html")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "javascript:" not in html.replace("[x](javascript:1)", "")
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert 'href="javascript' not in html
    md = render_report(report, "md")
    assert "<script>" not in md and "<img" not in md
    assert "](javascript" not in md and "(<javascript" not in md
    assert md_escape("[x](y) <b>") == "\\[x\\]\\(y\\) &lt;b&gt;"
    assert safe_url("https://ok.example.org/a?b=1") == "https://ok.example.org/a?b=1"
    for bad in ("javascript:alert(1)", "https://x.org/\" onclick=\"x", "data:text/html,x", None):
        assert safe_url(bad) is None


def test_markdown_report_writes_charts_beside_it(store: Store, tmp_path: Path) -> None:
    store.save_documents(corpus())
    report = build_report(store, generated=GENERATED)
    path = write_report(report, "md", tmp_path / "sitrep.md")
    text = path.read_text(encoding="utf-8")
    linked = re.findall(r"\]\((sitrep_files/chart-\d\.png)\)", text)
    assert len(linked) == len(report.charts) == 3
    for name in linked:
        assert (tmp_path / name).read_bytes().startswith(PNG)
    assert "| 3 | 7 | 7 | 3 | 3 |" in text
    assert "## Notable events" in text and "## What changed against the baseline" in text
    inline = render_report(report, "md")
    assert inline.count("](data:image/png;base64,") == 3


def test_cli_report(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    with Store(db) as store:
        store.save_documents(corpus())
    runner = CliRunner()
    out = tmp_path / "blr.html"
    result = runner.invoke(app, ["report", "--db", db, "--actor", "BLR", "--since", "3d",
                                 "--as-of", "2024-03-04", "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "actor=BLR; since 2024-03-02" in html
    assert '<b id="n-events">3</b>' in html  # 03-02: MOBILIZE, ACCUSE; 03-03: THREATEN
    stdout = runner.invoke(app, ["report", "--db", db, "--format", "md"])
    assert stdout.exit_code == 0 and stdout.stdout.startswith("# Situation report")
    bad = runner.invoke(app, ["report", "--db", db, "--format", "pdf"])
    assert bad.exit_code == 2


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()


def test_report_renders_in_chromium(examples_db: str, tmp_path: Path, page: object) -> None:
    """The examples' report as a person sees it; saved to test-artefacts/report.png."""
    with Store(examples_db) as store:
        report = build_report(store, generated=GENERATED)
    path = write_report(report, "html", tmp_path / "report.html")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)  # type: ignore[attr-defined]
    page.on("requestfailed", lambda request: errors.append(request.url))  # type: ignore[attr-defined]
    page.goto(path.as_uri())  # type: ignore[attr-defined]
    assert page.title().startswith("Situation report")  # type: ignore[attr-defined]
    assert page.inner_text("#n-articles") == str(report.articles)  # type: ignore[attr-defined]
    widths = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#charts img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == len(report.charts) and all(w > 300 for w in widths)
    rows = page.locator("#actors tr").count()  # type: ignore[attr-defined]
    assert rows == len(report.actors) + 1
    page.screenshot(path=str(artefact("report.png")), full_page=True)  # type: ignore[attr-defined]
    assert errors == []


def test_report_with_events_renders_in_chromium(store: Store, tmp_path: Path,
                                                page: object) -> None:
    store.save_documents(corpus())
    evil = make_doc("evil", D(2024, 3, 4), [Ev("ACCUSE", "POL", "BLR", D(2024, 3, 4),
                                               sentence="<img src=x onerror=alert(1)>Poland")],
                    url="javascript:alert(2)", title="<script>alert(3)</script>")
    store.save_documents([evil])
    report = build_report(store, generated=GENERATED)
    path = write_report(report, "html", tmp_path / "events.html")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    page.goto(path.as_uri())  # type: ignore[attr-defined]
    assert page.locator("#notable article").count() == len(report.notable)  # type: ignore[attr-defined]
    assert page.locator("#statements tr").count() == 3  # type: ignore[attr-defined]
    assert page.locator("#notable mark").first.inner_text() == report.notable[0]["eventText"]  # type: ignore[attr-defined]
    page.screenshot(path=str(artefact("report-events.png")), full_page=True)  # type: ignore[attr-defined]
    assert dialogs == []
