"""What a channel's export says about an order, before it meets the order book.

Channel parsers (``oms_cli.channels``) turn files into these plain values; the
import service matches them to stored orders. Money here is Decimal in the order's
currency; times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class FinancialStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    VOIDED = "voided"
    UNKNOWN = "unknown"


class ChannelFulfillment(StrEnum):
    """How far the channel says the order got: decides whether it enters as history."""

    UNFULFILLED = "unfulfilled"
    PARTIAL = "partial"
    FULFILLED = "fulfilled"


@dataclass(slots=True)
class Address:
    name: str | None = None
    company: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postcode: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where the channel lets us know it
    phone: str | None = None

    def is_shippable(self) -> bool:
        """Enough of an address for a carrier: a street line, a city or postcode, a country."""
        return bool(self.line1 and (self.city or self.postcode) and self.country)


@dataclass(slots=True)
class ParsedLine:
    line_key: str  # stable within the order: the channel's line id, else its position
    quantity: int
    name: str = ""
    sku: str | None = None
    channel_key: str | None = None  # listing id, ASIN, item number, variant title: alias look-up
    unit_price: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)  # for the whole line, positive
    tax: Decimal = Decimal(0)  # for the whole line
    requires_shipping: bool = True
    fulfilled_quantity: int = 0
    refunded_quantity: int = 0


@dataclass(slots=True)
class Refund:
    amount: Decimal
    at: datetime | None = None  # unknown in Shopify's CSV
    reason: str | None = None


@dataclass(slots=True)
class ParsedOrder:
    """One order as a file describes it.

    ``partial`` marks a record that carries only part of an order and must be merged
    with another file's record of the same order (Etsy's Sold Orders vs Sold Order
    Items): ``"order"`` has money, status and address but no lines, ``"items"`` has
    lines but only what the items file knows of the rest.
    """

    external_id: str
    placed_at: datetime
    currency: str
    lines: list[ParsedLine] = field(default_factory=list)
    channel_order_id: str | None = None  # the platform's numeric id, when separate from the number
    subtotal: Decimal = Decimal(0)
    shipping: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    taxes_included: bool = False
    refunds: list[Refund] = field(default_factory=list)
    financial_status: FinancialStatus = FinancialStatus.UNKNOWN
    fulfillment: ChannelFulfillment = ChannelFulfillment.UNFULFILLED
    fulfilled_at: datetime | None = None
    cancelled_at: datetime | None = None
    email: str | None = None
    customer_name: str | None = None
    phone: str | None = None
    ship_to: Address = field(default_factory=Address)
    tags: str | None = None
    note: str | None = None
    source: str | None = None  # where the channel says the order came from (web, pos, tiktok)
    risk_level: str | None = None  # low | medium | high, when the channel rates it
    payment_method: str | None = None
    raw_status: str | None = None  # the channel's own status words, kept verbatim
    is_test: bool = False
    partial: str | None = None
    item_count: int | None = None  # units the channel counts when the lines are in another file
    source_line: int = 0  # first line of the record in its file, for messages
    raw: str = ""  # the record's original text, kept for rejects and audits

    @property
    def refunded(self) -> Decimal:
        return sum((refund.amount for refund in self.refunds), Decimal(0))

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(slots=True)
class RejectedRecord:
    """A record that cannot become an order: kept with where and why, never dropped."""

    line: int
    reason: str
    raw: str
    field: str | None = None
    external_id: str | None = None
