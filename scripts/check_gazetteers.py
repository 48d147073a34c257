#!/usr/bin/env python3
"""Validate flashpoint's actor gazetteers (the TSV files under ``flashpoint/data/gazetteer``).

Usage::

    python scripts/check_gazetteers.py [--data DIR] [--strict] [--quiet]

Exit status 1 when a problem is found (``--strict``: warnings count as problems too).

Every file is UTF-8, tab-separated, with a header line first, ``|`` between several values
in one field and no blank lines. What is checked:

* the exact header and the number of columns of every line; no stray whitespace, empty
  ``|`` items, repeated items, carriage returns or double quotes (so that ``csv`` readers
  with their default quoting read the files unchanged);
* actor codes: ISO 3166-1 alpha-3 codes plus PLOVER's extras (``KOS PSE TWN HKG IGO UNO EUR
  NGO IMG ISM MNC``); sector codes from the PLOVER ontology;
* no empty names, no duplicate keys, and no surface form (name, alias, demonym, ...) that
  two different codes claim within one file;
* every sovereign state (pycountry's countries minus :data:`DEPENDENCIES`, plus Kosovo) has
  a row in ``countries.tsv``;
* ``leaders/*.tsv``: offices, ISO dates, ``start <= end``.

Warnings (not problems): the same surface form given different codes by different files
(e.g. "Brussels"), unknown TSV files, and leader names shared by several countries.

A test imports :func:`check` (``check(data_dir) -> list[str]``, the problems).
"""

