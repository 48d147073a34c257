"""Store behaviour, run identically on SQLite and PostgreSQL (see `store_url` in conftest)."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from flashpoint.errors import ConfigError, StoreError
from flashpoint.model import (
    Actor,
    Article,
    Coder,
    Document,
    Event,
    Failure,
    Location,
    Mention,
    Modality,
    Span,
    Statement,
)
from flashpoint.store import AddResult, Store

TEXT = (
    "Belarusian President Alexander Lukashenko said on Thursday that Minsk would join the "
    "war only if attacked. \u201cIf so much as one soldier comes to our territory, we will "
    "respond,\u201d he said. He will meet Vladimir Putin on Friday."
)


def article(n: int, text: str | None = None, **fields: object) -> Article:
    body = text if text is not None else f"Article number {n}: the body of story {n}."
    return Article(id=f"a{n}", text=body, **fields)


def span(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span.of(text, start, start + len(needle))


def full_document(version: str = "1.0", text: str = TEXT) -> Document:
    """A Document that sets every optional field at least once, and leaves some unset."""
    lukashenko = Actor(code="BLR", sector="GOV", name="Alexander Lukashenko",
                       span=span(text, "Alexander Lukashenko"))
    putin = Actor(code="RUS", sector=None, name="Vladimir Putin", span=span(text, "Vladimir Putin"))
    condition = span(text, "If so much as one soldier comes to our territory")
    return Document(
        id="doc1", url="https://news.example.org/belarus?id=7", title="Lukashenko on the war",
        published=dt.date(2023, 2, 16), source="Example News", text=text,
        mentions=[
            Mention(span=span(text, "Alexander Lukashenko"), kind="person", actor=lukashenko),
            Mention(span=span(text, "Minsk"), kind="city",
                    actor=Actor(code="BLR", sector="GOV", name="Belarus")),
            Mention(span=span(text, "our territory"), kind="other"),
        ],
        statements=[
            Statement(
                id="s1", kind="speech", speaker=span(text, "he"), speaker_actor=lukashenko,
                cue=span(text, "said"), content=span(text, "we will respond"), direct=True,
                function="THREATEN",
                modality=Modality(future=True, hypothetical=True, condition=condition),
            ),
            Statement(id="s2", kind="intention", content=span(text, "join the war"),
                      direct=False),
        ],
        events=[
            Event(
                id="e1", type="FIGHT", mode="retaliate", contexts=["military", "border"],
                source=lukashenko, target=None, location=None, date=None,
                modality=Modality(negated=True, future=True, hypothetical=True,
                                  condition=condition),
                reported_by="s1", evidence=span(text, "we will respond"), confidence=0.625,
            ),
            Event(
                id="e2", type="CONSULT", mode=None, contexts=[], source=lukashenko,
                target=putin,
                location=Location(name="Minsk", country="BLR", lat=53.9006, lon=27.559),
                date=dt.date(2023, 2, 17), date_precision="day",
                evidence=span(text, "He will meet Vladimir Putin on Friday"), confidence=1.0,
            ),
        ],
        coder=Coder(name="flashpoint.coder.test", version=version),
    )


def test_open_reports_url_and_dialect(store: Store, store_url: str) -> None:
    assert store.dialect in {"sqlite", "postgresql"}
    assert store.url.startswith("sqlite:///" if store.dialect == "sqlite" else "postgresql+psycopg")
    assert "***" not in store.display_url or store.dialect == "postgresql"
    assert repr(store) == f"Store({store.display_url!r})"


def test_reopening_is_idempotent(store_url: str) -> None:
    with Store(store_url) as first:
        first.add_articles([article(1)])
    with Store(store_url) as second:
        assert second.count_articles() == 1


def test_add_articles_is_idempotent(store: Store) -> None:
    batch = [article(1), article(2)]
    assert [r.status for r in store.add_articles(batch)] == ["stored", "stored"]
    again = store.add_articles(batch)
    assert again == [AddResult("a1", "duplicate", "a1"), AddResult("a2", "duplicate", "a2")]
    assert store.count_articles() == 2


def test_text_hash_duplicates_point_at_the_stored_article(store: Store) -> None:
    store.add_articles([article(1, "Troops  massed at the BORDER.")])
    results = store.add_articles([
        article(2, "troops massed at the border."),  # same normalised text, another id
        article(3, "A new story."),
        article(4, "a  NEW story."),  # duplicate of one stored in the same call
        article(3, "A new story."),  # same id twice in one call
    ])
    assert results == [
        AddResult("a2", "duplicate", "a1"),
        AddResult("a3", "stored", None),
        AddResult("a4", "duplicate", "a3"),
        AddResult("a3", "duplicate", "a3"),
    ]
    assert store.get_article("a2") is None
    assert store.count_articles() == 2


def test_get_article_round_trip(store: Store) -> None:
    original = Article(
        id="x1", url="HTTPS://Example.org/a?utm_source=feed", title="Título", source="AFP",
        published=dt.date(2024, 1, 31), text="Ünïcode text \u2014 with \U0001f600 emoji.",
        origin="feeds/afp.jsonl:3",
    )
    store.add_articles([original])
    assert store.get_article("x1") == original
    assert store.get_article("missing") is None


def test_iter_articles_streams_everything_in_order(store: Store) -> None:
    store.add_articles([article(n) for n in range(7)])
    assert [a.id for a in store.iter_articles(batch_size=3)] == [f"a{n}" for n in range(7)]
    assert [a.id for a in store.iter_articles(batch_size=7)] == [f"a{n}" for n in range(7)]


def test_document_round_trip_every_field(store: Store) -> None:
    doc = full_document()
    assert store.save_documents([doc]) == 1
    assert store.get_document("doc1") == doc
    assert store.get_document("doc1", "1.0") == doc
    assert store.get_document("doc1", "9.9") is None
    assert store.get_document("nope") is None
    # The article was stored from the Document since it had not been ingested.
    stored = store.get_article("doc1")
    assert stored is not None and stored.text == TEXT


def test_listed_events_and_statements_are_the_records_json(store: Store) -> None:
    """The list endpoints build each row's JSON straight from the columns (no validated
    record in between): it must be exactly the record's `to_dict()`, on both backends."""
    from flashpoint.store import browse

    doc = full_document()
    store.save_documents([doc])
    with store.reading() as conn:
        events = browse.list_events(conn, browse.EventFilter()).rows
        statements = browse.list_statements(conn, browse.StatementFilter()).rows
    article_keys = {"article", "coder_version"}
    by_id = {row["id"]: {k: v for k, v in row.items() if k not in article_keys}
             for row in events + statements}
    for record in [*doc.events, *doc.statements]:
        assert json.dumps(by_id.pop(record.id)) == json.dumps(record.to_dict())
    assert not by_id
    assert {row["coder_version"] for row in events + statements} == {"1.0"}
    assert events[0]["article"]["published"] == "2023-02-16"


