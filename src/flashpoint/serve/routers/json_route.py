"""API routes whose JSON answer is made in the endpoint's own thread.

FastAPI runs a plain `def` endpoint in the endpoint thread pool (a few threads per
process, serve/app.py), then checks its return value against the declared return type in
the pool *again*, as a second turn: the request goes back to the end of the line. In a
burst of uncached requests every /api/ answer therefore waited until the whole burst had
been computed, while the dashboard's pages (which return a finished Response) went out
one by one (bench/load.py at a cold start: event lists all finished together in the last
tenth of a second of a two-second burst).

`JsonRoute` wraps a plain endpoint so that the same thread serialises its value with the
TypeAdapter of its declared return type, as FastAPI's own fast path does, and returns a
finished Response: one turn in the pool a request, the same bytes. The route's
signature, return type and OpenAPI description stay those of the endpoint (FastAPI
follows `__wrapped__`). Async endpoints and endpoints that return a Response themselves
(downloads) are passed through unchanged.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from starlette.responses import Response


class JsonRoute(APIRoute):
    """An APIRoute that serialises a plain endpoint's answer in the endpoint's thread."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint) and not inspect.isgeneratorfunction(
                endpoint):
            endpoint = answering_json(endpoint, kwargs.get("status_code") or 200)
        super().__init__(path, endpoint, **kwargs)


def answering_json(endpoint: Callable[..., Any], status_code: int) -> Callable[..., Any]:
    """`endpoint`, returning its value as a finished JSON Response with `status_code`."""
    declared = get_typed_return_annotation(endpoint)
    adapter: TypeAdapter[Any] = TypeAdapter(Any if declared is None else declared)

    @functools.wraps(endpoint)
    def answer(*args: Any, **kwargs: Any) -> Any:
        value = endpoint(*args, **kwargs)
        if isinstance(value, Response):
            return value
        # validate, then dump: what FastAPI does with a declared return type
        body = adapter.dump_json(adapter.validate_python(value))
        return Response(body, status_code=status_code, media_type="application/json")

    return answer
