"""Exports and PLOVER records: round trips, filters, hostile filter values (both backends)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from analysis_data import CODER, Ev, corpus, make_doc
from flashpoint.analyze import export, records
from flashpoint.analyze.filters import EventFilter, parse_day
from flashpoint.cli import app
from flashpoint.errors import ConfigError
from flashpoint.model import Coder, Document, Event
from flashpoint.store import Store

D = dt.date


def stored_events(docs: list[Document]) -> dict[str, tuple[Document, Event]]:
    return {event.id: (doc, event) for doc in docs for event in doc.events}


def real(event: Event) -> bool:
    return not event.modality.negated and not event.modality.hypothetical


def check_flat(row: dict[str, object], doc: Document, event: Event) -> None:
    """A flat export row says the same as the Document it came from."""
    assert row["event"] == event.type
    assert row["mode"] == event.mode
    assert row["source_code"] == event.source.code
    assert row["source_sector"] == event.source.sector
    assert row["target_code"] == (event.target.code if event.target else None)
    assert row["date"] == (event.date or doc.published)
    assert row["negated"] == event.modality.negated
    assert row["future"] == event.modality.future
    assert row["hypothetical"] == event.modality.hypothetical
    assert row["condition"] == (event.modality.condition.text
                                if event.modality.condition else None)
    assert row["event_text"] == event.evidence.text
    start, end = row["evidence_start"], row["evidence_end"]
    assert isinstance(start, int) and isinstance(end, int)
    assert doc.text[start:end] == row["event_text"]
    assert isinstance(row["text"], str) and event.evidence.text in row["text"]
    assert row["confidence"] == pytest.approx(event.confidence)
    assert row["context"] == (";".join(event.contexts) or None)
    assert row["article_id"] == doc.id and row["url"] == doc.url
    assert row["published"] == doc.published
    assert row["version"] == doc.coder.version and row["sources"] == 1


def test_plover_record_of_a_document_names_the_plover_fields() -> None:
    doc = corpus()[2]
    record = records.document_records(doc)[1]  # the hypothetical, conditional ASSAULT
    for field in ("id", "date", "source", "target", "event", "mode", "context",
                  "eventText", "text"):
        assert field in record
    assert record["source"] == [{"actorText": "Belarus", "code": "BLR", "sector": "GOV",
                                 "name": "Belarus"}]
    assert record["event"] == "ASSAULT" and record["quadCode"] == 4
    assert record["eventScale"] == -9.0
    assert record["hypothetical"] is True and record["negated"] is False
    condition = record["condition"]
    assert doc.text[condition["start"]:condition["end"]] == condition["text"] == "if provoked"
    info = record["textInfo"]
    assert doc.text[info["start"]:info["end"]] == record["eventText"]
    assert doc.text[info["sentenceStart"]:info["sentenceEnd"]] == record["text"]
    assert record["text"].endswith("if provoked.")
    json.dumps(record)  # JSON-ready


def test_sentence_around_finds_the_sentence_and_keeps_the_closing_quote() -> None:
    text = 'First one. He said: "We will act." Then he left.\n\nNew paragraph here'
    start = text.index("We will")
    span = records.sentence_around(text, start, start + 7)
    assert span.text == 'He said: "We will act."'
    last = records.sentence_around(text, text.index("New"), text.index("New") + 3)
    assert last.text == "New paragraph here"


def test_sentence_around_in_a_long_article() -> None:
    filler = "Background sentence number %d of a long article. "
    text = "".join(filler % n for n in range(200)) + "Minsk warned Warsaw on Friday. More."
    start = text.index("Minsk")
    span = records.sentence_around(text, start, start + 5)
    assert span.text == "Minsk warned Warsaw on Friday."
    run_on = "x" * 5000 + " Minsk warned Warsaw"  # no boundary: look back is bounded
    start = run_on.index("Minsk")
    span = records.sentence_around(run_on, start, start + 5)
    assert span.end == len(run_on) and span.start == start - records.MAX_SENTENCE


def test_export_round_trips_in_every_format(store: Store, tmp_path: Path) -> None:
    docs = corpus()
    store.save_documents(docs)
    originals = stored_events(docs)
    expected = {eid for eid, (_, ev) in originals.items() if real(ev)}

    text = io.StringIO()
    assert export.export(store, "jsonl", text) == len(expected)
    jsonl = export.read_jsonl(io.StringIO(text.getvalue()))
    csv_path = tmp_path / "events.csv"
    parquet_path = tmp_path / "events.parquet"
    assert export.export(store, "csv", csv_path) == len(expected)
    assert export.export(store, "parquet", parquet_path, batch_size=2) == len(expected)
    assert len(expected) == 7  # so 4 row groups of at most 2
    assert pq.ParquetFile(parquet_path).metadata.num_row_groups == 4

    flat_jsonl = [records.flatten(r) for r in jsonl]
    flat_csv = export.read_csv(csv_path)
    flat_parquet = export.read_parquet(parquet_path)
    assert flat_csv == flat_jsonl == flat_parquet
    assert [row["id"] for row in flat_csv] == sorted(
        expected, key=lambda eid: (originals[eid][1].date or originals[eid][0].published,
                                   eid))
    for row in flat_csv:
        check_flat(row, *originals[str(row["id"])])


def test_an_empty_export_is_still_a_valid_file(store: Store, tmp_path: Path) -> None:
    assert export.export(store, "parquet", tmp_path / "none.parquet") == 0
    table = pq.read_table(tmp_path / "none.parquet")
    assert table.num_rows == 0 and table.schema.names == list(records.FLAT_NAMES)
    assert export.export(store, "csv", tmp_path / "none.csv") == 0
    assert export.read_csv(tmp_path / "none.csv") == []
    buffer = io.StringIO()
    assert export.export(store, "jsonl", buffer) == 0 and buffer.getvalue() == ""


def test_hostile_text_survives_csv_and_jsonl(store: Store, tmp_path: Path) -> None:
    nasty = 'Belarus said "x", then\nnewline; =HYPERLINK("http://evil") <script>alert(1)</script>'
    doc = make_doc("h1", D(2024, 3, 1), [Ev("THREATEN", "BLR", "POL", D(2024, 3, 1),
                                            sentence=nasty)])
    store.save_documents([doc])
    path = tmp_path / "h.csv"
    export.export(store, "csv", path)
    (row,) = export.read_csv(path)
    assert row["event_text"] == nasty
    buffer = io.StringIO()
    export.export(store, "jsonl", buffer)
    assert export.read_jsonl(io.StringIO(buffer.getvalue()))[0]["eventText"] == nasty


def test_filters_narrow_the_export(store: Store) -> None:
    store.save_documents(corpus())

    def ids(**kwargs: object) -> set[str]:
        return {r["id"] for r in export.iter_records(store, EventFilter(**kwargs))}

    everything = ids(include_negated=True, include_hypothetical=True)
    assert len(everything) == 9
    assert ids() == everything - {"a2-e2", "a3-e1"}
    assert ids(include_negated=True) == ids() | {"a2-e2"}
    assert ids(include_hypothetical=True) == ids() | {"a3-e1"}
    assert ids(include_future=False) == ids() - {"a3-e2"}
    assert ids(include_conditional=False, include_hypothetical=True) == ids()
    assert ids(source=("blr",)) == {"a1-e0", "a1-e1", "a2-e0", "a3-e0"}
    assert ids(target="BLR") == {"a2-e1"}
    assert ids(actor="BLR") == {"a1-e0", "a1-e1", "a2-e0", "a3-e0", "a2-e1"}
    assert ids(types=("assault", "consult")) == {"a1-e2", "a3-e2"}
    assert ids(modes=("troops",)) == {"a2-e0"}
    # a3-e0 has no date of its own: it counts on its article's day, 2024-03-03
    assert ids(since=D(2024, 3, 3)) == {"a3-e0", "a3-e2"}
    assert ids(since="2024-03-02", until="2024-03-02") == {"a2-e0", "a2-e1"}
    assert ids(article_ids=("a1",)) == {"a1-e0", "a1-e1", "a1-e2"}
    assert ids(min_confidence=0.95) == set()


@pytest.mark.parametrize("value", [
    "BLR' OR '1'='1", "x\"; DROP TABLE events; --", "%", "_", "' UNION SELECT * FROM articles --",
])
def test_hostile_filter_values_are_bound_parameters(store: Store, value: str) -> None:
    store.save_documents(corpus())
    for flt in (EventFilter(actor=value), EventFilter(types=value),
                EventFilter(modes=(value,)), EventFilter(coder_version=value)):
        assert list(export.iter_records(store, flt)) == []
    assert len(list(export.iter_records(store))) == 7  # the tables are intact


def test_filter_sql_carries_no_user_value() -> None:
    flt = EventFilter(actor="BLR' OR 1=1 --", types="X", since="2024-01-01")
    sql = str(export.events_query(flt).compile())
    assert "OR 1=1" not in sql and "BLR" not in sql


def test_newest_coding_is_used_unless_a_version_is_asked(store: Store) -> None:
    old = make_doc("v1", D(2024, 3, 1), [Ev("THREATEN", "BLR", "POL", D(2024, 3, 1))])
    store.save_documents([old])
    new_coder = Coder(name=CODER.name, version="test.2")
    new = make_doc("v1", D(2024, 3, 1), [Ev("ACCUSE", "BLR", "POL", D(2024, 3, 1)),
                                          Ev("AGREE", "BLR", "POL", D(2024, 3, 1))],
                   coder=new_coder)
    store.save_documents([Document(**{**new.model_dump(), "text": old.text,
                                      "events": [e.model_copy(update={
                                          "evidence": old.events[0].evidence})
                                          for e in new.events]})])
    assert [r["event"] for r in export.iter_records(store)] == ["ACCUSE", "AGREE"]
    old_only = EventFilter(coder_version="test.1")
    assert [r["event"] for r in export.iter_records(store, old_only)] == ["THREATEN"]


def test_story_copies_are_exported_once_with_their_source_count(store: Store) -> None:
    from flashpoint.store.stories import Stories

    day = D(2024, 3, 1)
    wire = "Belarus moved to threaten Poland at the border crossing near Terespol today."
    copies = [make_doc(f"c{n}", day, [Ev("THREATEN", "BLR", "POL", day, sentence=wire)],
                       lead=f"Wire copy {n} of the same report about the border dispute "
                            f"between Belarus and Poland, carried by outlet number {n}.",
                       source=f"Outlet {n}")
              for n in range(3)]
    store.save_documents(copies)
    story = Stories(store)
    assigned = story.assign([store.get_article(f"c{n}") for n in range(3)])  # type: ignore[misc]
    assert len({a.story_id for a in assigned}) == 1, "the copies should form one story"
    deduped = list(export.iter_records(store))
    assert len(deduped) == 1 and deduped[0]["sources"] == 3
    assert deduped[0]["storyId"] == assigned[0].story_id
    assert deduped[0]["articleId"] == "c0"  # the first report
    assert len(list(export.iter_records(store, EventFilter(dedup_stories=False)))) == 3


def test_parse_day() -> None:
    today = D(2024, 3, 10)
    assert parse_day("7d", today=today) == D(2024, 3, 4)
    assert parse_day("1d", today=today) == today
    assert parse_day("2w", today=today) == D(2024, 2, 26)
    assert parse_day(" 2024-01-05 ") == D(2024, 1, 5)
    with pytest.raises(ConfigError, match="ISO date"):
        parse_day("last tuesday")
    with pytest.raises(ConfigError, match="after"):
        EventFilter(since="2024-03-02", until="2024-03-01")


def test_cli_export(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    with Store(db) as store:
        store.save_documents(corpus())
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--db", db, "--format", "jsonl", "--actor", "RUS"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["id"] for r in lines} == {"a1-e2", "a3-e2"}
    result = runner.invoke(app, ["export", "--db", db, "--format", "csv", "--no-future"])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1 + 6
    out = tmp_path / "e.parquet"
    result = runner.invoke(app, ["export", "--db", db, "-f", "parquet", "-o", str(out),
                                 "--include-negated"])
    assert result.exit_code == 0, result.output
    assert len(export.read_parquet(out)) == 8
    refused = runner.invoke(app, ["export", "--db", db, "--format", "parquet"])
    assert refused.exit_code == 2 and "--output" in refused.output
    bad = runner.invoke(app, ["export", "--db", db, "--since", "someday"])
    assert bad.exit_code == 2 and "ISO date" in bad.output
