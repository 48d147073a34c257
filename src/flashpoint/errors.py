"""flashpoint's exceptions: a small tree so callers can catch as broadly as they need.

    FlashpointError
    ├── InputError          an input item cannot be read or parsed (per item; batches go on)
    │   ├── EmptyInputError     nothing but whitespace
    │   ├── BinaryInputError    not text at all
    │   └── FormatError         text, but not in the format it claims (bad JSON line, ...)
    ├── StoreError          the database cannot be opened, migrated or written
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


class StoreError(FlashpointError):
    """The database could not be opened, migrated or written."""


class ConfigError(FlashpointError):
    """A setting or option has a value flashpoint cannot use."""
