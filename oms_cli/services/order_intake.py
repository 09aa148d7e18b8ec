"""Writing parsed orders into the order book: new ones in bulk, known ones as updates.

An order's identity is (channel, external id). A new order is inserted with its
lines, customer and first event in a few bulk statements per batch; a known one
is compared field by field with what the channel may change (payment, refund,
cancellation, fulfilment, address before allocation) and only a real difference
writes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlmodel import Session

from oms_cli.domain.lifecycle import (
    LineFacts,
    LineUnits,
    OrderFacts,
    OrderState,
    ValidationPolicy,
    derive_status,
    validate_order,
)
from oms_cli.domain.money import to_minor
from oms_cli.domain.orders import ChannelFulfillment, ParsedLine, ParsedOrder
from oms_cli.reports.summarize import mark_placed
from oms_cli.reports.summary import SETTLED
from oms_cli.services.order_state import (
    VALIDATION,
    cancel_order,
    record_event,
    refresh_status,
    revalidate,
)
from oms_cli.store.bulk import insert_rows
from oms_cli.store.tables import (
    Customer,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    ProductAlias,
    utc_now,
)

ADDRESS_FIELDS = ("ship_name", "ship_company", "ship_line1", "ship_line2", "ship_city",
                  "ship_region", "ship_postcode", "ship_country", "ship_phone")
MONEY_FIELDS = ("subtotal", "shipping", "tax", "discount", "total")
ORDERS, LINES, EVENTS, CUSTOMERS = (table.__table__ for table in (  # type: ignore[attr-defined]
    Order, OrderLine, OrderEvent, Customer))
# The columns of a new order's rows, in the order _order_values and _line_values give
# them; the rest are the same for the whole batch (constants of insert_rows).
ORDER_COLUMNS = (
    "external_id", "channel_order_id", "placed_at", "currency",
    "subtotal", "shipping", "tax", "discount", "total", "refunded", "taxes_included",
    "financial_status", "channel_fulfillment", "status", "hold_reason", "hold_note", "held_by",
    "customer_id", "email",
    "ship_name", "ship_company", "ship_line1", "ship_line2", "ship_city", "ship_region",
    "ship_postcode", "ship_country", "ship_phone",
    "tags", "note", "source", "risk_level", "payment_method", "raw_status", "is_test",
    "validated_at", "cancelled_at",
)
LINE_COLUMNS = ("order_id", "line_key", "sku", "product_id", "channel_key", "name", "quantity",
                "unit_price", "discount", "tax", "requires_shipping", "shipped", "cancelled")
NEW_LINE = {"allocated": 0, "returned": 0}
# Customers remembered by e-mail between batches (about 20 MB at most); past this many
# they are forgotten and looked up again, so a file of a million orders stays flat.
REMEMBERED_CUSTOMERS = 100_000
# Prices, totals and zeros recur all through a file: each amount is rounded once.
_minor = lru_cache(maxsize=4096)(to_minor)
# Look-ups by a batch's keys, built once: the thousand keys are bound as one expanding
# parameter, not coerced one by one into a new statement for every batch.
_ORDER_IDS = select(ORDERS.c.external_id, ORDERS.c.id).where(
    ORDERS.c.channel == bindparam("channel"),
    ORDERS.c.external_id.in_(bindparam("keys", expanding=True)))
_CUSTOMER_IDS = select(CUSTOMERS.c.email, CUSTOMERS.c.id).where(
    CUSTOMERS.c.email.in_(bindparam("keys", expanding=True)))


@dataclass
class IntakeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class OrderIntake:
    """Takes the parsed orders of one file (one channel) inside its transaction."""

    def __init__(self, session: Session, *, channel: str, policy: ValidationPolicy,
                 import_run_id: int | None, run_id: int | None) -> None:
        self.session = session
        self.connection = session.connection()  # Core for bulk inserts: no ORM per row
        self.channel = channel
        self.policy = policy
        self.import_run_id = import_run_id
        self.run_id = run_id
        self.counts = IntakeCounts()
        self.now = utc_now()
        self.products: dict[str, int] = dict(
            session.execute(select(Product.sku, Product.id)).all())
        self.aliases: dict[str, int] = dict(session.execute(
            select(ProductAlias.key, ProductAlias.product_id)
            .where(ProductAlias.channel == channel)).all())
        self._customers: dict[str, int] = {}

    def resolve(self, line: ParsedLine) -> int | None:
        """Our product for a line: its sku, else an alias of its sku, channel key or name."""
        if line.sku and line.sku in self.products:
            return self.products[line.sku]
        for key in (line.sku, line.channel_key, line.name):
            if key and key in self.aliases:
                return self.aliases[key]
        return None

    def take(self, batch: Sequence[ParsedOrder]) -> None:
        """Write a batch of orders whose external ids are distinct.

        Lines the channel reports with no units (an item cancelled before it was paid
        for, as Amazon writes it) carry nothing to ship and are left out.
        """
        for order in batch:
            order.lines = [line for line in order.lines if line.quantity > 0]
        keys = [order.external_id for order in batch]
        known = self._known(keys)
        fresh = [order for order in batch if order.external_id not in known]
        if fresh:
            self._insert(fresh)
        for order in batch:
            if order.external_id in known:
                self._follow(known[order.external_id], order)

    # New orders ---------------------------------------------------------------------

    def _insert(self, orders: Sequence[ParsedOrder]) -> None:
        customers = self._customer_ids(orders)
        plans = [self._plan(parsed) for parsed in orders]
        insert_rows(self.connection, ORDERS, ORDER_COLUMNS, [
            self._order_values(parsed, plan, customers)
            for parsed, plan in zip(orders, plans, strict=True)
        ], constants={"channel": self.channel, "priority": 0, "allocation_tried_at": None,
                      "import_run_id": self.import_run_id, "created_at": self.now,
                      "updated_at": self.now})
        ids = self._order_ids([parsed.external_id for parsed in orders])
        lines, events = [], []
        for parsed, plan in zip(orders, plans, strict=True):
            order_id = ids[parsed.external_id]
            lines += [_line_values(order_id, line, units, product_id, parsed.currency)
                      for line, units, product_id in plan.lines]
            events.append((order_id, plan.status,
                           _import_detail(parsed, plan, self.import_run_id)))
        insert_rows(self.connection, LINES, LINE_COLUMNS, lines, constants=NEW_LINE)
        mark_placed(self.session, [parsed.placed_at for parsed, plan in zip(orders, plans,
                                                                             strict=True)
                                   if plan.status in SETTLED],
                    [customers.get((parsed.email or "").strip().lower()) for parsed in orders])
        insert_rows(self.connection, EVENTS, ("order_id", "to_status", "detail"), events,
                    constants={"at": self.now, "type": "imported", "from_status": None,
                               "run_id": self.run_id}, as_is=("detail",))
        self.counts.created += len(orders)

    def _order_ids(self, keys: Sequence[str]) -> dict[str, int]:
        """The ids of this channel's orders with these external ids."""
        return dict(self.connection.execute(
            _ORDER_IDS, {"channel": self.channel, "keys": list(keys)}).all())

    def _plan(self, parsed: ParsedOrder) -> _Plan:
        lines = []
        for line in parsed.lines:
            lines.append((line, _history_units(parsed, line), self.resolve(line)))
        # An order record without its items yet (Etsy's Sold Orders file) stands as one
        # unit, shipped or cancelled when the channel says so: history is never held.
        state_lines = tuple(units for _, units, _ in lines) or (
            _history_units(parsed, ParsedLine(line_key="", quantity=1)),)
        hold = None
        if any(units.waiting for units in state_lines):
            facts = OrderFacts(
                lines=[_line_facts(line.sku or line.channel_key or line.name,
                                   product_id is not None, line.quantity,
                                   line.requires_shipping)
                       for line, _, product_id in lines],
                has_address=parsed.ship_to.is_shippable(),
                financial_status=parsed.financial_status.value,
                risk_level=parsed.risk_level, is_test=parsed.is_test)
            hold = validate_order(facts, self.policy)
        return _Plan(lines=lines, status=_new_status(state_lines, hold is not None), hold=hold)

    def _order_values(self, parsed: ParsedOrder, plan: _Plan,
                      customers: dict[str, int]) -> tuple[Any, ...]:
        """A new order's row, in ORDER_COLUMNS order."""
        currency = parsed.currency
        address = parsed.ship_to
        hold = plan.hold
        email = (parsed.email or "").strip().lower() or None
        return (
            parsed.external_id, parsed.channel_order_id, parsed.placed_at, currency,
            _minor(parsed.subtotal, currency), _minor(parsed.shipping, currency),
            _minor(parsed.tax, currency), _minor(parsed.discount, currency),
            _minor(parsed.total, currency),
            _minor(parsed.refunded, currency) if parsed.refunds else 0,  # most have none to sum
            parsed.taxes_included,
            parsed.financial_status.value, parsed.fulfillment.value, plan.status,
            hold.reason.value if hold else None, hold.note if hold else None,
            VALIDATION if hold else None,
            customers.get(email) if email else None, email,
            address.name, address.company, address.line1, address.line2, address.city,
            address.region, address.postcode, address.country, address.phone,
            parsed.tags, parsed.note, parsed.source, parsed.risk_level, parsed.payment_method,
            parsed.raw_status, parsed.is_test,
            None if hold else self.now, parsed.cancelled_at,
        )

    def _customer_ids(self, orders: Sequence[ParsedOrder]) -> dict[str, int]:
        """Customers by lower-cased e-mail: found, or created once, whatever the case."""
        if len(self._customers) > REMEMBERED_CUSTOMERS:
            self._customers.clear()
        wanted: dict[str, ParsedOrder] = {}
        for order in orders:
            email = (order.email or "").strip().lower()
            if email and email not in self._customers:
                wanted.setdefault(email, order)
        if wanted:
            self._customers.update(self.connection.execute(
                _CUSTOMER_IDS, {"keys": list(wanted)}).all())
            missing = [(email, order.customer_name, order.phone)
                       for email, order in wanted.items() if email not in self._customers]
            if missing:
                insert_rows(self.connection, CUSTOMERS, ("email", "name", "phone"), missing,
                            constants={"created_at": self.now})
                self._customers.update(self.connection.execute(
                    _CUSTOMER_IDS, {"keys": [email for email, _, _ in missing]}).all())
        return self._customers

    # Known orders -------------------------------------------------------------------

    def _known(self, keys: Sequence[str]) -> dict[str, Order]:
        # Most orders of a file are new: ask for ids first, load stored orders only if any.
        found = list(self._order_ids(keys).values())
        if not found:
            return {}
        stored = self.session.scalars(select(Order).where(ORDERS.c.id.in_(found)))
        return {order.external_id: order for order in stored}

    def _follow(self, order: Order, parsed: ParsedOrder) -> None:
        """Bring a stored order up to date with what the channel now says of it."""
        assert order.id is not None
        revived = parsed.cancelled_at is None and self._revive_if_undone(order)
        changes = self._differences(order, parsed)
        new_lines = self._missing_lines(order, parsed)
        if not changes and not new_lines:
            self.counts.updated += revived
            self.counts.unchanged += not revived
            return
        self.counts.updated += 1
        mark_placed(self.session, [order.placed_at], [order.customer_id])  # as it was
        detail: dict[str, Any] = {"run": self.import_run_id,
                                  "changes": {k: [_plain(a), _plain(b)]
                                              for k, (a, b) in changes.items()}}
        if new_lines:
            self._add_lines(order, parsed, new_lines)
            detail["lines_added"] = len(new_lines)
        record_event(self.session, order.id, "updated", run_id=self.run_id, detail=detail)
        self._apply(order, parsed, changes)
        mark_placed(self.session, [order.placed_at], [order.customer_id])
        order.updated_at = self.now
        revalidate(self.session, order, self.policy, run_id=self.run_id)

    def _revive_if_undone(self, order: Order) -> bool:
        """Bring back an order an `oms import undo` cancelled, now that a file has it again
        (and its channel does not say it is cancelled): its units are wanted again and it
        is validated afresh. Returns whether it was revived."""
        if order.cancelled_at is None:
            return False
        last_cancel = self.session.scalars(
            select(OrderEvent.detail).where(OrderEvent.order_id == order.id,
                                            OrderEvent.type == "cancelled")
            .order_by(OrderEvent.id.desc()).limit(1)).first()
        if not isinstance(last_cancel, dict) or last_cancel.get("reason") != "import_undone":
            return False
        self.session.execute(update(OrderLine).where(OrderLine.order_id == order.id)
                             .values(cancelled=0))
        order.cancelled_at, order.validated_at, order.updated_at = None, None, self.now
        record_event(self.session, order.id or 0, "revived", run_id=self.run_id,
                     detail={"run": self.import_run_id,
                             "note": "imported again after `oms import undo`"})
        refresh_status(self.session, order, run_id=self.run_id)
        revalidate(self.session, order, self.policy, run_id=self.run_id)
        return True

    def _differences(self, order: Order, parsed: ParsedOrder) -> dict[str, tuple[Any, Any]]:
        """Each tracked field whose value the file changes: name -> (stored, incoming)."""
        currency = order.currency
        incoming: dict[str, Any] = {"channel_fulfillment": parsed.fulfillment.value}
        if parsed.partial != "items":  # an items-only record knows nothing of payment
            incoming.update(financial_status=parsed.financial_status.value,
                            refunded=_minor(parsed.refunded, currency),
                            raw_status=parsed.raw_status)
        if parsed.partial == "order":  # Etsy's Sold Orders file is the word on money
            incoming.update({name: _minor(getattr(parsed, name), currency)
                             for name in MONEY_FIELDS})
        if _still_movable(order) and parsed.ship_to.is_shippable():
            address = parsed.ship_to
            incoming.update(zip(ADDRESS_FIELDS, (
                address.name, address.company, address.line1, address.line2, address.city,
                address.region, address.postcode, address.country, address.phone), strict=True))
        changes = {name: (getattr(order, name), value) for name, value in incoming.items()
                   if getattr(order, name) != value}
        if parsed.cancelled_at is not None and order.cancelled_at is None:
            changes["cancelled"] = (None, parsed.cancelled_at)
        return changes

    def _apply(self, order: Order, parsed: ParsedOrder,
               changes: dict[str, tuple[Any, Any]]) -> None:
        for name, (_, value) in changes.items():
            if name not in ("cancelled", "channel_fulfillment"):
                setattr(order, name, value)
        # Shipped units first: a cancellation only cancels what did not ship.
        if "channel_fulfillment" in changes:
            order.channel_fulfillment = parsed.fulfillment.value
            if parsed.fulfillment != ChannelFulfillment.UNFULFILLED:
                self._fulfilled_elsewhere(order, parsed)
        if "cancelled" in changes:
            cancel_order(self.session, order, reason="cancelled on the channel",
                         run_id=self.run_id, at=parsed.cancelled_at)

    def _fulfilled_elsewhere(self, order: Order, parsed: ParsedOrder) -> None:
        """The channel says units shipped: record them as shipped history if none are reserved.

        A partial fulfilment ships the lines the file marks as fulfilled, so allocation
        never reserves (and ships twice) what the channel already sent.
        """
        assert order.id is not None
        reserved = self.session.execute(select(func.coalesce(func.sum(OrderLine.allocated), 0))
                                        .where(OrderLine.order_id == order.id)).scalar_one()
        if reserved:
            record_event(self.session, order.id, "fulfilled_on_channel", run_id=self.run_id,
                         detail={"note": "units are reserved here: ship them with `oms ship`"})
            return
        if parsed.fulfillment == ChannelFulfillment.FULFILLED:
            self.session.execute(update(OrderLine).where(OrderLine.order_id == order.id)
                                 .values(shipped=OrderLine.quantity - OrderLine.cancelled))
        else:
            shipped = {line.line_key: _history_units(parsed, line).shipped
                       for line in parsed.lines}
            for line_id, key, quantity, before, cancelled in self.session.execute(
                    select(OrderLine.id, OrderLine.line_key, OrderLine.quantity,
                           OrderLine.shipped, OrderLine.cancelled)
                    .where(OrderLine.order_id == order.id)).all():
                after = max(before, min(shipped.get(key, 0), quantity - cancelled))
                if after != before:
                    self.session.execute(update(OrderLine).where(OrderLine.id == line_id)
                                         .values(shipped=after))
        record_event(self.session, order.id, "fulfilled_on_channel", run_id=self.run_id,
                     detail={"fulfillment": parsed.fulfillment.value,
                             "note": "shipped outside oms; stock was not moved"})
        refresh_status(self.session, order, run_id=self.run_id)

    def _missing_lines(self, order: Order, parsed: ParsedOrder) -> list[ParsedLine]:
        if not parsed.lines:
            return []
        have = set(self.session.scalars(select(OrderLine.line_key)
                                        .where(OrderLine.order_id == order.id)))
        if have and parsed.partial != "items":
            return []  # lines of a complete order are fixed once captured
        return [line for line in parsed.lines if line.line_key not in have]

    def _add_lines(self, order: Order, parsed: ParsedOrder, lines: list[ParsedLine]) -> None:
        assert order.id is not None
        rows = []
        for line in lines:
            units = _history_units(parsed, line)
            if order.cancelled_at is not None:  # the order's other record said so
                units = LineUnits(quantity=units.quantity, shipped=units.shipped,
                                  cancelled=units.quantity - units.shipped)
            rows.append(_line_values(order.id, line, units, self.resolve(line),
                                     order.currency))
        insert_rows(self.connection, LINES, LINE_COLUMNS, rows, constants=NEW_LINE)


