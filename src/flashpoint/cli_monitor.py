"""CLI commands for monitoring: `flashpoint watch` (feeds) and `flashpoint stories`.

Thin like the rest of the CLI: `flashpoint.watch` does the work, `flashpoint.store.stories`
the listing. Kept apart from `cli.py` so the monitoring commands have one home;
`cli.py` registers them on its app.
"""

from __future__ import annotations

import functools
import json
import signal
import sys
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flashpoint.cli_output import fail
from flashpoint.errors import FlashpointError
from flashpoint.store import Store
from flashpoint.store.stories import Stories

out = Console(soft_wrap=True)
err = Console(stderr=True, log_path=False)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="FLASHPOINT_DB",
                 help="Database URL or SQLite file path (default: ./flashpoint.db).",
                 show_default=False),
]


_fail = functools.partial(fail, err)  # raise _fail("...") from None


def watch_cmd(
    config: Annotated[str, typer.Argument(help="feeds.yaml: the feeds to poll.")],
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="Poll every feed once, fetch, exit.")]
    = False,
    interval: Annotated[
        float | None,
        typer.Option(min=1.0, help="Seconds between polls of each feed (overrides feeds.yaml).",
                     show_default=False),
    ] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private",
                           help="Allow private, loopback and link-local addresses.")
    ] = False,
    code: Annotated[
        bool, typer.Option("--code/--no-code", help="Code pages as they are stored.")
    ] = True,
    triage: Annotated[
        bool, typer.Option("--triage/--no-triage",
                           help="Parse only the parts of long pages that may hold an event "
                                "(docs/scale.md#triage); --no-triage parses every word.")
    ] = True,
) -> None:
    """Poll RSS/Atom feeds and ingest the pages they list, until Ctrl-C.

    State (seen items, ETags, poll times) is kept in the database: a restarted watcher
    resumes where it stopped and fetches nothing twice. A bad feed or page is recorded
    (flashpoint failures) and the others go on.

    [bold]Examples[/]

        flashpoint watch feeds.yaml
        flashpoint watch feeds.yaml --once --db postgresql://host/db
    """
    from flashpoint.watch import Watcher, load_config

    try:
        settings = load_config(config, allow_private=allow_private)
        store = Store(db)
    except FlashpointError as exc:
        raise _fail(str(exc)) from None
    stop = threading.Event()
    status = "done"
    with store:
        try:
            from flashpoint import default_pipeline

            pipeline = default_pipeline(triage=triage) if code else None
            watcher = Watcher(store, settings, code=code, console=err, inputs=[config],
                              pipeline=pipeline)
        except FlashpointError as exc:
            raise _fail(str(exc)) from None
        asked = threading.Event()
        previous = _stop_on_signals(stop, asked, err)
        try:
            err.log(f"watching {len(settings.feeds)} feed(s) into {store.display_url}")
            if once:
                watcher.run_once(stop)
            else:
                watcher.run(stop, interval=interval)
            if asked.is_set():
                status = "interrupted"
                err.log("stopped (interrupted)")
        except KeyboardInterrupt:
            status = "interrupted"
            err.log("stopping (interrupted)")
        except FlashpointError as exc:
            status = "failed"
            watcher.close(status)
            raise _fail(str(exc)) from None
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            if status != "failed":
                watcher.close(status)
        report = watcher.report
    table = Table(title=f"Watch run {report.run_id}", title_justify="left")
    for column in ("polls", "not modified", "new items", "pages", "stored", "duplicates",
                   "failed", "warnings", "coded"):
        table.add_column(column, justify="right")
    table.add_row(*(str(v) for v in (
        report.polls, report.unchanged, report.new_items, report.pages, report.stored,
        report.duplicates, report.failed, len(report.warnings), report.coded)))
    out.print(table)
    if status == "interrupted":
        raise typer.Exit(130)
    if report.failed and once:
        raise typer.Exit(1)


def _stop_on_signals(stop: threading.Event, asked: threading.Event,
                     err: Console) -> dict[int, signal._HANDLER]:
    """Ctrl-C (SIGINT) and a service manager's stop (SIGTERM) end the watcher cleanly:
    the first one sets `stop`, so the page in hand is finished and stored and nothing is
    left half-written (an exception thrown into the middle of a database write could
    leave its lock held); a second one stops at once."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()
        stop.set()
        err.log("stopping after the current page (interrupt again to stop now)")

    return {signum: signal.signal(signum, handler)
            for signum in (signal.SIGINT, signal.SIGTERM)}


def stories_cmd(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Stories to show.")] = 20,
    min_articles: Annotated[
        int, typer.Option(min=1, help="Only stories with at least this many articles.")
    ] = 1,
    story: Annotated[
        int | None, typer.Option(help="Show the articles of this story.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
    = False,
) -> None:
    """List stories: near-duplicate articles (syndicated copies) grouped, with source counts.

    [bold]Examples[/]

        flashpoint stories --min-articles 2
        flashpoint stories --story 17
    """
    try:
        with Store(db) as store:
            stories = Stories(store)
            if story is not None:
                members = stories.members(story)
                if not members:
                    raise _fail(f"no story with id {story}")
                rows: list[dict[str, object]] = [m.to_dict() for m in members]
            else:
                rows = [r.to_dict() for r in stories.rows(limit=limit,
                                                          min_articles=min_articles)]
                total = stories.count(min_articles=min_articles)
    except FlashpointError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if story is not None:
        table = Table(title=f"Story {story}: {len(rows)} article(s)", title_justify="left")
        for column in ("article_id", "source", "published", "similarity", "title"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(str(row["article_id"]), str(row["source"] or ""),
                          str(row["published"] or "?"), f"{row['similarity']:.2f}",
                          str(row["title"] or ""))
    else:
        table = Table(title=f"{total} story(ies)", title_justify="left")
        for column in ("id", "articles", "sources", "first seen", "title"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(str(row["id"]), str(row["n_articles"]), str(row["n_sources"]),
                          str(row["first_seen"])[:19], str(row["title"] or ""))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the monitoring commands to the main CLI."""
    app.command("watch")(watch_cmd)
    app.command("stories")(stories_cmd)
