"""Daily series checked against hand counts of `analysis_data.corpus()`, on SQLite and PostgreSQL.

Scores used in the hand counts (PLOVER codebook): THREATEN -3.5, THREATEN:violence -3.5,
ASSAULT:aerial -9.5, MOBILIZE:troops -6.5, ACCUSE:disapprove -2, CONSULT 2.5.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from analysis_data import Ev, corpus, make_doc
from flashpoint.analyze.filters import EventFilter
from flashpoint.analyze.series import daily_series, dense, label, series_query
from flashpoint.cli import app
from flashpoint.errors import ConfigError
from flashpoint.store import Store

D = dt.date


def table(store: Store, by: str = "dyad", **kwargs: object) -> dict[tuple[object, ...], tuple]:
    points = daily_series(store, EventFilter(**kwargs), by=by)  # type: ignore[arg-type]
    return {(p.day, *p.key): (p.events, p.sources, p.intensity, p.quads) for p in points}


def test_dyad_series_matches_the_hand_count(store: Store) -> None:
    store.save_documents(corpus())
    assert table(store) == {
        (D(2024, 3, 1), "BLR", "POL"): (2, 2, -7.0, (0, 0, 2, 0)),
        (D(2024, 3, 1), "RUS", "UKR"): (1, 1, -9.5, (0, 0, 0, 1)),
        (D(2024, 3, 2), "BLR", "POL"): (1, 1, -6.5, (0, 0, 0, 1)),
        (D(2024, 3, 2), "POL", "BLR"): (1, 1, -2.0, (0, 0, 1, 0)),
        (D(2024, 3, 3), "BLR", "POL"): (1, 1, -3.5, (0, 0, 1, 0)),  # dated by its article
        (D(2024, 3, 5), "RUS", "UKR"): (1, 1, 2.5, (1, 0, 0, 0)),  # future: kept
    }


def test_negated_and_hypothetical_are_excluded_unless_asked(store: Store) -> None:
    store.save_documents(corpus())
    default = table(store)
    both = table(store, include_negated=True, include_hypothetical=True)
    # + the negated ASSAULT on 03-02 and the hypothetical one on 03-03 (ASSAULT -9, quad 4)
    assert both[(D(2024, 3, 2), "BLR", "POL")] == (2, 2, -15.5, (0, 0, 0, 2))
    assert both[(D(2024, 3, 3), "BLR", "POL")] == (2, 2, -12.5, (0, 0, 1, 1))
    changed = {key for key in both if both[key] != default.get(key)}
    assert changed == {(D(2024, 3, 2), "BLR", "POL"), (D(2024, 3, 3), "BLR", "POL")}
    assert table(store, include_future=False).get((D(2024, 3, 5), "RUS", "UKR")) is None


def test_other_groupings(store: Store) -> None:
    store.save_documents(corpus())
    total = table(store, by="total")
    assert total == {
        (D(2024, 3, 1),): (3, 3, -16.5, (0, 0, 2, 1)),
        (D(2024, 3, 2),): (2, 2, -8.5, (0, 0, 1, 1)),
        (D(2024, 3, 3),): (1, 1, -3.5, (0, 0, 1, 0)),
        (D(2024, 3, 5),): (1, 1, 2.5, (1, 0, 0, 0)),
    }
    actor = table(store, by="actor")
    # BLR is source or target of 2 events on 03-01, 2 on 03-02, 1 on 03-03
    assert [actor[(D(2024, 3, d), "BLR")][0] for d in (1, 2, 3)] == [2, 2, 1]
    assert (D(2024, 3, 5), "BLR") not in actor
    assert actor[(D(2024, 3, 5), "UKR")][0] == 1
    types = table(store, by="type")
    assert types[(D(2024, 3, 1), "THREATEN")][0] == 2
    assert types[(D(2024, 3, 2), "MOBILIZE")][2] == -6.5
    quads = table(store, by="quad")
    assert quads[(D(2024, 3, 1), "3")][0] == 2 and quads[(D(2024, 3, 1), "4")][0] == 1
    assert table(store, by="source", source="POL") == {
        (D(2024, 3, 2), "POL"): (1, 1, -2.0, (0, 0, 1, 0))}
    assert set(table(store, by="target", types="THREATEN")) == {
        (D(2024, 3, 1), "POL"), (D(2024, 3, 3), "POL")}


def test_mean_conflict_and_dense(store: Store) -> None:
    store.save_documents(corpus())
    points = {(p.day, p.key): p for p in daily_series(store, by="dyad")}
    first = points[(D(2024, 3, 1), ("BLR", "POL"))]
    assert first.mean_score == -3.5 and first.conflict == 7.0
    consult = points[(D(2024, 3, 5), ("RUS", "UKR"))]
    assert consult.conflict == 0.0 and consult.mean_score == 2.5
    per_day = {p.day: p for p in daily_series(store, EventFilter(source="BLR"), by="total")}
    assert dense(per_day, D(2024, 2, 29), D(2024, 3, 4)) == [0, 2, 1, 1, 0]
    assert label(("BLR", "POL"), "dyad") == "BLR \u2192 POL"
    assert first.to_dict("dyad")["source"] == "BLR"


def test_events_count_once_per_story_with_sources_kept(store: Store) -> None:
    """Two wire copies in one story + one unrelated article reporting the same dyad."""
    from flashpoint.store.stories import Stories

    day = D(2024, 4, 1)
    wire = ("Belarus moved to mobilize Poland along the eastern frontier, officials said "
            "on Monday, as columns of armoured vehicles headed west from Minsk.")
    docs = [
        make_doc(f"w{n}", day, [Ev("MOBILIZE", "BLR", "POL", day, mode="troops",
                                    sentence=wire)],
                 lead=f"Copy {n}: Belarusian forces were reported moving toward the "
                      "Polish border in a wire report carried by several outlets.")
        for n in range(2)
    ]
    docs.append(make_doc("other", day, [Ev("MOBILIZE", "BLR", "POL", day, mode="troops")],
                         lead="An unrelated local report about a parliamentary debate."))
    store.save_documents(docs)
    assigned = Stories(store).assign([store.get_article(d.id) for d in docs])  # type: ignore[misc]
    stories = {a.article_id: a.story_id for a in assigned}
    assert stories["w0"] == stories["w1"] != stories["other"]
    assert table(store) == {(day, "BLR", "POL"): (2, 3, -13.0, (0, 0, 0, 2))}
    assert table(store, dedup_stories=False) == {(day, "BLR", "POL"): (3, 3, -19.5, (0, 0, 0, 3))}


def test_same_event_twice_in_one_article_counts_once(store: Store) -> None:
    day = D(2024, 5, 1)
    doc = make_doc("twice", day, [Ev("THREATEN", "BLR", "LTU", day),
                                  Ev("THREATEN", "BLR", "LTU", day)])
    store.save_documents([doc])
    assert table(store) == {(day, "BLR", "LTU"): (1, 1, -3.5, (0, 0, 1, 0))}
    assert table(store, dedup_stories=False)[(day, "BLR", "LTU")][0] == 2


def test_unknown_grouping_is_refused() -> None:
    with pytest.raises(ConfigError, match="group by"):
        series_query(EventFilter(), "country")  # type: ignore[arg-type]


def test_cli_series(tmp_path: object) -> None:
    db = str(tmp_path) + "/s.db"  # type: ignore[operator]
    with Store(db) as store:
        store.save_documents(corpus())
    runner = CliRunner()
    result = runner.invoke(app, ["series", "--db", db, "--by", "dyad", "--json",
                                 "--source", "BLR"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["day"], r["events"]) for r in rows] == [
        ("2024-03-01", 2), ("2024-03-02", 1), ("2024-03-03", 1)]
    csv_out = runner.invoke(app, ["series", "--db", db, "--by", "total", "--csv"])
    assert csv_out.stdout.splitlines()[0].startswith("day,events,sources,intensity")
    assert len(csv_out.stdout.splitlines()) == 5
    assert runner.invoke(app, ["series", "--db", db, "--by", "nope"]).exit_code == 2