def test_two_coder_versions_sit_side_by_side(store: Store) -> None:
    old = full_document("1.0")
    new = full_document("2.0").model_copy(update={"events": old.events[:1]})
    store.save_documents([old])
    store.save_documents([new])
    assert store.get_document("doc1", "1.0") == old
    assert store.get_document("doc1", "2.0") == new
    assert store.get_document("doc1") == new  # latest coded by default
    assert store.coder_versions("doc1") == ["2.0", "1.0"]
    assert store.stats()["codings"] == {"1.0": 1, "2.0": 1}


def test_resaving_a_version_replaces_its_rows(store: Store) -> None:
    doc = full_document()
    store.save_documents([doc])
    fewer = doc.model_copy(update={"mentions": doc.mentions[:1], "statements": [], "events": []})
    store.save_documents([fewer])
    assert store.get_document("doc1") == fewer
    counts = store.stats()
    assert (counts["mentions"], counts["statements"], counts["events"]) == (1, 0, 0)
    store.save_documents([doc, doc])  # the same coding twice in one call is fine
    assert store.get_document("doc1") == doc


def test_documents_of_ingested_articles(store: Store) -> None:
    store.add_articles([Article(id="doc1", text=TEXT, title="kept")])
    store.save_documents([full_document()])
    assert store.get_document("doc1") is not None
    stored = store.get_article("doc1")
    assert stored is not None and stored.title == "kept"  # ingest owns the article row


