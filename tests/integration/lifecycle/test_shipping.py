"""`oms ship ORDER`: allocated units leave through the ledger, the lines and a shipment."""

from __future__ import annotations

import pytest
from lifecycle_support import (
    allocate_all,
    assert_books_balance,
    event_types,
    events,
    level,
    lines,
    movements,
    place,
    query,
    snapshot,
    status,
    stock,
)

from oms_cli.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.order_actions import cancel, hold_order
from oms_cli.store.database import Database


@pytest.fixture
def allocated(shop: Database) -> str:
    """shopify:#1 for 3 MUG and 2 KIT (each 1 MUG + 2 TEA), all reserved at main."""
    stock(shop, "MUG", 10)
    stock(shop, "TEA", 10)
    reference = place(shop, "#1", ("MUG", 3), ("KIT", 2))
    allocate_all(shop)
    assert level(shop, "MUG") == (10, 5, 0)
    return reference


class TestShippingEverything:
    def test_everything_allocated_ships_and_the_order_is_shipped(self, shop, allocated):
        [shipment] = ship_order(shop, allocated, carrier="ups", tracking="1Z999")

        assert (shipment.location, shipment.lines, shipment.status) == (
            "main", {"MUG": 3, "KIT": 2}, "shipped")
        assert level(shop, "MUG") == (5, 0, 0)
        assert level(shop, "TEA") == (6, 0, 0)
        assert lines(shop, allocated)["KIT"] == {"quantity": 2, "allocated": 0, "shipped": 2,
                                                 "returned": 0, "cancelled": 0}
        assert status(shop, allocated) == "shipped"
        assert_books_balance(shop)

    def test_a_shipment_row_and_its_lines_are_stored(self, shop, allocated):
        [shipment] = ship_order(shop, allocated, carrier="ups", tracking="1Z999")

        [stored] = query(shop, "SELECT s.*, l.code FROM shipment s JOIN location l "
                         "ON l.id = s.location_id")
        assert (stored["id"], stored["code"], stored["carrier"], stored["tracking"]) == (
            shipment.shipment_id, "main", "ups", "1Z999")
        assert stored["shipped_at"] is not None
        assert sorted(row["quantity"] for row in query(shop, "SELECT * FROM shipment_line")) == [
            2, 3]

    def test_the_ledger_records_a_ship_movement_per_product(self, shop, allocated):
        ship_order(shop, allocated)

        assert sorted(movements(shop, "ship")) == [
            ("MUG", "main", -3, 0, "shopify:#1"), ("MUG", "main", -2, 0, "shopify:#1"),
            ("TEA", "main", -4, 0, "shopify:#1")]

    def test_an_event_carries_the_shipment(self, shop, allocated):
        ship_order(shop, allocated, carrier="dhl", tracking="JD01")

        [detail] = [detail for kind, detail in events(shop, allocated) if kind == "shipped"]
        assert detail is not None
        assert {key: detail[key] for key in ("location", "carrier", "tracking", "lines")} == {
            "location": "main", "carrier": "dhl", "tracking": "JD01",
            "lines": {"MUG": 3, "KIT": 2}}
        assert event_types(shop, allocated)[-1] == "status_changed"

    def test_allocation_rows_are_closed_as_shipped(self, shop, allocated):
        ship_order(shop, allocated)

        assert {row["status"] for row in query(shop, "SELECT status FROM allocation")} == {
            "shipped"}
        assert all(row["closed_at"] for row in query(shop, "SELECT closed_at FROM allocation"))

    def test_a_dry_run_ships_nothing(self, shop, allocated):
        before = snapshot(shop)

        assert ship_order(shop, allocated, dry_run=True)[0].status == "shipped"
        assert snapshot(shop) == before


