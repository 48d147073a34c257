"""What a caller can tune about reading sources: JSON field names, size limit, defaults.

Options are frozen dataclasses passed down explicitly, never module globals, so two
readers with different settings can run side by side (the first anti-pattern STYLE.md
names is configuration held in mutable globals).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from flashpoint.errors import ConfigError

FieldNames = str | tuple[str, ...]
DEFAULT_MAX_BYTES = 20_000_000  # 20 MB, trafilatura's own MAX_FILE_SIZE


@dataclass(frozen=True)
class JsonlFields:
    """Which JSON keys hold each Article field, for JSONL and JSON input.

    Each field is a key or a tuple of keys tried in order (the first present, non-empty
    value wins). A key may be a dotted path into nested objects (``"meta.url"``). `id`
    is empty by default: articles get content-hash ids (re-ingesting changes nothing);
    name a key to keep the ids a corpus already has.
    """

    text: FieldNames = ("text", "body", "content", "maintext", "article")
    title: FieldNames = ("title", "headline")
    url: FieldNames = ("url", "link")
    published: FieldNames = ("published", "date", "date_publish", "pubdate", "published_at")
    source: FieldNames = ("source", "publisher", "site", "sitename")
    id: FieldNames = ()

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            names = (value,) if isinstance(value, str) else value
            if not isinstance(names, tuple) or not all(
                isinstance(name, str) and name for name in names
            ):
                raise ConfigError(
                    f"JSON field {item.name!r} must be a key or a tuple of keys, got {value!r}"
                )
        if not self.names("text"):
            raise ConfigError("JSON field 'text' needs at least one key")

    def names(self, name: str) -> tuple[str, ...]:
        """The keys tried, in order, for the Article field `name`."""
        value: FieldNames = getattr(self, name)
        return (value,) if isinstance(value, str) else value

    def lookup(self, record: Mapping[str, object], name: str) -> tuple[str, object] | None:
        """`(key, value)` of the first key for `name` that `record` has with a value."""
        for key in self.names(name):
            value = _get(record, key)
            blank = isinstance(value, str) and not value.strip()
            if value is not None and value != [] and not blank:
                return key, value
        return None


def _get(record: Mapping[str, object], key: str) -> object:
    if key in record:
        return record[key]
    value: object = record
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


@dataclass(frozen=True)
class ReadOptions:
    """How `read_sources` reads: JSON field names, the per-item size limit, defaults.

    `max_bytes` bounds one item (a file, a gzip member, a JSONL line): a bigger item is
    reported as too large without being read into memory. `default_source` names the
    publisher of articles whose input does not. With `strict`, the first error raises
    its `InputError` instead of being yielded as a `Failure` (warnings never raise).
    """

    fields: JsonlFields = field(default_factory=JsonlFields)
    max_bytes: int = DEFAULT_MAX_BYTES
    default_source: str | None = None
    strict: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.max_bytes, int) or self.max_bytes <= 0:
            raise ConfigError(f"max_bytes must be a positive integer, got {self.max_bytes!r}")


def megabytes(size: int) -> str:
    """A size for a message: "52.4 MB" (decimal megabytes, like the default limit)."""
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size:,} bytes"