@dataclass(slots=True)
class _Plan:
    lines: list[tuple[ParsedLine, LineUnits, int | None]]
    status: str
    hold: Any


def _history_units(parsed: ParsedOrder, line: ParsedLine) -> LineUnits:
    """Units the channel already shipped or cancelled: history, not today's stock."""
    if parsed.fulfillment == ChannelFulfillment.FULFILLED:
        shipped = line.quantity
    else:
        shipped = min(line.fulfilled_quantity, line.quantity)
    if parsed.cancelled_at is not None:
        cancelled = line.quantity - shipped
    else:
        cancelled = min(line.refunded_quantity, line.quantity - shipped)
    return _line_units(line.quantity, shipped, cancelled)


# The domain's values are immutable, and an import builds the same few over and over:
# made once each, they are shared (a frozen dataclass costs more to build than to look up).
@lru_cache(maxsize=1024)
def _line_units(quantity: int, shipped: int, cancelled: int) -> LineUnits:
    """A new line's units."""
    return LineUnits(quantity=quantity, shipped=shipped, cancelled=cancelled)


@lru_cache(maxsize=4096)
def _line_facts(label: str, known: bool, quantity: int, requires_shipping: bool) -> LineFacts:
    """What validation needs to know of a new line."""
    return LineFacts(label=label, known=known, quantity=quantity,
                     requires_shipping=requires_shipping)


