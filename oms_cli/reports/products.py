"""Products of a period: ``oms report products``, best sellers first (or worst).

One row per sku and currency, over the lines of orders placed in the period and not
cancelled, with the same per-line figures as ``oms report sales --group-by sku``:

- units: ordered units; revenue: that report's net for the sku (gross less the
  line's shares of discounts, refunds and, on tax-inclusive orders, tax, plus its
  share of the tax the refunds gave back);
- cogs = product cost x (units - cancelled - returned), known only when the product
  has a cost in the order's currency; margin = revenue - cogs, margin_pct =
  margin / revenue x 100 (both blank when any line's cost is unknown);
- returned: units returned so far; return_rate = returned / units x 100.

Active products that sold nothing in the period are listed with zero units (in the
product's currency), so ``--worst`` shows what did not sell at all. Rows rank by
units, then revenue: units can be compared across currencies, revenue cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from oms_cli.domain.periods import Period
from oms_cli.reports.common import (
    LINES,
    ORDERS,
    PRODUCTS,
    Bucket,
    GroupKey,
    ReportRows,
    joined_sku,
    money,
    percent,
    utc_buckets,
)
from oms_cli.reports.sales import line_rows, refunded_tax, share

COLUMNS = ("sku", "name", "currency", "units", "revenue", "cogs", "margin", "margin_pct",
           "returned", "return_rate")


def products_report(session: Session, *, period: Period, timezone: str, top: int | None = None,
                    worst: bool = False) -> ReportRows:
    """Every sku sold in ``period`` (and every active product that was not), ranked.

    Best sellers first (most units, then most revenue), or with ``worst`` the fewest
    first; ``top`` keeps the first rows only.
    """
    per_line = _lines(utc_buckets([period], timezone)[0])
    sold = [_row(values) for values in session.execute(_sums(per_line))]
    sold += _unsold(session, {row[0] for row in sold})
    sold.sort(key=lambda row: row[0])
    sold.sort(key=lambda row: (row[3], row[4]), reverse=not worst)  # stable: ties stay by sku
    return ReportRows(COLUMNS, sold[:top] if top else sold)


def _lines(bucket: Bucket) -> Subquery:
    cost = case((PRODUCTS.c.currency == ORDERS.c.currency, PRODUCTS.c.cost))
    return line_rows(bucket, GroupKey("sku", "line", joined_sku()), LINES.c.returned,
                     LINES.c.cancelled, cost.label("unit_cost"),
                     func.coalesce(PRODUCTS.c.name, LINES.c.name).label("name"))


def _sums(rows: Subquery) -> Any:
    def total(value: Any) -> Any:
        return func.coalesce(func.sum(value), 0)

    revenue = (rows.c.gross - share(rows, rows.c.discount) - share(rows, rows.c.refunded)
               - case((rows.c.taxes_included, share(rows, rows.c.tax)), else_=0)
               + share(rows, refunded_tax(rows.c)))
    kept = rows.c.units - rows.c.cancelled - rows.c.returned
    return (
        select(rows.c.key, func.max(rows.c.name), rows.c.currency, total(rows.c.units),
               total(revenue), total(rows.c.unit_cost * kept),
               total(case((rows.c.unit_cost.is_(None), 1), else_=0)), total(rows.c.returned))
        .group_by(rows.c.key, rows.c.currency)
    )


def _row(values: Sequence[Any]) -> tuple[Any, ...]:
    sku, name, currency, units, revenue, cogs, unknown_cost, returned = values
    revenue_amount = money(revenue, currency)
    cogs_amount = None if unknown_cost else money(cogs, currency)
    margin = None if cogs_amount is None else revenue_amount - cogs_amount
    return (sku, name, currency, int(units), revenue_amount, cogs_amount, margin,
            percent(margin, revenue_amount) if margin is not None else None, int(returned),
            percent(returned, units))


def _unsold(session: Session, sold: set[str]) -> list[tuple[Any, ...]]:
    products = session.execute(select(PRODUCTS.c.sku, PRODUCTS.c.name, PRODUCTS.c.currency)
                               .where(PRODUCTS.c.active).order_by(PRODUCTS.c.sku))
    return [(sku, name, currency, 0, money(0, currency), money(0, currency),
             money(0, currency), None, 0, None)
            for sku, name, currency in products if sku not in sold]

