"""`oms report inventory` on a shop built through the services (see fixtures/reports_b).

The velocity window is the 30 days [2024-03-02, 2024-04-01). In it:
- #101 ships 3 MUG from main (03-21), #102 ships 2 KIT = 2 MUG + 4 TEA from main (03-22),
  #105 ships 6 MUG: 2 from main and 4 from annex (annex alone must keep its safety stock);
- #103 (1 MUG) is allocated at main and waits;
- history order #H1 (5 TEA, placed 03-15) was fulfilled on the channel: no location.
Outside it: #104 (1 MUG, shipped 01-16) and history #H2 (4 MUG, placed 01-10).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fixtures.reports_b.shop import at, build_file, by_key, copy_of, inventory_book, opened, query

from oms_cli.errors import NotFound
from oms_cli.reports.inventory import INVENTORY_COLUMNS, InventoryWindow, inventory_report
from oms_cli.services.catalog import ProductChanges, update_product
from oms_cli.services.locations import LocationChanges, update_location
from oms_cli.services.reporting import run_report
from oms_cli.services.stock import damage
from oms_cli.store.database import Database

WINDOW = InventoryWindow(start=at("2024-03-02 00:00"), end=at("2024-04-01 00:00"), days=30,
                         default_lead_time_days=14, cover_days=30)


@pytest.fixture(scope="module")
def book(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_file(inventory_book, template_db, tmp_path_factory.mktemp("book"))


@pytest.fixture
def shop(book: Path, tmp_path: Path) -> Iterator[Database]:
    with opened(copy_of(book, tmp_path / "oms.db")) as db:
        yield db


def report(db: Database, **options: object) -> dict[object, dict[str, object]]:
    result = run_report(db, inventory_report, window=WINDOW, **options)
    assert result.columns == INVENTORY_COLUMNS
    keys = ("sku", "location") if options.get("by_location") or options.get("location") \
        else ("sku",)
    return by_key(result.columns, result.rows, *keys)


def test_the_premise_105_ships_from_both_locations(shop):
    shipped = query(shop, "SELECT l.code, sum(m.quantity) AS units FROM stock_movement m "
                    "JOIN location l ON l.id = m.location_id WHERE m.reason = 'ship' "
                    "AND m.reference = 'shopify:#105' GROUP BY l.code ORDER BY l.code")
    assert [(row["code"], row["units"]) for row in shipped] == [("annex", -4), ("main", -2)]


def test_the_columns_start_with_the_contract_names_in_order():
    assert INVENTORY_COLUMNS[:8] == ("sku", "location", "on_hand", "reserved", "available",
                                     "velocity", "days_of_cover", "reorder_qty")


def test_one_row_per_active_plain_product_totalled_over_locations(shop):
    rows = report(shop)

    assert list(rows) == ["CUP", "MUG", "TEA"]  # KIT is a bundle: no stock of its own
    assert {row["location"] for row in rows.values()} == {"all"}


def test_mug_totals_velocity_cover_and_reorder(shop):
    mug = report(shop)["MUG"]

    on_hand, reserved = 2 + 2, 1  # main 10-1-3-2-2, annex 6-4; #103 waits at main
    available = max(0, 2 - 1 - 1) + max(0, 2 - 0 - 1)  # less safety stock 1 per location
    shipped = 3 + 2 + 6  # #101, #102's KIT, #105
    computed = math.ceil(Decimal(shipped) / 30 * (10 + 30) + 1 - (on_hand - reserved))
    assert computed == 13
    assert mug == {
        "sku": "MUG", "location": "all", "on_hand": on_hand, "reserved": reserved,
        "available": available, "velocity": Decimal("0.37"),
        "days_of_cover": Decimal("2.7"),  # 1 / (11 / 30) = 2.727
        "reorder_qty": 20,  # below the reorder point 5: at least reorder_qty 20
        "value_at_cost": Decimal("20.00"), "currency": "USD", "below_reorder_point": True,
        "lead_time_days": 10, "damaged": 0, "reorder_point": 5, "units_shipped": shipped,
    }


def test_history_orders_count_in_velocity_without_a_location(shop):
    tea = report(shop)["TEA"]

    assert tea["units_shipped"] == 4 + 5  # #102's KIT, and history #H1
    assert tea["velocity"] == Decimal("0.30")
    assert tea["days_of_cover"] == Decimal("120.0")  # 36 / 0.3
    assert tea["reorder_qty"] == 0  # 0.3 x (14 + 30) = 13.2 is well covered by 36
    assert tea["lead_time_days"] == 14  # the configured default
    assert tea["value_at_cost"] == Decimal("108.00")  # 36 x 3.00
    assert tea["below_reorder_point"] is False


def test_a_product_never_stocked_or_sold(shop):
    cup = report(shop)["CUP"]

    assert (cup["on_hand"], cup["available"], cup["velocity"]) == (0, 0, Decimal("0.00"))
    assert cup["days_of_cover"] is None  # nothing sold: no cover to speak of
    assert cup["value_at_cost"] is None  # no cost known
    assert cup["below_reorder_point"] is True  # 0 <= 2
    assert cup["reorder_qty"] == 10  # its reorder_qty, though nothing sold


def test_by_location_every_figure_is_the_locations_own(shop):
    rows = report(shop, by_location=True)

    assert list(rows) == [("MUG", "annex"), ("MUG", "main"), ("TEA", "annex"), ("TEA", "main")]
    main = rows[("MUG", "main")]
    assert (main["on_hand"], main["reserved"], main["available"]) == (2, 1, 0)
    assert main["units_shipped"] == 3 + 2 + 2
    assert main["days_of_cover"] == Decimal("0.0")
    annex = rows[("MUG", "annex")]
    assert (annex["units_shipped"], annex["velocity"]) == (4, Decimal("0.13"))
    assert annex["days_of_cover"] == Decimal("7.5")  # 1 / (4 / 30)
    assert rows[("TEA", "main")]["units_shipped"] == 4  # #H1 has no location


def test_one_location(shop):
    rows = report(shop, location="annex")

    assert list(rows) == [("MUG", "annex"), ("TEA", "annex")]


def test_an_unknown_location_is_not_found(shop):
    with pytest.raises(NotFound, match="nowhere"):
        report(shop, location="nowhere")


def test_low_only_keeps_the_rows_at_or_below_their_reorder_point(shop):
    assert list(report(shop, low_only=True)) == ["CUP", "MUG"]


def test_damaged_units_are_on_hand_but_neither_available_nor_free(shop):
    damage(shop, "TEA", 6, "main")

    tea = report(shop)["TEA"]
    assert (tea["on_hand"], tea["damaged"], tea["available"]) == (36, 6, 30)
    assert tea["value_at_cost"] == Decimal("108.00")  # on hand, damaged or not


def test_the_reorder_aims_at_lead_time_plus_cover_days(shop):
    update_product(shop, "TEA", ProductChanges(lead_time_days=60, safety_stock=5))
    window = InventoryWindow(WINDOW.start, WINDOW.end, 30, cover_days=90)

    tea = by_key(INVENTORY_COLUMNS, run_report(shop, inventory_report, window=window).rows,
                 "sku")["TEA"]
    # ceil(9/30 x (60 + 90) + 5 - 36) = ceil(45 + 5 - 36) = 14
    assert tea["reorder_qty"] == 14
    assert tea["available"] == 36 - 5 - 5  # safety stock 5 held back at each location


def test_inactive_products_and_locations_are_left_out(shop):
    update_product(shop, "CUP", ProductChanges(active=False))
    update_location(shop, "annex", LocationChanges(active=False))

    rows = report(shop)
    assert list(rows) == ["MUG", "TEA"]
    assert rows["TEA"]["on_hand"] == 26  # annex's 10 no longer counted
    assert rows["MUG"]["units_shipped"] == 11  # what shipped from annex still sold


def test_the_window_is_half_open(shop):
    window = InventoryWindow(at("2024-03-21 10:00"), at("2024-03-26 10:00"), 5)

    rows = by_key(INVENTORY_COLUMNS, run_report(shop, inventory_report, window=window).rows,
                  "sku")
    assert rows["MUG"]["units_shipped"] == 3 + 2  # 03-21 10:00 in, 03-26 10:00 out