import argparse
import datetime as dt
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "flashpoint" / "data" / "gazetteer"


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a set."""
    return frozenset(text.split())


#: PLOVER sector codes (ONTOLOGY.md, section 5).
SECTORS: frozenset[str] = _words(
    "GOV MIL COP REB LEG JUD PTY OPP CVL SPY UAF PRM JRN MED REF REL SOC BUS LAB EDU ELI "
    "CRM AGR PRE UNK"
)

#: Country-level codes PLOVER uses that are not (or not only) ISO 3166-1 sovereign states.
PLOVER_STATE_EXTRAS: frozenset[str] = frozenset({"KOS", "PSE", "TWN", "HKG"})

#: International non-state entities.
NON_STATE_CODES: frozenset[str] = frozenset({"IGO", "UNO", "EUR", "NGO", "IMG", "ISM", "MNC"})

#: ISO 3166-1 entries that are not sovereign states. PLOVER folds them into the controlling
#: state (Western Sahara: Morocco plus sector PRE); Antarctica keeps its own code ATA.
DEPENDENCIES: frozenset[str] = _words(
    """
    ABW AIA ALA ASM ATA ATF BES BLM BMU BVT CCK COK CUW CXR CYM ESH FLK FRO GGY GIB GLP GRL
    GUF GUM HMD IMN IOT JEY MAC MAF MNP MSR MTQ MYT NCL NFK NIU PCN PRI PYF REU SGS SHN SJM
    SPM SXM TCA TKL UMI VGB VIR WLF
    """
)

#: ISO 3166-1 alpha-3 codes, used when pycountry is not installed.
_ISO3_FALLBACK: frozenset[str] = _words(
    """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD
    BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR
    COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH
    ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL
    GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR
    JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR
    MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL
    NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY
    PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP
    SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA
    UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
    """
)

SEAT_KINDS: frozenset[str] = frozenset(
    {"capital", "former_capital", "seat", "institution", "epithet"}
)

#: Offices in titles.tsv: the leader offices plus broader kinds of title.
TITLE_OFFICES: frozenset[str] = frozenset(
    {
        "head_of_state",
        "head_of_government",
        "deputy_head",
        "foreign_minister",
        "defence_minister",
        "interior_minister",
        "finance_minister",
        "minister",
        "leader",
        "royal",
        "official",
        "spokesperson",
        "legislator",
        "opposition_leader",
        "party_leader",
        "judge",
        "prosecutor",
        "diplomat",
        "secretary_general",
        "military_officer",
        "police_officer",
        "intelligence_chief",
        "religious_leader",
    }
)

LEADER_OFFICES: frozenset[str] = frozenset(
    {"head_of_state", "head_of_government", "foreign_minister", "defence_minister", "leader"}
)
LEADER_GENDERS: frozenset[str] = frozenset(
    {"", "m", "f", "x", "male", "female", "other", "unknown", "nonbinary", "non-binary"}
)
LEADER_HEADER: tuple[str, ...] = ("country", "office", "name", "aliases", "gender", "start", "end")


@dataclass(frozen=True)
class Spec:
    """Layout and rules of one gazetteer file."""

    header: tuple[str, ...]
    key: str
    """Column whose (case-folded) value must be unique in the file."""
    names: tuple[str, ...] = ()
    """Columns holding surface forms (``|``-separated), checked for collisions."""
    required: tuple[str, ...] = ()
    """Columns that must not be empty."""
    code: str | None = None
    codes: str = "any"
    """Which codes ``code`` may hold: ``any``, ``country`` or ``non_state``."""
    sector: str | None = None
    multi: tuple[str, ...] = ()
    """Columns that may hold several ``|``-separated values."""


SPECS: dict[str, Spec] = {
    "countries.tsv": Spec(
        header=("code", "name", "aliases", "demonyms", "adjectives", "capital"),
        key="code",
        names=("name", "aliases", "demonyms", "adjectives", "capital"),
        required=("code", "name", "capital"),
        code="code",
        codes="country",
        multi=("aliases", "demonyms", "adjectives", "capital"),
    ),
    "seats.tsv": Spec(
        header=("text", "code", "sector", "kind", "note"),
        key="text",
        names=("text",),
        required=("text", "code", "sector", "kind"),
        code="code",
        sector="sector",
    ),
    "organizations.tsv": Spec(
        header=("name", "aliases", "code", "sector", "note"),
        key="name",
        names=("name", "aliases"),
        required=("name", "code"),
        code="code",
        codes="non_state",
        sector="sector",
        multi=("aliases",),
    ),
    "groups.tsv": Spec(
        header=("name", "aliases", "code", "sector", "note"),
        key="name",
        names=("name", "aliases"),
        required=("name", "code", "sector"),
        code="code",
        sector="sector",
        multi=("aliases",),
    ),
    "territories.tsv": Spec(
        header=("name", "aliases", "code", "sector", "note"),
        key="name",
        names=("name", "aliases"),
        required=("name", "code"),
        code="code",
        sector="sector",
        multi=("aliases",),
    ),
    "features.tsv": Spec(
        header=("name", "aliases", "type", "note"),
        key="name",
        names=("name", "aliases"),
        required=("name", "type"),
        multi=("aliases",),
    ),
    "sectors.tsv": Spec(
        header=("word", "sector", "note"),
        key="word",
        required=("word", "sector"),
        sector="sector",
    ),
    "titles.tsv": Spec(
        header=("title", "office", "sector"),
        key="title",
        required=("title", "office", "sector"),
        sector="sector",
    ),
}

#: Files whose surface forms are compared with each other for cross-file collisions.
CROSS_FILE_NAMES: tuple[str, ...] = (
    "countries.tsv",
    "seats.tsv",
    "organizations.tsv",
    "groups.tsv",
    "territories.tsv",
)

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class Report:
    """What a check found: problems fail it, warnings are for information."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    """Long lists behind a warning, printed with ``--verbose``."""


@dataclass
class Table:
    """A parsed TSV file: its rows as dicts, with their line numbers."""

    path: Path
    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]


def iso3_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes, from pycountry when it is installed."""
    try:
        import pycountry
    except ImportError:  # pragma: no cover - pycountry is optional
        return _ISO3_FALLBACK
    return frozenset(c.alpha_3 for c in pycountry.countries)


