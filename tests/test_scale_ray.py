"""The Ray engine (`flashpoint ingest --engine ray`) on a real local Ray.

One Ray session serves the whole module (starting Ray costs ~10 s); each run still
starts its own actor pool, which loads the coder once per actor. What is checked:

- the Ray path stores exactly the Documents the single-process path stores, and records
  the same per-item failures (a binary file, a bad JSONL line) while storing the rest
  (on SQLite, loaded with executemany);
- a `flashpoint ingest --engine ray` killed with SIGKILL while it loads, then run again,
  ends with the rows of one clean run: no duplicate article, coding or event, and again
  exactly the single-process Documents (on PostgreSQL, loaded with COPY).

Each Ray run costs ~30 s here (the actors load the coder), so the two backends are
covered by these two tests rather than by running both tests on both.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from flashpoint.ingest import ReadOptions, read_sources
from flashpoint.ingest_run import ingest
from flashpoint.store import Store

ray = pytest.importorskip("ray")

from flashpoint.scale.ray_engine import expand_inputs, ingest_ray, ray_session  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "flashpoint" / "data" / "examples"
PICKED = ["armenia-azerbaijan-2024-05-16.txt", "colombia-eln-2023-08-03.md",
          "france-algeria-2025-04-15.html", "football-harbour-city-2024-03-03.txt"]
TABLES = ("articles", "codings", "mentions", "statements", "events")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few example articles, a JSONL file with one good line, one bad line and one
    copy of an article (a duplicate), and a binary file that cannot be read."""
    root = tmp_path_factory.mktemp("corpus")
    for name in PICKED:
        shutil.copy(EXAMPLES / name, root / name)
    wire = [
        {"title": "Ministers meet", "date": "2024-05-02", "url": "https://example.org/a",
         "text": "The foreign ministers of Armenia and Azerbaijan met in Almaty on "
                 "Friday. Armenia accused Azerbaijan of shelling a border village."},
    ]
    lines = [json.dumps(wire[0]), "{not json", json.dumps(wire[0])]
    (root / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "broken.txt").write_bytes(b"\x00\x01\x02 not text")
    return root


@pytest.fixture(scope="module")
def ray_address() -> Iterator[str]:
    """One local Ray for the module (2 coding workers), shut down at the end."""
    with ray_session(2) as session:
        yield session.get_runtime_context().gcs_address


def documents(store: Store) -> dict[str, dict[str, Any] | None]:
    with store.reading() as conn:
        ids = list(conn.scalars(sa.text("SELECT id FROM articles")))
    found = {}
    for article_id in ids:
        doc = store.get_document(article_id)
        found[article_id] = doc.to_dict() if doc else None
    return found


