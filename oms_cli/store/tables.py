"""The whole data model of DESIGN.md as SQLModel tables.

Money columns hold integer minor units of the row's currency (``from_minor`` turns
them back into Decimal); quantities are integers; every timestamp is UTC. Status
columns of orders and lines are caches of what the domain derives from quantities,
kept for fast filtering. Check constraints make impossible states unstorable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from oms_cli.store.types import UTCDateTime


def utc_now() -> datetime:
    return datetime.now(UTC)


def _at(*, nullable: bool = False, index: bool = False) -> Any:
    """A UTC timestamp column (a fresh Column each call, as SQLAlchemy needs)."""
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(unique=True, index=True)
    name: str
    currency: str = Field(max_length=3)
    price: int | None = None  # minor units of `currency`
    cost: int | None = None  # minor units of `currency`
    barcode: str | None = None
    weight_grams: int | None = None
    reorder_point: int = 0
    reorder_qty: int = 0
    safety_stock: int = 0
    lead_time_days: int | None = None
    active: bool = True
    created_at: datetime = _at()
    updated_at: datetime = _at()

    __table_args__ = (
        CheckConstraint("reorder_point >= 0 AND reorder_qty >= 0 AND safety_stock >= 0",
                        name="product_nonnegative_settings"),
    )


class BundleComponent(SQLModel, table=True):
    """A bundle sku consumes `quantity` of each component per unit sold."""

    __tablename__ = "bundle_component"

    bundle_id: int = Field(foreign_key="product.id", primary_key=True)
    component_id: int = Field(foreign_key="product.id", primary_key=True)
    quantity: int

    __table_args__ = (CheckConstraint("quantity > 0", name="bundle_component_positive"),)


class ProductAlias(SQLModel, table=True):
    """A channel's own key for a product (listing id, ASIN, item number, title)."""

    __tablename__ = "product_alias"

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    key: str
    product_id: int = Field(foreign_key="product.id", index=True)
    created_at: datetime = _at()

    __table_args__ = (UniqueConstraint("channel", "key", name="product_alias_channel_key"),)


class Location(SQLModel, table=True):
    __tablename__ = "location"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str
    kind: str = "warehouse"  # warehouse | store | 3pl | dropship
    priority: int = 100  # lower ships first
    country: str | None = None
    region: str | None = None
    ships_to: str = ""  # comma-separated ISO codes; empty means its own country
    active: bool = True
    created_at: datetime = _at()
    updated_at: datetime = _at()


class StockLevel(SQLModel, table=True):
    """The cache of the ledger per product and location; reserved mirrors open allocations."""

    __tablename__ = "stock_level"

    product_id: int = Field(foreign_key="product.id", primary_key=True)
    location_id: int = Field(foreign_key="location.id", primary_key=True, index=True)
    on_hand: int = 0
    reserved: int = 0
    damaged: int = 0

    __table_args__ = (
        CheckConstraint("on_hand >= 0 AND reserved >= 0 AND damaged >= 0",
                        name="stock_level_nonnegative"),
        CheckConstraint("reserved + damaged <= on_hand", name="stock_level_within_on_hand"),
    )


class StockMovement(SQLModel, table=True):
    """The append-only stock ledger: every change of on_hand or damaged, with why."""

    __tablename__ = "stock_movement"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id")
    location_id: int = Field(foreign_key="location.id")
    quantity: int  # signed change of on_hand
    damaged: int = 0  # signed change of the damaged bucket
    reason: str  # receive | adjust | count | transfer | ship | return | damage
    reference: str | None = None
    note: str | None = None
    at: datetime = _at(index=True)
    run_id: int | None = Field(default=None, foreign_key="run.id")

    __table_args__ = (
        Index("stock_movement_product_location_at", "product_id", "location_id", "at"),
    )


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, unique=True)  # lower-cased; unique when present
    name: str | None = None
    phone: str | None = None
    created_at: datetime = _at()


