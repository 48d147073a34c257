"""The analysis commands: `export`, `series`, `alerts run|list` and `report`.

Kept out of `cli.py` so that file stays a list of ingest/store commands; `register(app)`
adds these to the main Typer app. Like the rest of the CLI they only parse options, call
`flashpoint.analyze` and format the answer; library errors become one red line and exit 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from flashpoint.analyze import alert_store, alerts, export, series
from flashpoint.analyze.filters import EventFilter, parse_day
from flashpoint.cli_output import fail
from flashpoint.errors import FlashpointError
from flashpoint.store import Store

out = Console(soft_wrap=True)
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="FLASHPOINT_DB",
                 help="Database URL or SQLite file path (default: ./flashpoint.db).",
                 show_default=False),
]
ActorOpt = Annotated[list[str] | None, typer.Option(
    "--actor", help="Actor code as source or target (repeat or comma-separate).",
    show_default=False)]
SourceOpt = Annotated[list[str] | None, typer.Option(
    "--source", help="Source actor code (who acts).", show_default=False)]
TargetOpt = Annotated[list[str] | None, typer.Option(
    "--target", help="Target actor code (to whom).", show_default=False)]
TypeOpt = Annotated[list[str] | None, typer.Option(
    "--type", help="PLOVER event type, e.g. THREATEN.", show_default=False)]
ModeOpt = Annotated[list[str] | None, typer.Option(
    "--mode", help="PLOVER mode, e.g. troops.", show_default=False)]
SinceOpt = Annotated[str | None, typer.Option(
    "--since", help="First day: ISO date or a span back from today (7d, 2w, 3m).",
    show_default=False)]
UntilOpt = Annotated[str | None, typer.Option(
    "--until", help="Last day (ISO date), inclusive.", show_default=False)]
NegatedOpt = Annotated[bool, typer.Option(
    "--include-negated", help="Count events the text says did not happen.")]
HypoOpt = Annotated[bool, typer.Option(
    "--include-hypothetical", help="Count hypothetical events.")]
FutureOpt = Annotated[bool, typer.Option(
    "--future/--no-future", help="Count planned (future) events.")]
CondOpt = Annotated[bool, typer.Option(
    "--conditional/--no-conditional", help="Count events that carry a condition.")]
ConfOpt = Annotated[float, typer.Option(
    "--min-confidence", min=0.0, max=1.0, help="Leave out events below this confidence.")]
CoderOpt = Annotated[str | None, typer.Option(
    "--coder-version", help="Only this coder version (default: each article's newest).",
    show_default=False)]
DedupOpt = Annotated[bool, typer.Option(
    "--dedup/--no-dedup", help="Count an event once per story (syndicated copies).")]


_fail = functools.partial(fail, err)  # raise _fail("...") from None


@contextmanager
def _session(db: str | None) -> Iterator[Store]:
    """An open Store; library errors inside the block become a message and exit 1."""
    try:
        with Store(db) as store:
            yield store
    except FlashpointError as exc:
        raise _fail(str(exc)) from None


def _filter(actor: list[str] | None, source: list[str] | None, target: list[str] | None,
            types: list[str] | None, modes: list[str] | None, since: str | None,
            until: str | None, negated: bool, hypothetical: bool, future: bool,
            conditional: bool, min_confidence: float, coder_version: str | None,
            dedup: bool) -> EventFilter:
    try:
        return EventFilter(
            actor=tuple(actor or ()), source=tuple(source or ()), target=tuple(target or ()),
            types=tuple(types or ()), modes=tuple(modes or ()),
            since=parse_day(since, name="--since"), until=parse_day(until, name="--until"),
            include_negated=negated, include_hypothetical=hypothetical,
            include_future=future, include_conditional=conditional,
            min_confidence=min_confidence, coder_version=coder_version, dedup_stories=dedup,
        )
    except FlashpointError as exc:
        raise _fail(str(exc), 2) from None


def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl or parquet.")] = "jsonl",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: stdout; parquet needs a file).",
        show_default=False)] = None,
    db: DbOption = None,
    actor: ActorOpt = None, source: SourceOpt = None, target: TargetOpt = None,
    types: TypeOpt = None, modes: ModeOpt = None, since: SinceOpt = None,
    until: UntilOpt = None, include_negated: NegatedOpt = False,
    include_hypothetical: HypoOpt = False, future: FutureOpt = True,
    conditional: CondOpt = True, min_confidence: ConfOpt = 0.0,
    coder_version: CoderOpt = None, dedup: DedupOpt = True,
) -> None:
    """Export events as CSV, JSONL (PLOVER records) or Parquet.

    Negated and hypothetical events are left out unless asked for; an event reported by
    several copies of one story is written once (its `sources` says how many).

    [bold]Examples[/]

        flashpoint export --format jsonl > events.jsonl
        flashpoint export --format csv --actor BLR --since 2024-03-01 -o blr.csv
        flashpoint export --format parquet -o events.parquet --include-negated
    """
    if fmt not in export.FORMATS:
        raise _fail(f"--format must be one of {', '.join(export.FORMATS)}, not {fmt!r}", 2)
    if fmt == "parquet" and output is None:
        raise _fail("parquet is binary: give --output FILE", 2)
    flt = _filter(actor, source, target, types, modes, since, until, include_negated,
                  include_hypothetical, future, conditional, min_confidence, coder_version,
                  dedup)
    with _session(db) as store:
        target_stream: Any = output if output is not None else sys.stdout
        count = export.export(store, fmt, target_stream, flt=flt)
    if output is not None:
        err.print(f"wrote {count} event(s) to {output}", highlight=False)


def series_cmd(
    by: Annotated[str, typer.Option(
        "--by", help="total, actor, source, target, dyad, type or quad.")] = "dyad",
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
    actor: ActorOpt = None, source: SourceOpt = None, target: TargetOpt = None,
    types: TypeOpt = None, modes: ModeOpt = None, since: SinceOpt = None,
    until: UntilOpt = None, include_negated: NegatedOpt = False,
    include_hypothetical: HypoOpt = False, future: FutureOpt = True,
    conditional: CondOpt = True, min_confidence: ConfOpt = 0.0,
    coder_version: CoderOpt = None, dedup: DedupOpt = True,
) -> None:
    """Daily event counts, PLOVER intensity and quad classes per dyad, actor or type.

    [bold]Examples[/]

        flashpoint series --by dyad --actor BLR --since 30d
        flashpoint series --by type --csv > types.csv
    """
    if by not in series.GROUPINGS:
        raise _fail(f"--by must be one of {', '.join(series.GROUPINGS)}, not {by!r}", 2)
    grouping: series.Grouping = by  # type: ignore[assignment]
    flt = _filter(actor, source, target, types, modes, since, until, include_negated,
                  include_hypothetical, future, conditional, min_confidence, coder_version,
                  dedup)
    with _session(db) as store:
        points = series.daily_series(store, flt, by=grouping)
    rows = [point.to_dict(grouping) for point in points]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    names = ["day", *series.KEY_NAMES[grouping], "events", "sources", "intensity",
             "mean_score", "conflict", "quad1", "quad2", "quad3", "quad4"]
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=f"{len(rows)} point(s) by {by}: {flt.describe()}", title_justify="left")
    for name in names:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*("" if row[n] is None else str(row[n]) for n in names))
    out.print(table)


alerts_app = typer.Typer(help="Alert rules: run them against the store, list stored alerts.",
                         no_args_is_help=True)


@alerts_app.command("run")
def alerts_run_cmd(
    rules: Annotated[Path, typer.Argument(help="YAML rules file.", show_default=False)],
    db: DbOption = None,
    webhook: Annotated[str | None, typer.Option(
        "--webhook", envvar="FLASHPOINT_WEBHOOK",
        help="POST each new alert as JSON to this URL.", show_default=False)] = None,
    since: SinceOpt = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Webhook timeout, seconds.")] = 10.0,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="Let the webhook be on this machine or a private network "
                                "(refused by default, like every fetch).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print new alerts as JSON.")] = False,
) -> None:
    """Evaluate alert rules; store and announce alerts not seen before.

    Re-running over the same data stores and posts nothing new. Webhook failures are
    recorded and retried on the next run.

    [bold]Examples[/]

        flashpoint alerts run rules.yaml
        flashpoint alerts run rules.yaml --since 7d --webhook https://hooks.example.org/x
        flashpoint alerts run rules.yaml --webhook http://10.0.0.5/hook --allow-private
    """
    try:
        loaded = alerts.load_rules(rules)
    except FlashpointError as exc:
        raise _fail(str(exc), 2) from None
    with _session(db) as store:
        run = alert_store.run_alerts(store, loaded, webhook=webhook, since=since,
                                     timeout=timeout, allow_private=allow_private)
    if as_json:
        sys.stdout.write(json.dumps([a.to_dict() for a in run.new], indent=2) + "\n")
    else:
        for alert in run.new:
            out.print(f"[bold]{alert.rule}[/] {alert.message}", highlight=False)
        out.print(f"{run.found} finding(s), {len(run.new)} new alert(s)"
                  + (f", {run.delivered} delivered" if webhook else ""), highlight=False)
    for failure in run.failed:
        err.print(f"[yellow]webhook failed for alert {failure}[/]", highlight=False)
    if run.failed:
        raise typer.Exit(1)


@alerts_app.command("list")
def alerts_list_cmd(
    db: DbOption = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule.", show_default=False)] = None,
    since: SinceOpt = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List stored alerts, newest first."""
    try:
        first = parse_day(since, name="--since")
    except FlashpointError as exc:
        raise _fail(str(exc), 2) from None
    with _session(db) as store:
        rows = alert_store.list_alerts(store, rule=rule, since=first, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in rows], indent=2) + "\n")
        return
    table = Table(title=f"{len(rows)} alert(s)", title_justify="left")
    for column in ("day", "rule", "kind", "message", "delivered"):
        table.add_column(column, overflow="fold")
    for r in rows:
        delivered = (r.delivered_at.isoformat(timespec="seconds") if r.delivered_at
                     else (r.delivery_error or "-"))
        table.add_row(r.day.isoformat(), r.rule, r.kind, r.message, delivered)
    out.print(table)


