"""The order lifecycle: status is derived from where the units are, never set by hand.

```
 import -> pending -> (validate) -> ready -> (allocate) -> allocated
             on_hold <-'  ^ release   backordered / partially_allocated
 allocated -> partially_shipped -> shipped -> returned / partially_returned
 cancel: any state before shipped -> cancelled (every reservation released)
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class OrderStatus(StrEnum):
    PENDING = "pending"
    ON_HOLD = "on_hold"
    READY = "ready"
    BACKORDERED = "backordered"
    PARTIALLY_ALLOCATED = "partially_allocated"
    ALLOCATED = "allocated"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"
    CANCELLED = "cancelled"


# Orders still waiting for stock or a decision: what allocation and alerts look at.
OPEN_STATUSES = frozenset({
    OrderStatus.PENDING, OrderStatus.ON_HOLD, OrderStatus.READY, OrderStatus.BACKORDERED,
    OrderStatus.PARTIALLY_ALLOCATED, OrderStatus.ALLOCATED, OrderStatus.PARTIALLY_SHIPPED,
})


@dataclass(frozen=True, slots=True)
class LineUnits:
    """Where one line's units are. ordered = allocated + waiting + shipped + cancelled."""

    quantity: int
    allocated: int = 0
    shipped: int = 0
    returned: int = 0
    cancelled: int = 0

    @property
    def live(self) -> int:
        """Units the customer still wants (not cancelled)."""
        return self.quantity - self.cancelled

    @property
    def waiting(self) -> int:
        """Units neither cancelled, shipped nor reserved: backordered once allocation tried."""
        return self.quantity - self.cancelled - self.shipped - self.allocated


@dataclass(frozen=True, slots=True)
class OrderState:
    lines: Sequence[LineUnits]
    on_hold: bool = False
    validated: bool = False
    allocation_tried: bool = False


def derive_status(state: OrderState) -> OrderStatus:
    """The one status the order's units, hold and progress amount to."""
    live = sum(line.live for line in state.lines)
    shipped = sum(line.shipped for line in state.lines)
    returned = sum(line.returned for line in state.lines)
    allocated = sum(line.allocated for line in state.lines)
    if live <= 0:
        return OrderStatus.CANCELLED
    if shipped >= live:
        if returned >= shipped:
            return OrderStatus.RETURNED
        return OrderStatus.PARTIALLY_RETURNED if returned else OrderStatus.SHIPPED
    if state.on_hold:
        return OrderStatus.ON_HOLD
    if shipped:
        return OrderStatus.PARTIALLY_SHIPPED
    if allocated >= live:
        return OrderStatus.ALLOCATED
    if allocated:
        return OrderStatus.PARTIALLY_ALLOCATED
    if not state.validated:
        return OrderStatus.PENDING
    return OrderStatus.BACKORDERED if state.allocation_tried else OrderStatus.READY


class HoldReason(StrEnum):
    UNKNOWN_SKU = "unknown_sku"
    INCORRECT_ADDRESS = "incorrect_address"
    AWAITING_PAYMENT = "awaiting_payment"
    HIGH_RISK = "high_risk"
    OTHER = "other"


_RISK_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True, slots=True)
class ValidationPolicy:
    accepted_financial_statuses: frozenset[str] = frozenset(
        {"paid", "partially_paid", "partially_refunded", "authorized"})
    max_risk: str = "medium"
    require_address: bool = True
    hold_test_orders: bool = True


@dataclass(frozen=True, slots=True)
class LineFacts:
    label: str  # sku, or the channel key / name the line arrived with
    known: bool  # resolves to a product (directly or through an alias)
    quantity: int
    requires_shipping: bool = True


@dataclass(frozen=True, slots=True)
class OrderFacts:
    lines: Sequence[LineFacts]
    has_address: bool
    financial_status: str
    risk_level: str | None = None
    is_test: bool = False


@dataclass(frozen=True, slots=True)
class Hold:
    reason: HoldReason
    note: str


def validate_order(facts: OrderFacts, policy: ValidationPolicy) -> Hold | None:
    """The first rule the order fails, as a hold with a reason code and text; None if it passes."""
    unknown = [line.label for line in facts.lines if not line.known]
    if unknown:
        return Hold(HoldReason.UNKNOWN_SKU, f"unknown sku: {_listed(unknown)}; add the product "
                    "or `oms product alias add CHANNEL KEY SKU`")
    if not facts.lines:
        return Hold(HoldReason.OTHER, "the order has no lines")
    if any(line.quantity <= 0 for line in facts.lines):
        return Hold(HoldReason.OTHER, "a line has no positive quantity")
    needs_shipping = any(line.requires_shipping for line in facts.lines)
    if policy.require_address and needs_shipping and not facts.has_address:
        return Hold(HoldReason.INCORRECT_ADDRESS, "no complete shipping address "
                    "(street, city or postcode, country)")
    if facts.financial_status not in policy.accepted_financial_statuses:
        return Hold(HoldReason.AWAITING_PAYMENT, f"financial status is "
                    f"{facts.financial_status!r}, not one of "
                    f"{', '.join(sorted(policy.accepted_financial_statuses))}")
    if _RISK_ORDER.get((facts.risk_level or "").lower(), -1) > _RISK_ORDER[policy.max_risk]:
        return Hold(HoldReason.HIGH_RISK, f"risk level {facts.risk_level} is above "
                    f"{policy.max_risk}")
    if facts.is_test and policy.hold_test_orders:
        return Hold(HoldReason.OTHER, "the channel marks it as a test order")
    return None


def _listed(labels: Iterable[str], most: int = 3) -> str:
    unique = list(dict.fromkeys(labels))
    shown = ", ".join(unique[:most])
    return shown + (f" and {len(unique) - most} more" if len(unique) > most else "")
