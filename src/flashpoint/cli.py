"""Command-line interface (placeholder until the CLI lands)."""

from __future__ import annotations


def main() -> None:
    raise SystemExit("not yet")
