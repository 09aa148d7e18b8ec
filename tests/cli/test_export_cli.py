"""`oms export fulfillments` and `oms export availability` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from runners import Cli, sqlite_only

from oms_cli.domain.allocation import Policy
from oms_cli.domain.lifecycle import ValidationPolicy
from oms_cli.services.allocation import allocate
from oms_cli.services.database import open_database
from oms_cli.services.fulfillment import ship_order
from oms_cli.services.importing import ImportSettings, import_file
from oms_cli.services.stock import receive

ORDERS = Path(__file__).parents[1] / "integration" / "exports" / "shop_orders.csv"
SHOPIFY_HEADER = ("Order Name,Order ID,SKU,Quantity,Tracking Number,Tracking Company,"
                  "Tracking URL,Notify Customer,Location")


@pytest.fixture
def shipped(shop: Path) -> Path:
    """The command tests' shop with #1001 (2 MUG, 2 TEA) shipped by UPS 1Z1 from main,
    #1002 (a KIT) and #1003 (a MUG) allocated and waiting."""
    db = open_database(str(shop), busy_timeout=2.0).db
    try:
        receive(db, "MUG", 10, "main")
        receive(db, "TEA", 10, "main")
        import_file(db, str(ORDERS), settings=ImportSettings())
        allocate(db, policy=Policy(), validation=ValidationPolicy())
        ship_order(db, "shopify:#1001", carrier="UPS", tracking="1Z1")
    finally:
        db.close()
    return shop


def test_fulfillments_go_to_stdout_and_the_summary_to_stderr(cli: Cli, shipped: Path) -> None:
    result = cli("export", "fulfillments", "--channel", "shopify")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [SHOPIFY_HEADER,
                                          "#1001,5001,MUG,2,1Z1,UPS,,true,Main room",
                                          "#1001,5001,TEA,2,1Z1,UPS,,true,Main room"]
    assert result.stderr.strip() == "2 shipment lines exported for shopify (1 shipment)"


def test_a_second_export_has_nothing_to_write_and_still_succeeds(cli: Cli,
                                                                 shipped: Path) -> None:
    cli("export", "fulfillments", "-c", "shopify")
    result = cli("export", "fulfillments", "-c", "shopify")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "nothing to export for shopify" in result.stderr
    assert "1 exported before (--all writes them again)" in result.stderr
    again = cli("export", "fulfillments", "-c", "shopify", "--all")
    assert len(again.stdout.splitlines()) == 3
    assert "1 of them exported before" in again.stderr


def test_a_dry_run_leaves_the_shipments_to_export(cli: Cli, shipped: Path) -> None:
    dry = cli("export", "fulfillments", "-c", "shopify", "--dry-run")
    assert dry.stderr.startswith("dry run, nothing stored: 2 shipment lines exported")
    assert cli("export", "fulfillments", "-c", "shopify").stdout == dry.stdout


def test_the_file_is_written_with_o_and_nothing_goes_to_stdout(cli: Cli, shipped: Path,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "fulfilled.csv"
    result = cli("export", "fulfillments", "-c", "shopify", "-o", target)
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text(encoding="utf-8").splitlines()[0] == SHOPIFY_HEADER


@sqlite_only("guards the database file and its -wal/-shm")
def test_it_refuses_to_write_over_the_database_and_marks_nothing(cli: Cli,
                                                                 shipped: Path) -> None:
    result = cli("export", "fulfillments", "-c", "shopify", "-o", shipped)
    assert result.exit_code == 1
    assert "refusing to write over" in result.stderr
    assert len(cli("export", "fulfillments", "-c", "shopify").stdout.splitlines()) == 3


def test_an_unknown_channel_is_an_error_naming_the_known_ones(cli: Cli, shipped: Path) -> None:
    result = cli("export", "fulfillments", "-c", "nosuch")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "unknown channel 'nosuch'" in result.stderr
    assert "known channels: shopify" in result.stderr


def test_availability_is_a_csv_of_sku_and_available(cli: Cli, shipped: Path) -> None:
    result = cli("export", "availability", "-c", "shopify")
    assert result.exit_code == 0, result.stderr
    # MUG 10 less 2 shipped, 1 for #1002's kit and 1 for #1003; TEA 10 less 2 shipped, 2 held.
    assert result.stdout == "sku,available\nKIT,3\nMUG,6\nTEA,6\n"
    assert "3 skus written for shopify (stock at annex, main, less a buffer of 0)" in (
        result.stderr)
    assert "--template" in result.stderr


def test_the_channel_buffer_comes_from_the_config(cli: Cli, shipped: Path,
                                                  isolated_user: Path) -> None:
    (isolated_user / "oms.yaml").write_text("channels:\n  amazon:\n    buffer: 5\n",
                                            encoding="utf-8")
    result = cli("export", "availability", "-c", "amazon", config=True)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "sku\tquantity\thandling-time\nKIT\t0\t\nMUG\t1\t\nTEA\t1\t\n"


def test_availability_can_count_only_some_locations(cli: Cli, shipped: Path) -> None:
    result = cli("-q", "export", "availability", "-c", "shopify", "-l", "annex")
    assert (result.stdout, result.stderr) == ("sku,available\nKIT,0\nMUG,0\nTEA,0\n", "")


def test_a_shopify_inventory_export_comes_back_ready_to_import(cli: Cli, shipped: Path,
                                                               tmp_path: Path) -> None:
    template = tmp_path / "inventory_export.csv"
    template.write_text(
        "Handle,Title,Option1 Name,Option1 Value,SKU,Location,Committed (not editable),"
        "On hand (current),On hand (new)\n"
        "mug,Mug,Title,Default Title,MUG,Shop location,1,4,4\n", encoding="utf-8")
    result = cli("export", "availability", "-c", "shopify", "--template", template)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "mug,Mug,Title,Default Title,MUG,Shop location,1,4,7"
    assert "at Shopify location 'Shop location'" in result.stderr
    assert "left out, no row in the template: KIT, TEA" in result.stderr


def test_a_channel_location_without_a_template_is_refused(cli: Cli, shipped: Path) -> None:
    result = cli("export", "availability", "-c", "shopify", "--channel-location", "Shop")
    assert result.exit_code == 1
    assert "--channel-location is read only with --template" in result.stderr


def test_nothing_to_export_without_products_is_not_a_failure(cli: Cli) -> None:
    result = cli("export", "availability", "-c", "shopify")
    assert (result.exit_code, result.stdout) == (0, "")
    assert "nothing to export for shopify: no products yet" in result.stderr
