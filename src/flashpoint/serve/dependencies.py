"""What every route shares: the store, the settings, the token check and filter parsing.

Filter values arrive as strings and are checked here against tight patterns before any
query is built, so a malformed value gets a 422 naming the parameter and saying what is
expected (and a hostile one never reaches SQL, where it would be a bound parameter anyway).

The dependencies are `async def` although they never await: FastAPI runs a plain `def`
dependency in the endpoint thread pool, so a request with three of them queued four times
for one of the few endpoint threads (serve/app.py), each time behind every request that
arrived meanwhile. In a burst, every /api/ answer then waited for the whole burst to be
computed (bench/load.py: event lists all finished together at the end). On the event loop
they cost microseconds of parsing and a request queues once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Query, Request

from flashpoint.analyze.filters import parse_day
from flashpoint.errors import ConfigError
from flashpoint.extract.ontology import ontology
from flashpoint.serve.errors import ApiError
from flashpoint.serve.settings import ServerSettings
from flashpoint.store import Store
from flashpoint.store.browse import ALL_CODERS, EventFilter, StatementFilter

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,31}$")
MODE = re.compile(r"^[a-z0-9][a-z0-9 _-]{0,39}$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")
ARTICLE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
KINDS = ("speech", "belief", "intention")
P = ParamSpec("P")
T = TypeVar("T")
MAX_VALUES = 50
FLAG_VALUES = {"show": None, "both": None, "only": True, "true": True, "yes": True,
               "hide": False, "false": False, "no": False}
FLAG_HELP = "show (default: both), only, or hide"


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]


async def require_token(request: Request, settings: SettingsDep) -> None:
    """Guard for every endpoint that writes: 403 when read-only, 401 without the token."""
    if settings.token is None:
        raise ApiError(403, "this server is read-only; start it with an API token "
                            "($FLASHPOINT_API_TOKEN or --token-file) to allow writes")
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    challenge = {"WWW-Authenticate": "Bearer"}
    if scheme.lower() != "bearer" or not given:
        raise ApiError(401, "this endpoint needs 'Authorization: Bearer <token>'",
                       headers=challenge)
    if not hmac.compare_digest(given.strip().encode(), settings.token.encode()):
        raise ApiError(401, "the API token is wrong", headers=challenge)


# -- value parsing ----------------------------------------------------------------------


def codes(value: str | None, param: str) -> tuple[str, ...]:
    """Comma-separated actor codes, upper-cased and checked."""
    return _list(value, param, CODE, "actor codes like RUS, UKR, IGO, NGO (comma-separated)",
                 upper=True)


def event_types(value: str | None, param: str = "type") -> tuple[str, ...]:
    found = _list(value, param, CODE, "PLOVER event types", upper=True)
    known = ontology().types
    for item in found:
        if item not in known:
            raise ApiError(422, f"{param}: {item!r} is not a PLOVER event type; use one of "
                                f"{', '.join(known)}", param=param)
    return found


def modes(value: str | None) -> tuple[str, ...]:
    return _list(value, "mode", MODE, "PLOVER modes like troops, visit, drone")


def kinds(value: str | None) -> tuple[str, ...]:
    found = _list(value, "kind", MODE, "statement kinds")
    for item in found:
        if item not in KINDS:
            raise ApiError(422, f"kind: {item!r} is not one of {', '.join(KINDS)}", param="kind")
    return found


def _list(value: str | None, param: str, pattern: re.Pattern[str], what: str,
          *, upper: bool = False) -> tuple[str, ...]:
    if value is None or not value.strip():
        return ()
    items = [part.strip() for part in value.split(",") if part.strip()]
    if len(items) > MAX_VALUES:
        raise ApiError(422, f"{param}: at most {MAX_VALUES} values", param=param)
    out: list[str] = []
    for item in items:
        item = item.upper() if upper else item.lower()
        if not pattern.match(item):
            shown = item if len(item) <= 40 else item[:40] + "..."
            raise ApiError(422, f"{param}: {shown!r} is not valid; expected {what}", param=param)
        out.append(item)
    return tuple(out)


def day(value: str | None, param: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return parse_day(value.strip()[:40], name=param)
    except ConfigError as exc:
        raise ApiError(422, str(exc), param=param) from None


def flag(value: str | None, param: str) -> bool | None:
    if value is None or not value.strip():
        return None
    key = value.strip().lower()
    if key not in FLAG_VALUES:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise ApiError(422, f"{param}: {shown!r} is not valid; use {FLAG_HELP}", param=param)
    return FLAG_VALUES[key]


def coder(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value == ALL_CODERS:
        return value
    if not VERSION.match(value):
        raise ApiError(422, "coder: expected a coder version like 0.1.0+nlp.1, or 'all'",
                       param="coder")
    return value


def article_id(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if not ARTICLE_ID.match(value.strip()):
        raise ApiError(422, "article: expected an article id (letters, digits, - and _)",
                       param="article")
    return value.strip()


def _range(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise ApiError(422, f"since ({since}) is after until ({until})", param="since")


# -- filter dependencies ----------------------------------------------------------------

Q = Query
ActorQ = Annotated[str | None, Q(description="Actor codes on either side, comma-separated "
                                             "(RUS,UKR).")]
SourceQ = Annotated[str | None, Q(description="Source (acting) actor codes.")]
TargetQ = Annotated[str | None, Q(description="Target actor codes.")]
TypeQ = Annotated[str | None, Q(description="PLOVER event types (THREATEN,ASSAULT).")]
ModeQ = Annotated[str | None, Q(description="PLOVER modes (troops,visit).")]
SinceQ = Annotated[str | None, Q(description="From this date: 2024-03-01 or 7d, 2w, 3m, 1y.")]
UntilQ = Annotated[str | None, Q(description="Up to this date (inclusive).")]
FlagQ = Annotated[str | None, Q(description=FLAG_HELP)]
CoderQ = Annotated[str | None, Q(description="Coder version; default each article's newest "
                                             "coding; 'all' for every version.")]
ArticleQ = Annotated[str | None, Q(description="Only this article's rows.")]
FactualQ = Annotated[bool, Q(description="Shortcut: hide negated, future, hypothetical and "
                                         "conditional events.")]


def event_filter(
    actor: ActorQ = None, source: SourceQ = None, target: TargetQ = None,
    type: TypeQ = None, mode: ModeQ = None, since: SinceQ = None, until: UntilQ = None,
    negated: FlagQ = None, future: FlagQ = None, hypothetical: FlagQ = None,
    conditional: FlagQ = None, factual: FactualQ = False, coder_version: Annotated[
        str | None, Q(alias="coder", description="Coder version, or 'all'.")] = None,
    article: ArticleQ = None,
) -> EventFilter:
    """The event filter of a request's query string."""
    f = EventFilter(
        actor=codes(actor, "actor"), source=codes(source, "source"),
        target=codes(target, "target"), types=event_types(type), modes=modes(mode),
        since=day(since, "since"), until=day(until, "until"),
        negated=flag(negated, "negated"), future=flag(future, "future"),
        hypothetical=flag(hypothetical, "hypothetical"),
        conditional=flag(conditional, "conditional"),
        coder=coder(coder_version), article=article_id(article),
    )
    _range(f.since, f.until)
    if factual:
        f = EventFilter(**{**f.__dict__, "negated": False, "future": False,
                           "hypothetical": False, "conditional": False})
    return f


