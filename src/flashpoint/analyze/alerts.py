"""Alert rules (YAML) and what they find in the daily series: thresholds and anomalies.

A rules file lists rules; each says which events to watch (who, to whom, which types and
modes), how to group them (per dyad by default) and when to alert:

```yaml
rules:
  - name: belarus-poland-pressure
    source: BLR
    target: POL
    types: [THREATEN, MOBILIZE, ASSAULT]
    threshold: {events: 3, window: 7d}     # >= 3 events within any 7 days
  - name: dyad-spike
    by: dyad
    anomaly: {baseline: 28d, z: 3.5, min_events: 3}
```

- **threshold**: the sum of `metric` over the trailing `window` days reaches the limit.
  It alerts on the day the sum crosses the limit, not again on each following day while
  it stays above (one alert per episode).
- **anomaly**: a day's value against the group's *own* trailing baseline (the
  `baseline` days before it): robust z = (value - median) / max(1.4826 * MAD, min_scale).
  The median and the MAD ignore a single earlier spike, so one burst does not hide the
  next; `min_scale` stops a flat baseline (MAD 0) from turning any blip into infinity;
  `min_events` keeps one stray event after a quiet month from alerting.

This module is pure: rules in, `Finding`s out, given the series. `alert_store` stores
them (deduplicated) and posts them to a webhook.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from flashpoint.analyze.filters import EventFilter, parse_day
from flashpoint.analyze.series import (
    KEY_NAMES,
    METRICS,
    Grouping,
    Key,
    SeriesPoint,
    by_key,
    daily_series,
    day_range,
    days,
    dense,
    label,
)
from flashpoint.errors import ConfigError
from flashpoint.store import Store

MAD_TO_SD = 1.4826  # scales the MAD to a standard deviation for normal data


def _window_days(value: Any, name: str) -> int:
    """"7d" / "2w" / 7 -> a number of days (>= 1)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number of days or a span like 7d")
    if isinstance(value, int):
        n = value
    else:
        text = str(value).strip().lower()
        units = {"d": 1, "w": 7}
        if text[-1:] in units and text[:-1].strip().isdigit():
            n = int(text[:-1]) * units[text[-1]]
        elif text.isdigit():
            n = int(text)
        else:
            raise ValueError(f"{name} must be a number of days or a span like 7d or 2w, "
                             f"got {value!r}")
    if n < 1:
        raise ValueError(f"{name} must be at least 1 day")
    return n


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    """Alert when the `window`-day sum of the metric reaches `events` (or `value`)."""

    events: float | None = Field(default=None, gt=0)
    value: float | None = None
    window: int = 7

    @field_validator("window", mode="before")
    @classmethod
    def _window(cls, value: Any) -> int:
        return _window_days(value, "window")

    @model_validator(mode="after")
    def _has_limit(self) -> Threshold:
        if (self.events is None) == (self.value is None):
            raise ValueError("threshold needs one of `events` or `value`")
        return self

    @property
    def limit(self) -> float:
        """The level the window's sum must reach."""
        return self.events if self.events is not None else float(self.value or 0.0)


class Anomaly(_Strict):
    """Alert when a day stands out against the group's own trailing baseline."""

    baseline: int = 28
    z: float = Field(default=3.5, gt=0)
    min_events: float = Field(default=3, ge=0)
    min_history: int = 7
    min_scale: float = Field(default=1.0, gt=0)

    @field_validator("baseline", "min_history", mode="before")
    @classmethod
    def _days(cls, value: Any) -> int:
        return _window_days(value, "baseline")


class Rule(_Strict):
    """One alert rule: which events, grouped how, and threshold or anomaly."""

    name: str = Field(min_length=1)
    actor: list[str] = Field(default_factory=list)
    source: list[str] = Field(default_factory=list)
    target: list[str] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list)
    modes: list[str] = Field(default_factory=list)
    by: Grouping = "dyad"
    metric: Literal["events", "sources", "intensity", "conflict"] = "events"
    include_negated: bool = False
    include_hypothetical: bool = False
    threshold: Threshold | None = None
    anomaly: Anomaly | None = None

    @field_validator("actor", "source", "target", "types", "modes", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_test(self) -> Rule:
        if (self.threshold is None) == (self.anomaly is None):
            raise ValueError("give exactly one of `threshold` or `anomaly`")
        return self

    def event_filter(self, base: EventFilter | None = None) -> EventFilter:
        """The events this rule watches (dates and coder from `base`)."""
        base = base or EventFilter()
        return base.replace(
            actor=tuple(self.actor), source=tuple(self.source), target=tuple(self.target),
            types=tuple(self.types), modes=tuple(self.modes),
            include_negated=self.include_negated,
            include_hypothetical=self.include_hypothetical,
        )


class RuleSet(_Strict):
    rules: list[Rule] = Field(min_length=1)

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[Rule]) -> list[Rule]:
        names = [rule.name for rule in rules]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"rule names must be unique; repeated: {', '.join(twice)}")
        return rules


