"""flashpoint's web side: the REST API (FastAPI, /api, docs at /docs) and the dashboard.

    from flashpoint.serve import create_app, ServerSettings
    app = create_app("flashpoint.db")             # read-only; run with uvicorn

`flashpoint serve --db URL` runs it (see `flashpoint.serve.cli`); docs/api.md and
docs/dashboard.md describe the endpoints and pages. The names below load lazily, so the
CLI does not import FastAPI for commands that never serve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flashpoint.serve.app import create_app
    from flashpoint.serve.settings import ServerSettings, load_token

__all__ = ["ServerSettings", "create_app", "load_token"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from flashpoint.serve.app import create_app

        return create_app
    if name in ("ServerSettings", "load_token"):
        from flashpoint.serve import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'flashpoint.serve' has no attribute {name!r}")
