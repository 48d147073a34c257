"""Documents with statements and events for the API and dashboard tests, and a real server.

The documents are built here (the extractors are not needed): every span is computed
from the text with `Span.of`, so they index it exactly. One article is hostile: its title
and body hold `<script>` tags and HTML that the dashboard must show as plain text.
`serving(app)` runs the app under uvicorn on 127.0.0.1 and a free port in a thread.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from flashpoint.model import Actor, Coder, Document, Event, Modality, Span, Statement
from flashpoint.pipeline import make_article

CODER = Coder(name="flashpoint.coder.plover", version="test.1")
HOSTILE_TITLE = "<script>window.__pwned = 1</script> Talks <b>collapse</b>"
HOSTILE_BODY = (
    "Officials said <script>window.__pwned = 2</script> the talks had failed.\n\n"
    "Poland accused Belarus of <img src=x onerror=\"window.__pwned = 3\"> sending migrants "
    "across the border, a spokesman said."
)
BELARUS = (
    "Lukashenko says Belarus will fight only if attacked\n\n"
    "President Alexander Lukashenko said on Thursday that Belarus would join the war "
    "\"only if so much as one soldier comes to our territory from Ukraine\". "
    "He promised not to send troops to Ukraine. He will meet Vladimir Putin on Friday. "
    "Last week Poland closed a border crossing with Belarus, and Minsk vowed to retaliate."
)


def span(text: str, piece: str, after: int = 0) -> Span:
    start = text.index(piece, after)
    return Span.of(text, start, start + len(piece))


def actor(code: str, name: str, sector: str | None = "GOV") -> Actor:
    return Actor(code=code, sector=sector, name=name)


def belarus_doc() -> Document:
    text = BELARUS
    article = make_article(text, published="2023-02-16", title="Lukashenko says Belarus "
                           "will fight only if attacked", source="Example Wire")
    blr, ukr = actor("BLR", "Belarus"), actor("UKR", "Ukraine")
    rus, pol = actor("RUS", "Russia"), actor("POL", "Poland")
    condition = span(text, "only if so much as one soldier comes to our territory from Ukraine")
    threat = Statement(
        id="s1", kind="speech", speaker=span(text, "President Alexander Lukashenko"),
        speaker_actor=blr, cue=span(text, "said on Thursday"),
        content=span(text, "only if so much as one soldier comes to our territory from "
                           "Ukraine"),
        direct=True, function="THREATEN", modality=Modality(condition=condition),
    )
    promise = Statement(
        id="s2", kind="speech", speaker=span(text, "He promised"), speaker_actor=blr,
        cue=span(text, "promised"), content=span(text, "not to send troops to Ukraine"),
        direct=False, function="AGREE", modality=Modality(negated=True),
    )
    events = [
        Event(id="ev-threat", type="THREATEN", mode="violence", source=blr, target=ukr,
              date=dt.date(2023, 2, 16), date_precision="day",
              modality=Modality(condition=condition), reported_by="s1",
              evidence=span(text, "Belarus would join the war"), confidence=0.8),
        Event(id="ev-troops", type="MOBILIZE", mode="troops", source=blr, target=ukr,
              date=dt.date(2023, 2, 16), date_precision="day",
              modality=Modality(negated=True), reported_by="s2",
              evidence=span(text, "not to send troops to Ukraine"), confidence=0.7),
        Event(id="ev-meet", type="CONSULT", mode="visit", source=blr, target=rus,
              date=dt.date(2023, 2, 17), date_precision="day",
              modality=Modality(future=True),
              evidence=span(text, "He will meet Vladimir Putin on Friday"), confidence=0.9),
        Event(id="ev-border", type="COERCE", mode="restrict", source=pol, target=blr,
              date=dt.date(2023, 2, 9), date_precision="week",
              evidence=span(text, "Poland closed a border crossing with Belarus"),
              confidence=0.9),
        Event(id="ev-vow", type="THREATEN", source=blr, target=pol,
              date=dt.date(2023, 2, 9), date_precision="week",
              modality=Modality(future=True),
              evidence=span(text, "Minsk vowed to retaliate"), confidence=0.6),
    ]
    return Document(**article.model_dump(exclude={"origin"}), statements=[threat, promise],
                    events=events, coder=CODER)


def hostile_doc() -> Document:
    article = make_article(HOSTILE_BODY, published="2023-02-10", title=HOSTILE_TITLE,
                           url="javascript:alert(1)")
    text = article.text
    pol, blr = actor("POL", "Poland"), actor("BLR", "Belarus")
    event = Event(
        id="ev-hostile", type="ACCUSE", source=pol, target=blr, date=dt.date(2023, 2, 10),
        date_precision="day",
        evidence=span(text, "Poland accused Belarus of <img src=x onerror=\"window.__pwned = "
                            "3\"> sending migrants"), confidence=0.8)
    said = Statement(id="s1", speaker=span(text, "a spokesman"), content=span(
        text, "Officials said <script>window.__pwned = 2</script> the talks had failed"),
        direct=False)
    return Document(**article.model_dump(exclude={"origin"}), events=[event],
                    statements=[said], coder=CODER)


def war_docs(days: int = 30) -> list[Document]:
    """One article a day of Russia-Ukraine fighting, for paging, series and dyads."""
    docs = []
    rus, ukr = actor("RUS", "Russia", "MIL"), actor("UKR", "Ukraine", "MIL")
    start = dt.date(2023, 1, 1)
    for i in range(days):
        day = start + dt.timedelta(days=i)
        text = (f"Day {i}: Russian forces shelled Kharkiv on {day:%d %B}. "
                f"Ukraine asked its allies for air defence.")
        article = make_article(text, published=day, title=f"Shelling, day {i}")
        events = [
            Event(id=f"w{i}-a", type="ASSAULT", mode="artillery" if i % 2 else None,
                  source=rus, target=ukr, date=day, date_precision="day",
                  evidence=span(text, "Russian forces shelled Kharkiv"), confidence=0.9),
            Event(id=f"w{i}-r", type="REQUEST", source=ukr, target=None, date=day,
                  date_precision="day",
                  evidence=span(text, "Ukraine asked its allies for air defence"),
                  confidence=0.7),
        ]
        docs.append(Document(**article.model_dump(exclude={"origin"}), events=events,
                             coder=CODER))
    return docs


def all_docs() -> list[Document]:
    return [belarus_doc(), hostile_doc(), *war_docs()]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run `app` with uvicorn on 127.0.0.1:<free port> in a thread; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
