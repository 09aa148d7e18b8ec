"""`oms report status`: open orders by status and channel, late ones, holds, reorders.

The book (tests/fixtures/reports/open_orders.csv), "now" being the end of 2026-03-15
in London (2026-03-16 00:00 UTC) and the SLA 48 hours (late: placed before 03-14 00:00):
  #2001 ready, 03-13 09:00 (late)       #2002 on hold unknown_sku, 03-15 10:00
  #2003 on hold awaiting_payment, 03-10 08:00 (late)      #2004 ready, 03-15 20:00
  #2005 shipped (03-02)   #2006 cancelled (03-05)   #2007 shipped, but in February
MUG has reorder point 5 and no stock; TEE none; LAMP 2, with 10 at main.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fixtures.reports.book import status_book

from oms_cli.domain.periods import parse_period
from oms_cli.reports.status import SECTIONS, StatusReport, status_report
from oms_cli.services.reporting import run_report
from oms_cli.store.database import Database

NOW = datetime(2026, 3, 16, tzinfo=UTC)


@pytest.fixture
def book(db: Database) -> Database:
    return status_book(db)


def report(db: Database, **options: Any) -> StatusReport:
    settings: dict[str, Any] = {"now": NOW, "sla_hours": 48, "timezone": "Europe/London",
                                "period": parse_period("this-month", date(2026, 3, 15))}
    return run_report(db, status_report, **(settings | options))


def section(result: StatusReport, name: str) -> list[dict[str, Any]]:
    found = result.sections[SECTIONS.index(name)]
    assert found.title == name
    return [dict(zip(found.columns, row, strict=True)) for row in found.rows]


def test_orders_per_status_and_channel_with_the_late_and_the_oldest(book: Database) -> None:
    rows = {(row["status"], row["channel"]): row for row in section(report(book), "orders")}
    assert list(rows) == [("on_hold", "shopify"), ("ready", "shopify"),
                          ("shipped", "shopify"), ("cancelled", "shopify")]
    assert rows["on_hold", "shopify"] == {
        "status": "on_hold", "channel": "shopify", "orders": 2, "late": 1,
        "oldest_placed_at": datetime(2026, 3, 10, 8, tzinfo=UTC), "age_hours": 136}
    assert (rows["ready", "shopify"]["orders"], rows["ready", "shopify"]["late"]) == (2, 1)
    assert rows["shipped", "shopify"]["orders"] == 1  # #2007 was placed in February
    assert rows["cancelled", "shopify"]["late"] is None


def test_late_orders_are_listed_oldest_first(book: Database) -> None:
    late = section(report(book), "late")
    assert [(row["external_id"], row["status"], row["age_hours"]) for row in late] == [
        ("#2003", "on_hold", 136), ("#2001", "ready", 63)]
    assert late[0]["hold_reason"] == "awaiting_payment"


def test_the_late_list_is_cut_at_the_limit_with_a_note(book: Database) -> None:
    result = report(book, late_limit=1)
    assert len(section(result, "late")) == 1
    assert result.sections[1].notes == ["2 late orders: the 1 oldest are listed (--limit)"]


def test_a_longer_sla_makes_nothing_late(book: Database) -> None:
    result = report(book, sla_hours=24 * 7)
    assert section(result, "late") == []
    assert not any("SLA" in sentence for sentence in result.attention)


def test_holds_per_reason_with_the_oldest(book: Database) -> None:
    assert [(row["hold_reason"], row["orders"], row["age_hours"])
            for row in section(report(book), "holds")] == [
        ("awaiting_payment", 1, 136), ("unknown_sku", 1, 14)]


def test_products_at_or_below_their_reorder_point(book: Database) -> None:
    assert [(row["sku"], row["available"], row["reorder_point"])
            for row in section(report(book), "reorder")] == [("MUG", 0, 5)]


def test_attention_names_holds_late_orders_and_low_stock(book: Database) -> None:
    assert report(book).attention == ["2 orders on hold", "2 orders past the 48-hour shipping SLA",
                                      "1 sku at or below the reorder point"]
    assert report(book, watch_stock=False).attention[-1].endswith("SLA")


def test_an_empty_book_needs_no_attention(db: Database) -> None:
    result = report(db)
    assert result.attention == []
    assert all(section.rows == [] for section in result.sections)
