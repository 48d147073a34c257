"""The tables, written once in portable SQLAlchemy Core types for SQLite and PostgreSQL.

This is the *current* shape of the database. Migrations under `migrations/versions/`
create and evolve it; `tests/test_store_schema.py` checks that a freshly migrated database
matches these definitions, so the two cannot drift apart. Search support (FTS5 on SQLite,
a generated `tsvector` column on PostgreSQL) is dialect-specific and lives only in the
migrations and `fts.py`.

Layout, and why:

- `articles` keep an integer `seq` primary key besides the public text `id`. SQLite's
  external-content FTS5 index is keyed by an integer rowid, and only an INTEGER PRIMARY KEY
  is guaranteed to survive `VACUUM`; `seq` also gives ingestion order for keyset paging.
- `codings` has one row per (article, coder version). Mentions, statements and events
  hang off it with `ON DELETE CASCADE`, so re-saving a coding is "delete the coding row,
  insert the new rows" and other coder versions are never touched.
- Spans, actors and modality are flattened into columns (`evidence_start`, `source_code`,
  `negated`, ...) so analysts can filter and aggregate them in plain SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL keeps time zones, SQLite drops them; normalising on the way in and
    re-attaching UTC on the way out makes both backends return the same values.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def span_columns(prefix: str, *, nullable: bool = True) -> list[sa.Column[Any]]:
    """`<prefix>_start`, `<prefix>_end`, `<prefix>_text`: one Span, flattened."""
    return [
        sa.Column(f"{prefix}_start", sa.Integer, nullable=nullable),
        sa.Column(f"{prefix}_end", sa.Integer, nullable=nullable),
        sa.Column(f"{prefix}_text", sa.Text, nullable=nullable),
    ]


def actor_columns(prefix: str, *, nullable: bool = True) -> list[sa.Column[Any]]:
    """`<prefix>_code/_sector/_name` plus the actor's optional span."""
    return [
        sa.Column(f"{prefix}_code", sa.Text, nullable=nullable),
        sa.Column(f"{prefix}_sector", sa.Text),
        sa.Column(f"{prefix}_name", sa.Text, nullable=nullable),
        *span_columns(prefix),
    ]


def modality_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("negated", sa.Boolean, nullable=False),
        sa.Column("future", sa.Boolean, nullable=False),
        sa.Column("hypothetical", sa.Boolean, nullable=False),
        *span_columns("condition"),
    ]


def coding_key() -> list[sa.schema.SchemaItem]:
    """Columns and constraints that tie a row to one coding of one article."""
    return [
        sa.Column("article_id", sa.Text, primary_key=True),
        sa.Column("coder_version", sa.Text, primary_key=True),
        sa.Column("ordinal", sa.Integer, primary_key=True),
        sa.ForeignKeyConstraint(
            ["article_id", "coder_version"],
            ["codings.article_id", "codings.coder_version"],
            ondelete="CASCADE",
        ),
    ]


runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("command", sa.Text, nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),  # JSON list of strings
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("stored", sa.Integer, nullable=False),
    sa.Column("duplicates", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("url", sa.Text),
    sa.Column("canonical_url", sa.Text, index=True),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date, index=True),
    sa.Column("source", sa.Text, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_hash", sa.Text, nullable=False, unique=True),
    sa.Column("origin", sa.Text),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL"), index=True),
    sa.Column("ingested_at", UTCDateTime, nullable=False),
)