def test_save_refuses_text_that_does_not_match(store: Store) -> None:
    store.add_articles([Article(id="doc1", text=TEXT + " Updated.")])
    with pytest.raises(StoreError, match="differs"):
        store.save_documents([full_document()])
    store.add_articles([Article(id="other", text=TEXT)])
    doc = full_document().model_copy(update={"id": "third"})
    with pytest.raises(StoreError, match="stored as article other"):
        store.save_documents([doc])
    assert store.get_document("doc1") is None  # nothing half-written


def test_listing_newest_first_with_dates(store: Store) -> None:
    store.add_articles([
        article(1, published=dt.date(2023, 1, 1), source="A"),
        article(2, published=dt.date(2023, 3, 1), source="B", title="Second"),
        article(3),  # no date: listed last
        article(4, published=dt.date(2023, 2, 1), source="A"),
    ])
    rows = store.articles()
    assert [r.id for r in rows] == ["a2", "a4", "a1", "a3"]
    second = rows[0]
    assert second.title == "Second" and second.source == "B"
    assert second.chars == len("Article number 2: the body of story 2.")
    assert second.snippet.startswith("Article number 2") and second.rank is None
    assert second.ingested_at.tzinfo is not None
    assert [r.id for r in store.articles(limit=2, offset=1)] == ["a4", "a1"]
    assert [r.id for r in store.articles(since="2023-02-01")] == ["a2", "a4"]
    assert [r.id for r in store.articles(until=dt.date(2023, 2, 1))] == ["a4", "a1"]
    assert store.count_articles() == 4
    assert store.count_articles(since="2023-01-15", until="2023-02-15") == 1
    with pytest.raises(ConfigError):
        store.articles(since="last week")


def test_search_ranks_and_highlights(store: Store) -> None:
    store.add_articles([
        article(1, "Farmers discussed grain prices at the market in Kyiv."),
        article(2, "Sanctions, sanctions and more sanctions were announced; sanctions bite."),
        article(3, "The minister mentioned sanctions once, then talked about trade."),
        article(4, "A piece about the weather.", title="Sanctions loom"),
    ])
    rows = store.articles(search="sanctions")
    assert {r.id for r in rows} == {"a2", "a3", "a4"}
    assert rows[-1].id == "a3"  # one body mention ranks below many, and below the title
    assert all(r.rank is not None for r in rows)
    assert [r.rank for r in rows] == sorted((r.rank or 0 for r in rows), reverse=True)
    assert "[sanctions]" in next(r for r in rows if r.id == "a3").snippet.lower()
    assert store.count_articles("sanctions") == 3
    assert [r.id for r in store.articles(search="grain Kyiv")] == ["a1"]
    assert store.articles(search="grain sanctions") == []
    marked = store.articles(search="grain", marks=("<<", ">>"))
    assert "<<grain>>" in marked[0].snippet
    assert store.articles(search="   ") == store.articles()


def test_search_phrases_or_and_exclusion(store: Store) -> None:
    store.add_articles([
        article(1, "Troops crossed the border at dawn."),
        article(2, "The border was closed to trucks."),
        article(3, "Dawn raids hit the capital."),
    ])
    assert {r.id for r in store.articles(search='"crossed the border"')} == {"a1"}
    assert {r.id for r in store.articles(search="trucks or raids")} == {"a2", "a3"}
    assert {r.id for r in store.articles(search="border -trucks")} == {"a1"}
    assert store.count_articles("border -trucks") == 1


