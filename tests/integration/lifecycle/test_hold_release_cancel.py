"""`oms order hold | release | cancel` through the services: holds keep reservations,
releasing a validation hold accepts it, a cancellation gives every reservation back."""

from __future__ import annotations

import pytest
from lifecycle_support import (
    VALIDATION,
    allocate_all,
    assert_books_balance,
    event_types,
    events,
    level,
    lines,
    order_row,
    place,
    snapshot,
    status,
    stock,
)

from oms_cli.domain.orders import FinancialStatus
from oms_cli.errors import IllegalTransition, InvalidInput, NotFound
from oms_cli.services.catalog import add_alias
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.order_actions import cancel, hold_order, release_order
from oms_cli.store.database import Database


@pytest.fixture
def allocated(shop: Database) -> str:
    """shopify:#1 for 2 MUG and 1 KIT, all reserved at main."""
    stock(shop, "MUG", 5)
    stock(shop, "TEA", 10)
    reference = place(shop, "#1", ("MUG", 2), ("KIT", 1))
    allocate_all(shop)
    assert status(shop, reference) == "allocated"
    return reference


class TestHold:
    def test_a_hold_keeps_the_reservations_and_says_how_many(self, shop, allocated):
        change = hold_order(shop, allocated, note="customer asked to wait")

        assert (change.before, change.after, change.reserved) == ("allocated", "on_hold", 3)
        row = order_row(shop, allocated)
        assert (row["hold_reason"], row["hold_note"], row["held_by"]) == (
            "other", "customer asked to wait", "merchant")
        assert level(shop, "MUG") == (5, 3, 0)
        assert lines(shop, allocated)["MUG"]["allocated"] == 2
        assert event_types(shop, allocated)[-2:] == ["held", "status_changed"]
        assert_books_balance(shop)

    def test_an_order_is_found_by_its_id_too(self, shop, allocated):
        order_id = order_row(shop, allocated)["id"]

        assert hold_order(shop, str(order_id), note="wait").order == allocated

    def test_a_hold_needs_a_reason(self, shop, allocated):
        with pytest.raises(InvalidInput, match="--reason"):
            hold_order(shop, allocated, note="  ")

    @pytest.mark.parametrize("settle", ["ship", "cancel"])
    def test_a_shipped_or_cancelled_order_cannot_be_held(self, shop, allocated, settle):
        ship_order(shop, allocated) if settle == "ship" else cancel(shop, allocated)
        before = snapshot(shop)

        with pytest.raises(IllegalTransition, match="nothing is left to hold"):
            hold_order(shop, allocated, note="too late")
        assert snapshot(shop) == before

    def test_an_unknown_order_is_not_found(self, shop):
        with pytest.raises(NotFound, match="oms order list"):
            hold_order(shop, "shopify:#404", note="x")

    def test_a_dry_run_holds_nothing(self, shop, allocated):
        before = snapshot(shop)

        assert hold_order(shop, allocated, note="x", dry_run=True).after == "on_hold"
        assert snapshot(shop) == before


