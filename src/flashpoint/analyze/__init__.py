"""Analysis of stored events: PLOVER records, exports, daily series, alerts, reports.

Modules, each with one job:

- `filters`: `EventFilter`, the one description of "which events" every analysis uses;
- `records`: a stored event as a PLOVER record (JSONL) or a flat row (CSV, Parquet);
- `export`: streaming CSV / JSONL / Parquet writers;
- `scores`: PLOVER quad classes and conflict–cooperation scores;
- `series`: daily counts, intensity and quad classes per actor, dyad or event type;
- `alerts`: YAML rules, thresholds and anomalies against a trailing baseline, webhooks;
- `report`: situation reports in HTML or Markdown, with charts.

This package reads the store and never writes codings: it sits right of `store` in the
pipeline (DESIGN.md), and `serve` builds on it.
"""

from __future__ import annotations

from flashpoint.analyze.filters import EventFilter, parse_day

__all__ = ["EventFilter", "parse_day"]
