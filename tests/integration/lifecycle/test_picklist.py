"""`oms picklist`: what to pick from open reservations, per sku or per order line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lifecycle_support import allocate_all, place, stock

from oms_cli.errors import NotFound
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.order_actions import hold_order
from oms_cli.services.picklist import picklist
from oms_cli.store.database import Database


@pytest.fixture
def reserved(shop: Database) -> Database:
    """#1 (day 1: 2 MUG, 1 KIT) and #2 (day 0: 1 MUG) at main; #3 (day 2: 2 TEA) at annex."""
    stock(shop, "MUG", 10)
    stock(shop, "TEA", 2)
    stock(shop, "TEA", 5, "annex")
    place(shop, "#1", ("MUG", 2), ("KIT", 1), day=1)
    place(shop, "#2", ("MUG", 1), day=0)
    place(shop, "#3", ("TEA", 2), day=2)
    allocate_all(shop)
    return shop


def test_one_row_per_location_and_sku_with_bundles_as_their_parts(reserved):
    assert picklist(reserved) == [
        ("annex", "TEA", "Tea", 2, 1),
        ("main", "MUG", "Mug", 4, 2),
        ("main", "TEA", "Tea", 2, 1)]


def test_by_order_lists_each_line_oldest_order_first(reserved):
    rows = picklist(reserved, by_order=True)

    assert [row[:5] for row in rows] == [
        ("main", "shopify:#2", "MUG", "Mug", 1),
        ("main", "shopify:#1", "MUG", "Mug", 2),
        ("main", "shopify:#1", "MUG", "Mug", 1),
        ("main", "shopify:#1", "TEA", "Tea", 2),
        ("annex", "shopify:#3", "TEA", "Tea", 2)]
    assert rows[0][5] == datetime(2024, 3, 1, 12, tzinfo=UTC)


def test_a_location_narrows_the_list(reserved):
    assert picklist(reserved, location="annex") == [("annex", "TEA", "Tea", 2, 1)]


def test_an_unknown_location_is_not_found(reserved):
    with pytest.raises(NotFound):
        picklist(reserved, location="moon")


def test_what_shipped_is_no_longer_on_the_list(reserved):
    ship_order(reserved, "shopify:#3")
    ship_order(reserved, "shopify:#1", [("MUG", 1)])

    assert picklist(reserved) == [("main", "MUG", "Mug", 3, 2), ("main", "TEA", "Tea", 2, 1)]


def test_orders_on_hold_are_left_out(reserved):
    hold_order(reserved, "shopify:#1", note="wait")

    assert picklist(reserved) == [("annex", "TEA", "Tea", 2, 1), ("main", "MUG", "Mug", 1, 1)]


def test_nothing_reserved_is_an_empty_list(shop):
    assert picklist(shop) == []
