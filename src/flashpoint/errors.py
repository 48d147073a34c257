"""flashpoint's exceptions: a small tree so callers can catch as broadly as they need.

    FlashpointError
    ├── InputError          an input item cannot be read or parsed (per item; batches go on)
    │   ├── NotFoundError       no such path, or a glob that matches nothing
    │   ├── UnreadableError     the operating system refused to read it
    │   ├── TooLargeError       over the per-item size limit
    │   ├── GzipError           truncated or corrupt gzip data
    │   ├── EmptyInputError     nothing but whitespace
    │   ├── BinaryInputError    not text at all
    │   ├── FormatError         text, but not in the format it claims (bad JSON line, ...)
    │   └── NoContentError      readable, but no article body in it (broken HTML, ...)
    ├── StoreError          the database cannot be opened, migrated or written
    ├── WorkerError         a worker process (--workers, Ray) died or could not start
    └── ConfigError         a setting or option has an impossible value

Library code raises these; the CLI turns them into readable messages and exit codes.
"""

from __future__ import annotations


class FlashpointError(Exception):
    """Base of every error flashpoint raises on purpose."""


class InputError(FlashpointError):
    """An input item could not be turned into an Article."""

    kind = "input"


class EmptyInputError(InputError):
    kind = "empty"


class BinaryInputError(InputError):
    kind = "binary"


class FormatError(InputError):
    kind = "format"


class NotFoundError(InputError):
    """A path that does not exist, or a glob pattern that matches nothing."""

    kind = "not_found"


class TooLargeError(InputError):
    """An item over `ReadOptions.max_bytes`."""

    kind = "too_large"


class GzipError(InputError):
    """Truncated or corrupt gzip data."""

    kind = "gzip"


class NoContentError(InputError):
    """Readable input in which no article body was found (broken HTML, no text field)."""

    kind = "no_content"


class UnreadableError(InputError):
    """The operating system refused to read the input (permissions, a device, ...)."""

    kind = "unreadable"


class StoreError(FlashpointError):
    """The database could not be opened, migrated or written."""


class WorkerError(FlashpointError):
    """A worker process died (killed, out of memory) or could not start: the articles it
    held are not coded, and a re-run codes what is stored but not coded yet."""


class ConfigError(FlashpointError):
    """A setting or option has a value flashpoint cannot use."""