HOSTILE = [
    'a" OR', '"', '""', "*", "sanctions*", "NEAR(", "NEAR(border troops", "AND OR NOT",
    "-", "--border", "border:", "title:border", "(", ")", "^border", "{a b}", "'; DROP TABLE",
    "\u0000border", "Лукашенко", "граница", "\U0001f600", "a" * 300, "OR border OR",
    'unterminated "phrase', "border -", "café", "", "border AND", "NOT border", "rank:1",
    "articles_fts", '"border" "', "\\", "%", "_", "border\ttroops\n",
]


def test_hostile_search_strings_never_error(store: Store) -> None:
    store.add_articles([
        article(1, "Troops crossed the border near Brest."),
        article(2, "Лукашенко закрыл границу. Café owners protest."),
    ])
    for query in HOSTILE:
        rows = store.articles(search=query)
        assert store.count_articles(query) == len(rows), query
    assert {r.id for r in store.articles(search='a" OR border')} <= {"a1"}
    assert [r.id for r in store.articles(search="NEAR( border troops")] == ["a1"]
    assert [r.id for r in store.articles(search="café")] == ["a2"]
    # SQLite folds accents (unicode61 remove_diacritics); PostgreSQL's 'english' does not.
    assert [r.id for r in store.articles(search="cafe")] == (
        ["a2"] if store.dialect == "sqlite" else [])
    assert store.count_articles("'; DROP TABLE") == 0 and store.count_articles() == 2


def test_unicode_search(store: Store) -> None:
    store.add_articles([article(1, "Лукашенко закрыл границу с Польшей.")])
    assert [r.id for r in store.articles(search="Лукашенко")] == ["a1"]


def test_runs_and_failures(store: Store) -> None:
    run = store.start_run("ingest", ["news/a.jsonl", "news/b.html"])
    assert store.runs()[0].status == "running"
    store.add_articles([article(1), article(1)], run_id=run)
    store.record_failures([
        Failure(origin="news/b.html", stage="ingest", kind="empty", message="no body"),
        Failure(origin="news/a.jsonl:7", stage="ingest", kind="format", message="bad JSON",
                severity="warning"),
    ], run_id=run)
    store.record_failures([])  # nothing to do, no transaction
    store.finish_run(run, stored=1, duplicates=1, failed=1)
    [summary] = store.runs()
    assert (summary.id, summary.command, summary.inputs) == (run, "ingest",
                                                            ["news/a.jsonl", "news/b.html"])
    assert (summary.status, summary.stored, summary.duplicates, summary.failed) == (
        "done", 1, 1, 1)
    assert summary.seconds is not None and summary.seconds >= 0
    assert store.get_run(run) == summary and store.get_run(999) is None
    failures = store.failures(run_id=run)
    assert [f.origin for f in failures] == ["news/a.jsonl:7", "news/b.html"]  # newest first
    assert failures[1].to_failure() == Failure(
        origin="news/b.html", stage="ingest", kind="empty", message="no body")
    assert failures[0].created_at.tzinfo is not None
    assert store.failures(run_id=run + 1) == []
    assert len(store.failures(limit=1)) == 1
    with pytest.raises(StoreError, match="no run"):
        store.finish_run(999, stored=0, duplicates=0, failed=0)
    with pytest.raises(ConfigError):
        store.finish_run(run, stored=0, duplicates=0, failed=0, status="weird")


