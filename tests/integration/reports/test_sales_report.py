"""`oms report sales` against figures computed here, independently, from the export files.

The book (tests/fixtures/reports/book.py): USD, EUR, GBP and JPY orders over January to
April 2026 on two channels, tax-inclusive orders (all of eu-store, GBP #1007), refunds
(#1002 partly, EU-2 wholly, and a return on #1001), cancellations (#1003, EU-5), and
orders placed around clock changes in London and New York.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from fixtures.reports.book import book_orders, book_read_by
from fixtures.reports.expected import Expected, amount, by_order, by_sku, month

from oms_cli.domain.periods import parse_period, resolve_period
from oms_cli.reports.sales import COLUMNS, sales_report
from oms_cli.services.reporting import run_report
from oms_cli.store.database import Database

LONDON = "Europe/London"
TODAY = date(2026, 5, 1)


@pytest.fixture(params=["orders", "summaries"])
def book(db: Database, request: pytest.FixtureRequest) -> Database:
    """The book, with the settled orders read from the orders or from the summaries."""
    return book_read_by(db, request.param)


def report(db: Database, period: str = "2026", timezone: str = LONDON,
           **options: Any) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The report's rows by (period, currency[, group]), each as a column -> value dict."""
    result = run_report(db, sales_report, period=parse_period(period, TODAY),
                        timezone=timezone, **options)
    width = 3 if options.get("group_by") else 2
    return {row[:width]: dict(zip(result.columns, row, strict=True)) for row in result.rows}


def compare(actual: dict[tuple[Any, ...], dict[str, Any]],
            expected: dict[tuple[Any, ...], Expected]) -> None:
    assert sorted(actual) == sorted(expected)
    for key, row in expected.items():
        got = {name: actual[key][name] for name in (*COLUMNS[2:], "cancelled")
               if name != "growth_pct"}
        assert got == row.figures(key[1]), key


def test_sales_by_month_match_the_exports_in_the_shop_timezone(book: Database) -> None:
    expected = by_order(book_orders(), lambda order: (month(order), order.currency))
    compare(report(book, by="month"), expected)


def test_sales_by_channel_match_the_exports(book: Database) -> None:
    expected = by_order(book_orders(), lambda o: ("2026", o.currency, o.channel))
    compare(report(book, group_by="channel"), expected)


def test_sales_by_sku_share_each_orders_amounts_by_line_gross(book: Database) -> None:
    expected = by_sku(book_orders(), lambda order: "2026")
    compare(report(book, group_by="sku"), expected)


def test_sales_by_sku_and_month_match_too(book: Database) -> None:
    expected = by_sku(book_orders(), month)
    compare(report(book, by="month", group_by="sku"), expected)


def test_sku_rows_add_up_to_the_orders_within_a_minor_unit_a_line(book: Database) -> None:
    whole = report(book)
    per_sku = report(book, group_by="sku")
    for (period, currency), row in whole.items():
        parts = [sku_row for (p, c, _), sku_row in per_sku.items() if (p, c) == (period, currency)]
        assert sum(part["units"] for part in parts) == row["units"]
        assert sum(part["gross"] for part in parts) == row["gross"]
        lines = len(parts) + 2
        for name in ("discounts", "shipping", "tax", "refunds", "net"):
            assert abs(sum(part[name] for part in parts) - row[name]) <= amount(lines, currency)


def test_amounts_of_different_currencies_stay_on_rows_of_their_own(book: Database) -> None:
    rows = report(book)
    assert sorted(rows) == [("2026", "EUR"), ("2026", "GBP"), ("2026", "JPY"), ("2026", "USD")]
    assert rows["2026", "JPY"]["gross"] == Decimal(3500)


def test_cancelled_orders_are_counted_apart_and_left_out_of_every_figure(
        book: Database) -> None:
    rows = report(book, period="2026-02")
    assert rows["2026-02", "USD"]["cancelled"] == 1  # #1003
    assert rows["2026-02", "EUR"]["cancelled"] == 1  # EU-5
    assert rows["2026-02", "EUR"]["orders"] == 1  # EU-2 only
    assert rows["2026-02", "EUR"]["gross"] == Decimal("99.00")


def test_tax_inclusive_orders_are_not_taxed_twice(book: Database) -> None:
    gbp = report(book, period="2026-03")["2026-03", "GBP"]  # #1007, prices include 14.17 tax
    assert (gbp["gross"], gbp["tax"], gbp["net"]) == (Decimal("80.00"), Decimal("14.17"),
                                                       Decimal("65.83"))
    usd = report(book, period="2026-01", timezone="America/New_York")["2026-01", "USD"]
    # #1001 and #1002, tax on top: only the 12.50 and 20.00 refunds' share of tax returns.
    refunded_tax = Decimal("0.84") + Decimal("1.63")
    assert usd["net"] == usd["gross"] - usd["discounts"] - usd["refunds"] + refunded_tax


def test_a_refund_takes_its_share_of_tax_back_with_it(book: Database) -> None:
    # EU-2 (tax-inclusive, 99.00 with 15.81 tax) was refunded whole: nothing is left.
    eur = report(book, period="2026-02")["2026-02", "EUR"]
    assert (eur["gross"], eur["refunds"], eur["net"]) == (Decimal("99.00"), Decimal("99.00"),
                                                          Decimal("0.00"))


def test_an_order_just_after_midnight_bst_counts_in_the_local_month(book: Database) -> None:
    # #1005 was placed 2026-03-31 23:30 UTC: 00:30 on 1 April in London (BST).
    london = report(book, period="2026-04")
    utc = report(book, period="2026-04", timezone="UTC")
    assert london["2026-04", "USD"]["orders"] == 1
    assert ("2026-04", "USD") not in utc
    # EU-4, 2026-04-01 01:30 in Paris, is 31 March in UTC and 1 April in London.
    assert london["2026-04", "EUR"]["orders"] == 1
    assert ("2026-04", "EUR") not in utc


def test_daily_buckets_follow_local_days_across_a_clock_change(book: Database) -> None:
    # New York sprang forward on 2026-03-08: #1010 at 01:30 EST and #1009 at 23:30 EDT
    # are both that local day, though #1009 is 9 March in UTC.
    period = resolve_period(None, "2026-03-07", "2026-03-10", TODAY)
    result = run_report(book, sales_report, period=period, timezone="America/New_York",
                        by="day")
    days = {(row[0], row[1]): row[2] for row in result.rows}
    assert days == {("2026-03-08", "USD"): 2}
    utc = run_report(book, sales_report, period=period, timezone="UTC", by="day")
    assert {(row[0], row[1]): row[2] for row in utc.rows} == {
        ("2026-03-08", "USD"): 1, ("2026-03-09", "USD"): 1}


def test_growth_compares_each_bucket_with_the_one_before(book: Database) -> None:
    rows = report(book, by="month")
    before, now = rows["2026-02", "USD"]["net"], rows["2026-03", "USD"]["net"]
    expected = ((now - before) * 100 / abs(before)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert rows["2026-03", "USD"]["growth_pct"] == expected
    # January's growth compares with December 2025, which sold nothing: no growth figure.
    assert rows["2026-01", "USD"]["growth_pct"] is None


def test_a_period_without_orders_has_no_rows(book: Database) -> None:
    assert report(book, period="2025") == {}


def test_rows_come_in_bucket_then_currency_order(book: Database) -> None:
    assert list(report(book, by="quarter")) == [
        ("2026Q1", "EUR"), ("2026Q1", "GBP"), ("2026Q1", "JPY"), ("2026Q1", "USD"),
        ("2026Q2", "EUR"), ("2026Q2", "USD")]
