"""Server settings: one `(name, default, help)` table drives the CLI, the docs and the app.

Secrets never sit in the table's defaults or on the command line: the API token comes
from `$FLASHPOINT_API_TOKEN` or from a file (`--token-file`, mode 600 advised). Without a
token the server is read-only: every endpoint that writes answers 403. With one, writes
need `Authorization: Bearer <token>` (compared in constant time) and answer 401 without it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from flashpoint.errors import ConfigError

TOKEN_ENV = "FLASHPOINT_API_TOKEN"
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", "Interface to listen on (127.0.0.1 keeps it on this machine)."),
    Setting("port", 8000, "TCP port."),
    Setting("max_body_bytes", 2_000_000, "Largest request body accepted (413 above)."),
    Setting("max_page", 1000, "Largest page size a list endpoint returns."),
    Setting("cors_origins", (), "Origins allowed to call the API from a browser (none by "
            "default; '*' is refused)."),
    Setting("token_file", None, f"File holding the API token (else ${TOKEN_ENV})."),
    Setting("cache_mb", 64, "Memory for answers to repeated GET requests, kept until the "
            "store changes (0: no cache)."),
    Setting("compute_slots", 2, "Pages each server process computes at once; further "
            "requests wait, the newest first once a queue forms (0: no limit)."),
)


@dataclass(frozen=True)
class ServerSettings:
    """Everything `create_app` needs besides the database URL."""

    token: str | None = field(default=None, repr=False)
    max_body_bytes: int = 2_000_000
    max_page: int = 1000
    cors_origins: tuple[str, ...] = ()
    cache_bytes: int = 64_000_000
    # Endpoints run at once per process (serve/admission.py); 0 lets all of them in.
    compute_slots: int = 2
    # Set by `flashpoint serve --workers N`: the directory of the answers its processes
    # share (serve/shared_answers.py); None keeps each process's answers to itself.
    shared_answers_dir: str | None = None
    # Ask the process's own routes for the commonest pages before it accepts connections
    # (serve/warm.py), so that the first users after a start do not pay for first calls.
    warm_up: bool = True

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise ConfigError(f"the API token must have at least {MIN_TOKEN_CHARS} characters")
        if self.max_body_bytes < 1:
            raise ConfigError("max_body_bytes must be positive")
        if self.compute_slots < 0:
            raise ConfigError("compute_slots must be 0 (no limit) or positive")
        if self.cache_bytes < 0:
            raise ConfigError("cache_bytes must be 0 (no cache) or positive")
        for origin in self.cors_origins:
            if origin == "*" or "*" in origin:
                raise ConfigError("wildcard CORS origins are refused; list each origin")
            if not origin.startswith(("http://", "https://")):
                raise ConfigError(f"CORS origin must start with http:// or https://: {origin!r}")

    @property
    def writable(self) -> bool:
        """Server mode: writes allowed (with the token)."""
        return self.token is not None


def load_token(token_file: str | os.PathLike[str] | None = None) -> str | None:
    """The API token from `token_file`, else `$FLASHPOINT_API_TOKEN`, else None."""
    if token_file is not None:
        path = Path(token_file)
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the token file {path}: {exc.strerror}") from exc
        if not token:
            raise ConfigError(f"the token file {path} is empty")
        return token
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None