def test_stats(store: Store) -> None:
    empty = store.stats()
    assert empty["articles"] == 0 and empty["published"] == {"first": None, "last": None}
    run = store.start_run("ingest", [])
    store.add_articles([
        article(1, published=dt.date(2023, 1, 5), source="AP"),
        article(2, published=dt.date(2023, 2, 6), source="AP"),
        article(3, source="Reuters"),
        article(4),
    ], run_id=run)
    store.record_failures([Failure(origin="x", stage="ingest", kind="binary", message="m")])
    store.finish_run(run, stored=4, duplicates=3, failed=1)
    store.save_documents([full_document()])
    stats = store.stats()
    assert stats["articles"] == 5
    assert stats["codings"] == {"1.0": 1}
    assert (stats["mentions"], stats["statements"], stats["events"]) == (3, 2, 2)
    assert stats["failures"] == {"errors": 1, "warnings": 0}
    assert stats["runs"] == 1 and stats["duplicates"] == 3
    assert stats["published"] == {"first": "2023-01-05", "last": "2023-02-16"}
    assert list(stats["sources"].items())[:2] == [("AP", 2), ("Example News", 1)]
    assert stats["dialect"] == store.dialect
    assert isinstance(stats["db_bytes"], int) and stats["db_bytes"] > 0


def test_unknown_run_id_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store.add_articles([article(1)], run_id=12345)
    assert store.count_articles() == 0  # the failed batch left nothing behind


def test_oversized_body_is_stored_and_searchable(store: Store) -> None:
    """A huge page must not fail its batch (PostgreSQL caps how much of a body it indexes)."""
    words = " ".join(f"w{n}x" for n in range(300_000))  # ~2.4 MB of distinct words
    assert store.add_articles([article(1, "needle " + words)])[0].status == "stored"
    assert [r.id for r in store.articles(search="needle")] == ["a1"]


def bare_document(n: int, version: str = "1.0") -> Document:
    return Document(id=f"a{n}", text=f"Article number {n}: the body of story {n}.",
                    coder=Coder(name="flashpoint.coder.test", version=version))


def test_iter_uncoded_resumes_where_coding_stopped(store: Store) -> None:
    store.add_articles([article(n) for n in range(5)])
    store.save_documents([bare_document(1), bare_document(3)])
    store.save_documents([bare_document(0, "2.0")])
    assert [a.id for a in store.iter_uncoded("1.0", batch_size=2)] == ["a0", "a2", "a4"]
    assert [a.id for a in store.iter_uncoded("3.0")] == [f"a{n}" for n in range(5)]


def test_save_documents_from_a_lazy_iterable_in_batches(store: Store) -> None:
    store.add_articles([article(n) for n in range(5)])
    pending = (bare_document(int(a.id[1:])) for a in store.iter_uncoded("1.0", batch_size=2))
    assert store.save_documents(pending, batch_size=2) == 5
    assert list(store.iter_uncoded("1.0")) == []
    assert store.save_documents([]) == 0
    with pytest.raises(ConfigError):
        store.save_documents([], batch_size=0)


def test_rows_to_dict_are_json_ready(store: Store) -> None:
    run = store.start_run("ingest", ["x"])
    [added] = store.add_articles([article(1, published=dt.date(2023, 5, 1))], run_id=run)
    store.record_failures([Failure(origin="o", stage="s", kind="k", message="m")], run_id=run)
    store.finish_run(run, stored=1, duplicates=0, failed=1)
    for row in (added, store.articles()[0], store.failures()[0], store.runs()[0]):
        data = row.to_dict()
        assert json.loads(json.dumps(data)) == data
    assert store.articles()[0].to_dict()["published"] == "2023-05-01"
    assert store.runs()[0].to_dict()["inputs"] == ["x"]


