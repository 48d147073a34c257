"""The report's charts as PNG bytes, drawn with matplotlib's object API on the Agg backend.

`Figure` + `FigureCanvasAgg` are used directly instead of `pyplot`: no global figure
state, no GUI backend chosen from the environment, nothing left open between calls, so
reports can be drawn from a server thread as well as from the CLI.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from flashpoint.analyze.scores import QUAD_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from flashpoint.analyze.report import Report

QUAD_COLOURS = {1: "#4c9f70", 2: "#1f6f8b", 3: "#e0a030", 4: "#c8413b"}
DPI = 100


@dataclass(frozen=True)
class Chart:
    """One chart: a title, a text alternative (what it shows, in words) and the PNG."""

    title: str
    alt: str
    png: bytes


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight",
                metadata={"Software": None})
    return buffer.getvalue()


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _x(days: list[dt.date]) -> Any:
    """Matplotlib's day numbers for `days` (its typed API takes numbers, not dates)."""
    return mdates.date2num(days)  # type: ignore[no-untyped-call]


def _date_axis(ax: Any) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)


def bin_start(day: dt.date, unit: str) -> dt.date:
    """The first day of the day's week (Monday) or month, or the day itself."""
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def bin_unit(first: dt.date, last: dt.date) -> str:
    """Days for up to ~4 months, weeks up to 2 years, months beyond: bars stay visible."""
    span = (last - first).days
    return "day" if span <= 120 else "week" if span <= 730 else "month"


def _bins(first: dt.date, last: dt.date, unit: str) -> list[dt.date]:
    found: list[dt.date] = []
    for day in _days(first, last):
        start = bin_start(day, unit)
        if not found or found[-1] != start:
            found.append(start)
    return found


_WIDTH = {"day": 0.8, "week": 5.6, "month": 24.0}


def quads_per_day(daily: dict[dt.date, tuple[int, int, int, int]], first: dt.date,
                  last: dt.date) -> Chart:
    """Stacked bars: events per day (per week or month over long periods), by quad class."""
    unit = bin_unit(first, last)
    bins = _bins(first, last, unit)
    binned: dict[dt.date, list[int]] = {start: [0, 0, 0, 0] for start in bins}
    for day, quads in daily.items():
        if first <= day <= last:
            slot = binned[bin_start(day, unit)]
            for i, n in enumerate(quads):
                slot[i] += n
    fig = Figure(figsize=(8, 3.2))
    ax = fig.add_subplot()
    bottom = [0] * len(bins)
    for q in (1, 2, 3, 4):
        heights = [binned[start][q - 1] for start in bins]
        ax.bar(_x(bins), heights, bottom=bottom, color=QUAD_COLOURS[q], label=QUAD_NAMES[q],
               width=_WIDTH[unit], align="edge" if unit != "day" else "center")
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel(f"events per {unit}")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=8, frameon=False,
              ncols=4)
    ax.spines[["top", "right"]].set_visible(False)
    _date_axis(ax)
    total = sum(sum(v) for v in daily.values())
    busiest = max(daily.items(), key=lambda item: (sum(item[1]), item[0]), default=None)
    alt = f"{total} events from {first.isoformat()} to {last.isoformat()}"
    if busiest is not None:
        alt += f"; busiest day {busiest[0].isoformat()} with {sum(busiest[1])}"
    return Chart(f"Events per {unit}, by quad class", alt, _png(fig))


def intensity_per_day(intensity: dict[dt.date, float], first: dt.date, last: dt.date
                      ) -> Chart:
    """Line: the summed PLOVER score per day, week or month (below zero = conflict)."""
    unit = bin_unit(first, last)
    days = _bins(first, last, unit)
    sums = dict.fromkeys(days, 0.0)
    for day, value in intensity.items():
        if first <= day <= last:
            sums[bin_start(day, unit)] += value
    values = [sums[day] for day in days]
    fig = Figure(figsize=(8, 2.6))
    ax = fig.add_subplot()
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.plot(_x(days), values, color="#333333", marker="o", markersize=3, linewidth=1.2)
    ax.fill_between(_x(days), values, 0, where=[v < 0 for v in values], color="#c8413b",
                    alpha=0.25, interpolate=True)
    ax.fill_between(_x(days), values, 0, where=[v > 0 for v in values], color="#4c9f70",
                    alpha=0.25, interpolate=True)
    ax.set_ylabel("PLOVER score (sum)")
    ax.spines[["top", "right"]].set_visible(False)
    _date_axis(ax)
    low = min(values) if values else 0.0
    alt = f"summed PLOVER score per {unit}; lowest {low:g}"
    return Chart(f"Conflict (-) and cooperation (+) per {unit}", alt, _png(fig))


def bars(title: str, items: list[tuple[str, int]], unit: str, colour: str) -> Chart:
    """Horizontal bars, largest on top."""
    shown = items[:10]
    fig = Figure(figsize=(8, 0.45 * max(len(shown), 2) + 0.8))
    ax = fig.add_subplot()
    names = [name for name, _ in shown][::-1]
    values = [value for _, value in shown][::-1]
    ax.barh(names, values, color=colour)
    ax.set_xlabel(unit)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    alt = "; ".join(f"{name}: {value}" for name, value in shown)
    return Chart(title, alt, _png(fig))


def report_charts(report: Report) -> list[Chart]:
    """The charts a report shows (none for what it has no data for)."""
    found: list[Chart] = []
    if report.events and report.first is not None and report.last is not None:
        found.append(quads_per_day(report.daily, report.first, report.last))
        found.append(intensity_per_day(report.intensity, report.first, report.last))
        found.append(bars("Most active dyads (source \u2192 target)", report.dyads,
                          "events", "#1f6f8b"))
    if report.actors:
        found.append(bars("Actors mentioned in the most articles",
                          [(f"{name} ({code})", n) for code, name, n in report.actors],
                          "articles", "#6b5b95"))
    return found
