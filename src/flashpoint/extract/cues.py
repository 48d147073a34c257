"""The cue lexicon: words that attribute speech, belief or intention to someone.

Each entry says what kind of statement a cue makes (speech, belief, intention), the PLOVER
type the statement performs when the cue alone decides it ("accused" -> ACCUSE, "urged" ->
REQUEST, "vowed" -> AGREE unless the content is hostile, see `statements.py`) and the frames
it takes: a clause ("said (that) ..."), a to-infinitive ("vowed to ..."), an object
("criticized the plan") or a direct quote ("said: '...'"). The data lives in
`data/lexicons/cues.tsv`, written by the team.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

Kind = Literal["speech", "belief", "intention"]
Frame = Literal["c", "t", "o", "q", "n"]


@dataclass(frozen=True)
class Cue:
    lemma: str
    kind: Kind
    function: str | None
    frames: frozenset[str]


@dataclass(frozen=True)
class CueLexicon:
    """Lookup by lemma and frame; a lemma may have entries for different frames."""

    entries: dict[str, tuple[Cue, ...]]

    def __len__(self) -> int:
        return sum(len(v) for v in self.entries.values())

    def __contains__(self, lemma: object) -> bool:
        return lemma in self.entries

    def get(self, lemma: str, frame: str) -> Cue | None:
        """The entry of `lemma` that takes `frame`, or None."""
        for cue in self.entries.get(lemma, ()):
            if frame in cue.frames:
                return cue
        return None


@lru_cache(maxsize=1)
def load_cues() -> CueLexicon:
    raw = (resources.files("flashpoint") / "data" / "lexicons" / "cues.tsv").read_text("utf-8")
    entries: dict[str, list[Cue]] = {}
    header_seen = False
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        lemma, kind, function, frames = line.split("\t")
        if kind not in ("speech", "belief", "intention"):
            raise ValueError(f"cues.tsv: bad kind {kind!r} for {lemma!r}")
        cue = Cue(lemma, kind, None if function == "-" else function,  # type: ignore[arg-type]
                  frozenset(frames))
        entries.setdefault(lemma, []).append(cue)
    return CueLexicon({k: tuple(v) for k, v in entries.items()})
