"""Ingest: every source (text, Markdown, HTML, JSON, JSONL; files, directories, globs,
gzip, stdin) yields `Article` records, or `Failure` records for what cannot be read.

    >>> from flashpoint.ingest import read_sources, ReadOptions
    >>> for item in read_sources(["articles/", "dump.jsonl.gz"], options=ReadOptions()):
    ...     ...  # an Article or a Failure, in input order, one at a time

Nothing here raises for bad input: a bad item becomes a Failure and the batch goes on
(unless `ReadOptions(strict=True)`). `normalize_body` is the one cleaning applied to
every body before extraction.
"""

from __future__ import annotations

from flashpoint.ingest.normalize import normalize_body
from flashpoint.ingest.options import JsonlFields, ReadOptions
from flashpoint.ingest.sources import read_sources

__all__ = ["JsonlFields", "ReadOptions", "normalize_body", "read_sources"]
