"""Daily summaries of settled orders for the reports on a large order book (issue #5)

Also each customer's orders in time (customer_history), for the customers report.
The tables start empty, with no summary_state row: until the summaries are built (by
the next writing command, which knows the configured time zone, or by ``oms db
summarize``), reports read the orders themselves, as before.

Revision ID: 0003_report_summaries
Revises: 0002_report_indexes
Create Date: 2026-11-26 17:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

from oms_cli.store.types import UTCDateTime

revision = "0003_report_summaries"
down_revision = "0002_report_indexes"
branch_labels = None
depends_on = None

SALES_SUMS = ("orders", "units", "gross", "discounts", "shipping", "tax", "refunds",
              "included_tax", "refunded_tax")
LINE_SUMS = ("orders", "cancelled", *SALES_SUMS[1:], "lines", "returned", "kept_linked",
             "unlinked_lines")


def _sums(names: tuple[str, ...]) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "summary_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sales_summary",
        sa.Column("day", UTCDateTime(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("country", sa.String(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        *_sums(SALES_SUMS),
        sa.PrimaryKeyConstraint("day", "currency", "channel", "country", "cancelled"),
    )
    op.create_table(
        "line_summary",
        sa.Column("dimension", sa.String(), nullable=False),
        sa.Column("day", UTCDateTime(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        *_sums(LINE_SUMS),
        sa.Column("unlinked_name", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("dimension", "day", "currency", "key"),
    )
    op.create_table(
        "fulfillment_summary",
        sa.Column("dimension", sa.String(), nullable=False),
        sa.Column("day", UTCDateTime(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("measure", sa.String(), nullable=False),
        sa.Column("tenths", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "day", "key", "measure", "tenths"),
    )
    op.create_table(
        "customer_history",
        sa.Column("order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(), nullable=False),
        sa.Column("placed_at", UTCDateTime(), nullable=False),
        sa.Column("revenue", sa.Integer(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("prev_at", UTCDateTime(), nullable=True),
        sa.Column("next_at", UTCDateTime(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("running", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("customer_history_customer", "customer_history", ["customer_id"])
    op.create_index("customer_history_period", "customer_history",
                    ["currency", "placed_at", "first_at", "prev_at", "number", "revenue"])
    op.create_index("customer_history_latest", "customer_history",
                    ["next_at", "currency", "number", "placed_at", "running"])
    op.create_index("customer_history_spend", "customer_history",
                    ["next_at", "currency", "running", "placed_at"])


def downgrade() -> None:
    for table in ("customer_history", "fulfillment_summary", "line_summary", "sales_summary",
                  "summary_state"):
        op.drop_table(table)
