"""Stock use cases: every change goes through the ledger, and a refusal changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from runners import WriteFile
from small_shop import execute, location, product, rows, scalar

from oms_cli.domain.stock import StockLevel
from oms_cli.errors import Conflict, InputMissing, InvalidInput, NotAnExport, NotFound
from oms_cli.services import stock
from oms_cli.services.database import check
from oms_cli.services.locations import LocationChanges, update_location
from oms_cli.store.database import Database


def level(db: Database, sku: str, code: str) -> StockLevel:
    found = rows(db, "SELECT on_hand, reserved, damaged FROM stock_level "
                     "JOIN product ON product.id = product_id "
                     "JOIN location ON location.id = location_id "
                     "WHERE sku = :sku AND code = :code", sku=sku, code=code)
    return StockLevel(*found[0]) if found else StockLevel()


def ledger(db: Database) -> list[tuple[object, ...]]:
    return rows(db, "SELECT sku, code, quantity, damaged, reason, reference, note "
                    "FROM stock_movement JOIN product ON product.id = product_id "
                    "JOIN location ON location.id = location_id ORDER BY stock_movement.id")


def snapshot(db: Database) -> tuple[object, ...]:
    return (rows(db, "SELECT * FROM stock_level ORDER BY product_id, location_id"),
            rows(db, "SELECT * FROM stock_movement ORDER BY id"))


class TestReceiving:
    def test_received_units_are_added_and_recorded_in_the_ledger(self, shop: Database) -> None:
        change = stock.receive(shop, "MUG", 5, "main", reference="PO-1", note="first")
        assert (change.before, change.after) == (StockLevel(), StockLevel(5))
        assert level(shop, "MUG", "main") == StockLevel(5)
        assert ledger(shop) == [("MUG", "main", 5, 0, "receive", "PO-1", "first")]

    def test_the_run_is_stamped_on_the_movement(self, shop: Database) -> None:
        execute(shop, "INSERT INTO run (id, command, started_at) "
                      "VALUES (7, 'stock receive', '2026-01-01 00:00:00')")
        stock.receive(shop, "MUG", 1, "main", run_id=7)
        assert scalar(shop, "SELECT run_id FROM stock_movement") == 7

    @pytest.mark.parametrize("quantity", [0, -3])
    def test_only_a_positive_quantity_can_be_received(self, shop: Database,
                                                      quantity: int) -> None:
        with pytest.raises(InvalidInput, match="above zero"):
            stock.receive(shop, "MUG", quantity, "main")

    def test_an_unknown_sku_is_not_found(self, shop: Database) -> None:
        with pytest.raises(NotFound, match="unknown sku 'NOPE'"):
            stock.receive(shop, "NOPE", 1, "main")

    def test_an_unknown_location_names_the_known_ones(self, shop: Database) -> None:
        with pytest.raises(NotFound, match=r"unknown location 'back' \(known: annex, main\)"):
            stock.receive(shop, "MUG", 1, "back")

    def test_a_bundle_has_no_stock_of_its_own(self, shop: Database) -> None:
        with pytest.raises(InvalidInput, match="KIT is a bundle: it has no stock of its own"):
            stock.receive(shop, "KIT", 1, "main")
        assert snapshot(shop) == ([], [])

    def test_a_dry_run_stores_nothing_but_says_what_would_change(self, shop: Database) -> None:
        change = stock.receive(shop, "MUG", 5, "main", dry_run=True)
        assert change.after == StockLevel(5)
        assert snapshot(shop) == ([], [])


class TestTheDefaultLocation:
    def test_the_only_location_is_used_when_none_is_named(self, db: Database) -> None:
        location(db, "main")
        product(db, "MUG")
        assert stock.receive(db, "MUG", 2).location == "main"

    def test_an_inactive_location_does_not_count(self, db: Database) -> None:
        location(db, "main")
        location(db, "old")
        update_location(db, "old", LocationChanges(active=False))
        product(db, "MUG")
        assert stock.receive(db, "MUG", 2).location == "main"

    def test_with_several_locations_one_must_be_named(self, shop: Database) -> None:
        with pytest.raises(NotFound, match=r"several locations: say which with -l/--location "
                                           r"\(annex, main\)"):
            stock.receive(shop, "MUG", 1)

    def test_with_no_location_yet_the_message_says_how_to_add_one(self, db: Database) -> None:
        product(db, "MUG")
        with pytest.raises(NotFound, match="no location yet: add one with `oms location add"):
            stock.receive(db, "MUG", 1)


class TestAdjusting:
    def test_an_adjustment_changes_on_hand_with_the_reason_as_note(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 5, "main")
        change = stock.adjust(shop, "MUG", -2, "main", reason="  broke two  ")
        assert change.after == StockLevel(3)
        assert ledger(shop)[-1] == ("MUG", "main", -2, 0, "adjust", None, "broke two")

    def test_an_adjustment_needs_a_reason(self, shop: Database) -> None:
        with pytest.raises(InvalidInput, match="needs a --reason"):
            stock.adjust(shop, "MUG", 1, "main", reason=" ")

    def test_an_adjustment_of_zero_is_refused(self, shop: Database) -> None:
        with pytest.raises(InvalidInput, match="--by must not be zero"):
            stock.adjust(shop, "MUG", 0, "main", reason="x")

    def test_taking_more_than_is_on_hand_is_refused_and_changes_nothing(
            self, shop: Database) -> None:
        stock.receive(shop, "MUG", 2, "main")
        before = snapshot(shop)
        with pytest.raises(Conflict, match="MUG at main: only 2 on hand, cannot remove 3"):
            stock.adjust(shop, "MUG", -3, "main", reason="lost")
        assert snapshot(shop) == before

    def test_a_damaged_adjustment_writes_off_broken_units(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 5, "main")
        stock.damage(shop, "MUG", 2, "main")
        change = stock.adjust(shop, "MUG", -2, "main", reason="binned", damaged=True)
        assert change.after == StockLevel(3, 0, 0)


class TestCounting:
    def test_a_count_sets_on_hand_through_one_movement(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 10, "main")
        change = stock.count(shop, "MUG", 7, "main", note="stocktake")
        assert (change.quantity, change.after) == (-3, StockLevel(7))
        assert ledger(shop)[-1] == ("MUG", "main", -3, 0, "count", None, "stocktake")

    def test_a_count_that_confirms_the_level_is_still_recorded(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 4, "main")
        stock.count(shop, "MUG", 4, "main")
        assert [row[4] for row in ledger(shop)] == ["receive", "count"]

    def test_a_count_below_the_damaged_units_clears_them(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 10, "main")
        stock.damage(shop, "MUG", 4, "main")
        assert stock.count(shop, "MUG", 2, "main").after == StockLevel(2, 0, 2)

    def test_a_count_below_reservations_no_allocation_backs_changes_nothing(
            self, shop: Database) -> None:
        # Releasing reservations is the allocation service's; here none exist to release.
        stock.receive(shop, "MUG", 10, "main")
        execute(shop, "UPDATE stock_level SET reserved = 6")
        before = snapshot(shop)
        with pytest.raises(Conflict):
            stock.count(shop, "MUG", 4, "main")
        assert snapshot(shop) == before

    def test_a_negative_count_is_refused(self, shop: Database) -> None:
        with pytest.raises(InvalidInput):
            stock.count(shop, "MUG", -1, "main")


class TestDamage:
    def test_damaged_units_stay_on_hand_but_are_not_available(self, shop: Database) -> None:
        stock.receive(shop, "TEA", 5, "main")
        change = stock.damage(shop, "TEA", 2, "main")
        assert change.after == StockLevel(5, 0, 2)
        assert change.after.available() == 3

    def test_more_damaged_units_than_are_free_is_refused(self, shop: Database) -> None:
        stock.receive(shop, "TEA", 2, "main")
        with pytest.raises(Conflict, match="only 2 units are free"):
            stock.damage(shop, "TEA", 3, "main")


class TestTransferring:
    def test_a_transfer_is_two_movements_with_one_reference(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 5, "main")
        out, into = stock.transfer(shop, "MUG", 3, "main", "annex")
        assert (out.after, into.after) == (StockLevel(2), StockLevel(3))
        assert ledger(shop)[-2:] == [
            ("MUG", "main", -3, 0, "transfer", "transfer main->annex", None),
            ("MUG", "annex", 3, 0, "transfer", "transfer main->annex", None)]

    def test_only_free_units_can_be_transferred(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 5, "main")
        stock.damage(shop, "MUG", 3, "main")
        before = snapshot(shop)
        with pytest.raises(Conflict, match="only 2 units are free"):
            stock.transfer(shop, "MUG", 3, "main", "annex")
        assert snapshot(shop) == before

    def test_a_transfer_to_an_unknown_location_changes_nothing(self, shop: Database) -> None:
        stock.receive(shop, "MUG", 5, "main")
        before = snapshot(shop)
        with pytest.raises(NotFound, match="unknown location 'moon'"):
            stock.transfer(shop, "MUG", 1, "main", "moon")
        assert snapshot(shop) == before

    def test_a_transfer_to_the_same_location_is_refused(self, shop: Database) -> None:
        with pytest.raises(InvalidInput, match="--from and --to are the same location"):
            stock.transfer(shop, "MUG", 1, "main", "main")


class TestImportingStock:
    def test_quantity_rows_receive_and_on_hand_rows_count(self, shop: Database,
                                                          write_file: WriteFile) -> None:
        stock.receive(shop, "TEA", 9, "annex")
        path = write_file("stock.csv", "sku,location,quantity,on_hand,reference",
                          "MUG,main,5,,PO-9", "TEA,annex,,4,")
        result = stock.import_stock(shop, path)
        assert (result.rows, result.received, result.counted) == (2, 5, 1)
        assert level(shop, "MUG", "main") == StockLevel(5)
        assert level(shop, "TEA", "annex") == StockLevel(4)
        assert [row[5] for row in ledger(shop)[-2:]] == ["PO-9", "import stock.csv"]

    def test_a_bad_row_on_line_5_leaves_lines_2_to_4_unapplied(self, shop: Database,
                                                                write_file: WriteFile) -> None:
        path = write_file("stock.csv", "sku,location,quantity", "MUG,main,5", "TEA,main,5",
                          "MUG,annex,2", "TEA,main,lots", "MUG,main,1")
        with pytest.raises(InvalidInput, match=r"stock.csv:5: quantity: 'lots' is not a whole"):
            stock.import_stock(shop, path)
        assert snapshot(shop) == ([], [])

    def test_a_refused_movement_in_a_file_names_its_line(self, shop: Database,
                                                          write_file: WriteFile) -> None:
        path = write_file("stock.csv", "sku,location,quantity", "MUG,main,5", "KIT,main,1")
        with pytest.raises(InvalidInput, match=r"stock.csv:3: KIT is a bundle"):
            stock.import_stock(shop, path)

    def test_an_unknown_sku_in_a_file_names_its_line(self, shop: Database,
                                                      write_file: WriteFile) -> None:
        path = write_file("stock.csv", "sku,location,quantity", "NOPE,main,5")
        with pytest.raises(NotFound, match=r"stock.csv:2: unknown sku 'NOPE'"):
            stock.import_stock(shop, path)

    @pytest.mark.parametrize("cells", ["MUG,main,5,5", "MUG,main,,"])
    def test_a_row_gives_either_quantity_or_on_hand(self, shop: Database, write_file: WriteFile,
                                                    cells: str) -> None:
        path = write_file("stock.csv", "sku,location,quantity,on_hand", cells)
        with pytest.raises(InvalidInput, match=r"stock\.csv:2: give either quantity"):
            stock.import_stock(shop, path)

    def test_the_location_may_be_left_out_with_one_location(self, db: Database,
                                                           write_file: WriteFile) -> None:
        location(db, "main")
        product(db, "MUG")
        path = write_file("stock.csv", "Variant SKU,Qty", "MUG,3")
        assert stock.import_stock(db, path).received == 3

    def test_a_missing_file_is_input_missing(self, shop: Database) -> None:
        with pytest.raises(InputMissing):
            stock.import_stock(shop, Path("nowhere.csv"))

    def test_a_file_that_is_not_text_is_not_an_export(self, shop: Database,
                                                      write_file: WriteFile) -> None:
        path = write_file("stock.xlsx", data=b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00")
        with pytest.raises(NotAnExport):
            stock.import_stock(shop, path)

    def test_a_dry_run_import_stores_nothing(self, shop: Database,
                                             write_file: WriteFile) -> None:
        path = write_file("stock.csv", "sku,location,quantity", "MUG,main,5")
        assert stock.import_stock(shop, path, dry_run=True).received == 5
        assert snapshot(shop) == ([], [])


def test_the_books_balance_after_every_kind_of_movement(shop: Database) -> None:
    stock.receive(shop, "MUG", 10, "main")
    stock.adjust(shop, "MUG", 2, "main", reason="found")
    stock.damage(shop, "MUG", 1, "main")
    stock.transfer(shop, "MUG", 4, "main", "annex")
    stock.count(shop, "MUG", 3, "annex")
    stock.adjust(shop, "MUG", -1, "main", reason="binned", damaged=True)
    assert check(shop) == []
    assert level(shop, "MUG", "main") == StockLevel(7, 0, 0)
    assert level(shop, "MUG", "annex") == StockLevel(3)
