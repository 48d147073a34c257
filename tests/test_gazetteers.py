"""The team's gazetteers pass their checker, and the tables load into usable lookups."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from flashpoint.nlp.gazetteer import fold, load_gazetteer

ROOT = Path(__file__).resolve().parents[1]


def _checker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_gazetteers",
                                                  ROOT / "scripts" / "check_gazetteers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gazetteers_pass_the_checker() -> None:
    problems = _checker().check(ROOT / "src" / "flashpoint" / "data" / "gazetteer")
    assert problems == []


def test_leaders_cover_at_least_150_countries_with_dates() -> None:
    gaz = load_gazetteer()
    codes = {t.code for tenures in gaz.leaders.values() for t in tenures if len(t.code) == 3}
    assert len(codes) >= 150
    offices = {t.office for tenures in gaz.leaders.values() for t in tenures}
    assert {"head_of_state", "head_of_government", "foreign_minister",
            "defence_minister"} <= offices


@pytest.mark.parametrize(
    ("name", "day", "code", "person"),
    [
        ("Lukashenko", dt.date(2023, 2, 16), "BLR", "Alexander Lukashenko"),
        ("Putin", dt.date(2023, 2, 16), "RUS", "Vladimir Putin"),
        ("Yeltsin", dt.date(1995, 6, 1), "RUS", "Boris Yeltsin"),
        ("Merkel", dt.date(2015, 9, 1), "DEU", "Angela Merkel"),
        ("Scholz", dt.date(2023, 5, 1), "DEU", "Olaf Scholz"),
        ("Erdogan", dt.date(2024, 1, 10), "TUR", "Recep Tayyip Erdogan"),
        ("Erdoğan", dt.date(2024, 1, 10), "TUR", "Recep Tayyip Erdogan"),
        ("Modi", dt.date(2020, 1, 1), "IND", "Narendra Modi"),
    ],
)
def test_a_name_resolves_to_the_office_holder_of_the_day(
    name: str, day: dt.date, code: str, person: str
) -> None:
    tenures = load_gazetteer().tenures(name, day)
    assert tenures and {t.code for t in tenures} == {code}
    assert {fold(t.name) for t in tenures} == {fold(person)}


def test_no_one_holds_an_office_outside_their_term() -> None:
    assert load_gazetteer().tenures("Merkel", dt.date(2023, 5, 1)) == []


def test_case_sensitive_forms_do_not_match_common_words() -> None:
    gaz = load_gazetteer()
    assert gaz.lookup("US")[0].code == "USA"
    assert gaz.lookup("us") == []
    assert gaz.lookup("who") == []
    assert gaz.lookup("Kremlin")[0].code == "RUS"
    assert gaz.lookup("kremlin")[0].code == "RUS"
