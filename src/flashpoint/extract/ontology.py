"""The PLOVER ontology as data: event types, modes, contexts, quad classes, scores, CAMEO map.

Every coder, analysis and API needs the same answers to "is this a PLOVER type?", "which
modes may it take?", "verbal or material, cooperation or conflict?" and "how intense is
it?". They are kept as TSV tables in `flashpoint/data/plover/` (see the README there for
their source and licence) rather than as Python literals, so analysts can read and diff
them, and loaded once per process by `ontology()`.

    >>> from flashpoint.extract.ontology import ontology
    >>> plover = ontology()
    >>> plover.quad_class("THREATEN").label
    'verbal conflict'
    >>> plover.intensity("ASSAULT", "drone")
    -9.5
    >>> plover.cameo_to_plover("0872").type, plover.cameo_to_plover("0872").mode
    ('RETREAT', 'withdraw')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property, lru_cache
from importlib import resources

__all__ = [
    "CameoMapping",
    "EventType",
    "Mode",
    "Ontology",
    "QuadClass",
    "ontology",
]


class QuadClass(IntEnum):
    """PLOVER's quad code: verbal/material x cooperation/conflict (codebook numbering)."""

    VERBAL_COOPERATION = 1
    MATERIAL_COOPERATION = 2
    VERBAL_CONFLICT = 3
    MATERIAL_CONFLICT = 4

    @property
    def verbal(self) -> bool:
        return self in (QuadClass.VERBAL_COOPERATION, QuadClass.VERBAL_CONFLICT)

    @property
    def cooperation(self) -> bool:
        return self in (QuadClass.VERBAL_COOPERATION, QuadClass.MATERIAL_COOPERATION)

    @property
    def label(self) -> str:
        """Human-readable name, e.g. 'verbal conflict'."""
        return self.name.lower().replace("_", " ")


@dataclass(frozen=True)
class Mode:
    """A PLOVER mode (subtype) of one event type; `score` is None where the codebook has none."""

    type: str
    name: str
    score: float | None
    description: str


@dataclass(frozen=True)
class EventType:
    """One of the 16 PLOVER event types."""

    name: str
    quad: QuadClass
    recipient_required: bool
    score: float
    definition: str
    modes: tuple[Mode, ...]


@dataclass(frozen=True)
class CameoMapping:
    """One row of the CAMEO -> PLOVER table (modes normalised to the current codebook)."""

    cameo: str
    type: str
    mode: str | None
    contexts: tuple[str, ...]
    mode_as_published: str | None
    description: str


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("flashpoint") / "data" / "plover" / name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))


class Ontology:
    """The PLOVER tables, indexed for lookup. Build it with `ontology()` (cached)."""

    def __init__(self) -> None:
        modes: dict[str, list[Mode]] = {}
        for row in _rows("modes.tsv"):
            score = float(row["score"]) if row["score"] else None
            modes.setdefault(row["type"], []).append(
                Mode(row["type"], row["mode"], score, row["description"])
            )
        self._types: dict[str, EventType] = {}
        for row in _rows("types.tsv"):
            name = row["type"]
            self._types[name] = EventType(
                name=name,
                quad=QuadClass(int(row["quad"])),
                recipient_required=row["recipient_required"] == "yes",
                score=float(row["score"]),
                definition=row["definition"],
                modes=tuple(modes.get(name, ())),
            )
        unknown = set(modes) - set(self._types)
        if unknown:  # a typo in the tables must not pass silently
            raise ValueError(f"modes.tsv names unknown event types {sorted(unknown)}")
        self.contexts: dict[str, str] = {
            row["context"]: row["description"] for row in _rows("contexts.tsv")
        }
        self._old: dict[str, tuple[str, str | None]] = {
            row["old_name"]: (row["type"], row["mode"] or None) for row in _rows("old_names.tsv")
        }
        self._cameo: dict[str, CameoMapping] = {}
        for row in _rows("cameo.tsv"):
            self._cameo[row["cameo"]] = CameoMapping(
                cameo=row["cameo"],
                type=row["type"],
                mode=row["mode"] or None,
                contexts=tuple(c for c in row["contexts"].split("|") if c),
                mode_as_published=row["mode_as_published"] or None,
                description=row["description"],
            )

    @cached_property
    def types(self) -> tuple[str, ...]:
        """The 16 type names, in codebook order (cooperation first, ASSAULT last)."""
        return tuple(self._types)

    def event_type(self, name: str) -> EventType:
        """The full record of a type; old names (FIGHT, DEMAND, ...) are accepted."""
        type_, _ = self.normalize(name)
        return self._types[type_]

    def modes(self, type_: str) -> tuple[str, ...]:
        """Mode names allowed for `type_` (empty for types without modes)."""
        return tuple(m.name for m in self.event_type(type_).modes)

    def quad_class(self, type_: str) -> QuadClass:
        """Quad class of a type. SANCTION is verbal conflict, as in the codebook's quad table."""
        return self.event_type(type_).quad

    def intensity(self, type_: str, mode: str | None = None) -> float:
        """PLOVER score (-10 conflict .. +10 cooperation) of a type, or of type:mode when
        the codebook scores that mode; an unscored or unknown mode falls back to the type."""
        event_type = self.event_type(type_)
        for m in event_type.modes:
            if m.name == mode and m.score is not None:
                return m.score
        return event_type.score

    def normalize(self, name: str) -> tuple[str, str | None]:
        """(current type, implied mode) for a current or older type name.

        DEMAND -> REQUEST, DISAPPROVE -> ACCUSE, INVESTIGATE -> ACCUSE + `investigate`,
        FIGHT -> ASSAULT, and CAMEO's YIELD -> CONCEDE. Raises KeyError for anything else.
        """
        key = name.strip().upper()
        if key in self._types:
            return key, None
        if key in self._old:
            return self._old[key]
        raise KeyError(f"{name!r} is not a PLOVER event type (known: {', '.join(self.types)})")

    def cameo_to_plover(self, code: str) -> CameoMapping | None:
        """The PLOVER coding of a CAMEO code; None for codes PLOVER drops (01, 02).

        Looks the code up as given, then its 3-digit parent, then its 2-digit section's
        base code (e.g. "0450" -> "045", "04" -> "040"), following the codebook's advice
        to fall back on the cue category.
        """
        code = code.strip()
        if not code.isdigit() or len(code) < 2:
            raise ValueError(f"{code!r} is not a CAMEO code (2 to 4 digits)")
        for candidate in (code, code[:3], code[:2] + "0"):
            if candidate in self._cameo:
                return self._cameo[candidate]
        return None

    @property
    def cameo_codes(self) -> tuple[str, ...]:
        return tuple(self._cameo)


@lru_cache(maxsize=1)
def ontology() -> Ontology:
    """The PLOVER ontology, loaded once per process."""
    return Ontology()
