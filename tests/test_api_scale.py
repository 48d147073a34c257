"""The browse queries on a large store (slow: builds 200,000 events with bench/api.py).

Speed is measured by bench/api.py, not here; this checks what makes it fast and right at
scale: each event-list branch walks an index in key order (no sort of all matches), and
keyset pages over a large filtered set agree with one big page.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from flashpoint.store import Store, browse
from flashpoint.store.browse import EventFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import api as bench_api  # bench/api.py

    path = Path(tmp_path_factory.mktemp("scale")) / "big.db"
    bench_api.build(path, 200_000, 20, seed=3)
    with Store(path) as store:
        yield store


def _plan(store: Store, f: EventFilter, branch: list[Any]) -> str:
    with store.reading() as conn:
        query = (browse.event_query(conn, f).where(*branch, browse.events.c.date.is_not(None))
                 .order_by(*(c.desc() for c in browse._EVENT_KEY)).limit(51))
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        return " | ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN "
                                                                       + sql))


@pytest.mark.parametrize("f", [
    EventFilter(), EventFilter(actor=("RUS",)), EventFilter(source=("USA",), target=("RUS",)),
    EventFilter(types=("ASSAULT",), since=dt.date(2023, 1, 1)),
    EventFilter(actor=("KEN",), types=("AID",), since=dt.date(2023, 1, 1)),
])
def test_every_branch_walks_an_index_in_key_order(big: Store, f: EventFilter) -> None:
    for branch in browse._branches(f):
        plan = _plan(big, f, branch)
        assert "USING INDEX ix_events_" in plan, plan
        assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_keyset_pages_agree_with_one_page_at_scale(big: Store) -> None:
    f = EventFilter(actor=("UKR",), negated=False)
    with big.reading() as conn:
        whole = browse.list_events(conn, f, limit=1000).rows
        paged: list[dict[str, Any]] = []
        cursor = None
        while len(paged) < 1000:
            page = browse.list_events(conn, f, limit=137, cursor=cursor)
            paged += page.rows
            cursor = page.next
        n = conn.scalar(sa.select(sa.func.count()).select_from(browse.events).where(
            browse.events.c.source_code == "USA", browse.events.c.target_code == "RUS"))
        rows = browse.dyad_counts(conn, "USA", "RUS", EventFilter(), "month")
        counted = sum(k for _, direction, _, k in rows if direction == "a>b")
    key = [(r["article"]["id"], r["id"]) for r in whole]
    assert [(r["article"]["id"], r["id"]) for r in paged[:1000]] == key
    assert all("UKR" in (r["source"]["code"], (r["target"] or {}).get("code")) for r in whole)
    assert counted == n
