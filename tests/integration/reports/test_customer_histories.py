"""The customers report read from the customer histories gives what it gives from the orders.

A seeded book of random orders (customers ordering in several currencies, cancelled
orders, refunds, guests, orders at the same instant), then the channel's later word on
some of them (cancellations, refunds) and an undone import: after each, the histories
match the orders (``db check``), and every bucketing of the customers report and the
RFM segments as of many moments are the same read either way.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from fixtures.reports_b.shop import at, build_file, build_shop, copy_of, opened, query

from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.domain.periods import parse_period
from oms_cli.reports import customers
from oms_cli.reports.summarize import drifted_customers
from oms_cli.services.import_runs import undo
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.reporting import run_report
from oms_cli.store.database import Database

HEADER = ("Name,Email,Financial Status,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,"
          "Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
          "Lineitem sku,Lineitem requires shipping,Lineitem fulfillment status,Shipping Name,"
          "Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Cancelled at,"
          "Refunded Amount\n")
START = date(2023, 1, 1)
TODAY = date(2025, 1, 1)
PERIODS = [("2023", None), ("2024", None), ("2024", "month"), ("2024", "quarter"),
           ("2023-06", "day"), ("2024Q2", "week"), ("2023", "year")]
MOMENTS = ["2022-12-31 00:00", "2023-03-01 00:00", "2023-09-15 12:00", "2024-02-01 10:00",
           "2024-06-30 00:00", "2024-12-31 23:59", "2025-06-01 00:00"]


def export(path: Path, seed: int, orders: int, *, changed: bool = False) -> Path:
    """A Shopify export of ``orders`` random orders #1..; ``changed``: the same orders as
    the channel tells of them later (some cancelled, some refunded)."""
    rng = random.Random(seed)
    rows = []
    for number in range(1, orders + 1):
        customer = rng.randrange(25)
        email = "" if customer == 0 else f"c{customer}@example.com"
        currency = rng.choice(("USD", "USD", "EUR", "GBP"))
        day = START + timedelta(days=rng.randrange(730))
        hour = rng.choice((0, 9, 9, 23))  # the same instant now and then
        total = rng.randrange(5, 200)
        later = random.Random(seed * 1000 + number)
        cancelled = rng.random() < 0.1 or (changed and later.random() < 0.1)
        refund = total // 2 if (rng.random() < 0.1 or (changed and later.random() < 0.1)) else 0
        when = f"{day} {hour:02d}:00:00 +0000"
        rows.append(f"#{number},{email},paid,unfulfilled,{currency},{total}.00,0.00,0.00,"
                    f"{total}.00,0.00,{when},1,Tea,{total}.00,TEA,true,pending,Pat Doe,"
                    f"1 Main St,Springfield,62701,US,{when if cancelled else ''},"
                    f"{refund}.00\n")
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def random_book(db: Database, folder: Path) -> Database:
    build_shop(db)
    for seed, orders in ((1, 160), (2, 40)):
        import_file(db, str(export(folder / f"first-{seed}.csv", seed, orders)),
                    settings=ImportSettings(), channel=f"shop-{seed}")
    return db


@pytest.fixture(scope="module")
def book(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("histories")
    return build_file(lambda db: random_book(db, folder), template_db, folder)


@pytest.fixture
def shop(book: Path, tmp_path: Path):
    with opened(copy_of(book, tmp_path / "oms.db")) as db:
        yield db


def assert_the_same_either_way(db: Database) -> None:
    with db.read() as session:
        assert drifted_customers(session) == []
    for period, by in PERIODS:
        read = {summaries: run_report(db, customers.customers_report,
                                      period=parse_period(period, TODAY), timezone="UTC",
                                      by=by, summaries=summaries)
                for summaries in (True, False)}
        assert read[True].rows == read[False].rows, (period, by)
        assert read[True].notes == read[False].notes
    for moment in MOMENTS:
        read = {summaries: run_report(db, customers.segments_report, as_of=at(moment),
                                      summaries=summaries)
                for summaries in (True, False)}
        assert read[True].rows == read[False].rows, moment


def test_the_histories_agree_with_the_orders(shop: Database) -> None:
    report = run_report(shop, customers.customers_report, period=parse_period("2024", TODAY),
                        timezone="UTC", by="quarter")
    assert len(report.rows) >= 8 and report.notes  # currencies, buckets and guests
    assert_the_same_either_way(shop)


def test_they_still_agree_after_the_channel_changes_orders_and_an_import_is_undone(
        shop: Database, tmp_path: Path) -> None:
    summary = import_file(shop, str(export(tmp_path / "later.csv", 1, 160, changed=True)),
                          settings=ImportSettings(), channel="shop-1")
    assert summary.updated > 0
    assert_the_same_either_way(shop)
    runs = query(shop, "SELECT id FROM import_run WHERE channel = 'shop-2'")
    undo(shop, runs[0]["id"], policy=ValidationPolicy())  # its orders cancelled
    assert_the_same_either_way(shop)
