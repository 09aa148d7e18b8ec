"""`oms report products` against figures computed here from the export files (book.py).

Products: MUG (cost 4.00 USD), TEE (8.00 USD), LAMP (30.00 USD), TEA-JP (600 JPY); a
cost counts only in the product's own currency. 1 MUG of #1001 came back.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from fixtures.reports.book import PRODUCTS, RETURNED, book_orders, book_read_by
from fixtures.reports.expected import amount, line_figures

from oms_cli.domain.periods import parse_period
from oms_cli.reports.products import COLUMNS, products_report
from oms_cli.services.catalog import ProductChanges, add_product
from oms_cli.services.reporting import run_report
from oms_cli.store.database import Database

TODAY = date(2026, 5, 1)


@pytest.fixture(params=["orders", "summaries"])
def book(db: Database, request: pytest.FixtureRequest) -> Database:
    """The book, with the settled orders read from the orders or from the summaries."""
    return book_read_by(db, request.param)


def report(db: Database, period: str = "2026", **options: Any) -> list[dict[str, Any]]:
    result = run_report(db, products_report, period=parse_period(period, TODAY),
                        timezone="Europe/London", **options)
    assert result.columns == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in result.rows]


def expected_products() -> dict[tuple[str, str], dict[str, Any]]:
    """(sku, currency) -> units, revenue, cogs, margin, returned from the exports alone."""
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for order in book_orders():
        if order.cancelled:
            continue
        for line in order.lines:
            row = sums[line.sku, order.currency]
            row["units"] += line.quantity
            f = line_figures(order, line)
            row["revenue"] += (f["gross"] - f["discounts"] - f["refunds"] - f["included_tax"]
                               + f["refunded_tax"])
    returned = {(RETURNED[2], "USD"): RETURNED[3]}  # 1 MUG of the USD order #1001
    expected = {}
    for (sku, currency), row in sums.items():
        revenue = amount(row["revenue"], currency)
        cost_currency, cost = PRODUCTS[sku]
        back = returned.get((sku, currency), 0)
        cogs = Decimal(cost) * (row["units"] - back) if cost_currency == currency else None
        expected[sku, currency] = {
            "units": row["units"], "revenue": revenue, "cogs": cogs,
            "margin": revenue - cogs if cogs is not None else None, "returned": back}
    return expected


def test_units_revenue_margin_and_returns_match_the_exports(book: Database) -> None:
    rows = report(book)
    actual = {(row["sku"], row["currency"]): {name: row[name] for name in
                                              ("units", "revenue", "cogs", "margin", "returned")}
              for row in rows}
    assert actual == expected_products()


def test_margin_is_blank_where_the_cost_is_in_another_currency(book: Database) -> None:
    rows = {(row["sku"], row["currency"]): row for row in report(book)}
    assert rows["MUG", "EUR"]["cogs"] is None
    assert rows["MUG", "EUR"]["margin_pct"] is None
    assert rows["TEA-JP", "JPY"]["cogs"] == Decimal(1200)


def test_return_rate_is_returned_over_units(book: Database) -> None:
    mug = next(row for row in report(book) if (row["sku"], row["currency"]) == ("MUG", "USD"))
    assert mug["returned"] == 1
    assert mug["return_rate"] == (Decimal(100) / mug["units"]).quantize(Decimal("0.1"),
                                                                        ROUND_HALF_UP)
    margin_pct = (mug["margin"] * 100 / mug["revenue"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert mug["margin_pct"] == margin_pct


def test_best_sellers_come_first_by_units_then_revenue(book: Database) -> None:
    rows = report(book)
    keys = [(row["units"], row["revenue"]) for row in rows]
    assert [units for units, _ in keys] == sorted((units for units, _ in keys), reverse=True)
    assert (rows[0]["sku"], rows[0]["currency"]) == ("TEE", "USD")


def test_top_keeps_the_first_rows_and_worst_turns_the_order(book: Database) -> None:
    add_product(book, "SPARE", ProductChanges(name="Spare part"), currency="USD")
    best = report(book, top=2)
    worst = report(book, top=2, worst=True)
    assert len(best) == 2
    assert worst[0]["sku"] == "SPARE"  # active, and sold nothing: the worst of all
    assert worst[0]["units"] == 0
    assert worst[1]["units"] <= best[-1]["units"]


def test_cancelled_orders_sell_nothing(book: Database) -> None:
    rows = {(row["sku"], row["currency"]): row for row in report(book, period="2026-02")}
    assert rows["LAMP", "EUR"]["units"] == 1  # EU-2; EU-5 was cancelled
    assert rows["MUG", "USD"]["units"] == 0  # #1003 was cancelled: listed as unsold
