"""Sales per period, currency and group: the figures of ``oms report sales``.

Orders count in the period they were placed (local days). Per order, in its currency:

- gross: the sum of unit_price x quantity over its lines (prices as charged, so tax
  is inside them on a tax-inclusive order);
- discounts, shipping, tax, refunds: the order's own figures (refunds: everything
  refunded so far, by the channel or ``oms return``);
- net = gross - discounts - refunds, less the tax inside the prices of a tax-inclusive
  order, plus the tax the refunds gave back (tax x refunds / total): net never holds
  tax, whether prices include it or not, and a refund takes its share of tax along;
- cancelled orders are left out of every figure and counted in ``cancelled``.

Grouped by sku or location the report works per line: a line's share of its order's
discount, shipping, tax and refunds is in proportion to its part of the order's
gross, rounded half up to the minor unit. Amounts of different currencies are never
added: currency is part of every row's key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, Select, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery
from sqlalchemy.sql.util import ClauseAdapter

from oms_cli.domain.periods import Period, buckets, previous
from oms_cli.reports import summary
from oms_cli.reports.common import (
    LINES,
    OPEN,
    ORDER_GROUPS,
    ORDERS,
    PRODUCTS,
    Bucket,
    GroupKey,
    ReportRows,
    average,
    group_key,
    joined_sku,
    money,
    per_bucket,
    utc_buckets,
)

AMOUNTS = ("gross", "discounts", "shipping", "tax", "net", "refunds")
COLUMNS = ("period", "currency", "orders", "units", *AMOUNTS, "aov", "growth_pct", "cancelled")
_SUMMED = ("units", "gross", "discounts", "shipping", "tax", "refunds", "included_tax",
           "refunded_tax")


@dataclass(frozen=True)
class SalesSums:
    """One row's sums straight from SQL, amounts in minor units of ``currency``."""

    seq: int
    label: str
    currency: str
    key: Any
    orders: int
    cancelled: int
    units: int
    gross: int
    discounts: int
    shipping: int
    tax: int
    refunds: int
    included_tax: int
    refunded_tax: int

    @property
    def net(self) -> int:
        return (self.gross - self.discounts - self.included_tax - self.refunds
                + self.refunded_tax)


def sales_report(session: Session, *, period: Period, timezone: str, by: str | None = None,
                 group_by: str | None = None, summaries: bool = True) -> ReportRows:
    """Sales of ``period`` (one row per ``by`` bucket, currency and ``group_by`` key).

    growth_pct compares each row's net with the same key's net in the bucket before
    it (for the first, the span just before the period): (net - before) / |before| x 100.
    Settled orders are read from the daily summaries when they are kept in ``timezone``'s
    days (and ``summaries`` is not turned off), the open ones from the orders.
    """
    spans = buckets(period, by) if by else [period]
    key = group_key(group_by) if group_by else None
    timed = utc_buckets([previous(spans[0]), *spans], timezone)
    if summaries and summary.kept_in(session, timezone):
        sums = merged([*map(sums_of, summary.sales_rows(session, timed, key)),
                       *fetch_sums(session, timed, key, statuses=OPEN)])
    else:
        sums = fetch_sums(session, timed, key)
    columns = COLUMNS if key is None else (*COLUMNS[:2], key.name, *COLUMNS[2:])
    return ReportRows(columns, _rows(sums, key is not None))


