"""`oms ship --from-csv FILE`: a carrier's or 3PL's file, all or nothing, every bad row named."""

from __future__ import annotations

from pathlib import Path

import pytest
from lifecycle_support import (
    allocate_all,
    assert_books_balance,
    level,
    lines,
    place,
    query,
    snapshot,
    status,
    stock,
)

from oms_cli.errors import InputMissing, InvalidInput
from oms_cli.services.fulfillment import ship_from_file
from oms_cli.services.order_actions import cancel
from oms_cli.store.database import Database

HEADER = "order,sku,quantity,carrier,tracking"


@pytest.fixture
def orders(shop: Database) -> list[str]:
    """#1 (2 MUG, 1 TEA) and #2 (1 KIT), reserved at main; #3 (1 MUG) backordered."""
    stock(shop, "MUG", 3)
    stock(shop, "TEA", 3)
    refs = [place(shop, "#1", ("MUG", 2), ("TEA", 1)), place(shop, "#2", ("KIT", 1), day=1),
            place(shop, "#3", ("MUG", 1), day=2)]
    allocate_all(shop)
    assert [status(shop, ref) for ref in refs] == ["allocated", "allocated", "backordered"]
    return refs


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "shipped.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def test_every_row_ships_and_rows_of_one_parcel_are_one_shipment(shop, orders, tmp_path):
    path = write(tmp_path, "shopify:#1,MUG,2,ups,1Z1", "shopify:#1,TEA,1,ups,1Z1",
                 "shopify:#2,KIT,1,usps,9400")

    result = ship_from_file(shop, path)

    assert (result.rows, result.skipped) == (3, 0)
    assert sorted((s.order, s.tracking, tuple(sorted(s.lines.items())))
                  for s in result.shipments) == [
        ("shopify:#1", "1Z1", (("MUG", 2), ("TEA", 1))), ("shopify:#2", "9400", (("KIT", 1),))]
    assert [status(shop, ref) for ref in orders[:2]] == ["shipped", "shipped"]
    assert len(query(shop, "SELECT id FROM shipment")) == 2
    assert level(shop, "MUG") == (0, 0, 0)
    assert_books_balance(shop)


def test_two_tracking_numbers_for_one_order_are_two_shipments(shop, orders, tmp_path):
    path = write(tmp_path, "shopify:#1,MUG,1,ups,1Z1", "shopify:#1,MUG,1,ups,1Z2")

    result = ship_from_file(shop, path)

    assert sorted(s.tracking or "" for s in result.shipments) == ["1Z1", "1Z2"]
    assert status(shop, orders[0]) == "partially_shipped"
    assert lines(shop, orders[0])["MUG"]["shipped"] == 2


def test_every_bad_row_is_reported_with_its_line_and_nothing_ships(shop, orders, tmp_path):
    cancel(shop, orders[1])
    path = write(tmp_path,
                 "shopify:#1,MUG,1,ups,1Z1",      # 2: fine
                 "shopify:#9,MUG,1,ups,1Z2",      # 3: no such order
                 "shopify:#1,BOWL,1,ups,1Z1",     # 4: not on the order
                 "shopify:#1,MUG,two,ups,1Z1",    # 5: not a number
                 "shopify:#1,MUG,2,ups,1Z1",      # 6: only 1 left after line 2
                 "shopify:#2,KIT,1,ups,1Z3",      # 7: cancelled
                 "shopify:#3,MUG,1,ups,1Z4",      # 8: nothing allocated
                 ",MUG,1,ups,1Z5")                # 9: no order
    before = snapshot(shop)

    with pytest.raises(InvalidInput) as raised:
        ship_from_file(shop, path)

    message = str(raised.value)
    reported = [line.split(":")[1] for line in message.splitlines()[1:]]
    assert reported == ["3", "4", "5", "6", "7", "8", "9"]
    assert f"{path}: 7 bad row(s), nothing was shipped" in message
    assert f"{path}:6: shopify:#1: only 1 MUG allocated at main, cannot ship 2" in message
    assert snapshot(shop) == before


def test_a_location_column_and_other_header_names_are_understood(shop, orders, tmp_path):
    path = write(tmp_path, "#1,shopify,MUG,2,main,1Z1",
                 header="Order Number,Channel,Item SKU,Qty,Warehouse,Tracking Number")

    [shipment] = ship_from_file(shop, path).shipments

    assert (shipment.order, shipment.location, shipment.carrier, shipment.lines) == (
        "shopify:#1", "main", None, {"MUG": 2})


def test_a_file_applied_twice_skips_what_it_recorded_the_first_time(shop, orders, tmp_path):
    path = write(tmp_path, "shopify:#1,MUG,1,ups,1Z1")
    ship_from_file(shop, path)

    again = ship_from_file(shop, path)

    assert (again.skipped, again.shipments) == (1, [])
    assert lines(shop, orders[0])["MUG"]["shipped"] == 1


def test_a_missing_column_is_named(shop, tmp_path):
    with pytest.raises(InvalidInput, match="missing column quantity"):
        ship_from_file(shop, write(tmp_path, "shopify:#1,MUG", header="order,sku"))


def test_a_missing_file_is_input_missing(shop, tmp_path):
    with pytest.raises(InputMissing):
        ship_from_file(shop, tmp_path / "nope.csv")


def test_a_dry_run_ships_nothing(shop, orders, tmp_path):
    before = snapshot(shop)

    result = ship_from_file(shop, write(tmp_path, "shopify:#1,MUG,2,ups,1Z1"), dry_run=True)

    assert len(result.shipments) == 1
    assert snapshot(shop) == before


def test_rows_naming_one_order_by_id_and_by_reference_share_its_reservations(
        shop, orders, tmp_path):
    order_id = query(shop, "SELECT id FROM orders WHERE external_id = '#1'")[0]["id"]
    path = write(tmp_path, f"{order_id},MUG,1,ups,1Z1", "SHOPIFY:#1,MUG,1,ups,1Z1",
                 "shopify:#1,MUG,1,ups,1Z1")

    with pytest.raises(InvalidInput, match=r"shipped.csv:4: .*only 0 MUG allocated"):
        ship_from_file(shop, path)

    assert lines(shop, orders[0])["MUG"]["shipped"] == 0
    assert_books_balance(shop)
