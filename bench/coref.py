#!/usr/bin/env python3
"""Coreference benchmark: who flashpoint says each "he", "her" and "the president" is.

    .venv/bin/python bench/coref.py                 # table, errors, unresolved
    .venv/bin/python bench/coref.py --json out.json # the same, machine-readable

Gold: ``tests/data/coref.json``, short wire-style articles written by the team, in which
every pronoun (he, him, his, she, her), definite descriptor ("the veteran strongman",
"the chancellor") and repeated name that refers to a person is annotated with the
canonical name of that person (as flashpoint's leaders gazetteer spells it).

A reference is **right** when a person mention overlapping it carries an actor whose
``name`` equals the gold name; **unresolved** when no person mention overlapping it
carries an actor at all; otherwise it is **wrong** (the actor names someone else, or a
country). Accuracy is right / all references, so unresolved references count against
it: leaving a pronoun alone is safer than a wrong guess, but it is not a right answer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "data" / "coref.json"


@dataclass(frozen=True)
class Outcome:
    article: str
    text: str
    context: str
    kind: str
    refers_to: str
    got: str | None  # the actor name flashpoint gave, None when unresolved
    start: int

    @property
    def status(self) -> str:
        if self.got == self.refers_to:
            return "right"
        return "unresolved" if self.got is None else "wrong"


def locate(text: str, needle: str, context: str) -> int:
    """Offset of `needle` inside the one occurrence of `context` in `text`."""
    if text.count(context) != 1:
        raise ValueError(f"context {context!r} must occur exactly once")
    base = text.index(context)
    return base + context.index(needle)


def resolved_name(doc: Any, start: int, end: int) -> str | None:
    """The actor name of the person mention overlapping [start, end) most, or None."""
    def overlap(m: Any) -> int:
        return int(min(end, m.span.end) - max(start, m.span.start))

    people = [m for m in doc.mentions
              if m.kind == "person" and m.actor is not None and overlap(m) > 0]
    best = max(people, key=overlap, default=None)
    return None if best is None else str(best.actor.name)


def score(gold: dict[str, Any]) -> list[Outcome]:
    import flashpoint

    outcomes: list[Outcome] = []
    for article in gold["articles"]:
        doc = flashpoint.extract(article["text"], published=article["published"])
        for ref in article["refs"]:
            start = locate(article["text"], ref["text"], ref["context"])
            got = resolved_name(doc, start, start + len(ref["text"]))
            outcomes.append(Outcome(article["id"], ref["text"], ref["context"],
                                    ref.get("kind", "?"), ref["refers_to"], got, start))
    return outcomes


def report(outcomes: list[Outcome], seconds: float) -> dict[str, Any]:
    total = len(outcomes)
    counts = Counter(o.status for o in outcomes)
    by_kind: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = by_kind.setdefault(o.kind, {"total": 0, "right": 0, "wrong": 0, "unresolved": 0})
        row["total"] += 1
        row[o.status] += 1
    return {
        "references": total,
        "articles": len({o.article for o in outcomes}),
        "right": counts["right"],
        "wrong": counts["wrong"],
        "unresolved": counts["unresolved"],
        "accuracy": round(counts["right"] / total, 4) if total else 0.0,
        "by_kind": by_kind,
        "seconds": round(seconds, 2),
        "errors": [asdict(o) | {"status": o.status} for o in outcomes if o.status != "right"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    import flashpoint

    flashpoint.extract("Warm-up.", published="2023-02-16")  # load spaCy before the clock
    began = time.perf_counter()
    outcomes = score(gold)
    result = report(outcomes, time.perf_counter() - began)

    out = sys.stdout
    out.write(f"coreference on {result['articles']} articles, "
              f"{result['references']} annotated references ({args.gold.name})\n")
    out.write(f"accuracy   {result['accuracy']:.1%}  ({result['right']}/{result['references']})\n")
    out.write(f"wrong      {result['wrong']}\nunresolved {result['unresolved']}\n\n")
    out.write(f"{'kind':<12}{'total':>6}{'right':>7}{'wrong':>7}{'unres.':>8}\n")
    for kind, row in sorted(result["by_kind"].items()):
        out.write(f"{kind:<12}{row['total']:>6}{row['right']:>7}{row['wrong']:>7}"
                  f"{row['unresolved']:>8}\n")
    if result["errors"]:
        out.write("\nerrors (article: reference in context -> flashpoint / gold)\n")
        for e in result["errors"]:
            got = e["got"] if e["got"] is not None else "(unresolved)"
            out.write(f"  {e['article']}: {e['text']!r} in {e['context']!r} -> "
                      f"{got} / {e['refers_to']}\n")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
