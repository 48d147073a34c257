"""The `flashpoint` command line: parses options, calls the library, formats output.

Everything here is thin on purpose: reading is `flashpoint.ingest`, coding is
`flashpoint.pipeline`, storing is `flashpoint.store`. Library errors become one readable
line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import enum
import functools
import json
import sys
from collections.abc import Iterator
from contextlib import closing
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from flashpoint import default_pipeline
from flashpoint.__about__ import __version__
from flashpoint.cli_analyze import register as register_analysis
from flashpoint.cli_monitor import register as register_monitoring
from flashpoint.cli_output import fail
from flashpoint.cli_train import register as register_training
from flashpoint.errors import FlashpointError
from flashpoint.ingest import JsonlFields, ReadOptions, read_sources
from flashpoint.ingest_run import IngestReport, ingest
from flashpoint.model import Article, Document, Failure
from flashpoint.scale.workers import coder_for
from flashpoint.schema import document_schema
from flashpoint.serve.cli import register as register_serve
from flashpoint.store import Store

app = typer.Typer(
    name="flashpoint",
    help="Traceable political event data from news articles.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(soft_wrap=True)
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="FLASHPOINT_DB",
        help="Database URL or SQLite file path (default: ./flashpoint.db).",
        show_default=False,
    ),
]


class Engine(enum.StrEnum):
    local = "local"
    ray = "ray"


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def examples_dir() -> Path:
    """Where the bundled example articles live inside the installed package."""
    return Path(str(resources.files("flashpoint") / "data" / "examples"))


_fail = functools.partial(fail, err)  # raise _fail("...") from None


def _open_store(db: str | None) -> Store:
    try:
        return Store(db)
    except FlashpointError as exc:
        raise _fail(str(exc)) from None


def _version(value: bool) -> None:
    if value:
        out.print(f"flashpoint {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn news articles into PLOVER event data whose every field points at its source text.

    Start with [bold]flashpoint ingest --examples[/] and [bold]flashpoint articles[/].
    """


def _options(jsonl_text: str | None, jsonl_title: str | None, jsonl_url: str | None,
             jsonl_date: str | None, max_mb: float) -> ReadOptions:
    defaults = JsonlFields()
    fields = JsonlFields(
        text=(jsonl_text,) if jsonl_text else defaults.text,
        title=(jsonl_title,) if jsonl_title else defaults.title,
        url=(jsonl_url,) if jsonl_url else defaults.url,
        published=(jsonl_date,) if jsonl_date else defaults.published,
        source=defaults.source,
        id=defaults.id,
    )
    return ReadOptions(fields=fields, max_bytes=int(max_mb * 1_000_000))