failures = sa.Table(
    "failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL"), index=True),
    sa.Column("origin", sa.Text, nullable=False),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("severity", sa.Text, nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

codings = sa.Table(
    "codings",
    metadata,
    sa.Column(
        "article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("coder_version", sa.Text, primary_key=True, index=True),
    sa.Column("coder_name", sa.Text, nullable=False),
    sa.Column("coded_at", UTCDateTime, nullable=False),
)

mentions = sa.Table(
    "mentions",
    metadata,
    *coding_key(),
    sa.Column("kind", sa.Text, nullable=False),
    *span_columns("span", nullable=False),
    *actor_columns("actor"),
    sa.Index(None, "actor_code"),
)

statements = sa.Table(
    "statements",
    metadata,
    *coding_key(),
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("direct", sa.Boolean, nullable=False),
    sa.Column("function", sa.Text),
    *span_columns("speaker"),
    *actor_columns("speaker_actor"),
    *span_columns("cue"),
    *span_columns("content", nullable=False),
    *modality_columns(),
    sa.Index(None, "article_id", "coder_version", "id"),
    sa.Index(None, "function"),
    sa.Index(None, "speaker_actor_code"),
)

events = sa.Table(
    "events",
    metadata,
    *coding_key(),
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("mode", sa.Text),
    sa.Column("contexts", sa.Text, nullable=False),  # JSON list of strings
    *actor_columns("source", nullable=False),
    *actor_columns("target"),
    sa.Column("location_name", sa.Text),
    sa.Column("location_country", sa.Text),
    sa.Column("location_lat", sa.Float),
    sa.Column("location_lon", sa.Float),
    sa.Column("date", sa.Date),
    sa.Column("date_precision", sa.Text),
    *modality_columns(),
    sa.Column("reported_by", sa.Text),
    *span_columns("evidence", nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Index(None, "article_id", "coder_version", "id"),
    sa.Index(None, "coder_version"),
    # migration 0004: browse newest first under a filter (store/browse.py), dyad counts;
    # they replace 0001's single-column indexes on date, source_code, target_code, type
    sa.Index("ix_events_date_key", "date", "article_id", "coder_version", "ordinal"),
    sa.Index("ix_events_source_key", "source_code", "date", "article_id", "coder_version",
             "ordinal"),
    sa.Index("ix_events_target_key", "target_code", "date", "article_id", "coder_version",
             "ordinal"),
    sa.Index("ix_events_type_key", "type", "date", "article_id", "coder_version", "ordinal"),
    sa.Index("ix_events_source_type_key", "source_code", "type", "date", "article_id",
             "coder_version", "ordinal"),
    sa.Index("ix_events_target_type_key", "target_code", "type", "date", "article_id",
             "coder_version", "ordinal"),
    sa.Index("ix_events_dyad", "source_code", "target_code", "date", "type"),
    sa.Index("ix_events_date_type", "date", "type", "negated", "hypothetical"),
)

# -- monitoring (migration 0002): stories, MinHash signatures, feed watcher state ---------

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("first_article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="SET NULL")),
    sa.Column("title", sa.Text),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("n_articles", sa.Integer, nullable=False),
    sa.Column("n_sources", sa.Integer, nullable=False),
)

story_articles = sa.Table(
    "story_articles",
    metadata,
    sa.Column(
        "article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("similarity", sa.Float, nullable=False),  # estimated Jaccard to the story
)

article_minhash = sa.Table(
    "article_minhash",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "article_id", sa.Text, sa.ForeignKey("articles.id", ondelete="CASCADE"),
        nullable=False, unique=True,
    ),
    sa.Column("scheme", sa.Text, nullable=False),  # shingling + permutations, e.g. "w5:128"
    sa.Column("signature", sa.LargeBinary, nullable=False),
)

watch_feeds = sa.Table(
    "watch_feeds",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_polled", UTCDateTime),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("items_seen", sa.Integer, nullable=False),
)

watch_items = sa.Table(
    "watch_items",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("feed_url", sa.Text, nullable=False),
    sa.Column("item_id", sa.Text, index=True),
    sa.Column("title", sa.Text),
    sa.Column("status", sa.Text, nullable=False, index=True),  # pending|stored|duplicate|failed
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("article_id", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# -- alerts (migration 0003): what `flashpoint alerts run` found, keyed for deduplication --

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),  # same finding -> same key
    sa.Column("rule", sa.Text, nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),  # threshold | anomaly
    sa.Column("grouping", sa.Text, nullable=False),  # dyad, actor, type, ...
    sa.Column("subject", sa.Text, nullable=False),  # JSON: {"source": "BLR", ...}
    sa.Column("source_code", sa.Text, index=True),
    sa.Column("target_code", sa.Text, index=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("window_start", sa.Date, nullable=False),
    sa.Column("metric", sa.Text, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("expected", sa.Float),  # the threshold, or the baseline median
    sa.Column("score", sa.Float),  # robust z-score for anomalies
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("details", sa.Text, nullable=False),  # JSON
    sa.Column("created_at", UTCDateTime, nullable=False, index=True),
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("delivery_error", sa.Text),
)

# -- store_state (migration 0005): one row whose generation every write raises --------------

store_state = sa.Table(
    "store_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.BigInteger, nullable=False),
)


# Search objects created by the migrations only (they differ per dialect): FTS5 tables and
# their shadow tables on SQLite, the generated tsvector column and its index on PostgreSQL.
SEARCH_OBJECTS = frozenset({"search", "ix_articles_search"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic autogenerate filter: leave out the dialect-specific search objects."""
    if type_ == "table" and name is not None and name.startswith("articles_fts"):
        return False
    return not (name in SEARCH_OBJECTS and type_ in {"column", "index"})
