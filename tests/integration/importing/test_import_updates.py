"""A later export of known orders updates what the channel may change, as events.

shopify_orders_later.csv is shopify_orders.csv a few days on: #1001 is now paid,
#1002 cancelled, #1003 refunded, #1004 and #1005 have new addresses, #1006 is new.
"""

from __future__ import annotations

import pytest
from importing_support import (
    FIXTURES,
    events_of,
    lines_of,
    orders_by_key,
    reserve,
    rewritten,
    stock_levels,
)
from sqlalchemy import select

from oms_cli.store.database import Database
from oms_cli.store.tables import Allocation

BEFORE = FIXTURES / "shopify_orders.csv"
LATER = FIXTURES / "shopify_orders_later.csv"


@pytest.fixture
def known(db: Database, catalog, run_import) -> Database:
    """The skus are products and the first export is in."""
    catalog("MUG-01", "TEE-01")
    run_import(BEFORE)
    return db


def updates(db: Database, key: str) -> list[dict]:
    order = orders_by_key(db)[key]
    return [detail for kind, detail in events_of(db, order.id) if kind == "updated"]


def test_a_later_export_counts_new_updated_and_unchanged_orders(known, run_import):
    summary = run_import(LATER)

    assert (summary.read, summary.created, summary.updated, summary.unchanged) == (6, 1, 5, 0)


def test_an_order_now_paid_is_released_from_its_payment_hold(known, run_import):
    assert orders_by_key(known)["#1001"].hold_reason == "awaiting_payment"

    summary = run_import(LATER)

    order = orders_by_key(known)["#1001"]
    assert (order.financial_status, order.status, order.hold_reason) == ("paid", "ready", None)
    [update] = updates(known, "#1001")
    assert update["run"] == summary.run_id
    assert update["changes"]["financial_status"] == ["pending", "paid"]


def test_an_order_cancelled_on_the_channel_cancels_its_units(known, run_import):
    summary = run_import(LATER)

    order = orders_by_key(known)["#1002"]
    assert order.status == "cancelled"
    assert order.cancelled_at is not None
    assert [(line.quantity, line.cancelled) for line in lines_of(known, order.id)] == [(3, 3)]
    kinds = [kind for kind, _ in events_of(known, order.id)]
    assert kinds == ["imported", "updated", "cancelled", "status_changed"]
    [update] = updates(known, "#1002")
    assert update["run"] == summary.run_id
    assert update["changes"]["financial_status"] == ["paid", "voided"]
    assert update["changes"]["cancelled"][0] is None


def test_a_cancelled_order_gives_back_its_reservations(known, run_import):
    reserve(known, orders_by_key(known)["#1002"].id)

    run_import(LATER)

    order = orders_by_key(known)["#1002"]
    assert [(line.allocated, line.cancelled) for line in lines_of(known, order.id)] == [(0, 3)]
    assert [level[3] for level in stock_levels(known)] == [0]  # nothing reserved any more
    with known.read() as session:
        assert list(session.scalars(select(Allocation.status))) == ["released"]
    assert "reservations_released" in [kind for kind, _ in events_of(known, order.id)]


def test_a_refund_is_recorded_and_the_order_no_longer_waits_to_ship(known, run_import):
    run_import(LATER)

    order = orders_by_key(known)["#1003"]
    assert (order.financial_status, order.refunded) == ("refunded", 1250)
    assert order.status == "on_hold"
    [update] = updates(known, "#1003")
    assert update["changes"]["refunded"] == [0, 1250]


def test_a_new_address_before_allocation_is_taken(known, run_import):
    run_import(LATER)

    order = orders_by_key(known)["#1004"]
    assert (order.ship_line1, order.ship_postcode) == ("40 Cedar Way", "80202")
    [update] = updates(known, "#1004")
    assert update["changes"]["ship_line1"] == ["4 Pine Ct", "40 Cedar Way"]
    assert update["changes"]["ship_postcode"] == ["80201", "80202"]


def test_a_new_address_once_allocated_is_ignored(known, run_import):
    reserve(known, orders_by_key(known)["#1005"].id)

    summary = run_import(LATER)

    order = orders_by_key(known)["#1005"]
    assert (order.ship_line1, order.ship_postcode, order.status) == (
        "5 Birch Ln", "83701", "allocated")
    assert updates(known, "#1005") == []
    assert (summary.updated, summary.unchanged) == (4, 1)


def test_a_partly_shipped_order_cancelled_later_cancels_only_what_is_left(
        db, catalog, run_import, tmp_path):
    catalog("MUG-01", "TEE-01")
    history = FIXTURES / "shopify_history.csv"
    run_import(history)
    assert orders_by_key(db)["#3003"].status == "partially_shipped"

    run_import(rewritten(history, tmp_path / "later.csv",
                         {"#3003": {"Cancelled at": "2024-02-10 09:00:00 -0500"}}))

    order = orders_by_key(db)["#3003"]
    assert [(line.sku, line.shipped, line.cancelled) for line in lines_of(db, order.id)] == [
        ("MUG-01", 1, 0), ("TEE-01", 0, 1)]
    assert order.status == "shipped"


def test_an_update_never_touches_the_lines_of_a_complete_order(known, run_import, tmp_path):
    run_import(rewritten(BEFORE, tmp_path / "changed.csv",
                         {"#1004": {"Lineitem quantity": "7", "Total": "87.50"}}))

    order = orders_by_key(known)["#1004"]
    assert [line.quantity for line in lines_of(known, order.id)] == [1]
    assert order.total == 1250
