#!/usr/bin/env python3
"""Quote and attribution benchmark on PolNeAR, scored by ../shared/eval/quote_score.py.

    .venv/bin/python bench/quotes.py                  # dev split (decisions are made on dev)
    .venv/bin/python bench/quotes.py --split train    # train split (for learning, not tuning)
    .venv/bin/python bench/quotes.py --limit 20 --pred out.jsonl --errors 30

For each article, flashpoint's NLP and statement stages run on the article text (the
publication date from the metadata) and every statement becomes one predicted attribution:
content (for a direct quote, its quoted words: both halves of an interrupted quote as two
fragments), source = the speaker span, direct = the statement's flag. textacy's
`direct_quotations`, run paragraph by paragraph with the same spaCy model, is scored in the
same run for comparison. Prints the scorer's tables (content P/R/F1, exact and partial, for
direct quotes and for all attributions, plus speaker accuracy) and articles/s.

Needs ../shared (skips with a message when absent); nothing from it is copied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
QUOTES = SHARED / "data" / "quotes"
SCORER = SHARED / "eval" / "quote_score.py"


def load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quote_score", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _span(start: int, end: int, parts: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    return {"start": start, "end": end, "spans": [list(p) for p in (parts or [(start, end)])]}


def flashpoint_predictions(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    """Predicted attributions per article id, and the seconds the coding took."""
    from flashpoint.extract.statements import StatementStage, content_parts
    from flashpoint.nlp.stage import NlpStage
    from flashpoint.pipeline import Draft, make_article

    nlp = NlpStage()
    stage = StatementStage()
    started = time.perf_counter()
    drafts = []
    for row in rows:
        published = row.get("meta", {}).get("publication_date")
        article = make_article(row["text"], published=dt.date.fromisoformat(published)
                               if published else None)
        drafts.append(Draft(article=article))
    preds: dict[str, Any] = {}
    for i in range(0, len(drafts), 16):
        batch = stage(nlp(drafts[i:i + 16]))
        for row, draft in zip(rows[i:i + 16], batch, strict=True):
            text = row["text"]
            attributions = []
            for st in draft.statements:
                parts = content_parts(st, text)
                attributions.append({
                    "content": _span(parts[0][0], parts[-1][1], parts),
                    "source": _span(st.speaker.start, st.speaker.end) if st.speaker else None,
                    "direct": st.direct,
                    "kind": st.kind,
                    "cue": st.cue.text if st.cue else None,
                })
            preds[row["id"]] = {"id": row["id"], "attributions": attributions}
    return preds, time.perf_counter() - started


def textacy_predictions(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], float]:
    """textacy's direct_quotations, paragraph by paragraph (it fails on whole articles
    with an odd number of quote marks), with the same spaCy model."""
    import warnings

    from textacy.extract.triples import direct_quotations

    from flashpoint.nlp.pipeline import load_nlp

    nlp = load_nlp()
    started = time.perf_counter()
    preds: dict[str, Any] = {}
    for row in rows:
        text = row["text"]
        attributions = []
        offset = 0
        for para in text.split("\n"):
            if para.strip():
                doc = nlp(para)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        found = list(direct_quotations(doc))
                except (ValueError, IndexError, KeyError):
                    found = []
                for quote in found:
                    content = quote.content
                    speaker = quote.speaker
                    start = offset + content.start_char
                    end = offset + content.end_char
                    src = (_span(offset + speaker[0].idx, offset + speaker[-1].idx
                                 + len(speaker[-1].text)) if speaker else None)
                    attributions.append({"content": _span(start, end), "source": src,
                                         "direct": True})
            offset += len(para) + 1
        preds[row["id"]] = {"id": row["id"], "attributions": attributions}
    return preds, time.perf_counter() - started


def errors(rows: list[dict[str, Any]], preds: dict[str, Any], n: int) -> None:
    """Print missed gold direct quotes and unmatched predictions (first n each)."""
    scorer = load_scorer()
    missed, spurious = [], []
    for row in rows:
        text = row["text"]
        tix = scorer.TokenIndex(text)
        golds = row["attributions"]
        got = preds[row["id"]]["attributions"]
        pairs = scorer.match(text, tix, golds, got, "exact")
        mg = {g for g, _ in pairs}
        mp = {p for _, p in pairs}
        for i, g in enumerate(golds):
            if i not in mg:
                missed.append((g["quote_type"], scorer.norm_text(text, scorer.frags_of(
                    g["content"]))[:140], (g.get("source") or {}).get("text")))
        for i, p in enumerate(got):
            if i not in mp:
                spurious.append((p["direct"], scorer.norm_text(text, scorer.frags_of(
                    p["content"]))[:140]))
    print(f"\nmissed gold ({len(missed)}), first {n}:")
    for item in missed[:n]:
        print("  ", item)
    print(f"\nunmatched predictions ({len(spurious)}), first {n}:")
    for item in spurious[:n]:
        print("  ", item)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["dev", "train"], default="dev")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--pred", type=Path, help="write flashpoint's predictions here")
    parser.add_argument("--no-textacy", action="store_true", help="skip the comparison")
    parser.add_argument("--errors", type=int, default=0, help="print N errors of each kind")
    args = parser.parse_args(argv)
    path = QUOTES / f"polnear_{args.split}.jsonl"
    if not path.exists():
        print(f"skipped: {path} not found (../shared is absent)")
        return 0
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    scorer = load_scorer()
    systems = [("flashpoint", flashpoint_predictions)]
    if not args.no_textacy:
        systems.append(("textacy direct_quotations", textacy_predictions))
    for name, run in systems:
        preds, seconds = run(rows)
        result = scorer.score(rows, preds)
        print(scorer.markdown(result, f"{name} on PolNeAR {args.split} ({len(rows)} articles)"))
        print(f"\n{name}: {len(rows) / seconds:.1f} articles/s ({seconds:.1f} s)\n")
        if name == "flashpoint":
            if args.pred:
                with args.pred.open("w", encoding="utf-8") as out:
                    for pred in preds.values():
                        out.write(json.dumps(pred) + "\n")
            if args.errors:
                errors(rows, preds, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