JsonlText = Annotated[str | None, typer.Option(help="JSONL field holding the article body.")]
JsonlTitle = Annotated[str | None, typer.Option(help="JSONL field holding the title.")]
JsonlUrl = Annotated[str | None, typer.Option(help="JSONL field holding the URL.")]
JsonlDate = Annotated[str | None, typer.Option(help="JSONL field holding the publication date.")]
MaxMb = Annotated[float, typer.Option(help="Refuse input items larger than this many MB.")]
TriageOption = Annotated[
    bool, typer.Option("--triage/--no-triage",
                       help="Parse only the parts of long articles that may hold an event "
                            "(docs/scale.md#triage); --no-triage parses every word.")
]


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files, directories, globs or - for stdin.", show_default=False),
    ] = None,
    examples: Annotated[
        bool, typer.Option("--examples", help="Ingest the bundled example articles.")
    ] = False,
    db: DbOption = None,
    code: Annotated[
        bool, typer.Option("--code/--no-code", help="Code articles as they are stored.")
    ] = True,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per transaction.")] = 50,
    jsonl_text: JsonlText = None,
    jsonl_title: JsonlTitle = None,
    jsonl_url: JsonlUrl = None,
    jsonl_date: JsonlDate = None,
    max_mb: MaxMb = 20.0,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first item that fails.")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes that code in parallel (each loads spaCy, "
                                      "about 0.5 GB).")
    ] = 1,
    engine: Annotated[
        Engine, typer.Option(help="Where coding runs: this machine, or Ray (local or a "
                                  "cluster; needs flashpoint[ray]).")
    ] = Engine.local,
    ray_address: Annotated[
        str | None, typer.Option(help="With --engine ray: a running cluster ('auto', "
                                      "'ray://host:10001'); default starts Ray here.",
                                 show_default=False)
    ] = None,
    shards: Annotated[
        Path | None, typer.Option(help="With --engine ray: keep the Parquet shards (each "
                                       "batch's documents and PLOVER records) in this "
                                       "directory; default: a temporary one, removed.",
                                  show_default=False)
    ] = None,
    triage: TriageOption = True,
) -> None:
    """Read articles and store them (and their coding) in the database.

    Text/Markdown, HTML, JSONL/JSON, directories (recursive), globs, .gz files and - (stdin)
    are accepted. Exact duplicates are counted, not stored twice; a bad item is reported
    and the rest of the batch is stored.

    [bold]Examples[/]

        flashpoint ingest --examples
        flashpoint ingest news/ 'archive/*.html' wire.jsonl.gz --workers 2
        cat feed.jsonl | flashpoint ingest - --jsonl-text body --db postgresql://host/db
        flashpoint ingest crawl.warc.gz --engine ray --workers 8 --ray-address auto
        flashpoint ingest crawl.warc.gz --engine ray --shards out/shards
    """
    inputs = list(paths or [])
    if examples:
        inputs.append(str(examples_dir()))
    if not inputs:
        raise _fail("give at least one PATH, or --examples", 2)
    options = _options(jsonl_text, jsonl_title, jsonl_url, jsonl_date, max_mb)
    if ray_address is not None and engine is not Engine.ray:
        raise _fail("--ray-address needs --engine ray", 2)
    if shards is not None and engine is not Engine.ray:
        raise _fail("--shards needs --engine ray", 2)
    with _open_store(db) as store:
        try:
            if engine is Engine.ray:
                from flashpoint.scale.ray_engine import ingest_ray

                report = ingest_ray(
                    store, inputs, options=options, workers=workers, address=ray_address,
                    code=code, batch_size=batch_size, strict=strict, console=err,
                    triage=triage, shards=shards,
                )
            else:
                with closing(coder_for(workers, triage=triage)) as coder:
                    report = ingest(
                        store, inputs, options=options, code=code, pipeline=coder,
                        batch_size=batch_size, strict=strict, stdin=sys.stdin.buffer,
                        console=err,
                    )
        except FlashpointError as exc:
            raise _fail(str(exc)) from None
        _print_report(report, store.display_url)
    if report.failed:
        raise typer.Exit(1)


def _print_report(report: IngestReport, where: str) -> None:
    summary = Table(title=f"Ingest run {report.run_id} into {where}", title_justify="left")
    for column in ("read", "stored", "duplicates", "failed", "warnings", "coded", "seconds"):
        summary.add_column(column, justify="right")
    summary.add_row(
        str(report.read), str(report.stored), str(report.duplicates), str(report.failed),
        str(len(report.warnings)), str(report.coded), f"{report.seconds:.1f}",
    )
    out.print(summary)
    problems = report.failures + report.warnings
    if problems:
        table = Table(title="Items with problems", title_justify="left")
        table.add_column("item", overflow="fold")
        table.add_column("severity")
        table.add_column("kind")
        table.add_column("reason", overflow="fold")
        for f in problems[:200]:
            table.add_row(f.origin, f.severity, f.kind, f.message)
        if len(problems) > 200:
            table.caption = f"... and {len(problems) - 200} more (flashpoint failures)"
        out.print(table)


@app.command("extract")
def extract_cmd(
    files: Annotated[list[str], typer.Argument(help="Article files (any ingest format), or -.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json (indented) or jsonl (one per line).")
    ] = "json",
    jsonl_text: JsonlText = None,
    max_mb: MaxMb = 20.0,
    triage: TriageOption = True,
) -> None:
    """Extract documents and print them as JSON; nothing is stored.

    One input article prints one JSON object; several print a JSON list (json) or one
    object per line (jsonl). Problems go to stderr; the exit status is 1 if any input failed.

    [bold]Examples[/]

        flashpoint extract article.txt
        flashpoint extract page.html wire.jsonl --format jsonl > docs.jsonl
    """
    if fmt not in ("json", "jsonl"):
        raise _fail(f"--format must be json or jsonl, not {fmt!r}", 2)
    options = _options(jsonl_text, None, None, None, max_mb)
    failures: list[Failure] = []

    def articles() -> Iterator[Article]:
        for item in read_sources(files, options=options, stdin=sys.stdin.buffer):
            if isinstance(item, Failure):
                if item.severity == "error":
                    failures.append(item)
                err.print(f"[yellow]{item.severity}[/] {item.origin}: {item.message}",
                          highlight=False)
            else:
                yield item

    documents: Iterator[Document] = default_pipeline(triage=triage)(articles())
    if fmt == "jsonl":
        for doc in documents:
            sys.stdout.write(doc.to_json() + "\n")
    else:
        collected = [doc.to_dict() for doc in documents]
        payload: Any = collected[0] if len(collected) == 1 else collected
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    if failures:
        raise typer.Exit(1)


