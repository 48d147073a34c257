"""Search strings become safe FTS5 expressions, and stored Documents round-trip exactly."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PostgresServer
from flashpoint.errors import StoreError
from flashpoint.model import (
    Actor,
    Coder,
    Document,
    Event,
    Location,
    Mention,
    Modality,
    Span,
    Statement,
)
from flashpoint.store import Store
from flashpoint.store.fts import to_fts5


@pytest.mark.parametrize(("query", "expected"), [
    ("border", '"border"'),
    ("troops border", '"troops" AND "border"'),
    ('"crossed the border"', '"crossed the border"'),
    ("trucks or raids", '("trucks" OR "raids")'),
    ("a b OR c d", '"a" AND ("b" OR "c") AND "d"'),
    ("border -trucks", '("border") NOT ("trucks")'),
    ('border -"closed to"', '("border") NOT ("closed to")'),
    ('a" OR', '"a" AND " OR"'),
    ("NEAR(border", '"NEAR(border"'),
    ("OR border OR", '"border"'),
    ("sanctions*", '"sanctions*"'),
    ("title:border", '"title:border"'),
    ("Лукашенко", '"Лукашенко"'),
    ("*", None),
    ("-border", None),
    ("", None),
    ('""', None),
    ("OR", None),
    ("\x00", None),
])
def test_to_fts5(query: str, expected: str | None) -> None:
    assert to_fts5(query) == expected


@pytest.fixture(scope="module")
def fts_table() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, text, "
                 "tokenize='porter unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('Border', 'Troops crossed the border or not')")
    yield conn
    conn.close()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
       | st.lists(st.sampled_from(['"', "OR", "AND", "NOT", "NEAR(", "(", ")", "*", "-", ":",
                                   "^", "+", "border", "troops", " ", "{", "}", ","]),
                  max_size=12).map("".join))
def test_any_search_string_is_valid_fts5(fts_table: sqlite3.Connection, query: str) -> None:
    expression = to_fts5(query)
    if expression is not None:
        fts_table.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchall()


# -- Document round trip ----------------------------------------------------------------

_ids = itertools.count()
_words = st.text(alphabet="abcdefghij KLMNO\u00e9\u0436\u4e2d.,", min_size=1, max_size=12)


@st.composite
def documents(draw: st.DrawFn) -> Document:
    n = next(_ids)
    # Unique text, so a unique article. No NUL: PostgreSQL text cannot hold it.
    # The fixed width keeps what hypothesis draws independent of the counter's value.
    text = draw(st.text(st.characters(codec="utf-8", exclude_characters="\x00"),
                        max_size=80)) + f" #{n:09d}"

    def spans() -> st.SearchStrategy[Span]:
        return st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(
            lambda ab: Span.of(text, min(ab), max(ab)))

    actors = st.builds(Actor, code=st.sampled_from(["BLR", "RUS", "UKR", "IGO"]),
                       sector=st.none() | st.sampled_from(["GOV", "MIL"]), name=_words,
                       span=st.none() | spans())
    modality = st.builds(Modality, negated=st.booleans(), future=st.booleans(),
                         hypothetical=st.booleans(), condition=st.none() | spans())
    floats = st.floats(-180, 180, allow_nan=False)
    statement = st.builds(
        Statement, id=_words, kind=st.sampled_from(["speech", "belief", "intention"]),
        speaker=st.none() | spans(), speaker_actor=st.none() | actors, cue=st.none() | spans(),
        content=spans(), direct=st.booleans(), function=st.none() | _words, modality=modality,
    )
    event = st.builds(
        Event, id=_words, type=st.sampled_from(["FIGHT", "THREATEN", "CONSULT"]),
        mode=st.none() | _words, contexts=st.lists(_words, max_size=3), source=actors,
        target=st.none() | actors,
        location=st.none() | st.builds(Location, name=_words, country=st.none() | _words,
                                       lat=st.none() | floats, lon=st.none() | floats),
        date=st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
        date_precision=st.none() | st.sampled_from(["day", "week", "month", "year"]),
        modality=modality, reported_by=st.none() | _words, evidence=spans(),
        confidence=st.floats(0, 1),
    )
    mention = st.builds(Mention, span=spans(),
                        kind=st.sampled_from(["person", "org", "country", "other"]),
                        actor=st.none() | actors)
    return Document(
        id=f"h{n}", url=draw(st.none() | st.just(f"https://example.org/{n}")),
        title=draw(st.none() | _words), published=draw(st.none() | st.dates()),
        source=draw(st.none() | _words), text=text,
        mentions=draw(st.lists(mention, max_size=3)),
        statements=draw(st.lists(statement, max_size=3)),
        events=draw(st.lists(event, max_size=3)),
        coder=Coder(name="flashpoint.coder.test", version=draw(st.sampled_from(["1", "2"]))),
    )


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_store(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for all examples (hypothesis runs many examples per test call)."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("roundtrip") / "store.db"
        with Store(str(path)) as store:
            yield store
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.create_database("flashpoint_roundtrip")
    try:
        with Store(server.url("flashpoint_roundtrip")) as store:
            yield store
    finally:
        server.drop_database("flashpoint_roundtrip")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_document_round_trip_property(shared_store: Store, doc: Document) -> None:
    shared_store.save_documents([doc])
    assert shared_store.get_document(doc.id, doc.coder.version) == doc


def test_text_that_is_not_valid_unicode_is_a_clear_store_error(store: Store) -> None:
    doc = Document(id="surrogate", text="\ud800 lone surrogate",
                   coder=Coder(name="flashpoint.coder.test", version="1"))
    with pytest.raises(StoreError, match="not valid Unicode"):
        store.save_documents([doc])
