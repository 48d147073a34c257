"""A store-wide change counter: `store_state.generation`, raised by every write.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

`flashpoint serve` keeps answers to repeated GET requests in memory and must know when
the store changed under it, whoever wrote (another `ingest`, `watch`, a second server
process). Every `Database.write()` transaction raises the counter as its last statement,
so reading one row tells whether anything was committed since.

Frozen history like 0001: the table is spelled out here, not imported from `schema.py`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    op.drop_table("store_state")