def counts(store: Store) -> dict[str, int]:
    with store.reading() as conn:
        return {t: int(conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES}


def problems(store: Store) -> set[tuple[str, str, str]]:
    return {(Path(f.origin).name, f.kind, f.severity) for f in store.failures()}


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the single-process path stores for the corpus."""
    path = tmp_path_factory.mktemp("local") / "local.db"
    with Store(path) as store:
        report = ingest(store, [str(corpus)], batch_size=2)
        return {"documents": documents(store), "counts": counts(store),
                "problems": problems(store), "stored": report.stored,
                "duplicates": report.duplicates, "failed": report.failed}


def test_inputs_expand_to_the_files_the_local_reader_reads(corpus: Path) -> None:
    files = list(expand_inputs([str(corpus), str(corpus / "*.md"), "missing.txt"]))
    read_order: list[str] = []
    for item in read_sources([str(corpus)]):
        origin = (item.origin or "").split(":")[0]
        if origin not in read_order:
            read_order.append(origin)
    assert files[:-2] == read_order
    assert files[-2] == str(corpus / "colombia-eln-2023-08-03.md")  # the glob
    missing = files[-1]
    assert not isinstance(missing, str)
    assert missing.kind == "not_found" and missing.origin == "missing.txt"


def test_ray_stores_the_documents_the_local_path_stores(
    tmp_path: Path, corpus: Path, reference: dict[str, Any], ray_address: str
) -> None:
    with Store(tmp_path / "ray.db") as store:
        report = ingest_ray(store, [str(corpus)], options=ReadOptions(), workers=2,
                            address=None, code=True, batch_size=2, strict=False, console=None,
                            shards=tmp_path / "kept" / "shards")
        assert documents(store) == reference["documents"]
        assert counts(store) == reference["counts"]
        assert problems(store) == reference["problems"]
        run_failures = {(Path(f.origin).name, f.kind) for f in store.failures(run_id=report.run_id)
                        if f.severity == "error"}
    # the bad items are recorded, per item, and everything else is stored and coded
    assert ("broken.txt", "binary") in run_failures
    assert any(name.startswith("wire.jsonl") and kind == "format" for name, kind in run_failures)
    assert report.stored == reference["stored"] == len(PICKED) + 1
    assert report.duplicates == reference["duplicates"] == 1
    assert report.coded == report.stored
    assert report.failed == reference["failed"] == 2
    # the shards were kept where asked: every coded document is in one of them
    rows = [r for part in sorted((tmp_path / "kept" / "shards").glob("part-*.parquet"))
            for r in pq.read_table(part).to_pylist()]
    kept = {json.loads(r["document"])["id"] for r in rows if r["document"]}
    assert kept == {i for i, doc in reference["documents"].items() if doc is not None}


@pytest.mark.postgres
def test_killed_ray_run_completes_on_rerun_without_duplicates(
    pg_store_url: str, corpus: Path, reference: dict[str, Any], ray_address: str
) -> None:
    db = pg_store_url  # migrated and empty
    command = [sys.executable, "-m", "flashpoint", "ingest", str(corpus), "--engine", "ray",
               "--workers", "2", "--ray-address", ray_address, "--batch-size", "1",
               "--db", db]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    loaded = 0
    deadline = time.monotonic() + 180
    try:
        with Store(db) as store:
            while run.poll() is None and time.monotonic() < deadline:
                loaded = counts(store)["codings"]
                if loaded:
                    break
                time.sleep(0.05)
    finally:
        run.send_signal(signal.SIGKILL)
        stderr = run.communicate(timeout=30)[1]
    assert loaded, f"the Ray run never loaded a coding: {stderr.decode()[-2000:]}"
    with Store(db) as store:
        partial = counts(store)
        assert partial["codings"] < reference["counts"]["codings"], "killed too late"
        ingest_ray(store, [str(corpus)], workers=2, batch_size=2)
        assert counts(store) == reference["counts"]
        assert documents(store) == reference["documents"]


def test_actor_skips_stored_articles_and_codes_the_rest(reference: dict[str, Any]) -> None:
    """`CodeBatch` in this process (the coder is cached by the reference run): articles
    the store held at the start, by id or by text, come back uncoded as duplicates;
    pending articles (taken from the store to be coded) are coded whatever they match."""
    import pyarrow as pa

    from flashpoint import default_pipeline
    from flashpoint.ids import text_hash
    from flashpoint.pipeline import make_article
    from flashpoint.scale.ray_tasks import ROWS, CodeBatch, article_row

    texts = ["Armenia accused Azerbaijan of shelling a village on Tuesday.",
             "Serbia and Kosovo agreed to meet in Brussels next week.",
             "France recalled its ambassador to Algeria on Friday."]
    stored, copied, new = (make_article(t, published="2024-05-02") for t in texts)
    known = ([stored.id], [text_hash(copied.text)])
    copy = make_article(copied.text, url="https://example.org/copy")  # another id, same text
    rows = [article_row(stored), article_row(copy), article_row(new),
            article_row(stored, pending=True)]
    out = CodeBatch(known=known)(pa.Table.from_pylist(rows, schema=ROWS)).to_pylist()
    assert [r["kind"] for r in out] == ["duplicate", "duplicate", "document", "document"]
    assert [r["pending"] for r in out] == [False, False, False, True]
    expected = {d.id: d.to_dict() for d in default_pipeline()([new, stored])}
    for item in out[2:]:
        assert json.loads(item["document"]) == expected[item["id"]]
        assert len(json.loads(item["plover"])) == len(expected[item["id"]]["events"])


def test_stdin_and_a_missing_ray_give_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from flashpoint.errors import ConfigError
    from flashpoint.scale.ray_runtime import import_ray

    with pytest.raises(ConfigError, match="not stdin"):
        list(expand_inputs(["-"]))
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets when absent
    with pytest.raises(ConfigError, match=r"pip install 'flashpoint\[ray\]'"):
        import_ray()


def test_an_article_whose_coding_fails_is_kept_with_a_failure(
    reference: dict[str, Any],
) -> None:
    """One article that breaks the coder costs only itself: it comes back uncoded with a
    `code` failure (so the loader stores it and records why), its batch is coded."""
    import pyarrow as pa

    from flashpoint.model import Failure
    from flashpoint.pipeline import Draft, Pipeline, make_article
    from flashpoint.scale.ray_tasks import ROWS, CodeBatch, article_row

    class Breaks:  # a stage that fails on one article, as a coder bug would
        name = "breaks"
        reads: frozenset[str] = frozenset({"article"})
        writes: frozenset[str] = frozenset()

        def __call__(self, batch: Sequence[Draft]) -> list[Draft]:
            if any("BOOM" in d.article.text for d in batch):
                raise RuntimeError("cannot code this one")
            return list(batch)

    articles = [make_article(t) for t in ("Fine one.", "BOOM goes this.", "Fine two.")]
    actor = CodeBatch()
    actor.pipeline = Pipeline([Breaks()])
    out = actor(pa.Table.from_pylist([article_row(a) for a in articles], schema=ROWS))
    rows = out.to_pylist()
    assert [r["kind"] for r in rows] == ["document", "article", "document"]
    failure = Failure.model_validate_json(rows[1]["failure"])
    assert (failure.stage, failure.kind) == ("code", "internal")
    assert "cannot code this one" in failure.message
    assert rows[1]["article"] and rows[0]["failure"] is None