def sovereign_codes() -> frozenset[str]:
    """Codes every ``countries.tsv`` must cover: ISO states minus dependencies, plus KOS."""
    return (iso3_codes() - DEPENDENCIES) | PLOVER_STATE_EXTRAS


def valid_codes() -> frozenset[str]:
    """Every actor code a gazetteer row may use."""
    return iso3_codes() | PLOVER_STATE_EXTRAS | NON_STATE_CODES


def split_values(value: str) -> list[str]:
    """The ``|``-separated items of a field (an empty field has none)."""
    return value.split("|") if value else []


def read_table(path: Path, expected: Sequence[str] | None, report: Report) -> Table | None:
    """Read one TSV file, reporting layout problems; ``None`` when it cannot be used."""
    name = _label(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        report.problems.append(f"{name}: not valid UTF-8 ({exc})")
        return None
    if text.startswith("\ufeff"):
        report.problems.append(f"{name}: starts with a byte-order mark")
        text = text[1:]
    if "\r" in text:
        report.problems.append(f"{name}: contains carriage returns (use LF line endings)")
        text = text.replace("\r", "")
    if not text:
        report.problems.append(f"{name}: empty file")
        return None
    if not text.endswith("\n"):
        report.warnings.append(f"{name}: no newline at the end of the file")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = tuple(lines[0].split("\t"))
    if expected is not None and header != tuple(expected):
        report.problems.append(
            f"{name}: header is {'|'.join(header)!r}, expected {'|'.join(expected)!r}"
        )
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, line in enumerate(lines[1:], start=2):
        where = f"{name}:{number}"
        if not line.strip():
            report.problems.append(f"{where}: blank line")
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            report.problems.append(f"{where}: {len(fields)} columns, expected {len(header)}")
            continue
        for column, value in zip(header, fields, strict=True):
            if value != value.strip():
                report.problems.append(f"{where}: {column} has leading or trailing whitespace")
            if '"' in value:
                report.problems.append(f"{where}: {column} contains a double quote")
        rows.append((number, dict(zip(header, fields, strict=True))))
    return Table(path=path, header=header, rows=rows)


def check_items(where: str, column: str, value: str, multi: bool, report: Report) -> list[str]:
    """Check the ``|`` items of one field; returns them."""
    if not multi:
        return [value] if value else []
    items = split_values(value)
    if any(not item.strip() for item in items):
        report.problems.append(f"{where}: {column} has an empty '|' item")
    for item in items:
        if item != item.strip():
            report.problems.append(f"{where}: {column} item {item!r} has stray whitespace")
    seen: set[str] = set()
    for item in items:
        if item in seen:
            report.problems.append(f"{where}: {column} repeats {item!r}")
        seen.add(item)
    return [item for item in items if item.strip()]


def check_table(table: Table, spec: Spec, report: Report) -> dict[str, set[str]]:
    """Check one non-leader file against its spec; returns surface form -> codes."""
    name = _label(table.path)
    codes_ok = valid_codes()
    states = sovereign_codes()
    keys: dict[str, int] = {}
    claims: dict[str, dict[str, int]] = defaultdict(dict)
    for number, row in table.rows:
        where = f"{name}:{number}"
        for column in spec.required:
            if not row[column].strip():
                report.problems.append(f"{where}: empty {column}")
        for column in spec.header:
            if column not in spec.multi and "|" in row[column] and column != "note":
                report.problems.append(f"{where}: {column} holds several values ('|')")
        key = row[spec.key].casefold()
        if key:
            if key in keys:
                report.problems.append(
                    f"{where}: duplicate {spec.key} {row[spec.key]!r} (first on line {keys[key]})"
                )
            else:
                keys[key] = number
        code = row[spec.code] if spec.code else ""
        if spec.code and code:
            if code not in codes_ok:
                report.problems.append(f"{where}: unknown code {code!r}")
            elif spec.codes == "country" and code not in states:
                report.problems.append(f"{where}: {code!r} is not a sovereign-state code")
            elif spec.codes == "non_state" and code not in NON_STATE_CODES:
                report.problems.append(
                    f"{where}: {code!r} is not an international code "
                    f"({' '.join(sorted(NON_STATE_CODES))})"
                )
        if spec.sector and row[spec.sector] and row[spec.sector] not in SECTORS:
            report.problems.append(f"{where}: unknown sector {row[spec.sector]!r}")
        if "kind" in row and row["kind"] not in SEAT_KINDS:
            report.problems.append(f"{where}: unknown kind {row['kind']!r}")
        if "office" in row and row["office"] not in TITLE_OFFICES:
            report.problems.append(f"{where}: unknown office {row['office']!r}")
        for column in spec.names:
            for item in check_items(where, column, row[column], column in spec.multi, report):
                if spec.code:
                    claims[item.casefold()].setdefault(code, number)
    forms: dict[str, set[str]] = {}
    for form, by_code in claims.items():
        if len(by_code) > 1:
            detail = ", ".join(f"{c} (line {n})" for c, n in sorted(by_code.items()))
            report.problems.append(f"{name}: {form!r} is claimed by several codes: {detail}")
        forms[form] = set(by_code)
    return forms


def check_countries_cover(table: Table, report: Report) -> None:
    """Every sovereign state must have a row in countries.tsv."""
    present = {row["code"] for _, row in table.rows}
    missing = sorted(sovereign_codes() - present)
    if missing:
        report.problems.append(f"countries.tsv: missing states: {' '.join(missing)}")


def parse_date(value: str) -> dt.date | None:
    """An ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; partial dates start the period)."""
    if not _DATE_RE.match(value):
        return None
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        return dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def check_leaders(paths: Iterable[Path], report: Report, today: dt.date) -> dict[str, int]:
    """Check leaders/*.tsv; returns, per file, the number of rows."""
    codes_ok = valid_codes()
    counts: dict[str, int] = {}
    current_heads: set[str] = set()
    for path in paths:
        table = read_table(path, LEADER_HEADER, report)
        if table is None:
            continue
        name = _label(path)
        counts[name] = len(table.rows)
        keys: dict[tuple[str, str, str, str], int] = {}
        people: dict[str, dict[str, int]] = defaultdict(dict)
        for number, row in table.rows:
            where = f"{name}:{number}"
            for column in ("country", "office", "name", "start"):
                if not row[column].strip():
                    report.problems.append(f"{where}: empty {column}")
            if row["country"] and row["country"] not in codes_ok:
                report.problems.append(f"{where}: unknown code {row['country']!r}")
            if row["office"] and row["office"] not in LEADER_OFFICES:
                report.problems.append(f"{where}: unknown office {row['office']!r}")
            if row["gender"].casefold() not in LEADER_GENDERS:
                report.problems.append(f"{where}: unknown gender {row['gender']!r}")
            start = parse_date(row["start"]) if row["start"] else None
            if row["start"] and start is None:
                report.problems.append(f"{where}: start {row['start']!r} is not an ISO date")
            end = parse_date(row["end"]) if row["end"] else None
            if row["end"] and end is None:
                report.problems.append(f"{where}: end {row['end']!r} is not an ISO date")
            if start and end and start > end:
                report.problems.append(f"{where}: start {row['start']} is after end {row['end']}")
            key = (row["country"], row["office"], row["name"].casefold(), row["start"])
            if key in keys:
                report.problems.append(f"{where}: duplicate of line {keys[key]}")
            else:
                keys[key] = number
            for item in check_items(where, "aliases", row["aliases"], True, report):
                people[item.casefold()].setdefault(row["country"], number)
            if row["name"]:
                people[row["name"].casefold()].setdefault(row["country"], number)
            if (
                row["office"] == "head_of_state"
                and start is not None
                and start <= today
                and (end is None or end >= today)
            ):
                current_heads.add(row["country"])
        shared = {form: by_code for form, by_code in people.items() if len(by_code) > 1}
        if shared:
            examples = ", ".join(repr(form) for form in list(shared)[:3])
            report.warnings.append(
                f"{name}: {len(shared)} names or aliases are given for several countries "
                f"(e.g. {examples}; --verbose lists them)"
            )
            report.details.extend(
                f"{name}: {form!r} is given for several countries: {' '.join(sorted(by_code))}"
                for form, by_code in shared.items()
            )
    for name, count in counts.items():
        report.summary.append(f"{name}: {count} rows")
    states = sovereign_codes()
    covered = current_heads & states
    if counts:
        report.summary.append(
            f"leaders: {len(covered)}/{len(states)} states have a current head of state"
        )
        missing = sorted(states - covered)
        if missing:
            report.summary.append(f"leaders: no current head of state for: {' '.join(missing)}")
    return counts


def collect(data_dir: Path | str, today: dt.date | None = None) -> Report:
    """Check every gazetteer file in ``data_dir``; returns problems, warnings and a summary."""
    data_dir = Path(data_dir)
    today = today or dt.date.today()
    report = Report()
    if not data_dir.is_dir():
        report.problems.append(f"{data_dir}: no such directory")
        return report
    all_forms: dict[str, dict[str, set[str]]] = {}
    for filename, spec in SPECS.items():
        path = data_dir / filename
        if not path.exists():
            report.problems.append(f"{filename}: missing")
            continue
        table = read_table(path, spec.header, report)
        if table is None:
            continue
        report.summary.append(f"{filename}: {len(table.rows)} rows")
        forms = check_table(table, spec, report)
        if filename in CROSS_FILE_NAMES:
            all_forms[filename] = forms
        if filename == "countries.tsv":
            check_countries_cover(table, report)
    for path in sorted(data_dir.glob("*.tsv")):
        if path.name not in SPECS:
            report.warnings.append(f"{path.name}: unknown gazetteer file, not checked")
    cross_file_warnings(all_forms, report)
    leader_files = sorted((data_dir / "leaders").glob("*.tsv"))
    check_leaders(leader_files, report, today)
    if not leader_files:
        report.summary.append("leaders: no files")
    return report


def cross_file_warnings(all_forms: dict[str, dict[str, set[str]]], report: Report) -> None:
    """Warn when one surface form gets different codes in different files."""
    by_form: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for filename, forms in all_forms.items():
        for form, codes in forms.items():
            by_form[form][filename] = codes
    for form, files in sorted(by_form.items()):
        codes = set().union(*files.values())
        if len(files) > 1 and len(codes) > 1:
            detail = "; ".join(f"{f}: {' '.join(sorted(c))}" for f, c in sorted(files.items()))
            report.warnings.append(f"{form!r} has different codes across files ({detail})")


def check(data_dir: Path | str = DEFAULT_DATA_DIR) -> list[str]:
    """The problems found in the gazetteers of ``data_dir`` (empty when they are clean)."""
    return collect(data_dir).problems


def _label(path: Path) -> str:
    """A short name for messages: ``leaders/x.tsv`` or ``x.tsv``."""
    return f"{path.parent.name}/{path.name}" if path.parent.name == "leaders" else path.name


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: print the report, return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="gazetteer directory (default: %(default)s)",
    )
    parser.add_argument("--strict", action="store_true", help="treat warnings as problems")
    parser.add_argument("--quiet", action="store_true", help="print problems only")
    parser.add_argument("--verbose", action="store_true", help="also print the details of warnings")
    args = parser.parse_args(argv)
    report = collect(args.data)
    if not args.quiet:
        for line in report.summary:
            print(line)
        for warning in report.warnings:
            print(f"warning: {warning}")
        if args.verbose:
            for detail in report.details:
                print(f"  {detail}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    failed = bool(report.problems) or (args.strict and bool(report.warnings))
    if not args.quiet:
        print(
            f"{len(report.problems)} problem(s), {len(report.warnings)} warning(s)",
            file=sys.stderr if failed else sys.stdout,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
