"""`flashpoint serve`: run the API and dashboard with uvicorn.

Registered on the main Typer app by `flashpoint.cli` (one line there); kept here so the
web server's options live beside the server.
"""

from __future__ import annotations

from typing import Annotated

import typer

from flashpoint.errors import FlashpointError
from flashpoint.serve.settings import SETTINGS, TOKEN_ENV, ServerSettings, load_token

_DEFAULTS = {s.name: s.default for s in SETTINGS}
_HELP = {s.name: s.help for s in SETTINGS}


def serve_cmd(
    host: Annotated[str, typer.Option(help=_HELP["host"])] = str(_DEFAULTS["host"]),
    port: Annotated[int, typer.Option(min=1, max=65535, help=_HELP["port"])] = 8000,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="FLASHPOINT_DB", show_default=False,
        help="Database URL or SQLite file path (default: ./flashpoint.db).")] = None,
    token_file: Annotated[str | None, typer.Option(
        help=f"File holding the API token that allows writes (else ${TOKEN_ENV}; "
             "without either the server is read-only).")] = None,
    max_body_mb: Annotated[float, typer.Option(
        min=0.001, help="Largest request body accepted, in MB.")] = 2.0,
    cors_origin: Annotated[list[str] | None, typer.Option(
        help="An origin allowed to call the API from a browser (repeatable; '*' refused).")
    ] = None,
    cache_mb: Annotated[float, typer.Option(
        min=0, help=_HELP["cache_mb"])] = float(_DEFAULTS["cache_mb"]),  # type: ignore[arg-type]
    compute_slots: Annotated[int, typer.Option(
        min=0, help=_HELP["compute_slots"])] = int(_DEFAULTS["compute_slots"]),  # type: ignore[call-overload]
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes sharing the port (one per CPU core for many "
                            "concurrent users).")] = 1,
) -> None:
    """Serve the REST API and the dashboard (http://HOST:PORT/, API docs at /docs).

    Read-only unless an API token is configured; then POST /api/documents needs
    `Authorization: Bearer TOKEN`.

    [bold]Examples[/]

        flashpoint serve
        flashpoint serve --db postgresql://host/news --port 8080
        FLASHPOINT_API_TOKEN=... flashpoint serve --host 0.0.0.0
        flashpoint serve --workers 2
    """
    import dataclasses
    import os
    import tempfile

    import uvicorn

    from flashpoint.serve.app import WORKER_ENV, create_app, worker_environment

    try:
        settings = ServerSettings(token=load_token(token_file),
                                  max_body_bytes=int(max_body_mb * 1_000_000),
                                  cors_origins=tuple(cors_origin or ()),
                                  cache_bytes=int(cache_mb * 1_000_000),
                                  compute_slots=compute_slots)
        app = create_app(db, settings)
    except FlashpointError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from None
    mode = "read-write (token required)" if settings.writable else "read-only"
    processes = f", {workers} worker processes" if workers > 1 else ""
    typer.echo(f"flashpoint dashboard on http://{host}:{port}/ ({mode}{processes}); "
               "API docs at /docs", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # The app built above checked the options and brought the database schema up to date;
    # the workers open the same store themselves (uvicorn imports the app by name in each).
    app.state.store.close()
    with tempfile.TemporaryDirectory(prefix="flashpoint-answers-") as shared:
        if settings.cache_bytes:  # one cache of answers for all the workers (mode 700)
            settings = dataclasses.replace(settings, shared_answers_dir=shared)
        os.environ[WORKER_ENV] = worker_environment(db, token_file, settings)
        uvicorn.run("flashpoint.serve.app:app_for_worker", factory=True, workers=workers,
                    host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add `serve` to the main CLI (called from flashpoint/cli.py)."""
    app.command("serve")(serve_cmd)
