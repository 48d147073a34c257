"""`flashpoint train events` / `quotes`: train the event typer or the statement model.

Thin like the rest of the CLI: `flashpoint.extract.train.train_events` does the work.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from flashpoint.cli_output import fail
from flashpoint.errors import FlashpointError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

_fail = functools.partial(fail, err)  # raise _fail("...") from None

train_app = typer.Typer(help="Train flashpoint's learned models.", no_args_is_help=True)


@train_app.command("events")
def train_events_command(
    data: Annotated[Path, typer.Option(
        "--data", help="A data/events folder (plover_sentences_train.csv, cameo_quad_train.tsv, "
        "plover/PLOVER_GSR_CAMEO.txt).")] = Path("../shared/data/events"),
    output: Annotated[Path | None, typer.Option(
        "--output", help="Model file to write (default: the shipped model, "
        "flashpoint/data/models/event_typer.npz); its model card goes to README.md beside it.",
        show_default=False)] = None,
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 5,
    cv: Annotated[bool, typer.Option("--cv/--no-cv", help="Cross-validate before training.")]
    = True,
) -> None:
    """Train the event typer on every labelled source in --data and write the model.

    Prints k-fold cross-validated micro/macro-F1 and per-type F1 on the PLV sentences and
    the quad-class accuracy on the CAMEO quad sentences (seeded: reruns give the same
    figures and the same model).

        flashpoint train events --data ../shared/data/events
        flashpoint train events --output /tmp/typer.npz --folds 3
    """
    from flashpoint.extract.train import train_events
    from flashpoint.extract.typer import default_model_path

    target = output if output is not None else default_model_path()
    try:
        report = train_events(data, target, n_splits=folds, cv=cv)
    except FlashpointError as exc:
        raise _fail(str(exc)) from None
    if report.cv is not None:
        table = Table(title=f"{folds}-fold cross-validation (PLV sentences, classifier alone)")
        table.add_column("label")
        table.add_column("F1", justify="right")
        for label, f1 in sorted(report.cv.per_type.items()):
            table.add_row(label, f"{f1:.3f}")
        out.print(table)
        out.print(f"micro-F1 {report.cv.micro_f1:.3f}  macro-F1 {report.cv.macro_f1:.3f}")
        if report.quad_accuracy is not None:
            out.print(f"quad-class accuracy {report.quad_accuracy:.3f}")
    examples = report.typer.meta["examples"]
    out.print(f"model written to {report.output} ({report.output.stat().st_size / 1e6:.1f} MB;"
              f" {examples['main']} typed examples, {examples['pseudo_labelled']} pseudo-labelled)")


@train_app.command("quotes")
def train_quotes_command(
    data: Annotated[Path, typer.Option(
        "--data", help="Training articles in flashpoint's quote JSONL (text + gold "
        "attributions).")] = Path("../shared/data/quotes/polnear_train.jsonl"),
    output: Annotated[Path | None, typer.Option(
        "--output", help="Model file to write (default: the shipped model, "
        "flashpoint/data/models/statement_model.json); its model card goes beside it "
        "(.md).", show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", help="First N articles only (a quick look, not the shipped model).",
        show_default=False)] = None,
) -> None:
    """Train the statement model (which cue clauses are attributions) and write it.

    Parses the articles, labels the rule finders' and the open lexicon's candidates
    against the gold attributions, fits a logistic regression and chooses its
    thresholds out of fold; prints the out-of-fold F1 over all attributions. Train on
    PolNeAR's train split only: dev is for decisions (bench/quotes.py).

        flashpoint train quotes --data ../shared/data/quotes/polnear_train.jsonl
        flashpoint train quotes --limit 100 --output /tmp/statement_model.json
    """
    from flashpoint.extract.statement_model import default_model_path
    from flashpoint.extract.train_statements import train_quotes

    target = output if output is not None else default_model_path()
    try:
        report = train_quotes(data, target, limit=limit)
    except FlashpointError as exc:
        raise _fail(str(exc)) from None
    cv = report.model.meta["cv"]
    exact, partial = cv.get("replay_exact_f1", cv["exact_f1"]), cv.get(
        "replay_partial_f1", cv["partial_f1"])
    enclosing = report.model.keep_enclosing
    out.print(f"out of fold on {report.articles} articles: exact F1 {cv['rules_exact_f1']:.3f}"
              f" -> {exact:.3f}, partial F1 {cv['rules_partial_f1']:.3f} -> "
              f"{partial:.3f} (drop below {report.model.drop_below:.2f}, keep from "
              f"{report.model.keep_from:.2f}, enclosing from "
              f"{'never' if enclosing is None else f'{enclosing:.2f}'})")
    out.print(f"model written to {report.output} ({report.examples} candidates)")


def register(app: typer.Typer) -> None:
    """Add the `train` command group to the main app."""
    app.add_typer(train_app, name="train")