@lru_cache(maxsize=1024)
def _new_status(lines: tuple[LineUnits, ...], held: bool) -> str:
    """A new order's status: held, or else validated (an order is validated on import)."""
    return derive_status(OrderState(lines=lines, on_hold=held, validated=not held)).value


def _line_values(order_id: int, line: ParsedLine, units: LineUnits, product_id: int | None,
                 currency: str) -> tuple[Any, ...]:
    """A new line's row, in LINE_COLUMNS order."""
    return (order_id, line.line_key, line.sku, product_id, line.channel_key, line.name,
            line.quantity, _minor(line.unit_price, currency),
            _minor(line.discount, currency), _minor(line.tax, currency),
            line.requires_shipping, units.shipped, units.cancelled)


def _import_detail(parsed: ParsedOrder, plan: _Plan, import_run_id: int | None) -> str:
    """The imported event's detail as JSON text: {"run": ..., "line": ..., "hold": ...}.

    Written out directly rather than by json.dumps of a dict per order: its values
    are numbers and a hold reason's code, which need no escaping.
    """
    run = "null" if import_run_id is None else import_run_id
    hold = f', "hold": "{plan.hold.reason.value}"' if plan.hold else ""
    return f'{{"run": {run}, "line": {parsed.source_line}{hold}}}'


def _still_movable(order: Order) -> bool:
    """Before allocation, a new address can still be followed."""
    return order.status in ("pending", "on_hold", "ready", "backordered")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value