class Order(SQLModel, table=True):
    __tablename__ = "orders"

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    external_id: str
    channel_order_id: str | None = None
    placed_at: datetime = _at(index=True)
    currency: str = Field(max_length=3)
    subtotal: int = 0
    shipping: int = 0
    tax: int = 0
    discount: int = 0
    total: int = 0
    refunded: int = 0
    taxes_included: bool = False
    financial_status: str = "unknown"
    channel_fulfillment: str = "unfulfilled"
    status: str = Field(default="pending")  # indexed with placed_at below
    hold_reason: str | None = None  # unknown_sku | incorrect_address | awaiting_payment | ...
    hold_note: str | None = None
    held_by: str | None = None  # validation | merchant: who lifts the hold
    priority: int = 0
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    email: str | None = None
    ship_name: str | None = None
    ship_company: str | None = None
    ship_line1: str | None = None
    ship_line2: str | None = None
    ship_city: str | None = None
    ship_region: str | None = None
    ship_postcode: str | None = None
    ship_country: str | None = None
    ship_phone: str | None = None
    tags: str | None = None
    note: str | None = None
    source: str | None = None
    risk_level: str | None = None
    payment_method: str | None = None
    raw_status: str | None = None
    is_test: bool = False
    validated_at: datetime | None = _at(nullable=True)  # passed validation (pending -> ready)
    allocation_tried_at: datetime | None = _at(nullable=True)  # allocation looked at it
    cancelled_at: datetime | None = _at(nullable=True)
    import_run_id: int | None = Field(default=None, foreign_key="import_run.id", index=True)
    created_at: datetime = _at()
    updated_at: datetime = _at()

    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="orders_channel_external_id"),
        Index("orders_channel_placed_at", "channel", "placed_at"),
        # Open orders by age (allocation, `oms report status`), cancelled ones in a period.
        Index("orders_status_placed_at", "status", "placed_at"),
        # Reports: a period's orders already in group order (status, currency, channel,
        # country), with the amounts the sales report sums: SQLite reads the period of
        # each group straight from the index (a skip-scan) and never sorts the rows.
        Index("orders_report_groups", "status", "currency", "channel", "ship_country",
              "placed_at", "taxes_included", "discount", "shipping", "tax", "refunded",
              "total"),
        # Reports on customers: each customer's orders in time, with what they paid.
        Index("orders_customer_placed_at", "customer_id", "currency", "placed_at", "status",
              "total", "refunded"),
        # Reports: a period's orders with what the customers, fulfillment and returns
        # reports read of them, without reading the (wide) rows.
        Index("orders_placed_at_cover", "placed_at", "status", "currency", "channel",
              "channel_fulfillment", "allocation_tried_at", "customer_id", "total", "refunded"),
    )


class OrderLine(SQLModel, table=True):
    """One line of an order; the quantity columns are the units' whereabouts."""

    __tablename__ = "order_line"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    line_key: str
    sku: str | None = None
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    channel_key: str | None = None
    name: str = ""
    quantity: int
    unit_price: int = 0
    discount: int = 0
    tax: int = 0
    requires_shipping: bool = True
    allocated: int = 0
    shipped: int = 0
    returned: int = 0
    cancelled: int = 0

    __table_args__ = (
        UniqueConstraint("order_id", "line_key", name="order_line_order_key"),
        CheckConstraint("quantity > 0", name="order_line_positive_quantity"),
        CheckConstraint("allocated >= 0 AND shipped >= 0 AND returned >= 0 AND cancelled >= 0",
                        name="order_line_nonnegative"),
        CheckConstraint("allocated + shipped + cancelled <= quantity",
                        name="order_line_units_conserved"),
        CheckConstraint("returned <= shipped", name="order_line_returned_within_shipped"),
        # Reports: an order's lines with their units and prices, without reading the rows.
        Index("order_line_order_units", "order_id", "product_id", "quantity", "unit_price",
              "shipped", "returned", "cancelled"),
    )


class Allocation(SQLModel, table=True):
    """Units of a product reserved at a location for an order line, with the decision trace.

    A plain line has one row per location. A bundle line has one row per component
    (``per_unit`` of it per bundle); only the first carries the line's units in
    ``line_units``, so summing ``line_units`` gives the line's allocated units.
    """

    __tablename__ = "allocation"

    id: int | None = Field(default=None, primary_key=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    product_id: int = Field(foreign_key="product.id")
    location_id: int = Field(foreign_key="location.id")
    quantity: int  # units of the product
    per_unit: int = 1  # units of the product per unit of the line
    line_units: int = 0  # units of the line this row stands for (0 on a bundle's other parts)
    status: str = "open"  # open | shipped | released
    trace: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    created_at: datetime = _at()
    closed_at: datetime | None = _at(nullable=True)
    run_id: int | None = Field(default=None, foreign_key="run.id")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="allocation_positive"),
        Index("allocation_open_stock", "product_id", "location_id", "status"),
        # Reports on fulfillment: where and when each line was allocated.
        Index("allocation_line_location_created", "order_line_id", "location_id", "status",
              "created_at"),
    )


