"""The catalog: products, their import, bundles and channel aliases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from runners import WriteFile
from small_shop import product, rows, scalar

from oms_cli.errors import Conflict, InputMissing, InvalidInput, NotAnExport, NotFound
from oms_cli.services import stock
from oms_cli.services.catalog import (
    ProductChanges,
    add_alias,
    add_product,
    import_products,
    list_aliases,
    list_products,
    parse_components,
    remove_alias,
    show_product,
    update_product,
)
from oms_cli.store.database import Database


def skus(db: Database) -> list[str]:
    return [row["sku"] for row in list_products(db)]


class TestAddingAProduct:
    def test_its_money_is_stored_in_minor_units_and_read_back_exactly(self, db: Database) -> None:
        row = add_product(db, "MUG", ProductChanges(name="Mug", price=Decimal("14.5"),
                                                    cost=Decimal("5")), currency="USD")
        assert (row["price"], row["cost"]) == (Decimal("14.50"), Decimal("5.00"))
        assert rows(db, "SELECT price, cost, currency FROM product") == [(1450, 500, "USD")]

    def test_a_price_in_yen_has_no_minor_units(self, db: Database) -> None:
        add_product(db, "CUP", ProductChanges(name="Cup", price=Decimal("1500")), currency="JPY")
        assert scalar(db, "SELECT price FROM product") == 1500

    def test_a_price_with_more_places_than_the_currency_is_refused(self, db: Database) -> None:
        with pytest.raises(InvalidInput, match=r"MUG: price: 1\.505 has more than 2 decimal"):
            add_product(db, "MUG", ProductChanges(name="Mug", price=Decimal("1.505")),
                        currency="USD")
        assert skus(db) == []

    def test_an_absurd_price_is_refused_not_overflowed(self, db: Database) -> None:
        with pytest.raises(InvalidInput, match="out of range"):
            add_product(db, "MUG", ProductChanges(name="Mug", price=Decimal("1e30")),
                        currency="USD")

    def test_a_second_product_with_the_same_sku_is_a_conflict(self, db: Database) -> None:
        product(db, "MUG")
        with pytest.raises(Conflict, match="sku 'MUG' already exists"):
            product(db, "MUG")

    def test_a_product_needs_a_name(self, db: Database) -> None:
        with pytest.raises(InvalidInput, match="needs a name"):
            add_product(db, "MUG", ProductChanges(), currency="USD")

    @pytest.mark.parametrize("sku", ["", "  ", "two words", "x" * 101])
    def test_a_sku_is_one_word_of_up_to_100_characters(self, db: Database, sku: str) -> None:
        with pytest.raises(InvalidInput, match="a sku is 1-100 characters"):
            add_product(db, sku, ProductChanges(name="N"), currency="USD")

    def test_negative_settings_are_refused(self, db: Database) -> None:
        with pytest.raises(InvalidInput, match="reorder_point must not be negative"):
            add_product(db, "MUG", ProductChanges(name="Mug", reorder_point=-1), currency="USD")
        assert skus(db) == []

    def test_a_dry_run_stores_nothing(self, db: Database) -> None:
        add_product(db, "MUG", ProductChanges(name="Mug"), currency="USD", dry_run=True)
        assert skus(db) == []


class TestUpdatingAProduct:
    def test_only_the_fields_given_change(self, db: Database) -> None:
        product(db, "MUG", name="Mug", price=Decimal("14.00"), reorder_point=3)
        row = update_product(db, "MUG", ProductChanges(price=Decimal("15.00")))
        assert (row["name"], row["price"], row["reorder_point"]) == ("Mug", Decimal("15.00"), 3)

    def test_an_unchanged_product_keeps_its_updated_at(self, db: Database) -> None:
        product(db, "MUG", name="Mug")
        before = scalar(db, "SELECT updated_at FROM product")
        update_product(db, "MUG", ProductChanges(name="Mug"))
        assert scalar(db, "SELECT updated_at FROM product") == before

    def test_an_unknown_sku_is_not_found_with_a_hint(self, db: Database) -> None:
        with pytest.raises(NotFound, match="unknown sku 'NOPE': add it with `oms product add"):
            update_product(db, "NOPE", ProductChanges(name="x"))

    def test_a_product_can_be_retired(self, db: Database) -> None:
        product(db, "MUG")
        update_product(db, "MUG", ProductChanges(active=False))
        assert list_products(db, include_inactive=False) == []
        assert skus(db) == ["MUG"]


class TestListingAndShowing:
    def test_products_are_listed_by_sku_and_searched_by_sku_or_name(self, db: Database) -> None:
        product(db, "TEA", name="Earl Grey")
        product(db, "MUG", name="Stoneware Mug")
        assert skus(db) == ["MUG", "TEA"]
        assert [r["sku"] for r in list_products(db, search="grey")] == ["TEA"]
        assert [r["sku"] for r in list_products(db, search="mu")] == ["MUG"]

    def test_show_gives_stock_aliases_and_components(self, shop: Database) -> None:
        add_alias(shop, "Etsy", "123", "KIT")
        detail = show_product(shop, "KIT")
        assert detail.product["sku"] == "KIT"
        assert detail.components == [{"sku": "MUG", "quantity": 1}, {"sku": "TEA", "quantity": 2}]
        assert detail.aliases == [{"channel": "etsy", "key": "123"}]
        assert detail.stock == []

    def test_show_of_an_unknown_sku_is_not_found(self, db: Database) -> None:
        with pytest.raises(NotFound):
            show_product(db, "NOPE")


class TestImportingProducts:
    def test_new_products_are_created_and_known_ones_updated(self, db: Database,
                                                            write_file: WriteFile) -> None:
        product(db, "MUG", name="Old name")
        path = write_file("products.csv", "sku,name,price,reorder_point",
                          "MUG,Stoneware Mug,14.00,5", "TEA,Earl Grey,9.50,0")
        result = import_products(db, path, currency="USD")
        assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
        assert rows(db, "SELECT sku, name, price, reorder_point FROM product ORDER BY sku") == [
            ("MUG", "Stoneware Mug", 1400, 5), ("TEA", "Earl Grey", 950, 0)]

    def test_the_same_file_twice_changes_nothing_the_second_time(
            self, db: Database, write_file: WriteFile) -> None:
        path = write_file("products.csv", "sku,name,price", "MUG,Mug,14.00", "TEA,Tea,9.50")
        import_products(db, path, currency="USD")
        before = rows(db, "SELECT * FROM product ORDER BY id")
        result = import_products(db, path, currency="USD")
        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
        assert rows(db, "SELECT * FROM product ORDER BY id") == before

    def test_shopify_product_export_headers_are_understood(self, db: Database,
                                                          write_file: WriteFile) -> None:
        path = write_file(
            "products_export.csv",
            "Handle,Title,Body (HTML),Vendor,Published,Option1 Name,Option1 Value,"
            "Variant SKU,Variant Grams,Variant Price,Variant Barcode,Image Src,Status",
            "mug,Stoneware Mug,<p>Nice</p>,Acme,TRUE,Title,Default Title,MUG-1,380,14.00,"
            "0810001,https://cdn/x.jpg,active",
            "mug,,,,,,,,,,,https://cdn/y.jpg,",
            "tea,Earl Grey,,Acme,FALSE,Title,Default Title,TEA-1,120,9.50,,,draft",
        )
        result = import_products(db, path, currency="USD")
        assert result.created == 2
        assert rows(db, "SELECT sku, name, price, weight_grams, barcode, active FROM product "
                        "ORDER BY sku") == [("MUG-1", "Stoneware Mug", 1400, 380, "0810001", 1),
                                            ("TEA-1", "Earl Grey", 950, 120, None, 0)]

    def test_a_sku_twice_in_one_file_is_refused_and_nothing_stored(
            self, db: Database, write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name", "MUG,Mug", "TEA,Tea", "MUG,Mug again")
        with pytest.raises(InvalidInput, match=r"p.csv:4: sku: 'MUG' appears twice"):
            import_products(db, path, currency="USD")
        assert skus(db) == []

    def test_a_bad_price_names_file_line_and_field_and_nothing_is_stored(
            self, db: Database, write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name,price", "MUG,Mug,14.00", "TEA,Tea,9.50",
                          "CUP,Cup,cheap")
        with pytest.raises(InvalidInput, match=r"p.csv:4: price: 'cheap' is not an amount"):
            import_products(db, path, currency="USD")
        assert skus(db) == []

    def test_a_price_with_too_many_places_names_the_line(self, db: Database,
                                                          write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name,price", "MUG,Mug,14.001")
        with pytest.raises(InvalidInput, match=r"p.csv:2: price: 14.001 has more than 2"):
            import_products(db, path, currency="USD")

    def test_a_bad_quantity_names_the_line_and_field(self, db: Database,
                                                      write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name,reorder_point", "MUG,Mug,lots")
        with pytest.raises(InvalidInput, match=r"p.csv:2: reorder_point: 'lots' is not a whole"):
            import_products(db, path, currency="USD")

    def test_money_written_the_european_way_is_read(self, db: Database,
                                                     write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name,price", 'MUG,Mug,"14,50"')
        import_products(db, path, currency="EUR")
        assert scalar(db, "SELECT price FROM product") == 1450

    def test_a_missing_required_column_is_reported_on_line_1(self, db: Database,
                                                              write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,price", "MUG,1.00")
        with pytest.raises(InvalidInput, match=r"p.csv:1: missing column name"):
            import_products(db, path, currency="USD")

    def test_a_tab_separated_file_with_a_bom_and_crlf_is_read(self, db: Database,
                                                               write_file: WriteFile) -> None:
        path = write_file("p.tsv", data="\ufeffSKU\tName\r\nMUG\tMug\r\n".encode())
        assert import_products(db, path, currency="USD").created == 1

    def test_a_missing_file_is_input_missing(self, db: Database, tmp_path: object) -> None:
        from pathlib import Path

        with pytest.raises(InputMissing, match="no such file"):
            import_products(db, Path("nowhere.csv"), currency="USD")

    def test_a_file_that_is_not_utf8_is_not_an_export_and_names_the_line(
            self, db: Database, write_file: WriteFile) -> None:
        path = write_file("p.csv", data=b"sku,name\nMUG,Mug\nTEA,Caf\xe9\n")
        with pytest.raises(NotAnExport, match=r"p.csv:3: not UTF-8"):
            import_products(db, path, currency="USD")

    def test_a_binary_file_is_not_an_export(self, db: Database, write_file: WriteFile) -> None:
        path = write_file("p.csv", data=b"sku,name\x00\x00\x01\x02")
        with pytest.raises(NotAnExport, match="binary"):
            import_products(db, path, currency="USD")

    def test_an_empty_file_is_not_an_export(self, db: Database, write_file: WriteFile) -> None:
        with pytest.raises(NotAnExport, match="empty file"):
            import_products(db, write_file("p.csv", data=b""), currency="USD")

    def test_bundles_are_imported_with_their_components(self, db: Database,
                                                         write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name,components", "MUG,Mug,", "TEA,Tea,",
                          "KIT,Kit,MUG:1;TEA:2")
        import_products(db, path, currency="USD")
        assert show_product(db, "KIT").components == [{"sku": "MUG", "quantity": 1},
                                                      {"sku": "TEA", "quantity": 2}]

    def test_a_bundle_may_come_before_its_components_in_the_file(
            self, db: Database, write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name,components", "KIT,Kit,MUG:1", "MUG,Mug,")
        assert import_products(db, path, currency="USD").created == 2
        assert show_product(db, "KIT").components == [{"sku": "MUG", "quantity": 1}]

    def test_a_change_of_components_alone_counts_as_an_update(
            self, db: Database, write_file: WriteFile) -> None:
        import_products(db, write_file("a.csv", "sku,name,components", "MUG,Mug,",
                                       "KIT,Kit,MUG:1"), currency="USD")
        result = import_products(db, write_file("b.csv", "sku,name,components", "MUG,Mug,",
                                                "KIT,Kit,MUG:2"), currency="USD")
        assert (result.updated, result.unchanged) == (1, 1)

    def test_a_bad_sku_names_the_line(self, db: Database, write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name", "MUG,Mug", "RED MUG,Red mug")
        with pytest.raises(InvalidInput, match=r"p.csv:3: sku 'RED MUG'"):
            import_products(db, path, currency="USD")
        assert skus(db) == []

    def test_a_bundle_naming_an_unknown_component_names_the_line(
            self, db: Database, write_file: WriteFile) -> None:
        path = write_file("p.csv", "sku,name,components", "KIT,Kit,NOPE:1")
        with pytest.raises(NotFound, match=r"p.csv:2: .*unknown sku 'NOPE'"):
            import_products(db, path, currency="USD")
        assert skus(db) == []


class TestBundles:
    def test_a_bundle_cannot_contain_itself(self, shop: Database) -> None:
        with pytest.raises(InvalidInput, match="cannot contain itself"):
            update_product(shop, "KIT", ProductChanges(components={"KIT": 1}))

    def test_a_bundle_cannot_contain_a_bundle(self, shop: Database) -> None:
        with pytest.raises(InvalidInput, match="KIT is itself a bundle; bundles do not nest"):
            product(shop, "BIG", components={"KIT": 1})

    def test_a_component_cannot_become_a_bundle(self, shop: Database) -> None:
        product(shop, "LID")
        with pytest.raises(InvalidInput, match="MUG is a component of a bundle"):
            update_product(shop, "MUG", ProductChanges(components={"LID": 1}))

    def test_a_product_holding_stock_cannot_become_a_bundle(self, shop: Database) -> None:
        product(shop, "CUP")
        stock.receive(shop, "CUP", 5, "main")
        with pytest.raises(InvalidInput, match="CUP holds 5 units of its own"):
            update_product(shop, "CUP", ProductChanges(components={"MUG": 1}))
        assert show_product(shop, "CUP").components == []

    def test_a_product_counted_to_zero_can_become_a_bundle(self, shop: Database) -> None:
        product(shop, "CUP")
        stock.receive(shop, "CUP", 5, "main")
        stock.count(shop, "CUP", 0, "main")
        update_product(shop, "CUP", ProductChanges(components={"MUG": 2}))
        assert show_product(shop, "CUP").components == [{"sku": "MUG", "quantity": 2}]

    def test_components_can_be_replaced(self, shop: Database) -> None:
        update_product(shop, "KIT", ProductChanges(components={"TEA": 3}))
        assert show_product(shop, "KIT").components == [{"sku": "TEA", "quantity": 3}]

    @pytest.mark.parametrize(("text", "expected"), [
        ("A:2;B:1", {"A": 2, "B": 1}), ("A=2,B=1", {"A": 2, "B": 1}), ("", {}),
        (" A : 3 ", {"A": 3}),
    ])
    def test_components_are_written_sku_colon_quantity(self, text: str,
                                                       expected: dict[str, int]) -> None:
        assert parse_components(text) == expected

    @pytest.mark.parametrize("text", ["A", "A:0", "A:x", ":2"])
    def test_malformed_components_are_refused(self, text: str) -> None:
        with pytest.raises(InvalidInput, match="components"):
            parse_components(text)


class TestAliases:
    def test_an_alias_maps_a_channel_key_to_a_sku(self, shop: Database) -> None:
        row = add_alias(shop, " Etsy ", " 123456 ", "MUG")
        assert row == {"channel": "etsy", "key": "123456", "sku": "MUG", "created": True}
        assert list_aliases(shop) == [{"channel": "etsy", "key": "123456", "sku": "MUG"}]

    def test_adding_the_same_alias_again_changes_nothing(self, shop: Database) -> None:
        add_alias(shop, "etsy", "123", "MUG")
        assert add_alias(shop, "etsy", "123", "MUG")["created"] is False
        assert len(list_aliases(shop)) == 1

    def test_pointing_a_key_at_another_sku_is_a_conflict(self, shop: Database) -> None:
        add_alias(shop, "etsy", "123", "MUG")
        with pytest.raises(Conflict, match="etsy key '123' already points at MUG"):
            add_alias(shop, "etsy", "123", "TEA")

    def test_the_same_key_on_another_channel_is_another_alias(self, shop: Database) -> None:
        add_alias(shop, "etsy", "123", "MUG")
        add_alias(shop, "ebay", "123", "TEA")
        assert [a["sku"] for a in list_aliases(shop, "ebay")] == ["TEA"]

    def test_an_alias_for_an_unknown_sku_is_not_found(self, shop: Database) -> None:
        with pytest.raises(NotFound):
            add_alias(shop, "etsy", "123", "NOPE")

    def test_an_alias_can_be_removed(self, shop: Database) -> None:
        add_alias(shop, "etsy", "123", "MUG")
        remove_alias(shop, "ETSY", "123")
        assert list_aliases(shop) == []

    def test_removing_an_unknown_alias_is_not_found(self, shop: Database) -> None:
        with pytest.raises(NotFound, match="no alias '9' on channel 'etsy'"):
            remove_alias(shop, "etsy", "9")