def report_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="html or md.")] = "html",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default: stdout). For md, charts are PNG "
        "files beside it.", show_default=False)] = None,
    db: DbOption = None,
    actor: ActorOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    baseline: Annotated[int, typer.Option(
        min=1, help="Days before the period that form the baseline.")] = 28,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Day that relative --since counts back from (default: today).",
        show_default=False)] = None,
    include_negated: NegatedOpt = False,
    include_hypothetical: HypoOpt = False,
    coder_version: CoderOpt = None,
) -> None:
    """Write a situation report: charts, notable events with their evidence, leaders'
    statements, and what changed against the baseline.

    Without filters it covers the whole store.

    [bold]Examples[/]

        flashpoint report --format html -o report.html
        flashpoint report --actor BLR --since 7d --format md -o blr.md
    """
    from flashpoint.analyze import report  # matplotlib loads only for this command

    if fmt not in ("html", "md"):
        raise _fail(f"--format must be html or md, not {fmt!r}", 2)
    try:
        today = parse_day(as_of, name="--as-of") if as_of else None
        flt = EventFilter(
            actor=tuple(actor or ()), since=parse_day(since, today=today, name="--since"),
            until=parse_day(until, name="--until"), include_negated=include_negated,
            include_hypothetical=include_hypothetical, coder_version=coder_version,
        )
    except FlashpointError as exc:
        raise _fail(str(exc), 2) from None
    with _session(db) as store:
        data = report.build_report(store, flt, baseline_days=baseline,
                                   generated=dt.datetime.now(dt.UTC))
        kind: report.ReportFormat = fmt  # type: ignore[assignment]
        if output is None:
            sys.stdout.write(report.render_report(data, kind))
            return
        written = report.write_report(data, kind, output)
    err.print(f"wrote {written}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the main CLI."""
    app.command("export")(export_cmd)
    app.command("series")(series_cmd)
    app.add_typer(alerts_app, name="alerts")
    app.command("report")(report_cmd)
