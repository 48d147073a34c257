"""PLOVER quad classes for display, from the events engineer's ontology tables."""

from __future__ import annotations

from flashpoint.extract.ontology import ontology

QUADS = ("verbal cooperation", "material cooperation", "verbal conflict", "material conflict")


def quad_label(event_type: str) -> str | None:
    """'verbal conflict' for THREATEN; None for a type outside PLOVER."""
    if event_type not in ontology().types:
        return None
    return ontology().quad_class(event_type).label


def quad_slug(label: str | None) -> str:
    """CSS-friendly name: 'verbal-conflict', or 'unknown'."""
    return label.replace(" ", "-") if label else "unknown"
