"""Indexes for browsing events: newest first under a filter, and dyad counts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

The API lists events newest first, paged by the key (date, article_id, coder_version,
ordinal). Each index below starts with one filter column and continues with that key, so
"RUS's events, newest first, after this cursor" is a range scan that stops after one page
instead of a sort of every RUS event (bench/api.py: 1M events, p95 from ~1 s to a few ms).
"RUS's ASSAULT events" has its own (actor, type, date, key) indexes, since walking all of
an actor's events to find a rare type costs a table lookup per row. The single-column
indexes of 0001 on date, source_code, target_code and type are dropped: each is the
prefix of a new one. `ix_events_dyad` (source, target, date, type) answers dyad series
from the index alone, and `ix_events_date_type` (with the two flags series leave out by
default) the whole store's series (the overview chart).

Frozen history like 0001: names and columns are spelled out here.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_KEY = ["date", "article_id", "coder_version", "ordinal"]
INDEXES = {
    "ix_events_date_key": _KEY,
    "ix_events_source_key": ["source_code", *_KEY],
    "ix_events_target_key": ["target_code", *_KEY],
    "ix_events_type_key": ["type", *_KEY],
    "ix_events_source_type_key": ["source_code", "type", *_KEY],
    "ix_events_target_type_key": ["target_code", "type", *_KEY],
    "ix_events_dyad": ["source_code", "target_code", "date", "type"],
    "ix_events_date_type": ["date", "type", "negated", "hypothetical"],
}
# 0001's single-column indexes that the ones above start with: they only cost writes now.
REPLACED = {"ix_events_date": "date", "ix_events_source_code": "source_code",
            "ix_events_target_code": "target_code", "ix_events_type": "type"}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "events", columns)
    for name in REPLACED:
        op.drop_index(name, table_name="events")


def downgrade() -> None:
    for name, column in REPLACED.items():
        op.create_index(name, "events", [column])
    for name in INDEXES:
        op.drop_index(name, table_name="events")