class TestRelease:
    def test_releasing_a_merchant_hold_brings_back_the_status_its_units_say(self, shop,
                                                                           allocated):
        hold_order(shop, allocated, note="wait")

        change = release_order(shop, allocated, policy=VALIDATION)

        assert (change.before, change.after, change.still_held) == ("on_hold", "allocated", None)
        row = order_row(shop, allocated)
        assert (row["hold_reason"], row["hold_note"], row["held_by"]) == (None, None, None)
        assert "released" in event_types(shop, allocated)
        assert_books_balance(shop)

    def test_an_order_that_is_not_held_cannot_be_released(self, shop, allocated):
        with pytest.raises(IllegalTransition, match="not on hold"):
            release_order(shop, allocated, policy=VALIDATION)

    def test_releasing_a_validation_hold_accepts_it_for_good(self, shop):
        stock(shop, "MUG", 5)
        cod = place(shop, "#2", ("MUG", 1), financial_status=FinancialStatus.PENDING)
        assert order_row(shop, cod)["hold_reason"] == "awaiting_payment"

        change = release_order(shop, cod, policy=VALIDATION)
        allocate_all(shop)

        assert change.after == "ready"
        assert status(shop, cod) == "allocated"
        accepted = [detail for kind, detail in events(shop, cod) if kind == "hold_accepted"]
        assert accepted and accepted[0]["reason"] == "awaiting_payment"
        assert_books_balance(shop)

    def test_a_merchant_hold_over_an_accepted_one_does_not_bring_it_back(self, shop):
        cod = place(shop, "#2", ("MUG", 1), financial_status=FinancialStatus.PENDING)
        release_order(shop, cod, policy=VALIDATION)
        hold_order(shop, cod, note="call the customer")

        change = release_order(shop, cod, policy=VALIDATION)

        assert (change.after, change.still_held) == ("ready", None)

    def test_releasing_a_merchant_hold_validates_again(self, shop):
        cod = place(shop, "#2", ("MUG", 1), financial_status=FinancialStatus.PENDING)
        hold_order(shop, cod, note="call the customer")

        change = release_order(shop, cod, policy=VALIDATION)

        assert change.after == "on_hold"
        assert change.still_held and "financial status" in change.still_held
        assert order_row(shop, cod)["held_by"] == "validation"

    def test_accepting_one_reason_leaves_the_others_in_force(self, shop):
        unpaid_nowhere = place(shop, "#3", ("MUG", 1), address=False,
                               financial_status=FinancialStatus.PENDING)
        assert order_row(shop, unpaid_nowhere)["hold_reason"] == "incorrect_address"

        change = release_order(shop, unpaid_nowhere, policy=VALIDATION)

        assert change.still_held and "financial status" in change.still_held
        assert order_row(shop, unpaid_nowhere)["hold_reason"] == "awaiting_payment"
        assert release_order(shop, unpaid_nowhere, policy=VALIDATION).after == "ready"

    def test_an_unknown_sku_cannot_be_accepted(self, shop):
        unknown = place(shop, "#4", ("BOWL", 1))
        before = snapshot(shop)

        with pytest.raises(IllegalTransition, match="unknown sku: BOWL"):
            release_order(shop, unknown, policy=VALIDATION)
        assert snapshot(shop) == before

    def test_an_unknown_sku_resolved_since_releases_without_accepting(self, shop):
        unknown = place(shop, "#4", ("BOWL", 1))
        add_alias(shop, "shopify", "BOWL", "MUG")

        change = release_order(shop, unknown, policy=VALIDATION)

        assert change.after == "ready"
        assert lines(shop, unknown)["BOWL"]["quantity"] == 1
        assert "hold_accepted" not in event_types(shop, unknown)


class TestCancel:
    def test_cancel_releases_every_reservation_and_cancels_every_unit(self, shop, allocated):
        change = cancel(shop, allocated, reason="customer changed their mind")

        assert (change.after, change.cancelled, change.released) == ("cancelled", 3, 3)
        assert level(shop, "MUG") == (5, 0, 0)
        assert level(shop, "TEA") == (10, 0, 0)
        assert lines(shop, allocated)["KIT"] == {"quantity": 1, "allocated": 0, "shipped": 0,
                                                 "returned": 0, "cancelled": 1}
        assert {"reservations_released", "cancelled"} <= set(event_types(shop, allocated))
        assert_books_balance(shop)

    def test_cancel_of_a_partly_shipped_order_cancels_only_what_did_not_ship(self, shop,
                                                                             allocated):
        ship_order(shop, allocated, [("MUG", 1)])

        change = cancel(shop, allocated)

        assert (change.after, change.cancelled) == ("shipped", 2)
        assert lines(shop, allocated)["MUG"] == {"quantity": 2, "allocated": 0, "shipped": 1,
                                                 "returned": 0, "cancelled": 1}
        assert_books_balance(shop)

    def test_a_held_order_can_be_cancelled(self, shop, allocated):
        hold_order(shop, allocated, note="fraud?")

        assert cancel(shop, allocated).after == "cancelled"
        assert order_row(shop, allocated)["hold_reason"] is None

    def test_a_fully_shipped_order_cannot_be_cancelled_and_nothing_changes(self, shop,
                                                                          allocated):
        ship_order(shop, allocated)
        before = snapshot(shop)

        with pytest.raises(IllegalTransition, match="oms return"):
            cancel(shop, allocated)
        assert snapshot(shop) == before

    def test_a_cancelled_order_cannot_be_cancelled_again(self, shop, allocated):
        cancel(shop, allocated)

        with pytest.raises(IllegalTransition, match="already cancelled"):
            cancel(shop, allocated)