def fetch_sums(session: Session, spans: Sequence[Bucket], key: GroupKey | None,
               statuses: Sequence[str] | None = None) -> list[SalesSums]:
    """The sums per bucket, currency and key, ordered by bucket, currency and key, over
    the orders in ``statuses`` (default: every order).

    Per order (no key, or an order's own key) the cancelled orders come with the sums;
    per line they are counted by a query of their own (few, found by the status index),
    so the line sums run over live orders without a condition in every SUM.
    """
    def rows(build: Callable[[Bucket], Select[Any]]) -> list[Any]:
        return [row._mapping for statement in per_bucket(spans, build)
                for row in session.execute(statement)]

    if key is not None and key.grain == "line":
        cancelled = {} if statuses is not None and "cancelled" not in statuses else {
            (row["seq"], row["currency"], row["key"]): row["cancelled"]
            for row in rows(lambda bucket: cancelled_sums(bucket, key))}
        live = rows(lambda bucket: line_sums(bucket, key, statuses))
    else:
        lines_of = {(row["seq"], row["currency"], row["key"]): row
                    for row in rows(lambda bucket: unit_sums(bucket, key, statuses))}
        every = rows(lambda bucket: order_sums(bucket, key, statuses))
        cancelled = {(row["seq"], row["currency"], row["key"]): row["cancelled"]
                     for row in every if row["cancelled"]}
        live = [{**row, **_units(lines_of.get((row["seq"], row["currency"], row["key"])))}
                for row in every if row["orders"]]
    sums = [sums_of({**row, "cancelled": cancelled.pop((row["seq"], row["currency"],
                                                         row["key"]), 0)}) for row in live]
    zero = dict.fromkeys(("orders", *_SUMMED), 0)
    sums += [sums_of({**zero, "seq": seq, "label": spans[seq].label, "currency": currency,
                      "key": value, "cancelled": count})
             for (seq, currency, value), count in cancelled.items()]
    return sorted(sums, key=_order)


def merged(sums: Sequence[SalesSums]) -> list[SalesSums]:
    """Rows of the same bucket, currency and key added together, in ``fetch_sums`` order."""
    together: dict[tuple[int, str, Any], SalesSums] = {}
    for row in sums:
        key = (row.seq, row.currency, row.key)
        before = together.get(key)
        together[key] = row if before is None else replace(before, **{
            name: getattr(before, name) + getattr(row, name)
            for name in ("orders", "cancelled", *_SUMMED)})
    return sorted(together.values(), key=_order)


def _order(row: SalesSums) -> tuple[int, str, str]:
    return row.seq, row.currency, str(row.key)


def _units(lines: Any) -> dict[str, int]:
    return {"units": lines["units"] if lines else 0, "gross": lines["gross"] if lines else 0}


def sums_of(mapping: Any) -> SalesSums:
    """A SalesSums from a row of sums (None as 0)."""
    values = dict(mapping)
    for name in ("seq", "orders", "cancelled", *_SUMMED):
        values[name] = int(values[name] or 0)  # PostgreSQL sums bigints as numeric
    return SalesSums(**values)


def _total(value: Any) -> Any:
    return func.coalesce(func.sum(value), 0)


def order_sums(bucket: Bucket, key: GroupKey | None,
               statuses: Sequence[str] | None = None) -> Select[Any]:
    """The order-level sums (all but units and gross) of the bucket's live orders, and its
    cancelled orders, per currency and key.

    Two flat GROUP BYs (this one and ``unit_sums``) cost less than grouping every
    order's lines first and then the orders.
    """
    groups = (select(*ORDER_GROUPS, func.count().label("orders"),
                     func.sum(ORDERS.c.discount).label("discounts"),
                     func.sum(ORDERS.c.shipping).label("shipping"),
                     func.sum(ORDERS.c.tax).label("tax"),
                     func.sum(ORDERS.c.refunded).label("refunds"),
                     func.sum(case((ORDERS.c.taxes_included, ORDERS.c.tax), else_=0))
                     .label("included_tax"),
                     func.sum(refunded_tax(ORDERS.c)).label("refunded_tax"))
              .where(bucket.holds(ORDERS.c.placed_at), *_in(statuses))
              .group_by(*ORDER_GROUPS)).subquery("order_groups")
    return _rolled_up(bucket, key, groups, ("orders", "discounts", "shipping", "tax",
                                            "refunds", "included_tax", "refunded_tax"),
                      _total_if(groups.c.status == "cancelled", groups.c.orders)
                      .label("cancelled"))


