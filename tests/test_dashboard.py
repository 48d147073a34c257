"""The dashboard in a real headless Chromium against a real uvicorn server on 127.0.0.1.

Every page must load without console errors or failed requests; filters must narrow the
table; a chart bar and a table row must lead to the article view with the evidence
highlighted; a hostile article must be shown as inert text. Screenshots of every page go
to test-artefacts/ (look at them: tests cannot judge layout).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import artefact
from flashpoint.serve import create_app
from flashpoint.store import Store
from serve_data import HOSTILE_BODY, HOSTILE_TITLE, all_docs, belarus_doc, hostile_doc, serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = Path(tmp_path_factory.mktemp("dashboard")) / "site.db"
    with Store(path) as store:
        store.save_documents(all_docs())
        with serving(create_app(store)) as url:
            yield url


class Watched:
    """A page plus every console error, page error and failed request it produced."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(
            f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    w = Watched(browser)
    yield w
    w.close()


PAGES = {
    "overview": "/",
    "events": "/events",
    "events-filtered": "/events?actor=BLR&negated=hide",
    "dyads": "/dyads",
    "dyad": "/dyads/RUS/UKR",
    "actors": "/actors",
    "actor": "/actors/BLR",
    "statements": "/statements",
    "search": "/search?q=border",
    "article": f"/articles/{belarus_doc().id}?event=ev-threat",
    "article-hostile": f"/articles/{hostile_doc().id}",
    "api-docs": "/docs",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_loads_without_console_errors(site: str, watched: Watched,
                                                  name: str) -> None:
    page = watched.page
    response = page.goto(site + PAGES[name])
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    if name in ("overview", "dyad", "actor"):
        page.wait_for_selector(".chart svg a.bar")
    if name == "api-docs":
        page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    page.screenshot(path=str(artefact(f"dashboard-{name}.png")), full_page=True)
    assert watched.problems == []


def _rows(page: Any) -> int:
    return int(page.locator("table.events tbody tr").count())


def test_filter_narrows_the_event_table(site: str, watched: Watched) -> None:
    page = watched.page
    page.goto(site + "/events")
    everything = _rows(page)
    page.fill("#event-filters input[name=actor]", "BLR")
    page.select_option("#event-filters select[name=negated]", "hide")
    page.click("#event-filters button[type=submit]")
    page.wait_for_url("**/events?*actor=BLR*")
    narrowed = _rows(page)
    assert 0 < narrowed < everything
    cells = page.locator("table.events tbody tr").all_inner_texts()
    assert all("BLR" in cell for cell in cells)
    assert not any("negated" in cell for cell in cells)
    page.screenshot(path=str(artefact("dashboard-events-filter.png")), full_page=True)
    assert watched.problems == []


def test_bad_filter_value_is_explained_on_the_page(site: str, watched: Watched) -> None:
    page = watched.page
    response = page.goto(site + "/events?since=last+tuesday")
    assert response is not None and response.status == 422
    assert "since" in page.locator(".error").inner_text()
    assert _rows(page) == 0


def _assert_focused_evidence(page: Any, evidence: str) -> None:
    focused = page.locator("#doc-text .focus")
    focused.first.wait_for()
    assert focused.count() >= 1
    text = "".join(focused.all_text_contents())
    assert evidence in text
    classes = focused.first.get_attribute("class") or ""
    assert "m-evidence" in classes
    assert focused.first.is_visible()
    assert evidence in page.locator("#coding-panel").inner_text()


def test_chart_bar_leads_to_article_with_evidence_highlighted(site: str,
                                                              watched: Watched) -> None:
    page = watched.page
    page.goto(site + "/dyads/RUS/UKR")
    bars = page.locator(".chart svg a.bar")
    bars.first.wait_for()
    assert bars.count() == 30  # one article a day for 30 days
    date = bars.nth(3).get_attribute("data-date")
    bars.nth(3).click()
    page.wait_for_url(f"**/dyads/RUS/UKR?since={date}*")
    assert _rows(page) == 1  # that day's shelling
    page.locator("table.events tbody tr").first.click()
    page.wait_for_url("**/articles/*event=*")
    _assert_focused_evidence(page, "Russian forces shelled Kharkiv")
    page.screenshot(path=str(artefact("dashboard-chart-to-article.png")), full_page=True)
    assert watched.problems == []


def test_event_row_leads_to_article_with_evidence_and_coding(site: str,
                                                             watched: Watched) -> None:
    page = watched.page
    page.goto(site + "/events?actor=BLR&type=THREATEN&conditional=only")
    assert _rows(page) == 1
    page.locator("table.events tbody tr td.evidence a").first.click()
    page.wait_for_url("**/articles/*")
    _assert_focused_evidence(page, "Belarus would join the war")
    panel = page.locator("#coding-panel").inner_text()
    assert "THREATEN" in panel and "conditional" in panel
    assert "only if so much as one soldier" in panel  # the condition
    # the condition and the speaker are marked in the text too
    assert page.locator("#doc-text .m-condition").count() >= 1
    assert "Lukashenko" in page.locator("#doc-text .m-speaker").first.inner_text()
    # hovering another passage shows its coding once nothing is pinned: reload unpinned
    page.goto(site + f"/articles/{belarus_doc().id}")
    page.locator("#doc-text .m-evidence.x-negated").first.hover()
    assert "MOBILIZE" in page.locator("#coding-panel").inner_text()
    assert watched.problems == []


def test_irrealis_events_look_different(site: str, watched: Watched) -> None:
    page = watched.page
    page.goto(site + f"/articles/{belarus_doc().id}")

    def style(selector: str, prop: str) -> str:
        return str(page.eval_on_selector(
            selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')"))

    factual = "#doc-text .m-evidence.x-factual"
    negated = "#doc-text .m-evidence.x-negated"
    future = "#doc-text .m-evidence.x-future"
    conditional = "#doc-text .m-evidence.x-conditional"
    assert "line-through" in style(negated, "text-decoration-line")
    assert "line-through" not in style(factual, "text-decoration-line")
    looks = {s: (style(s, "background-color"), style(s, "border-bottom-style"))
             for s in (factual, negated, future, conditional)}
    assert len(set(looks.values())) == 4, looks
    page.goto(site + "/events?actor=BLR")
    italic = page.eval_on_selector("tr.irrealis td", "e => getComputedStyle(e).fontStyle")
    plain = page.eval_on_selector("tr.factual td", "e => getComputedStyle(e).fontStyle")
    assert (italic, plain) == ("italic", "normal")


def test_hostile_article_is_shown_as_inert_text(site: str, watched: Watched) -> None:
    page = watched.page
    page.goto(site + f"/articles/{hostile_doc().id}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title().startswith(HOSTILE_TITLE)
    assert page.locator("h1.doc-title").inner_text() == HOSTILE_TITLE
    text = page.locator("#doc-text")
    assert text.inner_text() == HOSTILE_BODY
    assert text.locator("script, img, b").count() == 0
    assert page.locator("h1.doc-title *").count() == 0
    # the javascript: URL is not turned into a link
    assert page.locator("a[href^='javascript']").count() == 0
    page.locator("#doc-text .m-evidence").first.click()
    assert "<img src=x" in page.locator("#coding-panel").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # the listings show the same title as text
    page.goto(site + "/search?q=talks")
    assert HOSTILE_TITLE in page.locator(".results").inner_text()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.screenshot(path=str(artefact("dashboard-hostile-search.png")), full_page=True)
    assert watched.problems == []