class TestPartialShipments:
    def test_part_of_a_line_ships_and_the_rest_stays_reserved(self, shop, allocated):
        [shipment] = ship_order(shop, allocated, [("MUG", 1), ("KIT", 1)])

        assert shipment.status == "partially_shipped"
        assert lines(shop, allocated)["MUG"] == {"quantity": 3, "allocated": 2, "shipped": 1,
                                                 "returned": 0, "cancelled": 0}
        assert level(shop, "MUG") == (8, 3, 0)
        assert level(shop, "TEA") == (8, 2, 0)
        assert_books_balance(shop)

    def test_the_rest_ships_later_and_the_order_is_shipped(self, shop, allocated):
        ship_order(shop, allocated, [("KIT", 1)])
        ship_order(shop, allocated, [("KIT", 1)])
        [last] = ship_order(shop, allocated)

        assert (last.lines, last.status) == ({"MUG": 3}, "shipped")
        assert len(query(shop, "SELECT id FROM shipment")) == 3
        assert level(shop, "TEA") == (6, 0, 0)
        assert_books_balance(shop)

    def test_the_same_sku_twice_adds_up(self, shop, allocated):
        [shipment] = ship_order(shop, allocated, [("MUG", 1), ("MUG", 2)])

        assert shipment.lines == {"MUG": 3}

    def test_a_split_order_ships_from_each_location_in_its_own_shipment(self, shop):
        stock(shop, "MUG", 1, "main")
        stock(shop, "TEA", 2, "annex")
        split = place(shop, "#2", ("MUG", 1), ("TEA", 2))
        allocate_all(shop)

        shipments = ship_order(shop, split)

        assert sorted((s.location, tuple(s.lines.items())) for s in shipments) == [
            ("annex", (("TEA", 2),)), ("main", (("MUG", 1),))]
        assert status(shop, split) == "shipped"
        assert_books_balance(shop)

    def test_location_limits_what_ships(self, shop):
        stock(shop, "MUG", 1, "main")
        stock(shop, "TEA", 2, "annex")
        split = place(shop, "#2", ("MUG", 1), ("TEA", 2))
        allocate_all(shop)

        [shipment] = ship_order(shop, split, location="annex")

        assert (shipment.lines, shipment.status) == ({"TEA": 2}, "partially_shipped")


class TestRefusals:
    def refused(self, shop, error, match, *args, **options):
        before = snapshot(shop)
        with pytest.raises(error, match=match):
            ship_order(shop, *args, **options)
        assert snapshot(shop) == before

    def test_more_than_is_allocated(self, shop, allocated):
        self.refused(shop, Conflict, "only 3 MUG allocated at main, cannot ship 4",
                     allocated, [("MUG", 4)])

    def test_more_than_is_allocated_at_the_location_given(self, shop, allocated):
        self.refused(shop, Conflict, "only 0 MUG allocated at annex", allocated, [("MUG", 1)],
                     location="annex")

    def test_a_sku_the_order_does_not_have(self, shop, allocated):
        self.refused(shop, NotFound, "no line with sku TEA .its skus: KIT, MUG", allocated,
                     [("TEA", 1)])

    def test_a_cancelled_order(self, shop, allocated):
        cancel(shop, allocated)
        self.refused(shop, IllegalTransition, "cancelled", allocated)

    def test_an_order_on_hold(self, shop, allocated):
        hold_order(shop, allocated, note="wait")
        self.refused(shop, IllegalTransition, "on hold .other.: release it first", allocated)

    def test_an_order_already_shipped(self, shop, allocated):
        ship_order(shop, allocated)
        self.refused(shop, IllegalTransition, "nothing is left to ship", allocated)

    def test_nothing_allocated_at_the_location_given(self, shop, allocated):
        self.refused(shop, Conflict, "nothing allocated at annex", allocated, location="annex")

    def test_an_order_with_nothing_allocated(self, shop):
        backordered = place(shop, "#3", ("MUG", 1))
        allocate_all(shop)
        self.refused(shop, Conflict, "nothing allocated .*oms allocate", backordered)

    def test_an_unknown_location(self, shop, allocated):
        self.refused(shop, NotFound, "unknown location 'moon'", allocated, location="moon")

    def test_one_tracking_number_for_two_locations(self, shop):
        stock(shop, "MUG", 1, "main")
        stock(shop, "TEA", 2, "annex")
        split = place(shop, "#2", ("MUG", 1), ("TEA", 2))
        allocate_all(shop)
        self.refused(shop, InvalidInput, "several locations", split, tracking="1Z")

    def test_a_sku_reserved_at_two_locations_needs_a_location(self, shop):
        stock(shop, "MUG", 1, "main")
        stock(shop, "MUG", 1, "annex")
        split = place(shop, "#2", ("MUG", 2))
        allocate_all(shop)
        self.refused(shop, InvalidInput, "MUG is allocated at annex and main", split,
                     [("MUG", 1)])