class Shipment(SQLModel, table=True):
    __tablename__ = "shipment"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    carrier: str | None = None
    tracking: str | None = None
    shipped_at: datetime = _at(index=True)
    exported_at: datetime | None = _at(nullable=True)  # sent back to the channel

    __table_args__ = (
        # Reports on fulfillment: when and where each order shipped.
        Index("shipment_order_shipped", "order_id", "shipped_at", "location_id"),
        # Reports on returns: a period's shipments and their orders.
        Index("shipment_shipped_order", "shipped_at", "order_id"),
    )


class ShipmentLine(SQLModel, table=True):
    __tablename__ = "shipment_line"

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    quantity: int

    __table_args__ = (
        CheckConstraint("quantity > 0", name="shipment_line_positive"),
        # Reports: a shipment's lines and units, without reading the rows.
        Index("shipment_line_shipment_units", "shipment_id", "order_line_id", "quantity"),
    )


class Return(SQLModel, table=True):
    __tablename__ = "returns"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    reason: str | None = None
    condition: str = "resaleable"  # resaleable | damaged
    refund: int = 0  # minor units of the order's currency
    created_at: datetime = _at(index=True)


class ReturnLine(SQLModel, table=True):
    __tablename__ = "return_line"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="returns.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    quantity: int

    __table_args__ = (CheckConstraint("quantity > 0", name="return_line_positive"),)


class OrderEvent(SQLModel, table=True):
    """The order's timeline: every transition and change, with detail."""

    __tablename__ = "order_event"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    at: datetime = _at()
    type: str
    from_status: str | None = None
    to_status: str | None = None
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    run_id: int | None = Field(default=None, foreign_key="run.id")

    __table_args__ = (
        Index("order_event_order_at", "order_id", "at"),
        # Reports on fulfillment: was the order ever backordered.
        Index("order_event_order_to_status", "order_id", "to_status"),
    )


class ImportRun(SQLModel, table=True):
    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    sha256: str = Field(index=True)
    size: int = 0
    channel: str | None = None
    format: str | None = None
    header: str | None = None  # the file's header line, to write rejects back re-importable
    status: str = "running"  # running | done | undone
    started_at: datetime = _at()
    finished_at: datetime | None = _at(nullable=True)
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    undone_at: datetime | None = _at(nullable=True)


class ImportRejection(SQLModel, table=True):
    """A record an import could not take, kept whole so it can be fixed and imported again."""

    __tablename__ = "import_error"

    id: int | None = Field(default=None, primary_key=True)
    import_run_id: int = Field(foreign_key="import_run.id", index=True)
    line: int
    field: str | None = None
    reason: str
    raw: str = ""
    external_id: str | None = None


class Run(SQLModel, table=True):
    """Every writing command: what was asked, when, and how it ended."""

    __tablename__ = "run"

    id: int | None = Field(default=None, primary_key=True)
    command: str
    arguments: list[str] | None = Field(default=None, sa_column=Column(JSON))
    started_at: datetime = _at()
    finished_at: datetime | None = _at(nullable=True)
    exit_code: int | None = None
    counts: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class SummaryState(SQLModel, table=True):
    """Whether the report summaries are kept, and in which time zone's days (one row);
    ``shipped`` says whether the shipped summary is kept too (not yet after an upgrade
    from before it: the next writing command builds it)."""

    __tablename__ = "summary_state"

    id: int | None = Field(default=None, primary_key=True)
    timezone: str
    built_at: datetime = _at()
    shipped: bool = True