def unit_sums(bucket: Bucket, key: GroupKey | None,
              statuses: Sequence[str] | None = None) -> Select[Any]:
    """Units and gross of the bucket's live orders, per currency and key."""
    groups = (select(*ORDER_GROUPS, func.sum(LINES.c.quantity).label("units"),
                     func.sum(_line_gross()).label("gross"))
              .select_from(ORDERS.join(LINES, LINES.c.order_id == ORDERS.c.id))
              .where(bucket.holds(ORDERS.c.placed_at), *_in(statuses))
              .group_by(*ORDER_GROUPS)).subquery("line_groups")
    return _rolled_up(bucket, key, groups, ("units", "gross"))


def _rolled_up(bucket: Bucket, key: GroupKey | None, groups: Subquery,
               measures: tuple[str, ...], *extra: Any) -> Select[Any]:
    """The per-order-group sums rolled up to currency and key: each of ``measures``
    summed over the live (not cancelled) groups, then ``extra`` columns."""
    live = groups.c.status != "cancelled"
    return (
        select(*bucket.columns(), groups.c.currency, _key_of(groups, key),
               *(_total_if(live, groups.c[name]).label(name) for name in measures), *extra)
        .group_by(groups.c.currency, *_grouping_of(groups, key))
    )


def _total_if(condition: Any, value: Any) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def _key_of(groups: Subquery, key: GroupKey | None) -> Any:
    """The key of an order-level group (``key`` over ``orders``, read from ``groups``)."""
    if key is None:
        return literal(None).label("key")
    return ClauseAdapter(groups).traverse(key.expression).label("key")


def _grouping_of(groups: Subquery, key: GroupKey | None) -> list[Any]:
    return [] if key is None else [ClauseAdapter(groups).traverse(key.expression)]


def line_sums(bucket: Bucket, key: GroupKey | None,
              statuses: Sequence[str] | None = None) -> Select[Any]:
    """Sums over the lines of the bucket's live orders (of ``statuses``), each line with its
    share of its order's amounts (see the module doc)."""
    rows = line_rows(bucket, key, statuses=statuses)
    return (select(*bucket.columns(), rows.c.currency, rows.c.key, *line_measures(rows))
            .group_by(rows.c.currency, rows.c.key))


def line_measures(rows: Subquery) -> list[Any]:
    """The sums of ``line_rows``: orders, units, gross and the lines' shares of the
    orders' discounts, shipping, tax, refunds, included and refunded tax."""
    return [func.count(func.distinct(rows.c.order_id)).label("orders"),
            _total(rows.c.units).label("units"), _total(rows.c.gross).label("gross"),
            _total(share(rows, rows.c.discount)).label("discounts"),
            _total(share(rows, rows.c.shipping)).label("shipping"),
            _total(share(rows, rows.c.tax)).label("tax"),
            _total(share(rows, rows.c.refunded)).label("refunds"),
            _total(case((rows.c.taxes_included, share(rows, rows.c.tax)), else_=0))
            .label("included_tax"),
            _total(share(rows, refunded_tax(rows.c))).label("refunded_tax")]


def _in(statuses: Sequence[str] | None) -> list[Any]:
    """The condition keeping orders of ``statuses`` (none for every order)."""
    return [] if statuses is None else [ORDERS.c.status.in_(tuple(statuses))]


def cancelled_sums(bucket: Bucket, key: GroupKey | None) -> Select[Any]:
    """The bucket's cancelled orders per currency and key (once per key an order has)."""
    joined = ORDERS.join(LINES, LINES.c.order_id == ORDERS.c.id) \
        if key is not None and key.grain == "line" else ORDERS
    found = (select(ORDERS.c.currency, _key(key), ORDERS.c.id.label("order_id"))
             .select_from(joined)
             .where(bucket.holds(ORDERS.c.placed_at), ORDERS.c.status == "cancelled")
             ).subquery("cancelled")
    return (
        select(*bucket.columns(), found.c.currency, found.c.key,
               func.count(func.distinct(found.c.order_id)).label("cancelled"))
        .group_by(found.c.currency, found.c.key)
    )


