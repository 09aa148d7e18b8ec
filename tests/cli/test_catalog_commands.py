"""`oms product ...` and `oms location ...`: data on stdout, messages on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from runners import Cli


def csv_lines(cli: Cli, *args: str) -> list[str]:
    result = cli(*args, "-f", "csv")
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


class TestProductCommands:
    def test_add_stores_the_product_and_only_talks_on_stderr(self, cli: Cli) -> None:
        result = cli("product", "add", "MUG", "--name", "Stoneware Mug", "--price", "14.5",
                     "--cost", "5", "--reorder-point", "4")
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == "added MUG (Stoneware Mug)\n"
        assert csv_lines(cli, "product", "list") == [
            "sku,name,price,cost,currency,barcode,reorder_point,reorder_qty,safety_stock,active",
            "MUG,Stoneware Mug,14.50,5.00,USD,,4,0,0,true"]

    def test_add_of_an_existing_sku_fails_with_one_line(self, shop: Path, cli: Cli) -> None:
        result = cli("product", "add", "MUG", "--name", "Again")
        assert result.exit_code == 1
        assert result.stderr == ("oms: error: sku 'MUG' already exists: "
                                 "change it with `oms product update`\n")

    def test_a_price_that_is_not_an_amount_is_bad_usage(self, cli: Cli) -> None:
        result = cli("product", "add", "MUG", "--name", "Mug", "--price", "cheap")
        assert result.exit_code == 2
        assert "--price" in result.stderr and "not an amount" in result.stderr

    def test_a_price_with_too_many_places_fails(self, cli: Cli) -> None:
        result = cli("product", "add", "MUG", "--name", "Mug", "--price", "1.999")
        assert result.exit_code == 1
        assert "more than 2 decimal places for USD" in result.stderr

    def test_an_absurd_price_fails_cleanly(self, cli: Cli) -> None:
        result = cli("product", "add", "MUG", "--name", "Mug", "--price", "1e30")
        assert result.exit_code == 1
        assert result.stderr.startswith("oms: error: ") and "out of range" in result.stderr

    def test_update_changes_the_fields_given(self, shop: Path, cli: Cli) -> None:
        result = cli("product", "update", "MUG", "--price", "15", "--inactive")
        assert (result.exit_code, result.stderr) == (0, "updated MUG\n")
        assert csv_lines(cli, "product", "list", "--active", "--no-headers") == [
            "KIT,Tea Kit,,,USD,,0,0,0,true", "TEA,Earl Grey,9.50,,USD,,0,0,0,true"]

    def test_update_of_an_unknown_sku_fails(self, shop: Path, cli: Cli) -> None:
        result = cli("product", "update", "NOPE", "--price", "1")
        assert result.exit_code == 1
        assert result.stderr.startswith("oms: error: unknown sku 'NOPE'")

    def test_a_bundle_is_made_with_components(self, shop: Path, cli: Cli) -> None:
        result = cli("product", "add", "DUO", "--name", "Two mugs", "--component", "MUG=2")
        assert result.exit_code == 0, result.output
        shown = json.loads(cli("product", "show", "DUO", "-f", "json").stdout)
        assert shown["components"] == [{"sku": "MUG", "quantity": 2}]

    def test_show_gives_one_document_with_stock_and_aliases(self, shop: Path, cli: Cli) -> None:
        cli("stock", "receive", "MUG", "3", "-l", "main")
        cli("product", "alias", "add", "etsy", "1234", "MUG")
        shown = json.loads(cli("product", "show", "MUG", "-f", "json").stdout)
        assert shown["sku"] == "MUG" and shown["price"] == 14.0
        assert shown["stock"] == [{"location": "main", "on_hand": 3, "reserved": 0,
                                   "damaged": 0, "available": 3}]
        assert shown["aliases"] == [{"channel": "etsy", "key": "1234"}]

    def test_show_as_a_table_lists_the_fields(self, shop: Path, cli: Cli) -> None:
        result = cli("product", "show", "MUG")
        assert result.exit_code == 0
        assert "Stoneware Mug" in result.stdout

    def test_show_cannot_be_csv(self, shop: Path, cli: Cli) -> None:
        result = cli("product", "show", "MUG", "-f", "csv")
        assert result.exit_code == 1
        assert "use -f json" in result.stderr

    def test_list_can_search(self, shop: Path, cli: Cli) -> None:
        assert csv_lines(cli, "product", "list", "--search", "grey", "--no-headers") == [
            "TEA,Earl Grey,9.50,,USD,,0,0,0,true"]

    def test_import_reports_its_counts_on_stderr(self, shop: Path, cli: Cli,
                                                 tmp_path: Path) -> None:
        path = tmp_path / "products.csv"
        path.write_text("sku,name,price\nMUG,Stoneware Mug,14.00\nCUP,Cup,3.00\n",
                        encoding="utf-8")
        result = cli("product", "import", str(path))
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == f"{path}: 1 created, 0 updated, 1 unchanged\n"

    def test_import_dry_run_stores_nothing(self, cli: Cli, tmp_path: Path) -> None:
        path = tmp_path / "products.csv"
        path.write_text("sku,name\nCUP,Cup\n", encoding="utf-8")
        result = cli("product", "import", str(path), "--dry-run")
        assert result.stderr.startswith("dry run, nothing stored: ")
        assert csv_lines(cli, "product", "list", "--no-headers") == []

    def test_aliases_are_added_listed_and_removed(self, shop: Path, cli: Cli) -> None:
        added = cli("product", "alias", "add", "Etsy", "Blue mug, large", "MUG")
        assert (added.exit_code, added.stdout) == (0, "")
        assert added.stderr == "added etsy 'Blue mug, large' -> MUG\n"
        assert csv_lines(cli, "product", "alias", "list") == [
            "channel,key,sku", 'etsy,"Blue mug, large",MUG']
        removed = cli("product", "alias", "remove", "etsy", "Blue mug, large")
        assert removed.exit_code == 0
        assert csv_lines(cli, "product", "alias", "list", "--no-headers") == []

    def test_remapping_an_alias_is_refused(self, shop: Path, cli: Cli) -> None:
        cli("product", "alias", "add", "etsy", "1", "MUG")
        result = cli("product", "alias", "add", "etsy", "1", "TEA")
        assert result.exit_code == 1
        assert "already points at MUG" in result.stderr

    def test_removing_an_unknown_alias_fails(self, shop: Path, cli: Cli) -> None:
        assert cli("product", "alias", "remove", "etsy", "9").exit_code == 1


class TestLocationCommands:
    def test_add_and_list_in_shipping_order(self, cli: Cli) -> None:
        first = cli("location", "add", "shop", "--kind", "store", "--priority", "30",
                    "--country", "us")
        assert (first.exit_code, first.stdout, first.stderr) == (0, "",
                                                                "added location shop (store)\n")
        cli("location", "add", "backroom", "--priority", "10", "--country", "US",
            "--ships-to", "US,CA")
        assert csv_lines(cli, "location", "list") == [
            "code,name,kind,priority,country,region,ships_to,active",
            "backroom,backroom,warehouse,10,US,,\"US,CA\",true",
            "shop,shop,store,30,US,,US,true"]

    def test_a_bad_country_fails_with_a_hint(self, cli: Cli) -> None:
        result = cli("location", "add", "shop", "--country", "USA")
        assert result.exit_code == 1
        assert "two-letter ISO code" in result.stderr

    def test_an_unknown_kind_fails_with_the_choices(self, cli: Cli) -> None:
        result = cli("location", "add", "van", "--kind", "car")
        assert result.exit_code == 1
        assert "one of warehouse, store, 3pl, dropship" in result.stderr

    def test_update_changes_the_fields_given(self, shop: Path, cli: Cli) -> None:
        result = cli("location", "update", "annex", "--priority", "1", "--inactive")
        assert (result.exit_code, result.stderr) == (0, "updated location annex\n")
        assert csv_lines(cli, "location", "list", "--no-headers")[0] == (
            "annex,annex,warehouse,1,US,,US,false")

    def test_update_of_an_unknown_location_names_the_known_ones(self, shop: Path,
                                                                cli: Cli) -> None:
        result = cli("location", "update", "moon", "--priority", "1")
        assert result.exit_code == 1
        assert "unknown location 'moon' (known: annex, main)" in result.stderr

    def test_import_creates_and_updates(self, shop: Path, cli: Cli, tmp_path: Path) -> None:
        path = tmp_path / "locations.csv"
        path.write_text("code,name,kind\nmain,Main room,warehouse\nshop,Shop,store\n",
                        encoding="utf-8")
        result = cli("location", "import", str(path))
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == f"{path}: 1 created, 1 updated\n"

    def test_import_of_a_bad_file_names_the_line_and_stores_nothing(self, cli: Cli,
                                                                     tmp_path: Path) -> None:
        path = tmp_path / "locations.csv"
        path.write_text("code,country\nmain,US\nshop,Nowhere\n", encoding="utf-8")
        result = cli("location", "import", str(path))
        assert result.exit_code == 1
        assert f"{path}:3: country" in result.stderr
        assert csv_lines(cli, "location", "list", "--no-headers") == []