def statement_filter(
    speaker: Annotated[str | None, Q(description="Speaker actor codes.")] = None,
    function: Annotated[str | None, Q(description="PLOVER type the statement performs "
                                                   "(THREATEN,AGREE).")] = None,
    kind: Annotated[str | None, Q(description="speech, belief, intention")] = None,
    direct: FlagQ = None, since: SinceQ = None, until: UntilQ = None,
    negated: FlagQ = None, future: FlagQ = None, hypothetical: FlagQ = None,
    conditional: FlagQ = None,
    coder_version: Annotated[str | None, Q(alias="coder", description="Coder version.")] = None,
    article: ArticleQ = None,
) -> StatementFilter:
    """The statement filter of a request's query string."""
    f = StatementFilter(
        speakers=codes(speaker, "speaker"), functions=event_types(function, "function"),
        kinds=kinds(kind), direct=flag(direct, "direct"),
        since=day(since, "since"), until=day(until, "until"),
        negated=flag(negated, "negated"), future=flag(future, "future"),
        hypothetical=flag(hypothetical, "hypothetical"),
        conditional=flag(conditional, "conditional"),
        coder=coder(coder_version), article=article_id(article),
    )
    _range(f.since, f.until)
    return f


def on_loop(build: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """`build` as an async dependency with the same parameters (see the module's
    docstring); the plain function stays callable as it is (the dashboard parses its
    query strings with it)."""
    @functools.wraps(build)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return build(*args, **kwargs)

    return run


EventFilterDep = Annotated[EventFilter, Depends(on_loop(event_filter))]
StatementFilterDep = Annotated[StatementFilter, Depends(on_loop(statement_filter))]


async def page_limit(request: Request, limit: Annotated[int, Q(ge=1, description="Rows per page.")]
               = 50) -> int:
    settings: ServerSettings = request.app.state.settings
    if limit > settings.max_page:
        raise ApiError(422, f"limit: at most {settings.max_page}", param="limit")
    return limit


LimitDep = Annotated[int, Depends(page_limit)]
CursorQ = Annotated[str | None, Q(max_length=2000,
                                  description="The 'next' value of the previous page.")]
