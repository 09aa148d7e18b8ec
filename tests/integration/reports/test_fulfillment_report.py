"""`oms report fulfillment`: hours to allocate and to ship, split and backorder rates.

March 2024, every order placed at 10:00 UTC (fixtures/reports_b/fulfillment_*.csv):
  order            allocated              shipped                   hours: allocate, ship
  shopify #301     03-01 12:00 main       03-02 10:00                      2, 24
  shopify #302     03-02 11:00 main       03-02 16:00                      1, 6
  shopify #303     03-03 14:00 main+annex main 03-04 10:00, annex 03-05     4, 24 (annex 48)
  shopify #304     backordered 03-04 11:00, allocated 03-06 10:00, shipped 03-07 10:00: 48, 72
  eu-store #305    03-05 13:00 annex      -                                3, -
  eu-store #306    03-06 20:00 annex      cancelled 03-07                 10, -
  shopify #307     held (payment pending): never tried, left out
  shopify #H3      history, fulfilled on the channel: left out
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from fixtures.reports_b.shop import (
    allocate_at,
    build_file,
    by_key,
    copy_of,
    fulfillment_book,
    import_orders,
    opened,
    query,
)

from oms_cli.domain.allocation import Policy
from oms_cli.domain.periods import parse_period
from oms_cli.errors import InvalidInput
from oms_cli.reports import summarize, summary
from oms_cli.reports.fulfillment import MEASURES, fulfillment_report
from oms_cli.services.reporting import run_report
from oms_cli.store.database import Database


@pytest.fixture(scope="module")
def book(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(fulfillment_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture
def shop(book: Path, tmp_path: Path) -> Iterator[Database]:
    with opened(copy_of(book, tmp_path / "oms.db")) as db:
        yield db


READ = {"summaries": True}


@pytest.fixture(autouse=True, params=[True, False], ids=["summaries", "orders"])
def read_summaries(request: pytest.FixtureRequest) -> None:
    """Every test twice: settled orders read from the daily summaries (kept in UTC days
    through every write of the book), and from the orders themselves."""
    READ["summaries"] = bool(request.param)


def test_the_summaries_agree_with_the_orders(shop: Database) -> None:
    with shop.read() as session:
        assert summarize.drifted_days(session) == []


def report(db: Database, period: str = "2024-03", **options: object) -> dict:
    with db.read() as session:
        assert summary.kept_in(session, "UTC")
    result = run_report(db, fulfillment_report, period=parse_period(period, date(2024, 4, 1)),
                        timezone="UTC", summaries=READ["summaries"], **options)
    group = options.get("group_by")
    assert result.columns == ("period", *((group,) if group else ()), *MEASURES)
    return by_key(result.columns, result.rows, "period", *((group,) if group else ()))


def figures(row: dict) -> tuple:
    return tuple(row[name] for name in MEASURES)


def test_the_premise(shop):
    statuses = {row["external_id"]: row["status"] for row in query(
        shop, "SELECT external_id, status FROM orders")}
    assert statuses == {"#301": "shipped", "#302": "shipped", "#303": "shipped",
                        "#304": "shipped", "#305": "allocated", "#306": "cancelled",
                        "#307": "on_hold", "#H3": "shipped"}
    located = query(shop, "SELECT DISTINCT o.external_id, l.code FROM allocation a "
                    "JOIN order_line ol ON ol.id = a.order_line_id JOIN orders o "
                    "ON o.id = ol.order_id JOIN location l ON l.id = a.location_id "
                    "ORDER BY 1, 2")
    assert [(row["external_id"], row["code"]) for row in located] == [
        ("#301", "main"), ("#302", "main"), ("#303", "annex"), ("#303", "main"),
        ("#304", "main"), ("#305", "annex"), ("#306", "annex")]


def test_all_orders_of_the_period(shop):
    rows = report(shop)

    # allocate hours 1 2 3 4 10 48: median at rank ceil(6 x 0.5) = 3, p90 at rank 6;
    # ship hours 6 24 24 72: median at rank 2, p90 at rank 4.
    assert figures(rows["2024-03"]) == (
        6, 6, D("3.0"), D("48.0"), 4, D("24.0"), D("72.0"), 1, D("25.0"), 1, D("16.7"))


def test_per_channel(shop):
    rows = report(shop, group_by="channel")

    assert list(rows) == [("2024-03", "eu-store"), ("2024-03", "shopify")]
    # shopify: allocate 1 2 4 48, ship 6 24 24 72; #303 split; #304 backordered.
    assert figures(rows["2024-03", "shopify"]) == (
        4, 4, D("2.0"), D("48.0"), 4, D("24.0"), D("72.0"), 1, D("25.0"), 1, D("25.0"))
    # eu-store: allocate 3 10, nothing shipped: no ship hours and no split rate.
    assert figures(rows["2024-03", "eu-store"]) == (
        2, 2, D("3.0"), D("10.0"), 0, None, None, 0, None, 0, D("0.0"))


def test_per_location_an_order_counts_wherever_it_was_allocated(shop):
    rows = report(shop, group_by="location")

    assert list(rows) == [("2024-03", "annex"), ("2024-03", "main")]
    # annex: #303 (4 h; shipped there after 48 h), #305 (3 h), #306 (10 h).
    assert figures(rows["2024-03", "annex"]) == (
        3, 3, D("4.0"), D("10.0"), 1, D("48.0"), D("48.0"), 1, D("100.0"), 0, D("0.0"))
    # main: #301, #302, #303, #304: allocate 1 2 4 48, ship 6 24 24 72.
    assert figures(rows["2024-03", "main"]) == (
        4, 4, D("2.0"), D("48.0"), 4, D("24.0"), D("72.0"), 1, D("25.0"), 1, D("25.0"))


def test_an_order_tried_but_never_allocated_counts_as_unallocated(shop):
    import_orders(shop, "fulfillment_late_order.csv")  # #308, 9 CUP: only 4 left
    allocate_at(shop, "2024-03-09 12:00", "shopify:#308", policy=Policy(partial="wait"))

    rows = report(shop, group_by="location")
    assert figures(rows["2024-03", "(unallocated)"]) == (
        1, 0, None, None, 0, None, None, 0, None, 1, D("100.0"))
    assert figures(rows["2024-03", "main"])[0] == 4


def test_by_day_buckets(shop):
    rows = report(shop, "2024-03", by="day")

    assert [key for key in rows] == [f"2024-03-0{day}" for day in range(1, 7)]
    assert figures(rows["2024-03-04"])[:4] == (1, 1, D("48.0"), D("48.0"))


def test_orders_count_in_the_period_they_were_placed(shop):
    assert report(shop, "2024-02") == {}


def test_group_by_must_be_channel_or_location(shop):
    with pytest.raises(InvalidInput, match="channel or location"):
        report(shop, group_by="sku")
