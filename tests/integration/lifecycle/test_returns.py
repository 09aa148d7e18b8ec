"""`oms return`: shipped units come back to the shelf or the damaged bucket, with a refund."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lifecycle_support import (
    allocate_all,
    assert_books_balance,
    event_types,
    events,
    level,
    lines,
    movements,
    order_row,
    place,
    query,
    snapshot,
    status,
    stock,
)

from oms_cli.errors import Conflict, InvalidInput, NotFound
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.returns import return_units
from oms_cli.store.database import Database


@pytest.fixture
def shipped(shop: Database) -> str:
    """shopify:#1 for 2 MUG (14.00) and 1 KIT (30.00), shipped from annex."""
    stock(shop, "MUG", 5, "annex")
    stock(shop, "TEA", 5, "annex")
    reference = place(shop, "#1", ("MUG", 2), ("KIT", 1))
    allocate_all(shop)
    ship_order(shop, reference)
    assert level(shop, "MUG", "annex") == (2, 0, 0)
    return reference


def test_a_resaleable_return_goes_back_to_available_where_it_shipped_from(shop, shipped):
    result = return_units(shop, shipped, [("MUG", 1)], reason="too small")

    assert (result.location, result.condition, result.lines) == ("annex", "resaleable",
                                                                 {"MUG": 1})
    assert level(shop, "MUG", "annex") == (3, 0, 0)
    assert movements(shop, "return") == [("MUG", "annex", 1, 0, "shopify:#1")]
    assert lines(shop, shipped)["MUG"]["returned"] == 1
    assert (result.status, status(shop, shipped)) == ("partially_returned", "partially_returned")
    assert_books_balance(shop)


def test_a_damaged_return_is_on_hand_but_damaged(shop, shipped):
    return_units(shop, shipped, [("MUG", 2)], condition="damaged")

    assert level(shop, "MUG", "annex") == (4, 0, 2)
    assert movements(shop, "return") == [("MUG", "annex", 2, 2, "shopify:#1")]
    assert_books_balance(shop)


def test_a_bundle_comes_back_as_its_components(shop, shipped):
    result = return_units(shop, shipped, [("KIT", 1)])

    assert result.restocked == {"MUG": 1, "TEA": 2}
    assert level(shop, "TEA", "annex") == (5, 0, 0)
    assert lines(shop, shipped)["KIT"]["returned"] == 1


def test_everything_back_makes_the_order_returned(shop, shipped):
    return_units(shop, shipped, [("MUG", 2), ("KIT", 1)])

    assert status(shop, shipped) == "returned"
    assert_books_balance(shop)


def test_the_refund_defaults_to_the_price_of_what_came_back(shop, shipped):
    result = return_units(shop, shipped, [("MUG", 2), ("KIT", 1)])

    assert (result.refund, result.currency) == (Decimal("58.00"), "USD")
    assert order_row(shop, shipped)["refunded"] == 5800
    [stored] = query(shop, "SELECT * FROM returns")
    assert (stored["refund"], stored["condition"]) == (5800, "resaleable")


def test_a_refund_given_is_recorded_and_adds_up(shop, shipped):
    return_units(shop, shipped, [("MUG", 1)], refund=Decimal("10"))
    return_units(shop, shipped, [("MUG", 1)], refund=Decimal("0.50"))

    assert order_row(shop, shipped)["refunded"] == 1050


def test_return_and_return_lines_are_stored_with_an_event(shop, shipped):
    result = return_units(shop, shipped, [("MUG", 1)], reason="too small", condition="damaged")

    [stored] = query(shop, "SELECT r.*, l.code FROM returns r JOIN location l "
                     "ON l.id = r.location_id")
    assert (stored["id"], stored["reason"], stored["code"]) == (result.return_id, "too small",
                                                                "annex")
    assert [row["quantity"] for row in query(shop, "SELECT * FROM return_line")] == [1]
    [detail] = [detail for kind, detail in events(shop, shipped) if kind == "returned"]
    assert detail is not None
    assert (detail["condition"], detail["refund"], detail["lines"]) == ("damaged", "14.00",
                                                                        {"MUG": 1})
    assert event_types(shop, shipped)[-1] == "status_changed"


def test_a_location_given_wins(shop, shipped):
    assert return_units(shop, shipped, [("MUG", 1)], location="main").location == "main"
    assert level(shop, "MUG", "main") == (1, 0, 0)


class TestRefusals:
    def refused(self, shop, error, match, *args, **options):
        before = snapshot(shop)
        with pytest.raises(error, match=match):
            return_units(shop, *args, **options)
        assert snapshot(shop) == before

    def test_more_than_shipped_and_not_yet_returned(self, shop, shipped):
        return_units(shop, shipped, [("MUG", 1)])
        self.refused(shop, Conflict, "only 1 MUG shipped and not yet returned, cannot return 2",
                     shipped, [("MUG", 2)])

    def test_units_that_never_shipped(self, shop):
        stock(shop, "MUG", 1)
        waiting = place(shop, "#2", ("MUG", 1))
        allocate_all(shop)
        self.refused(shop, Conflict, "only 0 MUG shipped", waiting, [("MUG", 1)])

    def test_a_sku_the_order_does_not_have(self, shop, shipped):
        self.refused(shop, NotFound, "no line with sku TEA", shipped, [("TEA", 1)])

    def test_an_unknown_condition(self, shop, shipped):
        self.refused(shop, InvalidInput, "resaleable or damaged", shipped, [("MUG", 1)],
                     condition="broken")

    def test_a_negative_refund(self, shop, shipped):
        self.refused(shop, InvalidInput, "negative", shipped, [("MUG", 1)],
                     refund=Decimal("-1"))

    def test_a_refund_with_too_many_places(self, shop, shipped):
        self.refused(shop, InvalidInput, "decimal places", shipped, [("MUG", 1)],
                     refund=Decimal("1.005"))

    def test_no_lines(self, shop, shipped):
        self.refused(shop, InvalidInput, "--line", shipped, [])

    def test_shipped_from_two_places_needs_a_location(self, shop):
        stock(shop, "MUG", 1, "main")
        stock(shop, "MUG", 1, "annex")
        split = place(shop, "#2", ("MUG", 2))
        allocate_all(shop)
        ship_order(shop, split, location="main")
        ship_order(shop, split, location="annex")
        self.refused(shop, InvalidInput, "shipped from annex and main", split, [("MUG", 1)])
