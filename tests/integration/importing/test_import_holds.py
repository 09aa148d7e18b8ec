"""Orders that fail validation are held with a reason, never rejected or dropped.

shopify_holds.csv: #2001 has an unknown sku, #2002 no address, #2003 is not paid
yet, #2004 is fine.
"""

from __future__ import annotations

import pytest
from importing_support import FIXTURES, count_rows, orders_by_key, rewritten
from sqlalchemy import text

from oms_cli.services.catalog import add_alias, list_aliases
from oms_cli.store.database import Database

HOLDS = FIXTURES / "shopify_holds.csv"


@pytest.fixture
def held(db: Database, catalog, run_import) -> Database:
    catalog("MUG-01")
    summary = run_import(HOLDS)
    assert (summary.created, summary.rejected) == (4, 0)
    return db


def test_each_failing_order_is_held_with_its_reason(held):
    orders = orders_by_key(held)

    assert {key: (order.status, order.hold_reason) for key, order in orders.items()} == {
        "#2001": ("on_hold", "unknown_sku"),
        "#2002": ("on_hold", "incorrect_address"),
        "#2003": ("on_hold", "awaiting_payment"),
        "#2004": ("ready", None),
    }
    assert "GHOST-99" in (orders["#2001"].hold_note or "")
    assert count_rows(held, "import_error") == 0


def test_an_unknown_sku_line_is_kept_without_a_product(held):
    with held.read() as session:
        rows = session.execute(text(
            "SELECT l.sku, l.product_id FROM order_line l JOIN orders o ON o.id = l.order_id "
            "WHERE o.external_id = '#2001'")).all()
    assert [tuple(row) for row in rows] == [("GHOST-99", None)]


def test_adding_an_alias_does_not_by_itself_change_stored_orders(held, run_import, snapshot):
    """Re-importing the same file after an alias changes nothing: resolving held orders
    is the job of re-validation (`oms allocate` / `oms order release`), not of import."""
    add_alias(held, "shopify", "GHOST-99", "MUG-01")
    before = snapshot()

    summary = run_import(HOLDS)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 4)
    assert snapshot() == before
    assert orders_by_key(held)["#2001"].hold_reason == "unknown_sku"


def test_an_alias_resolves_the_sku_of_orders_imported_after_it(held, run_import, tmp_path):
    add_alias(held, "shopify", "GHOST-99", "MUG-01")
    assert list_aliases(held, "shopify") == [
        {"channel": "shopify", "key": "GHOST-99", "sku": "MUG-01"}]

    run_import(rewritten(HOLDS, tmp_path / "next.csv", {"#2001": {"Name": "#2101"}}))

    assert (orders_by_key(held)["#2101"].status, orders_by_key(held)["#2101"].hold_reason) == (
        "ready", None)


def test_a_line_without_sku_resolves_through_an_alias_of_its_name(held, run_import, tmp_path):
    no_sku = rewritten(HOLDS, tmp_path / "no-sku.csv",
                       {"#2001": {"Name": "#2201", "Lineitem sku": "", "Lineitem name":
                                  "Gift Wrap"}})
    run_import(no_sku)
    assert orders_by_key(held)["#2201"].hold_reason == "unknown_sku"
    add_alias(held, "shopify", "Gift Wrap", "MUG-01")

    run_import(rewritten(no_sku, tmp_path / "again.csv", {"#2201": {"Name": "#2202"}}))

    assert orders_by_key(held)["#2202"].hold_reason is None


def test_an_address_arriving_later_lifts_the_address_hold(held, run_import, tmp_path):
    summary = run_import(rewritten(HOLDS, tmp_path / "later.csv", {"#2002": {
        "Shipping Address1": "8 Vale St", "Shipping City": "Provo", "Shipping Zip": "84601",
        "Shipping Country": "US"}}))

    assert (summary.updated, summary.unchanged) == (1, 3)
    order = orders_by_key(held)["#2002"]
    assert (order.status, order.hold_reason, order.ship_city) == ("ready", None, "Provo")


def test_payment_arriving_later_lifts_the_payment_hold(held, run_import, tmp_path):
    run_import(rewritten(HOLDS, tmp_path / "later.csv", {"#2003": {"Financial Status": "paid"}}))

    order = orders_by_key(held)["#2003"]
    assert (order.status, order.hold_reason) == ("ready", None)
