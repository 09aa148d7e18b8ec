"""Indexes for the reports on a large order book (issue #5)

Covering indexes let a year's report read its orders, lines, allocations, shipments
and events from indexes alone, already in the order its GROUP BY wants. ANALYZE then
records how many rows each index prefix holds: SQLite only skip-scans an index
(``orders_report_groups``: status, currency, channel, country, then the time) when
its statistics say the leading columns have few values.

Revision ID: 0002_report_indexes
Revises: 0001_initial
Create Date: 2026-11-26 14:01:22.537042
"""

from alembic import op

revision = "0002_report_indexes"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

# table, index name, columns
INDEXES = (
    ("orders", "orders_report_groups",
     ["status", "currency", "channel", "ship_country", "placed_at", "taxes_included",
      "discount", "shipping", "tax", "refunded", "total"]),
    ("orders", "orders_customer_placed_at",
     ["customer_id", "currency", "placed_at", "status", "total", "refunded"]),
    ("orders", "orders_placed_at_cover",
     ["placed_at", "status", "currency", "channel", "channel_fulfillment", "allocation_tried_at",
      "customer_id", "total", "refunded"]),
    ("order_line", "order_line_order_units",
     ["order_id", "product_id", "quantity", "unit_price", "shipped", "returned", "cancelled"]),
    ("allocation", "allocation_line_location_created",
     ["order_line_id", "location_id", "status", "created_at"]),
    ("shipment", "shipment_order_shipped", ["order_id", "shipped_at", "location_id"]),
    ("shipment", "shipment_shipped_order", ["shipped_at", "order_id"]),
    ("shipment_line", "shipment_line_shipment_units", ["shipment_id", "order_line_id", "quantity"]),
    ("order_event", "order_event_order_to_status", ["order_id", "to_status"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    op.execute("ANALYZE")


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
