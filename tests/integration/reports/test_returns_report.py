"""`oms report returns`: by reason, sku and channel; restocked vs damaged; return rates.

Shipped in March 2024 (all USD, MUG 14.00, TEA 9.50):
  shopify #401 2 MUG + 2 TEA (03-02), #402 3 MUG (03-03), #404 1 MUG + 1 TEA (03-05),
  history #H4 3 TEA (placed 03-05, fulfilled on the channel); eu-store #403 4 TEA (03-04)
  -> shopify 6 MUG + 6 TEA, eu-store 4 TEA: 16 units. (#405, 1 MUG, shipped in February.)
Returned in March:
  03-10 #401 1 MUG  "too small" resaleable, refund 14.00 (the default: price x units)
  03-11 #402 2 MUG  "broken"    damaged,    refund 28.00
  03-12 #403 1 TEA  "too small" resaleable, refund 5.00
  03-13 #404 1 MUG + 1 TEA, no reason,    refund 20.00: by value MUG 11.91, TEA 8.09
  03-14 #405 1 MUG  "too small" resaleable, refund 14.00
and on 04-02 #401 1 TEA "changed mind": not in March.

Every test runs twice: with the units shipped of settled orders read from the shipped
summary (kept in UTC days, as the reports ask, since the book began) and from the
shipments themselves (the summaries kept in another zone's days).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from fixtures.reports_b.shop import (
    FIXTURES,
    allocate_at,
    build_file,
    by_key,
    copy_of,
    opened,
    query,
    returns_book,
    ship_at,
)

from oms_cli.domain.periods import parse_period
from oms_cli.errors import InvalidInput
from oms_cli.reports.returns import MEASURES, returns_report
from oms_cli.reports.summarize import drifted_days
from oms_cli.services.database import build_summaries
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.reporting import run_report
from oms_cli.store.database import Database


@pytest.fixture(scope="module")
def book(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(returns_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture(params=["summaries", "shipments"])
def shop(book: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    with opened(copy_of(book, tmp_path / "oms.db")) as db:
        if request.param == "shipments":
            build_summaries(db, "Asia/Tokyo")  # not the report's days: it reads shipments
        else:
            assert_summaries_agree(db)
        yield db


def assert_summaries_agree(db: Database) -> None:
    with db.read() as session:
        assert drifted_days(session) == []


def report(db: Database, group_by: str = "reason", period: str = "2024-03",
           **options: object) -> dict:
    result = run_report(db, returns_report, period=parse_period(period, date(2024, 5, 1)),
                        timezone="UTC", group_by=group_by, **options)
    assert result.columns == ("period", group_by, "currency", *MEASURES)
    return by_key(result.columns, result.rows, "period", group_by)


def figures(row: dict) -> tuple:
    assert row["currency"] == "USD"
    return tuple(row[name] for name in MEASURES)


def test_by_reason_rates_are_against_every_unit_shipped(shop):
    rows = report(shop)

    assert list(rows) == [("2024-03", "(none)"), ("2024-03", "broken"),
                          ("2024-03", "too small")]
    #          returns units restocked damaged refund shipped rate%
    assert figures(rows["2024-03", "too small"]) == (3, 3, 3, 0, D("33.00"), 16, D("18.8"))
    assert figures(rows["2024-03", "broken"]) == (1, 2, 0, 2, D("28.00"), 16, D("12.5"))
    assert figures(rows["2024-03", "(none)"]) == (1, 2, 2, 0, D("20.00"), 16, D("12.5"))


def test_by_sku_a_several_line_refund_is_shared_by_value(shop):
    rows = report(shop, "sku")

    # MUG: 1 + 2 + 1 + 1 units back of 6 shipped; refunds 14 + 28 + 11.91 + 14.
    assert figures(rows["2024-03", "MUG"]) == (4, 5, 3, 2, D("67.91"), 6, D("83.3"))
    # TEA: 1 + 1 of 6 + 4 shipped (3 of those by history #H4); refunds 5 + 8.09.
    assert figures(rows["2024-03", "TEA"]) == (2, 2, 2, 0, D("13.09"), 10, D("20.0"))


def test_by_channel(shop):
    rows = report(shop, "channel")

    assert figures(rows["2024-03", "eu-store"]) == (1, 1, 1, 0, D("5.00"), 4, D("25.0"))
    assert figures(rows["2024-03", "shopify"]) == (4, 6, 4, 2, D("76.00"), 12, D("50.0"))


def test_refunds_add_up_to_what_was_refunded_whatever_the_grouping(shop):
    totals = {sum((row["refund"] for row in report(shop, key).values()), D(0))
              for key in ("reason", "sku", "channel")}

    assert totals == {D("14.00") + D("28.00") + D("5.00") + D("20.00") + D("14.00")}


def test_returns_count_in_the_period_they_were_recorded(shop):
    rows = report(shop, "reason", "2024-04")

    # Nothing shipped in April: no rate.
    assert figures(rows["2024-04", "changed mind"]) == (1, 1, 1, 0, D("9.50"), 0, None)
    assert len(rows) == 1


def test_by_week_buckets(shop):
    rows = report(shop, "channel", by="week")

    assert sorted(rows) == [("2024-W10", "shopify"), ("2024-W11", "eu-store"),
                            ("2024-W11", "shopify")]
    # W10 (Monday 03-04 to 03-10): #401's return; shipped on shopify that week: #404's 2
    # units and #H4's 3 TEA (placed 03-05); #402 shipped on Sunday 03-03, in W09.
    assert figures(rows["2024-W10", "shopify"]) == (1, 1, 1, 0, D("14.00"), 5, D("20.0"))


def test_group_by_must_be_reason_sku_or_channel(shop):
    with pytest.raises(InvalidInput, match="reason, sku, channel"):
        report(shop, "country")


def test_units_shipped_of_an_open_order_count_by_the_day_they_were_shipped(shop, tmp_path):
    # #406 (8 MUG, 03-06) is allocated across main and annex, and shipped from annex
    # only on 03-08: partially shipped, still open.
    header = (FIXTURES / "returns_orders.csv").read_text().splitlines()[0]
    row = ("#406,hal@example.com,paid,unfulfilled,USD,112.00,0.00,0.00,112.00,0.00,"
           "2024-03-06 10:00:00 +0000,8,Mug,14.00,MUG,true,pending,Pat Doe,1 Main St,"
           "Springfield,62701,US,,0.00")
    export = tmp_path / "more.csv"
    export.write_text(f"{header}\n{row}\n")
    assert import_file(shop, str(export), settings=ImportSettings()).rejected == 0
    allocate_at(shop, "2024-03-07 12:00", "shopify:#406")
    ship_at(shop, "2024-03-08 10:00", "shopify:#406", location="annex")
    [order] = query(shop, "SELECT o.status, SUM(sl.quantity) AS units FROM orders o "
                    "JOIN shipment s ON s.order_id = o.id "
                    "JOIN shipment_line sl ON sl.shipment_id = s.id "
                    "WHERE o.external_id = '#406' GROUP BY o.status")
    assert order["status"] == "partially_shipped" and 0 < order["units"] < 8

    mug = report(shop, "sku")["2024-03", "MUG"]
    assert (mug["shipped_units"], mug["units"]) == (6 + order["units"], 5)
    assert report(shop, "channel")["2024-03", "shopify"]["shipped_units"] == \
        12 + order["units"]
    assert report(shop)["2024-03", "broken"]["shipped_units"] == 16 + order["units"]

    # The rest ships on 04-03: the order is settled, and all of it counts where shipped.
    ship_at(shop, "2024-04-03 10:00", "shopify:#406")
    assert query(shop, "SELECT status FROM orders WHERE external_id = '#406'") == [
        {"status": "shipped"}]
    assert report(shop, "sku")["2024-03", "MUG"]["shipped_units"] == 6 + order["units"]
    april = report(shop, "reason", "2024-04")["2024-04", "changed mind"]
    assert april["shipped_units"] == 8 - order["units"]
    assert_summaries_agree(shop)