def line_rows(bucket: Bucket, key: GroupKey | None, *extra: Any,
              statuses: Sequence[str] | None = None) -> Subquery:
    """Every line of the bucket's orders that are not cancelled (and are in ``statuses``),
    beside its order's figures.

    Columns: currency, key, order_id, taxes_included, discount, shipping, tax, refunded,
    total (the order's), units, gross (the line's), order_gross, and ``extra`` (labelled
    columns of orders, order_line or product, joined on the line's product when it has one).
    """
    live = and_(bucket.holds(ORDERS.c.placed_at), ORDERS.c.status != "cancelled",
                *_in(statuses))
    # Each order's gross first (a narrow GROUP BY), then its lines beside it: cheaper than
    # a window over the wide line rows (or a lookup per line, which SQLite repeats for
    # every share the line takes).
    whole = (select(ORDERS.c.id.label("order_id"),
                    cast(func.sum(_line_gross()), BigInteger).label("order_gross"))
             .select_from(ORDERS.join(LINES, LINES.c.order_id == ORDERS.c.id))
             .where(live).group_by(ORDERS.c.id)).subquery("order_gross")
    if key is not None and key.name == "sku":
        key = GroupKey("sku", "line", joined_sku())  # the product is joined below anyway
    return (
        select(ORDERS.c.currency, _key(key), ORDERS.c.id.label("order_id"),
               ORDERS.c.taxes_included, ORDERS.c.discount, ORDERS.c.shipping, ORDERS.c.tax,
               ORDERS.c.refunded, ORDERS.c.total, LINES.c.quantity.label("units"),
               _line_gross().label("gross"), whole.c.order_gross, *extra)
        .select_from(ORDERS.join(whole, whole.c.order_id == ORDERS.c.id)
                     .join(LINES, LINES.c.order_id == ORDERS.c.id)
                     .outerjoin(PRODUCTS, PRODUCTS.c.id == LINES.c.product_id))
        .where(live)
    ).subquery("per_line")


def refunded_tax(columns: Any) -> Any:
    """The tax a refund gave back: tax x refunded / total, rounded half up (0 without a total).

    ``columns`` is a row source with the order's tax, refunded and total columns.
    """
    tax, refunded, total = cast(columns.tax, BigInteger), columns.refunded, columns.total
    return case((total > 0, (2 * tax * refunded + total) // (2 * total)), else_=0)


def share(per_line: Subquery, column: Any) -> Any:
    """The line's share of an order amount: amount x gross / order_gross, rounded half up."""
    gross, whole = per_line.c.gross, per_line.c.order_gross
    return case((whole > 0, (2 * cast(column, BigInteger) * gross + whole) // (2 * whole)),
                else_=0)


def _line_gross() -> Any:
    return cast(LINES.c.unit_price, BigInteger) * LINES.c.quantity


def _key(key: GroupKey | None) -> Any:
    return (key.expression if key is not None else literal(None)).label("key")


def _rows(sums: Sequence[SalesSums], grouped: bool) -> list[tuple[Any, ...]]:
    nets = {(row.seq, row.currency, row.key): row.net for row in sums if row.orders}
    rows = []
    for row in sums:
        if row.seq == 0:
            continue  # the span before the period is only there to measure growth
        before = nets.get((row.seq - 1, row.currency, row.key))
        rows.append(_row(row, growth(row.net, before), grouped))
    return rows


def _row(row: SalesSums, growth_pct: Decimal | None, grouped: bool) -> tuple[Any, ...]:
    amounts = {name: money(getattr(row, name), row.currency) for name in AMOUNTS}
    head = (row.label, row.currency, *((row.key,) if grouped else ()))
    return (*head, row.orders, int(row.units), *amounts.values(),
            average(row.net, row.orders, row.currency), growth_pct, row.cancelled)


def growth(now: int, before: int | None) -> Decimal | None:
    """(now - before) / |before| x 100, to one decimal; None without a non-zero before."""
    if not before:
        return None
    change = Decimal(now - before) * 100 / abs(Decimal(before))
    return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
