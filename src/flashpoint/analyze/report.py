"""Situation reports: what happened in a period, shown with its evidence, as HTML or Markdown.

`build_report` gathers the numbers (a `Report`: plain data, checked by tests);
`charts.py` draws them; `render_report` fills a Jinja2 template. Article text is hostile
input, so the HTML template is autoescaped, the Markdown one escapes every value from
the data (`md` filter), and only http(s) URLs ever become links. The HTML page loads
nothing from outside (charts are embedded PNGs) and forbids scripts with a CSP.

Sections:

- scope and totals (articles, events, statements, dyads; the period);
- charts: daily events by quad class, daily PLOVER intensity, top dyads, actors most
  mentioned (the last one works even before events are coded);
- notable events: the most intense ones (|PLOVER score| x confidence, then sources)
  with their evidence quote, modality and a link to the article;
- leaders' statements that threaten, promise, demand, refuse or accuse;
- what changed: each dyad's events per day in the recent days against its baseline
  (the `baseline_days` before them), days that stand out (robust z-score), and the
  alerts `flashpoint alerts run` stored for the period.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
import sqlalchemy as sa
from markupsafe import Markup

from flashpoint.analyze import charts, records, scores
from flashpoint.analyze.alert_store import AlertRow, list_alerts
from flashpoint.analyze.alerts import Anomaly, Finding, Rule, evaluate
from flashpoint.analyze.filters import EventFilter, filtered_events, newest_coding
from flashpoint.analyze.series import daily_series, label, totals
from flashpoint.errors import ConfigError
from flashpoint.store import Store
from flashpoint.store import schema as tables

ReportFormat = Literal["html", "md"]
RECENT_DAYS = 7  # without --since, "recent" is the last week of data
NOTABLE = 12
STATEMENTS = 15
TOP = 10
ALERTS = 20
FUNCTION_LABELS = {
    "THREATEN": "threat", "AGREE": "promise", "REQUEST": "demand", "REJECT": "refusal",
    "ACCUSE": "accusation", "SUPPORT": "support", "CONCEDE": "concession",
    "CONSULT": "meeting", "SANCTION": "sanction",
}


@dataclass(frozen=True)
class Change:
    """One dyad's rate now against its baseline."""

    dyad: str
    recent: int
    baseline: int
    recent_per_day: float
    baseline_per_day: float

    @property
    def new(self) -> bool:
        return self.baseline == 0 and self.recent > 0

    @property
    def delta(self) -> float:
        return round(self.recent_per_day - self.baseline_per_day, 3)


@dataclass
class Report:
    """Everything a situation report shows, as plain data."""

    scope: str
    generated: dt.datetime
    database: str
    first: dt.date | None
    last: dt.date | None
    recent_start: dt.date | None
    baseline_start: dt.date | None
    articles: int
    events: int
    sources: int
    statements: int
    quads: dict[int, int]
    n_dyads: int
    dyads: list[tuple[str, int]]  # the busiest, at most TOP
    types: list[tuple[str, int]]
    actors: list[tuple[str, str, int]]  # (code, name, articles mentioning it)
    notable: list[dict[str, Any]]
    leader_statements: list[dict[str, Any]]
    changes: list[Change]
    unusual: list[Finding]
    alerts: list[AlertRow] = field(default_factory=list)
    charts: list[charts.Chart] = field(default_factory=list)
    daily: dict[dt.date, tuple[int, int, int, int]] = field(default_factory=dict)
    intensity: dict[dt.date, float] = field(default_factory=dict)


