"""Monitoring: stories (near-duplicate groups), MinHash signatures, feed watcher state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

- `stories` / `story_articles`: every stored article belongs to one story; syndicated
  copies of a wire report share it, so analyses can count an event once per story.
- `article_minhash`: each article's MinHash signature, so the LSH index that assigns
  stories can be rebuilt from the database at start (no pickled index to drift).
- `watch_feeds` / `watch_items`: what `flashpoint watch` has polled and fetched
  (ETag, Last-Modified, seen item URLs and their state), so a restarted watcher resumes.

Frozen history like 0001: tables are spelled out here, not imported from `schema.py`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("first_article_id", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("first_seen", stamp, nullable=False),
        sa.Column("n_articles", sa.Integer, nullable=False),
        sa.Column("n_sources", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
        sa.ForeignKeyConstraint(
            ["first_article_id"], ["articles.id"],
            name="fk_stories_first_article_id_articles", ondelete="SET NULL",
        ),
    )
    op.create_table(
        "story_articles",
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_story_articles"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name="fk_story_articles_article_id_articles", ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"],
            name="fk_story_articles_story_id_stories", ondelete="CASCADE",
        ),
    )
    op.create_index("ix_story_articles_story_id", "story_articles", ["story_id"])

    op.create_table(
        "article_minhash",
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("article_id", sa.Text, nullable=False),
        sa.Column("scheme", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_article_minhash"),
        sa.UniqueConstraint("article_id", name="uq_article_minhash_article_id"),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"],
            name="fk_article_minhash_article_id_articles", ondelete="CASCADE",
        ),
    )

    op.create_table(
        "watch_feeds",
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_polled", stamp),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("items_seen", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_watch_feeds"),
    )
    op.create_table(
        "watch_items",
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("feed_url", sa.Text, nullable=False),
        sa.Column("item_id", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("first_seen", stamp, nullable=False),
        sa.Column("updated_at", stamp, nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_watch_items"),
    )
    op.create_index("ix_watch_items_status", "watch_items", ["status"])
    op.create_index("ix_watch_items_item_id", "watch_items", ["item_id"])


def downgrade() -> None:
    for index, table in (("ix_watch_items_item_id", "watch_items"),
                         ("ix_watch_items_status", "watch_items"),
                         ("ix_story_articles_story_id", "story_articles")):
        op.drop_index(index, table_name=table)
    for table in ("watch_items", "watch_feeds", "article_minhash", "story_articles", "stories"):
        op.drop_table(table)