def test_a_writer_that_loses_the_race_reports_a_duplicate(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process may store the article between the look-up and the insert."""
    from flashpoint.store import writes

    store.add_articles([article(1, "Same text."), article(2)])
    monkeypatch.setattr(writes, "_existing", lambda conn, column, values: {})
    assert store.add_articles([article(1, "Same text."), article(3, "same  TEXT.")]) == [
        AddResult("a1", "duplicate", "a1"), AddResult("a3", "duplicate", "a1")]
    assert store.count_articles() == 2


def test_negative_paging_is_a_config_error(store: Store) -> None:
    with pytest.raises(ConfigError):
        store.articles(limit=-1)
    with pytest.raises(ConfigError):
        store.articles(offset=-5)


def _many_events_document(n: int, version: str, rng: random.Random) -> Document:
    """An article with events between three actors, dated, same-dated and undated."""
    text = f"Article {n}. " + " ".join(f"Event number {i} happened." for i in range(12))
    evidence = span(text, "Event number 0 happened.")
    codes = ["AAA", "BBB", "CCC"]
    events = []
    for i in range(12):
        target = rng.choice([*codes, None])
        events.append(Event(
            id=f"d{n}e{i}", type=rng.choice(["FIGHT", "CONSULT", "ACCUSE"]),
            source=Actor(code=rng.choice(codes), name="x"),
            target=None if target is None else Actor(code=target, name="y"),
            date=rng.choice([None, dt.date(2024, 1, 1), dt.date(2024, 1, rng.randint(2, 9))]),
            evidence=evidence, confidence=0.5))
    return Document(id=f"m{n}", text=text, events=events,
                    coder=Coder(name="flashpoint.coder.test", version=version))


def test_event_pages_of_same_shaped_filters_follow_their_own_values(store: Store) -> None:
    """`list_events` builds each filter shape's SQL once and runs it with other values:
    every filter, paged by cursor in small pages, must give exactly the events a plain
    Python filter over the documents gives, in key order (several coder versions stored,
    so the latest-coding condition is in the SQL too)."""
    from flashpoint.store import browse

    rng = random.Random(4)
    docs = [_many_events_document(n, "1.0", rng) for n in range(4)]
    newer = _many_events_document(0, "2.0", rng)  # article m0 recoded: only 2.0 counts
    store.save_documents(docs)
    store.save_documents([newer])
    current = [*docs[1:], newer]
    tied = _many_events_document(9, "1.0", rng)  # two codings saved in one call: same
    store.save_documents([tied, tied.model_copy(update={  # time, the higher version counts
        "coder": Coder(name="flashpoint.coder.test", version="2.0")})])
    current.append(tied.model_copy(update={
        "coder": Coder(name="flashpoint.coder.test", version="2.0")}))
    rows = [(doc.id, doc.coder.version, i, e) for doc in current for i, e in enumerate(doc.events)]

    def expected(f: browse.EventFilter) -> list[str]:
        def keep(e: Event) -> bool:
            target = e.target.code if e.target else None
            return ((not f.actor or e.source.code in f.actor or target in f.actor)
                    and (not f.source or e.source.code in f.source)
                    and (not f.target or target in f.target)
                    and (not f.types or e.type in f.types)
                    and (f.since is None or (e.date is not None and e.date >= f.since)))
        ordered = sorted((r for r in rows if keep(r[3])), reverse=True, key=lambda r: (
            r[3].date is not None, r[3].date or dt.date.min, r[0], r[1], r[2]))
        return [e.id for _, _, _, e in ordered]

    filters = [browse.EventFilter(**kw) for kw in (
        {}, {"actor": ("AAA",)}, {"actor": ("BBB",)}, {"actor": ("CCC",)},
        {"actor": ("AAA", "CCC")}, {"actor": ("BBB", "CCC")},
        {"source": ("AAA",), "target": ("BBB",)}, {"source": ("CCC",), "target": ("AAA",)},
        {"target": ("BBB",), "types": ("FIGHT",)}, {"target": ("CCC",), "types": ("ACCUSE",)},
        {"types": ("CONSULT",), "since": dt.date(2024, 1, 5)},
        {"types": ("FIGHT",), "since": dt.date(2024, 1, 3)})]
    with store.reading() as conn:
        for f in filters:
            for limit in (1, 3, 50):
                got: list[str] = []
                cursor = None
                while True:
                    page = browse.list_events(conn, f, limit=limit, cursor=cursor)
                    got += [e["id"] for e in page.rows]
                    cursor = page.next
                    if cursor is None:
                        break
                assert got == expected(f), (f, limit)
