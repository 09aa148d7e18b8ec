"""The shipped summary: units shipped of settled orders per local day they were shipped,
by sku and channel (issue #5: the return rate of ``oms report returns`` over a year)

The table starts empty and, where the other summaries are kept already, marked not kept
(summary_state.shipped false): the returns report reads the shipments themselves until
the next writing command builds it, in the other summaries' days.

Revision ID: 0004_shipped_summary
Revises: 0003_report_summaries
Create Date: 2026-11-27 03:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from oms_cli.store.types import UTCDateTime

revision = "0004_shipped_summary"
down_revision = "0003_report_summaries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipped_summary",
        sa.Column("dimension", sa.String(), nullable=False),
        sa.Column("day", UTCDateTime(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "day", "currency", "key"),
    )
    op.add_column("summary_state", sa.Column("shipped", sa.Boolean(), nullable=False,
                                             server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("summary_state") as table:
        table.drop_column("shipped")
    op.drop_table("shipped_summary")