@app.command("articles")
def articles_cmd(
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Full-text search query.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Rows to show.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Rows to skip.")] = 0,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List stored articles, newest first, or the best matches of a search.

    [bold]Examples[/]

        flashpoint articles
        flashpoint articles --search "border crossing" --limit 5
    """
    with _open_store(db) as store:
        try:
            rows = store.articles(search=search, limit=limit, offset=offset)
            total = store.count_articles(search=search)
        except FlashpointError as exc:
            raise _fail(str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in rows], ensure_ascii=False,
                                    indent=2, default=str) + "\n")
        return
    title = f"{total} article(s)" + (f" matching {search!r}" if search else "")
    table = Table(title=title, title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("source")
    table.add_column("title", overflow="fold")
    if search:
        table.add_column("match", overflow="fold")
    for r in rows:
        cells = [r.id, str(r.published or "?"), r.source or "", r.title or ""]
        if search:
            cells.append(r.snippet or "")
        table.add_row(*cells)
    out.print(table)


@app.command("show")
def show_cmd(
    article_id: Annotated[str, typer.Argument(help="Article id (from flashpoint articles).")],
    db: DbOption = None,
) -> None:
    """Print one stored article with its latest coding, as document JSON."""
    with _open_store(db) as store:
        doc = store.get_document(article_id)
        if doc is None:
            article = store.get_article(article_id)
            if article is None:
                raise _fail(f"no article with id {article_id!r}")
            doc = next(iter(default_pipeline()([article])))
    sys.stdout.write(doc.to_json(indent=2) + "\n")


@app.command("code")
def code_cmd(db: DbOption = None) -> None:
    """(Re-)code every stored article with the current coder; older codings are kept."""
    with _open_store(db) as store:
        pipeline = default_pipeline()
        done = 0
        with err.status("coding articles...") as status:
            batch: list[Document] = []
            for doc in pipeline(store.iter_articles()):
                batch.append(doc)
                if len(batch) >= 100:
                    done += store.save_documents(batch)
                    batch = []
                    status.update(f"coding articles... {done}")
            done += store.save_documents(batch)
    out.print(f"coded {done} article(s) with {pipeline.coder.name} {pipeline.coder.version}")


@app.command("stats")
def stats_cmd(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Summarise what the database holds: articles, codings, failures, runs."""
    with _open_store(db) as store:
        stats = store.stats()
        where = store.display_url
    if as_json:
        sys.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    table = Table(title=f"flashpoint database {where}", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    for key, value in stats.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        table.add_row(key.replace("_", " "), str(value))
    out.print(table)


@app.command("failures")
def failures_cmd(
    run: Annotated[int | None, typer.Option(help="Only this ingest run.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List input items that failed (or raised warnings), newest first."""
    with _open_store(db) as store:
        rows = store.failures(run_id=run, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in rows], indent=2, default=str) + "\n")
        return
    table = Table(title=f"{len(rows)} failure(s)", title_justify="left")
    for column in ("run", "item", "severity", "kind", "reason"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(str(r.run_id), r.origin, r.severity, r.kind, r.message)
    out.print(table)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the document JSON that extract and the API return."""
    sys.stdout.write(json.dumps(document_schema(), indent=2) + "\n")


register_analysis(app)  # export, series, alerts, report (flashpoint/cli_analyze.py)
register_monitoring(app)  # watch, stories (flashpoint/cli_monitor.py)
register_serve(app)  # serve: REST API and dashboard (flashpoint/serve/cli.py)
register_training(app)  # train events (flashpoint/cli_train.py)


def main() -> None:
    """Console-script entry point."""
    app()