def load_rules(path: str | Path) -> list[Rule]:
    """Rules from a YAML file; `ConfigError` says what is wrong and where."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read rules file {path}: {exc.strerror or exc}") from None
    return parse_rules(text, where=str(path))


def parse_rules(text: str, *, where: str = "rules") -> list[Rule]:
    """Rules from YAML text; `ConfigError` names the line or the rule field at fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where} is not valid YAML{at}: {problem}") from None
    if not isinstance(data, dict) or "rules" not in data:
        raise ConfigError(f"{where} must be a mapping with a `rules:` list")
    try:
        return RuleSet.model_validate(data).rules
    except ValidationError as exc:
        problems = "; ".join(
            f"{_where(data, err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"{where} has invalid rules: {problems}") from None


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """"rules[1] (dyad-spike).anomaly.z" from a pydantic error location."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            name = ""
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                if isinstance(node, dict) and node.get("name"):
                    name = f" ({node['name']})"
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}]{name}"]
        else:
            node = node.get(item) if isinstance(node, dict) else None
            parts.append(str(item))
    return ".".join(parts) or "rules"


class Finding(_Strict):
    """One alert: a rule fired for one group on one day."""

    rule: str
    kind: Literal["threshold", "anomaly"]
    grouping: str
    subject: dict[str, str | None]
    day: dt.date
    window_start: dt.date
    metric: str
    value: float
    expected: float | None
    score: float | None
    message: str
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identity for deduplication: rule, kind, group and day."""
        ident = json.dumps([self.rule, self.kind, self.grouping, self.subject,
                            self.day.isoformat()], sort_keys=True)
        return hashlib.sha256(ident.encode()).hexdigest()[:32]


def robust_z(value: float, baseline: Sequence[float], min_scale: float = 1.0
             ) -> tuple[float, float, float]:
    """(z, median, scale) of `value` against `baseline` (median / MAD based)."""
    median = statistics.median(baseline)
    mad = statistics.median([abs(x - median) for x in baseline])
    scale = max(MAD_TO_SD * mad, min_scale)
    return (value - median) / scale, median, scale


def threshold_findings(rule: Rule, key: Key, values: Sequence[float], start: dt.date,
                       check_from: dt.date | None = None) -> list[Finding]:
    """Threshold crossings in one group's dense daily series beginning on `start`."""
    assert rule.threshold is not None
    window, limit = rule.threshold.window, rule.threshold.limit
    found: list[Finding] = []
    above = False
    for i, day in enumerate(days(start, start + dt.timedelta(days=len(values) - 1))):
        total = sum(values[max(0, i - window + 1): i + 1])
        crossed = total >= limit and not above
        above = total >= limit
        if not crossed or (check_from is not None and day < check_from):
            continue
        first = day - dt.timedelta(days=window - 1)
        found.append(Finding(
            rule=rule.name, kind="threshold", grouping=rule.by,
            subject=dict(zip(KEY_NAMES[rule.by], key, strict=True)), day=day,
            window_start=first, metric=rule.metric, value=total, expected=limit, score=None,
            message=(f"{label(key, rule.by)}: {total:g} {rule.metric} in {window} days "
                     f"to {day.isoformat()} (threshold {limit:g})"),
            details={"window_days": window},
        ))
    return found


def anomaly_findings(rule: Rule, key: Key, values: Sequence[float], start: dt.date,
                     check_from: dt.date | None = None) -> list[Finding]:
    """Days of one group's dense daily series that stand out from its trailing baseline."""
    assert rule.anomaly is not None
    spec = rule.anomaly
    found: list[Finding] = []
    for i, value in enumerate(values):
        day = start + dt.timedelta(days=i)
        if i < spec.min_history or value < spec.min_events:
            continue
        if check_from is not None and day < check_from:
            continue
        baseline = values[max(0, i - spec.baseline): i]
        z, median, scale = robust_z(value, baseline, spec.min_scale)
        if z < spec.z:
            continue
        found.append(Finding(
            rule=rule.name, kind="anomaly", grouping=rule.by,
            subject=dict(zip(KEY_NAMES[rule.by], key, strict=True)), day=day,
            window_start=day - dt.timedelta(days=len(baseline)), metric=rule.metric,
            value=value, expected=median, score=round(z, 3),
            message=(f"{label(key, rule.by)}: {value:g} {rule.metric} on {day.isoformat()} "
                     f"against a median of {median:g} over the previous {len(baseline)} "
                     f"days (robust z {z:.1f})"),
            details={"baseline_days": len(baseline), "scale": scale},
        ))
    return found


def evaluate(rule: Rule, points: Sequence[SeriesPoint], *, start: dt.date | None = None,
             end: dt.date | None = None, check_from: dt.date | None = None) -> list[Finding]:
    """What `rule` finds in `points` (the rule's series), day by day from `start` to `end`.

    Every group's series runs from `start` (default: the first day any group has events)
    so that quiet days before a dyad's first event are real zeros of its baseline, to
    `end` (default: the last day with events). Only days on or after `check_from` alert.
    """
    if rule.metric not in METRICS:  # pragma: no cover - the Literal already guards it
        raise ConfigError(f"unknown metric {rule.metric!r}")
    if not points:
        return []
    first = min([point.day for point in points] + ([start] if start else []))
    last = end or max(point.day for point in points)
    found: list[Finding] = []
    for key, per_day in by_key(points).items():
        values = dense(per_day, first, last, rule.metric)
        detect = threshold_findings if rule.threshold is not None else anomaly_findings
        found.extend(detect(rule, key, values, first, check_from))
    return sorted(found, key=lambda f: (f.day, f.rule, json.dumps(f.subject)))


def find_alerts(store: Store, rules: Sequence[Rule], *, base: EventFilter | None = None,
                since: str | dt.date | None = None, end: dt.date | None = None
                ) -> list[Finding]:
    """Run every rule against the store's series; `since` limits the days that may alert
    (the baseline still looks further back). Series run from the first to the last day
    with any event in the store (`base` narrows which events count at all)."""
    check_from = parse_day(since, name="since")
    # The store's data starts here: before a dyad's first event, its days are real zeros.
    start, last = day_range(store, base)
    found: list[Finding] = []
    for rule in rules:
        points = daily_series(store, rule.event_filter(base), by=rule.by)
        found.extend(evaluate(rule, points, start=start, end=end or last,
                              check_from=check_from))
    return found