class SalesSummary(SQLModel, table=True):
    """Sales of settled orders (shipped, returned, cancelled) per local day and order key.

    ``day`` is the UTC instant of the local midnight beginning the day in the summary's
    time zone; amounts are minor units of ``currency``, as ``oms report sales`` sums them.
    Cancelled orders have rows of their own (``cancelled``), counted, never summed.
    """

    __tablename__ = "sales_summary"

    day: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    currency: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    country: str = Field(primary_key=True)  # ship-to ISO code, '' when none
    cancelled: bool = Field(primary_key=True)
    orders: int = 0
    units: int = 0
    gross: int = 0
    discounts: int = 0
    shipping: int = 0
    tax: int = 0
    refunds: int = 0
    included_tax: int = 0
    refunded_tax: int = 0


class LineSummary(SQLModel, table=True):
    """Sales of settled orders' lines per local day and line key (a sku or a location).

    The amounts are the lines' shares of their orders' figures, as ``oms report sales
    --group-by sku|location`` computes them; ``orders`` counts the live orders with a
    line of the key, ``cancelled`` the cancelled ones. For skus also: units returned,
    units kept (not cancelled or returned) on lines linked to a product, lines, lines of
    no product, and the greatest name of those lines (what ``oms report products`` needs).
    """

    __tablename__ = "line_summary"

    dimension: str = Field(primary_key=True)  # sku | location
    day: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    currency: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    orders: int = 0
    cancelled: int = 0
    units: int = 0
    gross: int = 0
    discounts: int = 0
    shipping: int = 0
    tax: int = 0
    refunds: int = 0
    included_tax: int = 0
    refunded_tax: int = 0
    lines: int = 0
    returned: int = 0
    kept_linked: int = 0
    unlinked_lines: int = 0
    unlinked_name: str | None = None


class FulfillmentSummary(SQLModel, table=True):
    """Fulfillment of settled orders per local day (placed) and channel or location.

    ``measure`` is ``orders`` (orders oms tried to allocate), ``split``, ``backordered``
    (counts, ``tenths`` 0), or ``allocate`` / ``ship``: how many orders took ``tenths``
    tenths of an hour (rounded half up) from placed to their first allocation / shipment,
    a histogram that percentiles are read from exactly.
    """

    __tablename__ = "fulfillment_summary"

    dimension: str = Field(primary_key=True)  # channel | location
    day: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    key: str = Field(primary_key=True)
    measure: str = Field(primary_key=True)
    tenths: int = Field(primary_key=True)
    orders: int = 0


class ShippedSummary(SQLModel, table=True):
    """Units shipped of settled orders per local day (shipped) and sku or channel: the
    return rate's denominator in ``oms report returns``.

    A day holds the units of the oms shipments made on it, and those of imported history
    orders placed on it that the channel shipped without an oms shipment. Units are the
    order lines' (a bundle counts once). Dimensions ``sku@month`` and ``channel@month``
    are monthly roll-ups of the days, at the month's first midnight.
    """

    __tablename__ = "shipped_summary"

    dimension: str = Field(primary_key=True)  # sku | channel, or either @month
    day: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    currency: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    units: int = 0


class CustomerHistory(SQLModel, table=True):
    """Each customer's orders in time (the ones not cancelled), with what came before:
    kept by ``reports.summarize`` for ``oms report customers``, which then reads a
    period's rows once instead of grouping every order by customer.

    ``first_at`` is the customer's first order (any currency); ``prev_at``, ``next_at``,
    ``number`` (1 for the first) and ``running`` (revenue: total less refunds, of this
    order and the earlier ones, in minor units) are within the order's currency.
    """

    __tablename__ = "customer_history"

    order_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    customer_id: int
    currency: str
    placed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revenue: int
    first_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    prev_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    next_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    number: int
    running: int

    __table_args__ = (
        Index("customer_history_customer", "customer_id"),
        # A period's rows per currency, with what the customers report counts.
        Index("customer_history_period", "currency", "placed_at", "first_at", "prev_at",
              "number", "revenue"),
        # Each customer's latest order (next_at NULL) per currency: by number of orders
        # for the segments, and by revenue for the M score's quintile.
        Index("customer_history_latest", "next_at", "currency", "number", "placed_at",
              "running"),
        Index("customer_history_spend", "next_at", "currency", "running", "placed_at"),
    )


METADATA = SQLModel.metadata