def _period_articles(flt: EventFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    art = tables.articles
    if flt.since is not None:
        where.append(art.c.published >= flt.since)
    if flt.until is not None:
        where.append(art.c.published <= flt.until)
    if flt.actor:
        # aliases: the outer query may select from mentions itself (no auto-correlation)
        ev, men = tables.events.alias("scope_events"), tables.mentions.alias("scope_mentions")
        where.append(sa.or_(
            sa.exists().where(men.c.article_id == art.c.id, men.c.actor_code.in_(flt.actor)),
            sa.exists().where(ev.c.article_id == art.c.id, sa.or_(
                ev.c.source_code.in_(flt.actor), ev.c.target_code.in_(flt.actor))),
        ))
    return where


def _actors(store: Store, flt: EventFilter
            ) -> tuple[int, list[tuple[str, str, int]], dt.date | None, dt.date | None]:
    """(articles in scope, top actors by articles mentioning them, first and last
    publication day in scope). An actor is named by its most frequent country-kind
    mention, else its most frequent mention ("Poland" rather than "Warsaw")."""
    art, men = tables.articles, tables.mentions
    where = _period_articles(flt)
    n = sa.func.count(sa.distinct(men.c.article_id)).label("n")
    top = (
        sa.select(men.c.actor_code, n).join(art, art.c.id == men.c.article_id)
        .where(men.c.actor_code.is_not(None), *where)
        .group_by(men.c.actor_code).order_by(n.desc(), men.c.actor_code).limit(TOP)
    )
    with store.db.read() as conn:
        count, first, last = conn.execute(
            sa.select(sa.func.count(), sa.func.min(art.c.published),
                      sa.func.max(art.c.published)).select_from(art).where(*where)
        ).one()
        ranked = [(str(code), int(k)) for code, k in conn.execute(top).all()]
        names = conn.execute(
            sa.select(men.c.actor_code, men.c.actor_name, men.c.kind, sa.func.count())
            .where(men.c.actor_code.in_([code for code, _ in ranked]))
            .group_by(men.c.actor_code, men.c.actor_name, men.c.kind)
        ).all()
    best: dict[str, tuple[bool, int, str]] = {}
    for code, name, kind, k in names:
        candidate = (kind == "country", int(k), str(name))
        if code not in best or candidate[:2] > best[code][:2]:
            best[code] = candidate
    actors = [(code, best[code][2] if code in best else code, k) for code, k in ranked]
    return int(count or 0), actors, first, last


def _notable(store: Store, flt: EventFilter) -> list[dict[str, Any]]:
    fe = filtered_events(flt)
    query = (
        sa.select(*fe.c, tables.articles.c.text.label("article_text"))
        .join(tables.articles, tables.articles.c.id == fe.c.article_id)
        .order_by((sa.func.abs(fe.c.score) * fe.c.confidence).desc().nulls_last(),
                  fe.c.sources.desc(), fe.c.day.desc(), fe.c.id)
        .limit(NOTABLE)
    )
    with store.db.read() as conn:
        found = [records.record_of_row(row) for row in conn.execute(query).mappings()]
    for record in found:
        record["quote"] = _quote(record)
        record["when"] = _when(record["date"], record["datePrecision"])
    return found


def _when(day: str | None, precision: str | None) -> str:
    """A date as precise as it is known: "2019" for "in 2019", "2024-03" for a month."""
    if day is None:
        return "undated"
    if precision == "year":
        return day[:4]
    if precision == "month":
        return day[:7]
    if precision == "week":
        return f"week of {day}"
    return day


def _quote(record: dict[str, Any]) -> dict[str, str]:
    """The event's sentence split around its evidence, for highlighting."""
    info, sentence = record["textInfo"], record["text"]
    if sentence is None or info["sentenceStart"] is None:
        return {"before": "", "match": record["eventText"], "after": ""}
    start = info["start"] - info["sentenceStart"]
    end = info["end"] - info["sentenceStart"]
    return {"before": sentence[:start], "match": sentence[start:end], "after": sentence[end:]}


def _statements(store: Store, flt: EventFilter) -> tuple[int, list[dict[str, Any]]]:
    """(statements in scope, leaders' statements that do something: threat, promise...)."""
    st, art, cod = tables.statements, tables.articles, tables.codings
    joined = st.join(cod, sa.and_(cod.c.article_id == st.c.article_id,
                                  cod.c.coder_version == st.c.coder_version)
                     ).join(art, art.c.id == st.c.article_id)
    where: list[sa.ColumnElement[bool]] = [
        newest_coding() if flt.coder_version is None else st.c.coder_version == flt.coder_version
    ]
    if flt.since is not None:
        where.append(art.c.published >= flt.since)
    if flt.until is not None:
        where.append(art.c.published <= flt.until)
    if flt.actor:
        where.append(st.c.speaker_actor_code.in_(flt.actor))
    if not flt.include_negated:
        where.append(st.c.negated.is_(False))
    if not flt.include_hypothetical:
        where.append(st.c.hypothetical.is_(False))
    doing = [*where, st.c.function.in_(FUNCTION_LABELS), st.c.speaker_actor_code.is_not(None)]
    query = (
        sa.select(st.c.id, st.c.function, st.c.speaker_text, st.c.speaker_actor_code,
                  st.c.speaker_actor_name, st.c.speaker_actor_sector, st.c.content_text,
                  st.c.content_start, st.c.content_end, st.c.direct, st.c.future,
                  st.c.condition_text, art.c.id.label("article_id"), art.c.url,
                  art.c.title, art.c.published)
        .select_from(joined).where(*doing)
        .order_by(art.c.published.desc().nulls_last(), art.c.seq.desc(), st.c.ordinal)
        .limit(STATEMENTS)
    )
    with store.db.read() as conn:
        count = conn.scalar(sa.select(sa.func.count()).select_from(joined).where(*where))
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["label"] = FUNCTION_LABELS.get(row["function"], row["function"])
    return int(count or 0), rows


def _changes(store: Store, flt: EventFilter, recent_start: dt.date, last: dt.date,
             baseline_days: int) -> tuple[list[Change], list[Finding]]:
    baseline_start = recent_start - dt.timedelta(days=baseline_days)
    wide = flt.replace(since=baseline_start, until=last)
    points = daily_series(store, wide, by="dyad")
    recent_days = (last - recent_start).days + 1
    counts: dict[str, list[int]] = {}
    for point in points:
        pair = counts.setdefault(label(point.key, "dyad"), [0, 0])
        pair[0 if point.day >= recent_start else 1] += point.events
    changes = [
        Change(dyad=name, recent=now, baseline=before,
               recent_per_day=round(now / recent_days, 3),
               baseline_per_day=round(before / baseline_days, 3))
        for name, (now, before) in counts.items()
    ]
    changes.sort(key=lambda c: (-abs(c.delta), c.dyad))
    rule = Rule(name="report-anomaly", by="dyad",
                anomaly=Anomaly(baseline=baseline_days, min_history=1))
    unusual = evaluate(rule, points, start=baseline_start, end=last, check_from=recent_start)
    return changes[:TOP], unusual


def _extreme(pick: Any, *days: dt.date | None) -> dt.date | None:
    known = [day for day in days if day is not None]
    return pick(known) if known else None


def build_report(store: Store, flt: EventFilter | None = None, *, baseline_days: int = 28,
                 generated: dt.datetime | None = None, with_charts: bool = True) -> Report:
    """Gather a situation report for the events `flt` selects (default: everything)."""
    if baseline_days < 1:
        raise ConfigError(f"baseline_days must be at least 1, got {baseline_days}")
    flt = flt or EventFilter()
    generated = generated or dt.datetime.now(dt.UTC)
    daily = daily_series(store, flt, by="total")
    dyads = daily_series(store, flt, by="dyad")
    types = daily_series(store, flt, by="type")
    articles, actors, first_article, last_article = _actors(store, flt)
    n_statements, said = _statements(store, flt)
    # The period: what the filter says, else everything in scope, events (which may be
    # dated before their article, "since 2015") and articles alike.
    first = flt.since or _extreme(min, daily[0].day if daily else None, first_article)
    last = flt.until or _extreme(max, daily[-1].day if daily else None, last_article)
    recent_start = baseline_start = None
    changes: list[Change] = []
    unusual: list[Finding] = []
    if first is not None and last is not None:
        recent_start = flt.since or max(first, last - dt.timedelta(days=RECENT_DAYS - 1))
        baseline_start = recent_start - dt.timedelta(days=baseline_days)
        changes, unusual = _changes(store, flt, recent_start, last, baseline_days)
    dyad_totals = totals(dyads)
    quads = Counter[int]()
    for point in daily:
        for q, n in enumerate(point.quads, start=1):
            quads[q] += n
    report = Report(
        scope=flt.describe(), generated=generated, database=store.display_url,
        first=first, last=last, recent_start=recent_start, baseline_start=baseline_start,
        articles=articles, events=sum(p.events for p in daily),
        sources=sum(p.sources for p in daily), statements=n_statements,
        quads={q: quads[q] for q in (1, 2, 3, 4)}, n_dyads=len(dyad_totals),
        dyads=[(label(k, "dyad"), n) for k, n in list(dyad_totals.items())[:TOP]],
        types=[(str(k[0]), n) for k, n in list(totals(types).items())[:TOP]],
        actors=actors, notable=_notable(store, flt), leader_statements=said,
        changes=changes, unusual=unusual,
        alerts=list_alerts(store, since=first, until=last, actors=flt.actor, limit=ALERTS),
        daily={p.day: p.quads for p in daily},
        intensity={p.day: p.intensity for p in daily},
    )
    if with_charts:
        report.charts = charts.report_charts(report)
    return report


# -- rendering ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def md_escape(value: Any) -> str:
    """Text safe to put in Markdown: HTML-escaped (Markdown allows raw HTML) and with
    Markdown punctuation backslash-escaped, on one line."""
    text = re.sub(r"\s+", " ", str("" if value is None else value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def safe_url(value: Any) -> str | None:
    """`value` when it is an http(s) URL without whitespace or quotes, else None.

    Keeps `javascript:` and other schemes out of every href the report writes."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not re.match(r"^https?://[^\s\"'<>()]+$", url, re.IGNORECASE):
        return None
    return url


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flashpoint.analyze", "templates"),
        autoescape=autoescape, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["md"] = md_escape
    env.filters["safe_url"] = safe_url
    env.globals["quad_names"] = scores.QUAD_NAMES
    return env


def render_report(report: Report, fmt: ReportFormat, *,
                  image_paths: list[str] | None = None) -> str:
    """The report as HTML or Markdown text.

    HTML embeds the charts as base64 PNG; Markdown links `image_paths` (one per chart)
    when given, else embeds data URIs.
    """
    if fmt not in ("html", "md"):
        raise ConfigError(f"report format must be html or md, not {fmt!r}")
    sources = image_paths or [
        "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")
        for chart in report.charts
    ]
    images = [
        {"title": chart.title, "alt": chart.alt,
         "src": Markup(src) if fmt == "html" else src}  # noqa: S704 - built above, not input
        for chart, src in zip(report.charts, sources, strict=True)
    ]
    env = _environment(autoescape=fmt == "html")
    template = env.get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    return template.render(r=report, images=images)


def write_report(report: Report, fmt: ReportFormat, output: str | os.PathLike[str]) -> Path:
    """Render the report into the file `output`.

    For Markdown, charts are written as PNG files in `<name>_files/` beside it and
    linked relatively; HTML embeds them.
    """
    path = Path(output)
    image_paths: list[str] | None = None
    if fmt == "md" and report.charts:
        folder = path.with_name(path.stem + "_files")
        folder.mkdir(parents=True, exist_ok=True)
        image_paths = []
        for n, chart in enumerate(report.charts, start=1):
            png = folder / f"chart-{n}.png"
            png.write_bytes(chart.png)
            image_paths.append(f"{folder.name}/{png.name}")
    path.write_text(render_report(report, fmt, image_paths=image_paths), encoding="utf-8")
    return path
