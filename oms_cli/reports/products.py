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

from sqlalchemy import Select, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from oms_cli.domain.periods import Period
from oms_cli.reports import summary
from oms_cli.reports.common import (
    LINES,
    OPEN,
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

_SUMMED = ("units", "revenue", "cogs", "unknown", "returned")
COLUMNS = ("sku", "name", "currency", "units", "revenue", "cogs", "margin", "margin_pct",
           "returned", "return_rate")


def products_report(session: Session, *, period: Period, timezone: str, top: int | None = None,
                    worst: bool = False, summaries: bool = True) -> ReportRows:
    """Every sku sold in ``period`` (and every active product that was not), ranked.

    Best sellers first (most units, then most revenue), or with ``worst`` the fewest
    first; ``top`` keeps the first rows only. Settled orders come from the daily
    summaries when they are kept in ``timezone``'s days (and ``summaries`` is on).
    """
    bucket = utc_buckets([period], timezone)[0]
    if summaries and summary.kept_in(session, timezone):
        parts = union_all(_sums(_lines(bucket, OPEN)),
                          *_settled_sums(bucket, timezone)).subquery("parts")
        query: Any = (select(parts.c.key, func.max(parts.c.name), parts.c.currency,
                             *(func.sum(parts.c[name]) for name in _SUMMED))
                      .group_by(parts.c.key, parts.c.currency))
    else:
        query = _sums(_lines(bucket))
    sold = [_row(values) for values in session.execute(query)]
    sold += _unsold(session, {row[0] for row in sold})
    sold.sort(key=lambda row: row[0])
    sold.sort(key=lambda row: (row[3], row[4]), reverse=not worst)  # stable: ties stay by sku
    return ReportRows(COLUMNS, sold[:top] if top else sold)


def _lines(bucket: Bucket, statuses: Sequence[str] | None = None) -> Subquery:
    cost = case((PRODUCTS.c.currency == ORDERS.c.currency, PRODUCTS.c.cost))
    return line_rows(bucket, GroupKey("sku", "line", joined_sku()), LINES.c.returned,
                     LINES.c.cancelled, cost.label("unit_cost"),
                     func.coalesce(PRODUCTS.c.name, LINES.c.name).label("name"),
                     statuses=statuses)


def _sums(rows: Subquery) -> Any:
    def total(value: Any) -> Any:
        return func.coalesce(func.sum(value), 0)

    revenue = (rows.c.gross - share(rows, rows.c.discount) - share(rows, rows.c.refunded)
               - case((rows.c.taxes_included, share(rows, rows.c.tax)), else_=0)
               + share(rows, refunded_tax(rows.c)))
    kept = rows.c.units - rows.c.cancelled - rows.c.returned
    return (
        select(rows.c.key, func.max(rows.c.name).label("name"), rows.c.currency,
               total(rows.c.units).label("units"), total(revenue).label("revenue"),
               total(rows.c.unit_cost * kept).label("cogs"),
               total(case((rows.c.unit_cost.is_(None), 1), else_=0)).label("unknown"),
               total(rows.c.returned).label("returned"))
        .group_by(rows.c.key, rows.c.currency)
    )


def _settled_sums(bucket: Bucket, timezone: str) -> list[Select[Any]]:
    """``_sums`` of the bucket's settled orders, from the daily line summaries, and the
    names of their lines of no product (which the greatest name may be)."""
    line = summary.LINE
    days = (select(line.c.key, line.c.currency,
                   *(func.sum(line.c[name]).label(name) for name in (
                       "lines", "unlinked_lines", "units", "kept_linked", "returned")),
                   func.sum(line.c.gross - line.c.discounts - line.c.refunds
                            - line.c.included_tax + line.c.refunded_tax).label("revenue"),
                   func.max(line.c.unlinked_name).label("unlinked_name"))
            .where(summary.summary_days(summary.LINE, "sku", bucket, timezone))
            .group_by(line.c.key, line.c.currency)).subquery("days")
    linked = days.c.lines - days.c.unlinked_lines
    known = and_(PRODUCTS.c.currency == days.c.currency, PRODUCTS.c.cost.is_not(None))
    sums = (select(days.c.key, case((linked > 0, PRODUCTS.c.name), else_=days.c.unlinked_name)
                   .label("name"), days.c.currency, days.c.units, days.c.revenue,
                   case((known, PRODUCTS.c.cost * days.c.kept_linked), else_=0).label("cogs"),
                   (days.c.unlinked_lines + case((known, 0), else_=linked)).label("unknown"),
                   days.c.returned)
            .select_from(days.outerjoin(PRODUCTS, PRODUCTS.c.sku == days.c.key)))
    zero = literal(0)
    names = (select(days.c.key, days.c.unlinked_name.label("name"), days.c.currency,
                    *(zero.label(name) for name in _SUMMED))
             .where(linked > 0, days.c.unlinked_name.is_not(None)))
    return [sums, names]


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

