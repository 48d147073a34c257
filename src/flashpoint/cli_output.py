"""What every CLI module prints the same way: a failure, in red on its error console."""

from __future__ import annotations

import typer
from rich.console import Console


def fail(err: Console, message: str, code: int = 1) -> typer.Exit:
    """Print `Error: message` on `err`; the Exit to raise (`raise _fail(...) from None`)."""
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)
