"""Alerts: what `flashpoint alerts run` found, one row per finding.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

`key` is unique: it hashes the rule, the group, the kind and the day, so running the same
rules again inserts nothing new and posts nothing twice. `delivered_at` /
`delivery_error` record what the webhook did.

Frozen history like 0001: tables are spelled out here, not imported from `schema.py`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_INDEXED = ("rule", "source_code", "target_code", "day", "created_at")


def upgrade() -> None:
    stamp = sa.DateTime(timezone=True)
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("grouping", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("source_code", sa.Text),
        sa.Column("target_code", sa.Text),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("window_start", sa.Date, nullable=False),
        sa.Column("metric", sa.Text, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("expected", sa.Float),
        sa.Column("score", sa.Float),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("delivered_at", stamp),
        sa.Column("delivery_error", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("key", name="uq_alerts_key"),
    )
    for column in _INDEXED:
        op.create_index(f"ix_alerts_{column}", "alerts", [column])


def downgrade() -> None:
    for column in _INDEXED:
        op.drop_index(f"ix_alerts_{column}", table_name="alerts")
    op.drop_table("alerts")
