#!/usr/bin/env python3
"""Near-duplicate stories benchmark: how well MinHash LSH groups edited copies.

    .venv/bin/python bench/dedup.py                          # shared/ beside the repository
    .venv/bin/python bench/dedup.py --copies 600 --seed 7 --json out.json

Corpus: the BBC news texts in ``shared/data/news/bbc`` (2,225 articles; the title is the
first line). Some of them are picked at random and given 1-3 edited copies each, the way
syndication and re-publication edit a report: a new headline line on top, boilerplate
appended ("Reporting by ...", newsletter and copyright lines), one or two paragraphs
dropped, paragraphs reordered, typos (a letter swapped or dropped in 2% of words), or
truncation to the first 40-70% of paragraphs. Each copy gets 1-3 of these edits.

Gold: an original, its copies, and byte-identical texts (the BBC corpus holds 98 exact
repeats) form one group, and so do BBC articles with the same headline whose exact
word-trigram Jaccard is at least 0.5 (re-published versions with a sentence changed).
Every other pair is a negative, including the many BBC articles on the same event (a
match, a budget), so precision counts real confusions.

All articles are shuffled (a copy may come before its original, as in a live feed),
stored in a fresh SQLite file, and assigned with `flashpoint.store.stories.Stories`
exactly as `flashpoint ingest` does, 50 per batch (sign, find similar stored articles,
join or merge their stories, else found one). Reported per setting: pair precision /
recall / F1 (pairs of articles put in the same story), cluster precision (predicted
multi-article stories that hold only one gold group) and recall (gold groups kept whole
in one story), and articles per second of assignment (signatures, LSH, story rows and
merges written; the article inserts are not timed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "src"))

import sqlalchemy as sa  # noqa: E402

from flashpoint.dedup import Scheme  # noqa: E402
from flashpoint.ingest import normalize_body  # noqa: E402
from flashpoint.store import schema as tables  # noqa: E402

BOILERPLATE = [
    "Reporting by Staff Correspondents; Editing by the World Desk.",
    "Sign up for our free morning newsletter and get the day's top stories in your inbox.",
    "Copyright 2005 Example News Agency. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed.",
    "Follow us on Twitter and Facebook for the latest updates.",
    "Additional reporting by agencies.",
]
EDITS = ("headline", "boilerplate", "drop", "reorder", "typos", "truncate")


@dataclass(frozen=True)
class Doc:
    key: str
    title: str
    text: str
    group: str


def load_bbc(shared: Path) -> list[tuple[str, str, str]]:
    root = shared / "data" / "news" / "bbc"
    docs = []
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        title, _, body = raw.strip().partition("\n")
        docs.append((f"{path.parent.name}/{path.name}", title.strip(), normalize_body(body)))
    return docs


def edit(text: str, title: str, rng: random.Random) -> tuple[str, list[str]]:
    """An edited copy of `text`, and the names of the edits applied."""
    chosen = rng.sample(EDITS, rng.randint(1, 3))
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    for name in chosen:
        if name == "drop" and len(paragraphs) >= 4:
            for _ in range(rng.randint(1, 2)):
                paragraphs.pop(rng.randrange(1, len(paragraphs)))
        elif name == "reorder" and len(paragraphs) >= 3:
            i = rng.randrange(len(paragraphs) - 1)
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
            paragraphs.insert(1, paragraphs.pop())
        elif name == "truncate" and len(paragraphs) >= 3:
            keep = max(2, round(len(paragraphs) * rng.uniform(0.4, 0.7)))
            paragraphs = paragraphs[:keep]
        elif name == "typos":
            paragraphs = [_typos(p, rng) for p in paragraphs]
    for name in chosen:
        if name == "headline":
            words = title.split()
            rng.shuffle(words)
            paragraphs.insert(0, "UPDATE: " + " ".join(words))
        elif name == "boilerplate":
            paragraphs.extend(rng.sample(BOILERPLATE, rng.randint(1, 2)))
    return "\n\n".join(paragraphs), chosen


def _exact_shingles(text: str) -> list[str]:
    words = text.casefold().split()
    return [" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))]


def _typos(paragraph: str, rng: random.Random) -> str:
    words = paragraph.split(" ")
    for i, word in enumerate(words):
        if len(word) > 3 and rng.random() < 0.02:
            j = rng.randrange(len(word) - 1)
            words[i] = (word[:j] + word[j + 1] + word[j] + word[j + 2:] if rng.random() < 0.5
                        else word[:j] + word[j + 1:])
    return " ".join(words)


def build_corpus(shared: Path, copies: int, seed: int) -> tuple[list[Doc], dict[str, int]]:
    rng = random.Random(seed)
    originals = load_bbc(shared)
    by_text: dict[str, str] = {}
    by_title: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    docs: list[Doc] = []
    for key, title, text in originals:
        group = by_text.setdefault(text, key)  # byte-identical repeats share a group
        # The corpus also holds re-published versions (same headline, a sentence or two
        # changed): those are one story too. Exact shingle Jaccard, not MinHash.
        words = set(_exact_shingles(text))
        for other_group, other_words in by_title[title]:
            if len(words & other_words) / max(1, len(words | other_words)) >= 0.5:
                group = by_text[text] = other_group
                break
        by_title[title].append((group, words))
        docs.append(Doc(key, title, text, group))
    edit_counts: dict[str, int] = defaultdict(int)
    made = 0
    for key, title, text in rng.sample(originals, len(originals)):
        if made >= copies:
            break
        for n in range(rng.randint(1, 3)):
            if made >= copies:
                break
            copy, applied = edit(text, title, rng)
            for name in applied:
                edit_counts[name] += 1
            docs.append(Doc(f"{key}#copy{n}", title, copy, by_text[text]))
            made += 1
    rng.shuffle(docs)
    return docs, dict(edit_counts)


def assign(docs: list[Doc], scheme: Scheme) -> tuple[dict[str, int], float]:
    """Every article through `Stories.assign` on a fresh SQLite file, in batches of 50
    as `flashpoint ingest` does; returns each article's final story and the seconds
    spent assigning (signatures, LSH, story rows and merges; not the article inserts)."""
    from flashpoint.model import Article
    from flashpoint.store import Store
    from flashpoint.store.stories import Stories

    # Distinct ids; texts made distinct too, as the store keeps one copy of a text.
    articles = [Article(id=f"a{n}", title=d.title, text=d.text + f"\n\n({n})", source="bench")
                for n, d in enumerate(docs)]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        store.add_articles(articles)
        stories = Stories(store, scheme)
        started = time.perf_counter()
        for start in range(0, len(articles), 50):
            stories.assign(articles[start:start + 50])
        seconds = time.perf_counter() - started
        with store._db.read() as conn:
            rows = conn.execute(sa.select(tables.story_articles.c.article_id,
                                          tables.story_articles.c.story_id)).all()
    by_id = {row.article_id: int(row.story_id) for row in rows}
    return {d.key: by_id[f"a{n}"] for n, d in enumerate(docs)}, seconds


def pairs(groups: dict[str, Any]) -> set[tuple[str, str]]:
    members: dict[Any, list[str]] = defaultdict(list)
    for key, group in groups.items():
        members[group].append(key)
    return {tuple(sorted(p)) for keys in members.values()  # type: ignore[misc]
            for p in itertools.combinations(keys, 2)}


def score(docs: list[Doc], stories: dict[str, int]) -> dict[str, float]:
    gold = {d.key: d.group for d in docs}
    gold_pairs, predicted = pairs(gold), pairs(stories)
    hit = len(gold_pairs & predicted)
    precision = hit / len(predicted) if predicted else 1.0
    recall = hit / len(gold_pairs) if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    gold_sets = _sets(gold)
    story_sets = _sets(stories)
    multi_stories = [s for s in story_sets if len(s) > 1]
    pure = sum(len({gold[k] for k in s}) == 1 for s in multi_stories)
    multi_gold = [g for g in gold_sets if len(g) > 1]
    story_of = stories
    whole = sum(len({story_of[k] for k in g}) == 1 for g in multi_gold)
    return {
        "pair_precision": precision, "pair_recall": recall, "pair_f1": f1,
        "gold_pairs": len(gold_pairs), "predicted_pairs": len(predicted),
        "cluster_precision": pure / len(multi_stories) if multi_stories else 1.0,
        "cluster_recall": whole / len(multi_gold) if multi_gold else 1.0,
        "gold_groups": len(multi_gold), "predicted_groups": len(multi_stories),
    }


def _sets(groups: dict[str, Any]) -> list[set[str]]:
    members: dict[Any, set[str]] = defaultdict(set)
    for key, group in groups.items():
        members[group].add(key)
    return list(members.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--copies", type=int, default=600, help="edited copies to inject")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7,0.8")
    parser.add_argument("--shingles", default="3,5")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    if not (args.shared / "data" / "news" / "bbc").is_dir():
        print(f"no BBC corpus under {args.shared}/data/news/bbc: nothing to measure",
              file=sys.stderr)
        return 2
    docs, edits = build_corpus(args.shared, args.copies, args.seed)
    default = Scheme()
    print(f"{len(docs)} articles ({args.copies} edited copies, seed {args.seed}); "
          f"edits applied: {edits}")
    print(f"python {platform.python_version()} on {platform.machine()}; default scheme: "
          f"{default.name}, threshold {default.threshold}, lsh {default.lsh_threshold}\n")
    header = (f"{'shingle':>7} {'thresh':>6} {'pairP':>6} {'pairR':>6} {'pairF1':>6} "
              f"{'clusP':>6} {'clusR':>6} {'art/s':>7}")
    print(header)
    results: list[dict[str, Any]] = []
    for shingle in (int(s) for s in args.shingles.split(",")):
        for threshold in (float(t) for t in args.thresholds.split(",")):
            scheme = Scheme(shingle=shingle, threshold=threshold,
                            lsh_threshold=min(default.lsh_threshold, threshold),
                            containment=max(default.containment, threshold))
            stories, seconds = assign(docs, scheme)
            figures = score(docs, stories)
            figures.update(shingle=shingle, threshold=threshold,
                           articles_per_s=len(docs) / seconds)
            results.append(figures)
            mark = "  <- default" if (shingle, threshold) == (default.shingle,
                                                              default.threshold) else ""
            print(f"{shingle:>7} {threshold:>6.2f} {figures['pair_precision']:>6.3f} "
                  f"{figures['pair_recall']:>6.3f} {figures['pair_f1']:>6.3f} "
                  f"{figures['cluster_precision']:>6.3f} {figures['cluster_recall']:>6.3f} "
                  f"{figures['articles_per_s']:>7.0f}{mark}")
    summary: dict[str, Any] = {"articles": len(docs), "copies": args.copies,
                               "seed": args.seed, "edits": edits, "results": results}
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
